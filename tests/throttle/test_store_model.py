"""Both throttle stores admit exactly what the reference model admits (bucket_model.py).

Hypothesis draws buckets (burst, restore interval, hourly quota) and arrival patterns (gaps
from nothing to over an hour, costs above the burst, drains, calls that only ask); the
in-process LocalBucket and the Redis store (a real server, the client's fake time passed in)
must answer every call as the model does: the same admissions, the same waits to the
microsecond (the Redis script's resolution).

Times are multiples of 1/64 s and intervals powers of two, so every value is exact both in
floating point and in Redis's integer microseconds: any difference is a difference of rule.
"""

from __future__ import annotations

import uuid
from fractions import Fraction

import pytest
from bucket_model import ModelBucket
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from redis_server import RedisServer

from mwskit import RedisThrottleStore
from mwskit._runtime.descriptors import ThrottlingSpec
from mwskit._runtime.throttle import (
    Bucket,
    BucketKey,
    BucketRegistry,
    Drain,
    Reserve,
    ThrottleStore,
    Timer,
)

TICK = Fraction(1, 64)
START = Fraction(1000)

specs = st.builds(
    ThrottlingSpec,
    max_request_quota=st.integers(1, 6),
    restore_seconds=st.sampled_from([0.25, 0.5, 1.0, 2.0]),
    bucket=st.just("B"),
    hourly_request_quota=st.one_of(st.none(), st.integers(1, 5)),
)
# (gap in ticks, what): what is ("take", cost), ("ask", cost) or ("drain", 0)
events = st.lists(
    st.tuples(
        st.one_of(st.integers(0, 200), st.integers(0, 64 * 4000)),
        st.sampled_from(["take", "take", "ask", "drain"]),
        st.integers(1, 8),
    ),
    min_size=1,
    max_size=40,
)


class StartTimer(Timer):
    """Buckets are created full at START, when the pattern begins."""

    def monotonic(self) -> float:
        return float(START)


def check_against_model(
    store: ThrottleStore, spec: ThrottlingSpec, pattern: list[tuple[int, str, int]]
) -> None:
    key = BucketKey(StartTimer(), f"S{uuid.uuid4().hex}", "Products", "B")
    bucket: Bucket = store.get(key, spec)
    model = ModelBucket(
        spec.max_request_quota, Fraction(spec.restore_seconds), spec.hourly_request_quota
    )
    now = START
    for gap, what, cost in pattern:
        now += gap * TICK
        if what == "drain":
            bucket.apply(Drain(), float(now))
            model.drain(now)
            continue
        wait, _ = bucket.apply(Reserve(float(cost), what == "take"), float(now))
        expected = model.reserve(cost, now, what == "take")
        assert (wait > 0) == (expected > 0), (now, what, cost, wait, expected)
        assert wait == pytest.approx(float(expected), abs=1e-6), (now, what, cost)


SETTINGS = settings(
    max_examples=150,
    database=None,  # nothing written into the work tree
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)


@SETTINGS
@given(spec=specs, pattern=events)
def test_local_store_admits_what_the_model_admits(
    spec: ThrottlingSpec, pattern: list[tuple[int, str, int]]
) -> None:
    check_against_model(BucketRegistry(), spec, pattern)


@SETTINGS
@given(spec=specs, pattern=events)
def test_redis_store_admits_what_the_model_admits(
    spec: ThrottlingSpec, pattern: list[tuple[int, str, int]], redis_server: RedisServer
) -> None:
    store = RedisThrottleStore(
        redis_server.url, prefix="model", rate_margin=0, arrival_slack=0, server_clock=False
    )
    try:
        check_against_model(store, spec, pattern)
    finally:
        store.close()


def test_the_model_refuses_a_burst_past_capacity() -> None:
    """The model itself: a full bucket of 2 lets 2 calls go, the third waits one interval."""
    model = ModelBucket(2, Fraction(1, 2), None)
    waits = [model.reserve(1, START, take=True) for _ in range(3)]
    assert waits == [0, 0, Fraction(1, 2)]
    assert model.reserve(1, START, take=False) == 1  # asking takes nothing
    model.drain(START + 2)
    assert model.reserve(1, START + 2, take=True) == Fraction(1, 2)  # empty at START + 2
