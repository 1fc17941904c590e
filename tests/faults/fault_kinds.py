"""The fault suite's machinery: fault kinds, a recording mock MWS, a recording sandbox, and the
checks every call is held to (issue 13, "Must show").

Who counts what:
- `Ledger` is the service's own account: every request that arrived, whether the service
  processed it (for an unsafe action, a request whose body arrived is processed unless the
  answer is an MWS refusal: an `ErrorResponse`), the answer's request id and the ids it
  carried when the answer was sound. The mock (`MockService`), the sandbox subclass
  (`RecordingSandbox`) and the dripping socket server (`DripServer`) all write to it.
- `run_calls` makes the client calls and keeps what each returned or raised, with the log
  records emitted meanwhile.
- `evaluate` holds each call to the suite's rules and counts the breaches.

Frames that raise transport errors here keep no request, body or signature in their locals:
`capture_locals=True` tracebacks of a failed call must only show what mwskit itself kept.
"""

from __future__ import annotations

import contextlib
import copy
import gzip
import inspect
import io
import logging
import pickle
import random
import re
import socket
import threading
import time
import traceback
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Any
from urllib.parse import parse_qsl, quote

import httpx
from lxml import etree

import mwskit
from mwskit import MWS, OutcomeUnknown
from mwskit.errors import MWSError

# ----------------------------------------------------------------------------- credentials

ACCESS_KEY = "AKIAFAULTSUITEACCESS"
SECRET_KEY = "wJalrXUtnFEMI-FAULT-SUITE-SECRET-9f8e7d"
AUTH_TOKEN = "amzn.mws.FAULT-SUITE-TOKEN-1a2b3c4d"
MARKETPLACE = "ATVPDKIKX0DER"
NOW = datetime(2024, 3, 4, 12, 0, 0, tzinfo=UTC)  # the shared fake wall clock's start
BASE_DATE = datetime(2024, 2, 1, tzinfo=UTC)  # per-call dates (identify a call to the server)

FEEDS_NS = "http://mws.amazonaws.com/doc/2009-01-01/"
ORDERS_NS = "https://mws.amazonservices.com/Orders/2013-09-01"

ATTEMPT_TIMEOUT_SUPPORTED = "attempt_timeout" in inspect.signature(MWS).parameters
# An element-count limit, if the client grew one (issue 13 asks for one, configurable).
ELEMENT_LIMIT_OPTION = next(
    (name for name in inspect.signature(MWS).parameters if "element" in name.lower()), None
)


class FakeTimer(mwskit.Timer):
    """Monotonic time that moves only when the client sleeps (or a drip stream says so)."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.start = self.now
        self.slept = 0.0
        self._lock = threading.Lock()

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        with self._lock:
            self.slept += seconds
            self.now += seconds

    def advance(self, seconds: float) -> None:
        with self._lock:
            self.now += seconds

    async def _async_sleep(self, seconds: float) -> None:
        self.sleep(seconds)

    def async_sleep(self, seconds: float) -> Any:
        return self._async_sleep(seconds)

    def wall(self) -> datetime:
        """The fake wall clock both the client and the server read."""
        return NOW + timedelta(seconds=self.now - self.start)


# ----------------------------------------------------------------------------- actions


@dataclass(frozen=True)
class Action:
    """One action under test: how to call it for call `index`, how the server tells the call
    apart (`call_id`), and what ids a result carries (`result_ids`) and an answer carries."""

    name: str
    unsafe: bool
    namespace: str
    make_call: Callable[[MWS, int], Callable[[], Any]]
    call_id: Callable[[Mapping[str, str], bytes], str]
    result_ids: Callable[[Any], tuple[Any, ...]]
    id_element: str  # the element whose text are the answer's ids (regex-read)


def _date(index: int) -> datetime:
    return BASE_DATE + timedelta(seconds=index)


def feed_content(index: int) -> bytes:
    return f"sku\tquantity\nCALL-{index:06d}\t1\n".encode()


def _submit_feed(mws: MWS, index: int) -> Callable[[], Any]:
    content = feed_content(index)
    return lambda: mws.feeds.submit_feed(
        feed_type="_POST_FLAT_FILE_INVLOADER_DATA_", feed_content=content
    )


def _request_report(mws: MWS, index: int) -> Callable[[], Any]:
    start = _date(index)
    return lambda: mws.reports.request_report(
        report_type="_GET_MERCHANT_LISTINGS_DATA_", start_date=start
    )


def _list_orders(mws: MWS, index: int) -> Callable[[], Any]:
    after = _date(index)
    return lambda: mws.orders.list_orders(marketplace_id=[MARKETPLACE], created_after=after)


def _request_list(mws: MWS, index: int) -> Callable[[], Any]:
    wanted = [f"7{index:010d}"]
    return lambda: mws.reports.get_report_request_list(report_request_id_list=wanted)


def _feed_call_id(params: Mapping[str, str], body: bytes) -> str:
    found = re.search(rb"CALL-(\d+)", body)
    return f"SubmitFeed:{int(found.group(1))}" if found else "?"


def _dated_call_id(action: str, parameter: str) -> Callable[[Mapping[str, str], bytes], str]:
    def call_id(params: Mapping[str, str], body: bytes) -> str:
        try:
            when = datetime.fromisoformat(params[parameter])
        except (KeyError, ValueError):
            return "?"
        return f"{action}:{round((when - BASE_DATE).total_seconds())}"

    return call_id


def _request_list_call_id(params: Mapping[str, str], body: bytes) -> str:
    wanted = params.get("ReportRequestIdList.Id.1", "")
    return f"GetReportRequestList:{int(wanted[1:])}" if wanted[1:].isdigit() else "?"


SUBMIT_FEED = Action(
    "SubmitFeed",
    True,
    FEEDS_NS,
    _submit_feed,
    _feed_call_id,
    lambda result: (result.feed_submission_info.feed_submission_id,),
    "FeedSubmissionId",
)
REQUEST_REPORT = Action(
    "RequestReport",
    True,
    FEEDS_NS,
    _request_report,
    _dated_call_id("RequestReport", "StartDate"),
    lambda result: (result.report_request_info.report_request_id,),
    "ReportRequestId",
)
LIST_ORDERS = Action(
    "ListOrders",
    False,
    ORDERS_NS,
    _list_orders,
    _dated_call_id("ListOrders", "CreatedAfter"),
    lambda result: tuple(order.amazon_order_id for order in result.orders),
    "AmazonOrderId",
)
GET_REPORT_REQUEST_LIST = Action(
    "GetReportRequestList",
    False,
    FEEDS_NS,
    _request_list,
    _request_list_call_id,
    lambda result: tuple(info.report_request_id for info in result.report_request_info),
    "ReportRequestId",
)
ACTIONS = (SUBMIT_FEED, REQUEST_REPORT, LIST_ORDERS, GET_REPORT_REQUEST_LIST)
BY_NAME = {action.name: action for action in ACTIONS}


@dataclass(frozen=True)
class Seen:
    """What the server side read off one request."""

    action: Action | None
    call: str
    secrets: tuple[str, ...]  # the Signature and MWSAuthToken values it carried


def read_request(query: str, content_type: str, body: bytes) -> Seen:
    """The action, call id and secret values of a request (query plus a form body)."""
    pairs = parse_qsl(query, keep_blank_values=True)
    names = dict(pairs)
    if names.get("Action") != "SubmitFeed" and "form-urlencoded" in content_type.lower():
        pairs += parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True)
    params: dict[str, str] = {}
    for name, value in pairs:
        params.setdefault(name, value)
    action = BY_NAME.get(params.get("Action", ""))
    secrets = tuple(params[name] for name in ("Signature", "MWSAuthToken") if params.get(name))
    call = action.call_id(params, body) if action is not None else "?"
    return Seen(action, call, secrets)


# ----------------------------------------------------------------------------- the ledger


@dataclass
class Arrival:
    action: str
    call: str
    processed: bool
    answer: str  # "ok", or the fault's label
    request_id: str | None = None
    ids: tuple[Any, ...] | None = None  # the ids of a sound answer (None: unsound or no answer)


class Ledger:
    """The service's account of every request that reached it (thread-safe)."""

    def __init__(self) -> None:
        self.arrivals: list[Arrival] = []
        self.secrets: dict[str, set[str]] = defaultdict(set)
        self._lock = threading.Lock()
        self._serial = 0

    def next_serial(self) -> int:
        with self._lock:
            self._serial += 1
            return self._serial

    def add(self, seen: Seen, arrival: Arrival) -> None:
        with self._lock:
            self.arrivals.append(arrival)
            self.secrets[seen.call].update(seen.secrets)

    def note_secrets(self, seen: Seen) -> None:
        with self._lock:
            self.secrets[seen.call].update(seen.secrets)

    current = "?"  # the call under way, for `note_current`

    def note_current(self, request: httpx.Request) -> None:
        params = dict(parse_qsl(request.url.query.decode(), keep_blank_values=True))
        # A streamed feed body is not readable here; its signature is in the query.
        with contextlib.suppress(httpx.RequestNotRead):
            params.update(parse_qsl(request.content.decode("utf-8", "replace")))
        values = {params[name] for name in ("Signature", "MWSAuthToken") if params.get(name)}
        with self._lock:
            self.secrets[self.current].update(values)

    def of(self, call: str) -> list[Arrival]:
        with self._lock:
            return [arrival for arrival in self.arrivals if arrival.call == call]


# ----------------------------------------------------------------------------- answers


def success_body(
    action: Action, request_id: str, serial: int, call: str, extra: str = ""
) -> tuple[bytes, tuple[Any, ...]]:
    """A sound answer to `action` and the ids a correct result must carry."""
    meta = f"<ResponseMetadata><RequestId>{request_id}</RequestId></ResponseMetadata>"
    if action is SUBMIT_FEED:
        ident = str(60_000_000_000 + serial)
        inner = (
            f"<FeedSubmissionInfo><FeedSubmissionId>{ident}</FeedSubmissionId>"
            "<FeedType>_POST_FLAT_FILE_INVLOADER_DATA_</FeedType>"
            "<SubmittedDate>2024-03-04T12:00:00+00:00</SubmittedDate>"
            "<FeedProcessingStatus>_SUBMITTED_</FeedProcessingStatus></FeedSubmissionInfo>"
        )
        ids: tuple[Any, ...] = (ident,)
    elif action is REQUEST_REPORT:
        ident = str(70_000_000_000 + serial)
        inner = (
            f"<ReportRequestInfo><ReportRequestId>{ident}</ReportRequestId>"
            "<ReportType>_GET_MERCHANT_LISTINGS_DATA_</ReportType>"
            "<Scheduled>false</Scheduled><SubmittedDate>2024-03-04T12:00:00+00:00</SubmittedDate>"
            "<ReportProcessingStatus>_SUBMITTED_</ReportProcessingStatus></ReportRequestInfo>"
        )
        ids = (ident,)
    elif action is LIST_ORDERS:
        ident = f"{100 + serial % 900:03d}-{serial:07d}-{len(call):07d}"
        inner = (
            "<CreatedBefore>2024-03-04T11:58:00Z</CreatedBefore><Orders><Order>"
            f"<AmazonOrderId>{ident}</AmazonOrderId><PurchaseDate>2024-03-01T10:00:00Z</PurchaseDate>"
            "<LastUpdateDate>2024-03-01T11:00:00Z</LastUpdateDate><OrderStatus>Unshipped</OrderStatus>"
            "</Order></Orders>"
        )
        ids = (ident,)
    else:
        ident = call
        inner = (
            f"<HasNext>false</HasNext><ReportRequestInfo><ReportRequestId>{ident}</ReportRequestId>"
            "<ReportType>_GET_MERCHANT_LISTINGS_DATA_</ReportType><Scheduled>false</Scheduled>"
            "<SubmittedDate>2024-03-04T12:00:00+00:00</SubmittedDate>"
            "<ReportProcessingStatus>_DONE_</ReportProcessingStatus></ReportRequestInfo>"
        )
        ids = (ident,)
    body = (
        f'<?xml version="1.0"?><{action.name}Response xmlns="{action.namespace}">'
        f"<{action.name}Result>{inner}{extra}</{action.name}Result>{meta}</{action.name}Response>"
    )
    return body.encode(), ids


def error_body(namespace: str, code: str, message: str, kind: str, request_id: str) -> bytes:
    return (
        f'<?xml version="1.0"?><ErrorResponse xmlns="{namespace}"><Error><Type>{kind}</Type>'
        f"<Code>{code}</Code><Message>{message}</Message></Error>"
        f"<RequestID>{request_id}</RequestID></ErrorResponse>"
    ).encode()


def answer_ids(action: Action, body: bytes) -> tuple[Any, ...] | None:
    """The ids a well-formed answer of `action` carries; None when it is not one."""
    try:
        root = etree.fromstring(body)
    except etree.XMLSyntaxError:
        return None
    if etree.QName(root).localname != f"{action.name}Response":
        return None
    wanted = action.id_element
    return tuple(
        element.text
        for element in root.iter()
        if isinstance(element.tag, str) and etree.QName(element).localname == wanted
    )


GATEWAY_503 = b"upstream connect error or disconnect/reset before headers. reset reason: connection termination"
XHTML_PAGE = (
    b'<?xml version="1.0" encoding="UTF-8"?><html xmlns="http://www.w3.org/1999/xhtml">'
    b"<head><title>Service Unavailable</title></head><body><h1>Please try again</h1></body></html>"
)
FAR_OFF_TIMES = ("0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59Z")
HUGE_ELEMENTS = 20_000  # elements in a huge-element answer (without a configurable limit)
HUGE_ELEMENTS_OVER_LIMIT = 5_000  # ... and with a limit of ELEMENT_LIMIT set on the client
ELEMENT_LIMIT = 2_000
BOMB_DECODED = 96 * 1024 * 1024  # decoded size of the unsolicited gzip bomb (> the 64 MB cap)


@lru_cache(maxsize=1)
def gzip_bomb() -> bytes:
    """A gzip body decoding to a 96 MB answer that starts like a real one."""
    out = io.BytesIO()
    with gzip.GzipFile(fileobj=out, mode="wb", compresslevel=6) as stream:
        stream.write(b'<?xml version="1.0"?><ListOrdersResponse><ListOrdersResult>')
        block = b" " * (1024 * 1024)
        for _ in range(BOMB_DECODED // len(block)):
            stream.write(block)
    return out.getvalue()


class DripStream(httpx.SyncByteStream):
    """A body that arrives one byte per `step` seconds of fake time (a slow-drip server)."""

    def __init__(self, body: bytes, timer: FakeTimer, step: float = 0.5) -> None:
        self._body = body
        self._timer = timer
        self._step = step

    def __iter__(self) -> Iterator[bytes]:
        for index in range(len(self._body)):
            self._timer.advance(self._step)
            yield self._body[index : index + 1]


# ----------------------------------------------------------------------------- the mock service


@dataclass(frozen=True)
class Kind:
    """A fault kind: its label, what the issue calls it, and where it can be injected."""

    name: str
    what: str
    mock_calls: int = 100  # calls per action against the mock
    rate: float = 0.35  # chance that an attempt meets the fault
    persistent: float = 0.1  # chance that every attempt of a call meets it
    slow: bool = False  # seconds of real time (marked `slow`)


MOCK_KINDS = (
    Kind("error500_internal", "HTTP 500 with an MWS InternalError ErrorResponse"),
    Kind("error503_unavailable", "HTTP 503 with an MWS ServiceUnavailable ErrorResponse"),
    Kind("error503_gateway", "HTTP 503 with a gateway body (not an MWS ErrorResponse)"),
    Kind("throttled", "HTTP 503 RequestThrottled"),
    Kind("quota_exceeded", "HTTP 503 QuotaExceeded with x-mws-quota-resetsOn"),
    Kind("ok_truncated", "2xx answer cut in half"),
    Kind("ok_malformed", "2xx answer that is not well-formed XML"),
    Kind("ok_wrong_root", "2xx well-formed XML whose root is not <Action>Response"),
    Kind("ok_undecodable", "2xx with Content-Encoding gzip/deflate that does not decode"),
    Kind("connection_refused", "connection refused (nothing sent)"),
    Kind("reset_after_body", "connection reset after the request body was sent"),
    Kind("read_timeout", "read timeout after the request body was sent"),
    Kind("slow_drip", "2xx body dripping one byte per 0.5 s (fake time)", mock_calls=30),
    Kind("huge_elements", "2xx answer with a huge element count", mock_calls=10),
    Kind(
        "gzip_bomb", "unsolicited gzip answer decoding to 96 MB", mock_calls=6, rate=0.5, slow=True
    ),
    Kind("clock_far_off", "x-mws-timestamp in year 0001 / 9999 (2xx and RequestExpired)"),
)
# MWS refusals (the request was not processed): ServiceUnavailable, RequestThrottled,
# QuotaExceeded, and a RequestExpired 400. An InternalError 500 is not one: it may come after
# the service acted, so the mock counts its request as processed.


class _Plan:
    """What the mock does with one request, decided before any frame holds an exception.

    `deliver` raises from a frame whose only local is the plan: no request, body or
    signature of the harness shows in a `capture_locals` traceback.
    """

    __slots__ = ("error", "response")

    def __init__(self, response: httpx.Response | None, error: Exception | None = None) -> None:
        self.response = response
        self.error = error

    def deliver(self) -> httpx.Response:
        if self.error is not None:
            raise self.error
        assert self.response is not None
        return self.response


class MockService:
    """An `httpx.MockTransport` handler: a deterministic (per seed) MWS that injects `kind`."""

    def __init__(
        self, kind: Kind, seed: int, timer: FakeTimer, ledger: Ledger, label: str = ""
    ) -> None:
        self.kind = kind
        self.timer = timer
        self.ledger = ledger
        self._rng = random.Random(f"fault-suite/{seed}/{kind.name}/{label}")
        self._persistent: dict[str, bool] = {}

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self)

    def __call__(self, request: httpx.Request) -> httpx.Response:
        plan = self._plan(request)
        del request
        return plan.deliver()

    def _plan(self, request: httpx.Request) -> _Plan:
        body = request.read()
        seen = read_request(
            request.url.query.decode(), request.headers.get("content-type", ""), body
        )
        action = seen.action
        assert action is not None, "the suite only calls the actions it knows"
        call = seen.call
        if call not in self._persistent:
            self._persistent[call] = self._rng.random() < self.kind.persistent
        faulted = self._persistent[call] or self._rng.random() < self.kind.rate
        variant = self._rng.random()
        serial = self.ledger.next_serial()
        request_id = f"mock-{self.kind.name}-{serial}"
        if not faulted:
            return self._success(seen, action, serial, request_id)
        return self._fault(seen, action, serial, request_id, variant)

    def _headers(self, request_id: str, **extra: str) -> dict[str, str]:
        stamp = self.timer.wall().strftime("%Y-%m-%dT%H:%M:%S.000Z")
        return {
            "content-type": "text/xml",
            "x-mws-request-id": request_id,
            "x-mws-timestamp": stamp,
            **extra,
        }

    def _success(self, seen: Seen, action: Action, serial: int, request_id: str) -> _Plan:
        body, ids = success_body(action, request_id, serial, seen.call)
        self.ledger.add(seen, Arrival(action.name, seen.call, True, "ok", request_id, ids))
        return _Plan(httpx.Response(200, content=body, headers=self._headers(request_id)))

    def _refusal(
        self,
        seen: Seen,
        action: Action,
        request_id: str,
        status: int,
        code: str,
        message: str,
        kind: str = "Sender",
        processed: bool = False,
        **headers: str,
    ) -> _Plan:
        self.ledger.add(seen, Arrival(action.name, seen.call, processed, code, request_id))
        body = error_body(action.namespace, code, message, kind, request_id)
        return _Plan(
            httpx.Response(status, content=body, headers=self._headers(request_id, **headers))
        )

    def _processed(
        self,
        seen: Seen,
        action: Action,
        label: str,
        request_id: str | None,
        ids: tuple[Any, ...] | None = None,
    ) -> None:
        self.ledger.add(seen, Arrival(action.name, seen.call, True, label, request_id, ids))

    def _fault(
        self, seen: Seen, action: Action, serial: int, request_id: str, variant: float
    ) -> _Plan:
        name = self.kind.name
        wall = self.timer.wall()
        if name == "error500_internal":
            # Not a refusal: the service failed somewhere, perhaps after it stored the feed.
            return self._refusal(
                seen,
                action,
                request_id,
                500,
                "InternalError",
                "We encountered an internal error. Please try again.",
                "Receiver",
                processed=True,
            )
        if name == "error503_unavailable":
            return self._refusal(
                seen,
                action,
                request_id,
                503,
                "ServiceUnavailable",
                "Service is temporarily unavailable. Please try again.",
                "Receiver",
            )
        if name == "throttled":
            return self._refusal(
                seen, action, request_id, 503, "RequestThrottled", "Request is throttled"
            )
        if name == "quota_exceeded":
            resets = (wall + timedelta(seconds=90)).strftime("%Y-%m-%dT%H:%M:%S.000Z")
            return self._refusal(
                seen,
                action,
                request_id,
                503,
                "QuotaExceeded",
                "You exceeded your quota of 30 requests per 1 hour.",
                **{
                    "x-mws-quota-max": "30",
                    "x-mws-quota-remaining": "0",
                    "x-mws-quota-resetsOn": resets,
                },
            )
        if name == "clock_far_off":
            stamp = FAR_OFF_TIMES[0 if variant < 0.5 else 1]
            if variant < 0.25 or variant >= 0.75:  # an answer under a far-off clock
                body, ids = success_body(action, request_id, serial, seen.call)
                self._processed(seen, action, "ok-far-clock", request_id, ids)
                headers = {**self._headers(request_id), "x-mws-timestamp": stamp, "date": stamp}
                return _Plan(httpx.Response(200, content=body, headers=headers))
            plan = self._refusal(
                seen,
                action,
                request_id,
                400,
                "RequestExpired",
                "Request has expired. Timestamp date is 2024-03-04T12:00:00Z",
            )
            assert plan.response is not None
            plan.response.headers["x-mws-timestamp"] = stamp
            return plan
        if name == "connection_refused":
            self.ledger.note_secrets(seen)  # nothing arrived: no arrival is recorded
            return _Plan(None, httpx.ConnectError("[Errno 111] Connection refused"))
        # Everything below: the request's body arrived, the service processed it.
        if name == "error503_gateway":
            self._processed(seen, action, "gateway-503", None)
            return _Plan(
                httpx.Response(
                    503,
                    content=GATEWAY_503,
                    headers={"content-type": "text/plain", "server": "envoy"},
                )
            )
        if name == "reset_after_body":
            self._processed(seen, action, "reset", None)
            if variant < 0.5:
                return _Plan(
                    None,
                    httpx.RemoteProtocolError("Server disconnected without sending a response."),
                )
            return _Plan(None, httpx.ReadError("[Errno 104] Connection reset by peer"))
        if name == "read_timeout":
            self._processed(seen, action, "read-timeout", None)
            return _Plan(None, httpx.ReadTimeout("The read operation timed out"))
        good, ids = success_body(action, request_id, serial, seen.call)
        headers = self._headers(request_id)
        if name == "ok_truncated":
            self._processed(seen, action, "truncated", request_id)
            return _Plan(httpx.Response(200, content=good[: len(good) // 2], headers=headers))
        if name == "ok_malformed":
            self._processed(seen, action, "malformed", request_id)
            junk = good.replace(b"</", b"<", 2) if variant < 0.5 else b"<html><body>Oops</body>"
            return _Plan(httpx.Response(200, content=junk, headers=headers))
        if name == "ok_wrong_root":
            self._processed(seen, action, "wrong-root", request_id)
            if variant < 0.5:
                page = XHTML_PAGE
            else:  # a well-formed answer of another action, with its own request id
                other = LIST_ORDERS if action is not LIST_ORDERS else GET_REPORT_REQUEST_LIST
                page, _ = success_body(other, request_id + "-other", serial, seen.call)
            return _Plan(httpx.Response(200, content=page, headers=headers))
        if name == "ok_undecodable":
            self._processed(seen, action, "undecodable", request_id)
            encoding = "gzip" if variant < 0.5 else "deflate"
            return _Plan(
                httpx.Response(
                    200,
                    content=b"\x1f\x8b this is not " + good[:40],
                    headers={**headers, "content-encoding": encoding},
                )
            )
        if name == "slow_drip":
            self._processed(seen, action, "drip", request_id, ids)  # sound if read to the end
            return _Plan(httpx.Response(200, stream=DripStream(good, self.timer), headers=headers))
        if name == "huge_elements":
            count = HUGE_ELEMENTS_OVER_LIMIT if ELEMENT_LIMIT_OPTION else HUGE_ELEMENTS
            if action is LIST_ORDERS:
                huge, _ = success_body(action, request_id, serial, seen.call)
                huge = huge.replace(b"<Orders>", b"<Orders>" + b"<Order/>" * count, 1)
                ids = (*((None,) * count), *ids)
            else:
                huge, ids = success_body(
                    action, request_id, serial, seen.call, extra="<Junk/>" * count
                )
            self._processed(seen, action, "huge-elements", request_id, ids)
            return _Plan(httpx.Response(200, content=huge, headers=headers))
        if name == "gzip_bomb":
            self._processed(seen, action, "gzip-bomb", request_id)
            return _Plan(
                httpx.Response(
                    200, content=gzip_bomb(), headers={**headers, "content-encoding": "gzip"}
                )
            )
        raise AssertionError(f"unknown fault kind {name}")


# ----------------------------------------------------------------------------- the sandbox


def make_recording_sandbox(ledger: Ledger, label: str, **options: Any) -> Any:
    """A `mwskit.sandbox.Sandbox` that writes every request it answered to `ledger`."""
    from mwskit.sandbox import Sandbox

    class RecordingSandbox(Sandbox):
        def handle(
            self, method: str, host: str, path: str, query: str, content_type: str, body: bytes
        ) -> Any:
            reply = super().handle(method, host, path, query, content_type, body)
            seen = read_request(query, content_type, body)
            action = seen.action
            headers = dict(reply.headers)
            request_id = headers.get("x-mws-request-id")
            processed = reply.status == 200 and not reply.reset
            ids = answer_ids(action, reply.body) if action is not None and processed else None
            answer = "reset" if reply.reset else ("ok" if ids is not None else f"{reply.status}")
            if processed and ids is None:
                answer = "malformed"
            ledger.add(
                seen,
                Arrival(
                    action.name if action else "?", seen.call, processed, answer, request_id, ids
                ),
            )
            return reply

    return RecordingSandbox({ACCESS_KEY: SECRET_KEY}, **options)


class DripServer:
    """A loopback HTTP server that reads a request, then drips a sound answer one byte every
    `step` seconds of real time; it lets go of a connection after `hold` seconds at most."""

    def __init__(self, ledger: Ledger, step: float = 0.05, hold: float = 2.0) -> None:
        self.ledger = ledger
        self.step = step
        self.hold = hold
        self.held: list[tuple[str, float]] = []  # (call, seconds) of each connection
        self._socket = socket.socket()
        self._socket.bind(("127.0.0.1", 0))
        self._socket.listen(16)
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._accept = threading.Thread(target=self._serve, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._socket.getsockname()[1]}"

    def __enter__(self) -> DripServer:
        self._accept.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._socket.close()
        for thread in self._threads:
            thread.join(self.hold + 1)

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                connection, _ = self._socket.accept()
            except OSError:
                return
            thread = threading.Thread(target=self._handle, args=(connection,), daemon=True)
            self._threads.append(thread)
            thread.start()

    def _handle(self, connection: socket.socket) -> None:
        started = time.monotonic()
        with connection:
            connection.settimeout(self.hold)
            data = b""
            try:
                while b"\r\n\r\n" not in data:
                    chunk = connection.recv(65536)
                    if not chunk:
                        return
                    data += chunk
                head, _, rest = data.partition(b"\r\n\r\n")
                lines = head.decode("latin-1").split("\r\n")
                target = lines[0].split(" ")[1]
                fields = {
                    k.strip().lower(): v.strip()
                    for k, _, v in (line.partition(":") for line in lines[1:])
                }
                length = int(fields.get("content-length", "0"))
                while len(rest) < length:
                    chunk = connection.recv(65536)
                    if not chunk:
                        return
                    rest += chunk
            except OSError:
                return
            query = target.partition("?")[2]
            seen = read_request(query, fields.get("content-type", ""), rest)
            if seen.action is None:
                return
            serial = self.ledger.next_serial()
            request_id = f"drip-{serial}"
            body, _ids = success_body(seen.action, request_id, serial, seen.call)
            # Processed; sound only if all of it were read, which the hold never allows.
            self.ledger.add(seen, Arrival(seen.action.name, seen.call, True, "drip", request_id))
            head_out = (
                "HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\n"
                f"x-mws-request-id: {request_id}\r\nContent-Length: {len(body) * 4}\r\n\r\n"
            ).encode()
            try:
                connection.sendall(head_out)
                index = 0
                while time.monotonic() - started < self.hold and not self._stop.is_set():
                    connection.sendall(body[index % len(body) : index % len(body) + 1])
                    index += 1
                    time.sleep(self.step)
            except OSError:
                pass  # the client let go
            self.held.append((seen.call, time.monotonic() - started))


def closed_port() -> int:
    """A loopback port nobody listens on (connection refused)."""
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = int(probe.getsockname()[1])
    probe.close()
    return port


# ----------------------------------------------------------------------------- the client side


def client_options(
    attempt_timeout: float | None = None, timeout: float | None = None
) -> dict[str, Any]:
    """`attempt_timeout=` when the client has it, else `timeout=` (read timeouts)."""
    options: dict[str, Any] = {}
    if attempt_timeout is not None:
        if ATTEMPT_TIMEOUT_SUPPORTED:
            options["attempt_timeout"] = attempt_timeout
        else:
            options["timeout"] = attempt_timeout
    if timeout is not None and "timeout" not in options:
        options["timeout"] = timeout
    return options


_sellers = iter(range(10**9))


def make_client(
    timer: FakeTimer,
    *,
    transport: httpx.BaseTransport | None = None,
    endpoint: str = "http://mws.mock.local",
    **options: Any,
) -> MWS:
    if ELEMENT_LIMIT_OPTION is not None:
        options.setdefault(ELEMENT_LIMIT_OPTION, ELEMENT_LIMIT)
    return MWS(
        access_key=ACCESS_KEY,
        secret_key=SECRET_KEY,
        seller_id=f"A1FAULTS{next(_sellers):06d}",
        auth_token=AUTH_TOKEN,
        endpoint=endpoint,
        transport=transport,
        clock=timer.wall,
        timer=timer,
        **options,
    )


class _Capture(logging.Handler):
    """Keeps every record of the loggers it is attached to, formatted with its traceback."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.texts: list[tuple[int | None, str, str]] = []  # (thread, logger, text)
        self.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        try:
            text = self.format(record)
        except Exception as error:  # a record that cannot be formatted is itself a finding
            text = f"<unformattable record {record.msg!r}: {error!r}>"
        self.texts.append((record.thread, record.name, text))

    def since(self, mark: int) -> list[tuple[str, str]]:
        """This thread's records after position `mark`."""
        me = threading.get_ident()
        return [(name, text) for thread, name, text in self.texts[mark:] if thread == me]


CHECKED_LOGGERS = ("mwskit", "httpx")
INFO_LOGGERS = ("httpcore",)  # captured and scanned too, reported apart (not asserted)


class captured_logs:
    """Attach a DEBUG capture to the mwskit, httpx and httpcore loggers for a block."""

    def __enter__(self) -> _Capture:
        self.handler = _Capture()
        self.saved: list[tuple[logging.Logger, int, bool]] = []
        for name in (*CHECKED_LOGGERS, *INFO_LOGGERS):
            logger = logging.getLogger(name)
            self.saved.append((logger, logger.level, logger.propagate))
            logger.setLevel(logging.DEBUG)
            logger.propagate = False  # thousands of records: kept here, not in pytest's report
            logger.addHandler(self.handler)
        return self.handler

    def __exit__(self, *exc: object) -> None:
        for logger, level, propagate in self.saved:
            logger.removeHandler(self.handler)
            logger.setLevel(level)
            logger.propagate = propagate


@dataclass
class CallRecord:
    action: Action
    index: int
    call: str
    result: Any = None
    error: BaseException | None = None
    logs: list[tuple[str, str]] = field(default_factory=list)
    wall: float = 0.0  # real seconds
    fake: float = 0.0  # fake-clock seconds


def _invoke(thunk: Callable[[], Any]) -> tuple[Any, BaseException | None]:
    """Run one call; its frame keeps nothing but the thunk (seen by capture_locals)."""
    try:
        return thunk(), None
    except BaseException as caught:
        return None, caught


def server_call_id(action: Action, index: int) -> str:
    """The call id the server reads off call `index` of `action`."""
    return f"{action.name}:{index}"


def run_calls(
    mws: MWS,
    timer: FakeTimer,
    action: Action,
    count: int,
    capture: _Capture,
    ledger: Ledger | None = None,
) -> list[CallRecord]:
    """`count` calls of `action`, one after another, each with the log records it caused.

    With a `ledger` given, the ledger is told which call is under way (`current`), for
    transports that note the secrets of requests no server saw (connection refused)."""
    records = []
    for index in range(count):
        thunk = action.make_call(mws, index)
        call = server_call_id(action, index)
        if ledger is not None:
            ledger.current = call
        mark = len(capture.texts)
        started, fake_started = time.perf_counter(), timer.now
        result, error = _invoke(thunk)
        wall, fake = time.perf_counter() - started, timer.now - fake_started
        records.append(
            CallRecord(action, index, call, result, error, capture.since(mark), wall, fake)
        )
    return records


class NoteSecrets(httpx.HTTPTransport):
    """A real HTTP transport that notes each request's Signature and MWSAuthToken under the
    ledger's current call (for requests that never reach a server)."""

    def __init__(self, ledger: Ledger, **options: Any) -> None:
        super().__init__(**options)
        self._ledger = ledger

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self._ledger.note_current(request)
        return super().handle_request(request)


# ----------------------------------------------------------------------------- the checks


def _chain(error: BaseException) -> list[BaseException]:
    found: list[BaseException] = []
    todo = [error]
    while todo:
        item = todo.pop()
        if item is None or any(item is seen for seen in found):
            continue
        found.append(item)
        todo += [item.__cause__, item.__context__]  # type: ignore[list-item]
    return found


def secret_forms(values: set[str]) -> set[str]:
    forms = {SECRET_KEY, AUTH_TOKEN}
    for value in values:
        forms.add(value)
        forms.add(quote(value, safe="-_.~"))
        forms.add(quote(value, safe=""))
    return {form for form in forms if len(form) >= 8}


def _leaks(text: str | bytes, forms: set[str]) -> list[str]:
    if isinstance(text, bytes):
        return [form for form in forms if form.encode() in text]
    return [form for form in forms if form in text]


@dataclass
class Tally:
    """The counts of one (transport, kind, action) run."""

    transport: str
    kind: str
    action: str
    calls: int = 0
    ok: int = 0
    raised: Counter[str] = field(default_factory=Counter)
    requests: int = 0
    processed: int = 0
    duplicate_sends: int = 0
    lost_silently: int = 0
    not_mwserror: int = 0
    unknown_not_outcome_unknown: int = 0
    secret_in_logs: int = 0
    secret_in_str_repr: int = 0
    secret_in_pickle: int = 0
    secret_in_traceback_locals: int = 0
    secret_in_httpcore_logs: int = 0  # info only
    pickle_roundtrip_failures: int = 0
    over_time_bound: int = 0
    max_wall: float = 0.0
    max_fake: float = 0.0
    examples: dict[str, str] = field(default_factory=dict)

    ASSERTED = (
        "duplicate_sends",
        "lost_silently",
        "not_mwserror",
        "unknown_not_outcome_unknown",
        "secret_in_logs",
        "secret_in_str_repr",
        "secret_in_pickle",
        "secret_in_traceback_locals",
        "pickle_roundtrip_failures",
        "over_time_bound",
    )

    def breaches(self) -> dict[str, int]:
        return {name: getattr(self, name) for name in self.ASSERTED if getattr(self, name)}

    def example(self, rule: str, text: str) -> None:
        self.examples.setdefault(rule, text[:300])

    def as_json(self) -> dict[str, Any]:
        data = {name: value for name, value in vars(self).items()}
        data["raised"] = dict(self.raised)
        return data


def evaluate(
    tally: Tally, records: list[CallRecord], ledger: Ledger, time_bound: float | None = None
) -> Tally:
    """Hold every call to the rules; count each breach (with one example per rule)."""
    for record in records:
        tally.calls += 1
        arrivals = ledger.of(record.call)
        tally.requests += len(arrivals)
        processed = sum(arrival.processed for arrival in arrivals)
        tally.processed += processed
        tally.max_wall = max(tally.max_wall, record.wall)
        tally.max_fake = max(tally.max_fake, record.fake)
        if record.action.unsafe and processed > 1:
            tally.duplicate_sends += processed - 1
            tally.example(
                "duplicate_sends",
                f"{record.call}: processed {processed} times: "
                + ", ".join(arrival.answer for arrival in arrivals),
            )
        if time_bound is not None and record.wall > time_bound:
            tally.over_time_bound += 1
            tally.example(
                "over_time_bound", f"{record.call}: {record.wall:.2f} s > {time_bound:.2f} s"
            )
        forms = secret_forms(ledger.secrets.get(record.call, set()))
        for name, text in record.logs:
            if _leaks(text, forms):
                if name.split(".")[0] in INFO_LOGGERS:
                    tally.secret_in_httpcore_logs += 1
                else:
                    tally.secret_in_logs += 1
                    tally.example("secret_in_logs", text)
        error = record.error
        if error is None:
            tally.ok += 1
            _check_result(tally, record, arrivals)
            continue
        tally.raised[type(error).__name__] += 1
        if not isinstance(error, MWSError):
            tally.not_mwserror += 1
            tally.example(
                "not_mwserror", f"{type(error).__module__}.{type(error).__name__}: {error}"
            )
        if record.action.unsafe and processed and not isinstance(error, OutcomeUnknown):
            tally.unknown_not_outcome_unknown += 1
            tally.example(
                "unknown_not_outcome_unknown",
                f"{record.call} processed, raised {type(error).__name__}: {error}",
            )
        _check_secrets(tally, error, forms)
    return tally


def _check_result(tally: Tally, record: CallRecord, arrivals: list[Arrival]) -> None:
    """A result must be one the service really gave: a sound answer's request id and ids."""
    result = record.result
    try:
        ids = record.action.result_ids(result)
    except Exception as error:  # a result without its content: not what the service sent
        ids = (f"<unreadable: {error!r}>",)
    request_id = getattr(result, "request_id", None)
    for arrival in arrivals:
        if arrival.ids is not None and arrival.request_id == request_id and arrival.ids == ids:
            return
    tally.lost_silently += 1
    tally.example(
        "lost_silently",
        f"{record.call}: returned request id {request_id!r}, ids "
        f"{ids[:3]!r}, not a sound answer of ({', '.join(a.answer for a in arrivals)})",
    )


def _check_secrets(tally: Tally, error: BaseException, forms: set[str]) -> None:
    chain = _chain(error)
    for item in chain:
        for text in (str(item), repr(item)):
            found = _leaks(text, forms)
            if found:
                tally.secret_in_str_repr += 1
                tally.example("secret_in_str_repr", f"{type(item).__name__}: {text}")
                break
        try:
            data = pickle.dumps(item)
        except Exception as problem:
            if item is error:
                tally.pickle_roundtrip_failures += 1
                tally.example("pickle_roundtrip_failures", f"dumps: {problem!r}")
            continue
        if _leaks(data, forms):
            tally.secret_in_pickle += 1
            tally.example("secret_in_pickle", f"pickle of {type(item).__name__}")
        if item is error:
            try:
                again = pickle.loads(data)
                same = str(again) == str(error) and type(again) is type(error)
                same = same and str(copy.copy(error)) == str(error)
            except Exception as problem:
                same = False
                tally.example("pickle_roundtrip_failures", f"loads: {problem!r}")
            if not same:
                tally.pickle_roundtrip_failures += 1
                tally.example(
                    "pickle_roundtrip_failures",
                    f"{type(error).__name__} round trip changed {str(error)[:80]!r}",
                )
    try:
        text = "".join(
            traceback.TracebackException(
                type(error), error, error.__traceback__, capture_locals=True
            ).format()
        )
    except Exception as problem:  # a repr that raises is shown as such by traceback itself
        text = f"<TracebackException failed: {problem!r}>"
    found = _leaks(text, forms)
    if found:
        tally.secret_in_traceback_locals += 1
        line = next((line for line in text.splitlines() if any(f in line for f in found)), "")
        tally.example("secret_in_traceback_locals", line.strip())


# ----------------------------------------------------------------------------- the summary


COLUMNS = (
    ("transport", "via"),
    ("kind", "kind"),
    ("action", "action"),
    ("calls", "calls"),
    ("ok", "ok"),
    ("requests", "reqs"),
    ("processed", "proc"),
    ("duplicate_sends", "dup"),
    ("lost_silently", "lost"),
    ("not_mwserror", "!MWS"),
    ("unknown_not_outcome_unknown", "!OU"),
    ("secret_in_logs", "s:log"),
    ("secret_in_str_repr", "s:str"),
    ("secret_in_pickle", "s:pkl"),
    ("secret_in_traceback_locals", "s:tb"),
    ("pickle_roundtrip_failures", "pkl-rt"),
    ("over_time_bound", "slow"),
)


def table(tallies: list[Tally]) -> str:
    rows = [[label for _, label in COLUMNS]]
    for tally in tallies:
        rows.append([str(getattr(tally, name)) for name, _ in COLUMNS])
    for row, tally in zip(rows[1:], tallies, strict=True):
        row.append(",".join(f"{name}:{count}" for name, count in tally.raised.most_common(3)))
    rows[0].append("raised (most common)")
    widths = [max(len(row[i]) for row in rows) for i in range(len(COLUMNS))] + [0]
    lines = [
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        for row in rows
    ]
    totals: Counter[str] = Counter()
    for tally in tallies:
        for name in Tally.ASSERTED:
            totals[name] += getattr(tally, name)
    lines.append("totals: " + ", ".join(f"{name}={totals[name]}" for name in Tally.ASSERTED))
    return "\n".join(lines)
