"""Typed results: always-a-list, missing, empty and unknown elements, enums, numbers and times."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from lxml import etree
from runtime_helpers.answers import (
    ALWAYS_SENT,
    FEED_LIST,
    FEEDS_NS,
    answering,
    catch,
    feed_list,
    list_orders,
    one_order,
    orders_body,
    with_required,
)

from mwskit import MWSError, MWSResult, ResponseParseError
from mwskit.feeds import (
    FeedProcessingStatus,
    FeedSubmissionInfo,
    FeedType,
    GetFeedSubmissionListResult,
)
from mwskit.orders import GetServiceStatusResult, ListOrdersResult, Money, Order, OrderStatus
from mwskit.products import BulkResultStatus, GetMatchingProductForIdResponse

# --- Typed results ------------------------------------------------------------------------


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
        <LastUpdateDate>2023-06-30T08:00:00Z</LastUpdateDate>
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
            last_update_date=datetime(2023, 6, 30, 8, 0, tzinfo=UTC),
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
        (
            f"<Orders><Order>{with_required('<AmazonOrderId>A-1</AmazonOrderId>')}</Order></Orders>",
            ["A-1"],
        ),
        (
            "<Orders>"
            + "".join(
                f"<Order>{with_required(f'<AmazonOrderId>A-{n}</AmazonOrderId>')}</Order>"
                for n in range(1, 4)
            )
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


def test_missing_optional_elements_are_none() -> None:
    order = one_order("<SalesChannel>Amazon.de</SalesChannel>")
    assert order.sales_channel == "Amazon.de"
    assert order.order_total is None
    assert order.is_prime is None
    assert order.number_of_items_shipped is None


@pytest.mark.parametrize(
    ("missing", "field"),
    [
        ("AmazonOrderId", "amazon_order_id"),
        ("PurchaseDate", "purchase_date"),
        ("LastUpdateDate", "last_update_date"),
        ("OrderStatus", "order_status"),
    ],
)
def test_a_missing_always_sent_element_is_refused_naming_its_path(missing: str, field: str) -> None:
    # The Orders docs mark these required: their fields are not Optional, so an answer without
    # one cannot be read into an Order.
    inner = "".join(
        f"<{tag}>{value}</{tag}>" for tag, value in ALWAYS_SENT.items() if tag != missing
    )
    body = orders_body(f"<Orders><Order>{inner}</Order></Orders>")
    error = catch(ResponseParseError, lambda: list_orders(answering(200, body)()))
    assert str(error) == (
        f"ResponseParseError: ListOrdersResponse/ListOrdersResult/Orders/Order/{missing} is "
        f"missing or empty: Order.{field} is always sent by MWS (the docs mark it required)"
    )


def test_an_empty_always_sent_time_is_refused_too() -> None:
    error = catch(ResponseParseError, lambda: one_order("<PurchaseDate> </PurchaseDate>"))
    assert "Orders/Order/PurchaseDate is missing or empty: Order.purchase_date" in str(error)


def test_missing_fields_inside_a_nested_structure_are_none() -> None:
    order = one_order("<OrderTotal><CurrencyCode>JPY</CurrencyCode></OrderTotal>")
    assert order.order_total == Money(currency_code="JPY", amount=None)


def test_empty_elements() -> None:
    order = one_order(
        "<BuyerName/><BuyerEmail>   </BuyerEmail><IsPrime></IsPrime>"
        "<NumberOfItemsShipped> </NumberOfItemsShipped><OrderTotal><Amount/></OrderTotal>"
    )
    # an empty string element is the empty string; an empty non-string element is None
    assert order.buyer_name == ""
    assert order.buyer_email == ""
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
        <PurchaseDate>2017-02-20T19:49:35Z</PurchaseDate>
        <LastUpdateDate>2017-02-20T19:49:35Z</LastUpdateDate>
        <OrderStatus>Shipped</OrderStatus>
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
            purchase_date=datetime(2017, 2, 20, 19, 49, 35, tzinfo=UTC),
            last_update_date=datetime(2017, 2, 20, 19, 49, 35, tzinfo=UTC),
            order_status=OrderStatus.SHIPPED,
            order_total=Money(currency_code="GBP", amount=Decimal("5.00")),
            is_prime=False,
        )
    ]
    assert result.request_id == "req-orders-1"


def test_elements_without_a_namespace_are_read_too() -> None:
    body = (
        b"<ListOrdersResponse><ListOrdersResult><Orders><Order>"
        + with_required("<AmazonOrderId>NS-LESS</AmazonOrderId>").encode()
        + b"</Order></Orders></ListOrdersResult>"
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
