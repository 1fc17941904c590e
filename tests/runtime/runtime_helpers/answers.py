"""Helpers for the response tests: a client answering one inline body, the calls reading it.

Every body is written inline for the case it tests (tests/runtime/test_response_samples.py parses
a full sample answer per action; the response tests pin the rules behind those answers).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest
from lxml import etree

from mwskit import MWS, Document, RetryPolicy
from mwskit.feeds import GetFeedSubmissionListResult
from mwskit.orders import ListOrdersResult, Order
from runtime_helpers import NOW

SECRET = "wJalrXUtnFEMI-UNIQUE-SECRET-9f8e7d"
TOKEN = "amzn.mws.UNIQUE-TOKEN-1a2b3c4d"
ORDERS_NS = "https://mws.amazonservices.com/Orders/2013-09-01"
FEEDS_NS = "http://mws.amazonaws.com/doc/2009-01-01/"
NO_RETRIES = RetryPolicy(max_attempts=1)


def answering(
    status: int, body: bytes, headers: dict[str, str] | None = None
) -> Callable[..., MWS]:
    """A client factory whose transport always gives this answer (no throttling, no retries)."""

    def build(**options: Any) -> MWS:
        settings: dict[str, Any] = {
            "access_key": "AKIAEXAMPLEACCESSKEY",
            "secret_key": SECRET,
            "seller_id": "A1EXAMPLESELLER",
            "auth_token": TOKEN,
            "clock": lambda: NOW,
            "throttle": "off",
            "retries": NO_RETRIES,
            "transport": httpx.MockTransport(
                lambda request: httpx.Response(status, content=body, headers=headers or {})
            ),
        }
        settings.update(options)
        return MWS(**settings)

    return build


def feed_list(mws: MWS) -> GetFeedSubmissionListResult:
    return mws.feeds.get_feed_submission_list()


def list_orders(mws: MWS) -> ListOrdersResult:
    return mws.orders.list_orders(marketplace_id=["ATVPDKIKX0DER"], created_after=NOW)


def get_report(mws: MWS) -> Document:
    return mws.reports.get_report(report_id="624169093")


def orders_body(orders_xml: str, extra: str = "") -> bytes:
    """A ListOrders answer holding `orders_xml` inside its result element."""
    return (
        f'<?xml version="1.0"?>\n<ListOrdersResponse xmlns="{ORDERS_NS}">'
        f"<ListOrdersResult>{orders_xml}</ListOrdersResult>{extra}"
        f"<ResponseMetadata><RequestId>req-orders-1</RequestId></ResponseMetadata>"
        f"</ListOrdersResponse>"
    ).encode()


ALWAYS_SENT = {  # what every Order holds (the values the Orders spec marks required)
    "AmazonOrderId": "902-3159896-1390916",
    "PurchaseDate": "2017-02-20T19:49:35Z",
    "LastUpdateDate": "2017-02-20T19:49:35Z",
    "OrderStatus": "Shipped",
}


def with_required(inner: str) -> str:
    """An Order's XML: `inner`, then each always-sent element `inner` does not hold."""
    added = "".join(
        f"<{tag}>{value}</{tag}>" for tag, value in ALWAYS_SENT.items() if f"<{tag}>" not in inner
    )
    return inner + added


def one_order(inner: str) -> Order:
    """The one Order of a ListOrders answer holding `inner` (and the values MWS always sends)."""
    body = orders_body(f"<Orders><Order>{with_required(inner)}</Order></Orders>")
    result = list_orders(answering(200, body)())
    assert len(result.orders) == 1
    return result.orders[0]


def catch(kind: type[BaseException], call: Callable[[], Any]) -> Any:
    with pytest.raises(kind) as caught:
        call()
    return caught.value


FEED_LIST = f"""<?xml version="1.0"?>
<GetFeedSubmissionListResponse xmlns="{FEEDS_NS}">
    <GetFeedSubmissionListResult>
        <NextToken>cGFnZSB0d28gb2YgZmVlZHM=</NextToken>
        <HasNext>true</HasNext>
        <FeedSubmissionInfo>
            <FeedSubmissionId>7700112233</FeedSubmissionId>
            <FeedType>_POST_INVENTORY_AVAILABILITY_DATA_</FeedType>
            <SubmittedDate>2023-11-05T08:15:00+00:00</SubmittedDate>
            <FeedProcessingStatus>_DONE_</FeedProcessingStatus>
            <StartedProcessingDate>2023-11-05T08:16:30+00:00</StartedProcessingDate>
        </FeedSubmissionInfo>
    </GetFeedSubmissionListResult>
    <ResponseMetadata>
        <RequestId>5e1f0c2a-feed-list-0001</RequestId>
    </ResponseMetadata>
</GetFeedSubmissionListResponse>""".encode()


QUOTA_HEADERS = {
    "x-mws-request-id": "hdr-req",
    "x-mws-timestamp": "2024-01-02T03:04:07.120Z",
    "X-MWS-Quota-Max": "200.0",
    "x-mws-quota-remaining": "187",
    "x-mws-quota-resetsOn": "2024-01-02T04:00:00Z",
}


def error_body(code: str, message: str, request_id_tag: str, request_id: str) -> bytes:
    return (
        f'<?xml version="1.0"?>\n<ErrorResponse xmlns="{FEEDS_NS}">\n'
        f"  <Error><Type>Sender</Type><Code>{code}</Code><Message>{message}</Message>"
        f"<Detail/></Error>\n"
        f"  <{request_id_tag}>{request_id}</{request_id_tag}>\n</ErrorResponse>"
    ).encode()


HTML_503 = (
    b"<!DOCTYPE html>\n<html><head><title>503 Temporarily Closed</title></head><body>"
    b"<h1>We are closed for a moment</h1><p>The gateway could not reach the marketplace service "
    b"right now because the whole warehouse went on a tea break. Please come back a bit later.</p>"
    b"<hr><address>gateway 7 at port 443</address></body></html>"
)


def _libxml_message(body: bytes) -> str:
    with pytest.raises(etree.XMLSyntaxError) as caught:
        etree.fromstring(body, etree.XMLParser(resolve_entities=False, no_network=True))
    return str(caught.value.msg)


XXE = (
    b'<?xml version="1.0"?>\n<!DOCTYPE ListOrdersResponse [\n'
    b'  <!ENTITY leak SYSTEM "file:///etc/passwd">\n]>\n'
    b"<ListOrdersResponse><ListOrdersResult><NextToken>&leak;</NextToken></ListOrdersResult>"
    b"</ListOrdersResponse>"
)
DOCTYPE_ALONE = b'<?xml version="1.0"?><!DOCTYPE ListOrdersResponse><ListOrdersResponse/>'


REPORT = "sku\tasin\tprice\tquantity\nTEE-RED-M\tB0TESTTEE1\t19.90\t12\nMÜSLI-1\tB0TESTMSL1\t4.25\t0\n".encode()
