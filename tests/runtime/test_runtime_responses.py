"""Responses: typed results, per-code MWS errors, hostile or broken XML, documents, and secrets.

Every body here is written inline for the case it tests (tests/runtime/test_response_samples.py parses a
full sample answer per action; this file pins the rules behind those answers).
"""

from __future__ import annotations

import asyncio
import base64
import dataclasses
import hashlib
import resource
import time
import tracemalloc
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import httpx
import pytest
from lxml import etree

import mwskit
from mwskit import (
    MWS,
    AsyncMWS,
    ContentMD5Mismatch,
    Document,
    MWSError,
    MWSResult,
    ResponseParseError,
    RetryPolicy,
    ThrottledError,
    errors,
)
from mwskit._runtime import ClientConfig
from mwskit.feeds import (
    FeedProcessingStatus,
    FeedSubmissionInfo,
    FeedType,
    GetFeedSubmissionListResult,
)
from mwskit.orders import GetServiceStatusResult, ListOrdersResult, Money, Order, OrderStatus
from mwskit.products import BulkResultStatus, GetMatchingProductForIdResponse

NOW = datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)
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


def one_order(inner: str) -> Order:
    result = list_orders(answering(200, orders_body(f"<Orders><Order>{inner}</Order></Orders>"))())
    assert len(result.orders) == 1
    return result.orders[0]


def catch(kind: type[BaseException], call: Callable[[], Any]) -> Any:
    with pytest.raises(kind) as caught:
        call()
    return caught.value


# --- Typed results ------------------------------------------------------------------------

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


def test_feed_submission_list_is_typed() -> None:
    result = feed_list(answering(200, FEED_LIST, {"x-mws-request-id": "header-id"})())
    assert type(result) is GetFeedSubmissionListResult
    assert isinstance(result, MWSResult)
    assert result.request_id == "5e1f0c2a-feed-list-0001"  # ResponseMetadata wins over header
    assert result.next_token == "cGFnZSB0d28gb2YgZmVlZHM="
    assert result.has_next is True
    assert result.feed_submission_info == [
        FeedSubmissionInfo(
            feed_submission_id="7700112233",
            feed_type=FeedType("_POST_INVENTORY_AVAILABILITY_DATA_"),
            submitted_date=datetime(2023, 11, 5, 8, 15, tzinfo=UTC),
            feed_processing_status=FeedProcessingStatus("_DONE_"),
            started_processing_date=datetime(2023, 11, 5, 8, 16, 30, tzinfo=UTC),
            completed_processing_date=None,
        )
    ]
    info = result.feed_submission_info[0]
    assert type(info.feed_type) is FeedType
    assert type(info.feed_processing_status) is FeedProcessingStatus
    assert result.body == FEED_LIST
    assert result.headers["x-mws-request-id"] == "header-id"


def test_results_are_frozen_slotted_keyword_only_dataclasses() -> None:
    result = feed_list(answering(200, FEED_LIST)())
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.next_token = "other"  # type: ignore[misc]
    assert not hasattr(result, "__dict__")
    assert not hasattr(result.feed_submission_info[0], "__dict__")
    with pytest.raises(TypeError):
        FeedSubmissionInfo("7700112233")  # type: ignore[misc]


def test_request_id_falls_back_to_the_header() -> None:
    body = (
        f'<GetFeedSubmissionListResponse xmlns="{FEEDS_NS}"><GetFeedSubmissionListResult>'
        f"<HasNext>false</HasNext></GetFeedSubmissionListResult></GetFeedSubmissionListResponse>"
    ).encode()
    result = feed_list(answering(200, body, {"X-MWS-Request-Id": "from-header"})())
    assert result.request_id == "from-header"
    assert result.has_next is False
    assert result.next_token is None


def test_list_orders_typed_fields() -> None:
    body = orders_body(
        """
    <NextToken>b3JkZXJzIHBhZ2UgMg==</NextToken>
    <LastUpdatedBefore>2023-06-30T23:59:59.250Z</LastUpdatedBefore>
    <Orders>
      <Order>
        <AmazonOrderId>111-2223334-4445556</AmazonOrderId>
        <PurchaseDate>2023-06-29T10:20:30Z</PurchaseDate>
        <OrderStatus>Shipped</OrderStatus>
        <BuyerName>  Zoë Ångström  </BuyerName>
        <OrderTotal><CurrencyCode>EUR</CurrencyCode><Amount>1234.50</Amount></OrderTotal>
        <NumberOfItemsShipped>3</NumberOfItemsShipped>
        <NumberOfItemsUnshipped>0</NumberOfItemsUnshipped>
        <IsPrime>true</IsPrime>
        <IsBusinessOrder>false</IsBusinessOrder>
        <PaymentMethodDetails><PaymentMethodDetail>Standard</PaymentMethodDetail></PaymentMethodDetails>
      </Order>
    </Orders>
"""
    )
    result = list_orders(answering(200, body)())
    assert type(result) is ListOrdersResult
    assert result.request_id == "req-orders-1"
    assert result.next_token == "b3JkZXJzIHBhZ2UgMg=="
    assert result.created_before is None
    assert result.last_updated_before == datetime(2023, 6, 30, 23, 59, 59, 250000, tzinfo=UTC)
    assert result.orders == [
        Order(
            amazon_order_id="111-2223334-4445556",
            purchase_date=datetime(2023, 6, 29, 10, 20, 30, tzinfo=UTC),
            order_status=OrderStatus.SHIPPED,
            buyer_name="Zoë Ångström",
            order_total=Money(currency_code="EUR", amount=Decimal("1234.50")),
            number_of_items_shipped=3,
            number_of_items_unshipped=0,
            is_prime=True,
            is_business_order=False,
            payment_method_details=["Standard"],
        )
    ]
    order = result.orders[0]
    assert order.order_status is OrderStatus.SHIPPED
    assert type(order.order_total.amount) is Decimal  # type: ignore[union-attr]
    assert str(order.order_total.amount) == "1234.50"  # type: ignore[union-attr]
    assert type(order.number_of_items_shipped) is int
    assert order.is_prime is True and order.is_business_order is False


def test_bulk_result_keeps_every_item_with_its_status_and_error() -> None:
    ns = "http://mws.amazonservices.com/schema/Products/2011-10-01"
    body = f"""<?xml version="1.0"?>
<GetMatchingProductForIdResponse xmlns="{ns}">
  <GetMatchingProductForIdResult Id="9781234567897" IdType="ISBN" status="Success">
    <Products><Product><Identifiers><MarketplaceASIN>
      <MarketplaceId>A1F83G8C2ARO7P</MarketplaceId><ASIN>B0TESTASIN1</ASIN>
    </MarketplaceASIN></Identifiers></Product></Products>
  </GetMatchingProductForIdResult>
  <GetMatchingProductForIdResult Id="0000000000000" IdType="ISBN" status="ClientError">
    <Error><Type>Sender</Type><Code>InvalidParameterValue</Code>
      <Message>Invalid ISBN identifier 0000000000000</Message></Error>
  </GetMatchingProductForIdResult>
  <GetMatchingProductForIdResult Id="9789876543210" IdType="ISBN" status="Pondering"/>
  <ResponseMetadata><RequestId>bulk-req-9</RequestId></ResponseMetadata>
</GetMatchingProductForIdResponse>""".encode()
    result = answering(200, body)().products.get_matching_product_for_id(
        marketplace_id="A1F83G8C2ARO7P",
        id_type="ISBN",
        id_list=["9781234567897", "0000000000000", "9789876543210"],
    )
    assert type(result) is GetMatchingProductForIdResponse
    assert result.request_id == "bulk-req-9"
    assert [(item.id, item.status) for item in result.results] == [
        ("9781234567897", BulkResultStatus.SUCCESS),
        ("0000000000000", BulkResultStatus.CLIENT_ERROR),
        ("9789876543210", "Pondering"),
    ]
    ok, failed, odd = result.results
    assert ok.error is None
    assert [p.identifiers.marketplace_asin.asin for p in ok.products] == [  # type: ignore[union-attr]
        "B0TESTASIN1"
    ]
    assert failed.products == []
    assert failed.error is not None
    assert (failed.error.type, failed.error.code, failed.error.message, failed.error.detail) == (
        "Sender",
        "InvalidParameterValue",
        "Invalid ISBN identifier 0000000000000",
        None,
    )
    assert type(odd.status) is str and odd.products == [] and odd.error is None


def test_action_without_a_response_shape_gives_a_bare_mws_result() -> None:
    body = (
        b'<CancelFulfillmentOrderResponse xmlns="http://mws.amazonaws.com/FulfillmentOutboundShipment/2010-10-01/">'
        b"<ResponseMetadata><RequestId>cancel-req-3</RequestId></ResponseMetadata>"
        b"</CancelFulfillmentOrderResponse>"
    )
    result = answering(200, body)().fulfillment_outbound_shipment.cancel_fulfillment_order(
        seller_fulfillment_order_id="FO-0042"
    )
    assert type(result) is MWSResult
    assert result == MWSResult(request_id="cancel-req-3")
    assert result.body == body


def test_response_without_its_result_element_gives_an_empty_result() -> None:
    body = b"<GetServiceStatusResponse><Other>ignored</Other></GetServiceStatusResponse>"
    result = answering(200, body, {"x-mws-request-id": "st-1"})().orders.get_service_status()
    assert result == GetServiceStatusResult(request_id="st-1")
    assert (result.status, result.timestamp, result.message_id, result.messages) == (
        None,
        None,
        None,
        [],
    )


# --- The always-a-list rule ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("orders_xml", "ids"),
    [
        ("", []),
        ("<Orders/>", []),
        ("<Orders>\n  </Orders>", []),
        ("<Orders><Order><AmazonOrderId>A-1</AmazonOrderId></Order></Orders>", ["A-1"]),
        (
            "<Orders>"
            + "".join(f"<Order><AmazonOrderId>A-{n}</AmazonOrderId></Order>" for n in range(1, 4))
            + "</Orders>",
            ["A-1", "A-2", "A-3"],
        ),
    ],
    ids=["no wrapper", "empty wrapper", "blank wrapper", "one", "three"],
)
def test_wrapped_repeated_element_is_always_a_list(orders_xml: str, ids: list[str]) -> None:
    result = list_orders(answering(200, orders_body(orders_xml))())
    assert type(result.orders) is list
    assert [order.amazon_order_id for order in result.orders] == ids


@pytest.mark.parametrize("count", [0, 1, 4])
def test_repeated_element_in_place_is_always_a_list(count: int) -> None:
    infos = "".join(
        f"<FeedSubmissionInfo><FeedSubmissionId>{n}</FeedSubmissionId></FeedSubmissionInfo>"
        for n in range(count)
    )
    body = (
        f'<GetFeedSubmissionListResponse xmlns="{FEEDS_NS}"><GetFeedSubmissionListResult>'
        f"{infos}</GetFeedSubmissionListResult></GetFeedSubmissionListResponse>"
    ).encode()
    result = feed_list(answering(200, body)())
    assert type(result.feed_submission_info) is list
    assert result.feed_submission_info == [
        FeedSubmissionInfo(feed_submission_id=str(n)) for n in range(count)
    ]


def test_nested_list_of_strings_is_a_list_with_one_item_too() -> None:
    order = one_order(
        "<PaymentMethodDetails><PaymentMethodDetail>GiftCertificate</PaymentMethodDetail>"
        "</PaymentMethodDetails>"
    )
    assert order.payment_method_details == ["GiftCertificate"]
    assert one_order("<AmazonOrderId>X</AmazonOrderId>").payment_method_details == []


# --- Missing, empty and unknown elements --------------------------------------------------


def test_missing_optional_and_required_elements_are_none() -> None:
    # AmazonOrderId, PurchaseDate and OrderStatus are always sent by MWS; tolerated when absent.
    order = one_order("<SalesChannel>Amazon.de</SalesChannel>")
    assert order == Order(sales_channel="Amazon.de")
    assert order.amazon_order_id is None
    assert order.purchase_date is None
    assert order.order_status is None
    assert order.order_total is None
    assert order.is_prime is None
    assert order.number_of_items_shipped is None


def test_missing_fields_inside_a_nested_structure_are_none() -> None:
    order = one_order("<OrderTotal><CurrencyCode>JPY</CurrencyCode></OrderTotal>")
    assert order.order_total == Money(currency_code="JPY", amount=None)


def test_empty_elements() -> None:
    order = one_order(
        "<BuyerName/><BuyerEmail>   </BuyerEmail><PurchaseDate/><IsPrime></IsPrime>"
        "<NumberOfItemsShipped> </NumberOfItemsShipped><OrderTotal><Amount/></OrderTotal>"
    )
    # an empty string element is the empty string; an empty non-string element is None
    assert order.buyer_name == ""
    assert order.buyer_email == ""
    assert order.purchase_date is None
    assert order.is_prime is None
    assert order.number_of_items_shipped is None
    assert order.order_total == Money()


def test_unknown_elements_attributes_comments_are_ignored() -> None:
    body = orders_body(
        """
    <FutureTopLevel><Deep><Deeper>42</Deeper></Deep></FutureTopLevel>
    <Orders futureAttribute="x">
      <!-- a comment the service might add -->
      <?processing instruction?>
      <Order flavour="new">
        <AmazonOrderId>222-0000000-0000001</AmazonOrderId>
        <SomethingNew>value</SomethingNew>
        <OrderTotal><CurrencyCode>GBP</CurrencyCode><Amount>5.00</Amount><Rounding>up</Rounding></OrderTotal>
        <IsPrime>false</IsPrime>
      </Order>
      <NotAnOrder><AmazonOrderId>ignored</AmazonOrderId></NotAnOrder>
    </Orders>
""",
        extra="<UnknownSibling>also ignored</UnknownSibling>",
    )
    result = list_orders(answering(200, body)())
    assert result.orders == [
        Order(
            amazon_order_id="222-0000000-0000001",
            order_total=Money(currency_code="GBP", amount=Decimal("5.00")),
            is_prime=False,
        )
    ]
    assert result.request_id == "req-orders-1"


def test_elements_without_a_namespace_are_read_too() -> None:
    body = (
        b"<ListOrdersResponse><ListOrdersResult><Orders><Order>"
        b"<AmazonOrderId>NS-LESS</AmazonOrderId></Order></Orders></ListOrdersResult>"
        b"</ListOrdersResponse>"
    )
    assert [o.amazon_order_id for o in list_orders(answering(200, body)()).orders] == ["NS-LESS"]


# --- Enums, decimals, datetimes -----------------------------------------------------------


def test_known_enum_value_is_the_enum_member() -> None:
    order = one_order("<OrderStatus>PartiallyShipped</OrderStatus>")
    assert order.order_status is OrderStatus.PARTIALLY_SHIPPED


def test_unknown_enum_value_is_kept_as_a_plain_string() -> None:
    order = one_order("<OrderStatus> TeleportedToMoon </OrderStatus>")
    assert order.order_status == "TeleportedToMoon"
    assert type(order.order_status) is str


def test_datetimes_are_timezone_aware() -> None:
    order = one_order(
        "<PurchaseDate>2023-02-03T04:05:06Z</PurchaseDate>"
        "<LastUpdateDate>2023-02-03T13:05:06.5+09:00</LastUpdateDate>"
        "<EarliestShipDate>2023-02-04T00:00:00</EarliestShipDate>"
    )
    assert order.purchase_date == datetime(2023, 2, 3, 4, 5, 6, tzinfo=UTC)
    assert order.last_update_date == datetime(
        2023, 2, 3, 13, 5, 6, 500000, tzinfo=timezone(timedelta(hours=9))
    )
    assert order.last_update_date.utcoffset() == timedelta(hours=9)
    # a time without an offset is UTC, the zone MWS writes in
    assert order.earliest_ship_date == datetime(2023, 2, 4, tzinfo=UTC)
    assert order.earliest_ship_date.tzinfo is UTC


@pytest.mark.parametrize(
    ("inner", "message"),
    [
        (
            "<OrderTotal><Amount>12,50</Amount></OrderTotal>",
            "Money.amount (Amount) should be a decimal; got '12,50'",
        ),
        (
            "<OrderTotal><Amount>NaN</Amount></OrderTotal>",
            "Money.amount (Amount) should be a decimal; got 'NaN'",
        ),
        (
            "<PurchaseDate>last Tuesday</PurchaseDate>",
            "Order.purchase_date (PurchaseDate) should be a datetime; got 'last Tuesday'",
        ),
        (
            "<PurchaseDate>2023-13-45T25:00:00Z</PurchaseDate>",
            "Order.purchase_date (PurchaseDate) should be a datetime; got '2023-13-45T25:00:00Z'",
        ),
        (
            "<NumberOfItemsShipped>three</NumberOfItemsShipped>",
            "Order.number_of_items_shipped (NumberOfItemsShipped) should be an integer; got 'three'",
        ),
        (
            "<IsPrime>maybe</IsPrime>",
            "Order.is_prime (IsPrime) should be a boolean; got 'maybe'",
        ),
        (
            f"<OrderTotal><Amount>{'9' * 100}x</Amount></OrderTotal>",
            f"Money.amount (Amount) should be a decimal; got '{'9' * 80}'",
        ),
    ],
    ids=[
        "decimal comma",
        "decimal NaN",
        "datetime words",
        "datetime range",
        "integer",
        "boolean",
        "long value",
    ],
)
def test_malformed_value_is_a_response_parse_error(inner: str, message: str) -> None:
    error = catch(ResponseParseError, lambda: one_order(inner))
    assert isinstance(error, MWSError)
    assert error.code is None
    assert error.message == message
    assert str(error).startswith(f"ResponseParseError: {message}")


# --- Headers and repr ---------------------------------------------------------------------

QUOTA_HEADERS = {
    "x-mws-request-id": "hdr-req",
    "x-mws-timestamp": "2024-01-02T03:04:07.120Z",
    "X-MWS-Quota-Max": "200.0",
    "x-mws-quota-remaining": "187",
    "x-mws-quota-resetsOn": "2024-01-02T04:00:00Z",
}
STATUS_BODY = (
    f'<GetServiceStatusResponse xmlns="{ORDERS_NS}"><GetServiceStatusResult>'
    f"<Status>GREEN</Status><Timestamp>2024-01-02T03:04:06Z</Timestamp>"
    f"</GetServiceStatusResult></GetServiceStatusResponse>"
).encode()


def test_headers_become_server_time_and_quota_fields() -> None:
    result = answering(200, STATUS_BODY, QUOTA_HEADERS)().orders.get_service_status()
    assert result.request_id == "hdr-req"
    assert result.server_time == datetime(2024, 1, 2, 3, 4, 7, 120000, tzinfo=UTC)
    assert result.quota_max == 200
    assert result.quota_remaining == 187
    assert result.quota_resets_on == datetime(2024, 1, 2, 4, 0, tzinfo=UTC)
    assert result.headers["x-mws-quota-max"] == "200.0"  # header names are lower-cased
    assert result.status == "GREEN"
    assert result.timestamp == datetime(2024, 1, 2, 3, 4, 6, tzinfo=UTC)


def test_missing_or_garbled_headers_are_none() -> None:
    garbled = {"x-mws-timestamp": "soon", "x-mws-quota-max": "lots", "x-mws-quota-resetsOn": ""}
    for headers in ({}, garbled):
        result = answering(200, STATUS_BODY, headers)().orders.get_service_status()
        assert (
            result.request_id,
            result.server_time,
            result.quota_max,
            result.quota_remaining,
            result.quota_resets_on,
        ) == (None, None, None, None, None)


def test_result_repr_has_no_body_or_headers() -> None:
    result = answering(200, STATUS_BODY, QUOTA_HEADERS)().orders.get_service_status()
    assert repr(result) == (
        "GetServiceStatusResult(request_id='hdr-req', "
        "server_time=datetime.datetime(2024, 1, 2, 3, 4, 7, 120000, tzinfo=datetime.timezone.utc), "
        "quota_max=200, quota_remaining=187, "
        "quota_resets_on=datetime.datetime(2024, 1, 2, 4, 0, tzinfo=datetime.timezone.utc), "
        "status=<ServiceStatus.GREEN: 'GREEN'>, "
        "timestamp=datetime.datetime(2024, 1, 2, 3, 4, 6, tzinfo=datetime.timezone.utc), "
        "message_id=None, messages=[])"
    )
    assert "GREEN</Status>" not in repr(result)
    assert "headers" not in repr(result) and "body" not in repr(result)


def test_results_compare_without_body_or_headers() -> None:
    first = answering(200, STATUS_BODY, {"x-mws-request-id": "same"})().orders.get_service_status()
    second = answering(200, STATUS_BODY + b"\n", {"x-mws-request-id": "same", "x-extra": "1"})()
    assert first == second.orders.get_service_status()
    assert MWSResult(request_id="a", body=b"1") == MWSResult(request_id="a", body=b"2")
    assert MWSResult(request_id="a") != MWSResult(request_id="b")


# --- MWS errors: one class per documented code ------------------------------------------

DOCUMENTED_CODES = [
    ("InputStreamDisconnected", errors.InputStreamDisconnected, 400, MWSError),
    ("InvalidParameterValue", errors.InvalidParameterValue, 400, MWSError),
    ("MissingParameter", errors.MissingParameter, 400, MWSError),
    ("InvalidRequest", errors.InvalidRequest, 400, MWSError),
    ("RequestExpired", errors.RequestExpired, 400, MWSError),
    ("ContentMD5DoesNotMatch", errors.ContentMD5Mismatch, 400, MWSError),
    ("AccessDenied", errors.AccessDenied, 401, MWSError),
    ("InvalidAccessKeyId", errors.InvalidAccessKeyId, 403, MWSError),
    ("InvalidClientTokenId", errors.InvalidClientTokenId, 403, MWSError),
    ("SignatureDoesNotMatch", errors.SignatureDoesNotMatch, 403, MWSError),
    ("InvalidAddress", errors.InvalidAddress, 404, MWSError),
    ("InternalError", errors.InternalError, 500, errors.ServerError),
    ("QuotaExceeded", errors.QuotaExceeded, 503, ThrottledError),
    ("RequestThrottled", errors.RequestThrottled, 503, ThrottledError),
    ("ServiceUnavailable", errors.ServiceUnavailable, 503, errors.ServerError),
]


def error_body(code: str, message: str, request_id_tag: str, request_id: str) -> bytes:
    return (
        f'<?xml version="1.0"?>\n<ErrorResponse xmlns="{FEEDS_NS}">\n'
        f"  <Error><Type>Sender</Type><Code>{code}</Code><Message>{message}</Message>"
        f"<Detail/></Error>\n"
        f"  <{request_id_tag}>{request_id}</{request_id_tag}>\n</ErrorResponse>"
    ).encode()


@pytest.mark.parametrize("request_id_tag", ["RequestId", "RequestID"])
@pytest.mark.parametrize(
    ("code", "cls", "status", "family"),
    DOCUMENTED_CODES,
    ids=[code for code, *_ in DOCUMENTED_CODES],
)
def test_documented_code_raises_its_own_class(
    code: str, cls: type[MWSError], status: int, family: type[MWSError], request_id_tag: str
) -> None:
    request_id = f"rid-{code.lower()}"
    body = error_body(code, f"Explaining {code} in our words", request_id_tag, request_id)
    error = catch(
        MWSError, lambda: list_orders(answering(status, body, {"x-mws-request-id": "hdr"})())
    )
    assert type(error) is cls
    assert isinstance(error, family)
    assert isinstance(error, MWSError)
    assert error.code == code
    assert error.message == f"Explaining {code} in our words"
    assert error.error_type == "Sender"
    assert error.request_id == request_id  # the body's id wins over the header's
    assert error.status_code == status
    assert error.detail is None
    assert str(error) == (
        f"{code}: Explaining {code} in our words (HTTP {status}, request id {request_id})"
    )
    assert errors.error_class_for(code) is cls


def test_error_classes_are_exported_once() -> None:
    assert issubclass(errors.RequestThrottled, ThrottledError)
    assert issubclass(ThrottledError, MWSError)
    assert mwskit.ThrottledError is errors.ThrottledError
    assert mwskit.MWSError is errors.MWSError
    assert mwskit.ResponseParseError is errors.ResponseParseError
    assert mwskit.ContentMD5Mismatch is errors.ContentMD5Mismatch
    for _code, cls, _, _ in DOCUMENTED_CODES:
        assert getattr(errors, cls.__name__) is cls
        assert cls.__name__ in errors.__all__
    assert errors.error_class_for(None) is MWSError
    assert errors.error_class_for("") is MWSError


@pytest.mark.parametrize("code", ["InvalidReportId", "SomethingBrandNew", "requestthrottled"])
def test_unknown_code_is_a_plain_mws_error(code: str) -> None:
    body = error_body(code, "Not one of ours", "RequestID", "rid-unknown")
    error = catch(MWSError, lambda: feed_list(answering(400, body)()))
    assert type(error) is MWSError
    assert error.code == code
    assert error.error_type == "Sender"
    assert error.status_code == 400
    assert str(error) == f"{code}: Not one of ours (HTTP 400, request id rid-unknown)"


def test_error_details_from_the_documented_example_layout() -> None:
    body = b"""<?xml version="1.0"?>
<ErrorResponse xmlns="http://mws.amazonservices.com/doc/2009-01-01/">
    <Error>
        <Type>Sender</Type>
        <Code>InvalidClientTokenId</Code>
        <Message> This access key is not known to us. </Message>
        <Detail>com.example.Detail@1a2b3c</Detail>
    </Error>
    <RequestID>0f0e0d0c-token-example</RequestID>
</ErrorResponse>"""
    error = catch(errors.InvalidClientTokenId, lambda: feed_list(answering(403, body)()))
    assert error.message == " This access key is not known to us. "
    assert error.detail == "com.example.Detail@1a2b3c"
    assert error.request_id == "0f0e0d0c-token-example"
    assert error.status_code == 403


def test_error_without_request_id_uses_the_header() -> None:
    body = b"<ErrorResponse><Error><Code>InternalError</Code><Message>Oops</Message></Error></ErrorResponse>"
    error = catch(
        errors.InternalError,
        lambda: feed_list(answering(500, body, {"x-mws-request-id": "hdr-7"})()),
    )
    assert error.request_id == "hdr-7"
    assert error.error_type is None
    assert str(error) == "InternalError: Oops (HTTP 500, request id hdr-7)"


def test_error_response_without_error_element() -> None:
    error = catch(
        MWSError,
        lambda: feed_list(
            answering(500, b"<ErrorResponse><RequestId>r</RequestId></ErrorResponse>")()
        ),
    )
    assert type(error) is MWSError
    assert error.code is None
    assert str(error) == "MWSError: ErrorResponse without an Error element (HTTP 500, request id r)"


def test_error_response_with_status_200_still_raises() -> None:
    body = error_body("InvalidParameterValue", "Bad MarketplaceId", "RequestId", "r200")
    error = catch(errors.InvalidParameterValue, lambda: list_orders(answering(200, body)()))
    assert error.status_code == 200
    assert str(error) == "InvalidParameterValue: Bad MarketplaceId (HTTP 200, request id r200)"


# --- Non-XML and malformed error bodies ---------------------------------------------------

HTML_503 = (
    b"<!DOCTYPE html>\n<html><head><title>503 Temporarily Closed</title></head><body>"
    b"<h1>We are closed for a moment</h1><p>The gateway could not reach the marketplace service "
    b"right now because the whole warehouse went on a tea break. Please come back a bit later.</p>"
    b"<hr><address>gateway 7 at port 443</address></body></html>"
)


def test_html_error_body_becomes_mws_error_with_truncated_body() -> None:
    assert len(HTML_503) > 200
    error = catch(
        MWSError, lambda: list_orders(answering(503, HTML_503, {"x-mws-request-id": "h1"})())
    )
    assert type(error) is MWSError
    assert error.code is None
    assert error.error_type is None
    assert error.status_code == 503
    assert error.request_id == "h1"
    shown = HTML_503[:200].decode() + "..."
    assert error.message == f"unexpected non-XML error body: {shown!r}"
    assert str(error) == (
        f"MWSError: unexpected non-XML error body: {shown!r} (HTTP 503, request id h1)"
    )
    assert HTML_503[200:].decode() not in str(error)


@pytest.mark.parametrize(
    ("status", "body", "message"),
    [
        (502, b"Bad Gateway", "unexpected non-XML error body: 'Bad Gateway'"),
        (500, b"", "unexpected non-XML error body: ''"),
        (
            400,
            b"<ErrorResponse><Error><Code>Throttled",
            "unexpected non-XML error body: '<ErrorResponse><Error><Code>Throttled'",
        ),
        (
            403,
            b"\xff\xfe broken \xc3",
            "unexpected non-XML error body: '\ufffd\ufffd broken \ufffd'",
        ),
        (
            500,
            b"<html><body>down</body></html>",
            "unexpected error body <html>: '<html><body>down</body></html>'",
        ),
    ],
    ids=["text", "empty", "truncated xml", "invalid utf-8", "other xml"],
)
def test_unusable_error_body_gives_mws_error_with_status(
    status: int, body: bytes, message: str
) -> None:
    error = catch(MWSError, lambda: feed_list(answering(status, body)()))
    assert type(error) is MWSError
    assert error.code is None
    assert error.status_code == status
    assert error.message == message
    assert str(error) == f"MWSError: {message} (HTTP {status})"


def test_long_garbage_error_body_is_truncated_to_200_characters() -> None:
    body = b"x" * 5000
    error = catch(MWSError, lambda: feed_list(answering(500, body)()))
    assert error.message == f"unexpected non-XML error body: {'x' * 200 + '...'!r}"


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
    assert str(error) == f"ResponseParseError: {expected} (HTTP 200)"


# --- Hostile XML ---------------------------------------------------------------------------

REFUSED = "the response declares a DTD or entities, which MWS never sends; refused"

XXE = (
    b'<?xml version="1.0"?>\n<!DOCTYPE ListOrdersResponse [\n'
    b'  <!ENTITY leak SYSTEM "file:///etc/passwd">\n]>\n'
    b"<ListOrdersResponse><ListOrdersResult><NextToken>&leak;</NextToken></ListOrdersResult>"
    b"</ListOrdersResponse>"
)


def _bomb(levels: int = 10) -> str:
    lines = ['<!ENTITY ha "haha">']
    for level in range(1, levels):
        previous = f"&ha{level - 1};" if level > 1 else "&ha;"
        lines.append(f'<!ENTITY ha{level} "{previous * 10}">')
    return (
        f"<!DOCTYPE ListOrdersResponse [\n{chr(10).join(lines)}\n]>\n"
        f"<ListOrdersResponse><ListOrdersResult><NextToken>&ha{levels - 1};</NextToken>"
        f"</ListOrdersResult></ListOrdersResponse>"
    )


BILLION_LAUGHS = ('<?xml version="1.0"?>\n' + _bomb()).encode()
DOCTYPE_ALONE = b'<?xml version="1.0"?><!DOCTYPE ListOrdersResponse><ListOrdersResponse/>'
PARAMETER_ENTITY = (
    b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY % fetch SYSTEM "http://127.0.0.1:9/evil.dtd">'
    b" %fetch;]><ListOrdersResponse/>"
)
PARAMETER_ENTITY_INLINE = (
    b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY % inner "<!ENTITY boom \'kaboom\'>"> %inner;]>'
    b"<ListOrdersResponse><ListOrdersResult><NextToken>&boom;</NextToken></ListOrdersResult>"
    b"</ListOrdersResponse>"
)
UTF16_XXE = (
    '<?xml version="1.0" encoding="UTF-16"?>'
    '<!DOCTYPE ListOrdersResponse [<!ENTITY leak SYSTEM "file:///etc/passwd">]>'
    "<ListOrdersResponse><ListOrdersResult><NextToken>&leak;</NextToken></ListOrdersResult>"
    "</ListOrdersResponse>"
).encode("utf-16")
UTF16_DTD_ALONE = (
    '<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE ListOrdersResponse><ListOrdersResponse/>'
).encode("utf-16")


@pytest.mark.parametrize(
    "body",
    [
        XXE,
        BILLION_LAUGHS,
        DOCTYPE_ALONE,
        PARAMETER_ENTITY,
        PARAMETER_ENTITY_INLINE,
        UTF16_XXE,
        UTF16_DTD_ALONE,
    ],
    ids=[
        "external entity",
        "billion laughs",
        "doctype alone",
        "external parameter entity",
        "inline parameter entity",
        "utf-16 external entity",
        "utf-16 doctype",
    ],
)
def test_hostile_xml_is_refused(body: bytes) -> None:
    error = catch(ResponseParseError, lambda: list_orders(answering(200, body)()))
    assert error.message == REFUSED
    assert error.code is None
    assert error.status_code == 200
    assert str(error) == f"ResponseParseError: {REFUSED} (HTTP 200)"
    assert "root:" not in str(error)


def test_utf16_billion_laughs_is_a_response_parse_error() -> None:
    # The byte scan cannot see a UTF-16 DTD; libxml2's amplification limit stops the bomb.
    body = ('<?xml version="1.0" encoding="UTF-16"?>\n' + _bomb()).encode("utf-16")
    error = catch(ResponseParseError, lambda: list_orders(answering(200, body)()))
    assert error.status_code == 200
    preview = body[:200].decode("utf-8", errors="replace") + "..."
    expected = f"the response is not well-formed XML ({_libxml_message(body)}): {preview!r}"
    assert error.message == expected
    assert "haha" * 100 not in str(error)


@pytest.mark.parametrize(
    "body",
    [
        XXE,
        BILLION_LAUGHS,
        PARAMETER_ENTITY,
        UTF16_XXE,
        ('<?xml version="1.0" encoding="UTF-16"?>\n' + _bomb()).encode("utf-16"),
        ('<?xml version="1.0"?>\n' + _bomb(12)).encode(),
    ],
    ids=[
        "external entity",
        "billion laughs",
        "parameter entity",
        "utf-16 xxe",
        "utf-16 bomb",
        "deeper bomb",
    ],
)
def test_hostile_xml_uses_bounded_memory_and_time(body: bytes) -> None:
    mws = answering(200, body)()
    max_rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    tracemalloc.start()
    started = time.perf_counter()
    try:
        with pytest.raises(ResponseParseError):
            list_orders(mws)
        elapsed = time.perf_counter() - started
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    grown = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - max_rss_before
    assert peak < 2 * 1024 * 1024, peak  # Python allocations
    assert grown < 32 * 1024, grown  # the whole process (libxml2 included): an expansion is GBs
    assert elapsed < 1.0, elapsed


def test_hostile_xml_in_an_error_status_is_not_parsed() -> None:
    error = catch(MWSError, lambda: list_orders(answering(400, XXE)()))
    assert type(error) is MWSError
    shown = XXE[:200].decode() + "..."
    assert str(error) == f"MWSError: unexpected non-XML error body: {shown!r} (HTTP 400)"
    assert "root:" not in str(error)


# --- Documents: GetReport / GetFeedSubmissionResult -----------------------------------------

REPORT = "sku\tasin\tprice\tquantity\nTEE-RED-M\tB0TESTTEE1\t19.90\t12\nMÜSLI-1\tB0TESTMSL1\t4.25\t0\n".encode()
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
    assert type(error) is MWSError
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
    assert text.startswith(
        "ClientConfig(access_key='AKIAEXAMPLEACCESSKEY', seller_id='A1EXAMPLESELLER', "
    )
    assert "expires_in=datetime.timedelta(seconds=300)" in text
    assert SECRET not in text
    assert TOKEN not in text
    assert "secret_key" not in text
    assert "auth_token" not in text
    # the config a client holds is shown the same way
    mws = answering(200, b"<R/>")()
    held = repr(mws._session.config)
    assert SECRET not in held and TOKEN not in held


def test_results_never_show_the_secret_or_token() -> None:
    result = answering(200, STATUS_BODY, QUOTA_HEADERS)().orders.get_service_status()
    for text in (repr(result), str(result)):
        assert SECRET not in text and TOKEN not in text
    # the signed request is not kept on the result either
    assert all(
        SECRET not in str(value) and TOKEN not in str(value) for value in result.headers.values()
    )


def _failures() -> list[BaseException]:
    """Every kind of error a client with the secret and token can raise."""
    found: list[BaseException] = []

    def collect(call: Callable[[], Any]) -> None:
        try:
            call()
        except Exception as error:
            found.append(error)
        else:
            raise AssertionError("expected an error")

    ok = answering(200, b"<R/>")
    collect(lambda: ok().orders.list_orders(marketplace_id="M", created_after=NOW))
    collect(lambda: ok().orders.list_orders(marketplace_id=["M"]))
    collect(
        lambda: ok().orders.list_orders(marketplace_id=["M"], created_after=datetime(2024, 1, 1))
    )
    collect(lambda: ok().orders.list_order_items(amazon_order_id=None))  # type: ignore[arg-type]
    collect(lambda: ok().feeds.submit_feed(feed_type="_POST_PRODUCT_DATA_", feed_content=None))  # type: ignore[arg-type]
    collect(lambda: ok(region="XX"))
    collect(lambda: ok(seller_parameter="Seller"))
    collect(lambda: ok(expires_in=timedelta(0)))
    collect(lambda: ok(endpoint="ftp://example.com"))
    collect(lambda: ok(signature_method="HmacMD5"))
    signature_error = error_body("SignatureDoesNotMatch", "Signature differs", "RequestId", "s")
    collect(lambda: list_orders(answering(403, signature_error)()))
    collect(lambda: list_orders(answering(503, HTML_503)()))
    collect(lambda: list_orders(answering(200, b"<broken")()))
    collect(lambda: list_orders(answering(200, XXE)()))
    collect(lambda: one_order("<PurchaseDate>never</PurchaseDate>"))
    collect(
        lambda: get_report(answering(200, REPORT, {"Content-MD5": "AAAAAAAAAAAAAAAAAAAAAA=="})())
    )

    def transport_failure(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    collect(
        lambda: answering(200, b"")(
            transport=httpx.MockTransport(transport_failure)
        ).feeds.submit_feed(feed_type="_POST_PRODUCT_DATA_", feed_content=b"<x/>")
    )
    return found


def test_no_exception_shows_the_secret_or_token() -> None:
    failures = _failures()
    assert len(failures) == 17
    for error in failures:
        for text in (str(error), repr(error), repr(error.args)):
            assert SECRET not in text, text
            assert TOKEN not in text, text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "2017-02-20T19:49:35.123Z",
            datetime(2017, 2, 20, 19, 49, 35, 123000, tzinfo=UTC),
        ),
        ("Wed, 06 Mar 2013 19:07:58 GMT", datetime(2013, 3, 6, 19, 7, 58, tzinfo=UTC)),
        ("10/16/2018 07:41:12", datetime(2018, 10, 16, 7, 41, 12, tzinfo=UTC)),
        ("2020-01-01", datetime(2020, 1, 1, tzinfo=UTC)),
    ],
)
def test_time_spellings_seen_in_mws_answers(text: str, expected: datetime) -> None:
    from mwskit._runtime.results import to_datetime

    assert to_datetime(text) == expected


def test_integral_decimal_text_reads_as_an_integer() -> None:
    from mwskit._runtime.results import ResultField, ResultShapeSpec, read_shape

    @dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
    class Count:
        quantity: int | None = None

    spec = ResultShapeSpec(Count, (ResultField("quantity", "Quantity", "integer"),))
    element = etree.fromstring(b"<Count><Quantity>3.0</Quantity></Count>")
    assert read_shape(element, spec) == Count(quantity=3)
    with pytest.raises(ResponseParseError) as caught:
        read_shape(etree.fromstring(b"<Count><Quantity>3.5</Quantity></Count>"), spec)
    assert (
        str(caught.value)
        == "ResponseParseError: Count.quantity (Quantity) should be an integer; got '3.5'"
    )


def test_next_token_beside_the_result_element_is_kept() -> None:
    """A live ListMarketplaceParticipations answer carried NextToken after its result element."""
    body = (
        b'<ListMarketplaceParticipationsResponse xmlns="https://mws.amazonservices.com/Sellers/2011-07-01">'
        b"<ListMarketplaceParticipationsResult><ListParticipations><Participation>"
        b"<MarketplaceId>ATVPDKIKX0DER</MarketplaceId><SellerId>A1</SellerId>"
        b"<HasSellerSuspendedListings>No</HasSellerSuspendedListings></Participation>"
        b"</ListParticipations></ListMarketplaceParticipationsResult>"
        b"<NextToken> MRgZW55IGNhcm5hbCBwbGVhc3VyZS4= </NextToken>"
        b"<ResponseMetadata><RequestId>r1</RequestId></ResponseMetadata>"
        b"</ListMarketplaceParticipationsResponse>"
    )
    result = answering(200, body)().sellers.list_marketplace_participations()
    assert result.next_token == "MRgZW55IGNhcm5hbCBwbGVhc3VyZS4="
    assert [p.marketplace_id for p in result.list_participations] == ["ATVPDKIKX0DER"]
    assert result.request_id == "r1"


def test_hostile_long_numbers_are_refused_quickly() -> None:
    """int(Decimal("1e1000000")) would build a million-digit integer; the parser refuses first."""
    import time

    from mwskit._runtime.results import ResultField, ResultShapeSpec, read_shape

    @dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
    class Count:
        count: int | None = None

    spec = ResultShapeSpec(Count, (ResultField("count", "Count", "integer"),))
    started = time.perf_counter()
    for text in ("1e1000000", "9" * 5000):
        element = etree.fromstring(f"<R><Count>{text}</Count></R>".encode())
        with pytest.raises(ResponseParseError):
            read_shape(element, spec)
    assert time.perf_counter() - started < 0.5


def test_prepared_request_repr_hides_url_and_body() -> None:
    from mwskit._runtime.client import PreparedRequest

    request = PreparedRequest("POST", "https://h/?MWSAuthToken=amzn.secret", (), b"MWSAuthToken=x")
    assert "amzn.secret" not in repr(request) and "MWSAuthToken" not in repr(request)
