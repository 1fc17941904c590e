"""Report and feed workflows on a fake clock: polling, outcomes, processing reports, timing."""

from __future__ import annotations

import asyncio
import io
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from runtime_helpers import FakeTimer
from runtime_helpers.documents import (
    FLAT_FEED,
    NS,
    REPORT,
    SUBMIT_ANSWER,
    make,
    make_async,
    md5,
    params,
)

from mwskit import MWS
from mwskit._runtime.documents import codec_name
from mwskit.errors import ReportCancelled, WorkflowTimeout
from mwskit.feeds.workflows import parse_processing_report

# --- Workflows on a fake clock -----------------------------------------------------------------


def envelope(action: str, inner: str) -> bytes:
    return (
        f'<{action}Response xmlns="{NS}"><{action}Result>{inner}</{action}Result>'
        f"<ResponseMetadata><RequestId>q</RequestId></ResponseMetadata></{action}Response>"
    ).encode()


def report_service(
    statuses: list[str], generated: str | None = "9001"
) -> tuple[Callable[[httpx.Request], httpx.Response], list[str]]:
    calls: list[str] = []

    def handle(request: httpx.Request) -> httpx.Response:
        values = params(request)
        action = values["Action"]
        calls.append(action)
        if action == "RequestReport":
            inner = (
                "<ReportRequestInfo><ReportRequestId>77</ReportRequestId>"
                f"<ReportType>{values['ReportType']}</ReportType>"
                "<ReportProcessingStatus>_SUBMITTED_</ReportProcessingStatus></ReportRequestInfo>"
            )
            return httpx.Response(200, content=envelope(action, inner))
        if action == "GetReportRequestList":
            assert values["ReportRequestIdList.Id.1"] == "77"
            status = statuses.pop(0)
            report = f"<GeneratedReportId>{generated}</GeneratedReportId>" if generated else ""
            inner = (
                "<HasNext>false</HasNext><ReportRequestInfo><ReportRequestId>77</ReportRequestId>"
                f"<ReportProcessingStatus>{status}</ReportProcessingStatus>{report}"
                "</ReportRequestInfo>"
            )
            return httpx.Response(200, content=envelope(action, inner))
        if action == "GetReportList":
            inner = (
                "<HasNext>false</HasNext><ReportInfo><ReportId>8002</ReportId>"
                "<ReportType>_GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE_V2_</ReportType>"
                "<ReportRequestId>76</ReportRequestId>"
                "<AvailableDate>2024-01-01T00:00:00+00:00</AvailableDate></ReportInfo>"
            )
            if statuses and statuses.pop(0) == "none":
                inner = "<HasNext>false</HasNext>"
            return httpx.Response(200, content=envelope(action, inner))
        assert action == "GetReport"
        headers = {
            "Content-MD5": md5(REPORT),
            "Content-Type": f"text/plain;charset=Cp1252;id={values['ReportId']}",
        }
        return httpx.Response(200, content=REPORT, headers=headers)

    return handle, calls


def test_request_and_get_report_polls_on_the_fake_clock(tmp_path: Path) -> None:
    timer = FakeTimer()
    handler, calls = report_service(["_SUBMITTED_", "_IN_PROGRESS_", "_DONE_"])
    outcome = make(handler, timer).reports.request_and_get_report(
        report_type="_GET_FLAT_FILE_OPEN_LISTINGS_DATA_", destination=tmp_path / "r.txt"
    )
    assert calls == [
        "RequestReport",
        "GetReportRequestList",
        "GetReportRequestList",
        "GetReportRequestList",
        "GetReport",
    ]
    assert timer.sleeps == [45.0, 45.0]
    assert (outcome.status, outcome.report_request_id, outcome.report_id, outcome.polls) == (
        "_DONE_",
        "77",
        "9001",
        3,
    )
    assert outcome.document is not None and outcome.document.size == len(REPORT)
    assert (tmp_path / "r.txt").read_bytes() == REPORT


def test_report_workflow_no_data_cancelled_timeout_and_missing_generated_id() -> None:
    handler, calls = report_service(["_DONE_NO_DATA_"])
    outcome = make(handler).reports.request_and_get_report(report_type="_GET_ORDERS_DATA_")
    assert (outcome.status, outcome.document, calls[-1]) == (
        "_DONE_NO_DATA_",
        None,
        "GetReportRequestList",
    )
    handler, _ = report_service(["_IN_PROGRESS_", "_CANCELLED_"])
    with pytest.raises(ReportCancelled, match="report request 77 was cancelled"):
        make(handler).reports.request_and_get_report(report_type="_GET_ORDERS_DATA_")
    timer = FakeTimer()
    handler, calls = report_service(["_IN_PROGRESS_"] * 10)
    with pytest.raises(WorkflowTimeout, match="report request 77 was not done within 100 s"):
        make(handler, timer).reports.request_and_get_report(
            report_type="_GET_ORDERS_DATA_", poll_interval=30, timeout=100
        )
    assert (timer.sleeps, calls.count("GetReportRequestList")) == ([30, 30, 30], 4)
    handler, calls = report_service(["_DONE_"], generated=None)
    outcome = make(handler).reports.request_and_get_report(report_type="_GET_ORDERS_DATA_")
    assert (calls[-2:], outcome.report_id) == (["GetReportList", "GetReport"], "8002")


def test_wait_for_scheduled_report() -> None:
    timer = FakeTimer()
    handler, calls = report_service(["none", "none", "found"])
    outcome = make(handler, timer).reports.wait_for_scheduled_report(
        report_type="_GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE_V2_",
        available_from_date=datetime(2024, 1, 1, tzinfo=UTC),
        marketplace="DE",
    )
    assert calls == ["GetReportList", "GetReportList", "GetReportList", "GetReport"]
    assert timer.sleeps == [45.0, 45.0]
    assert (outcome.report_id, outcome.report_request_id, outcome.polls) == ("8002", "76", 3)
    assert outcome.document is not None and outcome.document.content == REPORT


PROCESSING = b"""<?xml version="1.0" encoding="UTF-8"?>
<AmazonEnvelope xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<Header><DocumentVersion>1.02</DocumentVersion><MerchantIdentifier>M</MerchantIdentifier></Header>
<MessageType>ProcessingReport</MessageType>
<Message><MessageID>1</MessageID><ProcessingReport>
<DocumentTransactionID>2291326430</DocumentTransactionID><StatusCode>Complete</StatusCode>
<ProcessingSummary><MessagesProcessed>3</MessagesProcessed><MessagesSuccessful>1</MessagesSuccessful>
<MessagesWithError>1</MessagesWithError><MessagesWithWarning>1</MessagesWithWarning></ProcessingSummary>
<Result><MessageID>2</MessageID><ResultCode>Error</ResultCode><ResultMessageCode>8560</ResultMessageCode>
<ResultDescription>SKU T-2: missing title</ResultDescription><AdditionalInfo><SKU>T-2</SKU></AdditionalInfo></Result>
<Result><MessageID>3</MessageID><ResultCode>Warning</ResultCode><ResultMessageCode>90057</ResultMessageCode>
<ResultDescription>price looks low</ResultDescription></Result>
</ProcessingReport></Message></AmazonEnvelope>"""


def feed_service(
    statuses: list[str],
    result: bytes = PROCESSING,
    result_headers: dict[str, str] | None = None,
) -> tuple[Callable[[httpx.Request], httpx.Response], list[str]]:
    calls: list[str] = []

    def handle(request: httpx.Request) -> httpx.Response:
        values = params(request)
        action = values["Action"]
        calls.append(action)
        if action == "SubmitFeed":
            assert request.read() == FLAT_FEED
            return httpx.Response(200, content=SUBMIT_ANSWER)
        if action == "GetFeedSubmissionList":
            assert values["FeedSubmissionIdList.Id.1"] == "2291326430"
            inner = (
                "<HasNext>false</HasNext><FeedSubmissionInfo><FeedSubmissionId>2291326430"
                f"</FeedSubmissionId><FeedProcessingStatus>{statuses.pop(0)}</FeedProcessingStatus>"
                "</FeedSubmissionInfo>"
            )
            return httpx.Response(200, content=envelope(action, inner))
        assert action == "GetFeedSubmissionResult"
        headers = {"Content-MD5": md5(result), **(result_headers or {})}
        return httpx.Response(200, content=result, headers=headers)

    return handle, calls


def test_submit_feed_and_wait_parses_the_processing_report(tmp_path: Path) -> None:
    timer = FakeTimer()
    path = tmp_path / "feed.txt"
    path.write_bytes(FLAT_FEED)
    handler, calls = feed_service(["_SUBMITTED_", "_IN_PROGRESS_", "_DONE_"])
    outcome = make(handler, timer).feeds.submit_feed_and_wait(
        feed_type="_POST_FLAT_FILE_LISTINGS_DATA_", feed_content=path, marketplace="JP"
    )
    assert calls == ["SubmitFeed"] + ["GetFeedSubmissionList"] * 3 + ["GetFeedSubmissionResult"]
    assert timer.sleeps == [45.0, 45.0, 45.0]
    report = outcome.report
    assert (outcome.feed_submission_id, outcome.status, outcome.polls) == (
        "2291326430",
        "_DONE_",
        3,
    )
    assert (report.document_transaction_id, report.status_code) == ("2291326430", "Complete")
    assert (
        report.messages_processed,
        report.messages_successful,
        report.messages_with_error,
        report.messages_with_warning,
    ) == (3, 1, 1, 1)
    assert [
        (m.message_id, m.result_code, m.message_code, m.description) for m in report.messages
    ] == [
        ("2", "Error", "8560", "SKU T-2: missing title"),
        ("3", "Warning", "90057", "price looks low"),
    ]
    assert report.errors[0].additional_info == {"SKU": "T-2"}
    assert [m.message_id for m in report.warnings] == ["3"]


def test_async_feed_workflow_cancelled_and_timeout() -> None:
    async def run() -> None:
        handler, _ = feed_service(["_IN_PROGRESS_", "_CANCELLED_"])
        with pytest.raises(ReportCancelled, match="feed submission 2291326430 was cancelled"):
            await make_async(handler).feeds.submit_feed_and_wait(
                feed_type="_POST_FLAT_FILE_LISTINGS_DATA_", feed_content=FLAT_FEED
            )
        timer = FakeTimer()
        handler, calls = feed_service(["_IN_PROGRESS_"] * 5)
        with pytest.raises(WorkflowTimeout):
            await make_async(handler, timer).feeds.submit_feed_and_wait(
                feed_type="_POST_FLAT_FILE_LISTINGS_DATA_",
                feed_content=FLAT_FEED,
                poll_interval=60,
                timeout=150,
            )
        assert (timer.sleeps, calls.count("GetFeedSubmissionList")) == ([60, 60], 2)
        handler, _ = feed_service(["_DONE_"])
        outcome = await make_async(handler).feeds.submit_feed_and_wait(
            feed_type="_POST_FLAT_FILE_LISTINGS_DATA_", feed_content=io.BytesIO(FLAT_FEED)
        )
        assert outcome.report.messages_with_error == 1

    asyncio.run(run())


def test_flat_file_processing_report() -> None:
    body = (
        b"Feed Processing Summary:\n\tNumber of records processed\t\t2\n"
        b"\tNumber of records successful\t\t1\n\n"
        b"original-record-number\tsku\terror-code\terror-type\terror-message\n"
        b"2\tT-2\t8560\tError\tmissing title\n"
    )
    report = parse_processing_report(body, "windows-1252")
    assert (report.messages_processed, report.messages_successful, report.messages_with_error) == (
        2,
        1,
        1,
    )
    assert report.messages[0].additional_info == {"sku": "T-2"}
    assert (report.messages[0].message_id, report.messages[0].message_code) == ("2", "8560")


FLAT_RESULT_TEXT = (
    "Feed Processing Summary:\r\n\tNumber of records processed\t\t1\r\n"
    "\tNumber of records successful\t\t0\r\n\r\n"
    "original-record-number\tsku\terror-code\terror-type\terror-message\r\n"
    "1\tCAF\u00c9-1\t8560\tError\tSKU CAF\u00c9-1 r\u00e9f\u00e9rence\u2028inconnue\r\n"
)


@pytest.mark.parametrize(
    ("marketplace", "headers", "encoding", "sku"),
    [
        ("US", {}, "windows-1252", "CAF\u00c9-\u20ac"),  # no charset: the marketplace's
        (None, {"Content-Type": "text/plain;charset=Cp1252"}, "cp1252", "CAF\u00c9-\u20ac"),
        ("JP", {}, "cp932", "\u65e5\u672c-\u2460"),
    ],
)
def test_flat_processing_report_is_decoded_in_its_charset(
    marketplace: str | None, headers: dict[str, str], encoding: str, sku: str
) -> None:
    text = FLAT_RESULT_TEXT.replace("\u2028", " ").replace("r\u00e9f\u00e9rence", "unknown")
    body = text.replace("CAF\u00c9-1", sku).encode(encoding)
    handler, _calls = feed_service(["_DONE_"], body, headers)
    outcome = make(handler).feeds.submit_feed_and_wait(
        feed_type="_POST_FLAT_FILE_LISTINGS_DATA_", feed_content=FLAT_FEED, marketplace=marketplace
    )
    report = outcome.report
    assert (report.messages_processed, report.messages_successful, len(report.messages)) == (
        1,
        0,
        1,
    )
    (message,) = report.messages
    assert (message.description, message.additional_info) == (
        f"SKU {sku} unknown inconnue",
        {"sku": sku},
    )
    assert outcome.document.encoding == codec_name(encoding)


def test_flat_processing_report_without_charset_or_marketplace_is_refused() -> None:
    body = FLAT_RESULT_TEXT.replace("\u2028", " ").encode("cp1252")
    handler, calls = feed_service(["_DONE_"], body)
    with pytest.raises(ValueError) as caught:
        make(handler).feeds.submit_feed_and_wait(
            feed_type="_POST_FLAT_FILE_LISTINGS_DATA_", feed_content=FLAT_FEED
        )
    assert str(caught.value) == (
        "feed submission 2291326430 is done, but its processing report cannot be read: the "
        "flat-file processing report declares no charset and no marketplace was given: pass "
        "marketplace=... to decode it with the marketplace's encoding"
    )
    assert calls[-1] == "GetFeedSubmissionResult"
    with pytest.raises(UnicodeDecodeError):  # strict: a wrong charset is not papered over
        parse_processing_report(body, "utf-8")


def test_flat_processing_report_lines_end_only_at_lf() -> None:
    report = parse_processing_report(FLAT_RESULT_TEXT.encode("utf-8"), "utf-8")
    assert [m.description for m in report.messages] == [
        "SKU CAF\u00c9-1 r\u00e9f\u00e9rence\u2028inconnue"
    ]
    assert report.messages_processed == 1


@pytest.mark.parametrize(
    ("poll_interval", "timeout", "message"),
    [
        (-5, 3600, "poll_interval must be a finite number of seconds >= 0; got -5"),
        (float("nan"), 3600, "poll_interval must be a finite number of seconds >= 0; got nan"),
        (float("inf"), 3600, "poll_interval must be a finite number of seconds >= 0; got inf"),
        (45, 0, "timeout must be a finite number of seconds > 0; got 0"),
        (45, -1.5, "timeout must be a finite number of seconds > 0; got -1.5"),
        (45, float("inf"), "timeout must be a finite number of seconds > 0; got inf"),
    ],
)
def test_workflow_timing_is_checked_before_anything_is_sent(
    poll_interval: float, timeout: float, message: str
) -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(500)

    mws = make(handler)
    calls: list[Callable[[], Any]] = [
        lambda: mws.feeds.submit_feed_and_wait(
            feed_type="_POST_FLAT_FILE_LISTINGS_DATA_",
            feed_content=FLAT_FEED,
            poll_interval=poll_interval,
            timeout=timeout,
        ),
        lambda: mws.reports.request_and_get_report(
            report_type="_GET_ORDERS_DATA_", poll_interval=poll_interval, timeout=timeout
        ),
        lambda: mws.reports.wait_for_scheduled_report(
            report_type="_GET_ORDERS_DATA_", poll_interval=poll_interval, timeout=timeout
        ),
    ]
    for call in calls:
        with pytest.raises(ValueError) as caught:
            call()
        assert str(caught.value) == message
    assert seen == []


def test_scheduled_report_is_the_newest_one_available_after_since() -> None:
    from datetime import timedelta

    from mwskit.errors import WorkflowTimeout
    from mwskit.sandbox import Sandbox, transport

    sandbox = Sandbox({"AK": "SK"}, throttling=False)
    timer = FakeTimer()
    mws = MWS(
        access_key="AK",
        secret_key="SK",
        seller_id="A1",
        endpoint="http://sandbox.local",
        transport=transport(sandbox),
        throttle="off",
        timer=timer,
    )
    kind = "_GET_FLAT_FILE_OPEN_LISTINGS_DATA_"
    older = mws.reports.request_and_get_report(report_type=kind, poll_interval=0)
    newer = mws.reports.request_and_get_report(report_type=kind, poll_interval=0)
    assert older.report_id != newer.report_id
    found = mws.reports.wait_for_scheduled_report(report_type=kind, poll_interval=0)
    assert found.report_id == newer.report_id
    with pytest.raises(WorkflowTimeout):
        mws.reports.wait_for_scheduled_report(
            report_type=kind,
            poll_interval=60,
            timeout=300,
            available_from_date=sandbox.clock() + timedelta(days=1),
        )
    assert sum(timer.sleeps) >= 240
