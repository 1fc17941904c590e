"""Money-moving actions: the caller-chosen reference id and how to find the object it made.

An action with `reference_id:` (Amazon Pay's Authorize, Capture, Refund, ...) may be sent again
after an unknown outcome only with the same reference id and the same parameters: the service
answers the same object again instead of acting twice. Its `lookup:` says how to find that
object from its parent without sending the action again: read the parent, take its id list,
read each child and match its reference id.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from ..load import JsonPath
from ..model import Action, ReferenceId, ReferenceLookup, ResultField, ResultShape
from .context import SpecContext, notes


def _walk(
    shapes: dict[str, ResultShape], start: str | None, elements: list[str]
) -> tuple[list[ResultField], str | None]:
    """The fields an element path goes through from a result shape, or a reason it does not."""
    fields: list[ResultField] = []
    shape_name = start
    for element in elements:
        shape = shapes.get(shape_name or "")
        if shape is None:
            return fields, f"{'.'.join(elements)}: {element!r} is not inside a response shape"
        found = next((f for f in shape.fields if f.xml_name == element), None)
        if found is None:
            known = sorted(f.xml_name for f in shape.fields if f.xml_name)
            return fields, f"{shape.name} has no element {element!r}; its elements: {known}"
        fields.append(found)
        shape_name = found.shape
    return fields, None


def _lookup(
    ctx: SpecContext,
    path: JsonPath,
    data: dict[str, Any],
    action: Action,
    result: ResultField,
    actions: dict[str, Action],
    shapes: dict[str, ResultShape],
) -> ReferenceLookup | None:
    parent = actions.get(data["parent"])
    child = actions.get(data["child"])
    usable = True
    for key, found in (("parent", parent), ("child", child)):
        if found is None:
            ctx.error((*path, key), f"{data[key]!r} is not an action of this section")
            usable = False
        elif not found.idempotent:
            ctx.error((*path, key), f"{found.name!r} must be an idempotent read (idempotent: true)")
            usable = False
    if parent is None or child is None or not usable:
        return None
    argument = data["parent_parameter"]
    mine = next((p for p in action.parameters if p.name == argument), None)
    theirs = next((p for p in parent.parameters if p.name == argument), None)
    others = [p.name for p in parent.parameters if p.required and p.name != argument]
    if mine is None or theirs is None or others or mine.kind != "string":
        ctx.error(
            (*path, "parent_parameter"),
            (
                f"{argument!r} must be a string parameter of both {action.name} and {parent.name}, "
                f"the only one {parent.name} requires (it also requires {others})"
                if others
                else f"{argument!r} must be a string parameter of both {action.name} and {parent.name}"
            ),
        )
        return None
    child_required = [p for p in child.parameters if p.required]
    if len(child_required) != 1 or child_required[0].kind != "string":
        ctx.error(
            (*path, "child"),
            f"{child.name} must require exactly one string parameter (the child id); it requires "
            f"{[p.name for p in child_required]}",
        )
        return None
    id_fields, problem = _walk(shapes, parent.result_shape, data["id_list"].split("."))
    if problem is None and (not id_fields[-1].is_list or id_fields[-1].kind != "string"):
        problem = f"{data['id_list']} is not a list of strings"
    if problem is not None:
        ctx.error((*path, "id_list"), problem)
        return None
    match_fields, problem = _walk(shapes, child.result_shape, data["match"].split("."))
    if problem is None and (match_fields[-1].is_list or match_fields[-1].kind != "string"):
        problem = f"{data['match']} is not a single string"
    if problem is None and (len(match_fields) < 2 or match_fields[0].shape != result.shape):
        problem = (
            f"{data['match']} must run through the same object {action.name} answers with "
            f"({result.shape}), then to its reference id"
        )
    if problem is not None:
        ctx.error((*path, "match"), problem)
        return None
    return ReferenceLookup(
        parent=parent.name,
        parent_descriptor=parent.descriptor,
        parent_argument=mine.python_name,
        parent_argument_index=action.parameters.index(mine),
        parent_index=parent.parameters.index(theirs),
        id_list=tuple(f.python_name for f in id_fields),
        child=child.name,
        child_descriptor=child.descriptor,
        child_argument=child_required[0].python_name,
        child_index=child.parameters.index(child_required[0]),
        match=tuple(f.python_name for f in match_fields),
    )


def _reference_id(
    ctx: SpecContext,
    name: str,
    data: dict[str, Any],
    actions: dict[str, Action],
    shapes: dict[str, ResultShape],
) -> ReferenceId | None:
    path: JsonPath = ("actions", name, "reference_id")
    action = actions[name]
    parameter = next((p for p in action.parameters if p.name == data["parameter"]), None)
    if parameter is None or parameter.kind != "string" or parameter.is_list:
        ctx.error(
            (*path, "parameter"),
            f"{data['parameter']!r} must be one of {name}'s own string parameters; parameters: "
            f"{sorted(p.name for p in action.parameters)}",
        )
        return None
    if not parameter.required:
        ctx.error(
            (*path, "parameter"),
            f"{data['parameter']!r} must be required: without it a resend is a new transaction",
        )
        return None
    if action.idempotent:
        ctx.error(
            ("actions", name, "idempotent"),
            "an action with a reference_id is resent only under its reference-id rule; "
            "declare idempotent: false",
        )
        return None
    fields, problem = _walk(shapes, action.result_shape, [data["result"]])
    if problem is None and fields[0].shape is None:
        problem = f"{data['result']} is not an object (a response shape)"
    if problem is not None:
        ctx.error((*path, "result"), problem)
        return None
    lookup = None
    if "lookup" in data:
        lookup = _lookup(ctx, (*path, "lookup"), data["lookup"], action, fields[0], actions, shapes)
        if lookup is None:
            return None
    return ReferenceId(
        parameter=parameter.name,
        python_name=parameter.python_name,
        index=action.parameters.index(parameter),
        result_field=fields[0].python_name,
        lookup=lookup,
        notes=notes(data),
    )


def with_reference_ids(
    ctx: SpecContext, actions: dict[str, Action], shapes: dict[str, ResultShape]
) -> dict[str, Action]:
    """The actions, each money-moving one with its checked reference-id rule."""
    linked = dict(actions)
    for name, data in ctx.data["actions"].items():
        if "reference_id" in data:
            rule = _reference_id(ctx, name, data["reference_id"], actions, shapes)
            linked[name] = replace(actions[name], reference_id=rule)
    return linked
