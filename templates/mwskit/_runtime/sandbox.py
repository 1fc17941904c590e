"""A local MWS: a WSGI application that checks and answers requests as MWS did.

It is driven by the same descriptors as the clients, so it serves every section and action the
specs describe. It checks the SigV2 signature (HmacSHA256 and HmacSHA1) against its key pairs,
the Timestamp (15 minutes) or Expires, the path, Action and Version, every parameter (required,
kind, allowed values, lengths, ranges, list limits, constraints; unknown ones in strict mode) and
SubmitFeed's ContentMD5Value; it throttles per seller and bucket with the spec's quotas, keeps
feeds and reports that advance over polls, pages through NextTokens, injects faults on request,
and counts what it received. Answers are built from the response shapes, seeded.

Use it in process (`httpx.WSGITransport(app=sandbox)`, or `ASGIApp(sandbox)` with
`httpx.ASGITransport`) or over a socket (`SandboxServer(sandbox).start()`, or `serve(...)`).
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import io
import random
import re
import signal
import socket
import struct
import sys
import threading
import time
import uuid
from collections.abc import Awaitable, Callable, Iterable, Mapping, MutableMapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta, timezone
from http import HTTPStatus
from socketserver import TCPServer, ThreadingMixIn
from types import FrameType, TracebackType
from typing import TYPE_CHECKING, Any, TextIO, Union
from urllib.parse import unquote_plus
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer
from xml.sax.saxutils import escape

import httpx

from .descriptors import STRUCTURE, Operation, Param, SectionSpec, ThrottlingSpec
from .results import to_datetime
from .sandbox_state import (
    DONE,
    IN_PROGRESS,
    SUBMITTED,
    Bucket,
    QuotaState,
    Submission,
    Tokens,
    epoch_to_datetime,
    matches,
    take,
)
from .sandbox_xml import error_document, format_time, response_document, to_text, xml_safe
from .signing import SIGNATURE_METHODS, Signer, string_to_sign

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIEnvironment

__all__ = [
    "ASGIApp",
    "FaultConfig",
    "Fixture",
    "Reply",
    "Sandbox",
    "SandboxRequest",
    "SandboxServer",
    "SandboxStats",
    "SectionOperations",
    "parse_credentials",
    "serve",
]

SectionOperations = tuple[SectionSpec, Sequence[Operation[Any]]]
DEFAULT_NAMESPACE = "http://mws.amazonaws.com/doc/2009-01-01/"
MAX_SKEW = timedelta(minutes=15)
RESET_KEY = "mwskit.sandbox.reset"
_COMMON = frozenset(
    {
        "AWSAccessKeyId",
        "Action",
        "Expires",
        "MWSAuthToken",
        "Signature",
        "SignatureMethod",
        "SignatureVersion",
        "Timestamp",
        "Version",
    }
)


@dataclass(frozen=True, slots=True)
class FaultConfig:
    """Faults to inject, each a rate in 0..1 drawn from the sandbox's seeded generator.

    `error_503_code` is the code of injected 503s (`ServiceUnavailable` or `RequestThrottled`);
    `latency` seconds are added to every answer; `actions` limits faults to those actions.
    A reset drops the connection without an answer; a malformed body is cut in half (documents
    get a wrong Content-MD5 instead).
    """

    error_500_rate: float = 0.0
    error_503_rate: float = 0.0
    error_503_code: str = "ServiceUnavailable"
    reset_rate: float = 0.0
    malformed_rate: float = 0.0
    latency: float = 0.0
    actions: frozenset[str] | None = None


@dataclass(frozen=True, slots=True)
class Reply:
    """An HTTP answer. `reset` drops the connection instead; `delay` is slept first."""

    status: int = 200
    body: bytes = b""
    headers: tuple[tuple[str, str], ...] = ()
    reset: bool = False
    delay: float = 0.0


@dataclass(frozen=True, slots=True)
class SandboxRequest:
    """A request that passed every check, as fixtures see it.

    `values` holds each parameter given, keyed by wire name (`MarketplaceId`), decoded: lists
    are lists, structures are dicts keyed by field wire name; scalars stay text.
    """

    section: SectionSpec
    operation: Operation[Any]
    seller_id: str
    params: Mapping[str, str]
    values: Mapping[str, Any]
    body: bytes
    request_id: str


Fixture = Union[str, bytes, Reply, Callable[[SandboxRequest], Union[str, bytes, Reply]]]


@dataclass(frozen=True, slots=True)
class SandboxStats:
    """What the sandbox received: totals by action, HTTP status and error code or fault."""

    received: int
    by_action: Mapping[str, int]
    by_status: Mapping[int, int]
    by_code: Mapping[str, int]


class _Refusal(Exception):
    """An error answer: HTTP status, MWS code and message."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        error_type: str = "Sender",
        headers: tuple[tuple[str, str], ...] = (),
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.error_type = error_type
        self.headers = headers


def _missing(name: str) -> _Refusal:
    return _Refusal(400, "MissingParameter", f"The request must contain the parameter {name}.")


def _invalid(name: str, text: str, reason: str) -> _Refusal:
    return _Refusal(
        400,
        "InvalidParameterValue",
        f"Value '{_echo(text)}' for parameter {name} is invalid. {reason}",
    )


def _utc_now() -> datetime:
    return datetime.now(timezone.utc)


def _md5(body: bytes) -> str:
    return base64.b64encode(hashlib.md5(body).digest()).decode("ascii")


def _parse_pairs(text: str) -> list[tuple[str, str]]:
    pairs = []
    for part in text.split("&"):
        if part:
            name, _, value = part.partition("=")
            pairs.append((unquote_plus(name), unquote_plus(value)))
    return pairs


def parse_credentials(text: str) -> dict[str, str]:
    """`AK1:SK1,AK2:SK2` (the MWSKIT_SANDBOX_CREDENTIALS format) as {access key: secret key}."""
    found: dict[str, str] = {}
    for item in text.replace(";", ",").split(","):
        item = item.strip()
        if not item:
            continue
        access, sep, secret = item.partition(":")
        if not sep or not access or not secret:
            raise ValueError(
                f"credentials must be ACCESS_KEY:SECRET_KEY pairs; got {item[:4]!r}..."
            )
        found[access] = secret
    return found


# ---------------------------------------------------------------- parameter checks


_INTEGER = re.compile(r"[+-]?[0-9]{1,19}")  # ASCII digits; int() never meets its digit limit
_DECIMAL = re.compile(r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)")
_ECHO_LIMIT = 200


def _echo(text: str) -> str:
    """A refused value as an error message quotes it: at most 200 characters."""
    return text if len(text) <= _ECHO_LIMIT else text[:_ECHO_LIMIT] + "..."


def _check_scalar(param: Param, wire: str, text: str) -> str:
    """Validate one scalar's text against its descriptor; return it unchanged."""
    kind = param.kind
    if kind == "integer":
        if not re.fullmatch(r"[+-]?[0-9]+", text):
            raise _invalid(wire, text, "It must be an integer.")
        if not _INTEGER.fullmatch(text):
            raise _invalid(wire, text, "It must be an integer of at most 19 digits.")
        _check_range(param, wire, text, int(text))
    elif kind == "decimal":
        if not _DECIMAL.fullmatch(text):
            raise _invalid(wire, text, "It must be a decimal number.")
        _check_range(param, wire, text, float(text))
    elif kind == "boolean":
        if text not in ("true", "false"):
            raise _invalid(wire, text, "It must be true or false.")
    elif kind == "datetime":
        try:
            to_datetime(text)
        except ValueError:
            raise _invalid(wire, text, "It must be an ISO 8601 date and time.") from None
    elif kind == "date":
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            raise _invalid(wire, text, "It must be a date (YYYY-MM-DD).")
    else:
        if param.values is not None and not param.open_values and text not in param.values:
            allowed = ", ".join(sorted(param.values))
            raise _invalid(wire, text, f"It must be one of: {allowed}.")
        if param.max_length is not None and len(text) > param.max_length:
            raise _invalid(wire, text, f"It must be at most {param.max_length} characters long.")
        if param.min_length is not None and len(text) < param.min_length:
            raise _invalid(wire, text, f"It must be at least {param.min_length} characters long.")
    return text


def _check_range(param: Param, wire: str, text: str, value: float) -> None:
    if param.min_value is not None and value < param.min_value:
        raise _invalid(wire, text, f"It must be at least {param.min_value}.")
    if param.max_value is not None and value > param.max_value:
        raise _invalid(wire, text, f"It must be at most {param.max_value}.")


def _read_value(
    param: Param, wire: str, params: Mapping[str, str], consumed: set[str]
) -> Any | None:
    """One item: a structure's fields under `wire.` or the scalar at `wire`."""
    if param.kind == STRUCTURE:
        assert param.shape is not None
        return _read_fields(param.shape.fields, wire + ".", params, consumed)
    text = params.get(wire)
    if text is None:
        return None
    consumed.add(wire)
    return _check_scalar(param, wire, text)


def _read_param(
    param: Param, prefix: str, params: Mapping[str, str], consumed: set[str]
) -> Any | None:
    """The decoded value of `param` (None when absent); raises _Refusal when invalid."""
    if not param.is_list:
        return _read_value(param, prefix + param.wire, params, consumed)
    head = prefix + param.wire
    tail = r"\." if param.kind == STRUCTURE else "$"
    pattern = re.compile(re.escape(head) + r"([1-9][0-9]{0,8})" + tail)
    indexes = sorted({int(found.group(1)) for key in params if (found := pattern.match(key))})
    if param.max_items is not None and len(indexes) > param.max_items:
        raise _Refusal(
            400,
            "InvalidParameterValue",
            f"Parameter {prefix}{param.pattern} accepts at most {param.max_items} values; "
            f"got {len(indexes)}.",
        )
    items = [_read_value(param, f"{head}{index}", params, consumed) for index in indexes]
    return [item for item in items if item is not None] or None


def _read_fields(
    fields: Sequence[Param], prefix: str, params: Mapping[str, str], consumed: set[str]
) -> dict[str, Any] | None:
    values: dict[str, Any] = {}
    for item in fields:
        value = _read_param(item, prefix, params, consumed)
        if value is not None:
            values[item.name] = value
    if not values:
        return None
    for item in fields:
        if item.required and item.name not in values:
            raise _missing(prefix + item.pattern)
    return values


def _check_constraints(operation: Operation[Any], values: Mapping[str, Any]) -> None:
    wire = {param.python_name: param.pattern for param in operation.params}
    given = {param.python_name for param in operation.params if param.name in values}
    for rule in operation.constraints:
        names = [wire.get(name, name) for name in rule.parameters]
        present = [name for name in rule.parameters if name in given]
        if rule.kind == "exactly_one_of" and not present:
            raise _Refusal(
                400,
                "MissingParameter",
                f"The request must contain one of the parameters {', '.join(names)}.",
            )
        if rule.kind in ("exactly_one_of", "at_most_one_of") and len(present) > 1:
            raise _Refusal(
                400,
                "InvalidParameterValue",
                f"Only one of the parameters {', '.join(names)} may be given.",
            )
        if rule.kind == "excludes" and rule.parameter in given and present:
            others = ", ".join(wire.get(name, name) for name in present)
            raise _Refusal(
                400,
                "InvalidParameterValue",
                f"Parameter {wire.get(rule.parameter, rule.parameter)} cannot be combined with "
                f"{others}.",
            )


# ---------------------------------------------------------------- the application


@dataclass(slots=True)
class _Counts:
    received: int = 0
    by_action: dict[str, int] = field(default_factory=dict)
    by_status: dict[int, int] = field(default_factory=dict)
    by_code: dict[str, int] = field(default_factory=dict)


def _bump(counter: dict[Any, int], key: Any) -> None:
    counter[key] = counter.get(key, 0) + 1


class Sandbox:
    """The WSGI application. Thread-safe: state lives behind one lock.

    `sections`: (SectionSpec, operations) pairs; `credentials`: {access key: secret key};
    `seed`: fixes every generated value, ID and fault; `strict`: refuse unknown parameters;
    `throttling`: enforce the spec's quotas; `faults`: what to inject; `clock`: the server time.
    """

    def __init__(
        self,
        sections: Sequence[SectionOperations],
        credentials: Mapping[str, str] | None = None,
        *,
        seed: int = 0,
        strict: bool = False,
        throttling: bool = True,
        faults: FaultConfig | None = None,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self.credentials = dict(credentials or {})
        self.seed = seed
        self.strict = strict
        self.throttling = throttling
        self.faults = faults or FaultConfig()
        self.clock = clock or _utc_now
        self._routes: dict[str, dict[str, tuple[SectionSpec, Operation[Any]]]] = {}
        self._parents: dict[tuple[str, str], str] = {}
        for section, operations in sections:
            actions = self._routes.setdefault(section.path.rstrip("/") or "/", {})
            for operation in operations:
                if operation.name in actions:
                    raise ValueError(f"{section.path}: action {operation.name} is served twice")
                actions[operation.name] = (section, operation)
                if operation.next_token_action is not None:
                    self._parents[(section.name, operation.next_token_action)] = operation.name
        self._lock = threading.Lock()
        self._ids = random.Random(f"ids/{seed}")
        self._fault_rng = random.Random(f"faults/{seed}")
        self._counts = _Counts()
        self._buckets: dict[tuple[str, str, str], Bucket] = {}
        self._fixtures: dict[str, Fixture] = {}
        self._feeds: dict[str, Submission] = {}
        self._reports: dict[str, Submission] = {}
        self._tokens = Tokens(seed)
        self._serial = 0

    # ------------------------------------------------------------ public helpers

    @property
    def sections(self) -> list[SectionSpec]:
        found = {
            section.name: section
            for routes in self._routes.values()
            for section, _ in routes.values()
        }
        return [found[name] for name in sorted(found)]

    def operations(self) -> list[tuple[SectionSpec, Operation[Any]]]:
        """Every (section, operation) served, sorted by section name and action."""
        pairs = [pair for routes in self._routes.values() for pair in routes.values()]
        return sorted(pairs, key=lambda pair: (pair[0].name, pair[1].name))

    def add_fixture(self, action: str, fixture: Fixture) -> None:
        """Answer `action` (or `Section.Action`) with a fixed body, a Reply, or a function's."""
        with self._lock:
            self._fixtures[action] = fixture

    def remove_fixture(self, action: str) -> None:
        with self._lock:
            self._fixtures.pop(action, None)

    def stats(self) -> SandboxStats:
        """A snapshot of what the sandbox received so far."""
        with self._lock:
            counts = self._counts
            return SandboxStats(
                counts.received,
                dict(counts.by_action),
                dict(counts.by_status),
                dict(counts.by_code),
            )

    def reset_stats(self) -> None:
        with self._lock:
            self._counts = _Counts()

    def reset_throttling(self) -> None:
        """Refill every bucket and hourly quota."""
        with self._lock:
            self._buckets.clear()

    # ------------------------------------------------------------ WSGI

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        length = environ.get("CONTENT_LENGTH") or "0"
        stream = environ["wsgi.input"]
        valid = re.fullmatch(r"[0-9]{1,19}", length) is not None
        body = stream.read(int(length)) if valid and int(length) else b""
        reply = self.handle(
            environ.get("REQUEST_METHOD", "GET"),
            environ.get("HTTP_HOST") or environ.get("SERVER_NAME", "localhost"),
            environ.get("PATH_INFO") or "/",
            environ.get("QUERY_STRING", ""),
            environ.get("CONTENT_TYPE", ""),
            body,
        )
        if reply.delay > 0:
            time.sleep(reply.delay)
        if reply.reset:
            reset = environ.get(RESET_KEY)
            if reset is not None:
                reset()
                raise ConnectionResetError("connection reset by the sandbox (injected fault)")
            raise httpx.ReadError("connection reset by the sandbox (injected fault)")
        phrase = HTTPStatus(reply.status).phrase
        headers = [*reply.headers, ("Content-Length", str(len(reply.body)))]
        start_response(f"{reply.status} {phrase}", headers)
        return [reply.body]

    # ------------------------------------------------------------ request handling

    def handle(
        self, method: str, host: str, path: str, query: str, content_type: str, body: bytes
    ) -> Reply:
        """Check and answer one request (pure HTTP in, Reply out; no sockets)."""
        with self._lock:
            request_id = str(uuid.UUID(int=self._ids.getrandbits(128), version=4))
            self._counts.received += 1
        namespace = DEFAULT_NAMESPACE
        action = "-"
        quota: QuotaState | None = None
        try:
            routes = self._routes.get(path.rstrip("/") or "/")
            if routes is None:
                raise _Refusal(404, "InvalidAddress", f"The path {path} is not a valid MWS path.")
            namespace = next(iter(routes.values()))[0].namespace
            pairs = _parse_pairs(query)
            query_action = next((value for name, value in pairs if name == "Action"), None)
            route = routes.get(query_action or "")
            document = b""
            if route is not None and route[1].body is not None:
                document = body
            elif content_type.lower().startswith("application/x-www-form-urlencoded"):
                pairs += _parse_pairs(body.decode("utf-8", "replace"))
            params: dict[str, str] = {}
            for name, value in pairs:
                params.setdefault(name, value)
            self._authenticate(method, host, path, params)
            action = params.get("Action") or ""
            if not action:
                raise _missing("Action")
            route = routes.get(action)
            if route is None:
                raise _Refusal(
                    404, "InvalidAddress", f"The action {action} is not valid for the path {path}."
                )
            section, operation = route
            namespace = section.namespace
            version = params.get("Version")
            if version is None:
                raise _missing("Version")
            if version != section.version:
                raise _invalid("Version", version, f"It must be {section.version}.")
            seller = self._seller(section, params)
            if self.throttling:
                quota = self._throttle(seller, section, operation)
            values = self._validate(section, operation, params, document)
            request = SandboxRequest(
                section, operation, seller, params, values, document, request_id
            )
            fault = self._fault(operation)
            reply = Reply(reset=True) if fault == "reset" else self._answer(request)
            if fault == "malformed" and reply.status == 200:
                reply = _spoil(reply)
        except _Refusal as refusal:
            reply = Reply(
                refusal.status,
                error_document(
                    namespace, refusal.code, refusal.message, request_id, refusal.error_type
                ),
                (("Content-Type", "text/xml"), *refusal.headers),
            )
            with self._lock:
                _bump(self._counts.by_code, refusal.code)
        except Exception:  # a bug must not take the server down: answer as MWS would
            reply = Reply(
                500,
                error_document(
                    namespace,
                    "InternalError",
                    "We encountered an internal error. Please try again.",
                    request_id,
                    "Receiver",
                ),
                (("Content-Type", "text/xml"),),
            )
            with self._lock:
                _bump(self._counts.by_code, "InternalError")
        headers = [("x-mws-request-id", request_id), ("x-mws-timestamp", format_time(self.clock()))]
        if quota is not None and quota.hourly is not None:
            headers += [
                ("x-mws-quota-max", str(quota.hourly)),
                ("x-mws-quota-remaining", str(quota.remaining)),
                ("x-mws-quota-resetsOn", format_time(epoch_to_datetime(quota.resets_on or 0))),
            ]
        with self._lock:
            _bump(self._counts.by_action, action)
            _bump(self._counts.by_status, 0 if reply.reset else reply.status)
        delay = self.faults.latency if self._faults_apply(action) else 0.0
        return replace(reply, headers=(*reply.headers, *headers), delay=reply.delay + delay)

    def _authenticate(self, method: str, host: str, path: str, params: Mapping[str, str]) -> None:
        for name in ("AWSAccessKeyId", "SignatureVersion", "SignatureMethod", "Signature"):
            if not params.get(name):
                raise _missing(name)
        if params["SignatureVersion"] != "2":
            raise _invalid("SignatureVersion", params["SignatureVersion"], "It must be 2.")
        signature_method = params["SignatureMethod"]
        if signature_method not in SIGNATURE_METHODS:
            allowed = ", ".join(sorted(SIGNATURE_METHODS))
            raise _invalid("SignatureMethod", signature_method, f"It must be one of: {allowed}.")
        secret = self.credentials.get(params["AWSAccessKeyId"])
        if secret is None:
            raise _Refusal(
                403,
                "InvalidAccessKeyId",
                "The AWS Access Key Id you provided does not exist in our records.",
            )
        unsigned = [(name, value) for name, value in params.items() if name != "Signature"]
        expected = Signer(secret, signature_method).sign(
            string_to_sign(method, host, path, unsigned)
        )
        if not hmac.compare_digest(expected.encode("ascii"), params["Signature"].encode("utf-8")):
            raise _Refusal(
                403,
                "SignatureDoesNotMatch",
                "The request signature we calculated does not match the signature you provided. "
                "Check your AWS Secret Access Key and signing method. Consult the service "
                "documentation for details.",
            )
        self._check_time(params)

    def _check_time(self, params: Mapping[str, str]) -> None:
        now = self.clock()
        stamp, expires = params.get("Timestamp"), params.get("Expires")
        if stamp is not None and expires is not None:
            raise _Refusal(
                400,
                "InvalidParameterValue",
                "Request cannot contain both Timestamp and Expires.",
            )
        if stamp is None and expires is None:
            raise _missing("Timestamp")
        name, text = ("Timestamp", stamp) if stamp is not None else ("Expires", expires)
        assert text is not None
        try:
            when = to_datetime(text)
        except ValueError:
            raise _invalid(name, text, "It must be an ISO 8601 date and time.") from None
        if name == "Timestamp" and abs(when - now) > MAX_SKEW:
            raise _Refusal(400, "RequestExpired", f"Request has expired. Timestamp date is {text}.")
        if name == "Expires" and when < now:
            raise _Refusal(400, "RequestExpired", f"Request has expired. Expires date is {text}.")

    def _seller(self, section: SectionSpec, params: Mapping[str, str]) -> str:
        for name in (section.seller_parameter, *section.seller_parameter_alternatives):
            value = params.get(name)
            if value:
                return value
        raise _missing(section.seller_parameter)

    def _throttle(self, seller: str, section: SectionSpec, operation: Operation[Any]) -> QuotaState:
        spec: ThrottlingSpec = operation.throttling
        now = self.clock().timestamp()
        with self._lock:
            key = (seller, section.name, spec.bucket)
            bucket = self._buckets.get(key)
            if bucket is None:
                bucket = Bucket(float(spec.max_request_quota), now, now)
                self._buckets[key] = bucket
            state = take(bucket, spec, now)
        if state.refused is None:
            return state
        headers: tuple[tuple[str, str], ...] = ()
        if state.hourly is not None:
            resets = format_time(epoch_to_datetime(state.resets_on or now))
            headers = (
                ("x-mws-quota-max", str(state.hourly)),
                ("x-mws-quota-remaining", str(state.remaining)),
                ("x-mws-quota-resetsOn", resets),
            )
        if state.refused == "QuotaExceeded":
            resets = format_time(epoch_to_datetime(state.resets_on or now))
            raise _Refusal(
                503,
                "QuotaExceeded",
                f"You exceeded your quota of {state.hourly} requests per 1 hour for operation "
                f"{section.name}/{section.version}/{operation.name}. "
                f"Your quota will reset on {resets}",
                headers=headers,
            )
        raise _Refusal(503, "RequestThrottled", "Request is throttled", headers=headers)

    def _validate(
        self,
        section: SectionSpec,
        operation: Operation[Any],
        params: Mapping[str, str],
        document: bytes,
    ) -> dict[str, Any]:
        consumed = set(_COMMON)
        consumed.add(section.seller_parameter)
        consumed.update(section.seller_parameter_alternatives)
        values: dict[str, Any] = {}
        for param in operation.params:
            value = _read_param(param, "", params, consumed)
            if value is None:
                if param.required:
                    raise _missing(param.pattern)
            else:
                values[param.name] = value
        if operation.body is not None:
            md5_name = operation.body.md5_parameter
            consumed.add(md5_name)
            given = params.get(md5_name)
            if not given:
                raise _missing(md5_name)
            actual = _md5(document)
            if given != actual:
                raise _Refusal(
                    400,
                    "ContentMD5DoesNotMatch",
                    f"the Content-MD5 HTTP header you passed for your feed ({given}) did not "
                    f"match the Content-MD5 we calculated for your feed ({actual})",
                )
        _check_constraints(operation, values)
        if self.strict:
            unknown = sorted(name for name in params if name not in consumed)
            if unknown:
                raise _Refusal(
                    400,
                    "InvalidParameterValue",
                    f"Parameter {unknown[0]} is not valid for the action {operation.name}.",
                )
        return values

    def _faults_apply(self, action: str) -> bool:
        actions = self.faults.actions
        return actions is None or action in actions

    def _fault(self, operation: Operation[Any]) -> str | None:
        """Draw this request's fault: raise an injected error, or say "reset" or "malformed"."""
        faults = self.faults
        if not self._faults_apply(operation.name):
            return None
        rates = (
            faults.error_500_rate,
            faults.error_503_rate,
            faults.reset_rate,
            faults.malformed_rate,
        )
        if sum(rates) <= 0:
            return None
        with self._lock:
            draw = self._fault_rng.random()
        if draw < rates[0]:
            raise _Refusal(
                500,
                "InternalError",
                "We encountered an internal error. Please try again.",
                error_type="Receiver",
            )
        draw -= rates[0]
        if draw < rates[1]:
            code = faults.error_503_code
            if code == "RequestThrottled":
                raise _Refusal(503, code, "Request is throttled")
            raise _Refusal(
                503, code, "Service is temporarily unavailable. Please try again.", "Receiver"
            )
        draw -= rates[1]
        found = None
        if draw < rates[2]:
            found = "reset"
        elif draw - rates[2] < rates[3]:
            found = "malformed"
        if found is not None:
            with self._lock:
                _bump(self._counts.by_code, found)
        return found

    # ------------------------------------------------------------ answers

    def _answer(self, request: SandboxRequest) -> Reply:
        operation = request.operation
        fixture = self._fixtures.get(f"{request.section.name}.{operation.name}")
        if fixture is None:
            fixture = self._fixtures.get(operation.name)
        if fixture is not None:
            produced = fixture(request) if callable(fixture) else fixture
            if isinstance(produced, Reply):
                return produced
            data = produced.encode("utf-8") if isinstance(produced, str) else produced
            return Reply(200, data, (("Content-Type", "text/xml"),))
        workflow = _WORKFLOWS.get((request.section.name, operation.name))
        with self._lock:
            produced_data = workflow(self, request) if workflow is not None else None
            if isinstance(produced_data, Reply):
                return produced_data
            data_map = produced_data if produced_data is not None else self._paging(request)
        if operation.document:
            return self._document(request, _generated_report(request, self.seed))
        return self._xml(request, data_map)

    def _xml(self, request: SandboxRequest, data: Mapping[str, Any] | None) -> Reply:
        operation = request.operation
        section = request.section
        rng = random.Random(f"{self.seed}/{section.name}/{operation.name}")
        body = response_document(
            operation.name,
            section.namespace,
            request.request_id,
            operation.result_element,
            operation.result_shape,
            rng,
            data,
            result_is_root=operation.result_is_root,
        )
        return Reply(200, body, (("Content-Type", "text/xml"),))

    def _document(self, request: SandboxRequest, content: bytes) -> Reply:
        headers = (
            ("Content-Type", "text/plain;charset=Cp1252"),
            ("Content-MD5", _md5(content)),
        )
        return Reply(200, content, headers)

    def _paging(self, request: SandboxRequest) -> dict[str, Any] | None:
        """NextToken handling for actions without state: page 1 continues, page 2 ends."""
        operation = request.operation
        parent = self._parents.get((request.section.name, operation.name))
        if parent is not None:
            page = self._tokens.redeem(str(request.values.get("NextToken", "")))
            if page is None or page.action != parent or page.seller != request.seller_id:
                raise _invalid(
                    "NextToken",
                    str(request.values.get("NextToken")),
                    "It is not a NextToken this service issued.",
                )
            return {"NextToken": None, "HasNext": False}
        if operation.next_token_action is not None:
            return {
                "NextToken": self._tokens.issue(operation.name, request.seller_id),
                "HasNext": True,
            }
        return None

    def _next_id(self) -> str:
        self._serial += 1
        return str(50_000_000_000 + self.seed * 1_000_000 + self._serial)

    def _page(
        self,
        request: SandboxRequest,
        items: list[Any],
        parent: str,
    ) -> tuple[list[Any], dict[str, Any]]:
        """Split `items` at MaxCount (default 10) and issue a NextToken for the rest."""
        size = int(request.values.get("MaxCount") or 10) or 10
        head, rest = items[:size], items[size:]
        if rest:
            return head, {
                "NextToken": self._tokens.issue(parent, request.seller_id, rest),
                "HasNext": True,
            }
        return head, {"NextToken": None, "HasNext": False}

    def _redeem(self, request: SandboxRequest) -> list[Any]:
        token = str(request.values.get("NextToken", ""))
        parent = self._parents.get((request.section.name, request.operation.name))
        page = self._tokens.redeem(token)
        if (
            page is None
            or page.action != parent
            or page.seller != request.seller_id
            or page.remaining is None
        ):
            raise _invalid("NextToken", token, "It is not a NextToken this service issued.")
        return list(page.remaining)


def _spoil(reply: Reply) -> Reply:
    """The injected malformed answer: XML cut in half, or a document under a wrong Content-MD5."""
    headers = dict(reply.headers)
    if "Content-MD5" in headers:
        headers["Content-MD5"] = _md5(reply.body + b"\x00")
        return replace(reply, headers=tuple(headers.items()))
    return replace(reply, body=reply.body[: len(reply.body) // 2])


# ---------------------------------------------------------------- feeds and reports


def _feed_info(record: Submission, status: str | None = None) -> dict[str, Any]:
    status = status or record.status()
    info: dict[str, Any] = {
        "FeedSubmissionId": record.id,
        "FeedType": record.kind,
        "SubmittedDate": record.submitted,
        "FeedProcessingStatus": status,
        "StartedProcessingDate": None,
        "CompletedProcessingDate": None,
    }
    if status in (IN_PROGRESS, DONE):
        info["StartedProcessingDate"] = record.started()
    if status == DONE:
        info["CompletedProcessingDate"] = record.completed()
    return info


def _report_request_info(record: Submission, status: str | None = None) -> dict[str, Any]:
    status = status or record.status()
    info: dict[str, Any] = {
        "ReportRequestId": record.id,
        "ReportType": record.kind,
        "StartDate": record.extra.get("StartDate") or record.submitted - timedelta(days=1),
        "EndDate": record.extra.get("EndDate") or record.submitted,
        "Scheduled": False,
        "SubmittedDate": record.submitted,
        "ReportProcessingStatus": status,
        "GeneratedReportId": None,
        "StartedProcessingDate": None,
        "CompletedDate": None,
    }
    if status in (IN_PROGRESS, DONE):
        info["StartedProcessingDate"] = record.started()
    if status == DONE:
        info["GeneratedReportId"] = record.extra["ReportId"]
        info["CompletedDate"] = record.completed()
    return info


def _report_info(record: Submission) -> dict[str, Any]:
    return {
        "ReportId": record.extra["ReportId"],
        "ReportType": record.kind,
        "ReportRequestId": record.id,
        "AvailableDate": record.completed(),
        "Acknowledged": record.acknowledged,
    }


def _strings(value: Any) -> list[str] | None:
    if value is None:
        return None
    return [str(item) for item in value] if isinstance(value, list) else [str(value)]


def _processing_report(record: Submission) -> bytes:
    content = record.content
    if content.lstrip()[:1] == b"<":
        messages = max(content.count(b"<Message>"), 1)
    else:
        messages = max(len([line for line in content.splitlines() if line.strip()]) - 1, 1)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<AmazonEnvelope xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
        'xsi:noNamespaceSchemaLocation="amzn-envelope.xsd">\n'
        "<Header><DocumentVersion>1.02</DocumentVersion>"
        f"<MerchantIdentifier>{escape(xml_safe(record.seller))}</MerchantIdentifier></Header>\n"
        "<MessageType>ProcessingReport</MessageType>\n"
        "<Message><MessageID>1</MessageID><ProcessingReport>"
        f"<DocumentTransactionID>{escape(xml_safe(record.id))}</DocumentTransactionID>"
        "<StatusCode>Complete</StatusCode><ProcessingSummary>"
        f"<MessagesProcessed>{messages}</MessagesProcessed>"
        f"<MessagesSuccessful>{messages}</MessagesSuccessful>"
        "<MessagesWithError>0</MessagesWithError><MessagesWithWarning>0</MessagesWithWarning>"
        "</ProcessingSummary></ProcessingReport></Message>\n</AmazonEnvelope>\n"
    ).encode("utf-8")


def _generated_report(request: SandboxRequest, seed: int) -> bytes:
    rng = random.Random(f"{seed}/{request.operation.name}/{sorted(request.values.items())}")
    rows = ["sku\tasin\tprice\tquantity"]
    for index in range(1, 4):
        asin = "B0" + "".join(rng.choice("ABCDEFGHJKLMNPQRSTUVWXYZ0123456789") for _ in range(8))
        rows.append(
            f"SKU-{index:04d}\t{asin}\t{rng.randint(1, 999)}.{rng.randint(0, 99):02d}\t{rng.randint(0, 50)}"
        )
    return ("\r\n".join(rows) + "\r\n").encode("cp1252")


Workflow = Callable[[Sandbox, SandboxRequest], Union[dict[str, Any], Reply, None]]


def _submit_feed(box: Sandbox, request: SandboxRequest) -> dict[str, Any]:
    record = Submission(
        box._next_id(),
        request.seller_id,
        str(request.values.get("FeedType")),
        box.clock(),
        content=request.body,
    )
    box._feeds[record.id] = record
    return {"FeedSubmissionInfo": _feed_info(record)}


def _feeds_matching(box: Sandbox, request: SandboxRequest) -> list[Submission]:
    values = request.values
    return [
        record
        for record in box._feeds.values()
        if matches(
            record,
            request.seller_id,
            _strings(values.get("FeedSubmissionIdList")),
            _strings(values.get("FeedTypeList")),
            _strings(values.get("FeedProcessingStatusList")),
        )
    ]


def _feed_list(box: Sandbox, request: SandboxRequest) -> dict[str, Any]:
    records, paging = box._page(request, _feeds_matching(box, request), request.operation.name)
    return {
        **paging,
        "FeedSubmissionInfo": [_feed_info(record, record.poll()) for record in records],
    }


def _next_page(box: Sandbox, request: SandboxRequest) -> tuple[list[Submission], dict[str, Any]]:
    """The records a ...ByNextToken call's token stands for, and the paging of what is left."""
    records = box._redeem(request)
    parent = box._parents[(request.section.name, request.operation.name)]
    return box._page(replace(request, values={}), records, parent)


def _feed_list_next(box: Sandbox, request: SandboxRequest) -> dict[str, Any]:
    head, paging = _next_page(box, request)
    return {**paging, "FeedSubmissionInfo": [_feed_info(record, record.poll()) for record in head]}


def _feed_count(box: Sandbox, request: SandboxRequest) -> dict[str, Any]:
    return {"Count": len(_feeds_matching(box, request))}


def _feed_cancel(box: Sandbox, request: SandboxRequest) -> dict[str, Any]:
    cancelled = []
    for record in _feeds_matching(box, request):
        if record.status() == SUBMITTED:
            record.cancelled = True
            cancelled.append(record)
    return {"Count": len(cancelled), "FeedSubmissionInfo": [_feed_info(r) for r in cancelled]}


def _feed_result(box: Sandbox, request: SandboxRequest) -> Reply:
    feed_id = str(request.values.get("FeedSubmissionId"))
    record = box._feeds.get(feed_id)
    if record is None or record.seller != request.seller_id:
        # The same answer for another seller's ID as for an unknown one: nothing leaks.
        raise _invalid("FeedSubmissionId", feed_id, "No feed submission with this ID was found.")
    if record.status() != DONE:
        raise _Refusal(
            404,
            "FeedProcessingResultNotReady",
            f"Feed Submission Result is not ready for Feed Submission Id: {feed_id}",
        )
    return box._document(request, _processing_report(record))


def _request_report(box: Sandbox, request: SandboxRequest) -> dict[str, Any]:
    values = request.values
    record = Submission(
        box._next_id(), request.seller_id, str(values.get("ReportType")), box.clock()
    )
    record.extra["ReportId"] = str(int(record.id) + 7_000_000)
    for name in ("StartDate", "EndDate"):
        if values.get(name):
            record.extra[name] = to_datetime(str(values[name]))
    box._reports[record.id] = record
    return {"ReportRequestInfo": _report_request_info(record)}


def _reports_matching(box: Sandbox, request: SandboxRequest) -> list[Submission]:
    values = request.values
    return [
        record
        for record in box._reports.values()
        if matches(
            record,
            request.seller_id,
            _strings(values.get("ReportRequestIdList")),
            _strings(values.get("ReportTypeList")),
            _strings(values.get("ReportProcessingStatusList")),
        )
    ]


def _report_request_list(box: Sandbox, request: SandboxRequest) -> dict[str, Any]:
    records, paging = box._page(request, _reports_matching(box, request), request.operation.name)
    infos = [_report_request_info(record, record.poll()) for record in records]
    return {**paging, "ReportRequestInfo": infos}


def _report_request_list_next(box: Sandbox, request: SandboxRequest) -> dict[str, Any]:
    head, paging = _next_page(box, request)
    return {**paging, "ReportRequestInfo": [_report_request_info(r, r.poll()) for r in head]}


def _report_request_count(box: Sandbox, request: SandboxRequest) -> dict[str, Any]:
    return {"Count": len(_reports_matching(box, request))}


def _report_cancel(box: Sandbox, request: SandboxRequest) -> dict[str, Any]:
    cancelled = []
    for record in _reports_matching(box, request):
        if record.status() == SUBMITTED:
            record.cancelled = True
            cancelled.append(record)
    return {
        "Count": len(cancelled),
        "ReportRequestInfo": [_report_request_info(r) for r in cancelled],
    }


def _done_reports(box: Sandbox, request: SandboxRequest) -> list[Submission]:
    values = request.values
    ids = _strings(values.get("ReportRequestIdList"))
    kinds = _strings(values.get("ReportTypeList"))
    acknowledged = values.get("Acknowledged")
    since = values.get("AvailableFromDate")
    until = values.get("AvailableToDate")
    found = [
        record
        for record in box._reports.values()
        if matches(record, request.seller_id, ids, kinds, [DONE])
        and (acknowledged is None or to_text(record.acknowledged) == acknowledged)
        and (since is None or record.completed() >= to_datetime(str(since)))
        and (until is None or record.completed() <= to_datetime(str(until)))
    ]
    # Newest first, so a client asking for a single report gets the latest one.
    return sorted(found, key=lambda record: (record.completed(), record.id), reverse=True)


def _report_list(box: Sandbox, request: SandboxRequest) -> dict[str, Any]:
    records, paging = box._page(request, _done_reports(box, request), request.operation.name)
    return {**paging, "ReportInfo": [_report_info(record) for record in records]}


def _report_list_next(box: Sandbox, request: SandboxRequest) -> dict[str, Any]:
    head, paging = _next_page(box, request)
    return {**paging, "ReportInfo": [_report_info(record) for record in head]}


def _report_count(box: Sandbox, request: SandboxRequest) -> dict[str, Any]:
    return {"Count": len(_done_reports(box, request))}


def _get_report(box: Sandbox, request: SandboxRequest) -> Reply:
    report_id = str(request.values.get("ReportId"))
    for record in box._reports.values():
        if record.extra.get("ReportId") == report_id and record.seller == request.seller_id:
            if not record.content:
                record.content = _generated_report(request, box.seed)
            return box._document(request, record.content)
    raise _invalid("ReportId", report_id, "No report with this ID was found.")


def _acknowledge(box: Sandbox, request: SandboxRequest) -> dict[str, Any]:
    ids = set(_strings(request.values.get("ReportIdList")) or [])
    flag = request.values.get("Acknowledged")
    found = []
    for record in box._reports.values():
        if record.extra.get("ReportId") in ids and record.seller == request.seller_id:
            if flag is not None:
                record.acknowledged = flag == "true"
            found.append(record)
    return {"Count": len(found), "ReportInfo": [_report_info(record) for record in found]}


_WORKFLOWS: dict[tuple[str, str], Workflow] = {
    ("Feeds", "SubmitFeed"): _submit_feed,
    ("Feeds", "GetFeedSubmissionList"): _feed_list,
    ("Feeds", "GetFeedSubmissionListByNextToken"): _feed_list_next,
    ("Feeds", "GetFeedSubmissionCount"): _feed_count,
    ("Feeds", "CancelFeedSubmissions"): _feed_cancel,
    ("Feeds", "GetFeedSubmissionResult"): _feed_result,
    ("Reports", "RequestReport"): _request_report,
    ("Reports", "GetReportRequestList"): _report_request_list,
    ("Reports", "GetReportRequestListByNextToken"): _report_request_list_next,
    ("Reports", "GetReportRequestCount"): _report_request_count,
    ("Reports", "CancelReportRequests"): _report_cancel,
    ("Reports", "GetReportList"): _report_list,
    ("Reports", "GetReportListByNextToken"): _report_list_next,
    ("Reports", "GetReportCount"): _report_count,
    ("Reports", "GetReport"): _get_report,
    ("Reports", "UpdateReportAcknowledgements"): _acknowledge,
}


# ---------------------------------------------------------------- ASGI, for httpx.ASGITransport


class _Collector:
    """A WSGI start_response that keeps the status and headers."""

    def __init__(self) -> None:
        self.status = 500
        self.headers: list[tuple[str, str]] = []

    def __call__(
        self, status: str, headers: list[tuple[str, str]], exc_info: Any = None, /
    ) -> Callable[[bytes], object]:
        self.status = int(status.split(" ", 1)[0])
        self.headers = list(headers)
        return lambda data: None


class ASGIApp:
    """The sandbox as an ASGI application (async in-process use with httpx.ASGITransport).

    Each request runs the WSGI application in a worker thread, so injected latency does not
    block the event loop.
    """

    def __init__(self, app: Sandbox) -> None:
        self.app = app

    async def __call__(
        self,
        scope: MutableMapping[str, Any],
        receive: Callable[[], Awaitable[MutableMapping[str, Any]]],
        send: Callable[[MutableMapping[str, Any]], Awaitable[None]],
    ) -> None:
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    await send({"type": "lifespan.startup.complete"})
                elif message["type"] == "lifespan.shutdown":
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        chunks = []
        while True:
            message = await receive()
            chunks.append(message.get("body", b""))
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        headers = {
            name.decode("latin-1").lower(): value.decode("latin-1")
            for name, value in scope.get("headers", [])
        }
        environ: dict[str, Any] = {
            "REQUEST_METHOD": scope["method"],
            "PATH_INFO": scope["path"],
            "QUERY_STRING": scope.get("query_string", b"").decode("latin-1"),
            "CONTENT_TYPE": headers.get("content-type", ""),
            "CONTENT_LENGTH": str(len(body)),
            "HTTP_HOST": headers.get("host", "localhost"),
            "SERVER_NAME": "localhost",
            "wsgi.input": io.BytesIO(body),
        }
        collector = _Collector()
        result = await asyncio.to_thread(lambda: b"".join(self.app(environ, collector)))
        await send(
            {
                "type": "http.response.start",
                "status": collector.status,
                "headers": [
                    (name.lower().encode("latin-1"), value.encode("latin-1"))
                    for name, value in collector.headers
                ],
            }
        )
        await send({"type": "http.response.body", "body": result})


# ---------------------------------------------------------------- a real server on loopback


class _Handler(WSGIRequestHandler):
    """Quiet unless verbose; can drop its connection with a TCP reset (an injected fault)."""

    server: _Server

    def get_environ(self) -> dict[str, Any]:
        environ = super().get_environ()
        environ[RESET_KEY] = self._reset
        return environ

    def _reset(self) -> None:
        # SO_LINGER with a zero timeout makes close() send RST instead of FIN.
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.server.mark_reset(self.connection)

    def log_message(self, format: str, *args: Any) -> None:
        if self.server.verbose:
            super().log_message(format, *args)


class _Server(ThreadingMixIn, WSGIServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(self, address: tuple[str, int], verbose: bool) -> None:
        self.verbose = verbose
        self._resets: set[int] = set()
        self._resets_lock = threading.Lock()
        super().__init__(address, _Handler)

    def server_bind(self) -> None:
        # HTTPServer.server_bind calls socket.getfqdn, which may wait on DNS: skip it.
        TCPServer.server_bind(self)
        host, port = self.server_address[:2]
        self.server_name = str(host)
        self.server_port = int(port)
        self.setup_environ()

    def mark_reset(self, connection: socket.socket) -> None:
        with self._resets_lock:
            self._resets.add(id(connection))

    def shutdown_request(self, request: Any) -> None:
        with self._resets_lock:
            reset = id(request) in self._resets
            self._resets.discard(id(request))
        if reset:
            request.close()  # no shutdown(SHUT_WR): that would send FIN before the RST
        else:
            super().shutdown_request(request)

    def handle_error(self, request: Any, client_address: Any) -> None:
        if self.verbose:
            super().handle_error(request, client_address)


class SandboxServer:
    """The sandbox on a loopback socket, one thread per connection.

    `start()` serves from a background thread (tests); `serve_forever()` blocks (the command).
    Port 0 picks a free port; `url` is what clients pass as `endpoint`.
    """

    def __init__(
        self, app: Sandbox, host: str = "127.0.0.1", port: int = 0, *, verbose: bool = False
    ) -> None:
        self.app = app
        self._server = _Server((host, port), verbose)
        self._server.set_app(app)
        self._thread: threading.Thread | None = None

    @property
    def host(self) -> str:
        return str(self._server.server_address[0])

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    def start(self) -> SandboxServer:
        thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="mwskit-sandbox",
            daemon=True,
        )
        thread.start()
        self._thread = thread
        return self

    def serve_forever(self) -> None:
        """Serve until Ctrl-C or SIGTERM, then close the socket."""
        previous = None
        if threading.current_thread() is threading.main_thread():
            previous = signal.signal(signal.SIGTERM, _interrupt)
        try:
            self._server.serve_forever(poll_interval=0.2)
        except KeyboardInterrupt:
            pass
        finally:
            if previous is not None:
                signal.signal(signal.SIGTERM, previous)
            self._server.server_close()

    def stop(self) -> None:
        if self._thread is not None:
            self._server.shutdown()
            self._thread.join()
            self._thread = None
        self._server.server_close()

    def __enter__(self) -> SandboxServer:
        return self if self._thread is not None else self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def serve(
    app: Sandbox,
    host: str = "127.0.0.1",
    port: int = 8765,
    *,
    verbose: bool = False,
    out: TextIO | None = None,
) -> None:
    """Serve `app` on host:port until Ctrl-C or SIGTERM, printing the URL first."""
    out = out or sys.stdout
    server = SandboxServer(app, host, port, verbose=verbose)
    actions = len(app.operations())
    print(
        f"mwskit sandbox on {server.url} ({len(app.sections)} sections, {actions} actions); "
        "Ctrl-C to stop",
        file=out,
        flush=True,
    )
    server.serve_forever()
    print("mwskit sandbox stopped", file=out, flush=True)
