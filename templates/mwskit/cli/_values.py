"""Command line text (or --cli-input-json values) to the Python values the client takes.

Scalars are read by the library's own wire rules (`rules.read_wire`: the text MWS itself would
accept); everything else (types, allowed values, lengths, ranges, required parameters, rules
between parameters) is checked afterwards by the client's encoder, so the messages are the
library's. Structures take JSON (`{"Name": "Jane", "PostalCode": "98101"}`) or `key=value,...`,
their keys the Python or the wire names of the fields.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from .._runtime import rules
from .._runtime.descriptors import (
    BOOLEAN,
    DATE,
    DATETIME,
    DECIMAL,
    INTEGER,
    Param,
    ShapeSpec,
)


class UsageError(ValueError):
    """A command line value that cannot be read (exit status 2)."""


_EXPECTED = {
    rules.NOT_INTEGER: "an integer",
    rules.TOO_MANY_DIGITS: f"an integer of at most {rules.MAX_INTEGER_DIGITS} digits",
    rules.NOT_DECIMAL: "a decimal number",
    rules.NOT_BOOLEAN: "true or false",
    rules.NOT_DATETIME: "an ISO 8601 date and time (2024-01-01T00:00:00Z)",
    rules.NOT_DATE: "a date (2024-01-01)",
}


def convert(param: Param, raw: Any, where: str) -> Any:
    """The value of one parameter; `raw` is a string, a list of them, or JSON data."""
    if param.is_list:
        items = raw if isinstance(raw, list) else [raw]
        if param.shape is not None and len(items) == 1 and _json_array(items[0]):
            items = _json(items[0], where)  # a list of structures as one JSON array
        return [_one(param, item, f"{where}[{index}]") for index, item in enumerate(items)]
    if isinstance(raw, list) and len(raw) == 1:
        raw = raw[0]
    return _one(param, raw, where)


def _json_array(text: object) -> bool:
    return isinstance(text, str) and text.lstrip().startswith("[")


def _json(text: str, where: str) -> Any:
    try:
        return json.loads(text, parse_float=Decimal)
    except json.JSONDecodeError as error:
        raise UsageError(f"{where}: not valid JSON ({error.msg} at column {error.colno})") from None


def _one(param: Param, raw: Any, where: str) -> Any:
    if param.shape is not None:
        return _structure(param.shape, raw, f"{where} ({param.pattern})")
    if isinstance(raw, str):
        value = rules.read_wire(param, raw)
        if isinstance(value, rules.Violation):
            raise UsageError(f"{where} ({param.pattern}): {raw!r} is not {_EXPECTED[value.rule]}")
        return value
    if param.kind in (DATETIME, DATE) or (param.kind == BOOLEAN and not isinstance(raw, bool)):
        raise UsageError(
            f"{where} ({param.pattern}): {raw!r} is not {_EXPECTED['not_' + param.kind]}"
        )
    if param.kind == DECIMAL and isinstance(raw, (int, Decimal)) and not isinstance(raw, bool):
        return Decimal(raw)
    if param.kind == INTEGER and isinstance(raw, Decimal) and raw == raw.to_integral_value():
        return int(raw)
    return raw  # JSON data of another type: the encoder names the type it wants


def _structure(shape: ShapeSpec, raw: Any, where: str) -> Any:
    if isinstance(raw, str):
        raw = _json(raw, where) if raw.lstrip().startswith("{") else _pairs(raw, where)
    if not isinstance(raw, dict):
        raise UsageError(f"{where}: a {shape.name} is a JSON object or key=value,...")
    values: dict[str, Any] = {}
    for key, item in raw.items():
        field = shape.by_key.get(key) or shape.by_key.get(str(key).replace("-", "_"))
        if field is None:
            allowed = ", ".join(f.python_name for f in shape.fields)
            raise UsageError(f"{where}: {shape.name} has no field {key!r}; fields: {allowed}")
        values[field.python_name] = convert(field, item, f"{where}.{field.python_name}")
    missing = [f.python_name for f in shape.fields if f.required and f.python_name not in values]
    if missing:
        raise UsageError(f"{where}: {shape.name} needs {', '.join(missing)}")
    return shape.cls(**values)


def _pairs(text: str, where: str) -> dict[str, str]:
    found: dict[str, str] = {}
    for part in text.split(","):
        key, equals, value = part.partition("=")
        if not equals or not key.strip():
            raise UsageError(f"{where}: {part!r} is not key=value (or pass JSON)")
        found[key.strip()] = value
    return found


_SKELETON_SCALARS: dict[str, Any] = {
    "string": "",
    "integer": 0,
    "decimal": "0.00",
    "boolean": False,
    "datetime": "2024-01-01T00:00:00Z",
    "date": "2024-01-01",
}


def skeleton(param: Param) -> Any:
    """A placeholder value of the parameter's type, for --generate-cli-skeleton."""
    if param.shape is not None:
        value: Any = {field.python_name: skeleton(field) for field in param.shape.fields}
    elif param.values:
        value = sorted(param.values)[0]
    else:
        value = _SKELETON_SCALARS[param.kind]
    return [value] if param.is_list else value
