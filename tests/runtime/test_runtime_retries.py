"""Retries and safe retries on a fake clock, and clock skew corrected from the service's time."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest
from runtime_helpers import NOW, FakeTimer
from runtime_helpers.scripted import Script, error_xml, make, status_ok, xml_response

import mwskit
from mwskit import Event, OutcomeUnknown, RetryPolicy
from mwskit.errors import InternalError, RequestExpired, RequestThrottled

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
