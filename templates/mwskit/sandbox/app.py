"""A local MWS: a WSGI application that checks and answers requests as MWS did.

It is driven by the same descriptors as the clients, so it serves every section and action it
is given (`mwskit.sandbox.Sandbox`: every one of the specs). Each request is checked
(`checks`), throttled per seller and bucket with the spec's quotas (`state`), perhaps given an
injected fault (`faults`), and answered by a fixture, a Feeds or Reports workflow
(`workflows`), or XML built from the response shape (`answers`), seeded; the sandbox counts
what it received.

Use it in process (`httpx.WSGITransport(app=sandbox)`, or `ASGIApp(sandbox)` with
`httpx.ASGITransport`) or over a socket (`mwskit.sandbox.server`).
"""

from __future__ import annotations

import asyncio
import io
import random
import re
import threading
import time
import uuid
from collections.abc import Awaitable, Callable, Iterable, Mapping, MutableMapping, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from http import HTTPStatus
from typing import TYPE_CHECKING, Any

import httpx

from .._runtime.descriptors import Operation, SectionSpec
from . import amazon_pay, checks, workflows
from .answers import (
    DEFAULT_NAMESPACE,
    XML_HEADERS,
    Refusal,
    Reply,
    document_reply,
    format_time,
    internal_error,
    missing,
    refusal_reply,
    xml_reply,
)
from .checks import SandboxRequest
from .faults import LOST, MALFORMED, RESET, FaultConfig, FaultDraws, spoil
from .ipn_delivery import IPNDelivery
from .payment_objects import details_shapes
from .payments import Payments
from .state import Counts, Quotas, QuotaState, Records, SandboxStats, StateLimits, bump

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIEnvironment

SectionOperations = tuple[SectionSpec, Sequence[Operation[Any]]]
Fixture = str | bytes | Reply | Callable[[SandboxRequest], str | bytes | Reply]
RESET_KEY = "mwskit.sandbox.reset"  # the WSGI environ key of the server's connection reset
Route = tuple[SectionSpec, Operation[Any]]


def _utc_now() -> datetime:
    return datetime.now(UTC)


class SandboxApp:
    """The WSGI application over the sections it is given. Thread-safe: state lives behind one
    lock.

    `sections`: (SectionSpec, operations) pairs; `credentials`: {access key: secret key};
    `seed`: fixes every generated value, ID and fault; `strict`: refuse unknown parameters;
    `throttling`: enforce the spec's quotas; `faults`: what to inject; `clock`: the server time;
    `limits`: how many NextTokens, submissions and quotas it keeps (`StateLimits`); `ipn_url`:
    where Amazon Pay's signed IPNs are POSTed (`self.ipn`, an `IPNDelivery`; None: not sent).
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
        limits: StateLimits | None = None,
        ipn_url: str | None = None,
    ) -> None:
        self.limits = limits or StateLimits()
        self.credentials = dict(credentials or {})
        self.seed = seed
        self.strict = strict
        self.throttling = throttling
        self.clock = clock or _utc_now
        self._routes: dict[str, dict[str, Route]] = {}
        parents: dict[tuple[str, str], str] = {}
        for section, operations in sections:
            for path in _paths(section):
                actions = self._routes.setdefault(path, {})
                for operation in operations:
                    if operation.name in actions:
                        raise ValueError(f"{path}: action {operation.name} is served twice")
                    actions[operation.name] = (section, operation)
            for operation in operations:
                if operation.next_token_action is not None:
                    parents[(section.name, operation.next_token_action)] = operation.name
        self._lock = threading.Lock()
        self._ids = random.Random(f"ids/{seed}")
        self._faults = FaultDraws(faults or FaultConfig(), seed)
        self._counts = Counts()
        self._quotas = Quotas(self.limits.quotas)
        self._fixtures: dict[str, Fixture] = {}
        records = Records(seed, self.limits)
        payments = Payments(
            seed,
            self.limits.payments,
            lambda: self.clock(),
            details_shapes(
                operation
                for section, operations in sections
                if section.name == amazon_pay.SECTION
                for operation in operations
            ),
        )
        self._context = workflows.Context(records, parents, seed, lambda: self.clock(), payments)
        self.ipn = (
            None if ipn_url is None else IPNDelivery(ipn_url, lambda: self.clock(), seed=seed)
        )

    # ------------------------------------------------------------ public helpers

    @property
    def faults(self) -> FaultConfig:
        return self._faults.config

    @faults.setter
    def faults(self, config: FaultConfig) -> None:
        self._faults.config = config

    @property
    def sections(self) -> list[SectionSpec]:
        found = {
            section.name: section
            for routes in self._routes.values()
            for section, _ in routes.values()
        }
        return [found[name] for name in sorted(found)]

    def operations(self) -> list[tuple[SectionSpec, Operation[Any]]]:
        """Every (section, operation) served (once, on however many paths), sorted by section
        name and action."""
        pairs = {
            (section.name, operation.name): (section, operation)
            for routes in self._routes.values()
            for section, operation in routes.values()
        }
        return [pairs[key] for key in sorted(pairs)]

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
            return self._counts.snapshot()

    def reset_stats(self) -> None:
        with self._lock:
            self._counts = Counts()

    def reset_throttling(self) -> None:
        """Refill every bucket and hourly quota."""
        with self._lock:
            self._quotas.clear()

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
        exchange = _Exchange(request_id)
        try:
            reply = self._respond(exchange, method, host, path, query, content_type, body)
        except Refusal as refusal:
            reply = self._refused(refusal, exchange)
        except Exception:  # a bug must not take the server down: answer as MWS would
            reply = self._refused(internal_error(), exchange)
        headers = [("x-mws-request-id", request_id), ("x-mws-timestamp", format_time(self.clock()))]
        quota = exchange.quota
        if quota is not None and quota.hourly is not None:
            headers += checks.quota_headers(quota)
        action = exchange.action
        with self._lock:
            bump(self._counts.by_action, action)
            bump(self._counts.by_status, 0 if reply.reset else reply.status)
            notifications = self._context.payments.take_notifications()
        if self.ipn is not None and notifications:
            self.ipn.deliver(notifications)
        delay = self.faults.latency if self.faults.apply_to(action) else 0.0
        return replace(reply, headers=(*reply.headers, *headers), delay=reply.delay + delay)

    def _refused(self, refusal: Refusal, exchange: _Exchange) -> Reply:
        with self._lock:
            bump(self._counts.by_code, refusal.code)
        return refusal_reply(refusal, exchange.namespace, exchange.request_id)

    def _respond(
        self,
        exchange: _Exchange,
        method: str,
        host: str,
        path: str,
        query: str,
        content_type: str,
        body: bytes,
    ) -> Reply:
        """The checks in MWS's order, then the answer; raises the first Refusal."""
        served = path.rstrip("/") or "/"
        routes = self._routes.get(served)
        if routes is None:
            raise Refusal(404, "InvalidAddress", f"The path {path} is not a valid MWS path.")
        exchange.namespace = next(iter(routes.values()))[0].namespace
        params, document = _parameters(routes, query, content_type, body)
        checks.authenticate(self.credentials, method, host, path, params, self.clock)
        exchange.action = action = params.get("Action") or ""
        if not action:
            raise missing("Action")
        route = routes.get(action)
        if route is None:
            raise Refusal(
                404, "InvalidAddress", f"The action {action} is not valid for the path {path}."
            )
        section, operation = route
        exchange.namespace = section.namespace
        checks.check_version(section, params)
        seller = checks.seller_of(section, params)
        sandbox_path = served != _paths(section)[0]
        if self.throttling:
            exchange.quota = self._throttle(seller, section, operation, sandbox_path)
        values = checks.read_parameters(section, operation, params, document, strict=self.strict)
        request = SandboxRequest(
            section, operation, seller, params, values, document, exchange.request_id, sandbox_path
        )
        fault = self._fault(operation)
        reply = Reply(reset=True) if fault == RESET else self._answer(request)
        if fault == LOST:
            return Reply(reset=True)  # the action ran; only its answer is lost
        return spoil(reply) if fault == MALFORMED and reply.status == 200 else reply

    def _throttle(
        self, seller: str, section: SectionSpec, operation: Operation[Any], sandbox_path: bool
    ) -> QuotaState:
        """Spend one request of the seller's quota: on a sandbox path from the action's
        sandbox bucket (Amazon Pay's are smaller), counted apart from production."""
        now = self.clock().timestamp()
        spec, account = operation.throttling, section.name
        if sandbox_path and spec.sandbox is not None:
            spec, account = spec.sandbox, f"{section.name} (sandbox)"
        with self._lock:
            state = self._quotas.take(seller, account, spec, now)
        checks.check_quota(state, section, operation, now)
        return state

    def _fault(self, operation: Operation[Any]) -> str | None:
        with self._lock:
            found = self._faults.draw(operation.name)
            if found is not None:
                bump(self._counts.by_code, found)
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
            return Reply(200, data, XML_HEADERS)
        with self._lock:
            answered = workflows.run(self._context, request)
            if isinstance(answered, Reply):
                return answered
            if answered is None:
                answered = self._context.stateless_paging(request)
        if operation.document:
            return document_reply(workflows.generated_report(request, self.seed))
        return xml_reply(request.section, operation, request.request_id, self.seed, answered)


class _Exchange:
    """What one request has shown so far, for its answer: the namespace, action and quota."""

    __slots__ = ("action", "namespace", "quota", "request_id")

    def __init__(self, request_id: str) -> None:
        self.request_id = request_id
        self.namespace = DEFAULT_NAMESPACE
        self.action = "-"
        self.quota: QuotaState | None = None


def _paths(section: SectionSpec) -> tuple[str, ...]:
    """Where `section` is served: its path, then its sandbox path when it has one."""
    paths = [section.path, *([section.sandbox_path] if section.sandbox_path else [])]
    return tuple(path.rstrip("/") or "/" for path in paths)


def _parameters(
    routes: Mapping[str, Route], query: str, content_type: str, body: bytes
) -> tuple[dict[str, str], bytes]:
    """The request's parameters (query, then a form body; the first of a name counts) and the
    document its body carries instead when the action sends one (SubmitFeed)."""
    pairs = checks.parse_pairs(query)
    query_action = next((value for name, value in pairs if name == "Action"), None)
    route = routes.get(query_action or "")
    document = b""
    if route is not None and route[1].body is not None:
        document = body
    elif content_type.lower().startswith("application/x-www-form-urlencoded"):
        pairs += checks.parse_pairs(body.decode("utf-8", "replace"))
    params: dict[str, str] = {}
    for name, value in pairs:
        params.setdefault(name, value)
    return params, document


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

    def __init__(self, app: SandboxApp) -> None:
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
        environ = _environ(scope, b"".join(chunks))
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


def _environ(scope: Mapping[str, Any], body: bytes) -> dict[str, Any]:
    """The WSGI environ of an ASGI HTTP request."""
    headers = {
        name.decode("latin-1").lower(): value.decode("latin-1")
        for name, value in scope.get("headers", [])
    }
    return {
        "REQUEST_METHOD": scope["method"],
        "PATH_INFO": scope["path"],
        "QUERY_STRING": scope.get("query_string", b"").decode("latin-1"),
        "CONTENT_TYPE": headers.get("content-type", ""),
        "CONTENT_LENGTH": str(len(body)),
        "HTTP_HOST": headers.get("host", "localhost"),
        "SERVER_NAME": "localhost",
        "wsgi.input": io.BytesIO(body),
    }
