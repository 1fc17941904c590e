"""The argument rules, once: what a parameter's value may be, for the client and the sandbox alike.

The client's encoder (`encoding.py`) checks Python arguments with `check_value` before any I/O;
the sandbox checks the wire text it received with `check_wire`, which reads the text by the
parameter's kind and then applies the same `check_value`. List limits (`check_item_count`) and
the rules between parameters (`broken_constraint`) are shared the same way. Each check returns
None when the value keeps the rules, or a `Violation` saying which rule it breaks; each side
words it its own way (a Python exception naming the argument, an MWS error answer).

The wire forms are the XML Schema types the MWS docs give their parameters: xs:int and xs:long
(at most 19 digits, ASCII), xs:decimal, xs:boolean (`true`/`false`), xs:date (`YYYY-MM-DD`) and
xs:dateTime in the ISO 8601 profile of DG_ISO8601 (combined date and time, no truncated forms).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal

from .descriptors import BOOLEAN, DATE, DATETIME, DECIMAL, INTEGER, Constraint, Param

MAX_INTEGER_DIGITS = 19  # xs:long, the widest integer MWS takes, has 19 digits
_INTEGER_LIMIT = 10**MAX_INTEGER_DIGITS

# The broken rules a Violation names.
NOT_ALLOWED = "not_allowed"  # not one of the allowed values (a closed enum)
TOO_LONG = "too_long"  # more than max_length characters
TOO_SHORT = "too_short"  # fewer than min_length characters
TOO_MANY_DIGITS = "too_many_digits"  # an integer of more than MAX_INTEGER_DIGITS digits
NOT_FINITE = "not_finite"  # a decimal that is NaN or infinite
BELOW_MIN = "below_min"  # less than min_value
ABOVE_MAX = "above_max"  # more than max_value
TOO_MANY_ITEMS = "too_many_items"  # a list of more than max_items items
# Wire syntax (the sandbox's side: the client's encoder writes these forms by construction).
NOT_INTEGER = "not_integer"
NOT_DECIMAL = "not_decimal"
NOT_BOOLEAN = "not_boolean"
NOT_DATETIME = "not_datetime"
NOT_DATE = "not_date"

Number = int | Decimal
Value = str | int | Decimal | bool | datetime | date

_INTEGER_TEXT = re.compile(r"[+-]?([0-9]+)")
_DECIMAL_TEXT = re.compile(r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)")  # the xs:decimal lexical form
_DATE_TEXT = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_DATETIME_TEXT = re.compile(
    r"(?P<date>[0-9]{4}-[0-9]{2}-[0-9]{2})T(?P<time>[0-9]{2}:[0-9]{2}:[0-9]{2}([.,][0-9]+)?)"
    r"(?P<zone>Z|[+-][0-9]{2}(:?[0-9]{2})?)?"
)


@dataclass(frozen=True, slots=True)
class Violation:
    """The rule a value breaks: one of the names above; `got` is a length or item count."""

    rule: str
    got: int | None = None


def _bound(limit: int | float) -> Number:
    """A spec bound as written (`0.1`, not the binary float nearest to it)."""
    return Decimal(repr(limit)) if isinstance(limit, float) else limit


def check_number(param: Param, value: Number) -> Violation | None:
    """Integer size, then the range min_value..max_value, compared exactly."""
    if isinstance(value, Decimal):
        if not value.is_finite():
            return Violation(NOT_FINITE)
    elif not -_INTEGER_LIMIT < value < _INTEGER_LIMIT:
        return Violation(TOO_MANY_DIGITS)
    if param.min_value is not None and value < _bound(param.min_value):
        return Violation(BELOW_MIN)
    if param.max_value is not None and value > _bound(param.max_value):
        return Violation(ABOVE_MAX)
    return None


def check_text(param: Param, value: str) -> Violation | None:
    """Allowed values (unless open), then max_length and min_length in characters."""
    if param.values is not None and not param.open_values and value not in param.values:
        return Violation(NOT_ALLOWED)
    if param.max_length is not None and len(value) > param.max_length:
        return Violation(TOO_LONG, len(value))
    if param.min_length is not None and len(value) < param.min_length:
        return Violation(TOO_SHORT, len(value))
    return None


def check_value(param: Param, value: Value) -> Violation | None:
    """The rules of one scalar already of its kind's Python type (str, int, Decimal, ...)."""
    if isinstance(value, str):
        return check_text(param, value)
    if isinstance(value, (int, Decimal)) and not isinstance(value, bool):
        return check_number(param, value)
    return None  # booleans, dates and times: any value of the type is allowed


def read_wire(param: Param, text: str) -> Value | Violation:
    """The wire text of one scalar read as its kind's Python value, or the syntax it breaks."""
    kind = param.kind
    if kind == INTEGER:
        found = _INTEGER_TEXT.fullmatch(text)
        if found is None:
            return Violation(NOT_INTEGER)
        if len(found.group(1)) > MAX_INTEGER_DIGITS:  # before int(): it has a digit limit
            return Violation(TOO_MANY_DIGITS)
        return int(text)
    if kind == DECIMAL:
        if _DECIMAL_TEXT.fullmatch(text) is None:
            return Violation(NOT_DECIMAL)
        return Decimal(text)
    if kind == BOOLEAN:
        return text == "true" if text in ("true", "false") else Violation(NOT_BOOLEAN)
    if kind == DATETIME:
        when = parse_datetime(text)
        return Violation(NOT_DATETIME) if when is None else when
    if kind == DATE:
        day = parse_date(text)
        return Violation(NOT_DATE) if day is None else day
    return text


def check_wire(param: Param, text: str) -> Violation | None:
    """Every rule for one scalar as received: its kind's syntax, then `check_value`."""
    value = read_wire(param, text)
    return value if isinstance(value, Violation) else check_value(param, value)


def parse_date(text: str) -> date | None:
    """An xs:date `YYYY-MM-DD` in ASCII digits that names a real day, or None."""
    if _DATE_TEXT.fullmatch(text) is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def parse_datetime(text: str) -> datetime | None:
    """An ISO 8601 date and time as DG_ISO8601 writes them, always aware, or None.

    `2024-01-02T03:04:05.678Z` or with an offset (`+09:00`, `-07`), fractions optional; a value
    without a zone is UTC. Dates alone, basic (`20240102T...`) and other forms are refused.
    """
    found = _DATETIME_TEXT.fullmatch(text)
    if found is None:
        return None
    zone = found.group("zone") or ""
    if zone == "Z":
        zone = "+00:00"
    elif len(zone) == 3:
        zone += ":00"
    time_text = found.group("time").replace(",", ".")
    head, dot, fraction = time_text.partition(".")
    if dot:
        time_text = f"{head}.{(fraction + '000000')[:6]}"  # fromisoformat takes 3 or 6 digits
    try:
        value = datetime.fromisoformat(f"{found.group('date')}T{time_text}{zone}")
    except ValueError:
        return None
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def check_item_count(param: Param, count: int) -> Violation | None:
    """A list's number of items against max_items."""
    if param.max_items is not None and count > param.max_items:
        return Violation(TOO_MANY_ITEMS, count)
    return None


@dataclass(frozen=True, slots=True)
class BrokenConstraint:
    """A rule between parameters that the given ones break; `present`: those of its list given."""

    constraint: Constraint
    present: tuple[str, ...]

    @property
    def none_given(self) -> bool:
        """exactly_one_of with none of its parameters given (else: too many, or a conflict)."""
        return not self.present


def broken_constraint(
    constraints: Iterable[Constraint], given: Collection[str]
) -> BrokenConstraint | None:
    """The first constraint broken by `given` (Python names of the parameters that put at least
    one pair on the wire: an empty list puts none), or None.

    exactly_one_of: one of them; at_most_one_of: not two; excludes: `parameter` with none of them.
    """
    for rule in constraints:
        if rule.kind == "excludes" and rule.parameter not in given:
            continue  # the common case, decided without looking at the list
        present = [name for name in rule.parameters if name in given]
        if rule.kind == "exactly_one_of":
            broken = len(present) != 1
        elif rule.kind == "at_most_one_of":
            broken = len(present) > 1
        else:
            broken = bool(present)
        if broken:
            return BrokenConstraint(rule, tuple(present))
    return None
