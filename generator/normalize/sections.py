"""One section spec -> one Section: its enums, shapes, result shapes and actions, checked."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from .. import docs, naming
from ..errors import SpecError
from ..load import JsonPath, LoadedSpec
from ..model import Action, EnumType, ErrorCode, PackageExport, ResultShape, Section, Shape
from ..python import types
from ..python.imports import section_imports
from .actions import build_action
from .context import SpecContext, docs_url, notes
from .enums import build_enums
from .error_codes import build_error_codes, error_base
from .ordering import dependencies_first
from .pagination import DEFAULT_NEXT_TOKEN, check_buckets, companions
from .reference_ids import with_reference_ids
from .requests import build_shapes
from .responses import build_result_shapes, repeated_result_shape


def _result_shapes(
    ctx: SpecContext, enums: dict[str, EnumType], shape_names: set[str]
) -> dict[str, ResultShape]:
    """The spec's response shapes plus the wrapper class of each repeated response."""
    responses = {name: data["response"] for name, data in ctx.data["actions"].items()}
    result_classes = {
        response["shape"]
        for response in responses.values()
        if "shape" in response and not response.get("repeated", False)
    }
    result_shapes = build_result_shapes(ctx, enums, result_classes)
    for name, response in responses.items():
        shape = result_shapes.get(response.get("shape", ""))
        if response.get("repeated", False) and shape is not None:
            wrapper = repeated_result_shape(ctx, name, shape)
            if wrapper.name in result_shapes or wrapper.name in shape_names:
                ctx.error(
                    ("actions", name, "response", "repeated"),
                    f"the generated class name {wrapper.name!r} is already a shape's name",
                )
            result_shapes[wrapper.name] = wrapper
    return result_shapes


def _actions(
    ctx: SpecContext, enums: dict[str, EnumType], shape_names: set[str], result_names: set[str]
) -> dict[str, Action]:
    """Every action by name; method names must be unique."""
    actions = {
        name: build_action(ctx, name, data, enums, shape_names, result_names)
        for name, data in ctx.data["actions"].items()
    }
    python_names: dict[str, str] = {}
    for name in sorted(actions):
        python_name = actions[name].python_name
        if python_name in python_names:
            ctx.error(
                ("actions", name),
                f"method name {python_name!r} is already used by {python_names[python_name]!r}",
                at_key=True,
            )
        python_names[python_name] = name
    return actions


def _items(
    first: Action, following: Action, results: dict[str, ResultShape]
) -> tuple[str, str] | None:
    """(field, record class) of the records a paging action lists: the one list of structures
    in its result, which its companion's result holds under the same name; else None."""
    if first.result_shape is None or following.result_shape is None or first.result_is_root:
        return None
    records = [f for f in results[first.result_shape].fields if f.is_list and f.shape]
    if len(records) != 1:
        return None
    record = records[0]
    same = [
        f
        for f in results[following.result_shape].fields
        if f.python_name == record.python_name and f.shape == record.shape and f.is_list
    ]
    return (record.python_name, str(record.shape)) if same else None


def _linked(
    module: str,
    actions: dict[str, Action],
    pages: dict[str, str],
    shapes: tuple[Shape, ...],
    result_shapes: tuple[ResultShape, ...],
    example_kinds: set[str],
) -> tuple[Action, ...]:
    """The actions sorted by name, each with its pagination companion and its docs examples."""
    shape_map = {shape.name: shape for shape in shapes}
    result_map = {shape.name: shape for shape in result_shapes}
    linked: list[Action] = []
    for name in sorted(actions):
        action = actions[name]
        companion = actions[pages[name]] if name in pages else None
        items = _items(action, companion, result_map) if companion else None
        linked.append(
            replace(
                action,
                next_token_action=companion.name if companion else None,
                next_token_descriptor=companion.descriptor if companion else None,
                page_annotation=types.page_type(action, companion) if companion else None,
                items_field=items[0] if items else None,
                items_class=items[1] if items else None,
                example=docs.example(module, action, shape_map, result_map, example_kinds),
                iterator_example=(
                    docs.iterator_example(
                        module, action, companion, shape_map, result_map, example_kinds
                    )
                    if companion
                    else None
                ),
            )
        )
    return tuple(linked)


def _own_error_classes(errors: tuple[ErrorCode, ...], base: str) -> tuple[str, ...]:
    """The error classes models.py defines: one per code the runtime has no class for, and
    their base; none when every code is the runtime's."""
    own = [error.code for error in errors if not error.in_runtime]
    return tuple(sorted([*own, base])) if own else ()


def _package_exports(data: dict[str, Any]) -> tuple[PackageExport, ...]:
    return tuple(
        PackageExport(module, tuple(names))
        for module, names in sorted(data.get("package_exports", {}).items())
    )


def _check_sandbox(ctx: SpecContext, actions: dict[str, Action]) -> None:
    """A sandbox path differs from the production one, and then every action has sandbox
    throttling (its own bucket there); without a sandbox path no action has one."""
    sandbox_path = ctx.data.get("sandbox_path")
    if sandbox_path is not None and sandbox_path == ctx.data["path"]:
        ctx.error(("sandbox_path",), "sandbox_path must differ from path")
    for name, action in actions.items():
        throttling: JsonPath = ("actions", name, "throttling")
        if sandbox_path is None and action.throttling.sandbox is not None:
            ctx.error(
                (*throttling, "sandbox"),
                "sandbox throttling needs the section's sandbox_path; add it or remove this",
            )
        elif sandbox_path is not None and action.throttling.sandbox is None:
            ctx.error(
                throttling,
                f"the section has a sandbox_path ({sandbox_path}): give this action's bucket "
                "there as throttling.sandbox (max_request_quota, restore_seconds)",
            )


def _class_names(
    name: str, enums: dict[str, EnumType], shapes: set[str], results: set[str]
) -> dict[str, str]:
    """The section's generated class names, each with what it is (for clash messages)."""
    taken = {f"{name}Client": "the section's client", f"Async{name}Client": "its async client"}
    taken.update({enum: f"the enum {enum}" for enum in enums})
    taken.update({shape: f"the shape {shape}" for shape in shapes})
    taken.update({shape: f"the response shape {shape}" for shape in results})
    return taken


def build_section(spec: LoadedSpec) -> tuple[Section | None, list[SpecError]]:
    """The section of one schema-valid spec, or None and every semantic error found."""
    ctx = SpecContext(spec)
    data = ctx.data
    enums = build_enums(ctx)
    shapes = build_shapes(ctx, enums)
    shape_names = set(data.get("shapes", {}))
    result_shapes = _result_shapes(ctx, enums, shape_names)
    actions = _actions(ctx, enums, shape_names, set(result_shapes))
    actions = with_reference_ids(ctx, actions, result_shapes)
    errors = build_error_codes(
        ctx, _class_names(data["section"], enums, shape_names, set(result_shapes))
    )
    _check_sandbox(ctx, actions)
    # A result shape may hold itself (a category's parent category): the runtime reads it
    # lazily, so only longer cycles are errors.
    ordered_results = dependencies_first(
        ctx,
        "response_shapes",
        result_shapes,
        lambda shape: [f.shape for f in shape.fields if f.shape and f.shape != shape.name],
    )
    next_token = data.get("next_token", DEFAULT_NEXT_TOKEN)
    pages = companions(ctx, actions, next_token)
    check_buckets(ctx, actions)
    if ctx.errors:
        return None, ctx.errors
    name = data["section"]
    module = naming.module_name(name)
    example_kinds: set[str] = set()
    final_actions = _linked(module, actions, pages, shapes, ordered_results, example_kinds)
    mixin = data.get("client_mixin")
    own_errors = any(not error.in_runtime for error in errors)
    imports = section_imports(enums, shapes, ordered_results, final_actions, mixin, own_errors)
    section = Section(
        name=name,
        module=module,
        client_class=f"{name}Client",
        async_client_class=f"Async{name}Client",
        spec_file=spec.file,
        version=data["version"],
        path=data["path"],
        sandbox_path=data.get("sandbox_path"),
        next_token=next_token,
        next_token_field=naming.parameter_name(next_token),
        namespace=data["namespace"],
        seller_parameter=data["seller_parameter"],
        seller_parameter_alternatives=tuple(data.get("seller_parameter_alternatives", ())),
        description=data["description"],
        docs_url=docs_url(data.get("docs")),
        notes=notes(data),
        errors=errors,
        error_base=error_base(name),
        own_error_classes=_own_error_classes(errors, error_base(name)),
        enums=tuple(enums[key] for key in sorted(enums)),
        shapes=shapes,
        result_shapes=ordered_results,
        actions=final_actions,
        models_needs=imports.models,
        models_runtime_names=imports.models_runtime_names,
        client_imports=imports.client,
        client_package_imports=imports.client_package,
        client_model_names=imports.client_model_names,
        client_runtime_names=imports.client_runtime_names,
        client_type_runtime_names=imports.client_type_runtime_names,
        client_mixin=mixin,
        package_exports=_package_exports(data),
        example_imports=docs.example_imports(example_kinds),
    )
    return section, []
