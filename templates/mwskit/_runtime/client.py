"""Sessions: carry out the call engine's steps over httpx, with one connection pool each.

Everything protocol-shaped (building, signing, throttling, retries, parsing) is below this
module and shared; `SyncSession` and `AsyncSession` differ only in how bytes travel. Layers,
from the bottom: request.py builds and signs, calls.py plans a call, this module sends.
"""

from __future__ import annotations

import contextvars
import dataclasses
import logging
import math
import re
import ssl
import time
import zlib
from collections.abc import AsyncIterator, Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast
from urllib.parse import parse_qsl, urlsplit

import anyio
import httpcore
import httpx

from . import batches, planner
from .calls import CallContext, Failed, Outcome, Received, Send, Sleep, plan_call
from .descriptors import Operation, R, SectionSpec
from .documents import DocumentSink, Download, FeedBody, FeedSource, feed_content_type
from .errors import (
    ConnectionFailed,
    MWSError,
    ProtocolError,
    RequestTimeout,
    ResponseParseError,
    TransportError,
)
from .policy import THROTTLE_MODES
from .request import ClientConfig, PreparedRequest, RequestBuilder
from .response import header_int, lower_headers
from .signing import percent_encode
from .throttle import BUCKETS, Peek, ThrottleStore
from .tls import shared_ssl_context
from .xml import exceeds_node_limit

if TYPE_CHECKING:
    from .redis_store import RedisThrottleStore

__all__ = ["AsyncSession", "ClientConfig", "PreparedRequest", "RequestBuilder", "SyncSession"]

R2 = TypeVar("R2")


class RedactSecrets(logging.Filter):
    """Masks MWSAuthToken and Signature values in log records.

    httpx logs each request URL at INFO; SubmitFeed's URL carries its signed parameters
    (MWS wants them in the query there), so mwskit installs this filter on the httpx logger.
    """

    _PATTERN = re.compile(r"(MWSAuthToken|Signature)=[^&\s\"']+")

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = self._PATTERN.sub(r"\1=[redacted]", message)
        if redacted != message:
            record.msg, record.args = redacted, ()
        return True


def install_log_redaction() -> None:
    """Add RedactSecrets to the httpx logger once."""
    httpx_logger = logging.getLogger("httpx")
    if not any(isinstance(item, RedactSecrets) for item in httpx_logger.filters):
        httpx_logger.addFilter(RedactSecrets())


# --- Limits on what one answer may take -------------------------------------------------------

# The largest XML answer read into memory (documents stream to their destination instead),
# counted after any Content-Encoding is decoded. MWS pages are at most a few MB; a hostile or
# broken server must not exhaust memory.
MAX_RESPONSE_BYTES = 64 * 1024 * 1024
# A compressed body may expand this much before it is taken for a decompression bomb, once it
# has passed EXPANSION_FLOOR decoded bytes (below that, anything goes: the caps bound it). Text
# reports compress 5 to 20-fold; deflate cannot expand more than about 1,030-fold.
MAX_EXPANSION = 200
EXPANSION_FLOOR = 64 * 1024 * 1024
# Decoded bytes are produced at most this many at a time, however much a chunk expands.
_PIECE = 256 * 1024
# The encodings mwskit asks for (httpx would add br and zstd when their packages are there,
# which mwskit does not decode).
ACCEPT_ENCODING = "gzip, deflate"


class _Inflater:
    """Undoes one gzip or deflate encoding in pieces of at most _PIECE bytes.

    httpx's own decoders return all a chunk expands to at once (a 1 MB chunk of zeros gives
    1 GB); this one never holds more than one piece. Raises zlib.error for a broken stream,
    and at `finish` for one that ends before its compressed stream does.
    """

    __slots__ = ("_between", "_decompressor", "_done", "_fed", "_gzip", "_raw_tried")

    def __init__(self, name: str) -> None:
        self._gzip = name != "deflate"
        self._decompressor = self._new()
        self._between = b""  # gzip: bytes after a member, waiting to show whether another follows
        self._done = False
        self._fed = False
        self._raw_tried = False

    def _new(self, raw_deflate: bool = False) -> Any:
        if self._gzip:
            return zlib.decompressobj(zlib.MAX_WBITS | 16)
        return zlib.decompressobj(-zlib.MAX_WBITS if raw_deflate else zlib.MAX_WBITS)

    def decode(self, data: bytes) -> Iterator[bytes]:
        if self._done or not data:
            return
        if self._decompressor is None:  # gzip, between members
            data = self._between + data
            if len(data) < 2:
                self._between = data
                return
            if data[:2] != b"\x1f\x8b":  # trailing bytes, not a member: ignored, as httpx does
                self._done = True
                return
            self._between = b""
            self._decompressor = self._new()
        if not self._fed and not self._gzip:
            self._fed = True
            try:
                first = self._decompressor.decompress(data, _PIECE)
            except zlib.error:
                # Deflate is zlib-wrapped by the RFC, but some servers send it raw.
                self._raw_tried = True
                self._decompressor = self._new(raw_deflate=True)
                first = self._decompressor.decompress(data, _PIECE)
            yield from self._drain(first)
            return
        self._fed = True
        yield from self._drain(self._decompressor.decompress(data, _PIECE))

    def _drain(self, out: bytes) -> Iterator[bytes]:
        decompressor = self._decompressor
        while True:
            if out:
                yield out
            if decompressor.eof:
                rest = decompressor.unused_data
                if not self._gzip:
                    self._done = True
                    return
                self._decompressor = None  # another member may follow
                if rest:
                    yield from self.decode(rest)
                return
            if not decompressor.unconsumed_tail and len(out) < _PIECE:
                return
            out = decompressor.decompress(decompressor.unconsumed_tail, _PIECE)

    def finish(self) -> Iterator[bytes]:
        if self._fed and self._decompressor is not None and not self._done:
            raise zlib.error("the body ends before its compressed stream does")
        return iter(())


class _Decoder:
    """Undoes a Content-Encoding list (`gzip`, `deflate`, `gzip, deflate`, `identity`)."""

    def __init__(self, names: list[str]) -> None:
        self.names = names
        # Encodings are listed in the order they were applied: the last is undone first.
        self._stages = [_Inflater(name) for name in reversed(names)]

    def decode(self, data: bytes) -> Iterator[bytes]:
        return self._through(0, data)

    def _through(self, index: int, data: bytes) -> Iterator[bytes]:
        if index == len(self._stages):
            if data:
                yield data
            return
        for piece in self._stages[index].decode(data):
            yield from self._through(index + 1, piece)

    def finish(self) -> Iterator[bytes]:
        for index, stage in enumerate(self._stages):
            for piece in stage.finish():
                yield from self._through(index + 1, piece)


def _content_encodings(header: str | None) -> list[str]:
    names = [part.strip().lower() for part in (header or "").split(",")]
    return [name for name in names if name and name != "identity"]


class _Reading:
    """One answer's bytes on their way in: decoded in bounded pieces, held to the limits (bytes
    in memory, document size, expansion, element count, the attempt's deadline), and kept in
    memory or streamed to the document sink of a 2xx download."""

    def __init__(
        self,
        config: ClientConfig,
        operation: Operation[Any],
        response: httpx.Response,
        sink: DocumentSink | None,
        deadline: float | None,
        *,
        decoded: bool,
    ) -> None:
        self._config = config
        self._operation = operation
        self._status = response.status_code
        self._headers = lower_headers(response.headers)
        ok = 200 <= self._status < 300
        # A document's body is bounded per read only; everything else by the attempt deadline.
        self.is_document = operation.document and ok
        self.deadline = None if self.is_document else deadline
        self._sink = sink if ok else None
        self._parts: list[bytes] = []
        self._size = 0
        self._raw = 0
        encodings = [] if decoded else _content_encodings(self._headers.get("content-encoding"))
        unknown = [name for name in encodings if name not in ("gzip", "x-gzip", "deflate")]
        if unknown:
            raise self._error(
                f"the response body is encoded as {unknown[0]!r}, which mwskit did not ask "
                f"for (it accepts {ACCEPT_ENCODING})"
            )
        self._decoder = _Decoder(encodings) if encodings else None
        # A download is held to max_document_bytes; a document read into memory to the smaller
        # of that and the in-memory cap; anything else to the in-memory cap.
        self._limit, self._limit_name = MAX_RESPONSE_BYTES, ""
        if self._sink is not None or (
            self.is_document and config.max_document_bytes < MAX_RESPONSE_BYTES
        ):
            self._limit = config.max_document_bytes
            self._limit_name = "max_document_bytes"
        declared = header_int(self._headers.get("content-length")) or 0
        if declared > self._limit:
            raise self._too_big()

    def _error(self, text: str) -> ResponseParseError:
        return ResponseParseError(f"{self._operation.name}: {text}")

    def _too_big(self) -> ResponseParseError:
        if self._limit_name:
            return self._error(
                f"the document exceeds {self._limit_name}={self._limit} bytes; refused"
            )
        return self._error(f"the response body exceeds {self._limit} bytes; refused")

    def add(self, raw: bytes) -> None:
        self._raw += len(raw)
        if self._decoder is None:
            self._take(raw)
        else:
            try:
                for piece in self._decoder.decode(raw):
                    self._take(piece)
            except zlib.error as error:
                raise self._undecodable(error) from None
        if self.deadline is not None and time.monotonic() > self.deadline:
            raise late_error(self._operation, self._config)

    def _undecodable(self, error: zlib.error) -> ResponseParseError:
        encoding = ", ".join(self._decoder.names) if self._decoder is not None else "identity"
        return self._error(
            f"the response body could not be decoded (DecodingError: Content-Encoding "
            f"{encoding}: {error})"
        )

    def _take(self, piece: bytes) -> None:
        self._size += len(piece)
        if self._size > self._limit:
            raise self._too_big()
        if (
            self._decoder is not None
            and self._size > EXPANSION_FLOOR
            and self._size > MAX_EXPANSION * self._raw
        ):
            raise self._error(
                f"the response body expands more than {MAX_EXPANSION}-fold when decoded "
                f"(Content-Encoding {', '.join(self._decoder.names)}): refused as a "
                f"compression bomb"
            )
        if self._sink is not None:
            self._sink.write(piece)
        else:
            self._parts.append(piece)

    def finish(self) -> Received:
        if self._decoder is not None:
            try:
                for piece in self._decoder.finish():
                    self._take(piece)
            except zlib.error as error:
                raise self._undecodable(error) from None
        body = b"".join(self._parts)
        self._parts = []
        # The XML that will be parsed: everything kept in memory, except a document's body
        # (parsed only when it is an ErrorResponse in disguise).
        parsed = not self.is_document or b"<ErrorResponse" in body[:512]
        limit = self._config.max_elements
        if body and parsed and exceeds_node_limit(body, limit):
            raise self._error(
                f"the response holds more than {limit} XML elements, attributes and comments "
                f"(max_elements={limit}); refused unparsed"
            )
        return Received(self._status, self._headers, body)


def _already_read(response: httpx.Response) -> bytes | None:
    """The body of a response a transport built from bytes (httpx read and decoded it then)."""
    try:
        return response.content
    except httpx.ResponseNotRead:
        return None


# --- Transport failures as mwskit errors, without the signed request ------------------------

# Transport errors raised before any byte of the request left: always safe to send again.
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout, httpx.UnsupportedProtocol)
_SIGNED = re.compile(r"(MWSAuthToken|Signature)=[^&\s\"'\\]+")
_SIGNED_NAMES = ("MWSAuthToken", "Signature")
_LONGEST_CAUSE = 300


def late_error(operation: Operation[Any], config: ClientConfig) -> RequestTimeout:
    """The error of an attempt that ran past `attempt_timeout`."""
    return RequestTimeout(
        f"{operation.name}: no complete answer within attempt_timeout="
        f"{config.attempt_timeout:g} s; the attempt was abandoned",
        maybe_sent=True,
    )


def _secret_values(config: ClientConfig, request: PreparedRequest) -> list[str]:
    """The secret key, the auth token and the request's signature, decoded and as sent."""
    found = [config.secret_key, config.auth_token or ""]
    body = request.body if isinstance(request.body, bytes) else b""
    for text in (urlsplit(request.url).query, body.decode("ascii", "replace")):
        found += [value for key, value in parse_qsl(text) if key in _SIGNED_NAMES]
    found += [percent_encode(value) for value in found]
    return sorted({value for value in found if len(value) >= 4}, key=len, reverse=True)


def _scrub(text: str, secrets: list[str]) -> str:
    for value in secrets:
        text = text.replace(value, "[redacted]")
    text = _SIGNED.sub(r"\1=[redacted]", text)
    return text if len(text) <= _LONGEST_CAUSE else text[:_LONGEST_CAUSE] + "..."


def _stripped(error: httpx.RequestError, message: str) -> httpx.RequestError:
    """An exception of the same kind with only the scrubbed message: no request (URL, body,
    signature), no traceback (whose frames hold them), no chain."""
    try:
        copy = type(error)(message)
    except Exception:  # a subclass with another signature
        copy = httpx.TransportError(message)
    return copy


_WHAT: tuple[tuple[type[httpx.RequestError], type[TransportError], str], ...] = (
    (httpx.ConnectTimeout, RequestTimeout, "connecting to MWS timed out"),
    (httpx.ReadTimeout, RequestTimeout, "reading the answer timed out"),
    (httpx.WriteTimeout, RequestTimeout, "sending the request timed out"),
    (httpx.PoolTimeout, RequestTimeout, "no connection of the pool was free in time"),
    (httpx.TimeoutException, RequestTimeout, "timed out"),
    (httpx.ConnectError, ConnectionFailed, "could not connect to MWS"),
    (httpx.NetworkError, ConnectionFailed, "the connection failed"),
    (httpx.ProtocolError, ProtocolError, "the server broke the HTTP protocol"),
    (httpx.RequestError, TransportError, "the request could not be carried out"),
)


def transport_failure(
    config: ClientConfig,
    operation: Operation[Any],
    request: PreparedRequest,
    error: httpx.RequestError,
    late: bool,
) -> Failed:
    """The engine's view of a transport failure: a typed TransportError whose cause is the
    httpx exception stripped of its request, and whether the request may have been sent."""
    if isinstance(error, httpx.DecodingError):  # a transport that decoded the body itself
        text = _scrub(str(error), _secret_values(config, request))
        refused = ResponseParseError(
            f"{operation.name}: the response body could not be decoded (DecodingError: {text})"
        )
        return Failed(refused, maybe_sent=True)
    maybe_sent = not isinstance(error, _NOT_SENT)
    cls, what = next((c, w) for kind, c, w in _WHAT if isinstance(error, kind))
    text = _scrub(str(error), _secret_values(config, request))
    if late and cls is RequestTimeout:
        wrapped: TransportError = late_error(operation, config)
        wrapped.maybe_sent = maybe_sent
    else:
        detail = f"{type(error).__name__}: {text}" if text else type(error).__name__
        wrapped = cls(f"{operation.name}: {what} ({detail})", maybe_sent=maybe_sent)
    wrapped.__cause__ = _stripped(error, text)
    wrapped.__suppress_context__ = True
    return Failed(wrapped, maybe_sent=maybe_sent)


def _refused(error: MWSError) -> Failed:
    """An answer refused by a limit, undecodable, or late: the request was sent, and may have
    been acted on, so the engine decides as after a failure that may follow a send."""
    return Failed(error.with_traceback(None), maybe_sent=True)


# --- The attempt deadline in the synchronous client -----------------------------------------

# The monotonic time the current attempt of this thread (or task) must end by, if any.
_DEADLINE: contextvars.ContextVar[float | None] = contextvars.ContextVar(
    "mwskit_deadline", default=None
)


# A socket wait shortened to the deadline may end a hair before it on a coarse clock.
_SLACK = 0.01


def _left(timeout: float | None, late: type[Exception]) -> float | None:
    """A socket wait's timeout, shortened to what is left of the attempt's deadline."""
    deadline = _DEADLINE.get()
    if deadline is None:
        return timeout
    left = deadline - time.monotonic()
    if left <= 0:
        raise late("the attempt's deadline (attempt_timeout) passed")
    return left if timeout is None else min(timeout, left)


class _DeadlineStream(httpcore.NetworkStream):
    """A connection whose every read, write and TLS handshake ends by the attempt's deadline,
    so a server dripping its answer (or its headers) a byte at a time cannot hold a call."""

    def __init__(self, stream: httpcore.NetworkStream) -> None:
        self._stream = stream

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._stream.read(max_bytes, _left(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._stream.write(buffer, _left(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._stream.close()

    def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.NetworkStream:
        stream = self._stream.start_tls(
            ssl_context, server_hostname, _left(timeout, httpcore.ConnectTimeout)
        )
        return _DeadlineStream(stream)

    def get_extra_info(self, info: str) -> Any:
        return self._stream.get_extra_info(info)


class _DeadlineBackend(httpcore.NetworkBackend):
    """httpcore's network backend, with _DeadlineStream connections."""

    def __init__(self, backend: httpcore.NetworkBackend) -> None:
        self._backend = backend

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        left = _left(timeout, httpcore.ConnectTimeout)
        stream = self._backend.connect_tcp(host, port, left, local_address, socket_options)
        return _DeadlineStream(stream)

    def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[Any] | None = None
    ) -> httpcore.NetworkStream:
        left = _left(timeout, httpcore.ConnectTimeout)
        return _DeadlineStream(self._backend.connect_unix_socket(path, left, socket_options))

    def sleep(self, seconds: float) -> None:
        self._backend.sleep(seconds)


def _sync_transport(proxy: str | httpx.Proxy | None, verify: VerifyTypes) -> httpx.BaseTransport:
    """httpx's default transport (through `proxy`, verifying TLS as `verify` says), its socket
    waits held to the attempt's deadline.

    httpx has no public way to choose httpcore's network backend, so it is set on the pool
    the transport made; if a future httpx hides it, the deadline is still checked between
    the chunks of an answer (as it is for a transport passed in by the caller).
    """
    transport = httpx.HTTPTransport(proxy=proxy, verify=verify)
    pool = getattr(transport, "_pool", None)
    backend = getattr(pool, "_network_backend", None)
    if isinstance(backend, httpcore.NetworkBackend):
        pool._network_backend = _DeadlineBackend(backend)  # type: ignore[union-attr]
    return transport


VerifyTypes = bool | str | ssl.SSLContext


def _own_client_options(
    transport: object, http_client: object, proxy: object, verify: VerifyTypes
) -> None:
    """`http_client=` brings its own transport, proxy and TLS settings; `transport=` its own
    proxy and TLS: refuse the options that would be silently ignored."""
    if http_client is not None and transport is not None:
        raise ValueError("pass either transport= or http_client=, not both")
    if (http_client is not None or transport is not None) and (
        proxy is not None or verify is not True
    ):
        owner = "http_client=" if http_client is not None else "transport="
        raise ValueError(f"proxy= and verify= cannot be used with {owner}: set them on it instead")


def _to_httpx(request: PreparedRequest, *, asynchronous: bool) -> httpx.Request:
    body = request.body
    content: bytes | Iterator[bytes] | AsyncIterator[bytes]
    if isinstance(body, FeedBody):
        content = body.achunks() if asynchronous else body.chunks()
    else:
        content = body
    headers = [*request.headers, ("Accept-Encoding", ACCEPT_ENCODING)]
    return httpx.Request(request.method, request.url, headers=headers, content=content)


def _feed(
    operation: Operation[Any],
    body: FeedSource | FeedBody | None,
    content_type: str | None,
    charset: str | None,
) -> tuple[FeedBody | None, str | None]:
    """The request document as a FeedBody (MD5 read once, in chunks) and its Content-Type."""
    if operation.body is None or body is None:
        return None, content_type
    feed = body if isinstance(body, FeedBody) else FeedBody(body)
    return feed, content_type or feed_content_type(feed.head, charset)


def _throttle_store(
    store: ThrottleStore | str | None,
) -> tuple[ThrottleStore, RedisThrottleStore | None]:
    """The store a client's buckets live in, and the one it made from a URL (and closes)."""
    if store is None:
        return BUCKETS, None
    if isinstance(store, str):
        from .redis_store import RedisThrottleStore  # needs the redis extra

        owned = RedisThrottleStore(store)
        return owned, owned
    if not callable(getattr(store, "get", None)):
        raise ValueError(
            "throttle_store must be a redis:// URL, a ThrottleStore (e.g. RedisThrottleStore) "
            f"or None; got {type(store).__name__}"
        )
    return store, None


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
        self.store, self._owned_store = _throttle_store(config.throttle_store)
        self.context = CallContext(
            builder=self.builder,
            seller_id=config.seller_id,
            retries=config.retries,
            throttle=config.throttle,
            timer=config.timer,
            on_event=config.on_event,
            store=self.store,
            sandbox=config.amazon_pay_sandbox,
        )

    def _deadline(self) -> float | None:
        budget = self.config.attempt_timeout
        return None if budget is None else time.monotonic() + budget


class SyncSession(_Session):
    """Carries out calls with one pooled httpx.Client: its own, or the caller's `http_client`
    (which it never closes)."""

    def __init__(
        self,
        config: ClientConfig,
        transport: httpx.BaseTransport | None = None,
        *,
        http_client: httpx.Client | None = None,
        proxy: str | httpx.Proxy | None = None,
        verify: VerifyTypes = True,
    ) -> None:
        _own_client_options(transport, http_client, proxy, verify)
        super().__init__(config)
        self._owned = http_client is None
        self._http = http_client or httpx.Client(
            transport=transport or _sync_transport(proxy, shared_ssl_context(verify)),
            timeout=config.timeout,
        )

    def call(
        self,
        section: SectionSpec,
        operation: Operation[R],
        values: tuple[Any, ...],
        body: FeedSource | FeedBody | None = None,
        content_type: str | None = None,
        *,
        download: Download | None = None,
        charset: str | None = None,
    ) -> R:
        """One call. `body`: bytes, a path or a binary file (operations with a document body);
        `charset`: the flat-file charset for its default Content-Type; `download`: where a
        document answer is streamed, and the encoding to report when none is declared.
        A batch list longer than one request takes is sent as several (batches.py)."""
        requests = batches.split(operation, values)
        if len(requests) > 1:
            return batches.merge([self._call(section, operation, part) for part in requests])
        feed, content_type = _feed(operation, body, content_type, charset)
        return self._call(section, operation, requests[0], feed, content_type, download)

    def _call(
        self,
        section: SectionSpec,
        operation: Operation[R],
        values: tuple[Any, ...],
        feed: FeedBody | None = None,
        content_type: str | None = None,
        download: Download | None = None,
    ) -> R:
        plan = plan_call(self.context, section, operation, values, feed, content_type, download)
        outcome: Outcome = None
        try:
            while True:
                step = plan.send(outcome)
                if isinstance(step, Send):
                    outcome = self._receive(operation, step.request, step.sink)
                elif isinstance(step, Sleep):
                    self.config.timer.sleep(step.seconds)
                    outcome = None
                else:
                    outcome = step.bucket.apply(step.op, step.now)
        except StopIteration as done:
            result: R = done.value
            return result
        finally:
            plan.close()  # a call abandoned midway still closes its download file

    def _receive(
        self, operation: Operation[Any], request: PreparedRequest, sink: DocumentSink | None
    ) -> Received | Failed:
        """Send; stream a successful document into `sink`, read anything else (capped).

        Every failure comes back as a Failed outcome carrying an mwskit error; the attempt
        ends by its deadline (every socket wait is shortened to it, see _DeadlineStream).
        """
        deadline = self._deadline()
        token = _DEADLINE.set(deadline)
        try:
            response = self._http.send(_to_httpx(request, asynchronous=False), stream=True)
            try:
                content = _already_read(response)
                reading = _Reading(
                    self.config, operation, response, sink, deadline, decoded=content is not None
                )
                if reading.deadline is None:
                    _DEADLINE.set(None)  # a document's body: per-read timeouts only
                for chunk in response.iter_raw() if content is None else (content,):
                    reading.add(chunk)
                return reading.finish()
            finally:
                response.close()
        except httpx.RequestError as error:
            late = deadline is not None and time.monotonic() >= deadline - _SLACK
            return transport_failure(self.config, operation, request, error, late)
        except MWSError as error:
            return _refused(error)
        finally:
            _DEADLINE.reset(token)

    def plan(
        self,
        section: SectionSpec,
        operations: Mapping[str, Operation[Any]],
        method: str,
        items: int,
        calls: int,
        current: bool,
    ) -> planner.QuotaPlan:
        """The quota planner (planner.py) on this client's bucket for `method`; sends nothing."""
        operation = planner.operation_named(operations, method)
        bucket = self.context.bucket(section, operation) if current else None
        now = self.config.timer.monotonic()
        until_full = None if bucket is None else bucket.apply(Peek(), now)[0]
        return planner.plan(operation, items, calls, until_full)

    def paginate(
        self,
        section: SectionSpec,
        first: Operation[R],
        values: tuple[Any, ...],
        following: Operation[R2],
    ) -> Iterator[R | R2]:
        """The first page, then each next page while the last one has a next token."""
        first_page = self.call(section, first, values)
        yield first_page
        token = next_token_of(section, first_page)
        while token is not None:
            page = self.call(section, following, token_values(section, following, token))
            yield page
            token = next_token_of(section, page)

    def all_pages(
        self,
        section: SectionSpec,
        first: Operation[R],
        values: tuple[Any, ...],
        following: Operation[R2],
        records: str,
    ) -> R:
        """Every page as one result (aws-cli's build_full_result): the first page, its
        `records` field holding the records of every page, its next token cleared."""
        merged = _Merged(records)
        for page in self.paginate(section, first, values, following):
            merged.add(page)
        return cast(R, merged.result())

    def close(self) -> None:
        if self._owned:
            self._http.close()
        if self._owned_store is not None:
            self._owned_store.close()


class AsyncSession(_Session):
    """Carries out calls with one pooled httpx.AsyncClient: its own, or the caller's
    `http_client` (which it never closes)."""

    def __init__(
        self,
        config: ClientConfig,
        transport: httpx.AsyncBaseTransport | None = None,
        *,
        http_client: httpx.AsyncClient | None = None,
        proxy: str | httpx.Proxy | None = None,
        verify: VerifyTypes = True,
    ) -> None:
        _own_client_options(transport, http_client, proxy, verify)
        super().__init__(config)
        self._owned = http_client is None
        self._http = http_client or httpx.AsyncClient(
            transport=transport
            or httpx.AsyncHTTPTransport(proxy=proxy, verify=shared_ssl_context(verify)),
            timeout=config.timeout,
        )

    async def call(
        self,
        section: SectionSpec,
        operation: Operation[R],
        values: tuple[Any, ...],
        body: FeedSource | FeedBody | None = None,
        content_type: str | None = None,
        *,
        download: Download | None = None,
        charset: str | None = None,
    ) -> R:
        """One call; the arguments are those of SyncSession.call."""
        requests = batches.split(operation, values)
        if len(requests) > 1:
            return batches.merge([await self._call(section, operation, part) for part in requests])
        feed, content_type = _feed(operation, body, content_type, charset)
        return await self._call(section, operation, requests[0], feed, content_type, download)

    async def _call(
        self,
        section: SectionSpec,
        operation: Operation[R],
        values: tuple[Any, ...],
        feed: FeedBody | None = None,
        content_type: str | None = None,
        download: Download | None = None,
    ) -> R:
        plan = plan_call(self.context, section, operation, values, feed, content_type, download)
        outcome: Outcome = None
        try:
            while True:
                step = plan.send(outcome)
                if isinstance(step, Send):
                    outcome = await self._receive(operation, step.request, step.sink)
                elif isinstance(step, Sleep):
                    await self.config.timer.async_sleep(step.seconds)
                    outcome = None
                else:
                    outcome = await step.bucket.aapply(step.op, step.now)
        except StopIteration as done:
            result: R = done.value
            return result
        finally:
            plan.close()  # a call abandoned midway still closes its download file

    async def _receive(
        self, operation: Operation[Any], request: PreparedRequest, sink: DocumentSink | None
    ) -> Received | Failed:
        """SyncSession._receive over asyncio or trio: the deadline is a cancel scope."""
        deadline = self._deadline()
        budget = self.config.attempt_timeout
        scope = anyio.CancelScope(
            deadline=math.inf if budget is None else anyio.current_time() + budget
        )
        response: httpx.Response | None = None
        try:
            with scope:
                response = await self._http.send(_to_httpx(request, asynchronous=True), stream=True)
                content = _already_read(response)
                reading = _Reading(
                    self.config, operation, response, sink, deadline, decoded=content is not None
                )
                if reading.deadline is None:
                    scope.deadline = math.inf  # a document's body: per-read timeouts only
                if content is not None:
                    reading.add(content)
                else:
                    async for chunk in response.aiter_raw():
                        reading.add(chunk)
                return reading.finish()
            return _refused(late_error(operation, self.config))  # the scope ran out
        except httpx.RequestError as error:
            late = deadline is not None and time.monotonic() >= deadline - _SLACK
            return transport_failure(self.config, operation, request, error, late)
        except MWSError as error:
            return _refused(error)
        finally:
            if response is not None:
                await response.aclose()

    async def plan(
        self,
        section: SectionSpec,
        operations: Mapping[str, Operation[Any]],
        method: str,
        items: int,
        calls: int,
        current: bool,
    ) -> planner.QuotaPlan:
        """SyncSession.plan, reading a shared store's bucket without blocking the loop."""
        operation = planner.operation_named(operations, method)
        bucket = self.context.bucket(section, operation) if current else None
        now = self.config.timer.monotonic()
        until_full = None if bucket is None else (await bucket.aapply(Peek(), now))[0]
        return planner.plan(operation, items, calls, until_full)

    async def paginate(
        self,
        section: SectionSpec,
        first: Operation[R],
        values: tuple[Any, ...],
        following: Operation[R2],
    ) -> AsyncIterator[R | R2]:
        """The first page, then each next page while the last one has a next token."""
        first_page = await self.call(section, first, values)
        yield first_page
        token = next_token_of(section, first_page)
        while token is not None:
            page = await self.call(section, following, token_values(section, following, token))
            yield page
            token = next_token_of(section, page)

    async def all_pages(
        self,
        section: SectionSpec,
        first: Operation[R],
        values: tuple[Any, ...],
        following: Operation[R2],
        records: str,
    ) -> R:
        """SyncSession.all_pages: every page as one result."""
        merged = _Merged(records)
        async for page in self.paginate(section, first, values, following):
            merged.add(page)
        return cast(R, merged.result())

    async def aclose(self) -> None:
        if self._owned:
            await self._http.aclose()
        if self._owned_store is not None:
            await self._owned_store.aclose()

class _Merged:
    """Pages folded into the first: their records gathered, each page dropped once read (so
    the raw bodies of earlier pages are not all held)."""

    def __init__(self, records: str) -> None:
        self.records_field = records
        self.first: Any = None
        self.records: list[Any] = []

    def add(self, page: Any) -> None:
        if self.first is None:
            self.first = page
        self.records.extend(getattr(page, self.records_field))

    def result(self) -> Any:
        changes: dict[str, Any] = {self.records_field: self.records}
        names = {item.name for item in dataclasses.fields(self.first)}
        if "next_token" in names:
            changes["next_token"] = None
        if "has_next" in names:
            changes["has_next"] = False
        return dataclasses.replace(self.first, **changes)


def next_token_of(section: SectionSpec, page: object) -> str | None:
    """The token for the next page, or None when this page is the last."""
    if getattr(page, "has_next", None) is False:
        return None
    token = getattr(page, section.next_token_field, None)
    return token.strip() or None if isinstance(token, str) else None


def token_values(section: SectionSpec, operation: Operation[Any], token: str) -> tuple[Any, ...]:
    """Arguments of a ...ByNextToken call: the token, everything else unset."""
    return tuple(token if param.name == section.next_token else None for param in operation.params)
