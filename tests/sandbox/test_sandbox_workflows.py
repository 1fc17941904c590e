"""Sandbox feed and report workflows, paging, throttling and injected faults through mwskit.MWS."""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from lxml import etree
from sandbox_helpers import (
    AK,
    CREDS,
    FEEDS,
    SELLER,
    SK,
    client_options,
    error_of,
    feeds,
    make_client,
    signed_post,
    text,
    texts,
)

import mwskit
from mwskit import errors
from mwskit._runtime.descriptors import ThrottlingSpec
from mwskit.feeds import _operations as feeds_ops
from mwskit.sandbox import FaultConfig, Sandbox, SandboxServer, start, transport

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
        with pytest.raises(mwskit.errors.ConnectionFailed):  # every failure is an MWSError
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
        pytest.raises(mwskit.errors.ConnectionFailed) as caught,
    ):
        client.orders.get_service_status()
    assert isinstance(caught.value.__cause__, httpx.ReadError)


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
