"""Client-side throttling on a fake clock: shared buckets, per-item and hourly quotas, headers."""

from __future__ import annotations

import asyncio
import threading
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from runtime_helpers import NOW, FakeTimer
from runtime_helpers.scripted import (
    MARKETPLACE,
    Script,
    error_xml,
    make,
    make_async,
    orders_page,
    status_ok,
    xml_response,
)

from mwskit import Event, RetryPolicy, ThrottleWouldWait
from mwskit._runtime import throttle
from mwskit.errors import QuotaExceeded

# --- client-side throttling ------------------------------------------------------------------


def test_burst_of_30_calls_follows_the_documented_rate() -> None:
    """GetOrder: a bucket of 6 requests, one more every minute."""
    timer = FakeTimer()
    script = Script(timer, [xml_response(200, orders_page("GetOrder", ["1"], None))])
    mws = make(timer, script)
    for _ in range(30):
        mws.orders.get_order(amazon_order_id=["902-3159896-1390916"])
    start = script.times[0]
    offsets = [round(time - start, 6) for time in script.times]
    assert offsets == [0.0] * 6 + [60.0 * n for n in range(1, 25)]


def test_clients_of_the_same_seller_share_a_bucket() -> None:
    timer = FakeTimer()
    script = Script(timer, [xml_response(200, orders_page("GetOrder", ["1"], None))])
    first = make(timer, script, seller_id="SHARED-SELLER")
    second = make(timer, script, seller_id="SHARED-SELLER")
    other = make(timer, script, seller_id="OTHER-SELLER")
    for _ in range(3):
        first.orders.get_order(amazon_order_id=["1"])
        second.orders.get_order(amazon_order_id=["1"])
    assert timer.sleeps == []
    other.orders.get_order(amazon_order_id=["1"])  # its own full bucket
    assert timer.sleeps == []
    first.orders.get_order(amazon_order_id=["1"])  # the shared bucket is empty now
    assert timer.sleeps == [pytest.approx(60.0)]


def test_by_next_token_shares_its_parents_bucket() -> None:
    timer = FakeTimer()
    script = Script(timer, [xml_response(200, orders_page("ListOrdersByNextToken", ["1"], None))])
    mws = make(timer, script)
    for _ in range(6):
        mws.orders.list_orders_by_next_token(next_token="t")
    assert timer.sleeps == []
    script.answers = [xml_response(200, orders_page("ListOrders", ["1"], None))]
    mws.orders.list_orders(marketplace_id=MARKETPLACE, created_after=NOW)
    assert timer.sleeps == [pytest.approx(60.0)]


def test_items_count_against_per_item_quotas() -> None:
    """GetMatchingProductForId restores five items a second from a bucket of 20."""
    timer = FakeTimer()
    body = (
        '<GetMatchingProductForIdResponse xmlns="http://mws.amazonservices.com/schema/Products/2011-10-01">'
        '<GetMatchingProductForIdResult Id="1" IdType="ASIN" status="Success"/>'
        "</GetMatchingProductForIdResponse>"
    )
    script = Script(timer, [xml_response(200, body)])
    mws = make(timer, script)
    ids = ["B00000001", "B00000002", "B00000003", "B00000004", "B00000005"]
    for _ in range(4):  # 4 x 5 items empty the bucket
        mws.products.get_matching_product_for_id(
            marketplace_id="ATVPDKIKX0DER", id_type="ASIN", id_list=ids
        )
    assert timer.sleeps == []
    mws.products.get_matching_product_for_id(
        marketplace_id="ATVPDKIKX0DER", id_type="ASIN", id_list=ids[:2]
    )
    assert timer.sleeps == [pytest.approx(2 * 0.2)]


def test_throttle_raise_sends_nothing() -> None:
    timer = FakeTimer()
    script = Script(timer, [xml_response(200, orders_page("GetOrder", ["1"], None))])
    mws = make(timer, script, throttle="raise")
    for _ in range(6):
        mws.orders.get_order(amazon_order_id=["1"])
    with pytest.raises(ThrottleWouldWait) as caught:
        mws.orders.get_order(amazon_order_id=["1"])
    assert len(script.requests) == 6
    assert caught.value.retry_after == pytest.approx(60.0)
    assert str(caught.value) == (
        "ThrottleWouldWait: GetOrder would wait 60.000 s for its request quota "
        "(Orders GetOrder); nothing was sent"
    )
    timer.now += 60.0
    mws.orders.get_order(amazon_order_id=["1"])  # restored: goes at once
    assert len(script.requests) == 7


def test_throttle_off_never_waits() -> None:
    timer = FakeTimer()
    script = Script(timer, [xml_response(200, orders_page("GetOrder", ["1"], None))])
    mws = make(timer, script, throttle="off")
    for _ in range(20):
        mws.orders.get_order(amazon_order_id=["1"])
    assert timer.sleeps == []


def test_unknown_throttle_mode_is_refused() -> None:
    with pytest.raises(ValueError) as caught:
        make(FakeTimer(), Script(FakeTimer(), []), throttle="sometimes")
    assert str(caught.value) == "throttle must be one of 'wait', 'raise', 'off'; got 'sometimes'"


def test_hourly_quota_counted_locally() -> None:
    """SubmitFeed: 15 at once, one every 2 minutes, at most 30 an hour."""
    timer = FakeTimer()
    ok = (
        '<SubmitFeedResponse xmlns="http://mws.amazonaws.com/doc/2009-01-01/">'
        "<SubmitFeedResult><FeedSubmissionInfo><FeedSubmissionId>1</FeedSubmissionId></FeedSubmissionInfo></SubmitFeedResult></SubmitFeedResponse>"
    )
    script = Script(timer, [xml_response(200, ok)])
    mws = make(timer, script)
    for _ in range(31):
        mws.feeds.submit_feed(feed_type="_POST_PRODUCT_DATA_", feed_content=b"<x/>")
    offsets = [time - script.times[0] for time in script.times]
    assert offsets[:15] == [0.0] * 15
    assert offsets[29] == pytest.approx(15 * 120.0)
    # the 31st waits for the next hour, and a safety margin past the instant the quota restores
    assert offsets[30] == pytest.approx(3600.0 + throttle.HOURLY_QUOTA_MARGIN)


def test_hourly_quota_from_the_service_headers() -> None:
    timer = FakeTimer()
    server_now = NOW
    headers = {
        "x-mws-quota-max": "200",
        "x-mws-quota-remaining": "0",
        "x-mws-quota-resetsOn": (server_now + timedelta(minutes=10)).isoformat(),
        "x-mws-timestamp": server_now.isoformat(),
    }
    script = Script(timer, [xml_response(200, status_ok(), **headers)])
    mws = make(timer, script)
    first = mws.orders.get_service_status()
    assert (first.quota_max, first.quota_remaining) == (200, 0)
    assert first.quota_resets_on == server_now + timedelta(minutes=10)
    assert first.server_time == server_now
    mws.orders.get_service_status()
    assert timer.sleeps == [pytest.approx(600.0)]


def test_quota_exceeded_waits_for_the_reset_when_it_is_near() -> None:
    timer = FakeTimer()
    headers = {
        "x-mws-quota-resetsOn": (NOW + timedelta(seconds=90)).isoformat(),
        "x-mws-timestamp": NOW.isoformat(),
    }
    script = Script(
        timer,
        [xml_response(503, error_xml("QuotaExceeded"), **headers), xml_response(200, status_ok())],
    )
    events: list[Event] = []
    mws = make(timer, script, events=events, throttle="off")
    assert mws.orders.get_service_status().status == "GREEN"
    assert timer.sleeps == [pytest.approx(90.0)]
    assert [event.kind for event in events] == ["quota_wait"]


def test_quota_exceeded_raises_when_the_reset_is_far() -> None:
    timer = FakeTimer()
    headers = {
        "x-mws-quota-resetsOn": (NOW + timedelta(minutes=50)).isoformat(),
        "x-mws-timestamp": NOW.isoformat(),
    }
    script = Script(timer, [xml_response(503, error_xml("QuotaExceeded"), **headers)])
    mws = make(timer, script, throttle="off", retries=RetryPolicy(max_quota_wait=600))
    with pytest.raises(QuotaExceeded):
        mws.orders.get_service_status()
    assert len(script.requests) == 1


def test_buckets_are_thread_safe() -> None:
    """40 threads race for a bucket of 6 that never refills: exactly 6 get through."""
    timer = FakeTimer()
    script = Script(timer, [xml_response(200, orders_page("GetOrder", ["1"], None))])
    mws = make(timer, script, throttle="raise")
    outcomes: list[str] = []
    lock = threading.Lock()
    barrier = threading.Barrier(40)

    def worker() -> None:
        barrier.wait()
        try:
            mws.orders.get_order(amazon_order_id=["1"])
            result = "sent"
        except ThrottleWouldWait:
            result = "refused"
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=worker) for _ in range(40)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes).count("sent") == 6
    assert len(script.requests) == 6


def test_buckets_are_task_safe() -> None:
    timer = FakeTimer()
    script = Script(timer, [xml_response(200, orders_page("GetOrder", ["1"], None))])

    async def main() -> list[Any]:
        async with make_async(timer, script, throttle="raise") as mws:
            calls = [mws.orders.get_order(amazon_order_id=["1"]) for _ in range(40)]
            return await asyncio.gather(*calls, return_exceptions=True)

    results = asyncio.run(main())
    assert sum(isinstance(item, ThrottleWouldWait) for item in results) == 34
    assert len(script.requests) == 6


class FrozenTimer(FakeTimer):
    """Records sleeps without moving time, so concurrent tasks all decide at one instant."""

    async def _async_sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        await asyncio.sleep(0)


def test_waiting_tasks_queue_in_order() -> None:
    """Eight tasks at once on a bucket of 6: the 7th waits one restore, the 8th two."""
    timer = FrozenTimer()
    script = Script(timer, [xml_response(200, orders_page("GetOrder", ["1"], None))])

    async def main() -> None:
        async with make_async(timer, script) as mws:
            await asyncio.gather(*[mws.orders.get_order(amazon_order_id=["1"]) for _ in range(8)])

    asyncio.run(main())
    assert sorted(timer.sleeps) == [pytest.approx(60.0), pytest.approx(120.0)]


def test_quota_reset_header_as_an_http_date() -> None:
    """DG_Throttling shows x-mws-quota-resetsOn as an HTTP date; ISO times work too."""
    timer = FakeTimer()
    headers = {
        "x-mws-quota-max": "3600",
        "x-mws-quota-remaining": "0",
        "x-mws-quota-resetsOn": "Tue, 02 Jan 2024 03:14:05 GMT",
        "x-mws-timestamp": NOW.isoformat(),
    }
    script = Script(timer, [xml_response(200, status_ok(), **headers)])
    mws = make(timer, script)
    first = mws.orders.get_service_status()
    assert first.quota_resets_on == datetime(2024, 1, 2, 3, 14, 5, tzinfo=UTC)
    mws.orders.get_service_status()
    assert timer.sleeps == [pytest.approx(600.0)]


def test_a_far_quota_reset_header_cannot_stall_the_client_beyond_an_hour() -> None:
    timer = FakeTimer()
    headers = {
        "x-mws-quota-remaining": "0",
        "x-mws-quota-resetsOn": "2100-01-01T00:00:00Z",
        "x-mws-timestamp": NOW.isoformat(),
    }
    script = Script(timer, [xml_response(200, status_ok(), **headers)])
    mws = make(timer, script)
    mws.orders.get_service_status()
    mws.orders.get_service_status()
    assert timer.sleeps == [pytest.approx(3600.0)]


def test_non_finite_or_garbled_quota_headers_are_ignored() -> None:
    timer = FakeTimer()
    headers = {"x-mws-quota-max": "1e999", "x-mws-quota-remaining": "inf"}
    script = Script(timer, [xml_response(200, status_ok(), **headers)])
    result = make(timer, script).orders.get_service_status()
    assert (result.quota_max, result.quota_remaining) == (None, None)


def test_quota_exceeded_with_only_an_http_date_header() -> None:
    """A Date header with -0000 is naive in email.utils; the client must still compare it."""
    timer = FakeTimer()
    headers = {
        "date": "Tue, 02 Jan 2024 03:04:05 -0000",
        "x-mws-quota-resetsOn": "Tue, 02 Jan 2024 03:05:05 GMT",
    }
    script = Script(
        timer,
        [xml_response(503, error_xml("QuotaExceeded"), **headers), xml_response(200, status_ok())],
    )
    assert make(timer, script, throttle="off").orders.get_service_status().status == "GREEN"
    assert timer.sleeps == [pytest.approx(60.0)]
