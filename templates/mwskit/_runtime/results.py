"""Typed results: read an XML element into the generated dataclass its descriptor names.

The generator writes one `ResultShapeSpec` per response structure; `read_shape` walks the
element's children once, looking each tag up in a dict, so unknown elements cost one miss and
are skipped (new fields from the service never break old clients).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

from lxml import etree

from .errors import ResponseParseError
from .xml import local_tag

ELEMENT = "element"
ATTRIBUTE = "attribute"
TEXT = "text"


@dataclass(frozen=True, slots=True, kw_only=True)
class MWSResult:
    """What every answer carries besides its own fields.

    `server_time` and the quota fields come from the `x-mws-timestamp` and `x-mws-quota-*`
    headers (None when the service did not send them); `body` is the raw response body.
    A call split into several requests (a batch list longer than one request takes) answers
    with its items merged in the order asked; `parts` then holds each request's own answer,
    with its request_id and items, and the other fields are those of the last request.
    """

    request_id: str | None = None
    server_time: datetime | None = None
    quota_max: int | None = None
    quota_remaining: int | None = None
    quota_resets_on: datetime | None = None
    headers: Mapping[str, str] = field(default_factory=dict, repr=False, compare=False)
    body: bytes = field(default=b"", repr=False, compare=False)
    parts: tuple[MWSResult, ...] = field(default=(), repr=False, compare=False)


def _to_str(text: str) -> str:
    return text


_LONGEST_NUMBER = 40  # longer digit strings are not MWS values; refusing them bounds the work


def _to_int(text: str) -> int:
    if len(text) > _LONGEST_NUMBER:
        raise ValueError(text)
    try:
        return int(text)
    except ValueError:
        value = Decimal(text.strip())  # "3.0" is still the integer 3
        if not value.is_finite() or value.adjusted() > _LONGEST_NUMBER:
            raise ValueError(text) from None
        if value != value.to_integral_value():
            raise ValueError(text) from None
        return int(value)


def _to_decimal(text: str) -> Decimal:
    if len(text) > _LONGEST_NUMBER:
        raise ValueError(text)
    value = Decimal(text.strip())
    if not value.is_finite():
        raise ValueError(text)
    return value


_TRUE = frozenset({"true", "1", "y", "yes"})
_FALSE = frozenset({"false", "0", "n", "no"})


def _to_bool(text: str) -> bool:
    if text == "true":  # what MWS sends, nearly always
        return True
    if text == "false":
        return False
    lowered = text.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ValueError(text)


# Other spellings seen in MWS answers: the HTTP date of the x-mws-quota-resetsOn header
# (docs: DG_Throttling) and the US form of some MerchantFulfillment examples.
_US_FORMATS = ("%m/%d/%Y %H:%M:%S", "%m/%d/%Y")


def to_datetime(text: str) -> datetime:
    """A time as MWS writes it, always timezone-aware.

    ISO 8601 (`2017-02-20T19:49:35.123Z`) first, then an HTTP date (`Wed, 06 Mar 2013
    19:07:58 GMT`) and `10/16/2018 07:41:12`. A value without an offset is UTC, the only zone
    MWS writes times in.
    """
    text = text.strip()
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        value = _other_datetime(text)
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def _other_datetime(text: str) -> datetime:
    if text[:1].isalpha():
        try:
            from email.utils import parsedate_to_datetime  # rare; costly to import

            return parsedate_to_datetime(text)
        except (TypeError, ValueError):
            pass
    for pattern in _US_FORMATS:
        try:
            return datetime.strptime(text, pattern)
        except ValueError:
            pass
    raise ValueError(text)


def _to_date(text: str) -> date:
    text = text.strip()
    return date.fromisoformat(text[:10]) if len(text) > 10 else date.fromisoformat(text)


_CONVERTERS: dict[str, Callable[[str], Any]] = {
    "string": _to_str,
    "integer": _to_int,
    "decimal": _to_decimal,
    "boolean": _to_bool,
    "datetime": to_datetime,
    "date": _to_date,
}


_PLAIN, _CONVERTED, _NESTED, _WRAPPED = range(4)
_MAX_REMEMBERED_TAGS = 1024


@dataclass(frozen=True, slots=True)
class ResultField:
    """One value of a response structure.

    `source` says where it is read from: a child element named `xml_name`, an attribute named
    `xml_name`, or the element's own text. A list either repeats the element in place
    (`item` None) or wraps items named `item` in the element. A `required` value is one the
    docs say MWS always sends: its dataclass field is not Optional, and an answer without it
    is refused (ResponseParseError naming the element's path).
    """

    python_name: str
    xml_name: str
    kind: str
    source: str = ELEMENT
    shape: ResultShapeSpec | None = None
    enum: type[Enum] | None = None
    is_list: bool = False
    item: str | None = None
    required: bool = False
    mode: int = field(init=False, repr=False, compare=False)  # how read_shape reads it

    def __post_init__(self) -> None:
        if self.item is not None:
            mode = _WRAPPED
        elif self.shape is not None:
            mode = _NESTED
        elif self.kind == "string" and self.enum is None:
            mode = _PLAIN
        else:
            mode = _CONVERTED
        object.__setattr__(self, "mode", mode)


@dataclass(frozen=True, slots=True)
class ResultShapeSpec:
    """A response structure: the dataclass to build and where each of its fields comes from."""

    cls: type[Any]
    fields: tuple[ResultField, ...]
    by_tag: dict[object, ResultField | None] = field(init=False, repr=False, compare=False)
    attributes: tuple[ResultField, ...] = field(init=False, repr=False, compare=False)
    text: ResultField | None = field(init=False, repr=False, compare=False)
    required: tuple[ResultField, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # by_tag starts with the local names and learns each namespaced tag on first sight.
        by_tag: dict[object, ResultField | None] = {
            item.xml_name: item for item in self.fields if item.source == ELEMENT
        }
        object.__setattr__(self, "by_tag", by_tag)
        attributes = tuple(item for item in self.fields if item.source == ATTRIBUTE)
        object.__setattr__(self, "attributes", attributes)
        text = next((item for item in self.fields if item.source == TEXT), None)
        object.__setattr__(self, "text", text)
        required = tuple(item for item in self.fields if item.required and not item.is_list)
        object.__setattr__(self, "required", required)

    def field_for(self, tag: object) -> ResultField | None:
        """The field a child tag fills (None for unknown elements, comments and PIs)."""
        found: ResultField | None = None
        if isinstance(tag, str):
            found = self.by_tag.get(local_tag(tag))
        # Remember unknown tags too, up to a bound: answers with ever new names must not grow it.
        if found is not None or len(self.by_tag) < _MAX_REMEMBERED_TAGS:
            self.by_tag[tag] = found
        return found


# A field whose structure is the enclosing shape itself (Products' parent category).
SAME_SHAPE = ResultShapeSpec(object, ())


def _namespaced_attribute(attrib: etree._Attrib, name: str) -> str | None:
    """An attribute in a namespace (`xml:lang` is stored as `{...}lang`), by its local name."""
    for key, value in attrib.items():
        if isinstance(key, str) and key.endswith("}" + name):
            return str(value)
    return None


def _scalar(spec: ResultShapeSpec, item: ResultField, text: str | None) -> Any:
    if item.kind == "string":
        # Surrounding whitespace is layout (pretty-printed answers), never part of a value.
        text = text.strip() if text else ""
        if item.enum is not None and text:
            return item.enum._value2member_map_.get(text, text)
        return text
    if text is None or not text.strip():
        return None
    try:
        return _CONVERTERS[item.kind](text)
    except (ValueError, ArithmeticError):
        raise ResponseParseError(
            f"{spec.cls.__name__}.{item.python_name} ({item.xml_name}) should be "
            f"{'an' if item.kind[0] in 'aeiou' else 'a'} {item.kind}; got {text[:80]!r}"
        ) from None


def _value(spec: ResultShapeSpec, item: ResultField, element: etree._Element) -> Any:
    if item.shape is not None:
        return read_shape(element, spec if item.shape is SAME_SHAPE else item.shape)
    return _scalar(spec, item, element.text)


_UNSEEN: Any = object()


def read_shape(
    element: etree._Element, spec: ResultShapeSpec, extra: dict[str, Any] | None = None
) -> Any:
    """Build `spec.cls` from an lxml element; `extra` adds fields (response metadata)."""
    values: dict[str, Any] = {}
    if spec.attributes:
        attrib = element.attrib
        for item in spec.attributes:
            raw = attrib.get(item.xml_name)
            if raw is None and attrib:
                raw = _namespaced_attribute(attrib, item.xml_name)
            if raw is not None:
                values[item.python_name] = _scalar(spec, item, raw)
    if spec.text is not None:
        values[spec.text.python_name] = _scalar(spec, spec.text, element.text)
    by_tag = spec.by_tag
    # The hot loop: one dict lookup per child, plain strings read inline.
    for child in element:
        target = by_tag.get(child.tag, _UNSEEN)
        if target is _UNSEEN:
            target = spec.field_for(child.tag)
        if target is None:
            continue
        mode = target.mode
        if mode == _PLAIN:
            text = child.text
            # Surrounding whitespace is layout (pretty-printed answers), never part of a value.
            value = text.strip() if text else ""
        elif mode == _NESTED:
            shape = target.shape
            value = read_shape(child, spec if shape is SAME_SHAPE else shape)
        elif mode == _CONVERTED:
            value = _scalar(spec, target, child.text)
        else:
            wanted = target.item
            items = [
                _value(spec, target, entry) for entry in child if local_tag(entry.tag) == wanted
            ]
            # A wrapper may appear more than once (Finances pages do): its items add up.
            values.setdefault(target.python_name, []).extend(items)
            continue
        if target.is_list:
            values.setdefault(target.python_name, []).append(value)
        else:
            values[target.python_name] = value
    if spec.required:
        _check_required(element, spec, values)
    if extra:
        values.update(extra)
    return spec.cls(**values)


def _check_required(element: etree._Element, spec: ResultShapeSpec, values: dict[str, Any]) -> None:
    """Refuse an answer that lacks a value MWS always sends, naming where it should be."""
    for item in spec.required:
        if values.get(item.python_name) is None:
            path = [local_tag(node.tag) for node in element.iterancestors()][::-1]
            path.append(local_tag(element.tag))
            where = "/".join(path)
            if item.source == ATTRIBUTE:
                where += f"/@{item.xml_name}"
            elif item.source == ELEMENT:
                where += f"/{item.xml_name}"
            raise ResponseParseError(
                f"{where} is missing or empty: {spec.cls.__name__}.{item.python_name} is always "
                "sent by MWS (the docs mark it required)"
            )
