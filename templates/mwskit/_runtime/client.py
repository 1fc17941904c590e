"""Sessions: carry out the call engine's steps over httpx, with one connection pool each.

Everything protocol-shaped (building, signing, throttling, retries, parsing) is below this
module and shared; `SyncSession` and `AsyncSession` differ only in how bytes travel. Layers,
from the bottom: request.py builds and signs, calls.py plans a call, this module sends.
"""

from __future__ import annotations

import logging
import re
from collections.abc import AsyncIterator, Iterator
from typing import Any, TypeVar, cast

import httpx

from .calls import CallContext, Failed, Received, Sleep, plan_call
from .descriptors import Operation, R, SectionSpec
from .documents import DocumentSink, Download, FeedBody, FeedSource, feed_content_type
from .errors import ResponseParseError
from .policy import THROTTLE_MODES
from .request import ClientConfig, PreparedRequest, RequestBuilder
from .response import header_int, lower_headers

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


def _undecodable(operation: Operation[Any], error: httpx.DecodingError) -> ResponseParseError:
    return ResponseParseError(
        f"{operation.name}: the response body could not be decoded "
        f"({type(error).__name__}: {error})"
    )


def _to_httpx(request: PreparedRequest, *, asynchronous: bool) -> httpx.Request:
    body = request.body
    content: bytes | Iterator[bytes] | AsyncIterator[bytes]
    if isinstance(body, FeedBody):
        content = body.achunks() if asynchronous else body.chunks()
    else:
        content = body
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
    return Received(response.status_code, lower_headers(response.headers), body)


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
        body: FeedSource | FeedBody | None = None,
        content_type: str | None = None,
        *,
        download: Download | None = None,
        charset: str | None = None,
    ) -> R:
        """One call. `body`: bytes, a path or a binary file (operations with a document body);
        `charset`: the flat-file charset for its default Content-Type; `download`: where a
        document answer is streamed, and the encoding to report when none is declared."""
        feed, content_type = _feed(operation, body, content_type, charset)
        plan = plan_call(self.context, section, operation, values, feed, content_type, download)
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
        first_page = self.call(section, first, values)
        yield first_page
        token = next_token_of(first_page)
        while token is not None:
            page = self.call(section, following, token_values(following, token))
            yield page
            token = next_token_of(page)

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
        body: FeedSource | FeedBody | None = None,
        content_type: str | None = None,
        *,
        download: Download | None = None,
        charset: str | None = None,
    ) -> R:
        """One call; the arguments are those of SyncSession.call."""
        feed, content_type = _feed(operation, body, content_type, charset)
        plan = plan_call(self.context, section, operation, values, feed, content_type, download)
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
        first_page = await self.call(section, first, values)
        yield first_page
        token = next_token_of(first_page)
        while token is not None:
            page = await self.call(section, following, token_values(following, token))
            yield page
            token = next_token_of(page)

    async def aclose(self) -> None:
        await self._http.aclose()


def next_token_of(page: object) -> str | None:
    """The token for the next page, or None when this page is the last."""
    if getattr(page, "has_next", None) is False:
        return None
    token = getattr(page, "next_token", None)
    return token.strip() or None if isinstance(token, str) else None


def token_values(operation: Operation[Any], token: str) -> tuple[Any, ...]:
    """Arguments of a ...ByNextToken call: the token, everything else unset."""
    return tuple(token if param.name == "NextToken" else None for param in operation.params)
