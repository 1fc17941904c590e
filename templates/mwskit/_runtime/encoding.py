"""Validate call arguments against an operation's descriptors and encode them as wire pairs.

Everything here runs before any network I/O; each error names the method, the Python
argument path and the wire name, and says what is allowed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from . import rules
from .descriptors import (
    BOOLEAN,
    DATE,
    DATETIME,
    DECIMAL,
    INTEGER,
    STRING,
    STRUCTURE,
    Operation,
    Param,
    ShapeSpec,
)

Pairs = list[tuple[str, str]]


class _Place:
    """Where a value sits, for error messages: `items[0].prep_details_list[1] (Items.member.1...)`.

    Built only when a value is refused: the successful path never words a place.
    """

    __slots__ = ("method", "python", "wire")

    def __init__(self, method: str, python: str, wire: str) -> None:
        self.method = method
        self.python = python
        self.wire = wire

    def __str__(self) -> str:
        return f"{self.method}(): {self.python} ({self.wire})"


class _Refused(Exception):
    """A scalar refused before its place is worded: `at(place)` is the error a caller sees.

    Every message about one scalar starts with its place; `rest` is the text after it.
    """

    def __init__(self, error: type[Exception], rest: str) -> None:
        super().__init__(rest)
        self.error = error
        self.rest = rest

    def at(self, place: _Place) -> Exception:
        return self.error(f"{place}{self.rest}")


def format_datetime(value: datetime) -> str:
    """ISO 8601 in UTC with a `Z`: `2024-01-01T00:00:00Z` (milliseconds only when present)."""
    utc = value if value.tzinfo is UTC else value.astimezone(UTC)
    if utc.microsecond:  # isoformat truncates to milliseconds, as MWS writes them
        return utc.isoformat(timespec="milliseconds")[:23] + "Z"
    return utc.isoformat(timespec="seconds")[:19] + "Z"  # the first 19 characters: no offset


def _type_name(value: object) -> str:
    return type(value).__name__


def _allowed_list(values: frozenset[str]) -> str:
    return ", ".join(repr(value) for value in sorted(values))


def _encode_scalar(param: Param, value: Any) -> str:
    """The wire text of one scalar: its Python type here, then the shared rules (`rules.py`).

    Raises _Refused (worded without its place) when the value is refused.
    """
    kind = param.kind
    if kind == STRING:
        if not isinstance(value, str):
            raise _Refused(TypeError, f" must be a str, not {_type_name(value)}")
        broken = rules.check_text(param, value)
        if broken is not None:
            raise _refusal(param, value, broken)
        return value if type(value) is str else str(value)  # an enum member: its value
    if kind == DATETIME:
        if not isinstance(value, datetime):
            raise _Refused(
                TypeError, f" must be a timezone-aware datetime, not {_type_name(value)}"
            )
        if value.utcoffset() is None:
            raise _Refused(
                ValueError,
                " must be a timezone-aware datetime; got a naive datetime "
                "(add tzinfo, e.g. timezone.utc)",
            )
        return format_datetime(value)
    if kind == BOOLEAN:
        if not isinstance(value, bool):
            raise _Refused(TypeError, f" must be a bool, not {_type_name(value)}")
        return "true" if value else "false"
    if kind == INTEGER:
        if not isinstance(value, int) or isinstance(value, bool):
            raise _Refused(TypeError, f" must be an int, not {_type_name(value)}")
        broken = rules.check_number(param, value)
        if broken is not None:
            raise _refusal(param, value, broken)
        return str(value)
    if kind == DECIMAL:
        if isinstance(value, bool) or not isinstance(value, (Decimal, int, float)):
            raise _Refused(TypeError, f" must be a Decimal, int or float, not {_type_name(value)}")
        number = value if isinstance(value, Decimal) else Decimal(str(value))
        broken = rules.check_number(param, number)
        if broken is not None:
            raise _refusal(param, value, broken)
        return format(number, "f")
    if kind == DATE:
        if not isinstance(value, date) or isinstance(value, datetime):
            raise _Refused(TypeError, f" must be a date, not {_type_name(value)}")
        return value.isoformat()
    raise AssertionError(f"unknown parameter kind {kind!r}")  # the generator never emits one


def _refusal(param: Param, value: Any, broken: rules.Violation) -> _Refused:
    """The ValueError that words `broken` (a rule `value` breaks) for a Python caller."""
    rule = broken.rule
    if rule == rules.NOT_ALLOWED:
        assert param.values is not None
        return _Refused(
            ValueError,
            f": {value!r} is not an allowed value; allowed: {_allowed_list(param.values)}",
        )
    if rule == rules.TOO_LONG:
        return _Refused(
            ValueError, f" must be at most {param.max_length} characters; got {broken.got}"
        )
    if rule == rules.TOO_SHORT:
        return _Refused(
            ValueError, f" must be at least {param.min_length} characters; got {broken.got}"
        )
    if rule == rules.NOT_FINITE:
        return _Refused(ValueError, f" must be a finite number; got {value!r}")
    if rule == rules.TOO_MANY_DIGITS:
        return _Refused(
            ValueError, f" must be an integer of at most {rules.MAX_INTEGER_DIGITS} digits"
        )
    low, high = param.min_value, param.max_value  # BELOW_MIN or ABOVE_MAX: say both bounds
    bounds = " and ".join(
        text
        for text in (
            f"at least {low}" if low is not None else "",
            f"at most {high}" if high is not None else "",
        )
        if text
    )
    number = value if isinstance(value, Decimal) else Decimal(str(value))
    return _Refused(ValueError, f" must be {bounds}; got {number}")


def _shape_items(shape: ShapeSpec, value: Any, place: _Place) -> Iterable[tuple[Param, Any]]:
    """(field, value) pairs of a structure given as its dataclass or as a mapping."""
    if isinstance(value, shape.cls):
        return ((item, getattr(value, item.python_name)) for item in shape.fields)
    if isinstance(value, Mapping):
        found: dict[str, Any] = {}
        for key, item_value in value.items():
            item = shape.by_key.get(key) if isinstance(key, str) else None
            if item is None:
                names = ", ".join(item.python_name for item in shape.fields)
                raise ValueError(f"{place}: unknown field {key!r}; fields: {names}")
            if item.python_name in found:
                raise ValueError(f"{place}: field {item.python_name!r} given twice")
            found[item.python_name] = item_value
        return ((item, found.get(item.python_name)) for item in shape.fields)
    raise TypeError(f"{place} must be a {shape.name} or a mapping, not {_type_name(value)}")


def _encode_structure(param: Param, value: Any, place: _Place, out: Pairs) -> None:
    assert param.shape is not None
    for item, item_value in _shape_items(param.shape, value, place):
        _encode_param(item, item_value, place.wire + ".", place.method, place.python + ".", out)


def _encode_list(
    param: Param, value: Any, wire_prefix: str, method: str, python: str, out: Pairs
) -> None:
    """A list's items, numbered 1..N by position; places are worded only for an error."""
    if type(value) not in (list, tuple) and (
        isinstance(value, (str, bytes, bytearray, Mapping)) or not isinstance(value, Iterable)
    ):
        place = _Place(method, python, wire_prefix + param.pattern)
        raise TypeError(f"{place} must be an iterable of values (a list), not {_type_name(value)}")
    wire = wire_prefix + param.wire
    structure = param.kind == STRUCTURE
    count = 0
    for count, item in enumerate(value, 1):
        if item is None:
            place = _Place(method, f"{python}[{count - 1}]", f"{wire}{count}")
            raise ValueError(f"{place} is None; lists cannot hold None")
        if structure:
            place = _Place(method, f"{python}[{count - 1}]", f"{wire}{count}")
            before = len(out)
            _encode_structure(param, item, place, out)
            if len(out) == before:  # items are numbered by position: an empty one leaves a gap
                raise ValueError(f"{place} sets no field; a list item must set at least one")
            continue
        try:
            out.append((f"{wire}{count}", _encode_scalar(param, item)))
        except _Refused as refused:
            raise refused.at(_Place(method, f"{python}[{count - 1}]", f"{wire}{count}")) from None
    # A batch list takes any number: the call is split into requests of max_items (batches.py).
    if not param.batch and rules.check_item_count(param, count) is not None:
        place = _Place(method, python, wire_prefix + param.pattern)
        raise ValueError(f"{place} accepts at most {param.max_items} items; got {count}")
    if count == 0 and param.required:
        place = _Place(method, python, wire_prefix + param.pattern)
        raise ValueError(f"{place} is required; got an empty list")


def _encode_param(
    param: Param, value: Any, wire_prefix: str, method: str, python_prefix: str, out: Pairs
) -> None:
    """Encode one parameter or field; `*_prefix` say where its enclosing structure sits."""
    python = python_prefix + param.python_name
    if value is None:
        if param.required:
            raise ValueError(f"{_Place(method, python, wire_prefix + param.pattern)} is required")
        return
    if param.is_list:
        _encode_list(param, value, wire_prefix, method, python, out)
        return
    wire = wire_prefix + param.wire
    if param.kind != STRUCTURE:
        try:
            out.append((wire, _encode_scalar(param, value)))
        except _Refused as refused:
            raise refused.at(_Place(method, python, wire)) from None
        return
    place = _Place(method, python, wire)
    before = len(out)
    _encode_structure(param, value, place, out)
    if param.required and len(out) == before:
        raise ValueError(f"{place} is required; got a structure with no field set")


def _check_constraints(operation: Operation[Any], given: set[str]) -> None:
    """`given`: the parameters that put at least one pair on the wire (an empty list did not)."""
    broken = rules.broken_constraint(operation.constraints, given)
    if broken is None:
        return
    method = operation.method
    rule, present = broken.constraint, broken.present
    if rule.kind == "exactly_one_of":
        got = "none" if broken.none_given else " and ".join(present)
        raise ValueError(f"{method}(): give exactly one of {', '.join(rule.parameters)}; got {got}")
    if rule.kind == "at_most_one_of":
        raise ValueError(
            f"{method}(): give at most one of {', '.join(rule.parameters)}; "
            f"got {' and '.join(present)}"
        )
    raise ValueError(f"{method}(): {rule.parameter} cannot be combined with {', '.join(present)}")


def encode_parameters(operation: Operation[Any], values: tuple[Any, ...]) -> Pairs:
    """Validate `values` (in the order of `operation.params`) and return the wire pairs."""
    out: Pairs = []
    method = operation.method
    given: set[str] = set()
    for param, value in zip(operation.params, values, strict=False):
        if value is None:
            if param.required:
                raise ValueError(f"{method}(): {param.python_name} ({param.pattern}) is required")
            continue
        before = len(out)
        if param.is_list:
            _encode_list(param, value, "", method, param.python_name, out)
        elif param.kind == STRUCTURE:
            _encode_param(param, value, "", method, "", out)
        else:
            try:
                out.append((param.wire, _encode_scalar(param, value)))
            except _Refused as refused:
                raise refused.at(_Place(method, param.python_name, param.wire)) from None
        if len(out) > before:
            given.add(param.python_name)
    if operation.constraints:
        _check_constraints(operation, given)
    return out
