"""Stage 3: turn schema-valid spec data into the intermediate model, with semantic checks."""

from __future__ import annotations

import codecs
import re
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from . import naming
from .errors import SourceRef, SpecError, SpecErrors
from .load import JsonPath, LoadedSpec
from .validate import MARKETPLACES_FILE, schema_name
from .model import (
    DOCS_ROOT,
    Action,
    Api,
    Constraint,
    EnumType,
    EnumValue,
    Marketplace,
    Marketplaces,
    PackageExport,
    Region,
    Parameter,
    RequestBody,
    ResultField,
    ResultShape,
    Section,
    Shape,
    Throttling,
)

# A name, a name with an index (X.N), or a name with a member element and an index (X.Id.N).
_SEGMENT = r"[A-Za-z][A-Za-z0-9]*"
_SCALAR_WIRE = re.compile(rf"^{_SEGMENT}$")
_LIST_WIRE = re.compile(rf"^{_SEGMENT}(\.{_SEGMENT})?\.N$")
_NEXT_TOKEN = "NextToken"

_SCALAR_ANNOTATIONS = {
    "string": "str",
    "integer": "int",
    "decimal": "Decimal | int | float",
    "boolean": "bool",
    "datetime": "datetime",
    "date": "date",
}


_RESULT_ANNOTATIONS = {
    "string": "str",
    "integer": "int",
    "decimal": "Decimal",
    "boolean": "bool",
    "datetime": "datetime",
    "date": "date",
}
# Fields every result class inherits from the runtime's MWSResult.
_METADATA_FIELDS = frozenset(
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


def _notes(data: dict[str, Any]) -> tuple[str, ...]:
    return tuple(data.get("notes", ()))


def _docs_url(page: str | None) -> str | None:
    return DOCS_ROOT + page if page else None


def _literal(values: tuple[str, ...]) -> str:
    return "Literal[" + ", ".join(repr(value) for value in values) + "]"


class _SectionBuilder:
    """Builds one Section from one spec, collecting every semantic error on the way."""

    def __init__(self, spec: LoadedSpec) -> None:
        self.spec = spec
        self.data: dict[str, Any] = spec.data
        self.errors: list[SpecError] = []

    def error(self, path: JsonPath, message: str, *, at_key: bool = False) -> None:
        self.errors.append(SpecError(self.spec.ref(path, at_key=at_key), message))

    # -- enums -------------------------------------------------------------------------

    def build_enums(self) -> dict[str, EnumType]:
        enums: dict[str, EnumType] = {}
        for name, data in self.data.get("enums", {}).items():
            path: JsonPath = ("enums", name)
            values: list[EnumValue] = []
            seen_values: set[str] = set()
            seen_members: set[str] = set()
            for index, item in enumerate(data["values"]):
                item_path = (*path, "values", index)
                entry = {"value": item} if isinstance(item, str) else item
                value = entry["value"]
                member = entry.get("name") or naming.enum_member_name(value)
                if member is None:
                    self.error(
                        item_path,
                        f"value {value!r} gives no Python member name; "
                        "write it as {value: ..., name: UPPER_CASE_NAME}",
                    )
                    continue
                if value in seen_values:
                    self.error(item_path, f"duplicate enum value {value!r}")
                elif member in seen_members:
                    self.error(item_path, f"duplicate enum member name {member!r} (from {value!r})")
                seen_values.add(value)
                seen_members.add(member)
                values.append(EnumValue(value, member, entry.get("description")))
            enums[name] = EnumType(
                name=name,
                literal_alias=f"{name}Value",
                description=data.get("description"),
                open=data.get("open", False),
                values=tuple(values),
                notes=_notes(data),
                source=self.spec.ref(path, at_key=True),
            )
        return enums

    # -- parameters and shapes ----------------------------------------------------------

    def build_parameter(
        self,
        data: dict[str, Any],
        path: JsonPath,
        enums: dict[str, EnumType],
        shape_names: set[str],
    ) -> Parameter | None:
        wire: str = data["wire"]
        kind: str = data["type"]
        is_list = wire.endswith(".N")
        ok = True
        if is_list and not _LIST_WIRE.match(wire) or not is_list and not _SCALAR_WIRE.match(wire):
            self.error(
                (*path, "wire"),
                f"malformed wire pattern {wire!r}; expected Name, Name.N or Name.Member.N "
                "(nested members belong in a shape)",
            )
            ok = False
        shape = data.get("shape")
        if shape is not None and shape not in shape_names:
            self.error(
                (*path, "shape"), f"unknown shape {shape!r}; known shapes: {sorted(shape_names)}"
            )
            ok = False
        enum_name = data.get("enum")
        values: tuple[str, ...] = tuple(data.get("values", ()))
        open_values = False
        if enum_name is not None:
            if enum_name not in enums:
                self.error(
                    (*path, "enum"), f"unknown enum {enum_name!r}; known enums: {sorted(enums)}"
                )
                ok = False
            else:
                values = tuple(value.value for value in enums[enum_name].values)
                open_values = enums[enum_name].open
            if "values" in data:
                self.error((*path, "values"), "give either 'enum' or 'values', not both")
                ok = False
        if (enum_name is not None or "values" in data) and kind != "string":
            self.error((*path, "type"), f"valid values need type 'string', not {kind!r}")
            ok = False
        if "max_items" in data and not is_list:
            self.error(
                (*path, "max_items"), "max_items applies only to a list (a wire ending in .N)"
            )
            ok = False
        for key in ("max_length", "min_length"):
            if key in data and kind != "string":
                self.error((*path, key), f"{key} applies only to type 'string', not {kind!r}")
                ok = False
        for key in ("min_value", "max_value"):
            if key in data and kind not in ("integer", "decimal"):
                self.error((*path, key), f"{key} applies only to integer or decimal, not {kind!r}")
                ok = False
        if not ok:
            return None

        name = naming.first_segment(wire)
        python_name = data.get("python_name") or naming.parameter_name(wire)
        if kind == "structure":
            assert shape is not None
            item = f"{shape} | Mapping[str, Any]"
            label = shape
        elif enum_name is not None:
            enum = enums[enum_name]
            item = f"{enum_name} | {enum.literal_alias}" + (" | str" if enum.open else "")
            label = f"{enum_name} (enum)"
        elif values:
            item = _literal(values)
            label = "string"
        else:
            item = _SCALAR_ANNOTATIONS[kind]
            label = kind
        annotation = f"Iterable[{item}]" if is_list else item
        field_annotation = f"Sequence[{item}]" if is_list else item
        type_label = f"list of {label}" if is_list else label
        default = data.get("default")
        return Parameter(
            wire=wire,
            name=name,
            python_name=python_name,
            kind=kind,
            is_list=is_list,
            wire_prefix=wire[:-1] if is_list else wire,
            shape=shape,
            enum=enum_name,
            values=values,
            open_values=open_values,
            required=data.get("required", False),
            required_rule=data.get("required_rule"),
            description=data.get("description"),
            default=(
                None
                if default is None
                else str(default).lower() if isinstance(default, bool) else str(default)
            ),
            max_items=data.get("max_items"),
            max_length=data.get("max_length"),
            min_length=data.get("min_length"),
            min_value=data.get("min_value"),
            max_value=data.get("max_value"),
            wire_alternatives=tuple(data.get("wire_alternatives", ())),
            notes=_notes(data),
            annotation=annotation,
            field_annotation=field_annotation,
            type_label=type_label,
            source=self.spec.ref(path),
        )

    def build_parameters(
        self,
        items: list[dict[str, Any]],
        path: JsonPath,
        enums: dict[str, EnumType],
        shape_names: set[str],
        reserved: dict[str, str] | None = None,
    ) -> tuple[Parameter, ...]:
        parameters: list[Parameter] = []
        names: dict[str, int] = {}
        python_names: dict[str, str] = dict(reserved or {})
        for index, item in enumerate(items):
            item_path = (*path, index)
            parameter = self.build_parameter(item, item_path, enums, shape_names)
            if parameter is None:
                continue
            if parameter.name in names:
                self.error(
                    (*item_path, "wire"),
                    f"duplicate parameter name {parameter.name!r} (also at index {names[parameter.name]})",
                )
                continue
            if parameter.python_name in python_names:
                self.error(
                    (*item_path, "wire"),
                    f"Python name {parameter.python_name!r} is already used by "
                    f"{python_names[parameter.python_name]}",
                )
                continue
            names[parameter.name] = index
            python_names[parameter.python_name] = repr(parameter.wire)
            parameters.append(parameter)
        return tuple(parameters)

    def build_shapes(self, enums: dict[str, EnumType]) -> tuple[Shape, ...]:
        raw: dict[str, Any] = self.data.get("shapes", {})
        names = set(raw)
        shapes: dict[str, Shape] = {}
        for name, data in raw.items():
            path: JsonPath = ("shapes", name)
            fields = self.build_parameters(data["fields"], (*path, "fields"), enums, names)
            shapes[name] = Shape(
                name=name,
                descriptor=naming.constant_name(name) + "_SHAPE",
                description=data.get("description"),
                fields=fields,
                notes=_notes(data),
                source=self.spec.ref(path, at_key=True),
            )
        return self.dependencies_first(
            "shapes", shapes, lambda shape: [f.shape for f in shape.fields if f.shape]
        )

    def dependencies_first(
        self, key: str, shapes: dict[str, Any], referenced: Callable[[Any], list[str]]
    ) -> tuple[Any, ...]:
        """Shapes after the shapes they contain, ties by name; a cycle is an error.

        `referenced` lists the shapes one shape contains.
        """
        ordered: list[Any] = []
        state: dict[str, str] = {}

        def visit(name: str, trail: tuple[str, ...]) -> None:
            if state.get(name) == "done":
                return
            if state.get(name) == "visiting":
                cycle = " -> ".join((*trail[trail.index(name) :], name))
                self.error((key, name), f"shape contains itself: {cycle}", at_key=True)
                return
            state[name] = "visiting"
            for inner in referenced(shapes[name]):
                if inner in shapes:
                    visit(inner, (*trail, name))
            state[name] = "done"
            ordered.append(shapes[name])

        for name in sorted(shapes):
            visit(name, ())
        return tuple(ordered)

    # -- response shapes -----------------------------------------------------------------

    def build_result_field(
        self,
        data: dict[str, Any],
        path: JsonPath,
        enums: dict[str, EnumType],
        result_names: set[str],
    ) -> ResultField | None:
        sources = [key for key in ("element", "attribute", "text") if key in data]
        if len(sources) != 1:
            self.error(path, f"give exactly one of element, attribute or text; got {sources}")
            return None
        if ("type" in data) == ("shape" in data):
            self.error(path, "give either type (a scalar type) or shape (a response shape)")
            return None
        source = sources[0]
        xml_name = "" if source == "text" else data[source]
        if source == "text" and "python_name" not in data:
            self.error(path, "a text field needs a python_name")
            return None
        if source == "attribute" and ("list" in data or "shape" in data):
            self.error(path, "an attribute holds one scalar value: no list, no shape")
            return None
        if "enum" in data and data.get("type") != "string":
            self.error((*path, "enum"), "an enum field needs type 'string'")
            return None
        shape = data.get("shape")
        if shape is not None and shape not in result_names:
            self.error(
                (*path, "shape"),
                f"unknown response shape {shape!r}; known response shapes: {sorted(result_names)}",
            )
            return None
        enum_name = data.get("enum")
        if enum_name is not None and enum_name not in enums:
            self.error((*path, "enum"), f"unknown enum {enum_name!r}; known enums: {sorted(enums)}")
            return None
        list_data = data.get("list")
        is_list = list_data is not None
        item = list_data if isinstance(list_data, str) else None
        kind = "structure" if shape is not None else data["type"]
        if shape is not None:
            single, label = shape, shape
        elif enum_name is not None:
            single, label = f"{enum_name} | str", f"{enum_name} (enum)"
        else:
            single, label = _RESULT_ANNOTATIONS[kind], kind
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
            xml_label=(
                "(text)"
                if source == "text"
                else (
                    f"@{xml_name}"
                    if source == "attribute"
                    else f"{xml_name}/{item}" if item else xml_name
                )
            ),
            required=data.get("required", False),
            description=data.get("description"),
            notes=_notes(data),
            annotation=f"list[{single}]" if is_list else single,
            type_label=f"list of {label}" if is_list else label,
            source_ref=self.spec.ref(path),
        )

    def build_result_shapes(
        self, enums: dict[str, EnumType], result_classes: set[str]
    ) -> dict[str, ResultShape]:
        raw: dict[str, Any] = self.data.get("response_shapes", {})
        names = set(raw)
        taken = {**{name: "a request shape" for name in self.data.get("shapes", {})}}
        taken.update({name: "an enum" for name in enums})
        shapes: dict[str, ResultShape] = {}
        for name, data in raw.items():
            path: JsonPath = ("response_shapes", name)
            if name in taken:
                self.error(path, f"name {name!r} is already {taken[name]}", at_key=True)
                continue
            fields: list[ResultField] = []
            seen: dict[str, int] = {}
            for index, item in enumerate(data["fields"]):
                item_path = (*path, "fields", index)
                built = self.build_result_field(item, item_path, enums, names)
                if built is None:
                    continue
                if built.python_name in seen:
                    self.error(
                        item_path,
                        f"Python name {built.python_name!r} is already used by field "
                        f"{seen[built.python_name]}; set python_name",
                    )
                    continue
                if name in result_classes and built.python_name in _METADATA_FIELDS:
                    self.error(
                        item_path,
                        f"Python name {built.python_name!r} is taken by the response metadata "
                        "every result carries; set python_name",
                    )
                    continue
                if built.source == "text" and any(f.source == "text" for f in fields):
                    self.error(item_path, "a shape has at most one text field")
                    continue
                seen[built.python_name] = index
                fields.append(built)
            shapes[name] = ResultShape(
                name=name,
                descriptor=naming.constant_name(name) + "_XML",
                description=data.get("description"),
                fields=tuple(fields),
                notes=_notes(data),
                is_result=name in result_classes,
                source=self.spec.ref(path, at_key=True),
            )
        return shapes

    def repeated_result_shape(self, action: str, shape: ResultShape) -> ResultShape:
        """The class a bulk action returns: every `<Action>Result` element, as `results`."""
        data = self.data["actions"][action]
        result_element = data["response"]["result_element"]
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
            annotation=f"list[{shape.name}]",
            type_label=f"list of {shape.name}",
            source_ref=self.spec.ref(path),
        )
        return ResultShape(
            name=name,
            descriptor=naming.constant_name(name) + "_XML",
            description=f"The answer to {action}: one result per requested item.",
            fields=(field,),
            notes=(),
            is_result=True,
            source=self.spec.ref(path, at_key=True),
        )

    # -- actions -------------------------------------------------------------------------

    def build_constraints(
        self, items: list[dict[str, Any]], path: JsonPath, parameters: tuple[Parameter, ...]
    ) -> tuple[Constraint, ...]:
        by_name = {parameter.name: parameter.python_name for parameter in parameters}
        constraints: list[Constraint] = []
        for index, item in enumerate(items):
            item_path = (*path, index)
            kind = next(
                key for key in ("exactly_one_of", "at_most_one_of", "excludes") if key in item
            )
            names = list(item[kind])
            if kind == "excludes":
                names = [item["parameter"], *names]
            unknown = [name for name in names if name not in by_name]
            if unknown:
                self.error(
                    item_path,
                    f"constraint names unknown parameter(s) {unknown}; parameters: {sorted(by_name)}",
                )
                continue
            python = tuple(by_name[name] for name in names)
            if kind == "excludes":
                constraints.append(Constraint(kind, python[0], python[1:]))
            else:
                constraints.append(Constraint(kind, None, python))
        return tuple(constraints)

    def build_response(
        self, name: str, data: dict[str, Any], result_names: set[str]
    ) -> tuple[str, str | None, bool]:
        """(the class the method returns, the shape the runtime reads, read from the root)."""
        path: JsonPath = ("actions", name, "response")
        shape = data.get("shape")
        repeated = data.get("repeated", False)
        if data.get("document", False):
            if shape is not None or repeated:
                self.error(path, "a document response has no shape and is not repeated")
            return "Document", None, False
        if shape is None:
            if repeated:
                self.error((*path, "repeated"), "a repeated response needs a shape")
            return "MWSResult", None, False
        if shape not in result_names:
            self.error(
                (*path, "shape"),
                f"unknown response shape {shape!r}; known response shapes: {sorted(result_names)}",
            )
            return "MWSResult", None, False
        if repeated:
            return f"{name}Response", f"{name}Response", True
        return shape, shape, False

    def build_action(
        self,
        name: str,
        data: dict[str, Any],
        enums: dict[str, EnumType],
        shape_names: set[str],
        result_names: set[str],
    ) -> Action | None:
        path: JsonPath = ("actions", name)
        result_class, result_shape, result_is_root = self.build_response(
            name, data["response"], result_names
        )
        body_data = data.get("request_body")
        reserved: dict[str, str] = {}
        body: RequestBody | None = None
        if body_data is not None:
            body = RequestBody(
                python_name=naming.parameter_name(body_data["parameter"]),
                name=body_data["parameter"],
                description=body_data["description"],
                md5_parameter=body_data["md5_parameter"],
            )
            reserved[body.python_name] = "the request body"
            reserved["content_type"] = "the request body's Content-Type"
            reserved["marketplace"] = "the marketplace whose flat-file charset the body is in"
        if data["response"].get("document", False):
            reserved["destination"] = "where the document is streamed"
            reserved["marketplace"] = "the marketplace whose report encoding applies"
        parameters = self.build_parameters(
            data["parameters"], (*path, "parameters"), enums, shape_names, reserved
        )
        if body is not None and any(p.name == body.md5_parameter for p in parameters):
            self.error(
                (*path, "request_body", "md5_parameter"),
                f"{body.md5_parameter!r} is computed from the body; remove it from the parameters",
            )
        constraints = self.build_constraints(
            data.get("constraints", []), (*path, "constraints"), parameters
        )
        throttling_data = data["throttling"]
        throttling = Throttling(
            max_request_quota=throttling_data["max_request_quota"],
            restore_seconds=float(throttling_data["restore_seconds"]),
            restore_unit=throttling_data.get("restore_unit", "request"),
            hourly_request_quota=throttling_data.get("hourly_request_quota"),
            bucket=throttling_data.get("shares_bucket_with", name),
            notes=_notes(throttling_data),
            summary=_throttling_summary(throttling_data),
        )
        return Action(
            name=name,
            python_name=naming.python_identifier(naming.snake_case(name)),
            descriptor=naming.constant_name(name),
            description=data["description"],
            docs_url=_docs_url(data.get("docs")),
            availability=data.get("availability"),
            idempotent=data["idempotent"],
            next_token_of=data.get("next_token_of"),
            next_token_action=None,
            next_token_descriptor=None,
            page_annotation=None,
            throttling=throttling,
            parameters=parameters,
            constraints=constraints,
            request_body=body,
            result_element=data["response"]["result_element"],
            document=data["response"].get("document", False),
            result_class=result_class,
            result_class_in_runtime=result_shape is None,
            result_shape=result_shape,
            result_is_root=result_is_root,
            notes=_notes(data),
            example="",
            source=self.spec.ref(path, at_key=True),
        )

    def check_pagination(self, actions: dict[str, Action]) -> dict[str, str]:
        """Every NextToken action names an existing parent; returns parent -> companion."""
        companions: dict[str, str] = {}
        for name, action in actions.items():
            path: JsonPath = ("actions", name)
            takes_token = any(p.name == _NEXT_TOKEN for p in action.parameters)
            parent = action.next_token_of
            if parent is None:
                if takes_token or name.endswith("ByNextToken"):
                    self.error(
                        path,
                        "takes a NextToken but names no parent; add next_token_of: <parent action>",
                        at_key=True,
                    )
                continue
            if parent not in actions:
                self.error(
                    (*path, "next_token_of"),
                    f"next_token_of names {parent!r}, which is not an action of this section",
                )
            elif not takes_token:
                self.error(
                    (*path, "parameters"), "a next_token_of action needs a NextToken parameter"
                )
            elif any(p.required and p.name != _NEXT_TOKEN for p in action.parameters):
                self.error(
                    (*path, "parameters"),
                    "a next_token_of action may require only NextToken (iterators send just the token)",
                )
            elif parent in companions:
                self.error(
                    (*path, "next_token_of"),
                    f"{parent!r} already has the companion {companions[parent]!r}",
                )
            else:
                companions[parent] = name
        for name, action in actions.items():
            bucket = action.throttling.bucket
            if bucket not in actions:
                self.error(
                    ("actions", name, "throttling", "shares_bucket_with"),
                    f"shares_bucket_with names {bucket!r}, which is not an action of this section",
                )
            elif bucket != name and actions[bucket].throttling.bucket != bucket:
                owner = actions[bucket].throttling.bucket
                self.error(
                    ("actions", name, "throttling", "shares_bucket_with"),
                    f"{bucket!r} itself shares the bucket of {owner!r}; name the owner {owner!r}",
                )
        return companions

    # -- section ---------------------------------------------------------------------------

    def build(self) -> Section | None:
        enums = self.build_enums()
        shapes = self.build_shapes(enums)
        shape_names = set(self.data.get("shapes", {}))
        responses = {name: data["response"] for name, data in self.data["actions"].items()}
        result_classes = {
            response["shape"]
            for response in responses.values()
            if "shape" in response and not response.get("repeated", False)
        }
        result_shapes = self.build_result_shapes(enums, result_classes)
        for name, response in responses.items():
            shape = result_shapes.get(response.get("shape", ""))
            if response.get("repeated", False) and shape is not None:
                wrapper = self.repeated_result_shape(name, shape)
                if wrapper.name in result_shapes or wrapper.name in shape_names:
                    self.error(
                        ("actions", name, "response", "repeated"),
                        f"the generated class name {wrapper.name!r} is already a shape's name",
                    )
                result_shapes[wrapper.name] = wrapper
        actions: dict[str, Action] = {}
        for name, data in self.data["actions"].items():
            action = self.build_action(name, data, enums, shape_names, set(result_shapes))
            if action is not None:
                actions[name] = action
        # A result shape may hold itself (a category's parent category): the runtime reads it
        # lazily, so only longer cycles are errors.
        ordered_results = self.dependencies_first(
            "response_shapes",
            result_shapes,
            lambda shape: [f.shape for f in shape.fields if f.shape and f.shape != shape.name],
        )
        companions = self.check_pagination(actions)
        python_names: dict[str, str] = {}
        for name in sorted(actions):
            python_name = actions[name].python_name
            if python_name in python_names:
                self.error(
                    ("actions", name),
                    f"method name {python_name!r} is already used by {python_names[python_name]!r}",
                    at_key=True,
                )
            python_names[python_name] = name
        if self.errors:
            return None
        section = self.data["section"]
        module = naming.module_name(section)
        shape_map = {shape.name: shape for shape in shapes}
        final_actions = tuple(
            replace(
                actions[name],
                next_token_action=companions.get(name),
                next_token_descriptor=(
                    actions[companions[name]].descriptor if name in companions else None
                ),
                page_annotation=(
                    _page_annotation(actions[name], actions[companions[name]])
                    if name in companions
                    else None
                ),
                example=_example(module, actions[name], shape_map),
            )
            for name in sorted(actions)
        )
        shape_fields = [field for shape in shapes for field in shape.fields]
        action_parameters = [p for action in final_actions for p in action.parameters]
        result_fields = [field for shape in ordered_results for field in shape.fields]
        models_imports = _imports(
            [f.field_annotation for f in shape_fields]
            + [f.annotation for f in result_fields]
            + (["Literal["] if enums else [])
        )
        if shapes or ordered_results:
            models_imports = ("from dataclasses import dataclass", *models_imports)
        if any(f.is_list for f in result_fields):
            models_imports = (*models_imports, "from dataclasses import field")
        if enums:
            models_imports = (*models_imports, "from enum import StrEnum")
        client_imports = _imports(
            [p.annotation for p in action_parameters]
            + (["Iterator[", "AsyncIterator["] if companions else [])
        )
        # Document answers and request bodies take files and a marketplace (its charsets).
        document_names = sorted(
            (
                {"Destination", "Download", "report_encoding_for"}
                if any(a.document for a in final_actions)
                else set()
            )
            | (
                {"FeedSource", "flat_file_encoding_for"}
                if any(a.request_body for a in final_actions)
                else set()
            )
        )
        client_package_imports: tuple[str, ...] = ()
        if document_names:
            client_package_imports = (
                "from ..marketplaces import MARKETPLACES, Marketplace",
                f"from .._runtime.documents import {', '.join(document_names)}",
            )
        mixin = self.data.get("client_mixin")
        if mixin is not None:
            client_package_imports = (
                *client_package_imports,
                f"from .workflows import Async{mixin}, {mixin}",
            )
        used_names = {
            name
            for name in (*enums, *(enum.literal_alias for enum in enums.values()), *shape_names)
            if any(re.search(rf"\b{name}\b", p.annotation) for p in action_parameters)
        }
        used_names.update(
            action.result_class for action in final_actions if not action.result_class_in_runtime
        )
        return Section(
            name=section,
            module=module,
            client_class=f"{section}Client",
            async_client_class=f"Async{section}Client",
            spec_file=self.spec.file,
            version=self.data["version"],
            path=self.data["path"],
            namespace=self.data["namespace"],
            seller_parameter=self.data["seller_parameter"],
            seller_parameter_alternatives=tuple(self.data.get("seller_parameter_alternatives", ())),
            description=self.data["description"],
            docs_url=_docs_url(self.data.get("docs")),
            notes=_notes(self.data),
            enums=tuple(enums[name] for name in sorted(enums)),
            shapes=shapes,
            result_shapes=ordered_results,
            actions=final_actions,
            models_imports=tuple(sorted(set(models_imports))),
            client_imports=client_imports,
            client_package_imports=client_package_imports,
            client_model_names=tuple(sorted(used_names)),
            client_mixin=mixin,
            package_exports=tuple(
                PackageExport(module, tuple(names))
                for module, names in sorted(self.data.get("package_exports", {}).items())
            ),
            client_runtime_names=tuple(
                sorted(
                    {"AsyncSession", "SyncSession"}
                    | {
                        action.result_class
                        for action in final_actions
                        if action.result_class_in_runtime
                    }
                )
            ),
        )


_IMPORTS = (
    (r"\bAsyncIterator\[", "collections.abc", "AsyncIterator"),
    (r"\bIterator\[", "collections.abc", "Iterator"),
    (r"\bIterable\[", "collections.abc", "Iterable"),
    (r"\bMapping\[", "collections.abc", "Mapping"),
    (r"\bSequence\[", "collections.abc", "Sequence"),
    (r"\bdate\b", "datetime", "date"),
    (r"\bdatetime\b", "datetime", "datetime"),
    (r"\bDecimal\b", "decimal", "Decimal"),
    (r"\bAny\b", "typing", "Any"),
    (r"\bLiteral\[", "typing", "Literal"),
)


def _imports(annotations: list[str]) -> tuple[str, ...]:
    """The standard-library import lines the given annotations need, sorted."""
    modules: dict[str, set[str]] = {}
    for pattern, module, name in _IMPORTS:
        if any(re.search(pattern, text) for text in annotations):
            modules.setdefault(module, set()).add(name)
    return tuple(
        f"from {module} import {', '.join(sorted(names))}"
        for module, names in sorted(modules.items())
    )


def _page_annotation(first: Action, following: Action) -> str:
    """The type of each page an iterator yields: both actions' result classes, once each."""
    if first.result_class == following.result_class:
        return first.result_class
    return f"{first.result_class} | {following.result_class}"


def _duration(seconds: float) -> str:
    if seconds >= 60 and seconds % 60 == 0:
        minutes = int(seconds // 60)
        return "minute" if minutes == 1 else f"{minutes} minutes"
    text = f"{seconds:g}"
    return "second" if text == "1" else f"{text} seconds"


def _throttling_summary(data: dict[str, Any]) -> str:
    every = _duration(float(data["restore_seconds"]))
    text = f"{data['max_request_quota']} requests at once, "
    if data.get("restore_unit", "request") == "item":
        text += f"restoring one item every {every}"
    else:
        text += f"one more every {every}"
    if "hourly_request_quota" in data:
        text += f", {data['hourly_request_quota']} per hour"
    return text


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


def _example_value(parameter: Parameter, shapes: dict[str, Shape]) -> str:
    if parameter.kind == "structure":
        assert parameter.shape is not None
        fields = [f for f in shapes[parameter.shape].fields if f.required]
        inner = ", ".join(f"{f.python_name!r}: {_example_value(f, shapes)}" for f in fields)
        value = "{" + inner + "}"
    elif parameter.values:
        value = repr(parameter.values[0])
    elif parameter.kind == "string":
        value = _EXAMPLE_STRINGS.get(parameter.name, '"EXAMPLE"')
        if parameter.max_length is not None and len(value) - 2 > parameter.max_length:
            value = '"' + "X" * parameter.max_length + '"'  # the docs' examples must pass checks
    else:
        value = _EXAMPLE_SCALARS[parameter.kind]
    return f"[{value}]" if parameter.is_list else value


def _example(module: str, action: Action, shapes: dict[str, Shape]) -> str:
    """`result = mws.orders.list_orders(marketplace_id=[...], created_after=...)`."""
    chosen = {p.python_name for p in action.parameters if p.required}
    for constraint in action.constraints:
        if constraint.kind == "exactly_one_of" and not chosen & set(constraint.parameters):
            chosen.add(constraint.parameters[0])
    arguments = [
        f"{p.python_name}={_example_value(p, shapes)}"
        for p in action.parameters
        if p.python_name in chosen
    ]
    if action.request_body is not None:
        arguments.append(f'{action.request_body.python_name}=b"<?xml version=\\"1.0\\"?>..."')
    return f"result = mws.{module}.{action.python_name}({', '.join(arguments)})"


def _build_marketplaces(spec: LoadedSpec, errors: list[SpecError]) -> Marketplaces:
    data: dict[str, Any] = spec.data
    regions = tuple(
        Region(code, item["description"], item["host"], _notes(item))
        for code, item in sorted(data["regions"].items())
    )
    hosts = {region.code: region.host for region in regions}
    marketplaces: list[Marketplace] = []
    ids: dict[str, str] = {}
    for code, item in sorted(data["marketplaces"].items()):
        path: JsonPath = ("marketplaces", code)
        if item["region"] not in hosts:
            errors.append(
                SpecError(
                    spec.ref((*path, "region")),
                    f"unknown region {item['region']!r}; regions: {sorted(hosts)}",
                )
            )
            continue
        if item["id"] in ids:
            errors.append(
                SpecError(
                    spec.ref((*path, "id")),
                    f"marketplace id {item['id']!r} is also {ids[item['id']]}",
                )
            )
        ids[item["id"]] = code
        for key in ("flat_file_encoding", "report_encoding"):
            try:
                codecs.lookup(item[key])
            except LookupError:
                errors.append(
                    SpecError(spec.ref((*path, key)), f"{item[key]!r} is not a known text encoding")
                )
        marketplaces.append(
            Marketplace(
                code=code,
                country=item["country"],
                id=item["id"],
                region=item["region"],
                host=hosts[item["region"]],
                flat_file_encoding=item["flat_file_encoding"],
                report_encoding=item["report_encoding"],
                notes=_notes(item),
            )
        )
    all_hosts = dict(hosts)
    for marketplace in marketplaces:
        all_hosts.setdefault(marketplace.code, marketplace.host)
    return Marketplaces(
        spec_file=spec.file,
        description=data["description"],
        notes=_notes(data),
        regions=regions,
        marketplaces=tuple(marketplaces),
        hosts=tuple(sorted(all_hosts.items())),
    )


def normalize(specs: list[LoadedSpec]) -> Api:
    """Build the model for every spec; raise SpecErrors listing every semantic problem."""
    errors: list[SpecError] = []
    sections: list[Section] = []
    seen: dict[str, str] = {}
    marketplace_specs = [spec for spec in specs if schema_name(spec) != "spec.schema.json"]
    specs = [spec for spec in specs if schema_name(spec) == "spec.schema.json"]
    if len(marketplace_specs) != 1:
        where = specs[0].ref(()) if specs else SourceRef(MARKETPLACES_FILE, 1, 1, "$")
        raise SpecErrors(
            [SpecError(where, f"expected exactly one {MARKETPLACES_FILE} beside the section specs")]
        )
    marketplaces = _build_marketplaces(marketplace_specs[0], errors)
    for spec in specs:
        builder = _SectionBuilder(spec)
        section = builder.build()
        errors.extend(builder.errors)
        if section is None:
            continue
        if section.module in seen:
            errors.append(
                SpecError(
                    spec.ref(("section",)),
                    f"section {section.name!r} is already defined in {seen[section.module]}",
                )
            )
            continue
        seen[section.module] = spec.file
        sections.append(section)
    if errors:
        raise SpecErrors(errors)
    return Api(tuple(sorted(sections, key=lambda section: section.name)), marketplaces)
