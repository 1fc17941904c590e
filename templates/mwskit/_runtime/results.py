"""Typed results: read an XML element into the generated dataclass its descriptor names.

The generator writes one `ResultShapeSpec` per response structure and, from the same model, one
reader function per structure (<section>/_readers.py) that walks the element's children once,
finding each tag's slot in a dict, so unknown elements cost one miss and are skipped (new fields
from the service never break old clients). Both are built from the rules below.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from enum import Enum
from types import MappingProxyType
from typing import Any, NoReturn

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
    "integer": _to_int,
    "decimal": _to_decimal,
    "boolean": _to_bool,
    "datetime": to_datetime,
    "date": _to_date,
}

# The building blocks of every reader: the generated per-shape readers (<section>/_readers.py)
# and `read_shape`, which reads a hand-built ResultShapeSpec, both apply each rule through them.


def convert_text(text: str | None, kind: str, owner: str, python_name: str, xml_name: str) -> Any:
    """A non-string scalar (None when absent or blank); ResponseParseError naming the field
    `owner.python_name (xml_name)` when the text is not one."""
    if text is None:
        return None
    try:
        return _CONVERTERS[kind](text)
    except (ValueError, ArithmeticError):
        # Blank text is an absent value; no converter accepts it, so it is checked only here.
        if not text.strip():
            return None
        raise ResponseParseError(
            f"{owner}.{python_name} ({xml_name}) should be "
            f"{'an' if kind[0] in 'aeiou' else 'a'} {kind}; got {text[:80]!r}"
        ) from None


def enum_member(members: Mapping[str, Any], text: str | None) -> Any:
    """An enum string: its member when known, else the stripped text (new values never break
    old clients)."""
    # Surrounding whitespace is layout (pretty-printed answers), never part of a value.
    text = text.strip() if text else ""
    return members.get(text, text) if text else text


_MAX_REMEMBERED_TAGS = 1024


def tag_slot(slots: dict[object, int], tag: object) -> int:
    """The slot a child's tag fills in `slots` (keyed by local name), -1 for unknown elements,
    comments and PIs; remembered under the tag itself, so each namespaced spelling is matched
    by its local name once."""
    slot = slots.get(local_tag(tag), -1)
    # Remember unknown tags too, up to a bound: answers with ever new names must not grow it.
    if slot >= 0 or len(slots) < _MAX_REMEMBERED_TAGS:
        slots[tag] = slot
    return slot


def attribute_text(element: etree._Element, name: str) -> str | None:
    """An attribute by its local name: plain, else in a namespace (`xml:lang` is `{...}lang`)."""
    attrib = element.attrib
    raw = attrib.get(name)
    if raw is None and attrib:
        for key, value in attrib.items():
            if isinstance(key, str) and key.endswith("}" + name):
                return str(value)
    return None if raw is None else str(raw)


def refuse_missing(element: etree._Element, owner: str, python_name: str, suffix: str) -> NoReturn:
    """Refuse an answer that lacks a value MWS always sends, naming where it should be
    (`suffix`: `/Name` for an element, `/@name` for an attribute, "" for the text)."""
    path = [local_tag(node.tag) for node in element.iterancestors()][::-1]
    path.append(local_tag(element.tag))
    raise ResponseParseError(
        f"{'/'.join(path)}{suffix} is missing or empty: {owner}.{python_name} is always "
        "sent by MWS (the docs mark it required)"
    )


NO_EXTRA: Mapping[str, Any] = MappingProxyType({})


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

    @property
    def suffix(self) -> str:
        """Where the value sits below its element, for `refuse_missing`."""
        if self.source == ATTRIBUTE:
            return f"/@{self.xml_name}"
        return f"/{self.xml_name}" if self.source == ELEMENT else ""


@dataclass(frozen=True, slots=True)
class ResultShapeSpec:
    """A response structure: the dataclass to build and where each of its fields comes from.

    The generated readers are specialised from the same tables; these stay for the sandbox's
    sample answers and for reading a hand-built spec (`read_shape`).
    """

    cls: type[Any]
    fields: tuple[ResultField, ...]
    by_tag: dict[object, int] = field(init=False, repr=False, compare=False)
    attributes: tuple[ResultField, ...] = field(init=False, repr=False, compare=False)
    text: ResultField | None = field(init=False, repr=False, compare=False)
    required: tuple[ResultField, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # by_tag: an element field's index in `fields` by its local name (see tag_slot).
        by_tag: dict[object, int] = {
            item.xml_name: index for index, item in enumerate(self.fields) if item.source == ELEMENT
        }
        object.__setattr__(self, "by_tag", by_tag)
        attributes = tuple(item for item in self.fields if item.source == ATTRIBUTE)
        object.__setattr__(self, "attributes", attributes)
        text = next((item for item in self.fields if item.source == TEXT), None)
        object.__setattr__(self, "text", text)
        required = tuple(item for item in self.fields if item.required and not item.is_list)
        object.__setattr__(self, "required", required)

    def reads(self, xml_name: str) -> bool:
        """Whether a child element named `xml_name` fills one of its fields."""
        return self.by_tag.get(xml_name, -1) >= 0


# A field whose structure is the enclosing shape itself (Products' parent category).
SAME_SHAPE = ResultShapeSpec(object, ())


def _scalar(spec: ResultShapeSpec, item: ResultField, text: str | None) -> Any:
    if item.kind != "string":
        return convert_text(text, item.kind, spec.cls.__name__, item.python_name, item.xml_name)
    if item.enum is not None:
        return enum_member(item.enum._value2member_map_, text)
    return text.strip() if text else ""


def _value(spec: ResultShapeSpec, item: ResultField, element: etree._Element) -> Any:
    if item.shape is not None:
        return read_shape(element, spec if item.shape is SAME_SHAPE else item.shape)
    return _scalar(spec, item, element.text)


def read_shape(
    element: etree._Element, spec: ResultShapeSpec, extra: Mapping[str, Any] = NO_EXTRA
) -> Any:
    """Build `spec.cls` from an lxml element; `extra` adds fields (response metadata).

    The generic reader of a hand-built spec: generated operations read their answers with
    their own generated reader (Operation.reader), made of the same building blocks.
    """
    values: dict[str, Any] = {}
    for item in spec.attributes:
        raw = attribute_text(element, item.xml_name)
        if raw is not None:
            values[item.python_name] = _scalar(spec, item, raw)
    if spec.text is not None:
        values[spec.text.python_name] = _scalar(spec, spec.text, element.text)
    by_tag = spec.by_tag
    fields = spec.fields
    for child in element:
        slot = by_tag.get(child.tag)
        if slot is None:
            slot = tag_slot(by_tag, child.tag)
        if slot < 0:
            continue
        target = fields[slot]
        if target.item is not None:
            wanted = target.item
            items = [
                _value(spec, target, entry) for entry in child if local_tag(entry.tag) == wanted
            ]
            # A wrapper may appear more than once (Finances pages do): its items add up.
            values.setdefault(target.python_name, []).extend(items)
            continue
        value = _value(spec, target, child)
        if target.is_list:
            values.setdefault(target.python_name, []).append(value)
        else:
            values[target.python_name] = value
    for item in spec.required:
        if values.get(item.python_name) is None:
            refuse_missing(element, spec.cls.__name__, item.python_name, item.suffix)
    return spec.cls(**values, **extra)
