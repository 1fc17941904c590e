"""The call engine's steps on the success path: what a session is asked to carry out.

A bucket in the process's memory does no I/O, so the engine applies its operations itself and a
call answered at once is one Send; a bucket kept elsewhere (a Redis store) is still reached
through Throttle steps, which the sessions apply (sync) or await (async).
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from typing import Any

from runtime_helpers import FakeTimer

from mwskit._runtime import ClientConfig, RetryPolicy
from mwskit._runtime.calls import CallContext, Received, Send, Step, Throttle, plan_call
from mwskit._runtime.request import RequestBuilder
from mwskit._runtime.throttle import (
    NO_WAIT,
    Admission,
    BucketKey,
    BucketOp,
    BucketRegistry,
    ForgetQuota,
    LocalBucket,
    ObserveQuota,
    Reserve,
)
from mwskit.marketplaces import REGION_HOSTS
from mwskit.orders import _operations as ops

VALUES: tuple[Any, ...] = tuple(
    {"marketplace_id": ["ATVPDKIKX0DER"], "created_after": datetime(2024, 1, 1, tzinfo=UTC)}.get(
        param.python_name
    )
    for param in ops.LIST_ORDERS.params
)
BODY = (
    b'<ListOrdersResponse xmlns="https://mws.amazonservices.com/Orders/2013-09-01">'
    b"<ListOrdersResult><Orders/></ListOrdersResult>"
    b"<ResponseMetadata><RequestId>rid</RequestId></ResponseMetadata></ListOrdersResponse>"
)


class ElsewhereBucket:
    """A bucket the engine cannot reach itself, as a Redis store's: it records each op."""

    def __init__(self) -> None:
        self.ops: list[BucketOp] = []

    def apply(self, op: BucketOp, now: float) -> Admission:
        self.ops.append(op)
        return NO_WAIT

    async def aapply(self, op: BucketOp, now: float) -> Admission:
        return self.apply(op, now)


class ElsewhereStore:
    def __init__(self) -> None:
        self.bucket = ElsewhereBucket()

    def get(self, key: BucketKey, spec: Any) -> ElsewhereBucket:
        return self.bucket


def _context(store: Any) -> CallContext:
    config = ClientConfig(
        access_key="AK", secret_key="SK", seller_id="S", region_hosts=REGION_HOSTS
    )
    return CallContext(
        builder=RequestBuilder(config),
        seller_id="S",
        retries=RetryPolicy(),
        throttle="wait",
        timer=FakeTimer(),
        store=store,
    )


def _steps(context: CallContext, headers: dict[str, str]) -> list[Step]:
    """Every step of one ListOrders call answered at once, carried out as a session does."""
    plan = plan_call(context, ops.SECTION, ops.LIST_ORDERS, VALUES, None, None)
    steps: list[Step] = []
    outcome: Any = None
    try:
        while True:
            step = plan.send(outcome)
            steps.append(step)
            if isinstance(step, Send):
                outcome = Received(200, headers, BODY)
            else:
                assert isinstance(step, Throttle)
                outcome = step.bucket.apply(step.op, step.now)
    except StopIteration as done:
        assert done.value.request_id == "rid"
    return steps


def test_a_call_answered_at_once_is_one_send_with_the_process_buckets() -> None:
    store = BucketRegistry()
    context = _context(store)
    steps = _steps(context, {"x-mws-quota-remaining": "199"})
    assert [type(step) for step in steps] == [Send]
    bucket = context.bucket(ops.SECTION, ops.LIST_ORDERS)
    assert isinstance(bucket, LocalBucket)
    assert bucket.level == bucket.capacity - 1  # the unit was taken all the same


def test_the_service_count_reaches_the_process_bucket_without_a_step() -> None:
    context = _context(BucketRegistry())
    steps = _steps(context, {"x-mws-quota-remaining": "3"})
    assert [type(step) for step in steps] == [Send]
    bucket = context.bucket(ops.SECTION, ops.LIST_ORDERS)
    assert isinstance(bucket, LocalBucket)
    assert bucket.hour_remaining == 3


def test_a_bucket_kept_elsewhere_is_reached_through_throttle_steps() -> None:
    store = ElsewhereStore()
    steps = _steps(_context(store), {"x-mws-quota-remaining": "199"})
    assert [type(step) for step in steps] == [Throttle, Send, Throttle]
    assert store.bucket.ops == [Reserve(1.0, True), ForgetQuota()]
    store.bucket.ops.clear()
    _steps(_context(store), {"x-mws-quota-remaining": "3"})
    assert store.bucket.ops == [Reserve(1.0, True), ObserveQuota(3, None)]


class CountingLock:
    """A lock that counts how often it is taken."""

    def __init__(self) -> None:
        self.taken = 0
        self._lock = threading.Lock()

    def __enter__(self) -> None:
        self.taken += 1
        self._lock.acquire()

    def __exit__(self, *exc: object) -> None:
        self._lock.release()


def test_forgetting_no_service_count_takes_no_lock() -> None:
    bucket = LocalBucket(
        capacity=6.0, restore_seconds=60.0, hourly_quota=None, level=6.0, updated=0.0
    )
    lock = CountingLock()
    bucket.lock = lock  # type: ignore[assignment]
    bucket.apply(ForgetQuota(), 1.0)
    assert lock.taken == 0
    bucket.apply(ObserveQuota(2, 30.0), 1.0)
    assert (bucket.hour_remaining, bucket.hour_resets) == (2, 31.0)
    bucket.apply(ForgetQuota(), 2.0)  # a count to forget: under the lock
    assert (bucket.hour_remaining, bucket.hour_resets) == (None, None)
    assert lock.taken == 2
