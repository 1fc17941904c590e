"""The call engine under faults (issue 13): nothing sent twice, nothing lost, quotas that hold.

Every client here runs on a fake clock (sleeping only moves time), answered by an
httpx.MockTransport script, so the hour-long cases run in milliseconds. The thread case uses a
virtual clock that advances only when every thread is asleep, so the waits the client chose are
exactly the times its requests leave.
"""

from __future__ import annotations

import asyncio
import heapq
import logging
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

import mwskit
from mwskit import MWS, AsyncMWS, Event, OutcomeUnknown, ResponseParseError, RetryPolicy
from mwskit._runtime import calls as runtime_calls
from mwskit._runtime import throttle as runtime_throttle
from mwskit.errors import InternalError, InvalidParameterValue, QuotaExceeded

NOW = datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)
SECRET = "wJalrXUtnFEMI-FAULTS-SECRET-1f2e3d"
TOKEN = "amzn.mws.FAULTS-TOKEN-44cc55dd"
ORDERS_NS = "https://mws.amazonservices.com/Orders/2013-09-01"
FEEDS_NS = "http://mws.amazonaws.com/doc/2009-01-01/"
HOUR = 3600.0

FEED_OK = (
    f'<SubmitFeedResponse xmlns="{FEEDS_NS}"><SubmitFeedResult><FeedSubmissionInfo>'
    "<FeedSubmissionId>50001</FeedSubmissionId></FeedSubmissionInfo></SubmitFeedResult>"
    "<ResponseMetadata><RequestId>feed-ok</RequestId></ResponseMetadata></SubmitFeedResponse>"
)
REPORT_OK = (
    f'<RequestReportResponse xmlns="{FEEDS_NS}"><RequestReportResult><ReportRequestInfo>'
    "<ReportRequestId>7</ReportRequestId></ReportRequestInfo></RequestReportResult>"
    "</RequestReportResponse>"
)
STATUS_OK = (
    f'<GetServiceStatusResponse xmlns="{ORDERS_NS}"><GetServiceStatusResult>'
    "<Status>GREEN</Status></GetServiceStatusResult>"
    "<ResponseMetadata><RequestId>ok</RequestId></ResponseMetadata></GetServiceStatusResponse>"
)
GATEWAY_PAGE = b"upstream connect error or disconnect/reset before headers. reset reason: overflow"


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


class Script:
    """A transport answering from a list (the last answer repeats), recording each request."""

    def __init__(self, timer: Any, answers: list[Any]) -> None:
        self.timer = timer
        self.answers = list(answers)
        self.requests: list[httpx.Request] = []
        self.times: list[float] = []
        self.lock = threading.Lock()

    def __call__(self, request: httpx.Request) -> httpx.Response:
        with self.lock:
            self.requests.append(request)
            self.times.append(self.timer.monotonic())
            answer = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        if isinstance(answer, Exception):
            raise answer
        if callable(answer):
            return answer(request)
        assert isinstance(answer, httpx.Response)
        return answer


def xml(status: int, body: str | bytes, **headers: str) -> httpx.Response:
    content = body.encode() if isinstance(body, str) else body
    return httpx.Response(status, content=content, headers=headers)


def error_xml(code: str, message: str = "nope", kind: str = "Sender") -> str:
    return (
        f'<ErrorResponse xmlns="{FEEDS_NS}"><Error><Type>{kind}</Type><Code>{code}</Code>'
        f"<Message>{message}</Message></Error><RequestID>req-{code}</RequestID></ErrorResponse>"
    )


_sellers = iter(range(1_000_000))


def make(
    timer: mwskit.Timer,
    script: Script,
    *,
    events: list[Event] | None = None,
    seller_id: str | None = None,
    **options: Any,
) -> MWS:
    return MWS(
        access_key="AKIAEXAMPLEACCESSKEY",
        secret_key=SECRET,
        seller_id=seller_id or f"FAULTSELLER{next(_sellers)}",
        auth_token=TOKEN,
        transport=httpx.MockTransport(script),
        clock=lambda: NOW,
        timer=timer,
        on_event=events.append if events is not None else None,
        **options,
    )


def submit_feed(mws: MWS) -> Any:
    return mws.feeds.submit_feed(feed_type="_POST_PRODUCT_DATA_", feed_content=b"<x/>")


def request_report(mws: MWS) -> Any:
    return mws.reports.request_report(report_type="_GET_FLAT_FILE_OPEN_LISTINGS_DATA_")


UNSAFE: dict[str, tuple[Callable[[MWS], Any], str]] = {
    "SubmitFeed": (submit_feed, FEED_OK),
    "RequestReport": (request_report, REPORT_OK),
}


# --- 1. an answer that is not an MWS refusal, after an unsafe request's body left ----------


@pytest.mark.parametrize("action", sorted(UNSAFE))
@pytest.mark.parametrize(
    "answer",
    [
        xml(503, GATEWAY_PAGE),
        xml(503, b"<html><body>503 Service Temporarily Unavailable</html>"),
        xml(503, b'<?xml version="1.0"?><Unavailable/>'),
        xml(503, b""),
        xml(502, b"<html>Bad Gateway</html>"),
        xml(500, error_xml("InternalError", "We encountered an internal error", "Receiver")),
        xml(403, b"<html>Forbidden by the proxy</html>"),
    ],
    ids=["gateway text", "html", "other xml", "empty", "502", "mws 500", "proxy 403"],
)
def test_a_non_refusal_answer_to_an_unsafe_action_is_outcome_unknown(
    action: str, answer: httpx.Response
) -> None:
    call, _ = UNSAFE[action]
    timer = FakeTimer()
    script = Script(timer, [answer, xml(200, UNSAFE[action][1])])
    with pytest.raises(OutcomeUnknown) as caught:
        call(make(timer, script, throttle="off"))
    assert len(script.requests) == 1  # never sent again
    assert caught.value.status_code == answer.status_code
    assert isinstance(caught.value.__cause__, mwskit.MWSError)
    assert action in str(caught.value)


@pytest.mark.parametrize("action", sorted(UNSAFE))
@pytest.mark.parametrize("code", sorted(runtime_calls.REFUSAL_CODES))
def test_an_mws_refusal_of_an_unsafe_action_is_retried(action: str, code: str) -> None:
    call, ok = UNSAFE[action]
    timer = FakeTimer()
    headers = {
        "x-mws-timestamp": NOW.isoformat(),
        "x-mws-quota-resetsOn": (NOW + timedelta(seconds=30)).isoformat(),
    }
    script = Script(timer, [xml(503, error_xml(code), **headers), xml(200, ok)])
    assert call(make(timer, script, throttle="off")) is not None
    assert len(script.requests) == 2


def test_an_mws_client_error_for_an_unsafe_action_is_raised_as_is() -> None:
    timer = FakeTimer()
    script = Script(timer, [xml(400, error_xml("InvalidParameterValue", "bad feed type"))])
    with pytest.raises(InvalidParameterValue):
        submit_feed(make(timer, script, throttle="off"))
    assert len(script.requests) == 1


def test_refusal_codes_are_the_documented_503_refusals() -> None:
    """DG_Errors: QuotaExceeded and RequestThrottled (503); DG_Errors_Examples: 503
    ServiceUnavailable, "retry the request". Each has its own error class."""
    assert frozenset({"QuotaExceeded", "RequestThrottled", "ServiceUnavailable"}) == (
        runtime_calls.REFUSAL_CODES
    )
    for code in runtime_calls.REFUSAL_CODES:
        assert mwskit.errors.error_class_for(code).__name__ == code


@pytest.mark.parametrize(
    "answer",
    [
        xml(503, GATEWAY_PAGE),
        xml(502, b"<html>Bad Gateway</html>"),
        xml(500, error_xml("InternalError")),
    ],
    ids=["gateway text", "502", "mws 500"],
)
def test_an_idempotent_action_keeps_retrying_5xx(answer: httpx.Response) -> None:
    timer = FakeTimer()
    script = Script(timer, [answer, answer, xml(200, STATUS_OK)])
    assert make(timer, script, throttle="off").orders.get_service_status().status == "GREEN"
    assert len(script.requests) == 3


# --- 2. an unreadable 2xx ---------------------------------------------------------------


UNREADABLE = {
    "cut in half": FEED_OK[: len(FEED_OK) // 2],
    "malformed": FEED_OK.replace("</FeedSubmissionId>", "</FeedSubmissionID>"),
    "not xml": "OK",
}


@pytest.mark.parametrize("body", list(UNREADABLE.values()), ids=list(UNREADABLE))
@pytest.mark.parametrize("action", sorted(UNSAFE))
def test_an_unreadable_2xx_to_an_unsafe_action_is_outcome_unknown(action: str, body: str) -> None:
    call, ok = UNSAFE[action]
    timer = FakeTimer()
    script = Script(timer, [xml(200, body), xml(200, ok)])
    with pytest.raises(OutcomeUnknown) as caught:
        call(make(timer, script, throttle="off"))
    assert len(script.requests) == 1
    assert isinstance(caught.value.__cause__, ResponseParseError)
    assert caught.value.status_code == 200


def _gzip_lie(request: httpx.Request) -> httpx.Response:
    return httpx.Response(
        200, stream=httpx.ByteStream(b"not gzip at all"), headers={"content-encoding": "gzip"}
    )


# A body whose Content-Encoding cannot be decoded fails in the session (client.py), which hands
# the engine `Failed(ResponseParseError(...), maybe_sent=True)`: an answer arrived but cannot be
# read, so OutcomeUnknown when unsafe and retried when idempotent, like any unreadable 2xx.
def test_an_undecodable_2xx_to_an_unsafe_action_is_outcome_unknown() -> None:
    timer = FakeTimer()
    script = Script(timer, [_gzip_lie, xml(200, FEED_OK)])
    with pytest.raises(OutcomeUnknown) as caught:
        submit_feed(make(timer, script, throttle="off"))
    assert len(script.requests) == 1
    assert isinstance(caught.value.__cause__, ResponseParseError)


def test_an_undecodable_2xx_to_an_idempotent_action_is_retried() -> None:
    timer = FakeTimer()
    script = Script(timer, [_gzip_lie, xml(200, STATUS_OK)])
    mws = make(timer, script, throttle="off")
    assert mws.orders.get_service_status().status == "GREEN"
    assert len(script.requests) == 2


def test_an_unreadable_2xx_to_an_idempotent_action_is_retried() -> None:
    timer = FakeTimer()
    cut = STATUS_OK[:40]
    script = Script(
        timer, [xml(200, cut), xml(200, STATUS_OK.replace("</Status>", "")), xml(200, STATUS_OK)]
    )
    events: list[Event] = []
    mws = make(timer, script, throttle="off", events=events)
    assert mws.orders.get_service_status().status == "GREEN"
    assert len(script.requests) == 3
    assert [event.kind for event in events] == ["retry", "retry"]


def test_an_always_unreadable_2xx_to_an_idempotent_action_raises_after_the_retries() -> None:
    timer = FakeTimer()
    script = Script(timer, [xml(200, STATUS_OK[:40])])
    mws = make(timer, script, throttle="off", retries=RetryPolicy(max_attempts=3))
    with pytest.raises(ResponseParseError):
        mws.orders.get_service_status()
    assert len(script.requests) == 3


# --- 3. the client's own throttle wait is not retry time ----------------------------------


def test_a_throttled_submit_feed_is_retried_after_waiting_for_its_bucket() -> None:
    """SubmitFeed: 15 at once, then one per 120 s; RetryPolicy(max_total=120) is the default.
    The 16th waits 120 s for its bucket, is refused with RequestThrottled (the bucket is then
    drained: 120 s more), and must still be sent again."""
    timer = FakeTimer()
    script = Script(timer, [xml(200, FEED_OK)])
    mws = make(timer, script)
    for _ in range(15):
        submit_feed(mws)
    script.answers = [xml(503, error_xml("RequestThrottled")), xml(200, FEED_OK)]
    result = submit_feed(mws)
    assert result.feed_submission_info.feed_submission_id == "50001"
    assert len(script.requests) == 17
    assert script.times[16] - script.times[15] >= 120.0


def test_throttle_waits_are_outside_the_retry_budget_but_backoff_is_inside() -> None:
    """Each attempt waits 60 s for GetOrder's bucket; only the backoff counts against max_total."""
    timer = FakeTimer()
    page = (
        f'<GetOrderResponse xmlns="{ORDERS_NS}"><GetOrderResult><Orders/></GetOrderResult>'
        "</GetOrderResponse>"
    )
    script = Script(timer, [xml(200, page)])
    mws = make(
        timer,
        script,
        retries=RetryPolicy(max_attempts=50, base_delay=4.0, max_delay=4.0, max_total=10.0),
    )
    for _ in range(6):  # empty the bucket of 6
        mws.orders.get_order(amazon_order_id=["1"])
    script.answers = [xml(500, error_xml("InternalError", kind="Receiver"))]
    with pytest.raises(InternalError):
        mws.orders.get_order(amazon_order_id=["1"])
    attempts = len(script.requests) - 6
    # Backoffs of at most 4 s within 10 s: at least 3 attempts; and far from 50.
    assert 3 <= attempts < 50


def test_a_quota_wait_is_outside_the_retry_budget() -> None:
    timer = FakeTimer()
    headers = {
        "x-mws-timestamp": NOW.isoformat(),
        "x-mws-quota-resetsOn": (NOW + timedelta(seconds=200)).isoformat(),
    }
    script = Script(
        timer,
        [
            xml(503, error_xml("QuotaExceeded"), **headers),
            xml(503, error_xml("ServiceUnavailable", kind="Receiver")),
            xml(200, STATUS_OK),
        ],
    )
    mws = make(timer, script, throttle="off", retries=RetryPolicy(max_total=120.0))
    assert mws.orders.get_service_status().status == "GREEN"
    assert len(script.requests) == 3


# --- 4. the hourly quota is charged to the hour a request is sent in ------------------------


class VirtualClock(mwskit.Timer):
    """A clock for threads: time stands still while any thread runs and jumps to the next
    wake-up once every thread sleeps (or has finished)."""

    def __init__(self, threads: int) -> None:
        self.now = 1000.0
        self._running = threads
        self._sleepers: list[tuple[float, int, threading.Event]] = []
        self._order = 0
        self._lock = threading.Lock()

    def monotonic(self) -> float:
        with self._lock:
            return self.now

    def _advance(self) -> None:  # under the lock, when nobody runs
        if self._running == 0 and self._sleepers:
            wake, _, event = heapq.heappop(self._sleepers)
            self.now = max(self.now, wake)
            self._running += 1
            event.set()

    def sleep(self, seconds: float) -> None:
        event = threading.Event()
        with self._lock:
            heapq.heappush(self._sleepers, (self.now + seconds, self._order, event))
            self._order += 1
            self._running -= 1
            self._advance()
        assert event.wait(30), "virtual clock stalled"

    def finished(self) -> None:
        with self._lock:
            self._running -= 1
            self._advance()


def service_windows(times: list[float]) -> list[int]:
    """Requests per hourly window as MWS counts them (sandbox state.take): a window starts at
    the first request after the previous one ended and lasts an hour."""
    counts: list[int] = []
    start: float | None = None
    for time in sorted(times):
        if start is None or time - start >= HOUR:
            start = time
            counts.append(0)
        counts[-1] += 1
    return counts


def test_the_hourly_quota_holds_for_16_threads_on_a_fake_clock() -> None:
    """SubmitFeed allows 30 an hour (15 at once, one per 120 s): 16 threads send 6 each."""
    threads, each = 16, 6
    clock = VirtualClock(threads)
    script = Script(clock, [xml(200, FEED_OK)])
    mws = make(clock, script)
    failures: list[BaseException] = []

    def worker() -> None:
        try:
            for _ in range(each):
                submit_feed(mws)
        except BaseException as error:  # reported below
            failures.append(error)
        finally:
            clock.finished()

    workers = [threading.Thread(target=worker) for _ in range(threads)]
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join(60)
    assert not failures
    times = sorted(script.times)
    assert len(times) == threads * each
    assert max(service_windows(times)) <= 30
    margin = runtime_throttle.HOURLY_QUOTA_MARGIN
    assert 0.05 <= margin <= 0.1
    # Stronger: any 30 consecutive sends span more than an hour plus the margin, so no rolling
    # hour (even one shifted by the network's delay) sees 31.
    spans = [times[i] - times[i - 30] for i in range(30, len(times))]
    assert min(spans) >= HOUR + margin - 1e-9
    # ...and the quota is used: 96 sends need a little over three hours, not much more.
    assert times[-1] - times[0] < 3 * HOUR + 30 * 120.0


class VirtualTimeLoop(asyncio.SelectorEventLoop):
    """An event loop whose clock jumps to the next timer instead of waiting for it."""

    def __init__(self) -> None:
        super().__init__()
        self.virtual = 1000.0
        real_select = self._selector.select  # type: ignore[attr-defined]

        def select(timeout: float | None = None) -> Any:
            if timeout is not None and timeout > 0:
                self.virtual += timeout
            return real_select(0)

        self._selector.select = select  # type: ignore[attr-defined]

    def time(self) -> float:
        return self.virtual


class LoopTimer(mwskit.Timer):
    def __init__(self, loop: VirtualTimeLoop) -> None:
        self.loop = loop

    def monotonic(self) -> float:
        return self.loop.time()

    def sleep(self, seconds: float) -> None:  # pragma: no cover - async client only
        raise AssertionError("the async client must not sleep synchronously")

    def async_sleep(self, seconds: float) -> Any:
        return asyncio.sleep(seconds)


def test_the_hourly_quota_holds_for_100_tasks_on_a_fake_clock() -> None:
    loop = VirtualTimeLoop()
    timer = LoopTimer(loop)
    script = Script(timer, [xml(200, FEED_OK)])

    async def main() -> list[Any]:
        client = AsyncMWS(
            access_key="AKIAEXAMPLEACCESSKEY",
            secret_key=SECRET,
            seller_id=f"FAULTSELLER{next(_sellers)}",
            auth_token=TOKEN,
            transport=httpx.MockTransport(script),
            clock=lambda: NOW,
            timer=timer,
        )
        async with client as mws:
            feeds = [
                mws.feeds.submit_feed(feed_type="_POST_PRODUCT_DATA_", feed_content=b"<x/>")
                for _ in range(100)
            ]
            return await asyncio.gather(*feeds, return_exceptions=True)

    try:
        results = loop.run_until_complete(main())
    finally:
        loop.close()
    assert not [item for item in results if isinstance(item, BaseException)]
    times = sorted(script.times)
    assert len(times) == 100
    assert max(service_windows(times)) <= 30
    spans = [times[i] - times[i - 30] for i in range(30, len(times))]
    assert min(spans) >= HOUR + runtime_throttle.HOURLY_QUOTA_MARGIN - 1e-9


def test_a_single_caller_waits_for_the_hour_plus_the_margin() -> None:
    timer = FakeTimer()
    script = Script(timer, [xml(200, FEED_OK)])
    mws = make(timer, script)
    for _ in range(31):
        submit_feed(mws)
    offsets = [time - script.times[0] for time in script.times]
    assert offsets[29] == pytest.approx(15 * 120.0)
    assert offsets[30] == pytest.approx(HOUR + runtime_throttle.HOURLY_QUOTA_MARGIN)


def test_waiting_for_the_service_reset_charges_the_new_hour() -> None:
    """The service said 0 left, resetting in 10 minutes: 40 calls queued behind that reset are
    charged to the new hour, so only 30 go in it (SubmitFeed's hourly quota)."""
    timer = FakeTimer()
    headers = {
        "x-mws-quota-max": "30",
        "x-mws-quota-remaining": "0",
        "x-mws-quota-resetsOn": (NOW + timedelta(minutes=10)).isoformat(),
        "x-mws-timestamp": NOW.isoformat(),
    }
    script = Script(timer, [xml(200, FEED_OK, **headers), xml(200, FEED_OK)])
    mws = make(timer, script)
    submit_feed(mws)
    bucket = next(iter(mws._session.context.buckets.values()))
    reset = timer.now + 600.0
    waits = [bucket.reserve(1.0, timer.now, take=True)[0] for _ in range(40)]
    sends = sorted(timer.now + wait for wait in waits)
    assert sends[0] >= reset
    in_new_hour = [send for send in sends if send < reset + HOUR]
    assert len(in_new_hour) <= 30


# --- 5. a server clock far off ----------------------------------------------------------


@pytest.mark.parametrize(
    "stamp",
    ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00", "garbage", "2024-01-05T03:04:05Z"],
    ids=["year 1", "year 9999", "garbage", "3 days ahead"],
)
def test_a_far_off_server_clock_is_ignored_and_logged(
    stamp: str, caplog: pytest.LogCaptureFixture
) -> None:
    timer = FakeTimer()
    script = Script(timer, [xml(200, STATUS_OK, **{"x-mws-timestamp": stamp})])
    mws = make(timer, script, throttle="off")
    with caplog.at_level(logging.WARNING, logger="mwskit"):
        for _ in range(3):
            assert mws.orders.get_service_status().status == "GREEN"
    assert mws._session.builder.clock_offset == timedelta(0)
    if stamp != "garbage":  # unreadable is no time at all; a readable one far off is logged
        messages = [r.getMessage() for r in caplog.records if r.name == "mwskit"]
        assert any("ignored" in message and stamp in message for message in messages), messages


@pytest.mark.parametrize("stamp", ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00"])
def test_request_expired_with_a_far_off_server_clock_is_raised_and_later_calls_work(
    stamp: str,
) -> None:
    timer = FakeTimer()
    expired = xml(400, error_xml("RequestExpired"), **{"x-mws-timestamp": stamp})
    script = Script(timer, [expired, xml(200, STATUS_OK)])
    mws = make(timer, script, throttle="off")
    with pytest.raises(mwskit.errors.RequestExpired):
        mws.orders.get_service_status()
    assert mws.orders.get_service_status().status == "GREEN"
    assert timedelta(days=1) == runtime_calls.MAX_CLOCK_OFFSET


def test_a_quota_exceeded_with_a_far_off_server_clock_does_not_break_later_calls() -> None:
    timer = FakeTimer()
    headers = {
        "x-mws-timestamp": "0001-01-01T00:00:00+14:00",
        "x-mws-quota-resetsOn": "9999-12-31T23:59:59Z",
    }
    script = Script(timer, [xml(503, error_xml("QuotaExceeded"), **headers), xml(200, STATUS_OK)])
    mws = make(timer, script, throttle="off")
    with pytest.raises(QuotaExceeded):
        mws.orders.get_service_status()
    assert mws.orders.get_service_status().status == "GREEN"


def test_an_offset_within_a_day_is_still_adopted() -> None:
    timer = FakeTimer()
    ahead = (NOW + timedelta(hours=23)).isoformat()
    script = Script(timer, [xml(200, STATUS_OK, **{"x-mws-timestamp": ahead})])
    mws = make(timer, script, throttle="off")
    mws.orders.get_service_status()
    assert mws._session.builder.clock_offset == timedelta(hours=23)


# --- 6. a well-formed 200 that is not this action's answer ------------------------------


XHTML_PAGE = (
    '<html xmlns="http://www.w3.org/1999/xhtml"><head><title>Maintenance</title></head>'
    "<body><p>Back soon</p></body></html>"
)


@pytest.mark.parametrize(
    ("body", "found"),
    [
        (XHTML_PAGE, "html"),
        (STATUS_OK, "GetServiceStatusResponse"),
    ],
    ids=["xhtml page", "another action's answer"],
)
def test_a_200_with_another_root_is_a_parse_error(body: str, found: str) -> None:
    timer = FakeTimer()
    script = Script(timer, [xml(200, body)])
    mws = make(timer, script, throttle="off", retries=RetryPolicy(max_attempts=2))
    with pytest.raises(ResponseParseError) as caught:
        mws.orders.list_orders(marketplace_id=["ATVPDKIKX0DER"], created_after=NOW)
    message = str(caught.value)
    assert "ListOrdersResponse" in message and f"<{found}>" in message, message


def test_pagination_does_not_stop_silently_on_a_foreign_page() -> None:
    timer = FakeTimer()
    first = (
        f'<ListOrdersResponse xmlns="{ORDERS_NS}"><ListOrdersResult><NextToken>t1</NextToken>'
        "<Orders><Order><AmazonOrderId>A1</AmazonOrderId><PurchaseDate>2024-03-01T10:00:00Z"
        "</PurchaseDate><LastUpdateDate>2024-03-01T11:00:00Z</LastUpdateDate>"
        "<OrderStatus>Unshipped</OrderStatus></Order></Orders></ListOrdersResult>"
        "</ListOrdersResponse>"
    )
    script = Script(timer, [xml(200, first), xml(200, XHTML_PAGE)])
    mws = make(timer, script, throttle="off", retries=RetryPolicy(max_attempts=1))
    pages = mws.orders.iter_list_orders(marketplace_id=["ATVPDKIKX0DER"], created_after=NOW)
    assert next(iter(pages)) is not None
    with pytest.raises(ResponseParseError):
        list(pages)


def test_an_unsafe_action_answered_by_a_foreign_200_is_outcome_unknown() -> None:
    timer = FakeTimer()
    script = Script(timer, [xml(200, XHTML_PAGE)])
    with pytest.raises(OutcomeUnknown) as caught:
        submit_feed(make(timer, script, throttle="off"))
    assert isinstance(caught.value.__cause__, ResponseParseError)
    assert "SubmitFeedResponse" in str(caught.value.__cause__)
