"""Arguments of a wrong type or value, for each kind, refused with their exact message."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import pytest
from runtime_helpers import NOW
from runtime_helpers.arguments import ADDRESS, plan, raises, small_parcel

from mwskit import MWS
from mwskit.fulfillment_inbound_shipment import models as fis

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
        lambda m: m.feeds.get_feed_submission_list(
            feed_submission_id_list=[f"{index}" for index in range(101)]
        ),
        "get_feed_submission_list(): feed_submission_id_list (FeedSubmissionIdList.Id.N) "
        "accepts at most 100 items; got 101",
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
