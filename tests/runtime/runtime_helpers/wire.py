"""Helpers for the wire tests: their own RFC 3986 encoder and HMAC, common pairs, a recorder.

Every expected signature is recomputed with hmac/hashlib from the received bytes, with the
encoder written here, so the runtime's own signing code is not trusted.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import string
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs, unquote

import httpx
from minimal_answers import minimal_document

from mwskit import MWS

ACCESS_KEY = "AKIAEXAMPLEACCESSKEY"
SECRET_KEY = "EXAMPLE/SECRET+KEY"
SELLER_ID = "A1EXAMPLESELLER"
AUTH_TOKEN = "amzn.mws.4ea38b7b-f563-7709-4bae-87aeaEXAMPLE"
FIXED_NOW = datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)
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


def minimal_answer(request: httpx.Request) -> bytes:
    """The smallest answer the client accepts: its action's response with the required values."""
    fields = parse_qs(request.content.decode()) | parse_qs(request.url.query.decode())
    return minimal_document(request.url.path, fields["Action"][0])


class Recorder:
    """A MockTransport handler that records requests and answers a minimal document."""

    def __init__(self, body: bytes | None = None) -> None:
        self.requests: list[httpx.Request] = []
        self.body = body

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return httpx.Response(200, content=self.body or minimal_answer(request))

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


# Source for the MD5 vector: /work/shared/reference/mws-api-reference.yaml, content_md5.example
XML_FEED = b'<?xml version="1.0"?><AmazonEnvelope/>'
