"""Response shapes: how each result class reads its XML element, and what an action returns."""

from __future__ import annotations

from typing import Any

from .. import docs, naming
from ..load import JsonPath
from ..model import EnumType, ResultField, ResultShape
from ..python import types
from ..python.readers import build_reader
from .context import SpecContext, notes

# Fields every result class inherits from the runtime's MWSResult.
METADATA_FIELDS = frozenset(
    {
        "request_id",
        "server_time",
        "quota_max",
        "quota_remaining",
        "quota_resets_on",
        "headers",
        "body",
    }
)


def _field_problem(data: dict[str, Any]) -> str | None:
    """What makes a response field's keys inconsistent, if anything."""
    sources = [key for key in ("element", "attribute", "text") if key in data]
    if len(sources) != 1:
        return f"give exactly one of element, attribute or text; got {sources}"
    if ("type" in data) == ("shape" in data):
        return "give either type (a scalar type) or shape (a response shape)"
    if sources == ["text"] and "python_name" not in data:
        return "a text field needs a python_name"
    if sources == ["attribute"] and ("list" in data or "shape" in data):
        return "an attribute holds one scalar value: no list, no shape"
    return None


def _check_field(
    ctx: SpecContext,
    data: dict[str, Any],
    path: JsonPath,
    enums: dict[str, EnumType],
    result_names: set[str],
) -> bool:
    problem = _field_problem(data)
    if problem is not None:
        ctx.error(path, problem)
        return False
    if "enum" in data and data.get("type") != "string":
        ctx.error((*path, "enum"), "an enum field needs type 'string'")
        return False
    shape = data.get("shape")
    if shape is not None and shape not in result_names:
        ctx.error(
            (*path, "shape"),
            f"unknown response shape {shape!r}; known response shapes: {sorted(result_names)}",
        )
        return False
    enum_name = data.get("enum")
    if enum_name is not None and enum_name not in enums:
        ctx.error((*path, "enum"), f"unknown enum {enum_name!r}; known enums: {sorted(enums)}")
        return False
    return True


def _xml_label(source: str, xml_name: str, item: str | None) -> str:
    """Where a field is read, for docs: `Orders/Order`, `@status`, `(text)`."""
    if source == "text":
        return "(text)"
    if source == "attribute":
        return f"@{xml_name}"
    return f"{xml_name}/{item}" if item else xml_name


def build_result_field(
    ctx: SpecContext,
    data: dict[str, Any],
    path: JsonPath,
    enums: dict[str, EnumType],
    result_names: set[str],
) -> ResultField | None:
    if not _check_field(ctx, data, path, enums, result_names):
        return None
    source = next(key for key in ("element", "attribute", "text") if key in data)
    xml_name = "" if source == "text" else data[source]
    shape = data.get("shape")
    enum_name = data.get("enum")
    list_data = data.get("list")
    is_list = list_data is not None
    item = list_data if isinstance(list_data, str) else None
    kind = "structure" if shape is not None else data["type"]
    python_name = data.get("python_name") or naming.python_identifier(
        naming.snake_case(xml_name.replace("-", "_").replace(".", "_"))
    )
    return ResultField(
        source=source,
        xml_name=xml_name,
        python_name=python_name,
        kind=kind,
        shape=shape,
        enum=enum_name,
        is_list=is_list,
        item=item,
        xml_label=_xml_label(source, xml_name, item),
        required=data.get("required", False),
        description=data.get("description"),
        notes=notes(data),
        annotation=types.result_type(kind, shape, enum_name, is_list).text,
        type_label=docs.result_type_label(kind, shape, enum_name, is_list),
        source_ref=ctx.ref(path),
    )


def _result_fields(
    ctx: SpecContext,
    name: str,
    items: list[dict[str, Any]],
    enums: dict[str, EnumType],
    names: set[str],
    is_result: bool,
) -> tuple[ResultField, ...]:
    """A shape's fields; Python names are unique and clear of the response metadata."""
    fields: list[ResultField] = []
    seen: dict[str, int] = {}
    for index, item in enumerate(items):
        item_path: JsonPath = ("response_shapes", name, "fields", index)
        built = build_result_field(ctx, item, item_path, enums, names)
        if built is None:
            continue
        if built.python_name in seen:
            ctx.error(
                item_path,
                f"Python name {built.python_name!r} is already used by field "
                f"{seen[built.python_name]}; set python_name",
            )
            continue
        if is_result and built.python_name in METADATA_FIELDS:
            ctx.error(
                item_path,
                f"Python name {built.python_name!r} is taken by the response metadata "
                "every result carries; set python_name",
            )
            continue
        if built.source == "text" and any(f.source == "text" for f in fields):
            ctx.error(item_path, "a shape has at most one text field")
            continue
        seen[built.python_name] = index
        fields.append(built)
    return tuple(fields)


def build_result_shapes(
    ctx: SpecContext, enums: dict[str, EnumType], result_classes: set[str]
) -> dict[str, ResultShape]:
    """Every response shape by name; `result_classes` are those some action returns."""
    raw: dict[str, Any] = ctx.data.get("response_shapes", {})
    names = set(raw)
    taken = {name: "a request shape" for name in ctx.data.get("shapes", {})}
    taken.update({name: "an enum" for name in enums})
    shapes: dict[str, ResultShape] = {}
    for name, data in raw.items():
        path: JsonPath = ("response_shapes", name)
        if name in taken:
            ctx.error(path, f"name {name!r} is already {taken[name]}", at_key=True)
            continue
        is_result = name in result_classes
        fields = _result_fields(ctx, name, data["fields"], enums, names, is_result)
        shapes[name] = ResultShape(
            name=name,
            descriptor=naming.constant_name(name) + "_XML",
            description=data.get("description"),
            fields=fields,
            notes=notes(data),
            is_result=is_result,
            source=ctx.ref(path, at_key=True),
            reader=build_reader(name, fields, is_result),
        )
    return shapes


def repeated_result_shape(ctx: SpecContext, action: str, shape: ResultShape) -> ResultShape:
    """The class a bulk action returns: every `<Action>Result` element, as `results`."""
    result_element = ctx.data["actions"][action]["response"]["result_element"]
    path: JsonPath = ("actions", action, "response")
    name = f"{action}Response"
    field = ResultField(
        source="element",
        xml_name=result_element,
        python_name="results",
        kind="structure",
        shape=shape.name,
        enum=None,
        is_list=True,
        item=None,
        xml_label=result_element,
        required=True,
        description=f"One {result_element} per requested item, in request order.",
        notes=(),
        annotation=types.result_type("structure", shape.name, None, True).text,
        type_label=docs.result_type_label("structure", shape.name, None, True),
        source_ref=ctx.ref(path),
    )
    return ResultShape(
        name=name,
        descriptor=naming.constant_name(name) + "_XML",
        description=f"The answer to {action}: one result per requested item.",
        fields=(field,),
        notes=(),
        is_result=True,
        source=ctx.ref(path, at_key=True),
        reader=build_reader(name, (field,), True),
    )


def response_classes(
    ctx: SpecContext, name: str, data: dict[str, Any], result_names: set[str]
) -> tuple[str, str | None, bool]:
    """(the class the method returns, the shape the runtime reads, read from the root)."""
    path: JsonPath = ("actions", name, "response")
    shape = data.get("shape")
    repeated = data.get("repeated", False)
    if data.get("document", False):
        if shape is not None or repeated:
            ctx.error(path, "a document response has no shape and is not repeated")
        return "Document", None, False
    if shape is None:
        if repeated:
            ctx.error((*path, "repeated"), "a repeated response needs a shape")
        return "MWSResult", None, False
    if shape not in result_names:
        ctx.error(
            (*path, "shape"),
            f"unknown response shape {shape!r}; known response shapes: {sorted(result_names)}",
        )
        return "MWSResult", None, False
    if repeated:
        return f"{name}Response", f"{name}Response", True
    return shape, shape, False
