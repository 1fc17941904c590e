"""The sandbox (mwskit.sandbox) against the generated clients, over loopback HTTP and in process.

Every check the sandbox makes is asserted with its exact error code and message; the feed and
report workflows, paging, throttling and each injected fault run end to end through `mwskit.MWS`
(and `AsyncMWS`), and every action of every section is called once with realistic arguments.
"""

from __future__ import annotations

import asyncio
import base64
import dataclasses
import enum
import hashlib
import inspect
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import httpx
import pytest
from lxml import etree

import mwskit
from conftest import ROOT
from mwskit import errors
from mwskit._runtime import SAME_SHAPE, Operation, Param, ResultField, ResultShapeSpec
from mwskit._runtime.descriptors import STRUCTURE, ThrottlingSpec
from mwskit._runtime.encoding import format_datetime
from mwskit._runtime.response import parse_response
from mwskit._runtime.results import ATTRIBUTE, TEXT, MWSResult
from mwskit.feeds import _operations as feeds_ops
from mwskit.orders import _operations as orders_ops
from mwskit.sandbox import (
    SECTIONS,
    FaultConfig,
    Reply,
    Sandbox,
    SandboxServer,
    async_transport,
    start,
    transport,
)
from mwskit.sandbox.answers import response_document
from mwskit.signing import canonical_query, sign

AK, SK, SELLER = "AKSANDBOX", "sandbox-secret", "A1SELLER"
CREDS = {AK: SK, "AKOTHER": "other-secret"}
NS_FEEDS = "http://mws.amazonaws.com/doc/2009-01-01/"


def client_options() -> dict[str, Any]:
    """No client-side retries or throttling (when the client has them): see the raw answers."""
    accepted = inspect.signature(mwskit.MWS).parameters
    options: dict[str, Any] = {}
    if "retries" in accepted:
        options["retries"] = mwskit.RetryPolicy(max_attempts=1)
    if "throttle" in accepted:
        options["throttle"] = "off"
    return options


def make_client(endpoint: str, **kwargs: Any) -> mwskit.MWS:
    options = {"access_key": AK, "secret_key": SK, "seller_id": SELLER, **client_options()}
    options.update(kwargs)
    return mwskit.MWS(endpoint=endpoint, **options)


def make_async_client(endpoint: str, **kwargs: Any) -> mwskit.AsyncMWS:
    options = {"access_key": AK, "secret_key": SK, "seller_id": SELLER, **client_options()}
    options.update(kwargs)
    return mwskit.AsyncMWS(endpoint=endpoint, **options)


def texts(result: Any, tag: str) -> list[str]:
    """Every text of elements named `tag` in a result's raw body."""
    root = etree.fromstring(result.body)
    return [element.text or "" for element in root.iter(f"{{*}}{tag}")]


def text(result: Any, tag: str) -> str:
    found = texts(result, tag)
    assert found, f"no <{tag}> in {result.body[:300]!r}"
    return found[0]


def signed_post(
    url: str,
    path: str,
    params: dict[str, str],
    *,
    secret: str = SK,
    method: str = "HmacSHA256",
    now: datetime | None = None,
    tamper: tuple[str, str] | None = None,
    time_name: str = "Timestamp",
) -> httpx.Response:
    """A hand-signed POST (bypassing the client's own checks)."""
    host = url.split("://", 1)[1]
    pairs = {
        "AWSAccessKeyId": AK,
        "SellerId": SELLER,
        "SignatureMethod": method,
        "SignatureVersion": "2",
        **params,
    }
    if time_name == "Timestamp":
        pairs.setdefault("Timestamp", format_datetime(now or datetime.now(UTC)))
    query = canonical_query(pairs)
    signature = sign(f"POST\n{host}\n{path}\n{query}", secret, method)
    if tamper is not None:
        pairs[tamper[0]] = tamper[1]
    body = canonical_query({**pairs, "Signature": signature})
    return httpx.post(
        url + path,
        content=body.encode(),
        headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"},
    )


def error_of(response: httpx.Response) -> tuple[int, str, str, str]:
    root = etree.fromstring(response.content)
    assert etree.QName(root).localname == "ErrorResponse"
    return (
        response.status_code,
        root.findtext("{*}Error/{*}Type") or "",
        root.findtext("{*}Error/{*}Code") or "",
        root.findtext("{*}Error/{*}Message") or "",
    )


FEEDS = "/Feeds/2009-01-01"


def feeds(params: dict[str, str]) -> dict[str, str]:
    return {"Version": "2009-01-01", **params}


@pytest.fixture(scope="module")
def server() -> Iterator[SandboxServer]:
    with start(Sandbox(CREDS, throttling=False)) as running:
        yield running


@pytest.fixture(scope="module")
def mws(server: SandboxServer) -> Iterator[mwskit.MWS]:
    client = make_client(server.url)
    yield client
    client.close()


# ---------------------------------------------------------------- signatures and time


@pytest.mark.parametrize("method", ["HmacSHA256", "HmacSHA1"])
def test_both_signature_methods_are_accepted(server: SandboxServer, method: str) -> None:
    with make_client(server.url, signature_method=method) as client:
        result = client.orders.get_service_status()
    assert isinstance(result, MWSResult)
    assert result.request_id is not None and len(result.request_id) == 36
    assert result.server_time is not None


def test_wrong_secret_is_refused(server: SandboxServer) -> None:
    with make_client(server.url, secret_key="not-the-secret") as client:
        with pytest.raises(errors.SignatureDoesNotMatch) as caught:
            client.orders.get_service_status()
    assert caught.value.status_code == 403
    assert caught.value.code == "SignatureDoesNotMatch"
    assert caught.value.message == (
        "The request signature we calculated does not match the signature you provided. "
        "Check your AWS Secret Access Key and signing method. Consult the service "
        "documentation for details."
    )


def test_unknown_access_key_is_refused(server: SandboxServer) -> None:
    with make_client(server.url, access_key="AKUNKNOWN") as client:
        with pytest.raises(errors.InvalidAccessKeyId) as caught:
            client.orders.get_service_status()
    assert (caught.value.status_code, caught.value.message) == (
        403,
        "The AWS Access Key Id you provided does not exist in our records.",
    )


def test_second_key_pair_is_accepted(server: SandboxServer) -> None:
    with make_client(server.url, access_key="AKOTHER", secret_key="other-secret") as client:
        assert isinstance(client.sellers.get_service_status(), MWSResult)


def test_tampered_parameter_is_refused(server: SandboxServer) -> None:
    params = feeds(
        {"Action": "GetFeedSubmissionCount", "FeedTypeList.Type.1": "_POST_PRODUCT_DATA_"}
    )
    assert signed_post(server.url, FEEDS, params).status_code == 200
    tampered = signed_post(
        server.url,
        FEEDS,
        params,
        tamper=("FeedTypeList.Type.1", "_POST_INVENTORY_AVAILABILITY_DATA_"),
    )
    assert error_of(tampered)[:3] == (403, "Sender", "SignatureDoesNotMatch")


def test_hand_signed_sha1_request_is_accepted(server: SandboxServer) -> None:
    response = signed_post(
        server.url, FEEDS, feeds({"Action": "GetFeedSubmissionCount"}), method="HmacSHA1"
    )
    assert response.status_code == 200
    assert response.headers["x-mws-request-id"]


def test_old_timestamp_is_refused(server: SandboxServer) -> None:
    # Hand-signed: the client corrects its clock from x-mws-timestamp when it sees RequestExpired.
    then = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=16)
    response = signed_post(server.url, FEEDS, feeds({"Action": "GetFeedSubmissionCount"}), now=then)
    assert error_of(response) == (
        400,
        "Sender",
        "RequestExpired",
        f"Request has expired. Timestamp date is {format_datetime(then)}.",
    )
    assert abs(
        datetime.fromisoformat(response.headers["x-mws-timestamp"]) - datetime.now(UTC)
    ) < timedelta(seconds=5)


def test_timestamp_in_the_future_is_refused(server: SandboxServer) -> None:
    later = datetime.now(UTC) + timedelta(minutes=16)
    response = signed_post(
        server.url, FEEDS, feeds({"Action": "GetFeedSubmissionCount"}), now=later
    )
    assert error_of(response)[2] == "RequestExpired"
    within = datetime.now(UTC) + timedelta(minutes=14)
    response = signed_post(
        server.url, FEEDS, feeds({"Action": "GetFeedSubmissionCount"}), now=within
    )
    assert response.status_code == 200


def test_expires_is_checked(server: SandboxServer) -> None:
    past = datetime.now(UTC).replace(microsecond=0) - timedelta(seconds=5)
    params = feeds({"Action": "GetFeedSubmissionCount", "Expires": format_datetime(past)})
    response = signed_post(server.url, FEEDS, params, time_name="Expires")
    assert error_of(response) == (
        400,
        "Sender",
        "RequestExpired",
        f"Request has expired. Expires date is {format_datetime(past)}.",
    )
    with make_client(server.url, expires_in=timedelta(minutes=5)) as client:
        assert isinstance(client.orders.get_service_status(), MWSResult)
    both = signed_post(server.url, FEEDS, {**params, "Timestamp": format_datetime(past)})
    assert error_of(both) == (
        400,
        "Sender",
        "InvalidParameterValue",
        "Request cannot contain both Timestamp and Expires.",
    )


# ---------------------------------------------------------------- paths and parameters


@pytest.mark.parametrize(
    ("path", "params", "expected"),
    [
        (
            "/Nowhere/2009-01-01",
            feeds({"Action": "GetFeedSubmissionCount"}),
            (
                404,
                "Sender",
                "InvalidAddress",
                "The path /Nowhere/2009-01-01 is not a valid MWS path.",
            ),
        ),
        (
            FEEDS,
            feeds({"Action": "ListOrders"}),
            (
                404,
                "Sender",
                "InvalidAddress",
                "The action ListOrders is not valid for the path /Feeds/2009-01-01.",
            ),
        ),
        (
            FEEDS,
            {"Action": "GetFeedSubmissionCount", "Version": "2013-09-01"},
            (
                400,
                "Sender",
                "InvalidParameterValue",
                "Value '2013-09-01' for parameter Version is invalid. It must be 2009-01-01.",
            ),
        ),
        (
            FEEDS,
            {"Action": "GetFeedSubmissionCount"},
            (400, "Sender", "MissingParameter", "The request must contain the parameter Version."),
        ),
        (
            FEEDS,
            feeds({"Action": "GetFeedSubmissionResult"}),
            (
                400,
                "Sender",
                "MissingParameter",
                "The request must contain the parameter FeedSubmissionId.",
            ),
        ),
        (
            FEEDS,
            feeds({"Action": "GetFeedSubmissionList", "MaxCount": "101"}),
            (
                400,
                "Sender",
                "InvalidParameterValue",
                "Value '101' for parameter MaxCount is invalid. It must be at most 100.",
            ),
        ),
        (
            FEEDS,
            feeds({"Action": "GetFeedSubmissionList", "MaxCount": "ten"}),
            (
                400,
                "Sender",
                "InvalidParameterValue",
                "Value 'ten' for parameter MaxCount is invalid. It must be an integer.",
            ),
        ),
        (
            FEEDS,
            feeds(
                {"Action": "GetFeedSubmissionList", "FeedProcessingStatusList.Status.1": "_LOST_"}
            ),
            (
                400,
                "Sender",
                "InvalidParameterValue",
                "Value '_LOST_' for parameter FeedProcessingStatusList.Status.1 is invalid. It must "
                "be one of: _AWAITING_ASYNCHRONOUS_REPLY_, _CANCELLED_, _DONE_, _IN_PROGRESS_, "
                "_IN_SAFETY_NET_, _SUBMITTED_, _UNCONFIRMED_.",
            ),
        ),
        (
            FEEDS,
            feeds({"Action": "GetFeedSubmissionList", "SubmittedFromDate": "yesterday"}),
            (
                400,
                "Sender",
                "InvalidParameterValue",
                "Value 'yesterday' for parameter SubmittedFromDate is invalid. It must be an ISO "
                "8601 date and time.",
            ),
        ),
        (
            FEEDS,
            feeds(
                {
                    "Action": "GetFeedSubmissionList",
                    **{f"FeedSubmissionIdList.Id.{n}": str(n) for n in range(1, 102)},
                }
            ),
            (
                400,
                "Sender",
                "InvalidParameterValue",
                "Parameter FeedSubmissionIdList.Id.N accepts at most 100 values; got 101.",
            ),
        ),
    ],
)
def test_request_checks(
    server: SandboxServer, path: str, params: dict[str, str], expected: tuple[int, str, str, str]
) -> None:
    assert error_of(signed_post(server.url, path, params)) == expected


def test_feed_status_values_match_the_spec() -> None:
    # The expected message above lists the spec's values: keep them in step.
    param = next(
        p for p in feeds_ops.GET_FEED_SUBMISSION_LIST.params if p.name == "FeedProcessingStatusList"
    )
    assert param.values is not None and len(param.values) == 7


def test_unknown_parameters_are_ignored_unless_strict() -> None:
    params = feeds({"Action": "GetFeedSubmissionCount", "Colour": "blue"})
    with start(Sandbox(CREDS, throttling=False)) as lenient:
        assert signed_post(lenient.url, FEEDS, params).status_code == 200
    with start(Sandbox(CREDS, throttling=False, strict=True)) as strict:
        assert error_of(signed_post(strict.url, FEEDS, params)) == (
            400,
            "Sender",
            "InvalidParameterValue",
            "Parameter Colour is not valid for the action GetFeedSubmissionCount.",
        )
        # Everything the client sends is known to the strict sandbox.
        with make_client(strict.url) as client:
            client.feeds.get_feed_submission_count(feed_type_list=["_POST_PRODUCT_DATA_"])


def test_missing_timestamp_and_seller(server: SandboxServer) -> None:
    response = signed_post(server.url, FEEDS, feeds({"Action": "GetFeedSubmissionCount"}))
    assert response.status_code == 200
    host = server.url.split("://", 1)[1]
    pairs = {
        "AWSAccessKeyId": AK,
        "Action": "GetFeedSubmissionCount",
        "SignatureMethod": "HmacSHA256",
        "SignatureVersion": "2",
        "Timestamp": format_datetime(datetime.now(UTC)),
        "Version": "2009-01-01",
    }
    query = canonical_query(pairs)
    pairs["Signature"] = sign(f"POST\n{host}\n{FEEDS}\n{query}", SK)
    response = httpx.post(
        server.url + FEEDS,
        content=canonical_query(pairs).encode(),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert error_of(response) == (
        400,
        "Sender",
        "MissingParameter",
        "The request must contain the parameter SellerId.",
    )


def test_content_md5_must_match_the_feed(server: SandboxServer) -> None:
    host = server.url.split("://", 1)[1]
    feed = b"<AmazonEnvelope/>"
    wrong = base64.b64encode(hashlib.md5(b"other").digest()).decode()
    pairs = {
        "AWSAccessKeyId": AK,
        "Action": "SubmitFeed",
        "ContentMD5Value": wrong,
        "FeedType": "_POST_PRODUCT_DATA_",
        "SellerId": SELLER,
        "SignatureMethod": "HmacSHA256",
        "SignatureVersion": "2",
        "Timestamp": format_datetime(datetime.now(UTC)),
        "Version": "2009-01-01",
    }
    query = canonical_query(pairs)
    signature = sign(f"POST\n{host}\n{FEEDS}\n{query}", SK)
    response = httpx.post(
        f"{server.url}{FEEDS}?{canonical_query({**pairs, 'Signature': signature})}",
        content=feed,
        headers={"Content-Type": "text/xml"},
    )
    actual = base64.b64encode(hashlib.md5(feed).digest()).decode()
    assert error_of(response) == (
        400,
        "Sender",
        "ContentMD5DoesNotMatch",
        f"the Content-MD5 HTTP header you passed for your feed ({wrong}) did not match the "
        f"Content-MD5 we calculated for your feed ({actual})",
    )


# ---------------------------------------------------------------- workflows and paging


def test_feed_workflow(mws: mwskit.MWS) -> None:
    feed = b'<?xml version="1.0"?><AmazonEnvelope><Message>1</Message><Message>2</Message></AmazonEnvelope>'
    submitted = mws.feeds.submit_feed(feed_type="_POST_PRODUCT_DATA_", feed_content=feed)
    feed_id = text(submitted, "FeedSubmissionId")
    assert text(submitted, "FeedProcessingStatus") == "_SUBMITTED_"
    with pytest.raises(errors.MWSError) as caught:
        mws.feeds.get_feed_submission_result(feed_submission_id=feed_id)
    assert (caught.value.status_code, caught.value.code, caught.value.message) == (
        404,
        "FeedProcessingResultNotReady",
        f"Feed Submission Result is not ready for Feed Submission Id: {feed_id}",
    )
    statuses = []
    for _ in range(4):
        listed = mws.feeds.get_feed_submission_list(feed_submission_id_list=[feed_id])
        assert texts(listed, "FeedSubmissionId") == [feed_id]
        statuses.append(text(listed, "FeedProcessingStatus"))
    assert statuses == ["_SUBMITTED_", "_IN_PROGRESS_", "_DONE_", "_DONE_"]
    count = mws.feeds.get_feed_submission_count(feed_processing_status_list=["_DONE_"])
    assert int(text(count, "Count")) >= 1
    report = mws.feeds.get_feed_submission_result(feed_submission_id=feed_id)
    assert isinstance(report, mwskit.Document)
    assert report.md5_verified
    processing = etree.fromstring(report.content)
    assert processing.findtext("Message/ProcessingReport/DocumentTransactionID") == feed_id
    assert (
        processing.findtext("Message/ProcessingReport/ProcessingSummary/MessagesProcessed") == "2"
    )


def test_report_workflow(mws: mwskit.MWS) -> None:
    requested = mws.reports.request_report(report_type="_GET_FLAT_FILE_OPEN_LISTINGS_DATA_")
    request_id = text(requested, "ReportRequestId")
    assert text(requested, "ReportProcessingStatus") == "_SUBMITTED_"
    statuses = []
    for _ in range(3):
        listed = mws.reports.get_report_request_list(report_request_id_list=[request_id])
        statuses.append(text(listed, "ReportProcessingStatus"))
    assert statuses == ["_SUBMITTED_", "_IN_PROGRESS_", "_DONE_"]
    report_id = text(listed, "GeneratedReportId")
    reports = mws.reports.get_report_list(report_request_id_list=[request_id])
    assert texts(reports, "ReportId") == [report_id]
    document = mws.reports.get_report(report_id=report_id)
    assert isinstance(document, mwskit.Document)
    assert document.md5_verified
    assert document.content_md5 == base64.b64encode(hashlib.md5(document.content).digest()).decode()
    assert document.content.decode("cp1252").splitlines()[0] == "sku\tasin\tprice\tquantity"
    again = mws.reports.get_report(report_id=report_id)
    assert again.content == document.content


def test_next_token_paging(mws: mwskit.MWS) -> None:
    first = mws.orders.list_orders(
        marketplace_id=["ATVPDKIKX0DER"],
        created_after=datetime.now(UTC) - timedelta(days=2),
    )
    token = text(first, "NextToken")
    assert set("+/=") & set(token)  # exercises percent-encoding both ways
    last = mws.orders.list_orders_by_next_token(next_token=token)
    assert texts(last, "NextToken") == []
    with pytest.raises(errors.InvalidParameterValue) as caught:
        mws.orders.list_orders_by_next_token(next_token="bogus")
    assert caught.value.message == (
        "Value 'bogus' for parameter NextToken is invalid. It is not a NextToken this service issued."
    )


def test_stateful_paging_by_max_count(server: SandboxServer) -> None:
    with make_client(server.url, seller_id="A2PAGING") as client:
        ids = [
            text(
                client.feeds.submit_feed(feed_type="_POST_PRODUCT_DATA_", feed_content=b"x\ny\n"),
                "FeedSubmissionId",
            )
            for _ in range(3)
        ]
        first = client.feeds.get_feed_submission_list(max_count=2)
        assert texts(first, "FeedSubmissionId") == ids[:2]
        assert text(first, "HasNext") == "true"
        rest = client.feeds.get_feed_submission_list_by_next_token(
            next_token=text(first, "NextToken")
        )
        assert texts(rest, "FeedSubmissionId") == ids[2:]
        assert text(rest, "HasNext") == "false"


# ---------------------------------------------------------------- throttling


def test_throttling_refuses_past_the_burst(server: SandboxServer) -> None:
    sandbox = Sandbox(CREDS)
    with start(sandbox) as running, make_client(running.url) as client:
        for _ in range(10):
            result = client.feeds.get_feed_submission_count()
        assert (result.quota_max, result.quota_remaining) == (80, 70)
        with pytest.raises(errors.RequestThrottled) as caught:
            client.feeds.get_feed_submission_count()
        assert (caught.value.status_code, caught.value.message) == (503, "Request is throttled")
        # Other sellers and other buckets are not affected.
        with make_client(running.url, seller_id="A2OTHER") as other:
            other.feeds.get_feed_submission_count()
        client.feeds.get_feed_submission_list()
        sandbox.throttling = False
        client.feeds.get_feed_submission_count()


def test_throttling_headers_restore_and_hourly_quota() -> None:
    now = [datetime(2024, 1, 1, 12, 0, tzinfo=UTC)]
    spec = ThrottlingSpec(
        max_request_quota=2,
        restore_seconds=10.0,
        bucket="GetFeedSubmissionCount",
        hourly_request_quota=4,
    )
    operation = dataclasses.replace(feeds_ops.GET_FEED_SUBMISSION_COUNT, throttling=spec)
    sandbox = Sandbox(CREDS, sections=[(feeds_ops.SECTION, [operation])], clock=lambda: now[0])
    with start(sandbox) as running:

        def call() -> httpx.Response:
            return signed_post(
                running.url, FEEDS, feeds({"Action": "GetFeedSubmissionCount"}), now=now[0]
            )

        seen = []
        for step in (0, 0, 0, 10, 10, 10, 10):
            now[0] += timedelta(seconds=step)
            response = call()
            code = error_of(response)[2] if response.status_code != 200 else "ok"
            seen.append((code, response.headers["x-mws-quota-remaining"]))
        assert seen == [
            ("ok", "3"),
            ("ok", "2"),
            ("RequestThrottled", "2"),
            ("ok", "1"),
            ("ok", "0"),
            ("QuotaExceeded", "0"),
            ("QuotaExceeded", "0"),
        ]
        assert response.headers["x-mws-quota-max"] == "4"
        assert response.headers["x-mws-quota-resetsOn"] == "2024-01-01T13:00:00.000Z"
        assert response.headers["x-mws-timestamp"] == "2024-01-01T12:00:40.000Z"
        assert error_of(response) == (
            503,
            "Sender",
            "QuotaExceeded",
            "You exceeded your quota of 4 requests per 1 hour for operation "
            "Feeds/2009-01-01/GetFeedSubmissionCount. Your quota will reset on "
            "2024-01-01T13:00:00.000Z",
        )
        now[0] = datetime(2024, 1, 1, 13, 0, 1, tzinfo=UTC)
        assert call().status_code == 200


# ---------------------------------------------------------------- faults


def faulty(**config: Any) -> Sandbox:
    return Sandbox(CREDS, throttling=False, faults=FaultConfig(**config))


def test_injected_500() -> None:
    with start(faulty(error_500_rate=1.0)) as running, make_client(running.url) as client:
        with pytest.raises(errors.InternalError) as caught:
            client.orders.get_service_status()
    assert (caught.value.status_code, caught.value.error_type, caught.value.message) == (
        500,
        "Receiver",
        "We encountered an internal error. Please try again.",
    )


def test_injected_503s() -> None:
    with start(faulty(error_503_rate=1.0)) as running, make_client(running.url) as client:
        with pytest.raises(errors.ServiceUnavailable) as caught:
            client.orders.get_service_status()
    assert (caught.value.status_code, caught.value.message) == (
        503,
        "Service is temporarily unavailable. Please try again.",
    )
    throttled = faulty(error_503_rate=1.0, error_503_code="RequestThrottled")
    with start(throttled) as running, make_client(running.url) as client:
        with pytest.raises(errors.RequestThrottled):
            client.orders.get_service_status()


def test_injected_connection_reset() -> None:
    sandbox = faulty(reset_rate=1.0)
    with start(sandbox) as running, make_client(running.url) as client:
        with pytest.raises(httpx.TransportError):
            client.orders.get_service_status()
    assert sandbox.stats().by_code == {"reset": 1}
    with (
        mwskit.MWS(
            access_key=AK,
            secret_key=SK,
            seller_id=SELLER,
            endpoint="http://sandbox.test",
            transport=transport(sandbox),
            **client_options(),
        ) as client,
        pytest.raises(httpx.ReadError),
    ):
        client.orders.get_service_status()


def test_injected_malformed_body() -> None:
    damaged = frozenset({"GetServiceStatus", "GetReport"})
    sandbox = faulty(malformed_rate=1.0, actions=damaged)
    with start(sandbox) as running, make_client(running.url) as client:
        with pytest.raises(errors.ResponseParseError):
            client.orders.get_service_status()
        with pytest.raises(mwskit.ContentMD5Mismatch):
            client.reports.request_and_get_report(
                report_type="_GET_FLAT_FILE_OPEN_LISTINGS_DATA_", poll_interval=0
            )


def test_injected_latency_and_action_filter() -> None:
    sandbox = faulty(latency=0.3, error_500_rate=1.0, actions=frozenset({"ListOrders"}))
    with start(sandbox) as running, make_client(running.url) as client:
        began = time.monotonic()
        client.orders.get_service_status()
        assert time.monotonic() - began < 0.3
        began = time.monotonic()
        with pytest.raises(errors.InternalError):
            client.orders.list_orders(
                marketplace_id=["ATVPDKIKX0DER"],
                created_after=datetime(2024, 1, 1, tzinfo=UTC),
            )
        assert time.monotonic() - began >= 0.3


def test_fault_rates_are_seeded_and_counted() -> None:
    sandbox = faulty(error_503_rate=0.5)
    with start(sandbox) as running, make_client(running.url) as client:
        outcomes = []
        for _ in range(40):
            try:
                client.sellers.get_service_status()
                outcomes.append("ok")
            except errors.ServiceUnavailable:
                outcomes.append("503")
    stats = sandbox.stats()
    assert stats.received == 40
    assert stats.by_action == {"GetServiceStatus": 40}
    assert stats.by_status == {200: outcomes.count("ok"), 503: outcomes.count("503")}
    assert 5 < outcomes.count("503") < 35
    # The same seed injects the same faults in the same order (here in process).
    again = faulty(error_503_rate=0.5)
    replay = []
    with mwskit.MWS(
        access_key=AK,
        secret_key=SK,
        seller_id=SELLER,
        endpoint="http://sandbox.test",
        transport=transport(again),
        **client_options(),
    ) as client:
        for _ in range(40):
            try:
                client.sellers.get_service_status()
                replay.append("ok")
            except errors.ServiceUnavailable:
                replay.append("503")
    assert replay == outcomes


# ---------------------------------------------------------------- in process, async, fixtures


def test_in_process_sync_and_async() -> None:
    sandbox = Sandbox(CREDS)
    with mwskit.MWS(
        access_key=AK,
        secret_key=SK,
        seller_id=SELLER,
        endpoint="http://sandbox.test",
        transport=transport(sandbox),
        **client_options(),
    ) as client:
        submitted = client.feeds.submit_feed(
            feed_type="_POST_PRODUCT_DATA_", feed_content=b"a\tb\n"
        )
        feed_id = text(submitted, "FeedSubmissionId")

    async def run() -> list[str]:
        async with mwskit.AsyncMWS(
            access_key=AK,
            secret_key=SK,
            seller_id=SELLER,
            endpoint="http://sandbox.test",
            transport=async_transport(sandbox),
            **client_options(),
        ) as client:
            found = []
            for _ in range(3):
                listed = await client.feeds.get_feed_submission_list(
                    feed_submission_id_list=[feed_id]
                )
                found.append(text(listed, "FeedProcessingStatus"))
            result = await client.feeds.get_feed_submission_result(feed_submission_id=feed_id)
            assert result.md5_verified
            return found

    assert asyncio.run(run()) == ["_SUBMITTED_", "_IN_PROGRESS_", "_DONE_"]
    assert sandbox.stats().by_action == {
        "SubmitFeed": 1,
        "GetFeedSubmissionList": 3,
        "GetFeedSubmissionResult": 1,
    }


def test_async_over_http(server: SandboxServer) -> None:
    async def run() -> int:
        async with make_async_client(server.url) as client:
            results = await asyncio.gather(*(client.orders.get_service_status() for _ in range(8)))
            return len({result.request_id for result in results})

    assert asyncio.run(run()) == 8


def test_fixtures_per_action() -> None:
    sandbox = Sandbox(CREDS, throttling=False)
    body = (
        f'<GetServiceStatusResponse xmlns="{orders_ops.SECTION.namespace}"><GetServiceStatusResult>'
        "<Status>RED</Status></GetServiceStatusResult></GetServiceStatusResponse>"
    )
    sandbox.add_fixture("Orders.GetServiceStatus", body)
    sandbox.add_fixture(
        "GetFeedSubmissionCount",
        lambda request: Reply(
            400,
            b"<ErrorResponse><Error><Code>InvalidRequest</Code><Message>no</Message></Error></ErrorResponse>",
        ),
    )
    with start(sandbox) as running, make_client(running.url) as client:
        assert text(client.orders.get_service_status(), "Status") == "RED"
        assert texts(client.sellers.get_service_status(), "Status") != ["RED"]
        with pytest.raises(errors.InvalidRequest):
            client.feeds.get_feed_submission_count()
        sandbox.remove_fixture("GetFeedSubmissionCount")
        client.feeds.get_feed_submission_count()


def test_answers_are_deterministic_per_seed() -> None:
    def body(seed: int) -> bytes:
        sandbox = Sandbox(CREDS, seed=seed)
        with mwskit.MWS(
            access_key=AK,
            secret_key=SK,
            seller_id=SELLER,
            endpoint="http://sandbox.test",
            transport=transport(sandbox),
            **client_options(),
        ) as client:
            return client.products.get_service_status().body

    assert body(1) == body(1)
    assert body(1) != body(2)


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


# ---------------------------------------------------------------- the XML writer


class Colour(enum.Enum):
    RED = "Red"
    BLUE = "Blue"


@dataclasses.dataclass(frozen=True, kw_only=True)
class Money:
    currency: str | None = None
    amount: Decimal | None = None


@dataclasses.dataclass(frozen=True, kw_only=True)
class Node:
    name: str = ""
    parent: Node | None = None


@dataclasses.dataclass(frozen=True, kw_only=True)
class Thing(MWSResult):
    count: int | None = None
    price: Money | None = None
    when: datetime | None = None
    day: date | None = None
    flag: bool | None = None
    colour: Colour | str = ""
    tags: list[str] = dataclasses.field(default_factory=list)
    prices: list[Money] = dataclasses.field(default_factory=list)
    node: Node | None = None


MONEY = ResultShapeSpec(
    Money,
    (
        ResultField("currency", "currency", "string", source=ATTRIBUTE),
        ResultField("amount", "Amount", "decimal", source=TEXT),
    ),
)
NODE = ResultShapeSpec(
    Node,
    (
        ResultField("name", "Name", "string"),
        ResultField("parent", "Parent", "structure", shape=SAME_SHAPE),
    ),
)
THING = ResultShapeSpec(
    Thing,
    (
        ResultField("count", "Count", "integer"),
        ResultField("price", "Price", "structure", shape=MONEY),
        ResultField("when", "When", "datetime"),
        ResultField("day", "Day", "date"),
        ResultField("flag", "Flag", "boolean"),
        ResultField("colour", "Colour", "string", enum=Colour),
        ResultField("tags", "Tags", "string", is_list=True, item="member"),
        ResultField("prices", "Prices", "structure", shape=MONEY, is_list=True),
        ResultField("node", "Node", "structure", shape=NODE),
    ),
)


def thing_operation(shape: ResultShapeSpec, *, root: bool = False) -> Operation[Any]:
    return Operation(
        "GetThing",
        "get_thing",
        (),
        ThrottlingSpec(1, 1.0, "GetThing"),
        True,
        "GetThingResult",
        shape.cls,
        result_shape=shape,
        result_is_root=root,
    )


def test_xml_writer_reads_back_through_the_client_parser() -> None:
    import random

    body = response_document(
        "GetThing", "urn:x", "req-1", "GetThingResult", THING, random.Random(3)
    )
    result = parse_response(thing_operation(THING), 200, {}, body)
    assert isinstance(result, Thing)
    assert result.request_id == "req-1"
    assert isinstance(result.count, int)
    assert result.price is not None and isinstance(result.price.amount, Decimal)
    assert result.price.currency == "USD"
    assert result.when is not None and result.when.tzinfo is not None
    assert isinstance(result.day, date) and isinstance(result.flag, bool)
    assert result.colour is Colour.RED
    assert len(result.tags) == 2 and all(isinstance(tag, str) and tag for tag in result.tags)
    assert len(result.prices) == 2
    assert result.node is not None and result.node.parent is not None
    assert result.node.parent.parent is None  # a self-reference is written once
    again = response_document(
        "GetThing", "urn:x", "req-1", "GetThingResult", THING, random.Random(3)
    )
    assert again == body
    overridden = response_document(
        "GetThing",
        "urn:x",
        "req-1",
        "GetThingResult",
        THING,
        random.Random(3),
        {"Count": 7, "Colour": Colour.BLUE, "Prices": [{"Amount": Decimal("1.50")}], "Node": None},
    )
    parsed = parse_response(thing_operation(THING), 200, {}, overridden)
    assert (parsed.count, parsed.colour, parsed.node) == (7, Colour.BLUE, None)
    assert [price.amount for price in parsed.prices] == [Decimal("1.50")]


def test_xml_writer_repeated_results() -> None:
    import random

    @dataclasses.dataclass(frozen=True, kw_only=True)
    class Many(MWSResult):
        results: list[Money] = dataclasses.field(default_factory=list)

    many = ResultShapeSpec(
        Many, (ResultField("results", "GetThingResult", "structure", shape=MONEY, is_list=True),)
    )
    body = response_document(
        "GetThing", "urn:x", "r", "GetThingResult", many, random.Random(0), result_is_root=True
    )
    result = parse_response(thing_operation(many, root=True), 200, {}, body)
    assert len(result.results) == 2 and all(
        isinstance(item.amount, Decimal) for item in result.results
    )


# ---------------------------------------------------------------- every action of every section


MARKETPLACE = "ATVPDKIKX0DER"


def sample_argument(param: Param, now: datetime) -> Any:
    if param.kind == STRUCTURE:
        assert param.shape is not None
        fields = [field for field in param.shape.fields if field.required]
        value: Any = {
            field.python_name: sample_argument(field, now)
            for field in fields or param.shape.fields[:1]
        }
    elif param.values is not None:
        value = sorted(param.values)[0]
    elif param.kind == "integer":
        value = int(param.min_value) if param.min_value is not None else 1
        if param.max_value is not None:
            value = min(value, int(param.max_value))
    elif param.kind == "decimal":
        value = Decimal(str(param.min_value)) if param.min_value is not None else Decimal("9.99")
    elif param.kind == "boolean":
        value = True
    elif param.kind == "datetime":
        value = now - timedelta(days=1)
    elif param.kind == "date":
        value = (now - timedelta(days=1)).date()
    elif "marketplace" in param.name.lower():
        value = MARKETPLACE
    else:
        value = f"{param.name}1"
        if param.min_length is not None and len(value) < param.min_length:
            value = value.ljust(param.min_length, "0")
        if param.max_length is not None:
            value = value[: param.max_length]
    return [value] if param.is_list else value


def sample_arguments(operation: Operation[Any], now: datetime) -> dict[str, Any]:
    wanted = {param.python_name for param in operation.params if param.required}
    for rule in operation.constraints:
        if rule.kind == "exactly_one_of" and not wanted & set(rule.parameters):
            wanted.add(rule.parameters[0])
    arguments = {
        param.python_name: sample_argument(param, now)
        for param in operation.params
        if param.python_name in wanted
    }
    if operation.body is not None:
        arguments[operation.body.python_name] = b"sku\tquantity\r\nSKU-1\t3\r\n"
    return arguments


ALL_OPERATIONS = [(section, op) for section, operations in SECTIONS for op in operations]


def test_sections_cover_every_generated_operation() -> None:
    modules = [name for name in mwskit.__all__ if hasattr(getattr(mwskit, name), "client")]
    count = 0
    for module in modules:
        ops = __import__(f"mwskit.{module}._operations", fromlist=["_operations"])
        count += sum(isinstance(value, Operation) for value in vars(ops).values())
    assert len(ALL_OPERATIONS) == count
    assert len(SECTIONS) == len(modules)


def test_every_action_answers(server: SandboxServer) -> None:
    now = datetime.now(UTC)
    mws = make_client(server.url, seller_id="A1SMOKE")
    # State for the stateful lists: two feeds, two finished reports; lists then ask for one item
    # per page, so each has a NextToken for its ByNextToken companion.
    for _ in range(2):
        mws.feeds.submit_feed(feed_type="_POST_PRODUCT_DATA_", feed_content=b"a\n")
        mws.reports.request_report(report_type="_GET_FLAT_FILE_OPEN_LISTINGS_DATA_")
    for _ in range(3):
        mws.reports.get_report_request_list()
        feeds = mws.feeds.get_feed_submission_list()
    # The document actions answer only for IDs this seller got: a finished feed and report.
    real_ids = {
        "GetFeedSubmissionResult": {
            "feed_submission_id": feeds.feed_submission_info[0].feed_submission_id
        },
        "GetReport": {"report_id": mws.reports.get_report_list().report_info[0].report_id},
    }
    modules = {
        getattr(mwskit, name)._operations.SECTION.name: name
        for name in mwskit.__all__
        if hasattr(getattr(mwskit, name), "_operations")
    }
    tokens: dict[str, str] = {}
    companions = {op.next_token_action: op.name for _, op in ALL_OPERATIONS if op.next_token_action}
    failures = []
    ordered = sorted(ALL_OPERATIONS, key=lambda pair: pair[1].name in companions)
    for section, operation in ordered:
        client = getattr(mws, modules[section.name])
        arguments = sample_arguments(operation, now)
        if operation.next_token_action and any(p.name == "MaxCount" for p in operation.params):
            arguments["max_count"] = 1
        if operation.name in companions:
            arguments["next_token"] = tokens[f"{section.name}.{companions[operation.name]}"]
        arguments.update(real_ids.get(operation.name, {}))
        try:
            result = getattr(client, operation.method)(**arguments)
        except Exception as error:  # collect every failure, then report them all
            failures.append(f"{section.name}.{operation.name}: {error!r}")
            continue
        if operation.document:
            assert isinstance(result, mwskit.Document) and result.md5_verified
            continue
        assert isinstance(result, MWSResult)
        root = etree.fromstring(result.body)
        assert etree.QName(root).localname == f"{operation.name}Response"
        assert etree.QName(root).namespace == section.namespace
        if operation.next_token_action:
            tokens[f"{section.name}.{operation.name}"] = text(result, "NextToken")
    mws.close()
    assert "\n".join(failures) == ""


# ---------------------------------------------------------------- the command


def test_command_serves_until_sigterm() -> None:
    env = {**os.environ, "MWSKIT_SANDBOX_CREDENTIALS": "AKENV:env-secret"}
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "mwskit.sandbox",
            "--port",
            "0",
            "--access-key",
            AK,
            "--secret-key",
            SK,
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=ROOT,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        assert line.startswith("mwskit sandbox on http://127.0.0.1:"), line
        url = line.split()[3]
        assert line.endswith(
            f"({len(SECTIONS)} sections, {len(ALL_OPERATIONS)} actions); Ctrl-C to stop\n"
        )
        with make_client(url) as client:
            client.orders.get_service_status()
        with make_client(url, access_key="AKENV", secret_key="env-secret") as client:
            client.orders.get_service_status()
        process.send_signal(signal.SIGTERM)
        out, err = process.communicate(timeout=10)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0, err
    assert out == "mwskit sandbox stopped\n"


def test_command_requires_credentials() -> None:
    env = {key: value for key, value in os.environ.items() if key != "MWSKIT_SANDBOX_CREDENTIALS"}
    done = subprocess.run(
        [sys.executable, "-m", "mwskit.sandbox", "--port", "0"],
        capture_output=True,
        text=True,
        env=env,
        timeout=10,
    )
    assert done.returncode == 2
    assert done.stderr.splitlines()[-1] == (
        "python -m mwskit.sandbox: error: give --access-key and --secret-key "
        "(or set MWSKIT_SANDBOX_CREDENTIALS)"
    )


def test_concurrent_clients_are_all_counted() -> None:
    """8 clients, 200 calls, throttling on and 10% injected 503s: nothing lost, nothing extra."""
    from concurrent.futures import ThreadPoolExecutor

    sandbox = Sandbox(CREDS, faults=FaultConfig(error_503_rate=0.1))

    def worker(index: int) -> dict[str, int]:
        outcomes: dict[str, int] = {}
        with make_client(running.url, seller_id=f"A{index}LOAD") as client:
            for _ in range(25):
                try:
                    client.feeds.get_feed_submission_count()
                    key = "200"
                except errors.MWSError as error:
                    key = error.code or "?"
                outcomes[key] = outcomes.get(key, 0) + 1
        return outcomes

    with start(sandbox) as running, ThreadPoolExecutor(8) as pool:
        results = list(pool.map(worker, range(8)))
    total: dict[str, int] = {}
    for outcomes in results:
        for key, count in outcomes.items():
            total[key] = total.get(key, 0) + count
    assert sum(total.values()) == 200
    assert set(total) <= {"200", "RequestThrottled", "QuotaExceeded", "ServiceUnavailable"}
    stats = sandbox.stats()
    assert stats.received == 200
    assert stats.by_action == {"GetFeedSubmissionCount": 200}
    assert stats.by_status.get(200, 0) == total.get("200", 0)
    assert stats.by_code.get("RequestThrottled", 0) == total.get("RequestThrottled", 0)
    assert stats.by_code.get("ServiceUnavailable", 0) == total.get("ServiceUnavailable", 0)
    assert total.get("RequestThrottled", 0) > 0  # 25 calls per seller against a burst of 10
