"""Signed request bytes under each client option: token, seller, expiry, SHA1, hosts, clock."""

from __future__ import annotations

import base64
from datetime import timedelta
from urllib.parse import unquote

import httpx
import pytest
from runtime_helpers.wire import (
    ACCESS_KEY,
    AUTH_TOKEN,
    FEEDS,
    FIS,
    FIXED_NOW,
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
    signed,
    verify_signature,
)

from mwskit import MWS

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
        [
            *common("SubmitFeed", "2009-01-01"),
            "ContentMD5Value=SBpAcbn8tAr%2FRwP%2BkIGOaw%3D%3D",
            "FeedType=_POST_PRODUCT_DATA_",
        ]
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
