"""Logged decisions without secrets; redirects, undecodable, oversized or noisy answers refused."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from runtime_helpers import NOW, FakeTimer
from runtime_helpers.scripted import (
    ORDERS_NS,
    SECRET,
    TOKEN,
    Script,
    error_xml,
    make,
    status_ok,
    xml_response,
)

import mwskit
from mwskit import MWS, RetryPolicy

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
        "<SubmitFeedResult><FeedSubmissionInfo><FeedSubmissionId>1</FeedSubmissionId></FeedSubmissionInfo></SubmitFeedResult></SubmitFeedResponse>"
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
        "<SubmitFeedResult><FeedSubmissionInfo><FeedSubmissionId>1</FeedSubmissionId></FeedSubmissionInfo></SubmitFeedResult></SubmitFeedResponse>"
    )
    script = Script(timer, [xml_response(200, feed_ok)])
    mws = make(timer, script, throttle="off")
    with caplog.at_level(logging.DEBUG):
        mws.feeds.submit_feed(feed_type="_POST_PRODUCT_DATA_", feed_content=b"<x/>")
    lines = [record.getMessage() for record in caplog.records if record.name == "httpx"]
    assert lines and all("MWSAuthToken=[redacted]" in line for line in lines), lines
    assert all("Signature=[redacted]" in line for line in lines)
    assert TOKEN not in caplog.text


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
