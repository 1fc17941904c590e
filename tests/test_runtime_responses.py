"""Responses: MWSResponse fields, MWS errors, hostile or broken XML, documents, and secrets."""

from __future__ import annotations

import asyncio
import base64
import hashlib
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import Any

import httpx
import pytest
from lxml import etree

from mwskit import (
    MWS,
    AsyncMWS,
    ContentMD5Mismatch,
    MWSError,
    MWSResponse,
    ResponseParseError,
    ThrottledError,
)
from mwskit._runtime import ClientConfig

NOW = datetime(2024, 1, 2, 3, 4, 5, tzinfo=timezone.utc)
SECRET = "wJalrXUtnFEMI-UNIQUE-SECRET-9f8e7d"
TOKEN = "amzn.mws.UNIQUE-TOKEN-1a2b3c4d"


def answering(status: int, body: bytes, headers: dict[str, str] | None = None) -> Callable[..., MWS]:
    def build(**options: Any) -> MWS:
        settings: dict[str, Any] = {
            "access_key": "AKIAEXAMPLEACCESSKEY",
            "secret_key": SECRET,
            "seller_id": "A1EXAMPLESELLER",
            "auth_token": TOKEN,
            "clock": lambda: NOW,
            "transport": httpx.MockTransport(
                lambda request: httpx.Response(status, content=body, headers=headers or {})
            ),
        }
        settings.update(options)
        return MWS(**settings)

    return build


def feed_list(mws: MWS) -> MWSResponse:
    return mws.feeds.get_feed_submission_list()


def list_orders(mws: MWS) -> MWSResponse:
    return mws.orders.list_orders(marketplace_id=["ATVPDKIKX0DER"], created_after=NOW)


def get_report(mws: MWS) -> MWSResponse:
    return mws.reports.get_report(report_id="624169093")


# --- Successful responses -----------------------------------------------------------------

# Source: /work/shared/reference/mws-docs/feeds/Feeds_GetFeedSubmissionList.md (example response)
FEED_LIST = b"""<?xml version="1.0"?>
<GetFeedSubmissionListResponse
    xmlns="http://mws.amazonaws.com/doc/2009-01-01/">
    <GetFeedSubmissionListResult>
        <NextToken>2YgYW55IGNhcm5hbCBwbGVhc3VyZS4=</NextToken>
        <HasNext>true</HasNext>
        <FeedSubmissionInfo>
            <FeedSubmissionId>2291326430</FeedSubmissionId>
            <FeedType>_POST_PRODUCT_DATA_</FeedType>
            <SubmittedDate>2009-02-20T02:10:35+00:00</SubmittedDate>
            <FeedProcessingStatus>_SUBMITTED_</FeedProcessingStatus>
        </FeedSubmissionInfo>
    </GetFeedSubmissionListResult>
    <ResponseMetadata>
        <RequestId>1105b931-6f1c-4480-8e97-f3b467840a9e</RequestId>
    </ResponseMetadata>
</GetFeedSubmissionListResponse>"""


def test_feed_submission_list_response_fields() -> None:
    response = feed_list(answering(200, FEED_LIST, {"x-mws-request-id": "header-id"})())
    assert isinstance(response, MWSResponse)
    assert response.action == "GetFeedSubmissionList"
    assert response.status_code == 200
    assert response.request_id == "1105b931-6f1c-4480-8e97-f3b467840a9e"  # metadata wins over header
    assert response.next_token == "2YgYW55IGNhcm5hbCBwbGVhc3VyZS4="
    assert response.has_next is True
    assert response.content_md5 is None
    assert response.body == FEED_LIST
    assert response.content == FEED_LIST
    assert response.headers["x-mws-request-id"] == "header-id"
    assert response.data == {
        "NextToken": "2YgYW55IGNhcm5hbCBwbGVhc3VyZS4=",
        "HasNext": "true",
        "FeedSubmissionInfo": {
            "FeedSubmissionId": "2291326430",
            "FeedType": "_POST_PRODUCT_DATA_",
            "SubmittedDate": "2009-02-20T02:10:35+00:00",
            "FeedProcessingStatus": "_SUBMITTED_",
        },
    }
    assert repr(response) == (
        "MWSResponse(action='GetFeedSubmissionList', status_code=200, "
        "request_id='1105b931-6f1c-4480-8e97-f3b467840a9e', "
        "next_token='2YgYW55IGNhcm5hbCBwbGVhc3VyZS4=', has_next=True, content_md5=None)"
    )


def test_repeated_elements_become_lists_and_has_next_false() -> None:
    body = b"""<GetFeedSubmissionListResponse xmlns="http://mws.amazonaws.com/doc/2009-01-01/">
  <GetFeedSubmissionListResult>
    <HasNext>false</HasNext>
    <FeedSubmissionInfo><FeedSubmissionId>1</FeedSubmissionId></FeedSubmissionInfo>
    <FeedSubmissionInfo><FeedSubmissionId>2</FeedSubmissionId></FeedSubmissionInfo>
    <FeedSubmissionInfo><FeedSubmissionId>3</FeedSubmissionId></FeedSubmissionInfo>
  </GetFeedSubmissionListResult>
</GetFeedSubmissionListResponse>"""
    response = feed_list(answering(200, body, {"X-MWS-Request-Id": "from-header"})())
    assert response.has_next is False
    assert response.next_token is None
    assert response.request_id == "from-header"  # no ResponseMetadata: the header is used
    assert response.data == {
        "HasNext": "false",
        "FeedSubmissionInfo": [
            {"FeedSubmissionId": "1"},
            {"FeedSubmissionId": "2"},
            {"FeedSubmissionId": "3"},
        ],
    }


def test_list_orders_response_without_has_next() -> None:
    body = b"""<?xml version="1.0"?>
<ListOrdersResponse xmlns="https://mws.amazonservices.com/Orders/2013-09-01">
  <ListOrdersResult>
    <NextToken>2YgYW55IGNhcm5hbCBwbGVhc3VyZS4=</NextToken>
    <LastUpdatedBefore>2017-02-25T18:10:21.687Z</LastUpdatedBefore>
    <Orders>
      <Order>
        <AmazonOrderId>902-3159896-1390916</AmazonOrderId>
        <OrderTotal><CurrencyCode>USD</CurrencyCode><Amount>25.00</Amount></OrderTotal>
        <IsPrime>false</IsPrime>
      </Order>
      <Order><AmazonOrderId>058-1233752-8214740</AmazonOrderId><BuyerName/></Order>
    </Orders>
  </ListOrdersResult>
  <ResponseMetadata><RequestId>88faca76-b600-46d2-b53c-0c8c4533e43a</RequestId></ResponseMetadata>
</ListOrdersResponse>"""
    response = list_orders(answering(200, body)())
    assert response.action == "ListOrders"
    assert response.has_next is None
    assert response.next_token == "2YgYW55IGNhcm5hbCBwbGVhc3VyZS4="
    assert response.request_id == "88faca76-b600-46d2-b53c-0c8c4533e43a"
    assert response.data == {
        "NextToken": "2YgYW55IGNhcm5hbCBwbGVhc3VyZS4=",
        "LastUpdatedBefore": "2017-02-25T18:10:21.687Z",
        "Orders": {
            "Order": [
                {
                    "AmazonOrderId": "902-3159896-1390916",
                    "OrderTotal": {"CurrencyCode": "USD", "Amount": "25.00"},
                    "IsPrime": "false",
                },
                {"AmazonOrderId": "058-1233752-8214740", "BuyerName": ""},
            ]
        },
    }


def test_attributes_and_text_in_data_view() -> None:
    body = (
        b'<GetServiceStatusResponse xmlns="https://mws.amazonservices.com/Orders/2013-09-01">'
        b"<GetServiceStatusResult><Status>GREEN</Status>"
        b'<Amount currency="USD">12.50</Amount><Flag xml:lang="en-US"/></GetServiceStatusResult>'
        b"</GetServiceStatusResponse>"
    )
    response = answering(200, body)().orders.get_service_status()
    assert response.data == {
        "Status": "GREEN",
        "Amount": {"@currency": "USD", "#text": "12.50"},
        "Flag": {"@lang": "en-US"},
    }
    assert response.request_id is None
    assert response.next_token is None
    assert response.has_next is None


def test_response_without_result_element_has_no_data() -> None:
    body = b"<GetServiceStatusResponse><Other/></GetServiceStatusResponse>"
    response = answering(200, body)().orders.get_service_status()
    assert response.data is None
    assert response.next_token is None
    assert response.has_next is None


# --- MWS errors -------------------------------------------------------------------------

ERROR_XML = b"""<?xml version="1.0"?>
<ErrorResponse xmlns="https://mws.amazonservices.com/Orders/2013-09-01">
  <Error>
    <Type>Sender</Type>
    <Code>InvalidParameterValue</Code>
    <Message>Invalid MarketplaceId</Message>
    <Detail>MarketplaceId.Id.1</Detail>
  </Error>
  <RequestId>2d0f5dbc-a6b7-4e4c-8a5b-1d31a0f1c2e3</RequestId>
</ErrorResponse>"""


def catch(kind: type[BaseException], call: Callable[[], Any]) -> Any:
    with pytest.raises(kind) as caught:
        call()
    return caught.value


def test_error_response_becomes_mws_error() -> None:
    error = catch(MWSError, lambda: list_orders(answering(400, ERROR_XML, {"x-mws-request-id": "hdr"})()))
    assert type(error) is MWSError
    assert error.code == "InvalidParameterValue"
    assert error.message == "Invalid MarketplaceId"
    assert error.error_type == "Sender"
    assert error.request_id == "2d0f5dbc-a6b7-4e4c-8a5b-1d31a0f1c2e3"
    assert error.status_code == 400
    assert error.detail == "MarketplaceId.Id.1"
    assert str(error) == (
        "InvalidParameterValue: Invalid MarketplaceId "
        "(HTTP 400, request id 2d0f5dbc-a6b7-4e4c-8a5b-1d31a0f1c2e3)"
    )


def test_request_throttled_becomes_throttled_error() -> None:
    body = (
        b'<ErrorResponse xmlns="http://mws.amazonaws.com/doc/2009-01-01/"><Error><Type>Sender</Type>'
        b"<Code>RequestThrottled</Code><Message>Request is throttled</Message></Error>"
        b"<RequestID>e1c9cb7e-a0c0-4e5b-9b0f-7f1f6e3f8a11</RequestID></ErrorResponse>"
    )
    error = catch(ThrottledError, lambda: feed_list(answering(503, body)()))
    assert issubclass(ThrottledError, MWSError)
    assert isinstance(error, MWSError)
    assert error.code == "RequestThrottled"
    assert error.error_type == "Sender"
    assert error.status_code == 503
    assert error.request_id == "e1c9cb7e-a0c0-4e5b-9b0f-7f1f6e3f8a11"
    assert error.detail is None
    assert str(error) == (
        "RequestThrottled: Request is throttled (HTTP 503, request id e1c9cb7e-a0c0-4e5b-9b0f-7f1f6e3f8a11)"
    )


def test_quota_exceeded_is_a_plain_mws_error() -> None:
    body = (
        b"<ErrorResponse><Error><Type>Sender</Type><Code>QuotaExceeded</Code>"
        b"<Message>You exceeded your quota</Message></Error><RequestId>q1</RequestId></ErrorResponse>"
    )
    error = catch(MWSError, lambda: feed_list(answering(503, body)()))
    assert type(error) is MWSError
    assert str(error) == "QuotaExceeded: You exceeded your quota (HTTP 503, request id q1)"


def test_request_id_spelling_variant_from_the_docs() -> None:
    # Source: /work/shared/reference/mws-docs/dev_guide/DG_ResponseFormat.md (error response example)
    body = b"""<?xml version="1.0"?>
<ErrorResponse xmlns="http://mws.amazonservices.com/doc/2009-01-01/">
    <Error>
        <Type>Sender</Type>
        <Code>InvalidClientTokenId</Code>
        <Message> The AWS Access Key Id you provided does not exist in our records. </Message>
        <Detail>com.amazonservices.mws.model.Error$Detail@17b6643</Detail>
    </Error>
    <RequestID>b7afc6c3-6f75-4707-bcf4-0475ad23162c</RequestID>
</ErrorResponse>"""
    error = catch(MWSError, lambda: feed_list(answering(403, body)()))
    assert error.code == "InvalidClientTokenId"
    assert error.error_type == "Sender"
    assert error.message == " The AWS Access Key Id you provided does not exist in our records. "
    assert error.detail == "com.amazonservices.mws.model.Error$Detail@17b6643"
    assert error.request_id == "b7afc6c3-6f75-4707-bcf4-0475ad23162c"
    assert error.status_code == 403


def test_error_without_request_id_uses_the_header() -> None:
    body = b"<ErrorResponse><Error><Code>InternalError</Code><Message>Oops</Message></Error></ErrorResponse>"
    error = catch(MWSError, lambda: feed_list(answering(500, body, {"x-mws-request-id": "hdr-7"})()))
    assert error.request_id == "hdr-7"
    assert error.error_type is None
    assert str(error) == "InternalError: Oops (HTTP 500, request id hdr-7)"


def test_error_response_without_error_element() -> None:
    error = catch(MWSError, lambda: feed_list(answering(500, b"<ErrorResponse><RequestId>r</RequestId></ErrorResponse>")()))
    assert type(error) is MWSError
    assert error.code is None
    assert str(error) == "MWSError: ErrorResponse without an Error element (HTTP 500, request id r)"


def test_error_response_with_status_200_still_raises() -> None:
    error = catch(MWSError, lambda: list_orders(answering(200, ERROR_XML)()))
    assert error.code == "InvalidParameterValue"
    assert error.status_code == 200


HTML_503 = (
    b"<!DOCTYPE html>\n<html><head><title>503 Service Unavailable</title></head><body>"
    b"<h1>Service Unavailable</h1><p>The server is temporarily unable to service your request due "
    b"to maintenance downtime or capacity problems. Please try again later.</p><hr><address>"
    b"Server at mws.amazonservices.com Port 443</address></body></html>"
)


def test_html_error_body_becomes_mws_error_with_truncated_body() -> None:
    assert len(HTML_503) > 200
    error = catch(MWSError, lambda: list_orders(answering(503, HTML_503, {"x-mws-request-id": "h1"})()))
    assert type(error) is MWSError
    assert error.code is None
    assert error.status_code == 503
    assert error.request_id == "h1"
    shown = HTML_503[:200].decode() + "..."
    assert error.message == f"unexpected non-XML error body: {shown!r}"
    assert str(error) == f"MWSError: unexpected non-XML error body: {shown!r} (HTTP 503, request id h1)"


def test_short_text_error_body_is_not_marked_truncated() -> None:
    error = catch(MWSError, lambda: feed_list(answering(502, b"Bad Gateway")()))
    assert str(error) == "MWSError: unexpected non-XML error body: 'Bad Gateway' (HTTP 502)"


def test_well_formed_non_error_xml_error_body() -> None:
    error = catch(MWSError, lambda: feed_list(answering(500, b"<html><body>down</body></html>")()))
    assert str(error) == (
        "MWSError: unexpected error body <html>: '<html><body>down</body></html>' (HTTP 500)"
    )


def _libxml_message(body: bytes) -> str:
    with pytest.raises(etree.XMLSyntaxError) as caught:
        etree.fromstring(body, etree.XMLParser(resolve_entities=False, no_network=True))
    return str(caught.value.msg)


@pytest.mark.parametrize(
    "body",
    [b"<ListOrdersResponse><ListOrdersResult>", b"", b"not xml at all", b"<a></b>"],
    ids=["unterminated", "empty", "text", "mismatched"],
)
def test_malformed_xml_200_is_a_response_parse_error(body: bytes) -> None:
    error = catch(ResponseParseError, lambda: list_orders(answering(200, body)()))
    assert isinstance(error, MWSError)
    assert error.status_code == 200
    assert error.code is None
    expected = f"the response is not well-formed XML ({_libxml_message(body)}): {body.decode()!r}"
    assert error.message == expected
    assert str(error) == f"MWSError: {expected} (HTTP 200)"


# --- Hostile XML ---------------------------------------------------------------------------

REFUSED = "the response declares a DTD or entities, which MWS never sends; refused"

XXE = (
    b'<?xml version="1.0"?>\n<!DOCTYPE ListOrdersResponse [\n'
    b'  <!ENTITY xxe SYSTEM "file:///etc/passwd">\n]>\n'
    b"<ListOrdersResponse><ListOrdersResult><NextToken>&xxe;</NextToken></ListOrdersResult>"
    b"</ListOrdersResponse>"
)
BILLION_LAUGHS = (
    b'<?xml version="1.0"?>\n<!DOCTYPE lolz [\n <!ENTITY lol "lol">\n'
    + b"".join(
        b" <!ENTITY lol%d \"%s\">\n" % (level, (b"&lol%d;" % (level - 1) if level > 1 else b"&lol;") * 10)
        for level in range(1, 10)
    )
    + b"]>\n<ListOrdersResponse><ListOrdersResult><NextToken>&lol9;</NextToken></ListOrdersResult>"
    b"</ListOrdersResponse>"
)
DOCTYPE_ALONE = b'<?xml version="1.0"?><!DOCTYPE ListOrdersResponse><ListOrdersResponse/>'
PARAMETER_ENTITY = (
    b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY % remote SYSTEM "http://127.0.0.1:9/x.dtd"> %remote;]>'
    b"<ListOrdersResponse/>"
)


@pytest.mark.parametrize(
    "body",
    [XXE, BILLION_LAUGHS, DOCTYPE_ALONE, PARAMETER_ENTITY],
    ids=["external entity", "billion laughs", "doctype alone", "parameter entity"],
)
def test_hostile_xml_is_refused(body: bytes) -> None:
    error = catch(ResponseParseError, lambda: list_orders(answering(200, body)()))
    assert error.message == REFUSED
    assert error.status_code == 200
    assert str(error) == f"MWSError: {REFUSED} (HTTP 200)"
    assert "root:" not in str(error)


def test_hostile_xml_in_an_error_status_is_not_parsed() -> None:
    error = catch(MWSError, lambda: list_orders(answering(400, XXE)()))
    assert type(error) is MWSError
    shown = XXE[:200].decode() + "..."
    assert str(error) == f"MWSError: unexpected non-XML error body: {shown!r} (HTTP 400)"


def test_utf16_doctype_is_refused_too() -> None:
    # BUG (runtime xml.py parse_xml): the DTD/entity refusal is a byte search for b"<!DOCTYPE"
    # and b"<!ENTITY" in the raw body, so a UTF-16 document carrying a DOCTYPE with an external
    # entity passes the check and is handed to lxml, contradicting the module's promise that
    # "any document type declaration or entity declaration is refused before parsing" (lxml's
    # resolve_entities=False still keeps the entity unexpanded, so the impact is limited).
    body = (
        '<?xml version="1.0" encoding="UTF-16"?>'
        '<!DOCTYPE ListOrdersResponse [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
        "<ListOrdersResponse><ListOrdersResult><NextToken>&xxe;</NextToken></ListOrdersResult>"
        "</ListOrdersResponse>"
    ).encode("utf-16")
    try:
        response = list_orders(answering(200, body)())
    except ResponseParseError as error:
        assert error.message == REFUSED
    else:
        pytest.fail(
            "RUNTIME BUG: a UTF-16 response declaring a DTD/external entity was parsed instead of "
            f"refused (data={response.data!r})"
        )


# --- Documents: GetReport / GetFeedSubmissionResult -----------------------------------------

REPORT = b"sku\tasin\tprice\tquantity\nSKU-1\tB00EXAMPLE\t9.99\t3\n"
REPORT_MD5 = base64.b64encode(hashlib.md5(REPORT).digest()).decode()


def test_get_report_returns_the_raw_document() -> None:
    response = get_report(answering(200, REPORT, {"Content-MD5": REPORT_MD5, "x-mws-request-id": "rep-1"})())
    assert response.action == "GetReport"
    assert response.body == REPORT
    assert response.content == REPORT
    assert response.data is None
    assert response.content_md5 == REPORT_MD5
    assert response.request_id == "rep-1"
    assert response.next_token is None
    assert response.has_next is None


def test_get_report_without_content_md5_header() -> None:
    response = get_report(answering(200, REPORT)())
    assert response.body == REPORT
    assert response.content_md5 is None


def test_get_report_document_is_never_parsed_as_xml() -> None:
    # even a document that would be refused as XML is returned as the bytes it is
    response = get_report(answering(200, DOCTYPE_ALONE)())
    assert response.body == DOCTYPE_ALONE


def test_get_report_content_md5_mismatch() -> None:
    wrong = base64.b64encode(hashlib.md5(b"something else").digest()).decode()
    error = catch(
        ContentMD5Mismatch,
        lambda: get_report(answering(200, REPORT, {"Content-MD5": wrong, "x-mws-request-id": "rep-2"})()),
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
    document = (
        b'<?xml version="1.0" encoding="UTF-8"?>\n<AmazonEnvelope><MessageType>ProcessingReport'
        b"</MessageType></AmazonEnvelope>"
    )
    md5 = base64.b64encode(hashlib.md5(document).digest()).decode()
    response = answering(200, document, {"Content-MD5": md5})().feeds.get_feed_submission_result(
        feed_submission_id="2291326430"
    )
    assert response.action == "GetFeedSubmissionResult"
    assert response.body == document
    assert response.data is None
    assert response.content_md5 == md5
    error = catch(
        ContentMD5Mismatch,
        lambda: answering(200, document + b"\n", {"Content-MD5": md5})().feeds.get_feed_submission_result(
            feed_submission_id="2291326430"
        ),
    )
    actual = base64.b64encode(hashlib.md5(document + b"\n").digest()).decode()
    assert str(error) == (
        f"ContentMD5Mismatch: GetFeedSubmissionResult document MD5 {actual} does not match "
        f"Content-MD5 {md5} (HTTP 200)"
    )


REPORT_ERROR = b"""<?xml version="1.0"?>
<ErrorResponse xmlns="http://mws.amazonaws.com/doc/2009-01-01/">
  <Error><Type>Sender</Type><Code>InvalidReportId</Code><Message>Report 624169093 not found</Message></Error>
  <RequestID>aaaa-bbbb</RequestID>
</ErrorResponse>"""


@pytest.mark.parametrize("status", [200, 400])
def test_error_response_on_get_report_still_raises(status: int) -> None:
    error = catch(MWSError, lambda: get_report(answering(status, REPORT_ERROR, {"Content-MD5": "bogus"})()))
    assert type(error) is MWSError
    assert error.code == "InvalidReportId"
    assert error.request_id == "aaaa-bbbb"
    assert str(error) == f"InvalidReportId: Report 624169093 not found (HTTP {status}, request id aaaa-bbbb)"


def test_throttled_get_report() -> None:
    body = b"<ErrorResponse><Error><Code>RequestThrottled</Code><Message>slow down</Message></Error></ErrorResponse>"
    error = catch(ThrottledError, lambda: get_report(answering(503, body)()))
    assert str(error) == "RequestThrottled: slow down (HTTP 503)"


def test_async_client_parses_the_same_way() -> None:
    async def run() -> tuple[MWSResponse, BaseException]:
        transport = httpx.MockTransport(lambda request: httpx.Response(200, content=FEED_LIST))
        async with AsyncMWS(access_key="AK", secret_key=SECRET, seller_id="S", transport=transport) as mws:
            response = await mws.feeds.get_feed_submission_list()
        failing = httpx.MockTransport(lambda request: httpx.Response(400, content=ERROR_XML))
        async with AsyncMWS(access_key="AK", secret_key=SECRET, seller_id="S", transport=failing) as mws:
            try:
                await mws.orders.list_orders(marketplace_id=["M"], created_after=NOW)
            except MWSError as error:
                return response, error
        raise AssertionError("no error raised")

    response, error = asyncio.run(run())
    assert response.next_token == "2YgYW55IGNhcm5hbCBwbGVhc3VyZS4="
    assert response.has_next is True
    assert response.request_id == "1105b931-6f1c-4480-8e97-f3b467840a9e"
    assert str(error) == (
        "InvalidParameterValue: Invalid MarketplaceId "
        "(HTTP 400, request id 2d0f5dbc-a6b7-4e4c-8a5b-1d31a0f1c2e3)"
    )


# --- Secrets ------------------------------------------------------------------------------


def test_mws_repr_hides_secrets() -> None:
    mws = answering(200, b"<R/>")()
    assert repr(mws) == (
        "MWS(access_key='AKIAEXAMPLEACCESSKEY', seller_id='A1EXAMPLESELLER', "
        "endpoint='https://mws.amazonservices.com')"
    )
    assert SECRET not in repr(mws) and TOKEN not in repr(mws)
    assert SECRET not in str(mws) and TOKEN not in str(mws)


def test_async_mws_repr_hides_secrets() -> None:
    mws = AsyncMWS(
        access_key="AKIAEXAMPLEACCESSKEY",
        secret_key=SECRET,
        seller_id="A1EXAMPLESELLER",
        auth_token=TOKEN,
        region="EU",
        transport=httpx.MockTransport(lambda request: httpx.Response(200)),
    )
    assert repr(mws) == (
        "AsyncMWS(access_key='AKIAEXAMPLEACCESSKEY', seller_id='A1EXAMPLESELLER', "
        "endpoint='https://mws-eu.amazonservices.com')"
    )


def test_client_config_repr_hides_secrets() -> None:
    config = ClientConfig(
        access_key="AKIAEXAMPLEACCESSKEY",
        secret_key=SECRET,
        seller_id="A1EXAMPLESELLER",
        auth_token=TOKEN,
        expires_in=timedelta(minutes=5),
    )
    text = repr(config)
    assert text.startswith("ClientConfig(access_key='AKIAEXAMPLEACCESSKEY', seller_id='A1EXAMPLESELLER', ")
    assert "expires_in=datetime.timedelta(seconds=300)" in text
    assert SECRET not in text
    assert TOKEN not in text
    assert "secret_key" not in text
    assert "auth_token" not in text
    # the config a client holds is shown the same way
    mws = answering(200, b"<R/>")()
    held = repr(mws._session.config)
    assert SECRET not in held and TOKEN not in held


def _failures() -> list[BaseException]:
    """Every kind of error a client with the secret and token can raise."""
    found: list[BaseException] = []

    def collect(call: Callable[[], Any]) -> None:
        try:
            call()
        except Exception as error:  # noqa: BLE001 - collecting them all is the point
            found.append(error)
        else:
            raise AssertionError("expected an error")

    ok = answering(200, b"<R/>")
    collect(lambda: ok().orders.list_orders(marketplace_id="M", created_after=NOW))
    collect(lambda: ok().orders.list_orders(marketplace_id=["M"]))
    collect(lambda: ok().orders.list_orders(marketplace_id=["M"], created_after=datetime(2024, 1, 1)))
    collect(lambda: ok().orders.list_order_items(amazon_order_id=None))
    collect(lambda: ok().feeds.submit_feed(feed_type="_POST_PRODUCT_DATA_", feed_content=None))
    collect(lambda: ok(region="XX"))
    collect(lambda: ok(seller_parameter="Seller"))
    collect(lambda: ok(expires_in=timedelta(0)))
    collect(lambda: ok(endpoint="ftp://example.com"))
    collect(lambda: ok(signature_method="HmacMD5"))
    collect(lambda: list_orders(answering(400, ERROR_XML)()))
    collect(lambda: list_orders(answering(503, HTML_503)()))
    collect(lambda: list_orders(answering(200, b"<broken")()))
    collect(lambda: list_orders(answering(200, XXE)()))
    collect(lambda: get_report(answering(200, REPORT, {"Content-MD5": "AAAAAAAAAAAAAAAAAAAAAA=="})()))

    def transport_failure(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    collect(
        lambda: answering(200, b"")(transport=httpx.MockTransport(transport_failure)).feeds.submit_feed(
            feed_type="_POST_PRODUCT_DATA_", feed_content=b"<x/>"
        )
    )
    return found


def test_no_exception_shows_the_secret_or_token() -> None:
    failures = _failures()
    assert len(failures) == 16
    for error in failures:
        for text in (str(error), repr(error), repr(error.args)):
            assert SECRET not in text, text
            assert TOKEN not in text, text
