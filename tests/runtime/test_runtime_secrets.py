"""Header fields of results, and reprs, results and errors that never show bodies or secrets."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from runtime_helpers import NOW
from runtime_helpers.answers import (
    HTML_503,
    ORDERS_NS,
    QUOTA_HEADERS,
    REPORT,
    SECRET,
    TOKEN,
    XXE,
    answering,
    error_body,
    get_report,
    list_orders,
    one_order,
)

from mwskit import AsyncMWS, MWSResult
from mwskit._runtime import ClientConfig

# --- Headers and repr ---------------------------------------------------------------------


STATUS_BODY = (
    f'<GetServiceStatusResponse xmlns="{ORDERS_NS}"><GetServiceStatusResult>'
    f"<Status>GREEN</Status><Timestamp>2024-01-02T03:04:06Z</Timestamp>"
    f"</GetServiceStatusResult></GetServiceStatusResponse>"
).encode()


def test_headers_become_server_time_and_quota_fields() -> None:
    result = answering(200, STATUS_BODY, QUOTA_HEADERS)().orders.get_service_status()
    assert result.request_id == "hdr-req"
    assert result.server_time == datetime(2024, 1, 2, 3, 4, 7, 120000, tzinfo=UTC)
    assert result.quota_max == 200
    assert result.quota_remaining == 187
    assert result.quota_resets_on == datetime(2024, 1, 2, 4, 0, tzinfo=UTC)
    assert result.headers["x-mws-quota-max"] == "200.0"  # header names are lower-cased
    assert result.status == "GREEN"
    assert result.timestamp == datetime(2024, 1, 2, 3, 4, 6, tzinfo=UTC)


def test_missing_or_garbled_headers_are_none() -> None:
    garbled = {"x-mws-timestamp": "soon", "x-mws-quota-max": "lots", "x-mws-quota-resetsOn": ""}
    for headers in ({}, garbled):
        result = answering(200, STATUS_BODY, headers)().orders.get_service_status()
        assert (
            result.request_id,
            result.server_time,
            result.quota_max,
            result.quota_remaining,
            result.quota_resets_on,
        ) == (None, None, None, None, None)


def test_result_repr_has_no_body_or_headers() -> None:
    result = answering(200, STATUS_BODY, QUOTA_HEADERS)().orders.get_service_status()
    assert repr(result) == (
        "GetServiceStatusResult(request_id='hdr-req', "
        "server_time=datetime.datetime(2024, 1, 2, 3, 4, 7, 120000, tzinfo=datetime.timezone.utc), "
        "quota_max=200, quota_remaining=187, "
        "quota_resets_on=datetime.datetime(2024, 1, 2, 4, 0, tzinfo=datetime.timezone.utc), "
        "status=<ServiceStatus.GREEN: 'GREEN'>, "
        "timestamp=datetime.datetime(2024, 1, 2, 3, 4, 6, tzinfo=datetime.timezone.utc), "
        "message_id=None, messages=[])"
    )
    assert "GREEN</Status>" not in repr(result)
    assert "headers" not in repr(result) and "body" not in repr(result)


def test_results_compare_without_body_or_headers() -> None:
    first = answering(200, STATUS_BODY, {"x-mws-request-id": "same"})().orders.get_service_status()
    second = answering(200, STATUS_BODY + b"\n", {"x-mws-request-id": "same", "x-extra": "1"})()
    assert first == second.orders.get_service_status()
    assert MWSResult(request_id="a", body=b"1") == MWSResult(request_id="a", body=b"2")
    assert MWSResult(request_id="a") != MWSResult(request_id="b")


# --- Secrets ------------------------------------------------------------------------------


def test_mws_repr_hides_secrets() -> None:
    mws = answering(200, b"<R/>")()
    assert repr(mws) == (
        "MWS(access_key='AKIAEXAMPLEACCESSKEY', seller_id='A1EXAMPLESELLER', "
        "endpoint='https://mws.amazonservices.com')"
    )
    assert SECRET not in repr(mws) and TOKEN not in repr(mws)
    assert SECRET not in str(mws) and TOKEN not in str(mws)


def test_async_mws_repr_hides_secrets() -> None:
    mws = AsyncMWS(
        access_key="AKIAEXAMPLEACCESSKEY",
        secret_key=SECRET,
        seller_id="A1EXAMPLESELLER",
        auth_token=TOKEN,
        region="EU",
        transport=httpx.MockTransport(lambda request: httpx.Response(200)),
    )
    assert repr(mws) == (
        "AsyncMWS(access_key='AKIAEXAMPLEACCESSKEY', seller_id='A1EXAMPLESELLER', "
        "endpoint='https://mws-eu.amazonservices.com')"
    )


def test_client_config_repr_hides_secrets() -> None:
    config = ClientConfig(
        access_key="AKIAEXAMPLEACCESSKEY",
        secret_key=SECRET,
        seller_id="A1EXAMPLESELLER",
        auth_token=TOKEN,
        expires_in=timedelta(minutes=5),
    )
    text = repr(config)
    assert text.startswith(
        "ClientConfig(access_key='AKIAEXAMPLEACCESSKEY', seller_id='A1EXAMPLESELLER', "
    )
    assert "expires_in=datetime.timedelta(seconds=300)" in text
    assert SECRET not in text
    assert TOKEN not in text
    assert "secret_key" not in text
    assert "auth_token" not in text
    # the config a client holds is shown the same way
    mws = answering(200, b"<R/>")()
    held = repr(mws._session.config)
    assert SECRET not in held and TOKEN not in held


def test_results_never_show_the_secret_or_token() -> None:
    result = answering(200, STATUS_BODY, QUOTA_HEADERS)().orders.get_service_status()
    for text in (repr(result), str(result)):
        assert SECRET not in text and TOKEN not in text
    # the signed request is not kept on the result either
    assert all(
        SECRET not in str(value) and TOKEN not in str(value) for value in result.headers.values()
    )


def _failures() -> list[BaseException]:
    """Every kind of error a client with the secret and token can raise."""
    found: list[BaseException] = []

    def collect(call: Callable[[], Any]) -> None:
        try:
            call()
        except Exception as error:
            found.append(error)
        else:
            raise AssertionError("expected an error")

    ok = answering(200, b"<R/>")
    collect(lambda: ok().orders.list_orders(marketplace_id="M", created_after=NOW))
    collect(lambda: ok().orders.list_orders(marketplace_id=["M"]))
    collect(
        lambda: ok().orders.list_orders(marketplace_id=["M"], created_after=datetime(2024, 1, 1))
    )
    collect(lambda: ok().orders.list_order_items(amazon_order_id=None))  # type: ignore[arg-type]
    collect(lambda: ok().feeds.submit_feed(feed_type="_POST_PRODUCT_DATA_", feed_content=None))  # type: ignore[arg-type]
    collect(lambda: ok(region="XX"))
    collect(lambda: ok(seller_parameter="Seller"))
    collect(lambda: ok(expires_in=timedelta(0)))
    collect(lambda: ok(endpoint="ftp://example.com"))
    collect(lambda: ok(signature_method="HmacMD5"))
    signature_error = error_body("SignatureDoesNotMatch", "Signature differs", "RequestId", "s")
    collect(lambda: list_orders(answering(403, signature_error)()))
    collect(lambda: list_orders(answering(503, HTML_503)()))
    collect(lambda: list_orders(answering(200, b"<broken")()))
    collect(lambda: list_orders(answering(200, XXE)()))
    collect(lambda: one_order("<PurchaseDate>never</PurchaseDate>"))
    collect(
        lambda: get_report(answering(200, REPORT, {"Content-MD5": "AAAAAAAAAAAAAAAAAAAAAA=="})())
    )

    def transport_failure(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    collect(
        lambda: answering(200, b"")(
            transport=httpx.MockTransport(transport_failure)
        ).feeds.submit_feed(feed_type="_POST_PRODUCT_DATA_", feed_content=b"<x/>")
    )
    return found


def test_no_exception_shows_the_secret_or_token() -> None:
    failures = _failures()
    assert len(failures) == 17
    for error in failures:
        for text in (str(error), repr(error), repr(error.args)):
            assert SECRET not in text, text
            assert TOKEN not in text, text


def test_prepared_request_repr_hides_url_and_body() -> None:
    from mwskit._runtime.client import PreparedRequest

    request = PreparedRequest("POST", "https://h/?MWSAuthToken=amzn.secret", (), b"MWSAuthToken=x")
    assert "amzn.secret" not in repr(request) and "MWSAuthToken" not in repr(request)
