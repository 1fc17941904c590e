"""The sandbox's answers: replies, MWS error documents, and response XML from the response shapes.

`write_result` fills an element from a `ResultShapeSpec`: every field gets a value that its
kind's parser reads back (decimals, ISO 8601 times with a `Z`, an enum's first value, ...),
drawn from a seeded `random.Random`, so the same seed gives the same bytes. `data` (keyed by
XML name) overrides generated values: a scalar, a mapping for a structure, a list for a list,
None to leave the field out; with `generate=False` only `data` is written (in the shape's
order), nothing generated. Without a shape, `data` itself is written as elements.
A `Refusal` is an error answer a check raises; `refusal_reply` writes it as MWS did.
"""

from __future__ import annotations

import random
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from enum import Enum
from typing import Any

from lxml import etree

from .._runtime.descriptors import Operation, SectionSpec
from .._runtime.documents import content_md5
from .._runtime.results import ATTRIBUTE, SAME_SHAPE, TEXT, ResultField, ResultShapeSpec

DEFAULT_NAMESPACE = "http://mws.amazonaws.com/doc/2009-01-01/"
XML_HEADERS = (("Content-Type", "text/xml"),)
_ECHO_LIMIT = 200


@dataclass(frozen=True, slots=True)
class Reply:
    """An HTTP answer. `reset` drops the connection instead; `delay` is slept first."""

    status: int = 200
    body: bytes = b""
    headers: tuple[tuple[str, str], ...] = ()
    reset: bool = False
    delay: float = 0.0


class Refusal(Exception):
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


def echo(text: str) -> str:
    """A refused value as an error message quotes it: at most 200 characters."""
    return text if len(text) <= _ECHO_LIMIT else text[:_ECHO_LIMIT] + "..."


def missing(name: str) -> Refusal:
    return Refusal(400, "MissingParameter", f"The request must contain the parameter {name}.")


def invalid(name: str, text: str, reason: str) -> Refusal:
    return Refusal(
        400,
        "InvalidParameterValue",
        f"Value '{echo(text)}' for parameter {name} is invalid. {reason}",
    )


def internal_error() -> Refusal:
    return Refusal(
        500,
        "InternalError",
        "We encountered an internal error. Please try again.",
        error_type="Receiver",
    )


def refusal_reply(refusal: Refusal, namespace: str, request_id: str) -> Reply:
    body = error_document(namespace, refusal.code, refusal.message, request_id, refusal.error_type)
    return Reply(refusal.status, body, (*XML_HEADERS, *refusal.headers))


def document_reply(content: bytes) -> Reply:
    """A report or processing report as MWS sent documents: Cp1252 text with its Content-MD5."""
    headers = (
        ("Content-Type", "text/plain;charset=Cp1252"),
        ("Content-MD5", content_md5(content)),
    )
    return Reply(200, content, headers)


_EPOCH = datetime(2020, 1, 1, tzinfo=UTC)
_ID_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ0123456789"
MAX_DEPTH = 8  # deeper structures (and self-references past the first) are left out


def format_time(value: datetime) -> str:
    """`2020-05-04T12:00:00.000Z`, the way MWS writes times."""
    utc = value.astimezone(UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"


# Characters XML 1.0 cannot hold (C0 controls but tab, LF and CR; surrogates; U+FFFE, U+FFFF).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_safe(text: str) -> str:
    """`text` with every character XML cannot hold replaced by U+FFFD (lxml refuses them)."""
    return _NOT_XML.sub("\ufffd", text)


def to_text(value: Any) -> str:
    """A Python value as MWS writes it in XML."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return format_time(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, Enum):
        return xml_safe(str(value.value))
    return xml_safe(str(value))


def _identifier(rng: random.Random, length: int = 13) -> str:
    return "A" + "".join(rng.choice(_ID_ALPHABET) for _ in range(length - 1))


def _string(name: str, rng: random.Random) -> str:
    """A realistic string for a field, guessed from its XML name."""
    lowered = name.lower()
    if lowered.endswith("marketplaceid"):
        return "ATVPDKIKX0DER"
    if lowered.endswith("currencycode") or lowered == "currency":
        return "USD"
    if lowered.endswith("countrycode"):
        return "US"
    if lowered.endswith("asin"):
        return "B0" + "".join(rng.choice(_ID_ALPHABET) for _ in range(8))
    if lowered.endswith("amazonorderid"):
        return f"{rng.randint(100, 999)}-{rng.randint(1000000, 9999999)}-{rng.randint(1000000, 9999999)}"
    if "sku" in lowered:
        return f"SKU-{rng.randint(1000, 9999)}"
    if "email" in lowered:
        return f"buyer{rng.randint(1, 999)}@example.com"
    if lowered.endswith("url"):
        return f"https://example.com/{name}/{rng.randint(1, 9999)}"
    if lowered.endswith("postalcode"):
        return f"{rng.randint(10000, 99999)}"
    if lowered.endswith("phone"):
        return f"+1-206-555-{rng.randint(1000, 9999)}"
    if lowered.endswith("id"):
        return _identifier(rng)
    return f"{name} {rng.randint(1, 999)}"


def sample_value(item: ResultField, rng: random.Random) -> str:
    """Text for a scalar field that the client's parser reads back as the field's kind."""
    kind = item.kind
    if item.enum is not None:
        first = next(iter(item.enum))
        return str(first.value)
    if kind == "integer":
        return str(rng.randint(1, 100))
    if kind == "decimal":
        return f"{rng.randint(1, 999)}.{rng.randint(0, 99):02d}"
    if kind == "boolean":
        return "true" if rng.random() < 0.5 else "false"
    if kind == "datetime":
        return format_time(_EPOCH + timedelta(seconds=rng.randint(0, 365 * 86400)))
    if kind == "date":
        return (_EPOCH + timedelta(days=rng.randint(0, 365))).date().isoformat()
    return _string(item.xml_name, rng)


def _count(depth: int) -> int:
    """How many items a generated list gets: two near the top, one deeper down."""
    return 2 if depth < 3 else 1


def write_result(
    element: etree._Element,
    spec: ResultShapeSpec | None,
    rng: random.Random,
    data: Mapping[str, Any] | None = None,
    namespace: str | None = None,
    *,
    depth: int = 0,
    parent: ResultShapeSpec | None = None,
    via_self: bool = False,
    generate: bool = True,
) -> None:
    """Fill `element` with the fields of `spec` (or with `data` alone when `spec` is None)."""
    data = data or {}
    if spec is None:
        _write_raw(element, data, namespace)
        return
    if spec is SAME_SHAPE:
        if parent is None:
            return
        spec = parent
    for item in spec.fields:
        if item.xml_name in data:
            value = data[item.xml_name]
            if value is None:
                continue
        elif not generate:
            continue
        else:
            value = _MISSING
        if item.source == ATTRIBUTE:
            element.set(
                item.xml_name, sample_value(item, rng) if value is _MISSING else to_text(value)
            )
        elif item.source == TEXT:
            element.text = sample_value(item, rng) if value is _MISSING else to_text(value)
        elif item.is_list:
            if value is _MISSING:
                if item.shape is not None and depth >= MAX_DEPTH:
                    continue
                if item.shape is SAME_SHAPE and via_self:
                    continue
                values: list[Any] = [_MISSING] * _count(depth)
            else:
                values = list(value) if isinstance(value, (list, tuple)) else [value]
            holder = element
            if item.item is not None:
                holder = _child(element, item.xml_name, namespace)
            for entry in values:
                name = item.item if item.item is not None else item.xml_name
                _write_one(holder, name, item, entry, rng, namespace, depth, spec, generate)
        else:
            if (
                value is _MISSING
                and item.shape is not None
                and (depth >= MAX_DEPTH or (item.shape is SAME_SHAPE and via_self))
            ):
                continue
            _write_one(element, item.xml_name, item, value, rng, namespace, depth, spec, generate)


class _Missing:
    """No value given: generate one."""


_MISSING: Any = _Missing()


def default_namespace(namespace: str) -> Any:
    """lxml's nsmap for a default namespace (its stubs do not accept a None key)."""
    return {None: namespace}


def _child(parent: etree._Element, name: str, namespace: str | None) -> etree._Element:
    return etree.SubElement(parent, f"{{{namespace}}}{name}" if namespace else name)


def _write_one(
    parent: etree._Element,
    name: str,
    item: ResultField,
    value: Any,
    rng: random.Random,
    namespace: str | None,
    depth: int,
    spec: ResultShapeSpec,
    generate: bool,
) -> None:
    child = _child(parent, name, namespace)
    if item.shape is not None:
        if value is not _MISSING and not isinstance(value, Mapping):
            child.text = to_text(value)
            return
        nested = value if isinstance(value, Mapping) else None
        write_result(
            child,
            item.shape,
            rng,
            nested,
            namespace,
            depth=depth + 1,
            parent=spec,
            via_self=item.shape is SAME_SHAPE,
            generate=generate,
        )
    else:
        child.text = sample_value(item, rng) if value is _MISSING else to_text(value)


def _write_raw(element: etree._Element, data: Mapping[str, Any], namespace: str | None) -> None:
    for name, value in data.items():
        if value is None:
            continue
        for entry in value if isinstance(value, (list, tuple)) else [value]:
            child = _child(element, name, namespace)
            if isinstance(entry, Mapping):
                _write_raw(child, entry, namespace)
            else:
                child.text = to_text(entry)


def response_document(
    action: str,
    namespace: str,
    request_id: str,
    result_element: str,
    spec: ResultShapeSpec | None,
    rng: random.Random,
    data: Mapping[str, Any] | None = None,
    *,
    result_is_root: bool = False,
    generate: bool = True,
) -> bytes:
    """`<ActionResponse xmlns=..><ActionResult>..</ActionResult><ResponseMetadata>..`, as bytes."""
    root = etree.Element(f"{{{namespace}}}{action}Response", nsmap=default_namespace(namespace))
    if result_is_root:
        write_result(root, spec, rng, data, namespace, generate=generate)
    else:
        result = _child(root, result_element, namespace)
        write_result(result, spec, rng, data, namespace, generate=generate)
    metadata = _child(root, "ResponseMetadata", namespace)
    _child(metadata, "RequestId", namespace).text = request_id
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))


def error_document(
    namespace: str, code: str, message: str, request_id: str, error_type: str = "Sender"
) -> bytes:
    """The documented `<ErrorResponse>`: Type, Code and Message, then the RequestID.

    A message that echoes request text keeps it, except characters XML cannot hold (U+FFFD).
    """
    root = etree.Element(f"{{{namespace}}}ErrorResponse", nsmap=default_namespace(namespace))
    error = _child(root, "Error", namespace)
    _child(error, "Type", namespace).text = xml_safe(error_type)
    _child(error, "Code", namespace).text = xml_safe(code)
    _child(error, "Message", namespace).text = xml_safe(message)
    _child(root, "RequestID", namespace).text = xml_safe(request_id)
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))


def xml_reply(
    section: SectionSpec,
    operation: Operation[Any],
    request_id: str,
    seed: int,
    data: Mapping[str, Any] | None,
    *,
    generate: bool = True,
) -> Reply:
    """The action's response XML: `data` where given, the rest generated from the seed (or
    left out: `generate=False`)."""
    rng = random.Random(f"{seed}/{section.name}/{operation.name}")
    body = response_document(
        operation.name,
        section.namespace,
        request_id,
        operation.result_element,
        operation.result_shape,
        rng,
        data,
        result_is_root=operation.result_is_root,
        generate=generate,
    )
    return Reply(200, body, XML_HEADERS)
