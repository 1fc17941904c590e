"""Required arguments, structure mappings, open enums, constraints and client options checked."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import httpx
import pytest
from runtime_helpers import NOW
from runtime_helpers.arguments import ADDRESS, NoRequests, plan, raises, small_parcel
from runtime_helpers.wire import minimal_answer

from mwskit import MWS
from mwskit.fulfillment_inbound_shipment import models as fis
from mwskit.marketplaces import REGION_HOSTS
from mwskit.orders.models import FulfillmentChannel

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
        return httpx.Response(200, content=minimal_answer(request))


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
