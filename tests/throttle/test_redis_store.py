"""The Redis store on a real server: what one process learns, another sees; hosts whose clocks
disagree agree on the bucket (Redis's TIME); an unreachable or silent Redis never holds a
call, and each policy holds; secrets stay out of sight."""

from __future__ import annotations

import asyncio
import logging
import socket
import time
import uuid
from collections.abc import Iterator

import httpx
import pytest
from redis_server import RedisServer, free_port

import mwskit
from mwskit import MWS, AsyncMWS, RedisThrottleStore, ThrottleStoreError
from mwskit._runtime.descriptors import ThrottlingSpec
from mwskit._runtime.throttle import BucketKey, Drain, ObserveQuota, Reserve, Timer

SPEC = ThrottlingSpec(max_request_quota=2, restore_seconds=60.0, bucket="B")
HOURLY = ThrottlingSpec(
    max_request_quota=5, restore_seconds=1.0, bucket="H", hourly_request_quota=9
)


def key(seller: str, spec: ThrottlingSpec = SPEC) -> BucketKey:
    return BucketKey(Timer(), seller, "Orders", spec.bucket)


@pytest.fixture
def seller() -> str:
    return f"S{uuid.uuid4().hex}"


@pytest.fixture
def stores(redis_server: RedisServer) -> Iterator[tuple[RedisThrottleStore, RedisThrottleStore]]:
    """Two stores on one server, as two processes (or hosts) would have."""
    first = RedisThrottleStore(redis_server.url, rate_margin=0, arrival_slack=0)
    second = RedisThrottleStore(redis_server.url, rate_margin=0, arrival_slack=0)
    yield first, second
    first.close()
    second.close()


def test_a_bucket_spent_by_one_process_is_spent_for_another(
    stores: tuple[RedisThrottleStore, RedisThrottleStore], seller: str
) -> None:
    one, other = (store.get(key(seller), SPEC) for store in stores)
    assert one.apply(Reserve(1.0, True), 0.0) == (0.0, "")
    assert other.apply(Reserve(1.0, True), 0.0) == (0.0, "")
    wait, why = one.apply(Reserve(1.0, False), 0.0)
    assert 59.9 < wait <= 60.0
    assert why == "request quota"


def test_hosts_with_skewed_clocks_agree(
    stores: tuple[RedisThrottleStore, RedisThrottleStore], seller: str
) -> None:
    """The `now` each host passes (its own monotonic clock) is not used: Redis's TIME is."""
    one, other = (store.get(key(seller), SPEC) for store in stores)
    one.apply(Reserve(2.0, True), 5.0)
    wait_one, _ = one.apply(Reserve(1.0, False), 5.0)
    wait_other, _ = other.apply(Reserve(1.0, False), 86_400.0)  # a day ahead
    assert 59.9 < wait_other <= wait_one <= 60.0


def test_a_drain_reaches_every_process(
    stores: tuple[RedisThrottleStore, RedisThrottleStore], seller: str
) -> None:
    one, other = (store.get(key(seller), SPEC) for store in stores)
    one.apply(Drain(), 0.0)  # RequestThrottled seen by one process
    wait, _ = other.apply(Reserve(1.0, False), 0.0)
    assert 59.9 < wait <= 60.0  # empty: one unit restores in 60 s


def test_the_service_quota_headers_reach_every_process(
    stores: tuple[RedisThrottleStore, RedisThrottleStore], seller: str
) -> None:
    one, other = (store.get(key(seller, HOURLY), HOURLY) for store in stores)
    one.apply(ObserveQuota(0, 30.0), 0.0)  # x-mws-quota-remaining: 0, resets in 30 s
    wait, why = other.apply(Reserve(1.0, False), 0.0)
    assert 29.9 < wait <= 30.0
    assert why == "hourly quota"


def test_clients_of_one_seller_share_through_the_store(
    redis_server: RedisServer, seller: str
) -> None:
    """Two MWS clients (as in two processes) on one URL: the second waits for the first's
    spending. GetShipment: 10 at once, one more every 0.2 s."""
    sent: list[str] = []

    def answer(request: httpx.Request) -> httpx.Response:
        sent.append(request.url.path)
        return httpx.Response(200, content=GET_SHIPMENT_OK)

    class Recorder(Timer):
        def __init__(self) -> None:
            self.sleeps: list[float] = []

        def sleep(self, seconds: float) -> None:
            self.sleeps.append(seconds)

    timers = [Recorder(), Recorder()]
    clients = [
        MWS(
            access_key="AK",
            secret_key="SK",
            seller_id=seller,
            transport=httpx.MockTransport(answer),
            throttle_store=redis_server.url,
            timer=timer,
        )
        for timer in timers
    ]
    for _ in range(10):
        clients[0].merchant_fulfillment.get_shipment(shipment_id="X")
    clients[1].merchant_fulfillment.get_shipment(shipment_id="X")
    for client in clients:
        client.close()
    assert len(sent) == 11
    assert all(sleep <= 0.02 for sleep in timers[0].sleeps)  # the burst (its arrival slack)
    # One interval (with the store's margins), less the time the ten calls took.
    assert len(timers[1].sleeps) == 1 and 0.05 < timers[1].sleeps[0] <= 0.2 * 1.02 + 0.02


def test_the_async_client_shares_the_same_buckets(redis_server: RedisServer, seller: str) -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=GET_SHIPMENT_OK)

    store = RedisThrottleStore(redis_server.url)
    sync = MWS(
        access_key="AK",
        secret_key="SK",
        seller_id=seller,
        transport=httpx.MockTransport(answer),
        throttle_store=store,
    )
    for _ in range(10):
        sync.merchant_fulfillment.get_shipment(shipment_id="X")
    sync.close()

    async def run() -> list[float]:
        sleeps: list[float] = []

        class Recorder(Timer):
            async def _sleep(self, seconds: float) -> None:
                sleeps.append(seconds)

            def async_sleep(self, seconds: float) -> asyncio.Future[None]:
                return asyncio.ensure_future(self._sleep(seconds))

        async with AsyncMWS(
            access_key="AK",
            secret_key="SK",
            seller_id=seller,
            transport=httpx.MockTransport(answer),
            throttle_store=store,
            timer=Recorder(),
        ) as client:
            await client.merchant_fulfillment.get_shipment(shipment_id="X")
        await store.aclose()
        return sleeps

    sleeps = asyncio.run(run())
    assert len(sleeps) == 1 and 0.05 < sleeps[0] <= 0.2 * 1.02 + 0.02


# --- When Redis fails ------------------------------------------------------------------------


def test_local_policy_falls_back_at_once_and_logs_once_per_outage(
    own_redis_server: RedisServer, seller: str, caplog: pytest.LogCaptureFixture
) -> None:
    store = RedisThrottleStore(own_redis_server.url, rate_margin=0, arrival_slack=0)
    bucket = store.get(key(seller), SPEC)
    now = time.monotonic()  # the client timer's time, which the local bucket runs on
    assert bucket.apply(Reserve(1.0, True), now) == (0.0, "")
    own_redis_server.stop()
    caplog.set_level(logging.WARNING, logger="mwskit")
    started = time.monotonic()
    answers = [bucket.apply(Reserve(1.0, True), now) for _ in range(3)]
    assert time.monotonic() - started < 1.0
    # The process's own bucket (full: it was never used) takes over.
    assert answers[:2] == [(0.0, ""), (0.0, "")]
    assert answers[2][0] == pytest.approx(60.0, abs=0.01)
    outages = [r.getMessage() for r in caplog.records if "unreachable" in r.getMessage()]
    assert outages == [
        f"throttle store 127.0.0.1:{own_redis_server.port} unreachable (ConnectionError): "
        "using each process's own buckets until it answers"
    ]
    own_redis_server.start()
    time.sleep(1.05)  # RETRY_SECONDS: Redis is tried again
    # The shared bucket again (a restarted Redis, empty: full buckets): what this process
    # spends, another sees.
    assert bucket.apply(Reserve(2.0, True), now) == (0.0, "")
    other = RedisThrottleStore(own_redis_server.url, rate_margin=0, arrival_slack=0)
    assert other.get(key(seller), SPEC).apply(Reserve(1.0, False), now)[0] > 59.0
    other.close()
    assert [r.getMessage() for r in caplog.records][-1] == (
        f"throttle store 127.0.0.1:{own_redis_server.port} answers again: buckets shared"
    )
    store.close()


def test_raise_policy_refuses_before_sending(own_redis_server: RedisServer, seller: str) -> None:
    sent: list[httpx.Request] = []
    store = RedisThrottleStore(own_redis_server.url, on_store_error="raise")
    mws = MWS(
        access_key="AK",
        secret_key="SK",
        seller_id=seller,
        transport=httpx.MockTransport(
            lambda request: sent.append(request) or httpx.Response(200, content=GET_SHIPMENT_OK)
        ),
        throttle_store=store,
    )
    mws.merchant_fulfillment.get_shipment(shipment_id="X")
    own_redis_server.stop()
    started = time.monotonic()
    with pytest.raises(ThrottleStoreError) as caught:
        mws.merchant_fulfillment.get_shipment(shipment_id="X")
    assert time.monotonic() - started < 1.0
    assert len(sent) == 1
    assert str(caught.value) == (
        f"ThrottleStoreError: the throttle store 127.0.0.1:{own_redis_server.port} did not "
        "answer within 0.25 s (ConnectionError); nothing was sent"
    )
    assert isinstance(caught.value, mwskit.MWSError)
    mws.close()
    store.close()


def test_a_silent_redis_times_out_instead_of_hanging(seller: str) -> None:
    """A server that accepts connections and never answers: every call falls back within the
    store's timeout."""
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", free_port()))
        silent.listen(8)
        port = silent.getsockname()[1]
        store = RedisThrottleStore(f"redis://127.0.0.1:{port}/0", timeout=0.1)
        bucket = store.get(key(seller), SPEC)
        started = time.monotonic()
        assert bucket.apply(Reserve(1.0, True), started) == (0.0, "")
        assert time.monotonic() - started < 0.5
        store.close()


def test_a_password_in_the_url_is_never_shown(redis_server: RedisServer) -> None:
    url = "redis://:hunter2-redis-secret@127.0.0.1:6390/0"
    store = RedisThrottleStore(url)
    assert repr(store) == "RedisThrottleStore('127.0.0.1:6390', prefix='mwskit')"
    mws = MWS(access_key="AK", secret_key="SK", seller_id="S", throttle_store=url)
    assert "hunter2" not in repr(mws) + repr(mws._session.config)
    mws.close()
    with pytest.raises(ValueError) as caught:
        RedisThrottleStore("http://:hunter2-redis-secret@host/")
    assert str(caught.value) == "url must be a redis://, rediss:// or unix:// URL"


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (
            {"on_store_error": "retry"},
            "on_store_error must be one of 'local', 'raise'; got 'retry'",
        ),
        ({"timeout": 0}, "timeout must be a positive number of seconds; got 0"),
        ({"prefix": ""}, "prefix must be a non-empty string; got ''"),
        ({"rate_margin": 2}, "rate_margin must be a number from 0 to 1; got 2"),
        ({"arrival_slack": -1}, "arrival_slack must be a number of seconds from 0 to 1; got -1"),
    ],
)
def test_bad_options_are_refused(options: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError) as caught:
        RedisThrottleStore("redis://127.0.0.1:6390/0", **options)  # type: ignore[arg-type]
    assert str(caught.value) == message


def test_a_throttle_store_that_is_not_one_is_refused() -> None:
    with pytest.raises(ValueError) as caught:
        MWS(access_key="AK", secret_key="SK", seller_id="S", throttle_store=42)  # type: ignore[arg-type]
    assert str(caught.value) == (
        "throttle_store must be a redis:// URL, a ThrottleStore (e.g. RedisThrottleStore) or "
        "None; got int"
    )


GET_SHIPMENT_OK = (
    b'<GetShipmentResponse xmlns="https://mws.amazonservices.com/MerchantFulfillment/2015-06-01/">'
    b"<GetShipmentResult><Shipment><ShipmentId>X</ShipmentId></Shipment></GetShipmentResult>"
    b"<ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></GetShipmentResponse>"
)


def test_the_planner_reads_the_shared_bucket(redis_server: RedisServer, seller: str) -> None:
    """What one process spent, another's plan starts from."""

    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=GET_SHIPMENT_OK)

    spender, planner = (
        MWS(
            access_key="AK",
            secret_key="SK",
            seller_id=seller,
            transport=httpx.MockTransport(answer),
            throttle_store=redis_server.url,
        )
        for _ in range(2)
    )
    before = planner.merchant_fulfillment.plan("get_shipment", calls=10)
    for _ in range(10):
        spender.merchant_fulfillment.get_shipment(shipment_id="X")
    after = planner.merchant_fulfillment.plan("get_shipment", calls=10)
    spender.close()
    planner.close()
    assert (before.full_bucket, before.seconds) == (True, 0.0)
    assert after.full_bucket is False
    assert 1.5 < after.seconds <= 10 * 0.2 * 1.02 + 0.02  # ten intervals to restore, less a few
