"""Actions: parameters, constraints, request body, throttling and what each one returns."""

from __future__ import annotations

from typing import Any

from .. import docs, naming
from ..load import JsonPath
from ..model import (
    Action,
    Constraint,
    EnumType,
    ExtraArgument,
    Parameter,
    RequestBody,
    SandboxThrottling,
    Throttling,
)
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
    sandbox = None if "sandbox" not in data else _sandbox_throttling(data["sandbox"], restore_unit)
    summary = docs.throttling_summary(
        data["max_request_quota"], restore_seconds, restore_unit, hourly
    )
    return Throttling(
        max_request_quota=data["max_request_quota"],
        restore_seconds=restore_seconds,
        restore_unit=restore_unit,
        hourly_request_quota=hourly,
        bucket=data.get("shares_bucket_with", name),
        notes=notes(data),
        summary=summary if sandbox is None else f"{summary}; in the sandbox {sandbox.summary}",
        sandbox=sandbox,
    )


def _sandbox_throttling(data: dict[str, Any], restore_unit: str) -> SandboxThrottling:
    restore_seconds = float(data["restore_seconds"])
    return SandboxThrottling(
        max_request_quota=data["max_request_quota"],
        restore_seconds=restore_seconds,
        notes=notes(data),
        summary=docs.throttling_summary(
            data["max_request_quota"], restore_seconds, restore_unit, None
        ),
    )


_MARKETPLACE_TYPE = "Marketplace | str | None"
_MARKETPLACE_LABEL = "Marketplace, marketplace ID or country code"


def _extra_arguments(data: dict[str, Any]) -> tuple[RequestBody | None, tuple[ExtraArgument, ...]]:
    """The request body, and the method's arguments beyond the MWS parameters: the body and its
    Content-Type and charset for a body, where to stream the document for a document answer."""
    body_data = data.get("request_body")
    extras: list[ExtraArgument] = []
    body: RequestBody | None = None
    if body_data is not None:
        body = RequestBody(
            python_name=naming.parameter_name(body_data["parameter"]),
            name=body_data["parameter"],
            description=body_data["description"],
            md5_parameter=body_data["md5_parameter"],
        )
        extras += [
            ExtraArgument(
                body.python_name,
                "FeedSource",
                None,
                "bytes, a path or a binary file",
                "the HTTP body",
                f"{body.description} Its base64 MD5 is sent as {body.md5_parameter}. Bytes, "
                "a path (str or os.PathLike) or a binary file "
                "object; a file is read in chunks (for its MD5, then to send it), never whole.",
            ),
            ExtraArgument(
                "content_type",
                "str | None",
                "None",
                "string",
                "the Content-Type header",
                "Content-Type of the body; default text/xml for XML documents, else "
                "tab-separated values in the marketplace's flat-file charset (ISO-8859-1 "
                "without a marketplace).",
            ),
            ExtraArgument(
                "marketplace",
                _MARKETPLACE_TYPE,
                "None",
                _MARKETPLACE_LABEL,
                "not sent: it chooses the charset",
                "Marketplace (member, ID or country code) whose flat-file charset the default "
                "Content-Type names.",
            ),
        ]
    if data["response"].get("document", False):
        extras += [
            ExtraArgument(
                "destination",
                "Destination | None",
                "None",
                "a path or a binary file",
                "not sent: where the answer goes",
                "A path (str or os.PathLike) or a binary file object to stream the document to "
                "(MD5 checked on the way, never held in memory); without it the document is "
                "returned in memory, in `content`.",
            ),
            ExtraArgument(
                "marketplace",
                _MARKETPLACE_TYPE,
                "None",
                _MARKETPLACE_LABEL,
                "not sent: it chooses the charset",
                "Marketplace (member, ID or country code) whose report encoding applies when "
                "the response declares no charset.",
            ),
        ]
    return body, tuple(extras)


def _check_batch(
    ctx: SpecContext, data: dict[str, Any], path: JsonPath, parameters: tuple[Parameter, ...]
) -> None:
    """A batch list is split into several requests whose answers are merged: one per action,
    and only where the answers are lists to merge (not a document, not pages)."""
    batches = [index for index, item in enumerate(data["parameters"]) if item.get("batch")]
    if not batches:
        return
    where = (*path, "parameters", batches[-1], "batch")
    if len(batches) > 1:
        ctx.error(where, "only one parameter of an action can be a batch list")
    elif data["response"].get("document", False):
        ctx.error(where, "a batch list needs an answer to merge, not a document")
    elif any(p.name == "NextToken" for p in parameters):
        ctx.error(where, "a batch list cannot be combined with NextToken pages")


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
    body, extras = _extra_arguments(data)
    reserved = {extra.python_name: f"the method's {extra.python_name}= argument" for extra in extras}
    parameters = build_parameters(
        ctx, data["parameters"], (*path, "parameters"), enums, shape_names, reserved
    )
    _check_batch(ctx, data, path, parameters)
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
        reference_id=None,  # set once every action of the section is known (reference_ids)
        parameters=parameters,
        constraints=build_constraints(
            ctx, data.get("constraints", []), (*path, "constraints"), parameters
        ),
        request_body=body,
        extra_arguments=extras,
        result_element=data["response"]["result_element"],
        document=data["response"].get("document", False),
        result_class=result_class,
        result_class_in_runtime=result_shape is None,
        result_shape=result_shape,
        result_is_root=result_is_root,
        notes=notes(data),
        example="",  # set with the section's shapes (generator.docs)
        iterator_example=None,
        source=ctx.ref(path, at_key=True),
    )
