"""Request parameters and request structures (shapes): wire patterns parsed once, here."""

from __future__ import annotations

import re
from typing import Any

from .. import docs, naming
from ..load import JsonPath
from ..model import EnumType, Parameter, Shape
from ..python import types
from .context import SpecContext, notes
from .ordering import dependencies_first

# A name, a name with an index (X.N), or a name with a member element and an index (X.Id.N).
_SEGMENT = r"[A-Za-z][A-Za-z0-9]*"
_SCALAR_WIRE = re.compile(rf"^{_SEGMENT}$")
_LIST_WIRE = re.compile(rf"^{_SEGMENT}(\.{_SEGMENT})?\.N$")


def _check_references(
    ctx: SpecContext,
    data: dict[str, Any],
    path: JsonPath,
    enums: dict[str, EnumType],
    shape_names: set[str],
) -> bool:
    """The wire pattern is well formed and the shape and enum exist."""
    wire: str = data["wire"]
    ok = True
    is_list = wire.endswith(".N")
    if (is_list and not _LIST_WIRE.match(wire)) or (not is_list and not _SCALAR_WIRE.match(wire)):
        ctx.error(
            (*path, "wire"),
            f"malformed wire pattern {wire!r}; expected Name, Name.N or Name.Member.N "
            "(nested members belong in a shape)",
        )
        ok = False
    shape = data.get("shape")
    if shape is not None and shape not in shape_names:
        ctx.error((*path, "shape"), f"unknown shape {shape!r}; known shapes: {sorted(shape_names)}")
        ok = False
    enum_name = data.get("enum")
    if enum_name is not None:
        if enum_name not in enums:
            ctx.error((*path, "enum"), f"unknown enum {enum_name!r}; known enums: {sorted(enums)}")
            ok = False
        if "values" in data:
            ctx.error((*path, "values"), "give either 'enum' or 'values', not both")
            ok = False
    return ok


def _check_constraints(ctx: SpecContext, data: dict[str, Any], path: JsonPath) -> bool:
    """Valid values, lengths, sizes and bounds apply only to the types they fit."""
    kind: str = data["type"]
    ok = True
    if ("enum" in data or "values" in data) and kind != "string":
        ctx.error((*path, "type"), f"valid values need type 'string', not {kind!r}")
        ok = False
    if "max_items" in data and not data["wire"].endswith(".N"):
        ctx.error((*path, "max_items"), "max_items applies only to a list (a wire ending in .N)")
        ok = False
    if data.get("batch") and "max_items" not in data:
        ctx.error((*path, "batch"), "batch splits a list into requests of max_items; give max_items")
        ok = False
    for key in ("max_length", "min_length"):
        if key in data and kind != "string":
            ctx.error((*path, key), f"{key} applies only to type 'string', not {kind!r}")
            ok = False
    for key in ("min_value", "max_value"):
        if key in data and kind not in ("integer", "decimal"):
            ctx.error((*path, key), f"{key} applies only to integer or decimal, not {kind!r}")
            ok = False
    for low, high in (("min_length", "max_length"), ("min_value", "max_value")):
        if low in data and high in data and data[low] > data[high]:
            ctx.error((*path, low), f"{low} {data[low]} is above {high} {data[high]}")
            ok = False
    return ok


def _default(value: object) -> str | None:
    if value is None:
        return None
    return str(value).lower() if isinstance(value, bool) else str(value)


def build_parameter(
    ctx: SpecContext,
    data: dict[str, Any],
    path: JsonPath,
    enums: dict[str, EnumType],
    shape_names: set[str],
) -> Parameter | None:
    checked = _check_references(ctx, data, path, enums, shape_names)
    if not (_check_constraints(ctx, data, path) and checked):
        return None
    wire: str = data["wire"]
    kind: str = data["type"]
    is_list = wire.endswith(".N")
    shape = data.get("shape")
    enum_name = data.get("enum")
    enum = enums[enum_name] if enum_name is not None else None
    values = tuple(v.value for v in enum.values) if enum else tuple(data.get("values", ()))
    item = types.argument_item(kind, shape, enum, values)
    return Parameter(
        wire=wire,
        name=naming.first_segment(wire),
        python_name=data.get("python_name") or naming.parameter_name(wire),
        kind=kind,
        is_list=is_list,
        wire_prefix=wire[:-1] if is_list else wire,
        shape=shape,
        enum=enum_name,
        values=values,
        open_values=enum.open if enum else False,
        required=data.get("required", False),
        required_rule=data.get("required_rule"),
        description=data.get("description"),
        default=_default(data.get("default")),
        max_items=data.get("max_items"),
        batch=data.get("batch", False),
        max_length=data.get("max_length"),
        min_length=data.get("min_length"),
        min_value=data.get("min_value"),
        max_value=data.get("max_value"),
        wire_alternatives=tuple(data.get("wire_alternatives", ())),
        notes=notes(data),
        annotation=types.argument_type(item, is_list).text,
        field_annotation=types.structure_field_type(item, is_list).text,
        type_label=docs.parameter_type_label(kind, shape, enum_name, values, is_list),
        source=ctx.ref(path),
    )


def build_parameters(
    ctx: SpecContext,
    items: list[dict[str, Any]],
    path: JsonPath,
    enums: dict[str, EnumType],
    shape_names: set[str],
    reserved: dict[str, str] | None = None,
) -> tuple[Parameter, ...]:
    """The parameters of an action or the fields of a shape; names must be unique."""
    parameters: list[Parameter] = []
    names: dict[str, int] = {}
    python_names: dict[str, str] = dict(reserved or {})
    for index, item in enumerate(items):
        item_path = (*path, index)
        parameter = build_parameter(ctx, item, item_path, enums, shape_names)
        if parameter is None:
            continue
        if parameter.name in names:
            ctx.error(
                (*item_path, "wire"),
                f"duplicate parameter name {parameter.name!r} (also at index {names[parameter.name]})",
            )
            continue
        if parameter.python_name in python_names:
            ctx.error(
                (*item_path, "wire"),
                f"Python name {parameter.python_name!r} is already used by "
                f"{python_names[parameter.python_name]}",
            )
            continue
        names[parameter.name] = index
        python_names[parameter.python_name] = repr(parameter.wire)
        parameters.append(parameter)
    return tuple(parameters)


def build_shapes(ctx: SpecContext, enums: dict[str, EnumType]) -> tuple[Shape, ...]:
    """Every request structure, dependencies first."""
    raw: dict[str, Any] = ctx.data.get("shapes", {})
    names = set(raw)
    shapes: dict[str, Shape] = {}
    for name, data in raw.items():
        path: JsonPath = ("shapes", name)
        for index, item in enumerate(data["fields"]):
            if item.get("batch"):
                ctx.error(
                    (*path, "fields", index, "batch"),
                    "batch applies to an action's parameter, not to a structure field",
                )
        shapes[name] = Shape(
            name=name,
            descriptor=naming.constant_name(name) + "_SHAPE",
            description=data.get("description"),
            fields=build_parameters(ctx, data["fields"], (*path, "fields"), enums, names),
            notes=notes(data),
            source=ctx.ref(path, at_key=True),
        )
    return dependencies_first(
        ctx, "shapes", shapes, lambda shape: [f.shape for f in shape.fields if f.shape]
    )
