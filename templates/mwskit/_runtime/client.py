"""Build, sign and send requests. Building is pure; the sessions differ only in how bytes travel.

A request is built as MWS documents it: parameters form-encoded in a POST body (never the URL),
or, for an operation whose document is the body (SubmitFeed), in the query string with the
body's base64 MD5 among the signed parameters.
"""

from __future__ import annotations

import base64
import hashlib
import platform
from collections.abc import AsyncIterator, Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any, TypeVar, cast
from urllib.parse import urlsplit

import httpx

from .calls import (
    THROTTLE_MODES,
    CallContext,
    Event,
    Failed,
    Received,
    RetryPolicy,
    Sleep,
    ThrottleMode,
    install_log_redaction,
    plan_call,
)
from .descriptors import Operation, R, SectionSpec
from .documents import DocumentSink, Download, FeedBody, feed_content_type
from .errors import ResponseParseError
from .response import header_int
from .throttle import SYSTEM_TIMER, Timer
from .encoding import encode_parameters, format_datetime
from .signing import Signer, percent_encode

R2 = TypeVar("R2")

FORM_CONTENT_TYPE = "application/x-www-form-urlencoded; charset=utf-8"


def _ua_escape(text: str) -> str:
    """User-Agent attribute values escape `\\`, `)` and `;` (docs: DG_UserAgentHeader)."""
    return text.replace("\\", "\\\\").replace(")", "\\)").replace(";", "\\;")


def user_agent(version: str) -> str:
    """`mwskit/<version> (Language=Python/<x.y.z>; Platform=<os>)`."""
    python = _ua_escape(platform.python_version())
    system = _ua_escape(platform.system() or "unknown")
    return f"mwskit/{version} (Language=Python/{python}; Platform={system})"


def _utc_now() -> datetime:
    return datetime.now(timezone.utc)


@dataclass(frozen=True, slots=True)
class PreparedRequest:
    """Everything that goes on the wire for one call."""

    method: str
    url: str = field(repr=False)  # SubmitFeed's query holds the MWSAuthToken
    headers: tuple[tuple[str, str], ...]
    body: bytes | FeedBody = field(repr=False)  # streamed from its file when a FeedBody


@dataclass(frozen=True)
class ClientConfig:
    """Credentials and options of one client. The secret key and auth token are never shown."""

    access_key: str
    secret_key: str = field(repr=False)
    seller_id: str
    auth_token: str | None = field(default=None, repr=False)
    region: str = "NA"
    endpoint: str | None = None
    signature_method: str = "HmacSHA256"
    seller_parameter: str | None = None
    expires_in: timedelta | None = None
    timeout: float = 30.0
    clock: Callable[[], datetime] | None = field(default=None, repr=False)
    version: str = "0"
    region_hosts: Mapping[str, str] = field(default_factory=dict, repr=False)
    retries: RetryPolicy = field(default_factory=RetryPolicy)
    throttle: ThrottleMode = "wait"
    timer: Timer = field(default=SYSTEM_TIMER, repr=False)
    on_event: Callable[[Event], None] | None = field(default=None, repr=False)

    def base_url(self) -> str:
        if self.endpoint is not None:
            return self.endpoint.rstrip("/")
        host = self.region_hosts.get(self.region.upper())
        if host is None:
            raise ValueError(
                f"region must be one of {', '.join(sorted(self.region_hosts))}; got {self.region!r} "
                "(or pass endpoint=...)"
            )
        return f"https://{host}"


class RequestBuilder:
    """Turns (section, operation, argument values) into a signed PreparedRequest. No I/O."""

    def __init__(self, config: ClientConfig) -> None:
        if config.seller_parameter not in (None, "SellerId", "Merchant"):
            raise ValueError(
                f"seller_parameter must be 'SellerId' or 'Merchant'; got {config.seller_parameter!r}"
            )
        if config.expires_in is not None and config.expires_in <= timedelta(0):
            raise ValueError(f"expires_in must be a positive timedelta; got {config.expires_in!r}")
        self._config = config
        self._clock = config.clock or _utc_now
        self.clock_offset = timedelta(0)  # server time minus ours, learnt from responses
        self._signer = Signer(config.secret_key, config.signature_method)
        self._base_url = config.base_url()
        parts = urlsplit(self._base_url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"endpoint must be an http(s) URL; got {config.endpoint!r}")
        if parts.query or parts.fragment or parts.username or parts.password:
            # Not echoed: user info may hold a password.
            raise ValueError("endpoint must be a base URL without query, fragment or user info")
        default_port = 443 if parts.scheme == "https" else 80
        host = parts.hostname.lower()
        if ":" in host:  # an IPv6 literal keeps its brackets in the Host header
            host = f"[{host}]"
        self._host = host if parts.port in (None, default_port) else f"{host}:{parts.port}"
        self._path_prefix = parts.path
        self._headers = (("User-Agent", user_agent(config.version)),)
        self._fixed: dict[tuple[str, str], tuple[str, list[tuple[str, str]]]] = {}

    def _fixed_pairs(
        self, section: SectionSpec, operation: Operation[Any]
    ) -> tuple[str, list[tuple[str, str]]]:
        """The request path and the parameters every call of this operation sends, encoded."""
        key = (section.name, operation.name)
        cached = self._fixed.get(key)
        if cached is None:
            config = self._config
            seller_name = section.seller_parameter
            if config.seller_parameter in section.seller_parameter_alternatives:
                seller_name = config.seller_parameter
            pairs = [
                ("AWSAccessKeyId", config.access_key),
                ("Action", operation.name),
                (seller_name, config.seller_id),
                ("SignatureMethod", config.signature_method),
                ("SignatureVersion", "2"),
                ("Version", section.version),
            ]
            if config.auth_token:
                pairs.append(("MWSAuthToken", config.auth_token))
            encoded = [(percent_encode(name), percent_encode(value)) for name, value in pairs]
            cached = (self._path_prefix + section.path, encoded)
            self._fixed[key] = cached
        return cached

    def local_now(self) -> datetime:
        return self._clock()

    def _time_pair(self) -> tuple[str, str]:
        now = self._clock() + self.clock_offset
        if self._config.expires_in is not None:
            return ("Expires", percent_encode(format_datetime(now + self._config.expires_in)))
        return ("Timestamp", percent_encode(format_datetime(now)))

    def build(
        self,
        section: SectionSpec,
        operation: Operation[Any],
        values: tuple[Any, ...],
        body: bytes | FeedBody | None = None,
        content_type: str | None = None,
    ) -> PreparedRequest:
        pairs = [
            (name, percent_encode(value)) for name, value in encode_parameters(operation, values)
        ]
        path, fixed = self._fixed_pairs(section, operation)
        pairs.extend(fixed)
        pairs.append(self._time_pair())
        if operation.body is not None:
            if body is None:
                raise ValueError(f"{operation.method}(): {operation.body.python_name} is required")
            if isinstance(body, FeedBody):
                md5 = body.md5
            else:
                md5 = base64.b64encode(hashlib.md5(body).digest()).decode("ascii")
            pairs.append((operation.body.md5_parameter, percent_encode(md5)))
        pairs.sort()
        query = "&".join([f"{name}={value}" for name, value in pairs])
        signature = self._signer.sign(f"POST\n{self._host}\n{path}\n{query}")
        signed = f"{query}&Signature={percent_encode(signature)}"
        url = self._base_url + section.path
        if operation.body is not None:
            assert body is not None
            if isinstance(body, FeedBody):
                content_type = content_type or feed_content_type(body.head, None)
                if body.data is None:  # streamed from its file: say its length up front
                    headers: tuple[tuple[str, str], ...] = (
                        *self._headers,
                        ("Content-Type", content_type),
                        ("Content-Length", str(body.size)),
                    )
                    return PreparedRequest("POST", f"{url}?{signed}", headers, body)
                body = body.data
            headers = (
                *self._headers,
                ("Content-Type", content_type or feed_content_type(body[:64], None)),
            )
            return PreparedRequest("POST", f"{url}?{signed}", headers, body)
        headers = (*self._headers, ("Content-Type", FORM_CONTENT_TYPE))
        return PreparedRequest("POST", url, headers, signed.encode("ascii"))


def _undecodable(operation: Operation[Any], error: httpx.DecodingError) -> ResponseParseError:
    return ResponseParseError(
        f"{operation.name}: the response body could not be decoded "
        f"({type(error).__name__}: {error})"
    )


def _to_httpx(request: PreparedRequest, *, asynchronous: bool) -> httpx.Request:
    body = request.body
    content: Any = body
    if isinstance(body, FeedBody):
        content = body.achunks() if asynchronous else body.chunks()
    return httpx.Request(
        request.method, request.url, headers=list(request.headers), content=content
    )


# Transport errors raised before any byte of the request left: always safe to send again.
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout, httpx.UnsupportedProtocol)


def _failed(error: httpx.TransportError) -> Failed:
    return Failed(error, maybe_sent=not isinstance(error, _NOT_SENT))


# The largest XML answer read into memory (documents stream to their destination instead).
# MWS pages are at most a few MB; a hostile or broken server must not exhaust memory.
MAX_RESPONSE_BYTES = 64 * 1024 * 1024


class _CappedBody:
    """Collects a response body, refusing it once it passes MAX_RESPONSE_BYTES."""

    def __init__(self, operation: Operation[Any], response: httpx.Response) -> None:
        self._operation = operation
        self._parts: list[bytes] = []
        self._size = 0
        if (header_int(response.headers.get("content-length")) or 0) > MAX_RESPONSE_BYTES:
            raise self._refusal()

    def _refusal(self) -> ResponseParseError:
        return ResponseParseError(
            f"{self._operation.name}: the response body exceeds {MAX_RESPONSE_BYTES} bytes; refused"
        )

    def add(self, chunk: bytes) -> None:
        self._size += len(chunk)
        if self._size > MAX_RESPONSE_BYTES:
            raise self._refusal()
        self._parts.append(chunk)

    def body(self) -> bytes:
        return b"".join(self._parts)


class _IntoSink:
    """Passes a successful document's chunks to its download sink; keeps no body."""

    def __init__(self, sink: DocumentSink) -> None:
        self._sink = sink

    def add(self, chunk: bytes) -> None:
        self._sink.write(chunk)

    def body(self) -> bytes:
        return b""


def _destination(
    operation: Operation[Any], response: httpx.Response, sink: DocumentSink | None
) -> _CappedBody | _IntoSink:
    """Where a response's bytes go: the download sink for a 2xx document, else memory."""
    if sink is not None and 200 <= response.status_code < 300:
        return _IntoSink(sink)
    return _CappedBody(operation, response)


def _received(response: httpx.Response, body: bytes) -> Received:
    headers = {name.lower(): value for name, value in response.headers.items()}
    return Received(response.status_code, headers, body)


def _feed(
    operation: Operation[Any], body: Any, content_type: str | None, charset: str | None
) -> tuple[FeedBody | None, str | None]:
    """The request document as a FeedBody (MD5 read once, in chunks) and its Content-Type."""
    if operation.body is None or body is None:
        return None, content_type
    feed = body if isinstance(body, FeedBody) else FeedBody(body)
    return feed, content_type or feed_content_type(feed.head, charset)


class _Session:
    """What both sessions share: configuration, request building and the call context."""

    def __init__(self, config: ClientConfig) -> None:
        if config.throttle not in THROTTLE_MODES:
            raise ValueError(
                f"throttle must be one of {', '.join(map(repr, THROTTLE_MODES))}; "
                f"got {config.throttle!r}"
            )
        install_log_redaction()
        self.config = config
        self.builder = RequestBuilder(config)
        self.context = CallContext(
            builder=self.builder,
            seller_id=config.seller_id,
            retries=config.retries,
            throttle=config.throttle,
            timer=config.timer,
            on_event=config.on_event,
        )


class SyncSession(_Session):
    """Carries out calls with one pooled httpx.Client."""

    def __init__(self, config: ClientConfig, transport: httpx.BaseTransport | None = None) -> None:
        super().__init__(config)
        self._http = httpx.Client(transport=transport, timeout=config.timeout)

    def call(
        self,
        section: SectionSpec,
        operation: Operation[R],
        values: tuple[Any, ...],
        body: Any = None,
        content_type: str | None = None,
        *,
        download: Download | None = None,
        charset: str | None = None,
    ) -> R:
        """One call. `body`: bytes, a path or a binary file (operations with a document body);
        `charset`: the flat-file charset for its default Content-Type; `download`: where a
        document answer is streamed, and the encoding to report when none is declared."""
        body, content_type = _feed(operation, body, content_type, charset)
        plan = plan_call(self.context, section, operation, values, body, content_type, download)
        outcome: Received | Failed | None = None
        try:
            while True:
                step = plan.send(outcome)
                if isinstance(step, Sleep):
                    self.config.timer.sleep(step.seconds)
                    outcome = None
                    continue
                try:
                    outcome = self._receive(operation, step.request, step.sink)
                except httpx.TransportError as error:
                    outcome = _failed(error)
                except httpx.DecodingError as error:
                    raise _undecodable(operation, error) from None
        except StopIteration as done:
            return cast(R, done.value)
        finally:
            plan.close()  # a call abandoned midway still closes its download file

    def _receive(
        self, operation: Operation[Any], request: PreparedRequest, sink: DocumentSink | None
    ) -> Received:
        """Send; stream a successful document into `sink`, read anything else (capped)."""
        response = self._http.send(_to_httpx(request, asynchronous=False), stream=True)
        try:
            into = _destination(operation, response, sink)
            for chunk in response.iter_bytes():
                into.add(chunk)
            return _received(response, into.body())
        finally:
            response.close()

    def paginate(
        self,
        section: SectionSpec,
        first: Operation[R],
        values: tuple[Any, ...],
        following: Operation[R2],
    ) -> Iterator[R | R2]:
        """The first page, then each next page while the last one has a NextToken."""
        page: Any = self.call(section, first, values)
        yield page
        while (token := next_token_of(page)) is not None:
            page = self.call(section, following, token_values(following, token))
            yield page

    def close(self) -> None:
        self._http.close()


class AsyncSession(_Session):
    """Carries out calls with one pooled httpx.AsyncClient."""

    def __init__(
        self, config: ClientConfig, transport: httpx.AsyncBaseTransport | None = None
    ) -> None:
        super().__init__(config)
        self._http = httpx.AsyncClient(transport=transport, timeout=config.timeout)

    async def call(
        self,
        section: SectionSpec,
        operation: Operation[R],
        values: tuple[Any, ...],
        body: Any = None,
        content_type: str | None = None,
        *,
        download: Download | None = None,
        charset: str | None = None,
    ) -> R:
        """One call; the arguments are those of SyncSession.call."""
        body, content_type = _feed(operation, body, content_type, charset)
        plan = plan_call(self.context, section, operation, values, body, content_type, download)
        outcome: Received | Failed | None = None
        try:
            while True:
                step = plan.send(outcome)
                if isinstance(step, Sleep):
                    await self.config.timer.async_sleep(step.seconds)
                    outcome = None
                    continue
                try:
                    outcome = await self._receive(operation, step.request, step.sink)
                except httpx.TransportError as error:
                    outcome = _failed(error)
                except httpx.DecodingError as error:
                    raise _undecodable(operation, error) from None
        except StopIteration as done:
            return cast(R, done.value)
        finally:
            plan.close()  # a call abandoned midway still closes its download file

    async def _receive(
        self, operation: Operation[Any], request: PreparedRequest, sink: DocumentSink | None
    ) -> Received:
        """Send; stream a successful document into `sink`, read anything else (capped)."""
        response = await self._http.send(_to_httpx(request, asynchronous=True), stream=True)
        try:
            into = _destination(operation, response, sink)
            async for chunk in response.aiter_bytes():
                into.add(chunk)
            return _received(response, into.body())
        finally:
            await response.aclose()

    async def paginate(
        self,
        section: SectionSpec,
        first: Operation[R],
        values: tuple[Any, ...],
        following: Operation[R2],
    ) -> AsyncIterator[R | R2]:
        """The first page, then each next page while the last one has a NextToken."""
        page: Any = await self.call(section, first, values)
        yield page
        while (token := next_token_of(page)) is not None:
            page = await self.call(section, following, token_values(following, token))
            yield page

    async def aclose(self) -> None:
        await self._http.aclose()


def next_token_of(page: Any) -> str | None:
    """The token for the next page, or None when this page is the last."""
    if getattr(page, "has_next", None) is False:
        return None
    token = getattr(page, "next_token", None)
    return token.strip() or None if isinstance(token, str) else None


def token_values(operation: Operation[Any], token: str) -> tuple[Any, ...]:
    """Arguments of a ...ByNextToken call: the token, everything else unset."""
    return tuple(token if param.name == "NextToken" else None for param in operation.params)
