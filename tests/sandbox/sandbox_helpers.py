"""Helpers for the sandbox tests: credentials, clients without retries, hand-signed POSTs."""

from __future__ import annotations

import inspect
from datetime import UTC, datetime
from typing import Any

import httpx
from lxml import etree

import mwskit
from mwskit._runtime.encoding import format_datetime
from mwskit.sandbox import SECTIONS
from mwskit.signing import canonical_query, sign

AK, SK, SELLER = "AKSANDBOX", "sandbox-secret", "A1SELLER"
CREDS = {AK: SK, "AKOTHER": "other-secret"}


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


ALL_OPERATIONS = [(section, op) for section, operations in SECTIONS for op in operations]
