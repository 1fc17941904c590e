"""Exact signed request bytes, as they leave the client through httpx.MockTransport.

Every expected signature is recomputed here with hmac/hashlib from the received bytes, with
an RFC 3986 encoder written in this file, so the runtime's own signing code is not trusted.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import platform
import re
import string
from collections.abc import Callable, Iterable
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any
from urllib.parse import unquote

import httpx
import pytest

import mwskit
from mwskit import MWS, AsyncMWS
from mwskit.fulfillment_inbound_shipment import models as fis
from mwskit.orders.models import FulfillmentChannel, OrderStatus

ACCESS_KEY = "AKIAEXAMPLEACCESSKEY"
SECRET_KEY = "EXAMPLE/SECRET+KEY"
SELLER_ID = "A1EXAMPLESELLER"
AUTH_TOKEN = "amzn.mws.4ea38b7b-f563-7709-4bae-87aeaEXAMPLE"
FIXED_NOW = datetime(2024, 1, 2, 3, 4, 5, tzinfo=timezone.utc)
TIMESTAMP = "Timestamp=2024-01-02T03%3A04%3A05Z"
NA_HOST = "mws.amazonservices.com"
FORM = "application/x-www-form-urlencoded; charset=utf-8"
ORDERS = "/Orders/2013-09-01"
FEEDS = "/Feeds/2009-01-01"
REPORTS = "/Reports/2009-01-01"
FIS = "/FulfillmentInboundShipment/2010-10-01"

_UNRESERVED = frozenset((string.ascii_letters + string.digits + "-_.~").encode("ascii"))


def enc(text: str) -> str:
    """RFC 3986 over UTF-8, written independently of the runtime."""
    return "".join(
        chr(byte) if byte in _UNRESERVED else f"%{byte:02X}" for byte in text.encode("utf-8")
    )


def hmac_b64(text: str, method: str = "HmacSHA256", secret: str = SECRET_KEY) -> str:
    digest = {"HmacSHA256": hashlib.sha256, "HmacSHA1": hashlib.sha1}[method]
    return base64.b64encode(hmac.new(secret.encode(), text.encode(), digest).digest()).decode()


def by_name(pairs: Iterable[str]) -> list[str]:
    """Sort encoded `name=value` pairs by encoded name in byte order."""
    return sorted(pairs, key=lambda pair: pair.split("=", 1)[0].encode("ascii"))


def common(action: str, version: str, seller: str = "SellerId") -> list[str]:
    return [
        f"AWSAccessKeyId={ACCESS_KEY}",
        f"Action={action}",
        f"{seller}={SELLER_ID}",
        "SignatureMethod=HmacSHA256",
        "SignatureVersion=2",
        TIMESTAMP,
        f"Version={version}",
    ]


def signed(pairs: list[str], path: str, host: str = NA_HOST, method: str = "HmacSHA256") -> bytes:
    """The exact bytes for these already-ordered encoded pairs plus their Signature."""
    query = "&".join(pairs)
    signature = hmac_b64(f"POST\n{host}\n{path}\n{query}", method)
    return f"{query}&Signature={enc(signature)}".encode("ascii")


def verify_signature(
    request: httpx.Request, host: str, path: str, method: str = "HmacSHA256"
) -> list[str]:
    """Recompute the signature from the received parameters; return the encoded pairs sent."""
    if request.headers.get("content-type") == FORM:
        raw = request.content.decode("ascii")
    else:
        raw = request.url.query.decode("ascii")
    parts = raw.split("&")
    assert parts[-1].startswith("Signature="), raw
    received_signature = unquote(parts[-1][len("Signature=") :])
    decoded = [tuple(unquote(piece) for piece in part.split("=", 1)) for part in parts[:-1]]
    canonical = "&".join(
        f"{name}={value}"
        for name, value in sorted((enc(name), enc(value)) for name, value in decoded)
    )
    assert "&".join(parts[:-1]) == canonical, "parameters must be sent in canonical order"
    expected = hmac_b64(f"POST\n{host}\n{path}\n{canonical}", method)
    assert received_signature == expected, "signature does not verify"
    return parts[:-1]


class Recorder:
    """A MockTransport handler that records requests and answers a minimal document."""

    def __init__(self, body: bytes = b"<Response/>") -> None:
        self.requests: list[httpx.Request] = []
        self.body = body

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return httpx.Response(200, content=self.body)

    @property
    def last(self) -> httpx.Request:
        assert len(self.requests) == 1, f"expected one request, got {len(self.requests)}"
        return self.requests[0]


def client(recorder: Recorder, **options: Any) -> MWS:
    return MWS(
        access_key=ACCESS_KEY,
        secret_key=SECRET_KEY,
        seller_id=SELLER_ID,
        transport=httpx.MockTransport(recorder),
        clock=lambda: FIXED_NOW,
        throttle="off",  # these tests check bytes; throttling has its own tests
        **options,
    )


def expected_user_agent() -> str:
    return (
        f"mwskit/{mwskit.__version__} "
        f"(Language=Python/{platform.python_version()}; Platform={platform.system()})"
    )


# --- ListOrders: the complete request ----------------------------------------------------

LIST_ORDERS_PAIRS = [
    f"AWSAccessKeyId={ACCESS_KEY}",
    "Action=ListOrders",
    "CreatedAfter=2024-01-01T17%3A30%3A00.123Z",
    "CreatedBefore=2024-01-01T18%3A30%3A00Z",
    "EasyShipShipmentStatus.Status.1=Delivered",
    "FulfillmentChannel.Channel.1=MFN",
    "MarketplaceId.Id.1=ATVPDKIKX0DER",
    "MarketplaceId.Id.2=A2EUQ1WTGCTBG2",
    "MaxResultsPerPage=50",
    "OrderStatus.Status.1=Unshipped",
    "OrderStatus.Status.2=PartiallyShipped",
    "PaymentMethod.Method.1=COD",
    "PaymentMethod.Method.2=Other",
    f"SellerId={SELLER_ID}",
    "SignatureMethod=HmacSHA256",
    "SignatureVersion=2",
    "TFMShipmentStatus.Status.1=PendingPickUp",
    TIMESTAMP,
    "Version=2013-09-01",
]


def call_list_orders(orders: Any) -> Any:
    return orders.list_orders(
        marketplace_id=["ATVPDKIKX0DER", "A2EUQ1WTGCTBG2"],
        order_status=[OrderStatus.UNSHIPPED, "PartiallyShipped"],
        fulfillment_channel=[FulfillmentChannel.MFN],
        payment_method=["COD", "Other"],
        # 12:30:00.123999 at UTC-5 -> 17:30:00.123Z (microseconds truncated to milliseconds)
        created_after=datetime(2024, 1, 1, 12, 30, 0, 123999, tzinfo=timezone(timedelta(hours=-5))),
        # midnight at UTC+5:30 on Jan 2 -> 18:30 on Jan 1, no fraction
        created_before=datetime(2024, 1, 2, tzinfo=timezone(timedelta(hours=5, minutes=30))),
        max_results_per_page=50,
        tfm_shipment_status=["PendingPickUp"],
        easy_ship_shipment_status=["Delivered"],
    )


def test_list_orders_exact_request() -> None:
    recorder = Recorder()
    call_list_orders(client(recorder).orders)
    request = recorder.last
    assert request.method == "POST"
    assert str(request.url) == "https://mws.amazonservices.com/Orders/2013-09-01"
    assert request.url.query == b""
    assert request.headers["host"] == NA_HOST
    assert request.headers["content-type"] == FORM
    assert request.headers["user-agent"] == expected_user_agent()
    assert request.content == signed(LIST_ORDERS_PAIRS, ORDERS)
    # regression anchor: the literal signature for these fixed inputs
    assert request.content.endswith(b"&Signature=jtDMSXVvntRCOuIjUaqcQ5QxZYm7cuavPTW4d0vtZ20%3D")
    assert request.headers["content-length"] == str(len(request.content))
    assert verify_signature(request, NA_HOST, ORDERS) == LIST_ORDERS_PAIRS


def test_user_agent_format() -> None:
    recorder = Recorder()
    client(recorder).orders.get_service_status()
    agent = recorder.last.headers["user-agent"]
    assert re.fullmatch(
        r"mwskit/\d+\.\d+\.\d+ \(Language=Python/\d+\.\d+\.\d+[a-z0-9+]*; Platform=[^;()]+\)", agent
    ), agent
    assert agent == expected_user_agent()


@pytest.mark.parametrize(
    ("value", "wire"),
    [
        (datetime(2024, 1, 1, tzinfo=timezone.utc), "2024-01-01T00%3A00%3A00Z"),
        (
            datetime(2024, 2, 29, 23, 59, 59, 1000, tzinfo=timezone.utc),
            "2024-02-29T23%3A59%3A59.001Z",
        ),
        (
            datetime(2024, 6, 1, 1, 0, 0, 999999, tzinfo=timezone(timedelta(hours=2))),
            "2024-05-31T23%3A00%3A00.999Z",
        ),
        (
            datetime(2023, 12, 31, 20, 15, tzinfo=timezone(timedelta(hours=-9, minutes=-30))),
            "2024-01-01T05%3A45%3A00Z",
        ),
    ],
)
def test_datetimes_are_sent_in_utc_with_z(value: datetime, wire: str) -> None:
    recorder = Recorder()
    client(recorder).orders.list_orders(marketplace_id=["M"], last_updated_after=value)
    pairs = by_name(
        common("ListOrders", "2013-09-01") + [f"LastUpdatedAfter={wire}", "MarketplaceId.Id.1=M"]
    )
    assert recorder.last.content == signed(pairs, ORDERS)


# --- Every list pattern of the four specs -------------------------------------------------


def _fis(mws: MWS) -> Any:
    return mws.fulfillment_inbound_shipment


LIST_CASES: list[tuple[str, Callable[[MWS], Any], str, str, str, list[str]]] = [
    (
        "orders .Id.N",
        lambda m: m.orders.get_order(
            amazon_order_id=["902-3159896-1390916", "058-1233752-8214740"]
        ),
        "GetOrder",
        "2013-09-01",
        ORDERS,
        ["AmazonOrderId.Id.1=902-3159896-1390916", "AmazonOrderId.Id.2=058-1233752-8214740"],
    ),
    (
        "orders .Channel.N .Method.N",
        lambda m: m.orders.list_orders(
            marketplace_id=["M"],
            created_after=FIXED_NOW,
            fulfillment_channel=["AFN", "MFN"],
            payment_method=["CVS"],
        ),
        "ListOrders",
        "2013-09-01",
        ORDERS,
        [
            "CreatedAfter=2024-01-02T03%3A04%3A05Z",
            "FulfillmentChannel.Channel.1=AFN",
            "FulfillmentChannel.Channel.2=MFN",
            "MarketplaceId.Id.1=M",
            "PaymentMethod.Method.1=CVS",
        ],
    ),
    (
        "feeds .Id.N .Type.N .Status.N",
        lambda m: m.feeds.get_feed_submission_list(
            feed_submission_id_list=["2291326430", "2291326431"],
            feed_type_list=["_POST_PRODUCT_DATA_"],
            feed_processing_status_list=["_DONE_", "_SUBMITTED_"],
            max_count=10,
        ),
        "GetFeedSubmissionList",
        "2009-01-01",
        FEEDS,
        [
            "FeedProcessingStatusList.Status.1=_DONE_",
            "FeedProcessingStatusList.Status.2=_SUBMITTED_",
            "FeedSubmissionIdList.Id.1=2291326430",
            "FeedSubmissionIdList.Id.2=2291326431",
            "FeedTypeList.Type.1=_POST_PRODUCT_DATA_",
            "MaxCount=10",
        ],
    ),
    (
        "reports .Id.N .Type.N .Status.N",
        lambda m: m.reports.get_report_request_list(
            report_request_id_list=["2291326454"],
            report_type_list=["_GET_FLAT_FILE_OPEN_LISTINGS_DATA_", "_GET_MERCHANT_LISTINGS_DATA_"],
            report_processing_status_list=["_DONE_"],
        ),
        "GetReportRequestList",
        "2009-01-01",
        REPORTS,
        [
            "ReportProcessingStatusList.Status.1=_DONE_",
            "ReportRequestIdList.Id.1=2291326454",
            "ReportTypeList.Type.1=_GET_FLAT_FILE_OPEN_LISTINGS_DATA_",
            "ReportTypeList.Type.2=_GET_MERCHANT_LISTINGS_DATA_",
        ],
    ),
    (
        "reports ReportIdList.Id.N with boolean",
        lambda m: m.reports.update_report_acknowledgements(
            report_id_list=["1", "2"], acknowledged=True
        ),
        "UpdateReportAcknowledgements",
        "2009-01-01",
        REPORTS,
        ["Acknowledged=true", "ReportIdList.Id.1=1", "ReportIdList.Id.2=2"],
    ),
    (
        "fis .member.N",
        lambda m: _fis(m).list_inbound_shipments(
            shipment_status_list=["WORKING", "SHIPPED"],
            shipment_id_list=["FBA1", "FBA2"],
        ),
        "ListInboundShipments",
        "2010-10-01",
        FIS,
        [
            "ShipmentIdList.member.1=FBA1",
            "ShipmentIdList.member.2=FBA2",
            "ShipmentStatusList.member.1=WORKING",
            "ShipmentStatusList.member.2=SHIPPED",
        ],
    ),
    (
        "fis PackageLabelsToPrint.member.N",
        lambda m: _fis(m).get_unique_package_labels(
            shipment_id="FBA1",
            page_type="PackageLabel_Letter_2",
            package_labels_to_print=["CB1", "CB2"],
        ),
        "GetUniquePackageLabels",
        "2010-10-01",
        FIS,
        [
            "PackageLabelsToPrint.member.1=CB1",
            "PackageLabelsToPrint.member.2=CB2",
            "PageType=PackageLabel_Letter_2",
            "ShipmentId=FBA1",
        ],
    ),
    (
        "fis ASINList.Id.N",
        lambda m: _fis(m).get_inbound_guidance_for_asin(
            asin_list=["B00EXAMPLE"], marketplace_id="M"
        ),
        "GetInboundGuidanceForASIN",
        "2010-10-01",
        FIS,
        ["ASINList.Id.1=B00EXAMPLE", "MarketplaceId=M"],
    ),
    (
        "fis SellerSKUList.Id.N",
        lambda m: _fis(m).get_prep_instructions_for_sku(
            seller_sku_list=["SKU A", "SKU/B"], ship_to_country_code="US"
        ),
        "GetPrepInstructionsForSKU",
        "2010-10-01",
        FIS,
        ["SellerSKUList.Id.1=SKU%20A", "SellerSKUList.Id.2=SKU%2FB", "ShipToCountryCode=US"],
    ),
]


@pytest.mark.parametrize(
    ("call", "action", "version", "path", "specific"),
    [case[1:] for case in LIST_CASES],
    ids=[case[0] for case in LIST_CASES],
)
def test_list_patterns(
    call: Callable[[MWS], Any], action: str, version: str, path: str, specific: list[str]
) -> None:
    recorder = Recorder()
    call(client(recorder))
    request = recorder.last
    assert str(request.url) == f"https://{NA_HOST}{path}"
    assert request.url.query == b""
    assert request.content == signed(by_name(common(action, version) + specific), path)
    verify_signature(request, NA_HOST, path)


def test_asin_list_sorts_before_aws_access_key_id() -> None:
    # "ASINList" < "AWSAccessKeyId" because 'S' (0x53) < 'W' (0x57)
    recorder = Recorder()
    _fis(client(recorder)).get_inbound_guidance_for_asin(asin_list=["B1"], marketplace_id="M")
    assert recorder.last.content.startswith(b"ASINList.Id.1=B1&AWSAccessKeyId=")


ADDRESS = fis.Address(
    name="Jane Doe",
    address_line1="1 Main St",
    city="Seattle",
    state_or_province_code="WA",
    country_code="US",
    postal_code="98101",
)

PLAN_PAIRS = [
    f"AWSAccessKeyId={ACCESS_KEY}",
    "Action=CreateInboundShipmentPlan",
    "InboundShipmentPlanRequestItems.member.1.Condition=NewItem",
    "InboundShipmentPlanRequestItems.member.1.PrepDetailsList.PrepDetails.1.PrepInstruction=Polybagging",
    "InboundShipmentPlanRequestItems.member.1.PrepDetailsList.PrepDetails.1.PrepOwner=SELLER",
    "InboundShipmentPlanRequestItems.member.1.PrepDetailsList.PrepDetails.2.PrepInstruction=Taping",
    "InboundShipmentPlanRequestItems.member.1.PrepDetailsList.PrepDetails.2.PrepOwner=AMAZON",
    "InboundShipmentPlanRequestItems.member.1.Quantity=5",
    "InboundShipmentPlanRequestItems.member.1.SellerSKU=SKU-1",
    "InboundShipmentPlanRequestItems.member.2.Quantity=1",
    "InboundShipmentPlanRequestItems.member.2.QuantityInCase=1",
    "InboundShipmentPlanRequestItems.member.2.SellerSKU=SKU%202%2F%C3%BC",
    "LabelPrepPreference=SELLER_LABEL",
    f"SellerId={SELLER_ID}",
    "ShipFromAddress.AddressLine1=1%20Main%20St",
    "ShipFromAddress.City=Seattle",
    "ShipFromAddress.CountryCode=US",
    "ShipFromAddress.Name=Jane%20Doe",
    "ShipFromAddress.PostalCode=98101",
    "ShipFromAddress.StateOrProvinceCode=WA",
    "ShipToCountryCode=US",
    "SignatureMethod=HmacSHA256",
    "SignatureVersion=2",
    TIMESTAMP,
    "Version=2010-10-01",
]


def test_create_inbound_shipment_plan_nested_lists_and_structure() -> None:
    recorder = Recorder()
    _fis(client(recorder)).create_inbound_shipment_plan(
        ship_from_address=ADDRESS,
        ship_to_country_code="US",
        label_prep_preference=fis.LabelPrepPreference.SELLER_LABEL,
        inbound_shipment_plan_request_items=[
            fis.InboundShipmentPlanRequestItem(
                seller_sku="SKU-1",
                quantity=5,
                condition=fis.InboundItemCondition.NEW_ITEM,
                prep_details_list=[
                    fis.PrepDetails(prep_instruction="Polybagging", prep_owner="SELLER"),
                    {"prep_instruction": fis.PrepInstruction.TAPING, "prep_owner": "AMAZON"},
                ],
            ),
            {"SellerSKU": "SKU 2/ü", "Quantity": 1, "QuantityInCase": 1},
        ],
    )
    request = recorder.last
    assert str(request.url) == f"https://{NA_HOST}{FIS}"
    assert request.content == signed(PLAN_PAIRS, FIS)
    assert verify_signature(request, NA_HOST, FIS) == PLAN_PAIRS


ADDRESS_SNAKE = {
    "name": "Jane Doe",
    "address_line1": "1 Main St",
    "city": "Seattle",
    "state_or_province_code": "WA",
    "country_code": "US",
    "postal_code": "98101",
}
ADDRESS_WIRE = {
    "Name": "Jane Doe",
    "AddressLine1": "1 Main St",
    "City": "Seattle",
    "StateOrProvinceCode": "WA",
    "CountryCode": "US",
    "PostalCode": "98101",
    "AddressLine2": None,  # None inside a structure sends nothing
}
ITEM_DATACLASS = fis.InboundShipmentPlanRequestItem(
    seller_sku="SKU-1",
    quantity=5,
    condition="NewItem",
    prep_details_list=[
        fis.PrepDetails(prep_instruction="Polybagging", prep_owner="SELLER"),
        fis.PrepDetails(prep_instruction="Taping", prep_owner="AMAZON"),
    ],
)
ITEM_SNAKE = {
    "seller_sku": "SKU-1",
    "quantity": 5,
    "condition": "NewItem",
    "prep_details_list": [
        {"prep_instruction": "Polybagging", "prep_owner": "SELLER"},
        {"prep_instruction": "Taping", "prep_owner": "AMAZON"},
    ],
}
ITEM_WIRE = {
    "SellerSKU": "SKU-1",
    "Quantity": 5,
    "Condition": "NewItem",
    "PrepDetailsList": (
        {"PrepInstruction": "Polybagging", "PrepOwner": "SELLER"},
        {"PrepInstruction": "Taping", "PrepOwner": "AMAZON"},
    ),
}
ITEM_2 = {"seller_sku": "SKU 2/ü", "quantity": 1, "quantity_in_case": 1}


@pytest.mark.parametrize(
    ("address", "item"),
    [
        (ADDRESS, ITEM_DATACLASS),
        (ADDRESS_SNAKE, ITEM_SNAKE),
        (ADDRESS_WIRE, ITEM_WIRE),
        (ADDRESS_WIRE, ITEM_SNAKE),
    ],
    ids=["dataclass", "snake_case mapping", "wire-key mapping", "mixed"],
)
def test_structures_as_dataclass_or_mapping_send_the_same_bytes(address: Any, item: Any) -> None:
    recorder = Recorder()
    _fis(client(recorder)).create_inbound_shipment_plan(
        ship_from_address=address,
        ship_to_country_code="US",
        label_prep_preference="SELLER_LABEL",
        inbound_shipment_plan_request_items=[item, ITEM_2],
    )
    assert recorder.last.content == signed(PLAN_PAIRS, FIS)


UPDATE_PAIRS = [
    f"AWSAccessKeyId={ACCESS_KEY}",
    "Action=UpdateInboundShipment",
    "InboundShipmentHeader.AreCasesRequired=false",
    "InboundShipmentHeader.DestinationFulfillmentCenterId=PHX6",
    "InboundShipmentHeader.LabelPrepPreference=SELLER_LABEL",
    "InboundShipmentHeader.ShipFromAddress.AddressLine1=1%20Main%20St",
    "InboundShipmentHeader.ShipFromAddress.City=Seattle",
    "InboundShipmentHeader.ShipFromAddress.CountryCode=US",
    "InboundShipmentHeader.ShipFromAddress.Name=Jane%20Doe",
    "InboundShipmentHeader.ShipFromAddress.PostalCode=98101",
    "InboundShipmentHeader.ShipFromAddress.StateOrProvinceCode=WA",
    "InboundShipmentHeader.ShipmentName=S%201",
    "InboundShipmentHeader.ShipmentStatus=WORKING",
    "InboundShipmentItems.member.1.PrepDetailsList.PrepDetails.1.PrepInstruction=Labeling",
    "InboundShipmentItems.member.1.PrepDetailsList.PrepDetails.1.PrepOwner=SELLER",
    "InboundShipmentItems.member.1.QuantityShipped=5",
    "InboundShipmentItems.member.1.ReleaseDate=2024-03-04",
    "InboundShipmentItems.member.1.SellerSKU=SKU-1",
    f"SellerId={SELLER_ID}",
    "ShipmentId=FBA123",
    "SignatureMethod=HmacSHA256",
    "SignatureVersion=2",
    TIMESTAMP,
    "Version=2010-10-01",
]


def test_update_inbound_shipment_nested_structure_in_structure() -> None:
    recorder = Recorder()
    _fis(client(recorder)).update_inbound_shipment(
        shipment_id="FBA123",
        inbound_shipment_header=fis.UpdateInboundShipmentHeader(
            shipment_name="S 1",
            ship_from_address=ADDRESS,
            destination_fulfillment_center_id="PHX6",
            are_cases_required=False,
            shipment_status=fis.InboundShipmentStatus.WORKING,
            label_prep_preference="SELLER_LABEL",
        ),
        inbound_shipment_items=[
            fis.InboundShipmentItem(
                seller_sku="SKU-1",
                quantity_shipped=5,
                release_date=date(2024, 3, 4),
                prep_details_list=[{"PrepInstruction": "Labeling", "PrepOwner": "SELLER"}],
            )
        ],
    )
    assert recorder.last.content == signed(UPDATE_PAIRS, FIS)
    verify_signature(recorder.last, NA_HOST, FIS)


def test_create_inbound_shipment_header_city_path() -> None:
    recorder = Recorder()
    _fis(client(recorder)).create_inbound_shipment(
        shipment_id="FBA9",
        inbound_shipment_header={
            "shipment_name": "N",
            "ship_from_address": {
                "Name": "A",
                "AddressLine1": "L",
                "City": "Köln",
                "CountryCode": "DE",
            },
            "destination_fulfillment_center_id": "LEJ1",
            "shipment_status": "WORKING",
            "label_prep_preference": "AMAZON_LABEL_ONLY",
            "intended_box_contents_source": "2D_BARCODE",
        },
        inbound_shipment_items=[{"seller_sku": "S", "quantity_shipped": 0}],
    )
    specific = [
        "InboundShipmentHeader.DestinationFulfillmentCenterId=LEJ1",
        "InboundShipmentHeader.IntendedBoxContentsSource=2D_BARCODE",
        "InboundShipmentHeader.LabelPrepPreference=AMAZON_LABEL_ONLY",
        "InboundShipmentHeader.ShipFromAddress.AddressLine1=L",
        "InboundShipmentHeader.ShipFromAddress.City=K%C3%B6ln",
        "InboundShipmentHeader.ShipFromAddress.CountryCode=DE",
        "InboundShipmentHeader.ShipFromAddress.Name=A",
        "InboundShipmentHeader.ShipmentName=N",
        "InboundShipmentHeader.ShipmentStatus=WORKING",
        "InboundShipmentItems.member.1.QuantityShipped=0",
        "InboundShipmentItems.member.1.SellerSKU=S",
        "ShipmentId=FBA9",
    ]
    assert recorder.last.content == signed(
        by_name(common("CreateInboundShipment", "2010-10-01") + specific), FIS
    )


SMALL_PARCEL_PAIRS = [
    f"AWSAccessKeyId={ACCESS_KEY}",
    "Action=PutTransportContent",
    "IsPartnered=true",
    f"SellerId={SELLER_ID}",
    "ShipmentId=FBA123",
    "ShipmentType=SP",
    "SignatureMethod=HmacSHA256",
    "SignatureVersion=2",
    TIMESTAMP,
    "TransportDetails.PartneredSmallParcelData.CarrierName=UNITED_PARCEL_SERVICE_INC",
    "TransportDetails.PartneredSmallParcelData.PackageList.member.1.Dimensions.Height=2.5",
    "TransportDetails.PartneredSmallParcelData.PackageList.member.1.Dimensions.Length=1.50",
    "TransportDetails.PartneredSmallParcelData.PackageList.member.1.Dimensions.Unit=inches",
    "TransportDetails.PartneredSmallParcelData.PackageList.member.1.Dimensions.Width=10",
    "TransportDetails.PartneredSmallParcelData.PackageList.member.1.Weight.Unit=pounds",
    "TransportDetails.PartneredSmallParcelData.PackageList.member.1.Weight.Value=0.1",
    "TransportDetails.PartneredSmallParcelData.PackageList.member.2.Dimensions.Height=5",
    "TransportDetails.PartneredSmallParcelData.PackageList.member.2.Dimensions.Length=3",
    "TransportDetails.PartneredSmallParcelData.PackageList.member.2.Dimensions.Unit=centimeters",
    "TransportDetails.PartneredSmallParcelData.PackageList.member.2.Dimensions.Width=4.000",
    "TransportDetails.PartneredSmallParcelData.PackageList.member.2.Weight.Unit=kilograms",
    "TransportDetails.PartneredSmallParcelData.PackageList.member.2.Weight.Value=12.25",
    "Version=2010-10-01",
]


def test_transport_details_small_parcel_decimals() -> None:
    recorder = Recorder()
    _fis(client(recorder)).put_transport_content(
        shipment_id="FBA123",
        is_partnered=True,
        shipment_type="SP",
        transport_details=fis.TransportDetailInput(
            partnered_small_parcel_data=fis.PartneredSmallParcelDataInput(
                carrier_name="UNITED_PARCEL_SERVICE_INC",
                package_list=[
                    fis.PartneredSmallParcelPackageInput(
                        # Decimal keeps its digits, int and float as written
                        dimensions=fis.Dimensions(
                            length=Decimal("1.50"), width=10, height=2.5, unit="inches"
                        ),
                        weight=fis.Weight(value=0.1, unit=fis.FBAWeightUnit.POUNDS),
                    ),
                    {
                        "dimensions": {
                            "Length": Decimal("3"),
                            "Width": Decimal("4.000"),
                            "Height": 5,
                            "Unit": "centimeters",
                        },
                        "weight": {"value": Decimal("12.25"), "unit": "kilograms"},
                    },
                ],
            )
        ),
    )
    assert recorder.last.content == signed(SMALL_PARCEL_PAIRS, FIS)
    assert verify_signature(recorder.last, NA_HOST, FIS) == SMALL_PARCEL_PAIRS


LTL_PAIRS = [
    f"AWSAccessKeyId={ACCESS_KEY}",
    "Action=PutTransportContent",
    "IsPartnered=true",
    f"SellerId={SELLER_ID}",
    "ShipmentId=FBA123",
    "ShipmentType=LTL",
    "SignatureMethod=HmacSHA256",
    "SignatureVersion=2",
    TIMESTAMP,
    "TransportDetails.PartneredLtlData.BoxCount=12",
    "TransportDetails.PartneredLtlData.Contact.Email=jo%40example.com",
    "TransportDetails.PartneredLtlData.Contact.Fax=n%2Fa",
    "TransportDetails.PartneredLtlData.Contact.Name=Jo",
    "TransportDetails.PartneredLtlData.Contact.Phone=%2B1%20206%20555%200100",
    "TransportDetails.PartneredLtlData.FreightReadyDate=2024-02-29",
    "TransportDetails.PartneredLtlData.PalletList.member.1.Dimensions.Height=60.5",
    "TransportDetails.PartneredLtlData.PalletList.member.1.Dimensions.Length=40",
    "TransportDetails.PartneredLtlData.PalletList.member.1.Dimensions.Unit=inches",
    "TransportDetails.PartneredLtlData.PalletList.member.1.Dimensions.Width=48",
    "TransportDetails.PartneredLtlData.PalletList.member.1.IsStacked=false",
    "TransportDetails.PartneredLtlData.SellerDeclaredValue.CurrencyCode=USD",
    "TransportDetails.PartneredLtlData.SellerDeclaredValue.Value=1000.00",
    "TransportDetails.PartneredLtlData.SellerFreightClass=77.5",
    "TransportDetails.PartneredLtlData.TotalWeight.Unit=pounds",
    "TransportDetails.PartneredLtlData.TotalWeight.Value=500",
    "Version=2010-10-01",
]


def test_transport_details_ltl_deep_nesting_date_and_boolean() -> None:
    recorder = Recorder()
    _fis(client(recorder)).put_transport_content(
        shipment_id="FBA123",
        is_partnered=True,
        shipment_type="LTL",
        transport_details={
            "PartneredLtlData": {
                "contact": {
                    "name": "Jo",
                    "phone": "+1 206 555 0100",
                    "email": "jo@example.com",
                    "fax": "n/a",
                },
                "box_count": 12,
                "seller_freight_class": fis.SellerFreightClass.CLASS_77_5,
                "freight_ready_date": date(2024, 2, 29),
                "pallet_list": [
                    {
                        "dimensions": {
                            "length": 40,
                            "width": 48,
                            "height": Decimal("60.5"),
                            "unit": "inches",
                        },
                        "is_stacked": False,
                    }
                ],
                "total_weight": {"value": 500, "unit": "pounds"},
                "seller_declared_value": {"currency_code": "USD", "value": Decimal("1000.00")},
            }
        },
    )
    assert recorder.last.content == signed(LTL_PAIRS, FIS)


def test_non_partnered_small_parcel_member_list() -> None:
    recorder = Recorder()
    _fis(client(recorder)).put_transport_content(
        shipment_id="FBA1",
        is_partnered=False,
        shipment_type="SP",
        transport_details={
            "non_partnered_small_parcel_data": {
                "carrier_name": "DHL_UK",
                "package_list": [{"tracking_id": "T1"}, {"TrackingId": "T2"}],
            }
        },
    )
    specific = [
        "IsPartnered=false",
        "ShipmentId=FBA1",
        "ShipmentType=SP",
        "TransportDetails.NonPartneredSmallParcelData.CarrierName=DHL_UK",
        "TransportDetails.NonPartneredSmallParcelData.PackageList.member.1.TrackingId=T1",
        "TransportDetails.NonPartneredSmallParcelData.PackageList.member.2.TrackingId=T2",
    ]
    assert recorder.last.content == signed(
        by_name(common("PutTransportContent", "2010-10-01") + specific), FIS
    )


# --- Values: repeats, empties, None, booleans, integers, dates --------------------------


def test_repeated_equal_values_are_numbered_by_position() -> None:
    recorder = Recorder()
    client(recorder).orders.get_order(amazon_order_id=["111-1", "111-1", "111-1"])
    specific = ["AmazonOrderId.Id.1=111-1", "AmazonOrderId.Id.2=111-1", "AmazonOrderId.Id.3=111-1"]
    assert recorder.last.content == signed(
        by_name(common("GetOrder", "2013-09-01") + specific), ORDERS
    )


def test_eleven_items_are_numbered_and_sorted_in_byte_order() -> None:
    recorder = Recorder()
    client(recorder).orders.get_order(amazon_order_id=[f"O{index}" for index in range(1, 12)])
    expected_ids = [
        "AmazonOrderId.Id.1=O1",
        "AmazonOrderId.Id.10=O10",
        "AmazonOrderId.Id.11=O11",
        "AmazonOrderId.Id.2=O2",
        "AmazonOrderId.Id.3=O3",
        "AmazonOrderId.Id.4=O4",
        "AmazonOrderId.Id.5=O5",
        "AmazonOrderId.Id.6=O6",
        "AmazonOrderId.Id.7=O7",
        "AmazonOrderId.Id.8=O8",
        "AmazonOrderId.Id.9=O9",
    ]
    pairs = ["AWSAccessKeyId=" + ACCESS_KEY, "Action=GetOrder", *expected_ids] + common(
        "GetOrder", "2013-09-01"
    )[2:]
    assert recorder.last.content == signed(pairs, ORDERS)


@pytest.mark.parametrize(
    "marketplaces",
    [("A", "B"), ["A", "B"], (item for item in ["A", "B"]), iter(["A", "B"])],
    ids=["tuple", "list", "generator", "iterator"],
)
def test_any_iterable_works_for_lists(marketplaces: Any) -> None:
    recorder = Recorder()
    client(recorder).orders.list_orders(marketplace_id=marketplaces, created_after=FIXED_NOW)
    specific = [
        "CreatedAfter=2024-01-02T03%3A04%3A05Z",
        "MarketplaceId.Id.1=A",
        "MarketplaceId.Id.2=B",
    ]
    assert recorder.last.content == signed(
        by_name(common("ListOrders", "2013-09-01") + specific), ORDERS
    )


def test_empty_lists_and_none_send_nothing() -> None:
    bare = Recorder()
    client(bare).reports.get_report_list()
    with_empties = Recorder()
    client(with_empties).reports.get_report_list(
        max_count=None,
        report_type_list=[],
        acknowledged=None,
        report_request_id_list=(),
        available_from_date=None,
        available_to_date=None,
    )
    expected = signed(common("GetReportList", "2009-01-01"), REPORTS)
    assert bare.last.content == expected
    assert with_empties.last.content == expected


@pytest.mark.parametrize(("flag", "wire"), [(True, "true"), (False, "false")])
def test_booleans(flag: bool, wire: str) -> None:
    recorder = Recorder()
    client(recorder).reports.get_report_count(acknowledged=flag)
    pairs = by_name(common("GetReportCount", "2009-01-01") + [f"Acknowledged={wire}"])
    assert recorder.last.content == signed(pairs, REPORTS)


def test_integers() -> None:
    recorder = Recorder()
    _fis(client(recorder)).get_pallet_labels(
        shipment_id="FBA1", page_type="PackageLabel_A4_4", number_of_pallets=3
    )
    pairs = by_name(
        common("GetPalletLabels", "2010-10-01")
        + ["NumberOfPallets=3", "PageType=PackageLabel_A4_4", "ShipmentId=FBA1"]
    )
    assert recorder.last.content == signed(pairs, FIS)


def test_integer_bounds_are_inclusive() -> None:
    recorder = Recorder()
    mws = client(recorder)
    mws.reports.get_report_list(max_count=1)
    mws.reports.get_report_list(max_count=100)
    assert [request.content for request in recorder.requests] == [
        signed(by_name(common("GetReportList", "2009-01-01") + ["MaxCount=1"]), REPORTS),
        signed(by_name(common("GetReportList", "2009-01-01") + ["MaxCount=100"]), REPORTS),
    ]


def test_date() -> None:
    recorder = Recorder()
    _fis(client(recorder)).confirm_preorder(shipment_id="FBA1", need_by_date=date(2024, 3, 4))
    pairs = by_name(
        common("ConfirmPreorder", "2010-10-01") + ["NeedByDate=2024-03-04", "ShipmentId=FBA1"]
    )
    assert recorder.last.content == signed(pairs, FIS)


@pytest.mark.parametrize(
    ("value", "wire"),
    [
        (Decimal("1.50"), "1.50"),
        (7, "7"),
        (2.25, "2.25"),
        (0.1, "0.1"),
        (Decimal("1E+2"), "100"),
        (0, "0"),
    ],
)
def test_decimal_formats(value: Any, wire: str) -> None:
    recorder = Recorder()
    _fis(client(recorder)).put_transport_content(
        shipment_id="S",
        is_partnered=True,
        shipment_type="LTL",
        transport_details={
            "partnered_ltl_data": {
                "contact": {"name": "n", "phone": "p", "email": "e", "fax": "f"},
                "box_count": 1,
                "freight_ready_date": date(2024, 1, 5),
                "total_weight": {"value": value, "unit": "kilograms"},
            }
        },
    )
    pairs = by_name(
        common("PutTransportContent", "2010-10-01")
        + [
            "IsPartnered=true",
            "ShipmentId=S",
            "ShipmentType=LTL",
            "TransportDetails.PartneredLtlData.BoxCount=1",
            "TransportDetails.PartneredLtlData.Contact.Email=e",
            "TransportDetails.PartneredLtlData.Contact.Fax=f",
            "TransportDetails.PartneredLtlData.Contact.Name=n",
            "TransportDetails.PartneredLtlData.Contact.Phone=p",
            "TransportDetails.PartneredLtlData.FreightReadyDate=2024-01-05",
            "TransportDetails.PartneredLtlData.TotalWeight.Unit=kilograms",
            f"TransportDetails.PartneredLtlData.TotalWeight.Value={wire}",
        ]
    )
    assert recorder.last.content == signed(pairs, FIS)


def test_open_enum_sends_unknown_report_type() -> None:
    recorder = Recorder()
    client(recorder).reports.request_report(
        report_type="_GET_SOMETHING_NEW_", marketplace_id_list=["M"]
    )
    pairs = by_name(
        common("RequestReport", "2009-01-01")
        + ["MarketplaceIdList.Id.1=M", "ReportType=_GET_SOMETHING_NEW_"]
    )
    assert recorder.last.content == signed(pairs, REPORTS)


# --- SubmitFeed: parameters in the query, document as the body ---------------------------

# Source for the MD5 vector: /work/shared/reference/mws-api-reference.yaml, content_md5.example
XML_FEED = b'<?xml version="1.0"?><AmazonEnvelope/>'
XML_FEED_MD5 = "SBpAcbn8tAr/RwP+kIGOaw=="


def test_reference_content_md5_vector() -> None:
    assert base64.b64encode(hashlib.md5(XML_FEED).digest()).decode() == XML_FEED_MD5


def test_submit_feed_xml() -> None:
    recorder = Recorder()
    client(recorder).feeds.submit_feed(
        feed_type="_POST_PRODUCT_DATA_",
        marketplace_id_list=["ATVPDKIKX0DER"],
        purge_and_replace=False,
        feed_content=XML_FEED,
    )
    request = recorder.last
    pairs = [
        f"AWSAccessKeyId={ACCESS_KEY}",
        "Action=SubmitFeed",
        "ContentMD5Value=SBpAcbn8tAr%2FRwP%2BkIGOaw%3D%3D",
        "FeedType=_POST_PRODUCT_DATA_",
        "MarketplaceIdList.Id.1=ATVPDKIKX0DER",
        "PurgeAndReplace=false",
        f"SellerId={SELLER_ID}",
        "SignatureMethod=HmacSHA256",
        "SignatureVersion=2",
        TIMESTAMP,
        "Version=2009-01-01",
    ]
    query = signed(pairs, FEEDS)
    assert request.method == "POST"
    assert str(request.url) == f"https://{NA_HOST}{FEEDS}?{query.decode()}"
    assert request.url.path == FEEDS
    assert request.url.query == query
    assert request.content == XML_FEED
    assert request.headers["content-type"] == "text/xml"
    assert request.headers["content-length"] == str(len(XML_FEED))
    assert request.headers["user-agent"] == expected_user_agent()
    assert verify_signature(request, NA_HOST, FEEDS) == pairs


@pytest.mark.parametrize(
    ("body", "content_type", "expected_type"),
    [
        (b"sku\tprice\nA1\t9.99\n", None, "text/tab-separated-values; charset=iso-8859-1"),
        (b'\xef\xbb\xbf \r\n<?xml version="1.0"?><AmazonEnvelope/>', None, "text/xml"),
        (
            XML_FEED,
            "text/tab-separated-values; charset=UTF-8",
            "text/tab-separated-values; charset=UTF-8",
        ),
        (b"sku\tprice\n", "text/plain; charset=Shift_JIS", "text/plain; charset=Shift_JIS"),
    ],
    ids=["flat file", "xml with BOM", "explicit wins over xml", "explicit wins over flat"],
)
def test_submit_feed_content_types(
    body: bytes, content_type: str | None, expected_type: str
) -> None:
    recorder = Recorder()
    client(recorder).feeds.submit_feed(
        feed_type="_POST_FLAT_FILE_LISTINGS_DATA_", feed_content=body, content_type=content_type
    )
    request = recorder.last
    md5 = base64.b64encode(hashlib.md5(body).digest()).decode()
    pairs = by_name(
        common("SubmitFeed", "2009-01-01")
        + [f"ContentMD5Value={enc(md5)}", "FeedType=_POST_FLAT_FILE_LISTINGS_DATA_"]
    )
    assert request.url.query == signed(pairs, FEEDS)
    assert request.content == body
    assert request.headers["content-type"] == expected_type


def test_submit_feed_with_auth_token_and_merchant() -> None:
    recorder = Recorder()
    client(recorder, auth_token=AUTH_TOKEN, seller_parameter="Merchant").feeds.submit_feed(
        feed_type="_POST_PRODUCT_DATA_", feed_content=XML_FEED
    )
    pairs = [
        f"AWSAccessKeyId={ACCESS_KEY}",
        "Action=SubmitFeed",
        "ContentMD5Value=SBpAcbn8tAr%2FRwP%2BkIGOaw%3D%3D",
        "FeedType=_POST_PRODUCT_DATA_",
        f"MWSAuthToken={AUTH_TOKEN}",
        f"Merchant={SELLER_ID}",
        "SignatureMethod=HmacSHA256",
        "SignatureVersion=2",
        TIMESTAMP,
        "Version=2009-01-01",
    ]
    assert recorder.last.url.query == signed(pairs, FEEDS)
    assert recorder.last.content == XML_FEED


# --- Client options ---------------------------------------------------------------------


def test_auth_token_is_sent_when_given() -> None:
    recorder = Recorder()
    client(recorder, auth_token=AUTH_TOKEN).orders.get_service_status()
    pairs = [
        f"AWSAccessKeyId={ACCESS_KEY}",
        "Action=GetServiceStatus",
        f"MWSAuthToken={AUTH_TOKEN}",
        f"SellerId={SELLER_ID}",
        "SignatureMethod=HmacSHA256",
        "SignatureVersion=2",
        TIMESTAMP,
        "Version=2013-09-01",
    ]
    assert recorder.last.content == signed(pairs, ORDERS)


def test_no_auth_token_by_default() -> None:
    recorder = Recorder()
    client(recorder).orders.get_service_status()
    assert recorder.last.content == signed(common("GetServiceStatus", "2013-09-01"), ORDERS)
    assert b"MWSAuthToken" not in recorder.last.content


def test_seller_parameter_merchant_switches_feeds_and_reports_only() -> None:
    recorder = Recorder()
    mws = client(recorder, seller_parameter="Merchant")
    mws.feeds.get_feed_submission_count()
    mws.reports.get_report_count()
    mws.orders.get_service_status()
    mws.fulfillment_inbound_shipment.get_service_status()
    assert [request.content for request in recorder.requests] == [
        signed(by_name(common("GetFeedSubmissionCount", "2009-01-01", seller="Merchant")), FEEDS),
        signed(by_name(common("GetReportCount", "2009-01-01", seller="Merchant")), REPORTS),
        signed(common("GetServiceStatus", "2013-09-01"), ORDERS),
        signed(common("GetServiceStatus", "2010-10-01"), FIS),
    ]


def test_seller_parameter_seller_id_is_the_default_everywhere() -> None:
    recorder = Recorder()
    mws = client(recorder, seller_parameter="SellerId")
    mws.feeds.get_feed_submission_count()
    mws.reports.get_report_count()
    assert [request.content for request in recorder.requests] == [
        signed(common("GetFeedSubmissionCount", "2009-01-01"), FEEDS),
        signed(common("GetReportCount", "2009-01-01"), REPORTS),
    ]


def test_expires_in_sends_expires_instead_of_timestamp() -> None:
    recorder = Recorder()
    client(recorder, expires_in=timedelta(minutes=15)).orders.get_service_status()
    pairs = [
        f"AWSAccessKeyId={ACCESS_KEY}",
        "Action=GetServiceStatus",
        "Expires=2024-01-02T03%3A19%3A05Z",
        f"SellerId={SELLER_ID}",
        "SignatureMethod=HmacSHA256",
        "SignatureVersion=2",
        "Version=2013-09-01",
    ]
    assert recorder.last.content == signed(pairs, ORDERS)
    assert b"Timestamp" not in recorder.last.content


def test_hmac_sha1() -> None:
    recorder = Recorder()
    client(recorder, signature_method="HmacSHA1").orders.get_service_status()
    pairs = [
        f"AWSAccessKeyId={ACCESS_KEY}",
        "Action=GetServiceStatus",
        f"SellerId={SELLER_ID}",
        "SignatureMethod=HmacSHA1",
        "SignatureVersion=2",
        TIMESTAMP,
        "Version=2013-09-01",
    ]
    assert recorder.last.content == signed(pairs, ORDERS, method="HmacSHA1")
    verify_signature(recorder.last, NA_HOST, ORDERS, method="HmacSHA1")
    # a SHA-1 signature is 20 bytes: 28 base64 characters
    signature = unquote(recorder.last.content.decode().rsplit("&Signature=", 1)[1])
    assert len(base64.b64decode(signature)) == 20


@pytest.mark.parametrize(
    ("region", "host"),
    [
        ("EU", "mws-eu.amazonservices.com"),
        ("FE", "mws-fe.amazonservices.com"),
        ("JP", "mws.amazonservices.jp"),
        ("de", "mws-eu.amazonservices.com"),
        ("CA", "mws.amazonservices.ca"),
    ],
)
def test_region_hosts(region: str, host: str) -> None:
    recorder = Recorder()
    client(recorder, region=region).orders.get_service_status()
    request = recorder.last
    assert str(request.url) == f"https://{host}{ORDERS}"
    assert request.headers["host"] == host
    assert request.content == signed(common("GetServiceStatus", "2013-09-01"), ORDERS, host=host)


def test_local_endpoint_signs_host_with_port() -> None:
    recorder = Recorder()
    client(recorder, endpoint="http://127.0.0.1:8765").orders.get_service_status()
    request = recorder.last
    assert str(request.url) == "http://127.0.0.1:8765/Orders/2013-09-01"
    assert request.headers["host"] == "127.0.0.1:8765"
    assert request.content == signed(
        common("GetServiceStatus", "2013-09-01"), ORDERS, host="127.0.0.1:8765"
    )
    verify_signature(request, "127.0.0.1:8765", ORDERS)


def test_local_endpoint_submit_feed_query_signed_with_port() -> None:
    recorder = Recorder()
    client(recorder, endpoint="http://127.0.0.1:8765/").feeds.submit_feed(
        feed_type="_POST_PRODUCT_DATA_", feed_content=XML_FEED
    )
    request = recorder.last
    assert request.url.path == FEEDS
    pairs = by_name(
        common("SubmitFeed", "2009-01-01")
        + ["ContentMD5Value=SBpAcbn8tAr%2FRwP%2BkIGOaw%3D%3D", "FeedType=_POST_PRODUCT_DATA_"]
    )
    assert request.url.query == signed(pairs, FEEDS, host="127.0.0.1:8765")


def test_endpoint_default_port_is_not_signed_and_host_is_lowercased() -> None:
    recorder = Recorder()
    client(recorder, endpoint="https://Sandbox.Example.COM:443/").orders.get_service_status()
    request = recorder.last
    assert request.headers["host"] == "sandbox.example.com"
    assert request.content == signed(
        common("GetServiceStatus", "2013-09-01"), ORDERS, host="sandbox.example.com"
    )


def test_endpoint_path_prefix_is_posted_to_and_signed() -> None:
    recorder = Recorder()
    client(recorder, endpoint="http://127.0.0.1:8765/mws/").orders.get_service_status()
    request = recorder.last
    assert str(request.url) == "http://127.0.0.1:8765/mws/Orders/2013-09-01"
    assert request.content == signed(
        common("GetServiceStatus", "2013-09-01"), "/mws/Orders/2013-09-01", host="127.0.0.1:8765"
    )


def test_ipv6_endpoint_signs_the_host_header_it_sends() -> None:
    # BUG (runtime client.py RequestBuilder.__init__): the signed host is built from
    # urlsplit().hostname, which drops the IPv6 brackets, so "::1:8765" is signed while the
    # request's Host header is "[::1]:8765"; MWS (or a sandbox) would reject the signature.
    recorder = Recorder()
    client(recorder, endpoint="http://[::1]:8765").orders.get_service_status()
    request = recorder.last
    assert request.headers["host"] == "[::1]:8765"
    assert request.content == signed(
        common("GetServiceStatus", "2013-09-01"), ORDERS, host="[::1]:8765"
    ), "RUNTIME BUG: IPv6 endpoint is signed with host '::1:8765' instead of the Host header '[::1]:8765'"


def test_clock_is_read_per_request() -> None:
    recorder = Recorder()
    times = iter([FIXED_NOW, FIXED_NOW + timedelta(seconds=1, milliseconds=500)])
    mws = MWS(
        access_key=ACCESS_KEY,
        secret_key=SECRET_KEY,
        seller_id=SELLER_ID,
        transport=httpx.MockTransport(recorder),
        clock=lambda: next(times),
        throttle="off",
    )
    mws.orders.get_service_status()
    mws.orders.get_service_status()
    second = [
        pair if pair != TIMESTAMP else "Timestamp=2024-01-02T03%3A04%3A06.500Z"
        for pair in common("GetServiceStatus", "2013-09-01")
    ]
    assert [request.content for request in recorder.requests] == [
        signed(common("GetServiceStatus", "2013-09-01"), ORDERS),
        signed(second, ORDERS),
    ]


# --- AsyncMWS sends the very same bytes -----------------------------------------------------


def _async_client(recorder: Recorder, **options: Any) -> AsyncMWS:
    return AsyncMWS(
        access_key=ACCESS_KEY,
        secret_key=SECRET_KEY,
        seller_id=SELLER_ID,
        transport=httpx.MockTransport(recorder),
        clock=lambda: FIXED_NOW,
        throttle="off",  # these tests check bytes; throttling has its own tests
        **options,
    )


def _wire(request: httpx.Request) -> tuple[str, str, bytes, str, str, str]:
    return (
        request.method,
        str(request.url),
        request.content,
        request.headers["content-type"],
        request.headers["user-agent"],
        request.headers["host"],
    )


def test_async_client_sends_identical_bytes() -> None:
    sync_recorder = Recorder()
    sync_client = client(sync_recorder, auth_token=AUTH_TOKEN)
    call_list_orders(sync_client.orders)
    sync_client.feeds.submit_feed(feed_type="_POST_PRODUCT_DATA_", feed_content=XML_FEED)
    sync_client.close()

    async_recorder = Recorder()

    async def run() -> None:
        async with _async_client(async_recorder, auth_token=AUTH_TOKEN) as mws:
            await call_list_orders(mws.orders)
            await mws.feeds.submit_feed(feed_type="_POST_PRODUCT_DATA_", feed_content=XML_FEED)

    asyncio.run(run())
    assert len(async_recorder.requests) == 2
    assert [_wire(r) for r in async_recorder.requests] == [_wire(r) for r in sync_recorder.requests]
    with_token = by_name(LIST_ORDERS_PAIRS + [f"MWSAuthToken={AUTH_TOKEN}"])
    assert async_recorder.requests[0].content == signed(with_token, ORDERS)
