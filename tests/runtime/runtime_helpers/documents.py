"""Helpers for the report and feed tests: clients on a fake clock, streamed answers, MD5s."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any
from urllib.parse import parse_qs

import httpx

import mwskit
from mwskit import MWS, AsyncMWS
from runtime_helpers import NOW, FakeTimer

NS = "http://mws.amazonaws.com/doc/2009-01-01/"
REPORT = "sku\tasin\tprice\tquantity\r\nTEE-R\u00e9d\tB0TEST0001\t19.90\t12\r\n".encode("cp1252")


def md5(data: bytes) -> str:
    return base64.b64encode(hashlib.md5(data).digest()).decode()


_sellers = iter(range(1_000_000))


def options(handler: Callable[[httpx.Request], httpx.Response], timer: FakeTimer) -> dict[str, Any]:
    return {
        "access_key": "AKIAEXAMPLEACCESSKEY",
        "secret_key": "secret",
        "seller_id": f"RFSELLER{next(_sellers)}",
        "transport": httpx.MockTransport(handler),
        "clock": lambda: NOW,
        "timer": timer,
        "retries": mwskit.RetryPolicy(max_attempts=5),
    }


def make(handler: Callable[[httpx.Request], httpx.Response], timer: FakeTimer | None = None) -> MWS:
    return MWS(**options(handler, timer or FakeTimer()))


def make_async(
    handler: Callable[[httpx.Request], httpx.Response], timer: FakeTimer | None = None
) -> AsyncMWS:
    return AsyncMWS(**options(handler, timer or FakeTimer()))


def params(request: httpx.Request) -> dict[str, str]:
    text = (
        request.content.decode()
        if request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded")
        else request.url.query.decode()
    )
    return {key: values[0] for key, values in parse_qs(text).items()}


def chunks(data: bytes, size: int = 7) -> Iterator[bytes]:
    for start in range(0, len(data), size):
        yield data[start : start + size]


async def achunks(data: bytes, size: int = 7) -> AsyncIterator[bytes]:
    for chunk in chunks(data, size):
        yield chunk


def document_handler(
    bodies: list[bytes], headers: dict[str, str], *, streaming: str = "sync"
) -> tuple[Callable[[httpx.Request], httpx.Response], list[httpx.Request]]:
    """Answers the n-th request with bodies[n] (the last one repeats), streamed in 7-byte chunks."""
    seen: list[httpx.Request] = []

    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        body = bodies[min(len(seen), len(bodies)) - 1]
        content: Any = chunks(body) if streaming == "sync" else achunks(body)
        return httpx.Response(200, headers=headers, content=content)

    return handle, seen


SUBMIT_ANSWER = (
    f'<SubmitFeedResponse xmlns="{NS}"><SubmitFeedResult><FeedSubmissionInfo>'
    "<FeedSubmissionId>2291326430</FeedSubmissionId><FeedType>_POST_FLAT_FILE_LISTINGS_DATA_</FeedType>"
    "<FeedProcessingStatus>_SUBMITTED_</FeedProcessingStatus></FeedSubmissionInfo>"
    "</SubmitFeedResult><ResponseMetadata><RequestId>s-1</RequestId></ResponseMetadata>"
    "</SubmitFeedResponse>"
).encode()


FLAT_FEED = "sku\tprice\r\n\u65e5\u672c-1\t19.90\r\n".encode("shift_jis")
