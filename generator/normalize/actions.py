"""Actions: parameters, constraints, request body, throttling and what each one returns."""

from __future__ import annotations

from typing import Any

from .. import docs, naming
from ..load import JsonPath
from ..model import Action, Constraint, EnumType, Parameter, RequestBody, Throttling
from .context import SpecContext, docs_url, notes
from .requests import build_parameters
from .responses import response_classes

_CONSTRAINT_KINDS = ("exactly_one_of", "at_most_one_of", "excludes")


def build_constraints(
    ctx: SpecContext, items: list[dict[str, Any]], path: JsonPath, parameters: tuple[Parameter, ...]
) -> tuple[Constraint, ...]:
    by_name = {parameter.name: parameter.python_name for parameter in parameters}
    constraints: list[Constraint] = []
    for index, item in enumerate(items):
        kind = next(key for key in _CONSTRAINT_KINDS if key in item)
        names = list(item[kind])
        if kind == "excludes":
            names = [item["parameter"], *names]
        unknown = [name for name in names if name not in by_name]
        if unknown:
            ctx.error(
                (*path, index),
                f"constraint names unknown parameter(s) {unknown}; parameters: {sorted(by_name)}",
            )
            continue
        python = tuple(by_name[name] for name in names)
        if kind == "excludes":
            constraints.append(Constraint(kind, python[0], python[1:]))
        else:
            constraints.append(Constraint(kind, None, python))
    return tuple(constraints)


def build_throttling(name: str, data: dict[str, Any]) -> Throttling:
    restore_seconds = float(data["restore_seconds"])
    restore_unit = data.get("restore_unit", "request")
    hourly = data.get("hourly_request_quota")
    return Throttling(
        max_request_quota=data["max_request_quota"],
        restore_seconds=restore_seconds,
        restore_unit=restore_unit,
        hourly_request_quota=hourly,
        bucket=data.get("shares_bucket_with", name),
        notes=notes(data),
        summary=docs.throttling_summary(
            data["max_request_quota"], restore_seconds, restore_unit, hourly
        ),
    )


def _request_body(data: dict[str, Any]) -> tuple[RequestBody | None, dict[str, str]]:
    """The request body, and the Python argument names it and a document answer reserve."""
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
    return body, reserved


def build_action(
    ctx: SpecContext,
    name: str,
    data: dict[str, Any],
    enums: dict[str, EnumType],
    shape_names: set[str],
    result_names: set[str],
) -> Action:
    path: JsonPath = ("actions", name)
    result_class, result_shape, result_is_root = response_classes(
        ctx, name, data["response"], result_names
    )
    body, reserved = _request_body(data)
    parameters = build_parameters(
        ctx, data["parameters"], (*path, "parameters"), enums, shape_names, reserved
    )
    if body is not None and any(p.name == body.md5_parameter for p in parameters):
        ctx.error(
            (*path, "request_body", "md5_parameter"),
            f"{body.md5_parameter!r} is computed from the body; remove it from the parameters",
        )
    return Action(
        name=name,
        python_name=naming.python_identifier(naming.snake_case(name)),
        descriptor=naming.constant_name(name),
        description=data["description"],
        docs_url=docs_url(data.get("docs")),
        availability=data.get("availability"),
        idempotent=data["idempotent"],
        next_token_of=data.get("next_token_of"),
        next_token_action=None,  # set once every action of the section is known
        next_token_descriptor=None,
        page_annotation=None,
        items_field=None,
        items_class=None,
        throttling=build_throttling(name, data["throttling"]),
        parameters=parameters,
        constraints=build_constraints(
            ctx, data.get("constraints", []), (*path, "constraints"), parameters
        ),
        request_body=body,
        result_element=data["response"]["result_element"],
        document=data["response"].get("document", False),
        result_class=result_class,
        result_class_in_runtime=result_shape is None,
        result_shape=result_shape,
        result_is_root=result_is_root,
        notes=notes(data),
        example="",  # set with the section's shapes (generator.docs)
        source=ctx.ref(path, at_key=True),
    )
