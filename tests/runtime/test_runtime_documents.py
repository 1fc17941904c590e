"""GetReport and GetFeedSubmissionResult documents with their MD5, and AsyncMWS parsing alike."""

from __future__ import annotations

import asyncio
import base64
import hashlib

import httpx
import pytest
from runtime_helpers import NOW
from runtime_helpers.answers import (
    DOCTYPE_ALONE,
    FEED_LIST,
    FEEDS_NS,
    NO_RETRIES,
    QUOTA_HEADERS,
    REPORT,
    SECRET,
    answering,
    catch,
    error_body,
    feed_list,
    get_report,
)

from mwskit import (
    AsyncMWS,
    ContentMD5Mismatch,
    Document,
    MWSError,
    MWSResult,
    ThrottledError,
    errors,
)
from mwskit.feeds import GetFeedSubmissionListResult
from mwskit.reports import InvalidReportId

# --- Documents: GetReport / GetFeedSubmissionResult -----------------------------------------


REPORT_MD5 = base64.b64encode(hashlib.md5(REPORT).digest()).decode()


def test_get_report_returns_a_verified_document() -> None:
    headers = {"Content-MD5": REPORT_MD5, "x-mws-request-id": "rep-1", "x-mws-quota-max": "60"}
    document = get_report(answering(200, REPORT, headers)())
    assert type(document) is Document
    assert isinstance(document, MWSResult)
    assert document.body == REPORT
    assert document.content == REPORT
    assert document.content_md5 == REPORT_MD5
    assert document.md5_verified is True
    assert document.request_id == "rep-1"
    assert document.quota_max == 60
    assert repr(document) == (
        "Document(request_id='rep-1', server_time=None, quota_max=60, quota_remaining=None, "
        f"quota_resets_on=None, content_md5='{REPORT_MD5}', md5_verified=True)"
    )


def test_get_report_without_content_md5_is_not_verified() -> None:
    document = get_report(answering(200, REPORT)())
    assert document.body == REPORT
    assert document.content_md5 is None
    assert document.md5_verified is False


def test_get_report_document_is_never_parsed_as_xml() -> None:
    # even a document that would be refused as XML is returned as the bytes it is
    document = get_report(answering(200, DOCTYPE_ALONE)())
    assert document.body == DOCTYPE_ALONE
    assert get_report(answering(200, b"<unclosed")()).body == b"<unclosed"


def test_get_report_content_md5_mismatch() -> None:
    wrong = base64.b64encode(hashlib.md5(b"a different report").digest()).decode()
    error = catch(
        ContentMD5Mismatch,
        lambda: get_report(
            answering(200, REPORT, {"Content-MD5": wrong, "x-mws-request-id": "rep-2"})()
        ),
    )
    assert isinstance(error, MWSError)
    assert error.code == "ContentMD5Mismatch"
    assert error.status_code == 200
    assert error.request_id == "rep-2"
    assert str(error) == (
        f"ContentMD5Mismatch: GetReport document MD5 {REPORT_MD5} does not match Content-MD5 "
        f"{wrong} (HTTP 200, request id rep-2)"
    )


def test_get_feed_submission_result_document_and_md5() -> None:
    processing = (
        b'<?xml version="1.0" encoding="UTF-8"?>\n<AmazonEnvelope><MessageType>ProcessingReport'
        b"</MessageType><Message><ProcessingReport><StatusCode>Complete</StatusCode>"
        b"</ProcessingReport></Message></AmazonEnvelope>"
    )
    md5 = base64.b64encode(hashlib.md5(processing).digest()).decode()
    document = answering(200, processing, {"Content-MD5": md5})().feeds.get_feed_submission_result(
        feed_submission_id="7700112233"
    )
    assert type(document) is Document
    assert document.body == processing
    assert document.content_md5 == md5
    assert document.md5_verified is True
    error = catch(
        ContentMD5Mismatch,
        lambda: answering(
            200, processing + b"\n", {"Content-MD5": md5}
        )().feeds.get_feed_submission_result(feed_submission_id="7700112233"),
    )
    actual = base64.b64encode(hashlib.md5(processing + b"\n").digest()).decode()
    assert str(error) == (
        f"ContentMD5Mismatch: GetFeedSubmissionResult document MD5 {actual} does not match "
        f"Content-MD5 {md5} (HTTP 200)"
    )


REPORT_ERROR = f"""<?xml version="1.0"?>
<ErrorResponse xmlns="{FEEDS_NS}">
  <Error><Type>Sender</Type><Code>InvalidReportId</Code><Message>No report 624169093 here</Message></Error>
  <RequestID>rep-err-1</RequestID>
</ErrorResponse>""".encode()


@pytest.mark.parametrize("status", [200, 400])
def test_error_response_on_get_report_still_raises(status: int) -> None:
    error = catch(
        MWSError, lambda: get_report(answering(status, REPORT_ERROR, {"Content-MD5": "bogus"})())
    )
    assert type(error) is InvalidReportId  # the Reports section's own error class
    assert error.code == "InvalidReportId"
    assert error.request_id == "rep-err-1"
    assert str(error) == (
        f"InvalidReportId: No report 624169093 here (HTTP {status}, request id rep-err-1)"
    )


def test_throttled_get_report() -> None:
    body = b"<ErrorResponse><Error><Code>RequestThrottled</Code><Message>slow down</Message></Error></ErrorResponse>"
    error = catch(errors.RequestThrottled, lambda: get_report(answering(503, body)()))
    assert isinstance(error, ThrottledError)
    assert str(error) == "RequestThrottled: slow down (HTTP 503)"


# --- Async --------------------------------------------------------------------------------


def test_async_client_parses_the_same_way() -> None:
    orders_error = error_body("InvalidParameterValue", "Bad MarketplaceId", "RequestId", "a-err")

    async def run() -> tuple[GetFeedSubmissionListResult, Document, BaseException]:
        def answer(request: httpx.Request) -> httpx.Response:
            if b"Action=GetReport" in request.content:
                return httpx.Response(200, content=REPORT, headers={"Content-MD5": REPORT_MD5})
            if b"Action=ListOrders" in request.content:
                return httpx.Response(400, content=orders_error)
            return httpx.Response(200, content=FEED_LIST, headers=QUOTA_HEADERS)

        async with AsyncMWS(
            access_key="AK",
            secret_key=SECRET,
            seller_id="S",
            throttle="off",
            retries=NO_RETRIES,
            transport=httpx.MockTransport(answer),
        ) as mws:
            result = await mws.feeds.get_feed_submission_list()
            document = await mws.reports.get_report(report_id="1")
            try:
                await mws.orders.list_orders(marketplace_id=["M"], created_after=NOW)
            except MWSError as error:
                return result, document, error
        raise AssertionError("no error raised")

    result, document, error = asyncio.run(run())
    assert result == feed_list(answering(200, FEED_LIST, QUOTA_HEADERS)())
    assert result.quota_remaining == 187
    assert result.request_id == "5e1f0c2a-feed-list-0001"
    assert document.md5_verified is True and document.body == REPORT
    assert type(error) is errors.InvalidParameterValue
    assert str(error) == "InvalidParameterValue: Bad MarketplaceId (HTTP 400, request id a-err)"
