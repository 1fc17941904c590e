"""What the reference docs print beyond the model's facts: type labels, throttling summaries,
and a short example call per action (with the imports a section's examples need)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from .model import Action, Parameter, Shape

_EXAMPLE_STRINGS = {
    "MarketplaceId": '"ATVPDKIKX0DER"',
    "MarketplaceIdList": '"ATVPDKIKX0DER"',
    "NextToken": '"token-from-the-previous-page"',
    "CountryCode": '"US"',
    "CurrencyCode": '"USD"',
    "ShipToCountryCode": '"US"',
}
_EXAMPLE_SCALARS = {
    "string": '"EXAMPLE"',
    "integer": "1",
    "decimal": 'Decimal("1.00")',
    "boolean": "True",
    "datetime": "datetime(2024, 1, 1, tzinfo=timezone.utc)",
    "date": "date(2024, 1, 1)",
}


def parameter_type_label(
    kind: str, shape: str | None, enum: str | None, values: tuple[str, ...], is_list: bool
) -> str:
    """`string`, `list of Address`, `OrderStatus (enum)`: a request parameter's type in words."""
    if kind == "structure":
        assert shape is not None
        label = shape
    elif enum is not None:
        label = f"{enum} (enum)"
    elif values:
        label = "string"
    else:
        label = kind
    return f"list of {label}" if is_list else label


def result_type_label(kind: str, shape: str | None, enum: str | None, is_list: bool) -> str:
    """A result field's type in words."""
    label = shape if shape is not None else f"{enum} (enum)" if enum is not None else kind
    return f"list of {label}" if is_list else label


def _duration(seconds: float) -> str:
    if seconds >= 60 and seconds % 60 == 0:
        minutes = int(seconds // 60)
        return "minute" if minutes == 1 else f"{minutes} minutes"
    text = f"{seconds:g}"
    return "second" if text == "1" else f"{text} seconds"


def throttling_summary(
    max_request_quota: int, restore_seconds: float, restore_unit: str, hourly: int | None
) -> str:
    """`30 requests at once, one more every 2 seconds, 1800 per hour`."""
    every = _duration(restore_seconds)
    text = f"{max_request_quota} requests at once, "
    if restore_unit == "item":
        text += f"restoring one item every {every}"
    else:
        text += f"one more every {every}"
    if hourly is not None:
        text += f", {hourly} per hour"
    return text


def _example_value(parameter: Parameter, shapes: Mapping[str, Shape], kinds: set[str]) -> str:
    """A value that passes the parameter's checks; `kinds` collects the scalar kinds used."""
    if parameter.kind == "structure":
        assert parameter.shape is not None
        shape_fields = shapes[parameter.shape].fields
        # A structure sends at least one field (an empty one is refused): its required fields,
        # else its first.
        fields = [f for f in shape_fields if f.required] or list(shape_fields[:1])
        inner = ", ".join(f"{f.python_name!r}: {_example_value(f, shapes, kinds)}" for f in fields)
        value = "{" + inner + "}"
    elif parameter.values:
        value = repr(parameter.values[0])
    elif parameter.kind == "string":
        value = _EXAMPLE_STRINGS.get(parameter.name, '"EXAMPLE"')
        if parameter.max_length is not None and len(value) - 2 > parameter.max_length:
            value = '"' + "X" * parameter.max_length + '"'  # the docs' examples must pass checks
    else:
        kinds.add(parameter.kind)
        value = _EXAMPLE_SCALARS[parameter.kind]
    return f"[{value}]" if parameter.is_list else value


def example(module: str, action: Action, shapes: Mapping[str, Shape], kinds: set[str]) -> str:
    """`result = mws.orders.list_orders(marketplace_id=[...], created_after=...)`.

    The required arguments, plus the first of each exactly-one-of group none of them settles.
    `kinds` collects the scalar kinds the example's values use (see `example_imports`).
    """
    chosen = {p.python_name for p in action.parameters if p.required}
    for constraint in action.constraints:
        if constraint.kind == "exactly_one_of" and not chosen & set(constraint.parameters):
            chosen.add(constraint.parameters[0])
    arguments = [
        f"{p.python_name}={_example_value(p, shapes, kinds)}"
        for p in action.parameters
        if p.python_name in chosen
    ]
    if action.request_body is not None:
        arguments.append(f'{action.request_body.python_name}=b"<?xml version=\\"1.0\\"?>..."')
    return f"result = mws.{module}.{action.python_name}({', '.join(arguments)})"


def example_imports(kinds: Iterable[str]) -> tuple[str, ...]:
    """The import lines a section page's examples need, given the kinds their values use."""
    used = set(kinds)
    datetime_names = sorted(
        ({"datetime", "timezone"} if "datetime" in used else set())
        | ({"date"} if "date" in used else set())
    )
    lines: list[str] = []
    if datetime_names:
        lines.append(f"from datetime import {', '.join(datetime_names)}")
    if "decimal" in used:
        lines.append("from decimal import Decimal")
    return tuple(lines)
