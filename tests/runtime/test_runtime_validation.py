"""Every argument check of the runtime, with its exact message, raised before any request."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import httpx
import pytest

from mwskit import MWS
from mwskit.fulfillment_inbound_shipment import models as fis
from mwskit.marketplaces import REGION_HOSTS
from mwskit.orders.models import FulfillmentChannel

NOW = datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)


class NoRequests:
    def __init__(self) -> None:
        self.calls = 0

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.calls += 1
        return httpx.Response(200, content=b"<Response/>")


@pytest.fixture
def handler() -> Iterator[NoRequests]:
    recorder = NoRequests()
    yield recorder
    assert recorder.calls == 0, "validation must fail before any request is sent"


@pytest.fixture
def mws(handler: NoRequests) -> MWS:
    return MWS(
        access_key="AK",
        secret_key="SK",
        seller_id="SELLER",
        transport=httpx.MockTransport(handler),
        clock=lambda: NOW,
        throttle="off",
    )


def raises(kind: type[Exception], message: str, call: Callable[[], Any]) -> None:
    with pytest.raises(kind) as caught:
        call()
    assert type(caught.value) is kind
    assert str(caught.value) == message


ADDRESS: dict[str, Any] = {
    "name": "Jane",
    "address_line1": "1 Main St",
    "city": "Seattle",
    "country_code": "US",
}


def plan(mws: MWS, address: Any = None, items: Any = None, **extra: Any) -> Any:
    return mws.fulfillment_inbound_shipment.create_inbound_shipment_plan(
        ship_from_address=ADDRESS if address is None else address,
        inbound_shipment_plan_request_items=(
            [{"seller_sku": "S", "quantity": 1}] if items is None else items
        ),
        **extra,
    )


def small_parcel(mws: MWS, dimensions: Any = None, weight: Any = None, packages: Any = None) -> Any:
    package = {
        "dimensions": (
            {"length": 1, "width": 1, "height": 1, "unit": "inches"}
            if dimensions is None
            else dimensions
        ),
        "weight": {"value": 1, "unit": "pounds"} if weight is None else weight,
    }
    return mws.fulfillment_inbound_shipment.put_transport_content(
        shipment_id="FBA1",
        is_partnered=True,
        shipment_type="SP",
        transport_details={
            "partnered_small_parcel_data": {
                "package_list": [package] if packages is None else packages
            }
        },
    )


DIM_LENGTH = (
    "put_transport_content(): transport_details.partnered_small_parcel_data.package_list[0]"
    ".dimensions.length (TransportDetails.PartneredSmallParcelData.PackageList.member.1"
    ".Dimensions.Length)"
)


# --- Wrong type, for each kind -----------------------------------------------------------

TYPE_CASES: list[tuple[str, Callable[[MWS], Any], str]] = [
    (
        "string given int",
        lambda m: m.orders.list_order_items(amazon_order_id=123),
        "list_order_items(): amazon_order_id (AmazonOrderId) must be a str, not int",
    ),
    (
        "string given bytes",
        lambda m: m.orders.list_order_items(amazon_order_id=b"902-1"),
        "list_order_items(): amazon_order_id (AmazonOrderId) must be a str, not bytes",
    ),
    (
        "string list item given int",
        lambda m: m.orders.get_order(amazon_order_id=["A", 2]),
        "get_order(): amazon_order_id[1] (AmazonOrderId.Id.2) must be a str, not int",
    ),
    (
        "datetime given str",
        lambda m: m.orders.list_orders(marketplace_id=["M"], created_after="2024-01-01T00:00:00Z"),
        "list_orders(): created_after (CreatedAfter) must be a timezone-aware datetime, not str",
    ),
    (
        "datetime given date",
        lambda m: m.orders.list_orders(marketplace_id=["M"], created_after=date(2024, 1, 1)),
        "list_orders(): created_after (CreatedAfter) must be a timezone-aware datetime, not date",
    ),
    (
        "datetime given epoch int",
        lambda m: m.reports.get_report_list(available_from_date=1704067200),
        "get_report_list(): available_from_date (AvailableFromDate) must be a timezone-aware datetime, not int",
    ),
    (
        "boolean given int",
        lambda m: m.reports.get_report_count(acknowledged=1),
        "get_report_count(): acknowledged (Acknowledged) must be a bool, not int",
    ),
    (
        "boolean given str",
        lambda m: m.reports.get_report_count(acknowledged="true"),
        "get_report_count(): acknowledged (Acknowledged) must be a bool, not str",
    ),
    (
        "integer given str",
        lambda m: m.reports.get_report_list(max_count="10"),
        "get_report_list(): max_count (MaxCount) must be an int, not str",
    ),
    (
        "integer given bool",
        lambda m: m.reports.get_report_list(max_count=True),
        "get_report_list(): max_count (MaxCount) must be an int, not bool",
    ),
    (
        "integer given float",
        lambda m: m.reports.get_report_list(max_count=10.0),
        "get_report_list(): max_count (MaxCount) must be an int, not float",
    ),
    (
        "integer given Decimal",
        lambda m: m.fulfillment_inbound_shipment.get_pallet_labels(
            shipment_id="S", page_type="PackageLabel_A4_2", number_of_pallets=Decimal(2)
        ),
        "get_pallet_labels(): number_of_pallets (NumberOfPallets) must be an int, not Decimal",
    ),
    (
        "decimal given str",
        lambda m: small_parcel(
            m, dimensions={"length": "1.5", "width": 1, "height": 1, "unit": "inches"}
        ),
        f"{DIM_LENGTH} must be a Decimal, int or float, not str",
    ),
    (
        "decimal given bool",
        lambda m: small_parcel(
            m, dimensions={"length": True, "width": 1, "height": 1, "unit": "inches"}
        ),
        f"{DIM_LENGTH} must be a Decimal, int or float, not bool",
    ),
    (
        "date given datetime",
        lambda m: m.fulfillment_inbound_shipment.confirm_preorder(
            shipment_id="S", need_by_date=NOW
        ),
        "confirm_preorder(): need_by_date (NeedByDate) must be a date, not datetime",
    ),
    (
        "date given str",
        lambda m: m.fulfillment_inbound_shipment.confirm_preorder(
            shipment_id="S", need_by_date="2024-01-01"
        ),
        "confirm_preorder(): need_by_date (NeedByDate) must be a date, not str",
    ),
    (
        "structure given str",
        lambda m: plan(m, address="1 Main St, Seattle"),
        "create_inbound_shipment_plan(): ship_from_address (ShipFromAddress) must be a Address or a mapping, not str",
    ),
    (
        "structure given the wrong dataclass",
        lambda m: plan(m, address=fis.Weight(value=1, unit="pounds")),
        "create_inbound_shipment_plan(): ship_from_address (ShipFromAddress) must be a Address or a mapping, not Weight",
    ),
    (
        "structure list item given list",
        lambda m: plan(m, items=[["S", 1]]),
        "create_inbound_shipment_plan(): inbound_shipment_plan_request_items[0] "
        "(InboundShipmentPlanRequestItems.member.1) must be a InboundShipmentPlanRequestItem "
        "or a mapping, not list",
    ),
    (
        "nested structure given int",
        lambda m: small_parcel(m, weight=5),
        "put_transport_content(): transport_details.partnered_small_parcel_data.package_list[0].weight "
        "(TransportDetails.PartneredSmallParcelData.PackageList.member.1.Weight) must be a Weight "
        "or a mapping, not int",
    ),
    (
        "list given str",
        lambda m: m.orders.list_orders(marketplace_id="ATVPDKIKX0DER", created_after=NOW),
        "list_orders(): marketplace_id (MarketplaceId.Id.N) must be an iterable of values (a list), not str",
    ),
    (
        "list given bytes",
        lambda m: m.orders.get_order(amazon_order_id=b"902-1"),
        "get_order(): amazon_order_id (AmazonOrderId.Id.N) must be an iterable of values (a list), not bytes",
    ),
    (
        "list given dict",
        lambda m: m.orders.get_order(amazon_order_id={"a": 1}),
        "get_order(): amazon_order_id (AmazonOrderId.Id.N) must be an iterable of values (a list), not dict",
    ),
    (
        "list given int",
        lambda m: m.orders.get_order(amazon_order_id=5),
        "get_order(): amazon_order_id (AmazonOrderId.Id.N) must be an iterable of values (a list), not int",
    ),
    (
        "list of structures given a mapping",
        lambda m: plan(m, items={"seller_sku": "S", "quantity": 1}),
        "create_inbound_shipment_plan(): inbound_shipment_plan_request_items "
        "(InboundShipmentPlanRequestItems.member.N) must be an iterable of values (a list), not dict",
    ),
    (
        "nested list given str",
        lambda m: plan(
            m, items=[{"seller_sku": "S", "quantity": 1, "prep_details_list": "Taping"}]
        ),
        "create_inbound_shipment_plan(): inbound_shipment_plan_request_items[0].prep_details_list "
        "(InboundShipmentPlanRequestItems.member.1.PrepDetailsList.PrepDetails.N) must be an "
        "iterable of values (a list), not str",
    ),
]


@pytest.mark.parametrize(
    ("call", "message"), [case[1:] for case in TYPE_CASES], ids=[case[0] for case in TYPE_CASES]
)
def test_wrong_types(mws: MWS, call: Callable[[MWS], Any], message: str) -> None:
    raises(TypeError, message, lambda: call(mws))


# --- Wrong values ------------------------------------------------------------------------

VALUE_CASES: list[tuple[str, Callable[[MWS], Any], str]] = [
    (
        "naive datetime",
        lambda m: m.orders.list_orders(marketplace_id=["M"], created_after=datetime(2024, 1, 1)),
        "list_orders(): created_after (CreatedAfter) must be a timezone-aware datetime; got a naive "
        "datetime (add tzinfo, e.g. timezone.utc)",
    ),
    (
        "naive datetime inside a structure-free operation",
        lambda m: m.feeds.get_feed_submission_list(submitted_to_date=datetime(2024, 1, 1, 12)),
        "get_feed_submission_list(): submitted_to_date (SubmittedToDate) must be a timezone-aware "
        "datetime; got a naive datetime (add tzinfo, e.g. timezone.utc)",
    ),
    (
        "None inside a list",
        lambda m: m.orders.list_orders(marketplace_id=["M", None], created_after=NOW),
        "list_orders(): marketplace_id[1] (MarketplaceId.Id.2) is None; lists cannot hold None",
    ),
    (
        "None inside a list of structures",
        lambda m: plan(m, items=[{"seller_sku": "S", "quantity": 1}, None]),
        "create_inbound_shipment_plan(): inbound_shipment_plan_request_items[1] "
        "(InboundShipmentPlanRequestItems.member.2) is None; lists cannot hold None",
    ),
    (
        "unknown enum value",
        lambda m: m.orders.list_orders(
            marketplace_id=["M"], created_after=NOW, order_status=["Unshipped", "Shipping"]
        ),
        "list_orders(): order_status[1] (OrderStatus.Status.2): 'Shipping' is not an allowed value; "
        "allowed: 'Canceled', 'InvoiceUnconfirmed', 'PartiallyShipped', 'Pending', "
        "'PendingAvailability', 'Shipped', 'Unfulfillable', 'Unshipped'",
    ),
    (
        "enum values are case-sensitive",
        lambda m: m.orders.list_orders(
            marketplace_id=["M"], created_after=NOW, fulfillment_channel=["afn"]
        ),
        "list_orders(): fulfillment_channel[0] (FulfillmentChannel.Channel.1): 'afn' is not an "
        "allowed value; allowed: 'AFN', 'MFN'",
    ),
    (
        "unknown enum value in a scalar",
        lambda m: m.fulfillment_inbound_shipment.put_transport_content(
            shipment_id="S", is_partnered=True, shipment_type="FTL", transport_details={}
        ),
        "put_transport_content(): shipment_type (ShipmentType): 'FTL' is not an allowed value; "
        "allowed: 'LTL', 'SP'",
    ),
    (
        "unknown enum value inside a structure",
        lambda m: small_parcel(m, weight={"value": 1, "unit": "grams"}),
        "put_transport_content(): transport_details.partnered_small_parcel_data.package_list[0]."
        "weight.unit (TransportDetails.PartneredSmallParcelData.PackageList.member.1.Weight.Unit): "
        "'grams' is not an allowed value; allowed: 'kilograms', 'pounds'",
    ),
    (
        "too many items",
        lambda m: m.orders.get_order(amazon_order_id=[f"O{index}" for index in range(51)]),
        "get_order(): amazon_order_id (AmazonOrderId.Id.N) accepts at most 50 items; got 51",
    ),
    (
        "too many structure items",
        lambda m: m.fulfillment_inbound_shipment.update_inbound_shipment(
            shipment_id="S",
            inbound_shipment_header={
                "shipment_name": "N",
                "ship_from_address": ADDRESS,
                "destination_fulfillment_center_id": "D",
                "shipment_status": "WORKING",
                "label_prep_preference": "SELLER_LABEL",
            },
            inbound_shipment_items=[
                {"seller_sku": f"S{index}", "quantity_shipped": 1} for index in range(201)
            ],
        ),
        "update_inbound_shipment(): inbound_shipment_items (InboundShipmentItems.member.N) accepts at "
        "most 200 items; got 201",
    ),
    (
        "too long string",
        lambda m: plan(m, address={**ADDRESS, "name": "N" * 51}),
        "create_inbound_shipment_plan(): ship_from_address.name (ShipFromAddress.Name) must be at most "
        "50 characters; got 51",
    ),
    (
        "too short string",
        lambda m: plan(m, address={**ADDRESS, "country_code": "U"}),
        "create_inbound_shipment_plan(): ship_from_address.country_code (ShipFromAddress.CountryCode) "
        "must be at least 2 characters; got 1",
    ),
    (
        "too long top-level string",
        lambda m: m.fulfillment_inbound_shipment.get_prep_instructions_for_asin(
            asin_list=["B1"], ship_to_country_code="USA"
        ),
        "get_prep_instructions_for_asin(): ship_to_country_code (ShipToCountryCode) must be at most 2 "
        "characters; got 3",
    ),
    (
        "integer below range",
        lambda m: m.orders.list_orders(
            marketplace_id=["M"], created_after=NOW, max_results_per_page=0
        ),
        "list_orders(): max_results_per_page (MaxResultsPerPage) must be at least 1 and at most 100; got 0",
    ),
    (
        "integer above range",
        lambda m: m.orders.list_orders(
            marketplace_id=["M"], created_after=NOW, max_results_per_page=101
        ),
        "list_orders(): max_results_per_page (MaxResultsPerPage) must be at least 1 and at most 100; got 101",
    ),
    (
        "integer above a maximum only",
        lambda m: m.reports.get_report_request_list(max_count=101),
        "get_report_request_list(): max_count (MaxCount) must be at most 100; got 101",
    ),
    (
        "decimal below minimum",
        lambda m: small_parcel(
            m, dimensions={"length": Decimal("-0.01"), "width": 1, "height": 1, "unit": "inches"}
        ),
        f"{DIM_LENGTH} must be at least 0; got -0.01",
    ),
    (
        "decimal NaN",
        lambda m: small_parcel(
            m, dimensions={"length": float("nan"), "width": 1, "height": 1, "unit": "inches"}
        ),
        f"{DIM_LENGTH} must be a finite number; got nan",
    ),
    (
        "decimal infinity",
        lambda m: small_parcel(
            m, dimensions={"length": Decimal("Infinity"), "width": 1, "height": 1, "unit": "inches"}
        ),
        f"{DIM_LENGTH} must be a finite number; got Decimal('Infinity')",
    ),
]


@pytest.mark.parametrize(
    ("call", "message"), [case[1:] for case in VALUE_CASES], ids=[case[0] for case in VALUE_CASES]
)
def test_wrong_values(mws: MWS, call: Callable[[MWS], Any], message: str) -> None:
    raises(ValueError, message, lambda: call(mws))


# --- Required ----------------------------------------------------------------------------

REQUIRED_CASES: list[tuple[str, Callable[[MWS], Any], str]] = [
    (
        "top-level scalar None",
        lambda m: m.orders.list_order_items(amazon_order_id=None),
        "list_order_items(): amazon_order_id (AmazonOrderId) is required",
    ),
    (
        "top-level list None",
        lambda m: m.orders.list_orders(marketplace_id=None, created_after=NOW),
        "list_orders(): marketplace_id (MarketplaceId.Id.N) is required",
    ),
    (
        "top-level structure None",
        lambda m: m.fulfillment_inbound_shipment.create_inbound_shipment_plan(
            ship_from_address=None,
            inbound_shipment_plan_request_items=[{"seller_sku": "S", "quantity": 1}],
        ),
        "create_inbound_shipment_plan(): ship_from_address (ShipFromAddress) is required",
    ),
    (
        "top-level empty list",
        lambda m: m.orders.list_orders(marketplace_id=[], created_after=NOW),
        "list_orders(): marketplace_id (MarketplaceId.Id.N) is required; got an empty list",
    ),
    (
        "top-level empty generator",
        lambda m: m.orders.get_order(amazon_order_id=(order for order in [])),
        "get_order(): amazon_order_id (AmazonOrderId.Id.N) is required; got an empty list",
    ),
    (
        "structure field missing from a mapping",
        lambda m: plan(
            m, address={"address_line1": "1 Main St", "city": "Seattle", "country_code": "US"}
        ),
        "create_inbound_shipment_plan(): ship_from_address.name (ShipFromAddress.Name) is required",
    ),
    (
        "structure field None in a dataclass",
        lambda m: plan(m, address=fis.Address(name=None, address_line1="1", city="C", country_code="US")),  # type: ignore[arg-type]
        "create_inbound_shipment_plan(): ship_from_address.name (ShipFromAddress.Name) is required",
    ),
    (
        "field of a structure in a structure",
        lambda m: m.fulfillment_inbound_shipment.create_inbound_shipment(
            shipment_id="S",
            inbound_shipment_header={
                "shipment_name": "N",
                "ship_from_address": {**ADDRESS, "city": None},
                "destination_fulfillment_center_id": "D",
                "shipment_status": "WORKING",
                "label_prep_preference": "SELLER_LABEL",
            },
            inbound_shipment_items=[{"seller_sku": "S", "quantity_shipped": 1}],
        ),
        "create_inbound_shipment(): inbound_shipment_header.ship_from_address.city "
        "(InboundShipmentHeader.ShipFromAddress.City) is required",
    ),
    (
        "field of a list member",
        lambda m: plan(m, items=[{"seller_sku": "S", "quantity": 1}, {"seller_sku": "T"}]),
        "create_inbound_shipment_plan(): inbound_shipment_plan_request_items[1].quantity "
        "(InboundShipmentPlanRequestItems.member.2.Quantity) is required",
    ),
    (
        "field of a list member inside a list member",
        lambda m: plan(
            m,
            items=[
                {
                    "seller_sku": "S",
                    "quantity": 1,
                    "prep_details_list": [
                        {"prep_instruction": "Taping", "prep_owner": "SELLER"},
                        {"prep_instruction": "Labeling"},
                    ],
                }
            ],
        ),
        "create_inbound_shipment_plan(): inbound_shipment_plan_request_items[0].prep_details_list[1]"
        ".prep_owner (InboundShipmentPlanRequestItems.member.1.PrepDetailsList.PrepDetails.2.PrepOwner) "
        "is required",
    ),
    (
        "required list inside a structure missing",
        lambda m: m.fulfillment_inbound_shipment.put_transport_content(
            shipment_id="S",
            is_partnered=True,
            shipment_type="SP",
            transport_details={"partnered_small_parcel_data": {"carrier_name": "DHL_STANDARD"}},
        ),
        "put_transport_content(): transport_details.partnered_small_parcel_data.package_list "
        "(TransportDetails.PartneredSmallParcelData.PackageList.member.N) is required",
    ),
    (
        "required list inside a structure empty",
        lambda m: small_parcel(m, packages=[]),
        "put_transport_content(): transport_details.partnered_small_parcel_data.package_list "
        "(TransportDetails.PartneredSmallParcelData.PackageList.member.N) is required; got an empty list",
    ),
    (
        "required body",
        lambda m: m.feeds.submit_feed(feed_type="_POST_PRODUCT_DATA_", feed_content=None),
        "submit_feed(): feed_content is required",
    ),
]


@pytest.mark.parametrize(
    ("call", "message"),
    [case[1:] for case in REQUIRED_CASES],
    ids=[case[0] for case in REQUIRED_CASES],
)
def test_required(mws: MWS, call: Callable[[MWS], Any], message: str) -> None:
    raises(ValueError, message, lambda: call(mws))


# --- Structure mappings -----------------------------------------------------------------


def test_unknown_key_in_structure_mapping(mws: MWS) -> None:
    raises(
        ValueError,
        "create_inbound_shipment_plan(): ship_from_address (ShipFromAddress): unknown field 'nmae'; "
        "fields: name, address_line1, address_line2, district_or_county, city, "
        "state_or_province_code, country_code, postal_code",
        lambda: plan(mws, address={**ADDRESS, "nmae": "typo"}),
    )


def test_unknown_key_in_nested_list_member_mapping(mws: MWS) -> None:
    raises(
        ValueError,
        "create_inbound_shipment_plan(): inbound_shipment_plan_request_items[0].prep_details_list[0] "
        "(InboundShipmentPlanRequestItems.member.1.PrepDetailsList.PrepDetails.1): unknown field "
        "'owner'; fields: prep_instruction, prep_owner",
        lambda: plan(
            mws,
            items=[
                {
                    "seller_sku": "S",
                    "quantity": 1,
                    "prep_details_list": [{"prep_instruction": "Taping", "owner": "SELLER"}],
                }
            ],
        ),
    )


def test_non_string_key_in_structure_mapping(mws: MWS) -> None:
    raises(
        ValueError,
        "create_inbound_shipment_plan(): ship_from_address (ShipFromAddress): unknown field 1; "
        "fields: name, address_line1, address_line2, district_or_county, city, "
        "state_or_province_code, country_code, postal_code",
        lambda: plan(mws, address={**ADDRESS, 1: "x"}),
    )


def test_field_given_twice_in_structure_mapping(mws: MWS) -> None:
    raises(
        ValueError,
        "create_inbound_shipment_plan(): ship_from_address (ShipFromAddress): field 'name' given twice",
        lambda: plan(mws, address={**ADDRESS, "Name": "Other"}),
    )


# --- Open enums ---------------------------------------------------------------------------


class Recording:
    def __init__(self) -> None:
        self.bodies: list[bytes] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.bodies.append(request.url.query + b"|" + request.content)
        return httpx.Response(200, content=b"<Response/>")


def recording_client() -> tuple[MWS, Recording]:
    recording = Recording()
    return (
        MWS(
            access_key="AK",
            secret_key="SK",
            seller_id="S",
            transport=httpx.MockTransport(recording),
            clock=lambda: NOW,
        ),
        recording,
    )


def test_open_enums_accept_unknown_strings() -> None:
    mws, recording = recording_client()
    mws.reports.request_report(report_type="_GET_BRAND_NEW_REPORT_")
    mws.reports.get_report_count(report_type_list=["_GET_BRAND_NEW_REPORT_"])
    mws.feeds.get_feed_submission_count(feed_type_list=["_POST_BRAND_NEW_FEED_"])
    mws.feeds.submit_feed(feed_type="_POST_BRAND_NEW_FEED_", feed_content=b"x")
    mws.fulfillment_inbound_shipment.get_package_labels(
        shipment_id="S", page_type="PackageLabel_New"
    )
    assert len(recording.bodies) == 5
    assert b"ReportType=_GET_BRAND_NEW_REPORT_&" in recording.bodies[0]
    assert b"ReportTypeList.Type.1=_GET_BRAND_NEW_REPORT_&" in recording.bodies[1]
    assert b"FeedTypeList.Type.1=_POST_BRAND_NEW_FEED_&" in recording.bodies[2]
    assert b"&FeedType=_POST_BRAND_NEW_FEED_&" in recording.bodies[3]
    assert b"&PageType=PackageLabel_New&" in recording.bodies[4]


def test_open_enum_still_checks_type(mws: MWS) -> None:
    raises(
        TypeError,
        "request_report(): report_type (ReportType) must be a str, not int",
        lambda: mws.reports.request_report(report_type=7),
    )


def test_closed_enum_accepts_members_of_its_enum() -> None:
    mws, recording = recording_client()
    mws.orders.list_orders(
        marketplace_id=["M"], created_after=NOW, fulfillment_channel=[FulfillmentChannel.AFN]
    )
    assert b"&FulfillmentChannel.Channel.1=AFN&" in recording.bodies[0]


# --- Constraints (ListOrders, CreateInboundShipmentPlan) ---------------------------------

CONSTRAINT_CASES: list[tuple[str, dict[str, Any], str]] = [
    (
        "exactly one: none",
        {},
        "list_orders(): give exactly one of created_after, last_updated_after; got none",
    ),
    (
        "exactly one: both",
        {"created_after": NOW, "last_updated_after": NOW},
        "list_orders(): give exactly one of created_after, last_updated_after; got created_after and "
        "last_updated_after",
    ),
    (
        "last_updated_after excludes buyer_email",
        {"last_updated_after": NOW, "buyer_email": "b@example.com"},
        "list_orders(): last_updated_after cannot be combined with buyer_email",
    ),
    (
        "last_updated_after excludes seller_order_id",
        {"last_updated_after": NOW, "seller_order_id": "SO-1"},
        "list_orders(): last_updated_after cannot be combined with seller_order_id",
    ),
    (
        "buyer_email excludes filters",
        {
            "created_after": NOW,
            "buyer_email": "b@example.com",
            "order_status": ["Shipped"],
            "fulfillment_channel": ["AFN"],
        },
        "list_orders(): buyer_email cannot be combined with fulfillment_channel, order_status",
    ),
    (
        "buyer_email excludes last_updated_before",
        {"created_after": NOW, "buyer_email": "b@example.com", "last_updated_before": NOW},
        "list_orders(): buyer_email cannot be combined with last_updated_before",
    ),
    (
        "buyer_email excludes seller_order_id",
        {"created_after": NOW, "buyer_email": "b@example.com", "seller_order_id": "SO-1"},
        "list_orders(): buyer_email cannot be combined with seller_order_id",
    ),
    (
        "seller_order_id excludes payment_method",
        {"created_after": NOW, "seller_order_id": "SO-1", "payment_method": ["COD"]},
        "list_orders(): seller_order_id cannot be combined with payment_method",
    ),
]


@pytest.mark.parametrize(
    ("arguments", "message"),
    [case[1:] for case in CONSTRAINT_CASES],
    ids=[case[0] for case in CONSTRAINT_CASES],
)
def test_list_orders_constraints(mws: MWS, arguments: dict[str, Any], message: str) -> None:
    raises(ValueError, message, lambda: mws.orders.list_orders(marketplace_id=["M"], **arguments))


def test_at_most_one_of(mws: MWS) -> None:
    raises(
        ValueError,
        "create_inbound_shipment_plan(): give at most one of ship_to_country_code, "
        "ship_to_country_subdivision_code; got ship_to_country_code and ship_to_country_subdivision_code",
        lambda: plan(mws, ship_to_country_code="US", ship_to_country_subdivision_code="IN-MH"),
    )


def test_constraints_allow_valid_combinations() -> None:
    mws, recording = recording_client()
    mws.orders.list_orders(
        marketplace_id=["M"], created_after=NOW, buyer_email="b@example.com", created_before=NOW
    )
    mws.orders.list_orders(marketplace_id=["M"], created_after=NOW, seller_order_id="SO-1")
    mws.orders.list_orders(
        marketplace_id=["M"],
        last_updated_after=NOW,
        order_status=["Shipped"],
        payment_method=["COD"],
    )
    # an empty list is not "given": nothing is sent, so it does not conflict
    mws.orders.list_orders(
        marketplace_id=["M"], created_after=NOW, buyer_email="b@example.com", order_status=[]
    )
    mws.fulfillment_inbound_shipment.create_inbound_shipment_plan(
        ship_from_address=ADDRESS,
        ship_to_country_subdivision_code="IN-MH",
        inbound_shipment_plan_request_items=[{"seller_sku": "S", "quantity": 1}],
    )
    assert len(recording.bodies) == 5


def test_empty_iterator_is_not_given_for_constraints() -> None:
    # BUG (runtime encoding.py _present): only list/tuple/set/frozenset are recognised as empty,
    # so an empty generator (the methods accept any Iterable) counts as "given" although it
    # sends nothing; list_orders(buyer_email=..., order_status=<empty generator>) is refused
    # while the same call with order_status=[] is accepted and sends identical parameters.
    mws, recording = recording_client()
    try:
        mws.orders.list_orders(
            marketplace_id=["M"],
            created_after=NOW,
            buyer_email="b@example.com",
            order_status=(status for status in []),
        )
    except ValueError as error:
        pytest.fail(f"RUNTIME BUG: an empty generator counts as given in constraints: {error}")
    assert len(recording.bodies) == 1


# --- Client configuration ------------------------------------------------------------------


def make(**options: Any) -> MWS:
    settings: dict[str, Any] = {
        "access_key": "AK",
        "secret_key": "SK",
        "seller_id": "S",
        "transport": httpx.MockTransport(NoRequests()),
    }
    settings.update(options)
    return MWS(**settings)


def test_config_seller_parameter() -> None:
    raises(
        ValueError,
        "seller_parameter must be 'SellerId' or 'Merchant'; got 'merchant'",
        lambda: make(seller_parameter="merchant"),
    )


@pytest.mark.parametrize(
    ("expires_in", "shown"),
    [
        (timedelta(0), "datetime.timedelta(0)"),
        (timedelta(seconds=-1), "datetime.timedelta(days=-1, seconds=86399)"),
    ],
)
def test_config_expires_in(expires_in: timedelta, shown: str) -> None:
    raises(
        ValueError,
        f"expires_in must be a positive timedelta; got {shown}",
        lambda: make(expires_in=expires_in),
    )


def test_config_region() -> None:
    assert {"NA", "EU", "FE", "US", "DE", "JP"} <= set(REGION_HOSTS)
    assert "XX" not in REGION_HOSTS
    raises(
        ValueError,
        f"region must be one of {', '.join(sorted(REGION_HOSTS))}; got 'XX' (or pass endpoint=...)",
        lambda: make(region="XX"),
    )


@pytest.mark.parametrize("endpoint", ["ftp://example.com", "example.com", "http://"])
def test_config_endpoint(endpoint: str) -> None:
    raises(
        ValueError,
        f"endpoint must be an http(s) URL; got {endpoint!r}",
        lambda: make(endpoint=endpoint),
    )
