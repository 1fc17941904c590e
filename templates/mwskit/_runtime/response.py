"""Turn an HTTP response into the typed result of its operation, or raise its MWSError."""

from __future__ import annotations

import gc
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from lxml import etree

from .descriptors import Operation
from .documents import DocumentSink, content_md5, document_encoding
from .errors import ContentMD5Mismatch, MWSError, ResponseParseError, error_class_for
from .results import MWSResult, ResultShapeSpec, read_shape, to_datetime
from .xml import child_text, local_name, parse_xml, preview

_REQUEST_ID_HEADER = "x-mws-request-id"


@dataclass(frozen=True, slots=True, kw_only=True)
class Document(MWSResult):
    """A downloaded document (a report, a feed processing report): its bytes are in `body`.

    `md5_verified` is True when the service sent a `Content-MD5` header and the body matched it.
    `size` is the document's length in bytes; `encoding` the Python codec its text is in: the
    charset the response declared, else the marketplace's report encoding when one was given,
    else None (never guessed). A document streamed to a `destination` has an empty `body`;
    `path` names the file when the destination was a path.
    """

    content_md5: str | None = None
    md5_verified: bool = False
    size: int = field(default=0, repr=False)
    encoding: str | None = field(default=None, repr=False)
    streamed: bool = field(default=False, repr=False)
    path: str | None = field(default=None, repr=False)

    @property
    def content(self) -> bytes:
        if self.streamed:
            raise ValueError("the document was streamed to its destination; read it from there")
        return self.body

    def text(self, errors: str = "strict") -> str:
        """The body decoded with `encoding` (raises when the encoding is unknown)."""
        if self.encoding is None:
            raise ValueError(
                "the response declared no charset: pass marketplace=... to get_report to decode "
                "with the marketplace's report encoding"
            )
        return self.content.decode(self.encoding, errors)


def lower_headers(headers: Mapping[str, str]) -> dict[str, str]:
    """The headers as a dict keyed by lowercase name."""
    return {name.lower(): value for name, value in headers.items()}


def _error_from_body(
    operation: Operation[Any], status_code: int, headers: dict[str, str], body: bytes
) -> MWSError:
    request_id = headers.get(_REQUEST_ID_HEADER)
    try:
        root = parse_xml(body, status_code=status_code)
    except ResponseParseError:
        return MWSError(
            f"unexpected non-XML error body: {preview(body)!r}",
            status_code=status_code,
            request_id=request_id,
        )
    if local_name(root) != "ErrorResponse":
        return MWSError(
            f"unexpected error body <{local_name(root)}>: {preview(body)!r}",
            status_code=status_code,
            request_id=request_id,
        )
    return _error_from_root(operation, root, status_code, request_id)


def _error_from_root(
    operation: Operation[Any], root: etree._Element, status_code: int, request_id: str | None
) -> MWSError:
    """The MWSError an already parsed `<ErrorResponse>` describes: the section's own class for
    its code (operation.errors), else the runtime's."""
    request_id = child_text(root, "RequestId") or child_text(root, "RequestID") or request_id
    error = next((child for child in root if local_name(child) == "Error"), None)
    if error is None:
        return MWSError(
            "ErrorResponse without an Error element", status_code=status_code, request_id=request_id
        )
    code = child_text(error, "Code")
    cls = operation.errors.get(code or "") or error_class_for(code)
    return cls(
        child_text(error, "Message") or "",
        code=code,
        error_type=child_text(error, "Type"),
        request_id=request_id,
        status_code=status_code,
        detail=child_text(error, "Detail") or None,
    )


def _is_error_document(body: bytes) -> bool:
    head = body[:512].lstrip()
    return head.startswith(b"<") and b"<ErrorResponse" in head


def _metadata(headers: dict[str, str], body: bytes, request_id: str | None) -> dict[str, Any]:
    return {
        "request_id": request_id,
        "server_time": header_time(headers.get("x-mws-timestamp")),
        "quota_max": header_int(headers.get("x-mws-quota-max")),
        "quota_remaining": header_int(headers.get("x-mws-quota-remaining")),
        "quota_resets_on": header_time(headers.get("x-mws-quota-resetson")),
        "headers": headers,
        "body": body,
    }


def header_int(text: str | None) -> int | None:
    """An integer header (`x-mws-quota-*`; MWS has sent "5998.0"), None when unusable."""
    if text is None:
        return None
    try:
        return int(text)
    except ValueError:
        pass
    try:
        return int(float(text))
    except (ValueError, OverflowError):
        return None


def header_time(text: str | None) -> datetime | None:
    """A time header (`x-mws-timestamp`, `Date`, `x-mws-quota-resetsOn`), None when unusable."""
    try:
        return None if text is None else to_datetime(text)
    except (ValueError, OverflowError):
        return None


def _check_md5(
    operation: Operation[Any],
    headers: dict[str, str],
    actual: str,
    request_id: str | None,
    status_code: int,
) -> str | None:
    expected = headers.get("content-md5")
    if expected is not None and actual != expected.strip():
        raise ContentMD5Mismatch(
            f"{operation.name} document MD5 {actual} does not match Content-MD5 {expected}",
            code="ContentMD5Mismatch",
            request_id=request_id,
            status_code=status_code,
        )
    return expected


def parse_download(
    operation: Operation[Any],
    status_code: int,
    raw_headers: Mapping[str, str],
    sink: DocumentSink,
    fallback_encoding: str | None = None,
    path: str | None = None,
) -> Document:
    """The Document of a 2xx answer whose body was streamed into `sink` (already finished)."""
    headers = lower_headers(raw_headers)
    head = sink.head
    if sink.size == len(head) and _is_error_document(head):
        raise _error_from_body(operation, status_code, headers, head)
    request_id = headers.get(_REQUEST_ID_HEADER)
    expected = _check_md5(operation, headers, sink.md5(), request_id, status_code)
    return Document(
        **_metadata(headers, b"", request_id),
        content_md5=expected,
        md5_verified=expected is not None,
        size=sink.size,
        encoding=document_encoding(headers, fallback_encoding),
        streamed=True,
        path=path,
    )


class _GCPause:
    """Pauses the cyclic garbage collector while answers are read, thread-aware.

    Reading builds many objects and no cycles, yet each 700 allocations start a collection that
    walks every tracked object: a large answer spent most of its time there. The first reader
    in notes whether the collector ran and stops it; the last one out starts it again, only
    if it ran before (a program that turned it off keeps it off).
    """

    __slots__ = ("_lock", "_readers", "_was_enabled")

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._readers = 0
        self._was_enabled = False

    def __enter__(self) -> None:
        with self._lock:
            if self._readers == 0:
                self._was_enabled = gc.isenabled()
                gc.disable()
            self._readers += 1

    def __exit__(self, *exc_info: object) -> None:
        with self._lock:
            self._readers -= 1
            if self._readers == 0 and self._was_enabled:
                gc.enable()


_GC_PAUSE = _GCPause()


def parse_response(
    operation: Operation[Any],
    status_code: int,
    raw_headers: Mapping[str, str],
    body: bytes,
    fallback_encoding: str | None = None,
) -> Any:
    """The typed result of a 2xx answer; raises the matching MWSError otherwise.

    An XML answer's root must be `<Action>Response` (DG_ResponseFormat), named after the
    operation: any other well-formed root is a ResponseParseError naming both.
    """
    with _GC_PAUSE:
        return _parse_answer(operation, status_code, raw_headers, body, fallback_encoding)


def _parse_answer(
    operation: Operation[Any],
    status_code: int,
    raw_headers: Mapping[str, str],
    body: bytes,
    fallback_encoding: str | None,
) -> Any:
    headers = lower_headers(raw_headers)
    # Only 2xx is an answer: a redirect or other status is an error, never a document.
    if not 200 <= status_code < 300 or (operation.document and _is_error_document(body)):
        raise _error_from_body(operation, status_code, headers, body)
    request_id = headers.get(_REQUEST_ID_HEADER)
    if operation.document:
        expected = _check_md5(operation, headers, content_md5(body), request_id, status_code)
        return Document(
            **_metadata(headers, body, request_id),
            content_md5=expected,
            md5_verified=expected is not None,
            size=len(body),
            encoding=document_encoding(headers, fallback_encoding),
        )
    root = parse_xml(body, status_code=status_code)
    root_name = local_name(root)
    if root_name != operation.name + "Response":
        if root_name == "ErrorResponse":
            raise _error_from_root(operation, root, status_code, request_id)
        # An XHTML error page or another action's answer: reading it would give an empty
        # result (and stop a pagination silently), so it is no answer at all.
        raise ResponseParseError(
            f"{operation.name}: expected a <{operation.name}Response> answer, got "
            f"<{root_name}>: {preview(body)!r}",
            request_id=request_id,
            status_code=status_code,
        )
    result = None
    for child in root:
        name = local_name(child)
        if name == operation.result_element and result is None:
            result = child
        elif name == "ResponseMetadata":
            request_id = child_text(child, "RequestId") or request_id
    metadata = _metadata(headers, body, request_id)
    shape = operation.result_shape
    if shape is None:
        return MWSResult(**metadata)
    if operation.result_is_root:
        return _read(operation, shape, root, metadata)
    if result is None:
        if shape.required:
            raise ResponseParseError(
                f"{root_name}/{operation.result_element} is missing: its "
                f"{shape.required[0].python_name} is always sent by MWS (the docs mark it required)",
                request_id=request_id,
                status_code=status_code,
            )
        return shape.cls(**metadata)
    if shape.reads("NextToken") and child_text(result, "NextToken") is None:
        # Some live answers (Sellers' ListMarketplaceParticipations) put NextToken beside the
        # result element instead of inside it; a page must not lose its token for that.
        stray = child_text(root, "NextToken")
        if stray is not None:
            return replace(_read(operation, shape, result, metadata), next_token=stray.strip())
    return _read(operation, shape, result, metadata)


def _read(
    operation: Operation[Any], shape: ResultShapeSpec, element: etree._Element, metadata: Any
) -> Any:
    """The result read by the operation's generated reader (a hand-built one: read_shape)."""
    if operation.reader is not None:
        return operation.reader(element, metadata)
    return read_shape(element, shape, metadata)
