"""Exact signed request bytes of ListOrders, each value encoding and SubmitFeed, sync and async."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import platform
import re
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import httpx
import pytest
from runtime_helpers.wire import (
    ACCESS_KEY,
    AUTH_TOKEN,
    FEEDS,
    FIS,
    FIXED_NOW,
    FORM,
    NA_HOST,
    ORDERS,
    REPORTS,
    SECRET_KEY,
    SELLER_ID,
    TIMESTAMP,
    XML_FEED,
    Recorder,
    by_name,
    client,
    common,
    enc,
    signed,
    verify_signature,
)

import mwskit
from mwskit import MWS, AsyncMWS
from mwskit.orders.models import FulfillmentChannel, OrderStatus


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
        (datetime(2024, 1, 1, tzinfo=UTC), "2024-01-01T00%3A00%3A00Z"),
        (
            datetime(2024, 2, 29, 23, 59, 59, 1000, tzinfo=UTC),
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
        [*common("ListOrders", "2013-09-01"), f"LastUpdatedAfter={wire}", "MarketplaceId.Id.1=M"]
    )
    assert recorder.last.content == signed(pairs, ORDERS)


# --- List and structure encoding ------------------------------------------------------------
# Every list pattern (X.Id.N, X.member.N, X.member.N.Field, A.member.N.B.C.N.D), structures as
# dataclasses or mappings, repeated values, any iterable, and empty lists now live as data in
# tests/protocol/cases/*.yaml; tests/protocol/test_client_wire.py sends each case whose
# real_operation names one of these actions through this installed client and compares the
# exact signed body, and tests/protocol/test_sandbox_wire.py has the sandbox read them back.


def _fis(mws: MWS) -> Any:
    return mws.fulfillment_inbound_shipment


# --- Values: booleans, integers, dates, decimals ------------------------------------------


@pytest.mark.parametrize(("flag", "wire"), [(True, "true"), (False, "false")])
def test_booleans(flag: bool, wire: str) -> None:
    recorder = Recorder()
    client(recorder).reports.get_report_count(acknowledged=flag)
    pairs = by_name([*common("GetReportCount", "2009-01-01"), f"Acknowledged={wire}"])
    assert recorder.last.content == signed(pairs, REPORTS)


def test_integers() -> None:
    recorder = Recorder()
    _fis(client(recorder)).get_pallet_labels(
        shipment_id="FBA1", page_type="PackageLabel_A4_4", number_of_pallets=3
    )
    pairs = by_name(
        [
            *common("GetPalletLabels", "2010-10-01"),
            "NumberOfPallets=3",
            "PageType=PackageLabel_A4_4",
            "ShipmentId=FBA1",
        ]
    )
    assert recorder.last.content == signed(pairs, FIS)


def test_integer_bounds_are_inclusive() -> None:
    recorder = Recorder()
    mws = client(recorder)
    mws.reports.get_report_list(max_count=1)
    mws.reports.get_report_list(max_count=100)
    assert [request.content for request in recorder.requests] == [
        signed(by_name([*common("GetReportList", "2009-01-01"), "MaxCount=1"]), REPORTS),
        signed(by_name([*common("GetReportList", "2009-01-01"), "MaxCount=100"]), REPORTS),
    ]


def test_date() -> None:
    recorder = Recorder()
    _fis(client(recorder)).confirm_preorder(shipment_id="FBA1", need_by_date=date(2024, 3, 4))
    pairs = by_name(
        [*common("ConfirmPreorder", "2010-10-01"), "NeedByDate=2024-03-04", "ShipmentId=FBA1"]
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
        [
            *common("PutTransportContent", "2010-10-01"),
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
        [
            *common("RequestReport", "2009-01-01"),
            "MarketplaceIdList.Id.1=M",
            "ReportType=_GET_SOMETHING_NEW_",
        ]
    )
    assert recorder.last.content == signed(pairs, REPORTS)


# --- SubmitFeed: parameters in the query, document as the body ---------------------------


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
        [
            *common("SubmitFeed", "2009-01-01"),
            f"ContentMD5Value={enc(md5)}",
            "FeedType=_POST_FLAT_FILE_LISTINGS_DATA_",
        ]
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
    with_token = by_name([*LIST_ORDERS_PAIRS, f"MWSAuthToken={AUTH_TOKEN}"])
    assert async_recorder.requests[0].content == signed(with_token, ORDERS)
