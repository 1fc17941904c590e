"""Hostile requests to the sandbox: control characters, odd integers, crashes, others' tokens."""

from __future__ import annotations

import base64
import hashlib
from datetime import UTC, datetime
from typing import Any

import pytest
from lxml import etree
from sandbox_helpers import AK, CREDS, FEEDS, SELLER, SK, make_client

from mwskit import errors
from mwskit._runtime.encoding import format_datetime
from mwskit.sandbox import Reply, Sandbox, transport
from mwskit.signing import canonical_query, sign

# ---------------------------------------------------------------- hostile requests


def handle_signed(
    box: Sandbox, path: str, params: dict[str, str], seller: str = SELLER
) -> tuple[int, str, str, str, Reply]:
    """A request signed for host "localhost", answered in process; its error triple if any."""
    pairs = {
        "AWSAccessKeyId": AK,
        "SellerId": seller,
        "SignatureMethod": "HmacSHA256",
        "SignatureVersion": "2",
        "Timestamp": format_datetime(box.clock()),
        **params,
    }
    signature = sign(f"POST\nlocalhost\n{path}\n{canonical_query(pairs)}", SK, "HmacSHA256")
    body = canonical_query({**pairs, "Signature": signature}).encode()
    reply = box.handle("POST", "localhost", path, "", "application/x-www-form-urlencoded", body)
    if reply.status == 200:
        return reply.status, "", "", "", reply
    root = etree.fromstring(reply.body)
    return (
        reply.status,
        root.findtext("{*}Error/{*}Code") or "",
        root.findtext("{*}Error/{*}Message") or "",
        root.findtext("{*}RequestID") or "",
        reply,
    )


REPORTS = "/Reports/2009-01-01"


def test_refusals_echoing_control_characters_are_well_formed_xml() -> None:
    box = Sandbox(CREDS, throttling=False)
    reply = box.handle("POST", "localhost", "/Orders/\x01\x00", "", "", b"")
    root = etree.fromstring(reply.body)
    assert (reply.status, root.findtext("{*}Error/{*}Code")) == (404, "InvalidAddress")
    assert root.findtext("{*}Error/{*}Message") == (
        "The path /Orders/\ufffd\ufffd is not a valid MWS path."
    )
    status, code, message, _, _ = handle_signed(
        box, REPORTS, {"Action": "GetReportList", "Version": "2009-01-01", "MaxCount": "1\x02\x1f"}
    )
    assert (status, code, message) == (
        400,
        "InvalidParameterValue",
        "Value '1\ufffd\ufffd' for parameter MaxCount is invalid. It must be an integer.",
    )


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("9" * 5000, "It must be an integer of at most 19 digits."),
        ("1" * 20, "It must be an integer of at most 19 digits."),
        ("\uff19", "It must be an integer."),  # a full-width digit: int() would take it
        ("\u0661\u0660", "It must be an integer."),  # Arabic-Indic digits
    ],
)
def test_integer_parameters_are_bounded_ascii_digits(value: str, reason: str) -> None:
    box = Sandbox(CREDS, throttling=False)
    status, code, message, _, _ = handle_signed(
        box, REPORTS, {"Action": "GetReportList", "Version": "2009-01-01", "MaxCount": value}
    )
    echoed = value if len(value) <= 200 else value[:200] + "..."
    assert (status, code, message) == (
        400,
        "InvalidParameterValue",
        f"Value '{echoed}' for parameter MaxCount is invalid. {reason}",
    )
    # A list index of thousands of digits is not a list item (ignored, like any unknown name).
    status, *_ = handle_signed(
        box,
        REPORTS,
        {
            "Action": "GetReportList",
            "Version": "2009-01-01",
            "ReportTypeList.Type." + "1" * 5000: "x",
        },
    )
    assert status == 200


def test_an_unexpected_exception_answers_500_internal_error_and_is_counted() -> None:
    box = Sandbox(CREDS, throttling=False)

    def broken(request: Any) -> bytes:
        raise RuntimeError("a bug in a handler")

    box.add_fixture("GetReportCount", broken)
    status, code, message, request_id, reply = handle_signed(
        box, REPORTS, {"Action": "GetReportCount", "Version": "2009-01-01"}
    )
    assert (status, code, message) == (
        500,
        "InternalError",
        "We encountered an internal error. Please try again.",
    )
    assert dict(reply.headers)["x-mws-request-id"] == request_id
    assert etree.fromstring(reply.body).findtext("{*}Error/{*}Type") == "Receiver"
    stats = box.stats()
    assert (stats.received, stats.by_action, stats.by_status, stats.by_code) == (
        1,
        {"GetReportCount": 1},
        {500: 1},
        {"InternalError": 1},
    )


def test_next_tokens_are_bound_to_the_seller_that_got_them() -> None:
    box = Sandbox(CREDS, throttling=False)
    a = make_client("http://sandbox.local", seller_id="SELLER-A", transport=transport(box))
    b = make_client("http://sandbox.local", seller_id="SELLER-B", transport=transport(box))
    for _ in range(3):
        a.reports.request_report(report_type="_GET_FLAT_FILE_OPEN_LISTINGS_DATA_")
    first = a.reports.get_report_request_list(max_count=1)
    assert first.next_token
    with pytest.raises(errors.InvalidParameterValue) as caught:
        b.reports.get_report_request_list_by_next_token(next_token=first.next_token)
    assert (caught.value.status_code, caught.value.message) == (
        400,
        f"Value '{first.next_token}' for parameter NextToken is invalid. "
        "It is not a NextToken this service issued.",
    )
    rest = a.reports.get_report_request_list_by_next_token(next_token=first.next_token)
    assert len(rest.report_request_info) == 2  # still good for its own seller
    # The stateless paging of the other sections is bound too.
    orders = a.orders.list_orders(
        marketplace_id=["ATVPDKIKX0DER"], created_after=datetime(2024, 1, 1, tzinfo=UTC)
    )
    assert orders.next_token
    with pytest.raises(errors.InvalidParameterValue):
        b.orders.list_orders_by_next_token(next_token=orders.next_token)
    a.orders.list_orders_by_next_token(next_token=orders.next_token)


def test_documents_answer_only_for_the_sellers_own_ids() -> None:
    box = Sandbox(CREDS, throttling=False)
    a = make_client("http://sandbox.local", seller_id="SELLER-A", transport=transport(box))
    b = make_client("http://sandbox.local", seller_id="SELLER-B", transport=transport(box))
    feed = a.feeds.submit_feed(feed_type="_POST_PRODUCT_DATA_", feed_content=b"sku\n1\n")
    feed_id = feed.feed_submission_info.feed_submission_id
    request = a.reports.request_report(report_type="_GET_FLAT_FILE_OPEN_LISTINGS_DATA_")
    request_id = request.report_request_info.report_request_id
    for _ in range(3):
        a.feeds.get_feed_submission_list()
        a.reports.get_report_request_list()
    report_id = a.reports.get_report_list().report_info[0].report_id
    assert a.feeds.get_feed_submission_result(feed_submission_id=feed_id).md5_verified
    assert a.reports.get_report(report_id=report_id).md5_verified
    for client, wrong in ((b, feed_id), (a, "999"), (b, "999")):
        with pytest.raises(errors.InvalidParameterValue) as caught:
            client.feeds.get_feed_submission_result(feed_submission_id=wrong)
        assert (caught.value.status_code, caught.value.message) == (
            400,
            f"Value '{wrong}' for parameter FeedSubmissionId is invalid. "
            "No feed submission with this ID was found.",
        )
    for client, wrong in ((b, report_id), (a, request_id), (a, "999")):
        with pytest.raises(errors.InvalidParameterValue) as caught:
            client.reports.get_report(report_id=wrong)
        assert (caught.value.status_code, caught.value.message) == (
            400,
            f"Value '{wrong}' for parameter ReportId is invalid. No report with this ID was found.",
        )


def test_processing_report_escapes_the_seller_id() -> None:
    box = Sandbox(CREDS, throttling=False)
    seller = "A1<&>\"'\x01"
    status, _, _, _, reply = handle_signed(
        box,
        FEEDS,
        {
            "Action": "SubmitFeed",
            "Version": "2009-01-01",
            "FeedType": "_POST_PRODUCT_DATA_",
            "ContentMD5Value": base64.b64encode(hashlib.md5(b"").digest()).decode(),
        },
        seller=seller,
    )
    assert status == 200
    feed_id = etree.fromstring(reply.body).findtext(".//{*}FeedSubmissionId")
    assert feed_id
    for _ in range(3):
        assert (
            handle_signed(
                box, FEEDS, {"Action": "GetFeedSubmissionList", "Version": "2009-01-01"}, seller
            )[0]
            == 200
        )
    status, _, _, _, reply = handle_signed(
        box,
        FEEDS,
        {"Action": "GetFeedSubmissionResult", "Version": "2009-01-01", "FeedSubmissionId": feed_id},
        seller,
    )
    assert status == 200
    root = etree.fromstring(reply.body)
    assert root.findtext("Header/MerchantIdentifier") == "A1<&>\"'\ufffd"
    assert root.findtext("Message/ProcessingReport/DocumentTransactionID") == feed_id
