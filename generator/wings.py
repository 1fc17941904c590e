"""The public methods of a section's handwritten wing, read from its source for the reference.

A section's spec may name a `client_mixin`: a class of `templates/mwskit/<section>/workflows.py`
that the generated client inherits (and `Async<name>` for the async client). Its methods are
documented from that source, parsed with `ast` (never imported: the generator does not run
the code it ships), so the reference shows exactly the signatures the package has. Each method
documents its arguments in a Google-style `Args:` section of its docstring; a public method
whose arguments are not all described there, or that the async class lacks, is refused.
"""

from __future__ import annotations

import ast
import inspect
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from .model import Api, Helper, HelperParameter, Section

WING_MODULE = "workflows.py"
ARGS_HEADING = "Args:"


class WingError(RuntimeError):
    """A wing whose public methods cannot be documented as they are written."""


def with_helpers(api: Api, template_path: Callable[..., Path]) -> Api:
    """The model with each section's wing methods filled in (sections without a mixin as is)."""
    sections = tuple(
        (
            replace(section, helpers=section_helpers(section, template_path))
            if section.client_mixin
            else section
        )
        for section in api.sections
    )
    return replace(api, sections=sections)


def section_helpers(section: Section, template_path: Callable[..., Path]) -> tuple[Helper, ...]:
    assert section.client_mixin is not None
    path = template_path("mwskit", section.module, WING_MODULE)
    where = f"templates/mwskit/{section.module}/{WING_MODULE}"
    classes = {
        node.name: node
        for node in ast.parse(path.read_text(encoding="utf-8")).body
        if isinstance(node, ast.ClassDef)
    }
    sync_methods = _public_methods(classes, section.client_mixin, where)
    async_methods = _public_methods(classes, f"Async{section.client_mixin}", where)
    helpers: list[Helper] = []
    for name, method in sync_methods.items():
        async_method = async_methods.get(name)
        if async_method is None or _argument_names(async_method) != _argument_names(method):
            raise WingError(
                f"{where}:{method.lineno}: Async{section.client_mixin}.{name} must take the "
                f"same arguments as {section.client_mixin}.{name}"
            )
        helpers.append(_helper(method, async_method, f"{where}:{method.lineno}"))
    return tuple(helpers)


Function = ast.FunctionDef | ast.AsyncFunctionDef


def _public_methods(classes: dict[str, ast.ClassDef], name: str, where: str) -> dict[str, Function]:
    """The class's public methods, its bases' (defined in the same module) first."""
    node = classes.get(name)
    if node is None:
        raise WingError(f"{where}: no class {name} (the spec's client_mixin)")
    methods: dict[str, Function] = {}
    for base in node.bases:
        if isinstance(base, ast.Name) and base.id in classes:
            methods.update(_public_methods(classes, base.id, where))
    for item in node.body:
        if (
            isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef)
            and not item.name.startswith("_")
            and not any(_is_overload(decorator) for decorator in item.decorator_list)
        ):
            methods[item.name] = item
    return methods


def _is_overload(decorator: ast.expr) -> bool:
    return isinstance(decorator, ast.Name) and decorator.id == "overload"


def _argument_names(method: Function) -> list[str]:
    arguments = method.args
    return [item.arg for item in (*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs)]


def _async_form(method: Function) -> str:
    """How the async client's method is used: `await`, `async for`, or as the sync one."""
    if not isinstance(method, ast.AsyncFunctionDef):
        return "call"
    yields = any(isinstance(node, ast.Yield | ast.YieldFrom) for node in ast.walk(method))
    return "async for" if yields else "await"


def _split_docstring(method: Function, where: str) -> tuple[str, dict[str, str]]:
    """The description and the `Args:` entries of a method's docstring."""
    text = inspect.cleandoc(ast.get_docstring(method, clean=False) or "")
    if f"\n{ARGS_HEADING}\n" not in f"\n{text}\n":
        raise WingError(f"{where}: {method.name} has no {ARGS_HEADING} section in its docstring")
    description, _, rest = f"\n{text}\n".partition(f"\n{ARGS_HEADING}\n")
    entries: dict[str, list[str]] = {}
    current: list[str] | None = None
    for line in rest.splitlines():
        stripped = line.strip()
        if not stripped:
            continue
        if line.startswith("    ") and not line.startswith("     "):
            name, _, first = stripped.partition(":")
            current = entries.setdefault(name.strip(), [])
            current.append(first.strip())
        elif current is not None:
            current.append(stripped)
    return " ".join(description.split()), {
        name: " ".join(" ".join(lines).split()) for name, lines in entries.items()
    }


def _helper(method: Function, async_method: Function, where: str) -> Helper:
    description, described = _split_docstring(method, where)
    arguments = method.args
    positional = [*arguments.posonlyargs, *arguments.args][1:]  # without self
    defaults = [None] * (len(positional) - len(arguments.defaults)) + list(arguments.defaults)
    declared = [(item, default, False) for item, default in zip(positional, defaults, strict=True)]
    declared += [
        (item, default, True)
        for item, default in zip(arguments.kwonlyargs, arguments.kw_defaults, strict=True)
    ]
    parameters: list[HelperParameter] = []
    for item, default, keyword_only in declared:
        if item.annotation is None or not described.get(item.arg):
            raise WingError(
                f"{where}: {method.name}: argument {item.arg!r} needs an annotation and a line"
                f" in {ARGS_HEADING}"
            )
        parameters.append(
            HelperParameter(
                name=item.arg,
                annotation=ast.unparse(item.annotation),
                default=ast.unparse(default) if default is not None else None,
                keyword_only=keyword_only,
                description=described[item.arg],
            )
        )
    unknown = sorted(set(described) - {parameter.name for parameter in parameters})
    if unknown:
        raise WingError(f"{where}: {method.name}: {ARGS_HEADING} names no argument {unknown}")
    if method.returns is None:
        raise WingError(f"{where}: {method.name} needs a return annotation")
    returns = ast.unparse(method.returns)
    return Helper(
        name=method.name,
        signature=_signature(method.name, parameters, returns),
        returns=returns,
        async_form=_async_form(async_method),
        description=description,
        parameters=tuple(parameters),
        source=where,
    )


def _signature(name: str, parameters: list[HelperParameter], returns: str) -> str:
    lines = [f"def {name}(", "    self,"]
    star = False
    for parameter in parameters:
        if parameter.keyword_only and not star:
            lines.append("    *,")
            star = True
        default = f" = {parameter.default}" if parameter.default is not None else ""
        lines.append(f"    {parameter.name}: {parameter.annotation}{default},")
    lines.append(f") -> {returns}: ...")
    return "\n".join(lines)
