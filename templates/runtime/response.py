"""Turn an HTTP response into the typed result of its operation, or raise its MWSError."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from lxml import etree

from .descriptors import Operation
from .errors import ContentMD5Mismatch, MWSError, ResponseParseError, error_class_for
from .results import MWSResult, read_shape, to_datetime
from .xml import child_text, local_name, parse_xml, preview

_REQUEST_ID_HEADER = "x-mws-request-id"


@dataclass(frozen=True, slots=True, kw_only=True)
class Document(MWSResult):
    """A downloaded document (a report, a feed processing report): its bytes are in `body`.

    `md5_verified` is True when the service sent a `Content-MD5` header and the body matched it.
    """

    content_md5: str | None = None
    md5_verified: bool = False

    @property
    def content(self) -> bytes:
        return self.body


def _lower(headers: Mapping[str, str]) -> dict[str, str]:
    return {name.lower(): value for name, value in headers.items()}


def _error_from_body(status_code: int, headers: dict[str, str], body: bytes) -> MWSError:
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
    return _error_from_root(root, status_code, request_id)


def _error_from_root(root: etree._Element, status_code: int, request_id: str | None) -> MWSError:
    """The MWSError an already parsed `<ErrorResponse>` describes."""
    request_id = child_text(root, "RequestId") or child_text(root, "RequestID") or request_id
    error = next((child for child in root if local_name(child) == "Error"), None)
    if error is None:
        return MWSError(
            "ErrorResponse without an Error element", status_code=status_code, request_id=request_id
        )
    code = child_text(error, "Code")
    cls = error_class_for(code)
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
        "server_time": _header_time(headers.get("x-mws-timestamp")),
        "quota_max": _header_int(headers.get("x-mws-quota-max")),
        "quota_remaining": _header_int(headers.get("x-mws-quota-remaining")),
        "quota_resets_on": _header_time(headers.get("x-mws-quota-resetson")),
        "headers": headers,
        "body": body,
    }


def _header_int(text: str | None) -> int | None:
    try:
        return None if text is None else int(float(text))
    except ValueError:
        return None


def _header_time(text: str | None) -> datetime | None:
    try:
        return None if text is None else to_datetime(text)
    except ValueError:
        return None


def parse_response(
    operation: Operation[Any], status_code: int, raw_headers: Mapping[str, str], body: bytes
) -> Any:
    """The typed result of a 2xx answer; raises the matching MWSError otherwise."""
    headers = _lower(raw_headers)
    if status_code >= 400 or (operation.document and _is_error_document(body)):
        raise _error_from_body(status_code, headers, body)
    request_id = headers.get(_REQUEST_ID_HEADER)
    if operation.document:
        expected = headers.get("content-md5")
        if expected is not None:
            actual = base64.b64encode(hashlib.md5(body).digest()).decode("ascii")
            if actual != expected:
                raise ContentMD5Mismatch(
                    f"{operation.name} document MD5 {actual} does not match Content-MD5 {expected}",
                    code="ContentMD5Mismatch",
                    request_id=request_id,
                    status_code=status_code,
                )
        return Document(
            **_metadata(headers, body, request_id),
            content_md5=expected,
            md5_verified=expected is not None,
        )
    root = parse_xml(body, status_code=status_code)
    if local_name(root) == "ErrorResponse":
        raise _error_from_root(root, status_code, request_id)
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
        return read_shape(root, shape, metadata)
    if result is None:
        return shape.cls(**metadata)
    return read_shape(result, shape, metadata)
