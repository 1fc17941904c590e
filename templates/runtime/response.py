"""Turn an HTTP response into an MWSResponse, or raise the MWSError it carries."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from lxml import etree

from .descriptors import Operation
from .errors import ContentMD5Mismatch, MWSError, ResponseParseError, error_class_for
from .xml import child_text, element_data, local_name, parse_xml, preview

_REQUEST_ID_HEADER = "x-mws-request-id"


@dataclass(frozen=True, slots=True)
class MWSResponse:
    """One successful answer.

    `data` is a plain view of the `<Action>Result` element (None for document downloads,
    whose bytes are in `body`). `next_token` is set when more pages exist.
    """

    action: str
    status_code: int
    headers: Mapping[str, str] = field(repr=False)
    body: bytes = field(repr=False)
    request_id: str | None
    data: Any = field(repr=False)
    next_token: str | None = None
    has_next: bool | None = None
    content_md5: str | None = None

    @property
    def content(self) -> bytes:
        """The raw body: the document itself for GetReport and GetFeedSubmissionResult."""
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


def parse_response(
    operation: Operation, status_code: int, raw_headers: Mapping[str, str], body: bytes
) -> MWSResponse:
    """The MWSResponse for a 2xx answer; raises the matching MWSError otherwise."""
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
        return MWSResponse(
            operation.name, status_code, headers, body, request_id, None, content_md5=expected
        )
    root = parse_xml(body, status_code=status_code)
    if local_name(root) == "ErrorResponse":
        raise _error_from_root(root, status_code, request_id)
    result = None
    for child in root:
        name = local_name(child)
        if name == operation.result_element:
            result = child
        elif name == "ResponseMetadata":
            request_id = child_text(child, "RequestId") or request_id
    data = element_data(result) if result is not None else None
    next_token = has_next = None
    if result is not None:
        next_token = child_text(result, "NextToken") or None
        has_next_text = child_text(result, "HasNext")
        has_next = None if has_next_text is None else has_next_text.strip() == "true"
    return MWSResponse(
        operation.name, status_code, headers, body, request_id, data, next_token, has_next
    )
