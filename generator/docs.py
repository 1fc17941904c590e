"""What the reference docs print beyond the model's facts: type labels, throttling summaries,
and a short example per action that calls it and uses its typed result (with the imports a
section's examples need)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from .model import Action, Parameter, ResultField, ResultShape, Shape
from .naming import snake_case

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


def _arguments(action: Action, shapes: Mapping[str, Shape], kinds: set[str]) -> str:
    """The required arguments, plus the first of each exactly-one-of group none of them settles."""
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
    return ", ".join(arguments)


def _scalar(fields: tuple[ResultField, ...]) -> ResultField | None:
    return next((f for f in fields if f.kind != "structure" and not f.is_list), None)


def _item_name(field: ResultField, taken: str) -> str:
    """`order` for `Orders/Order`: the loop variable over a list field."""
    name = snake_case(field.item or field.xml_name or field.python_name)
    return f"{name}_item" if name in (taken, field.python_name, "mws") else name


def _use(action: Action, shapes: Mapping[str, ResultShape], subject: str) -> list[str]:
    """Lines that use a result named `subject`: loop over its first list of structures and print
    a value of each, else print one of its values. Lists are always lists and other fields may
    be None, so every line runs on any valid answer."""
    if action.document:
        return [f"print({subject}.md5_verified, {subject}.size)"]
    shape = shapes.get(action.result_shape or "")
    if shape is None:
        return [f"print({subject}.request_id)"]
    listed = next((f for f in shape.fields if f.is_list and f.kind == "structure"), None)
    if listed is not None and listed.shape is not None:
        item = _item_name(listed, subject)
        value = _scalar(shapes[listed.shape].fields)
        shown = f"{item}.{value.python_name}" if value is not None else item
        return [f"for {item} in {subject}.{listed.python_name}:", f"    print({shown})"]
    value = _scalar(shape.fields)
    if value is not None:
        return [f"print({subject}.{value.python_name})"]
    scalars = next((f for f in shape.fields if f.is_list), None)
    if scalars is not None:
        item = _item_name(scalars, subject)
        return [f"for {item} in {subject}.{scalars.python_name}:", f"    print({item})"]
    for field in shape.fields:  # a structure: print one of its values when it came
        value = _scalar(shapes[field.shape].fields) if field.shape else None
        if value is not None:
            inner = f"{subject}.{field.python_name}"
            return [f"if {inner} is not None:", f"    print({inner}.{value.python_name})"]
    return [f"print({subject}.request_id)"]


def example(
    module: str,
    action: Action,
    shapes: Mapping[str, Shape],
    results: Mapping[str, ResultShape],
    kinds: set[str],
) -> str:
    """`result = mws.orders.list_orders(...)`, then lines that use the typed result.

    `kinds` collects the scalar kinds the example's values use (see `example_imports`).
    """
    call = f"result = mws.{module}.{action.python_name}({_arguments(action, shapes, kinds)})"
    return "\n".join([call, *_use(action, results, "result")])


def iterator_example(
    module: str,
    action: Action,
    following: Action,
    shapes: Mapping[str, Shape],
    results: Mapping[str, ResultShape],
    kinds: set[str],
) -> str:
    """`for page in mws.orders.iter_list_orders(...):` and lines that use each page, which is
    either action's result: the lines use what both results have."""
    call = f"for page in mws.{module}.iter_{action.python_name}({_arguments(action, shapes, kinds)}):"
    lines = _use(action, results, "page")
    if lines != _use(following, results, "page"):
        lines = ["print(page.request_id)"]
    return "\n".join([call, *(f"    {line}" for line in lines)])


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
