"""Throttling, retries, safe retries, clock skew and pagination, on a fake clock (no real sleeps).

Every client here gets a FakeTimer: sleeping only moves its clock forward, so a test of a
60-second restore rate runs in microseconds, and the waits the client chose are recorded.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs

import httpx
import pytest

import mwskit
from mwskit import MWS, AsyncMWS, Event, OutcomeUnknown, RetryPolicy, ThrottleWouldWait
from mwskit.errors import InternalError, QuotaExceeded, RequestExpired, RequestThrottled

NOW = datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)
SECRET = "wJalrXUtnFEMI-CALLS-SECRET-5a4b3c"
TOKEN = "amzn.mws.CALLS-TOKEN-77aa88bb"
ORDERS_NS = "https://mws.amazonservices.com/Orders/2013-09-01"
MARKETPLACE = ["ATVPDKIKX0DER"]


class FakeTimer(mwskit.Timer):
    """Monotonic time that only moves when the client sleeps."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds

    async def _async_sleep(self, seconds: float) -> None:
        self.sleep(seconds)

    def async_sleep(self, seconds: float) -> Any:
        return self._async_sleep(seconds)


def xml_response(status: int, body: str, **headers: str) -> httpx.Response:
    return httpx.Response(status, content=body.encode(), headers=headers)


def error_xml(code: str, message: str = "nope", kind: str = "Sender") -> str:
    return (
        f'<ErrorResponse xmlns="{ORDERS_NS}"><Error><Type>{kind}</Type><Code>{code}</Code>'
        f"<Message>{message}</Message></Error><RequestID>req-{code}</RequestID></ErrorResponse>"
    )


def status_ok() -> str:
    return (
        f'<GetServiceStatusResponse xmlns="{ORDERS_NS}"><GetServiceStatusResult>'
        "<Status>GREEN</Status></GetServiceStatusResult>"
        "<ResponseMetadata><RequestId>ok</RequestId></ResponseMetadata></GetServiceStatusResponse>"
    )


def orders_page(action: str, ids: list[str], token: str | None) -> str:
    orders = "".join(f"<Order><AmazonOrderId>{i}</AmazonOrderId></Order>" for i in ids)
    next_token = f"<NextToken>{token}</NextToken>" if token else ""
    return (
        f'<{action}Response xmlns="{ORDERS_NS}"><{action}Result>{next_token}'
        f"<Orders>{orders}</Orders></{action}Result>"
        f"<ResponseMetadata><RequestId>rid-{action}</RequestId></ResponseMetadata></{action}Response>"
    )


class Script:
    """A transport answering from a list, recording each request and the fake time it came."""

    def __init__(self, timer: FakeTimer, answers: list[Any]) -> None:
        self.timer = timer
        self.answers = list(answers)
        self.requests: list[httpx.Request] = []
        self.times: list[float] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        self.times.append(self.timer.now)
        answer = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        if isinstance(answer, Exception):
            raise answer
        if callable(answer):
            return answer(request)
        assert isinstance(answer, httpx.Response)
        return answer

    def params(self, index: int) -> dict[str, str]:
        request = self.requests[index]
        text = request.content.decode() or request.url.query.decode()
        return {key: values[0] for key, values in parse_qs(text).items()}


_seller_counter = iter(range(1_000_000))


def make(
    timer: FakeTimer,
    script: Script,
    *,
    seller_id: str | None = None,
    events: list[Event] | None = None,
    **options: Any,
) -> MWS:
    return MWS(
        access_key="AKIAEXAMPLEACCESSKEY",
        secret_key=SECRET,
        seller_id=seller_id or f"SELLER{next(_seller_counter)}",
        auth_token=TOKEN,
        transport=httpx.MockTransport(script),
        clock=lambda: NOW,
        timer=timer,
        on_event=events.append if events is not None else None,
        **options,
    )


def make_async(
    timer: FakeTimer, script: Script, *, seller_id: str | None = None, **options: Any
) -> AsyncMWS:
    return AsyncMWS(
        access_key="AKIAEXAMPLEACCESSKEY",
        secret_key=SECRET,
        seller_id=seller_id or f"SELLER{next(_seller_counter)}",
        auth_token=TOKEN,
        transport=httpx.MockTransport(script),
        clock=lambda: NOW,
        timer=timer,
        **options,
    )


# --- retries ------------------------------------------------------------------------------


def test_throttled_then_success_drains_the_bucket_and_backs_off() -> None:
    timer = FakeTimer()
    script = Script(
        timer, [xml_response(503, error_xml("RequestThrottled")), xml_response(200, status_ok())]
    )
    events: list[Event] = []
    mws = make(timer, script, events=events, retries=RetryPolicy(base_delay=2.0))
    result = mws.orders.get_service_status()
    assert result.status == "GREEN"
    assert len(script.requests) == 2
    # The backoff (full jitter, at most base_delay) and then the drained bucket's restore
    # time: GetServiceStatus regains one request every 5 minutes.
    assert [event.kind for event in events] == ["retry", "throttle"]
    assert events[0].reason == "HTTP 503 RequestThrottled"
    assert events[0].request_id == "req-RequestThrottled"
    assert 0.0 <= timer.sleeps[0] <= 2.0
    assert sum(timer.sleeps) == pytest.approx(300.0)


def test_server_errors_then_success_for_an_idempotent_action() -> None:
    timer = FakeTimer()
    script = Script(
        timer,
        [
            xml_response(500, error_xml("InternalError", kind="Receiver")),
            httpx.Response(502, content=b"<html>Bad Gateway</html>"),
            xml_response(200, status_ok()),
        ],
    )
    events: list[Event] = []
    mws = make(timer, script, events=events, throttle="off")
    assert mws.orders.get_service_status().status == "GREEN"
    assert len(script.requests) == 3
    assert [event.reason for event in events] == ["HTTP 500 InternalError", "HTTP 502"]
    assert [event.attempt for event in events] == [1, 2]
    # Full jitter within base_delay * 2 ** (attempt - 1).
    assert 0.0 <= timer.sleeps[0] <= 0.5 and 0.0 <= timer.sleeps[1] <= 1.0


def test_retry_budget_of_attempts_is_exhausted() -> None:
    timer = FakeTimer()
    script = Script(timer, [xml_response(503, error_xml("RequestThrottled", "slow down"))])
    mws = make(timer, script, throttle="off", retries=RetryPolicy(max_attempts=3))
    with pytest.raises(RequestThrottled) as caught:
        mws.orders.get_service_status()
    assert len(script.requests) == 3
    assert (
        str(caught.value)
        == "RequestThrottled: slow down (HTTP 503, request id req-RequestThrottled)"
    )


def test_retry_budget_of_time_is_exhausted() -> None:
    timer = FakeTimer()
    script = Script(timer, [xml_response(500, error_xml("InternalError"))])
    policy = RetryPolicy(max_attempts=50, base_delay=10.0, max_delay=10.0, max_total=25.0)
    mws = make(timer, script, throttle="off", retries=policy)
    with pytest.raises(InternalError):
        mws.orders.get_service_status()
    assert sum(timer.sleeps) <= 25.0
    assert 2 <= len(script.requests) < 50


def test_connection_refused_is_retried_even_for_an_unsafe_action() -> None:
    timer = FakeTimer()
    feed_ok = (
        '<SubmitFeedResponse xmlns="http://mws.amazonaws.com/doc/2009-01-01/"><SubmitFeedResult>'
        "<FeedSubmissionInfo><FeedSubmissionId>50001</FeedSubmissionId></FeedSubmissionInfo>"
        "</SubmitFeedResult></SubmitFeedResponse>"
    )
    script = Script(timer, [httpx.ConnectError("refused"), xml_response(200, feed_ok)])
    mws = make(timer, script, throttle="off")
    result = mws.feeds.submit_feed(feed_type="_POST_PRODUCT_DATA_", feed_content=b"<x/>")
    assert result.feed_submission_info is not None
    assert result.feed_submission_info.feed_submission_id == "50001"
    assert len(script.requests) == 2


@pytest.mark.parametrize(
    "failure",
    [httpx.ReadTimeout("late"), httpx.RemoteProtocolError("reset"), httpx.WriteError("broken")],
    ids=["read timeout", "reset", "write error"],
)
def test_unsafe_action_is_not_sent_again_after_it_may_have_arrived(failure: Exception) -> None:
    timer = FakeTimer()
    script = Script(timer, [failure])
    mws = make(timer, script, throttle="off")
    with pytest.raises(OutcomeUnknown) as caught:
        mws.feeds.submit_feed(feed_type="_POST_PRODUCT_DATA_", feed_content=b"<x/>")
    assert len(script.requests) == 1
    assert str(caught.value) == (
        f"OutcomeUnknown: SubmitFeed failed after its request may have reached MWS "
        f"({type(failure).__name__}); it is not sent again because it is not safe to repeat: "
        "check whether it took effect (e.g. with the matching list action) before retrying"
    )
    assert isinstance(caught.value, mwskit.MWSError)


def test_unsafe_action_after_a_gateway_timeout_is_outcome_unknown() -> None:
    timer = FakeTimer()
    script = Script(timer, [httpx.Response(504, content=b"Gateway Timeout")])
    mws = make(timer, script, throttle="off")
    with pytest.raises(OutcomeUnknown) as caught:
        mws.reports.request_report(report_type="_GET_FLAT_FILE_OPEN_LISTINGS_DATA_")
    assert caught.value.status_code == 504
    assert len(script.requests) == 1


def test_unsafe_action_is_retried_after_a_throttled_answer() -> None:
    """RequestThrottled means the service refused the request: sending it again is safe."""
    timer = FakeTimer()
    ok = (
        '<RequestReportResponse xmlns="http://mws.amazonaws.com/doc/2009-01-01/">'
        "<RequestReportResult><ReportRequestInfo><ReportRequestId>7</ReportRequestId>"
        "</ReportRequestInfo></RequestReportResult></RequestReportResponse>"
    )
    script = Script(
        timer, [xml_response(503, error_xml("RequestThrottled")), xml_response(200, ok)]
    )
    mws = make(timer, script, throttle="off")
    result = mws.reports.request_report(report_type="_GET_FLAT_FILE_OPEN_LISTINGS_DATA_")
    assert result.report_request_info is not None
    assert result.report_request_info.report_request_id == "7"
    assert len(script.requests) == 2


def test_read_timeout_is_retried_for_an_idempotent_action() -> None:
    timer = FakeTimer()
    script = Script(timer, [httpx.ReadTimeout("late"), xml_response(200, status_ok())])
    mws = make(timer, script, throttle="off")
    assert mws.orders.get_service_status().status == "GREEN"
    assert len(script.requests) == 2


def test_client_errors_are_not_retried() -> None:
    timer = FakeTimer()
    script = Script(timer, [xml_response(400, error_xml("InvalidParameterValue", "bad id"))])
    mws = make(timer, script, throttle="off")
    with pytest.raises(mwskit.errors.InvalidParameterValue):
        mws.orders.get_order(amazon_order_id=["902-3159896-1390916"])
    assert len(script.requests) == 1
    assert timer.sleeps == []


def test_retry_policy_refuses_nonsense() -> None:
    with pytest.raises(ValueError) as caught:
        RetryPolicy(max_attempts=0)
    assert str(caught.value) == "max_attempts must be an integer of at least 1; got 0"
    with pytest.raises(ValueError) as caught:
        RetryPolicy(max_attempts="3")  # type: ignore[arg-type]
    assert str(caught.value) == "max_attempts must be an integer of at least 1; got '3'"
    with pytest.raises(ValueError) as caught:
        RetryPolicy(base_delay=-1)
    assert str(caught.value) == "base_delay must be a number of seconds, 0 or more; got -1"
    with pytest.raises(ValueError) as caught:
        RetryPolicy(max_total=float("nan"))
    assert str(caught.value) == "max_total must be a number of seconds, 0 or more; got nan"


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
        "<SubmitFeedResult/></SubmitFeedResponse>"
    )
    script = Script(timer, [xml_response(200, ok)])
    mws = make(timer, script)
    for _ in range(31):
        mws.feeds.submit_feed(feed_type="_POST_PRODUCT_DATA_", feed_content=b"<x/>")
    offsets = [time - script.times[0] for time in script.times]
    assert offsets[:15] == [0.0] * 15
    assert offsets[29] == pytest.approx(15 * 120.0)
    assert offsets[30] == pytest.approx(3600.0)  # the 31st waits for the next hour


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


# --- clock skew -----------------------------------------------------------------------------


def test_request_expired_corrects_the_clock_and_signs_again() -> None:
    timer = FakeTimer()
    server_now = NOW + timedelta(hours=2)
    script = Script(
        timer,
        [
            xml_response(
                400,
                error_xml("RequestExpired", "too old"),
                **{"x-mws-timestamp": server_now.isoformat()},
            ),
            xml_response(200, status_ok()),
        ],
    )
    events: list[Event] = []
    mws = make(timer, script, events=events, throttle="off")
    assert mws.orders.get_service_status().status == "GREEN"
    assert script.params(0)["Timestamp"] == "2024-01-02T03:04:05Z"
    assert script.params(1)["Timestamp"] == "2024-01-02T05:04:05Z"
    assert [event.kind for event in events] == ["clock_skew"]
    assert events[0].reason == "local clock off by +7200.0 s; corrected, re-signing"
    # Later calls keep the correction.
    mws.orders.get_service_status()
    assert script.params(2)["Timestamp"] == "2024-01-02T05:04:05Z"


def test_request_expired_twice_is_raised() -> None:
    timer = FakeTimer()
    expired = xml_response(
        400, error_xml("RequestExpired", "too old"), **{"x-mws-timestamp": NOW.isoformat()}
    )
    script = Script(timer, [expired])
    mws = make(timer, script, throttle="off")
    with pytest.raises(RequestExpired):
        mws.orders.get_service_status()
    assert len(script.requests) == 2


def test_a_drifting_server_clock_is_noticed_on_success() -> None:
    timer = FakeTimer()
    ahead = (NOW - timedelta(minutes=3)).isoformat()
    script = Script(timer, [xml_response(200, status_ok(), **{"x-mws-timestamp": ahead})])
    events: list[Event] = []
    mws = make(timer, script, events=events, throttle="off")
    mws.orders.get_service_status()
    mws.orders.get_service_status()
    assert script.params(1)["Timestamp"] == "2024-01-02T03:01:05Z"
    assert [event.reason for event in events] == ["server clock -180.0 s from ours"]


# --- pagination -----------------------------------------------------------------------------


def pages() -> list[httpx.Response]:
    return [
        xml_response(200, orders_page("ListOrders", ["A1", "A2"], "token-1")),
        xml_response(200, orders_page("ListOrdersByNextToken", ["B1"], "token-2")),
        xml_response(200, orders_page("ListOrdersByNextToken", ["C1", "C2"], None)),
    ]


def test_iterator_follows_next_tokens_to_the_last_page() -> None:
    timer = FakeTimer()
    script = Script(timer, pages())
    mws = make(timer, script, throttle="off")
    seen = [
        [order.amazon_order_id for order in page.orders]
        for page in mws.orders.iter_list_orders(marketplace_id=MARKETPLACE, created_after=NOW)
    ]
    assert seen == [["A1", "A2"], ["B1"], ["C1", "C2"]]
    assert [script.params(i)["Action"] for i in range(3)] == [
        "ListOrders",
        "ListOrdersByNextToken",
        "ListOrdersByNextToken",
    ]
    assert script.params(1)["NextToken"] == "token-1"
    assert script.params(2)["NextToken"] == "token-2"
    assert "MarketplaceId.Id.1" not in script.params(1)


def test_iterator_stops_early_without_more_requests() -> None:
    timer = FakeTimer()
    script = Script(timer, pages())
    mws = make(timer, script, throttle="off")
    for page in mws.orders.iter_list_orders(marketplace_id=MARKETPLACE, created_after=NOW):
        assert page.next_token == "token-1"
        break
    assert len(script.requests) == 1


def test_iterator_stops_on_has_next_false() -> None:
    timer = FakeTimer()
    body = (
        '<GetReportListResponse xmlns="http://mws.amazonaws.com/doc/2009-01-01/">'
        "<GetReportListResult><NextToken>none</NextToken><HasNext>false</HasNext>"
        "</GetReportListResult></GetReportListResponse>"
    )
    script = Script(timer, [xml_response(200, body)])
    mws = make(timer, script, throttle="off")
    assert len(list(mws.reports.iter_get_report_list())) == 1
    assert len(script.requests) == 1


def test_async_iterator_and_retry() -> None:
    timer = FakeTimer()
    script = Script(timer, [xml_response(503, error_xml("RequestThrottled")), *pages()])

    async def main() -> list[list[str]]:
        async with make_async(timer, script, throttle="off") as mws:
            return [
                [order.amazon_order_id for order in page.orders]
                async for page in mws.orders.iter_list_orders(
                    marketplace_id=MARKETPLACE, created_after=NOW
                )
            ]

    assert asyncio.run(main()) == [["A1", "A2"], ["B1"], ["C1", "C2"]]
    assert len(script.requests) == 4
    assert len(timer.sleeps) == 1


def test_generator_arguments_survive_a_retry() -> None:
    timer = FakeTimer()
    script = Script(
        timer,
        [
            xml_response(500, error_xml("InternalError")),
            xml_response(200, orders_page("GetOrder", [], None)),
        ],
    )
    mws = make(timer, script, throttle="off")
    mws.orders.get_order(amazon_order_id=(i for i in ["902-3159896-1390916"]))
    assert script.params(0)["AmazonOrderId.Id.1"] == "902-3159896-1390916"
    assert script.params(1)["AmazonOrderId.Id.1"] == "902-3159896-1390916"


# --- logging and secrets --------------------------------------------------------------------


def test_decisions_are_logged_to_the_mwskit_logger(caplog: pytest.LogCaptureFixture) -> None:
    timer = FakeTimer()
    script = Script(
        timer, [xml_response(503, error_xml("RequestThrottled")), xml_response(200, status_ok())]
    )
    mws = make(timer, script, throttle="off", retries=RetryPolicy(base_delay=0.0))
    with caplog.at_level(logging.INFO, logger="mwskit"):
        mws.orders.get_service_status()
    assert [record.getMessage() for record in caplog.records if record.name == "mwskit"] == [
        "GetServiceStatus: retry, HTTP 503 RequestThrottled "
        "(attempt 1, wait 0.000 s, request id req-RequestThrottled)"
    ]


def _every_scenario(timer: FakeTimer) -> list[str]:
    """Run calls that succeed, retry, fail and throttle; return every text they produce."""
    texts: list[str] = []
    feed_ok = (
        '<SubmitFeedResponse xmlns="http://mws.amazonaws.com/doc/2009-01-01/">'
        "<SubmitFeedResult/></SubmitFeedResponse>"
    )
    answers: list[Any] = [
        xml_response(503, error_xml("RequestThrottled")),
        xml_response(200, status_ok()),
        xml_response(400, error_xml("SignatureDoesNotMatch")),
        xml_response(200, feed_ok),
        httpx.ReadTimeout("late"),
        xml_response(400, error_xml("RequestExpired"), **{"x-mws-timestamp": NOW.isoformat()}),
        xml_response(200, status_ok()),
        xml_response(200, "<not xml"),
    ]
    script = Script(timer, answers)
    mws = make(timer, script, throttle="raise")
    texts.append(repr(mws))
    texts.append(repr(mws._session.config))
    calls: list[Callable[[], Any]] = [
        lambda: mws.orders.get_service_status(),
        lambda: mws.orders.get_service_status(),
        lambda: mws.feeds.submit_feed(feed_type="_POST_PRODUCT_DATA_", feed_content=b"<x/>"),
        lambda: mws.feeds.submit_feed(feed_type="_POST_PRODUCT_DATA_", feed_content=b"<x/>"),
        lambda: mws.orders.get_service_status(),
        lambda: mws.orders.get_service_status(),
        lambda: mws.orders.get_service_status(),
    ]
    for call in calls:
        try:
            texts.append(repr(call()))
        except Exception as error:  # every failure's message and repr
            texts += [str(error), repr(error)]
    return texts


def test_secrets_appear_in_no_output(
    caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture[str]
) -> None:
    timer = FakeTimer()
    with caplog.at_level(logging.DEBUG):
        texts = _every_scenario(timer)
    captured = capsys.readouterr()
    everything = "\n".join(
        [*texts, caplog.text, captured.out, captured.err]
        + [record.getMessage() for record in caplog.records]
    )
    assert "SubmitFeed" in everything and "GetServiceStatus" in everything
    assert SECRET not in everything
    assert TOKEN not in everything


def test_httpx_request_log_lines_are_redacted(caplog: pytest.LogCaptureFixture) -> None:
    timer = FakeTimer()
    feed_ok = (
        '<SubmitFeedResponse xmlns="http://mws.amazonaws.com/doc/2009-01-01/">'
        "<SubmitFeedResult/></SubmitFeedResponse>"
    )
    script = Script(timer, [xml_response(200, feed_ok)])
    mws = make(timer, script, throttle="off")
    with caplog.at_level(logging.DEBUG):
        mws.feeds.submit_feed(feed_type="_POST_PRODUCT_DATA_", feed_content=b"<x/>")
    lines = [record.getMessage() for record in caplog.records if record.name == "httpx"]
    assert lines and all("MWSAuthToken=[redacted]" in line for line in lines), lines
    assert all("Signature=[redacted]" in line for line in lines)
    assert TOKEN not in caplog.text


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


def test_a_redirect_is_an_error_not_a_document(tmp_path: Any) -> None:
    timer = FakeTimer()
    target = tmp_path / "report.txt"
    target.write_bytes(b"yesterday's report")
    script = Script(
        timer, [httpx.Response(302, content=b"<html>moved</html>", headers={"location": "/x"})]
    )
    mws = make(timer, script, throttle="off")
    with pytest.raises(mwskit.MWSError) as caught:
        mws.reports.get_report(report_id="1")
    assert caught.value.status_code == 302
    assert str(caught.value) == (
        "MWSError: unexpected error body <html>: '<html>moved</html>' (HTTP 302)"
    )


def test_an_undecodable_body_is_a_response_parse_error() -> None:
    timer = FakeTimer()
    script = Script(
        timer,
        [
            lambda request: httpx.Response(
                200,
                stream=httpx.ByteStream(b"not gzip at all"),
                headers={"content-encoding": "gzip"},
            )
        ],
    )
    mws = make(timer, script, throttle="off")
    with pytest.raises(mwskit.ResponseParseError) as caught:
        mws.orders.get_service_status()
    assert str(caught.value).startswith(
        "ResponseParseError: GetServiceStatus: the response body could not be decoded (DecodingError"
    )


def test_endpoint_with_user_info_is_refused_without_echoing_it() -> None:
    with pytest.raises(ValueError) as caught:
        MWS(
            access_key="AK",
            secret_key="SK",
            seller_id="S",
            endpoint="https://user:hunter2@example.com",
        )
    assert str(caught.value) == ("endpoint must be a base URL without query, fragment or user info")


def test_an_oversized_answer_is_refused(monkeypatch: Any) -> None:
    from mwskit._runtime import client as runtime_client

    monkeypatch.setattr(runtime_client, "MAX_RESPONSE_BYTES", 1000)
    timer = FakeTimer()
    script = Script(
        timer, [lambda request: httpx.Response(200, stream=httpx.ByteStream(b"x" * 40000))]
    )
    mws = make(timer, script, throttle="off")
    with pytest.raises(mwskit.ResponseParseError) as caught:
        mws.orders.get_service_status()
    assert str(caught.value) == (
        "ResponseParseError: GetServiceStatus: the response body exceeds 1000 bytes; refused"
    )
    declared = Script(
        timer,
        [lambda request: httpx.Response(200, content=b"<a/>", headers={"content-length": "5000"})],
    )
    with pytest.raises(mwskit.ResponseParseError):
        make(timer, declared, throttle="off").orders.get_service_status()


def test_unknown_tags_are_remembered_only_up_to_a_bound() -> None:
    from mwskit._runtime.results import _MAX_REMEMBERED_TAGS
    from mwskit.orders import _operations as orders_ops

    shape = orders_ops.GET_SERVICE_STATUS.result_shape
    assert shape is not None
    timer = FakeTimer()
    noise = "".join(f"<Noise{i}/>" for i in range(3000))
    body = (
        f'<GetServiceStatusResponse xmlns="{ORDERS_NS}"><GetServiceStatusResult>'
        f"<Status>GREEN</Status>{noise}</GetServiceStatusResult></GetServiceStatusResponse>"
    )
    script = Script(timer, [xml_response(200, body)])
    assert make(timer, script, throttle="off").orders.get_service_status().status == "GREEN"
    assert len(shape.by_tag) <= _MAX_REMEMBERED_TAGS + len(shape.fields)
