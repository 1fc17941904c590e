"""The generated dataclasses, their fields and __init__ written out as source: one DataClass per shape.

`@dataclass` would exec fresh source for each class's methods at import (1-2.5 ms a class);
models.py spells out the slots, annotations and `__init__` instead (templates/_macros/
dataclasses.j2), from the DataClass made here of the same fields
`@dataclass(frozen=True, slots=True, kw_only=True)` would read, and the runtime's
`source_dataclass` adds the methods that treat the fields as a whole. A typed result derives
from the runtime's `MWSResult` and its `__init__` takes that base's fields first; they are
read from the runtime's source (templates/mwskit/_runtime/results.py) with `ast`, never
imported, as the render stage does for the wings (generator/wings.py), so the runtime stays
the one place that declares them. This stage also settles models.py's imports, which depend
on those fields' types.
"""

from __future__ import annotations

import ast
import builtins
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from pathlib import Path

from .model import Api, ClassField, DataClass, ResultShape, Section, Shape
from .python.imports import import_lines
from .python.runtime_symbols import RUNTIME_PACKAGE, allowed
from .python.types import Import

RESULT_BASE = "MWSResult"
RESULT_BASE_MODULE = ("mwskit", "_runtime", "results.py")
DEFAULT_FACTORY = "DEFAULT_FACTORY"  # the runtime's `<factory>` marker
# Names a generated __init__ reads besides its arguments: no field may be called so.
_INIT_GLOBALS = frozenset({"_setattr", DEFAULT_FACTORY})
# What __init__ calls its instance when a field is named `self`, as @dataclass does.
_OTHER_SELF = "__dataclass_self__"
_FIELD_OPTIONS = frozenset({"default", "default_factory", "repr", "compare"})


class ClassError(RuntimeError):
    """A class whose source cannot be written as `@dataclass` would build it."""


@dataclass(frozen=True, slots=True)
class ResultBase:
    fields: tuple[ClassField, ...]
    needs: frozenset[Import]  # what its fields' annotations import


def with_classes(api: Api, template_path: Callable[..., Path]) -> Api:
    """The model with every shape's DataClass and each section's models.py imports filled in."""
    base = read_result_base(template_path(*RESULT_BASE_MODULE))
    return replace(api, sections=tuple(_section(section, base) for section in api.sections))


def _section(section: Section, base: ResultBase) -> Section:
    shapes = tuple(replace(shape, dataclass=request_class(shape)) for shape in section.shapes)
    results = tuple(
        replace(shape, dataclass=result_class(shape, base)) for shape in section.result_shapes
    )
    classes = [
        made
        for made in (*(s.dataclass for s in shapes), *(r.dataclass for r in results))
        if made is not None
    ]
    needs = set(section.models_needs)
    runtime = set(section.models_runtime_names)
    if classes:
        runtime.add("source_dataclass")
    if any(cls.base is not None for cls in classes):
        needs |= base.needs
    if any(field.factory for cls in classes for field in cls.init_fields):
        runtime.add(DEFAULT_FACTORY)
    return replace(
        section,
        shapes=shapes,
        result_shapes=results,
        models_imports=import_lines(needs),
        models_runtime_names=allowed(RUNTIME_PACKAGE, runtime),
    )


def request_class(shape: Shape) -> DataClass:
    """A request structure: an optional field defaults to None."""
    fields = [
        ClassField(field.python_name, field.field_annotation, None, None)
        if field.required
        else ClassField(field.python_name, f"{field.field_annotation} | None", "None", None)
        for field in shape.fields
    ]
    return data_class(shape.name, None, (), fields)


def result_class(shape: ResultShape, base: ResultBase) -> DataClass:
    """A response structure: a list defaults to a fresh [], an absent value to None."""
    fields = []
    for field in shape.fields:
        if field.is_list:
            fields.append(ClassField(field.python_name, field.annotation, None, "list"))
        elif field.required:
            fields.append(ClassField(field.python_name, field.annotation, None, None))
        else:
            fields.append(ClassField(field.python_name, f"{field.annotation} | None", "None", None))
    if shape.is_result:
        return data_class(shape.name, RESULT_BASE, base.fields, fields)
    return data_class(shape.name, None, (), fields)


def data_class(
    name: str, base: str | None, base_fields: tuple[ClassField, ...], fields: Iterable[ClassField]
) -> DataClass:
    own = tuple(fields)
    inherited = {field.name for field in base_fields}
    for field in own:
        if field.name in _INIT_GLOBALS | {_OTHER_SELF} or field.name in inherited:
            raise ClassError(f"{name}.{field.name}: the generated __init__ cannot take this name")
    init_fields = (*base_fields, *own)
    factories = {field.factory for field in init_fields if field.factory}
    if any(field.name in factories for field in init_fields):
        raise ClassError(f"{name}: a field is named like a default factory ({sorted(factories)})")
    return DataClass(
        name=name,
        base=base,
        fields=own,
        init_fields=init_fields,
        factory_fields=tuple(field for field in own if field.factory),
        self_name=_OTHER_SELF if "self" in {field.name for field in init_fields} else "self",
    )


def read_result_base(path: Path) -> ResultBase:
    """MWSResult's fields as its source declares them, with the imports their types need."""
    where = "templates/" + "/".join(RESULT_BASE_MODULE)
    tree = ast.parse(path.read_text(encoding="utf-8"))
    imported: dict[str, Import] = {
        alias.asname or alias.name: (node.module, alias.name)
        for node in tree.body
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module
        for alias in node.names
    }
    found = [n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == RESULT_BASE]
    if not found:
        raise ClassError(f"{where}: no class {RESULT_BASE}")
    fields: list[ClassField] = []
    needs: set[Import] = set()
    for node in found[0].body:
        if not isinstance(node, ast.AnnAssign) or not isinstance(node.target, ast.Name):
            continue
        name = node.target.id
        fields.append(_base_field(name, node, f"{where}:{node.lineno}"))
        for used in ast.walk(node.annotation):
            if not isinstance(used, ast.Name) or used.id == RESULT_BASE:
                continue
            if used.id in imported:
                needs.add(imported[used.id])
            elif not hasattr(builtins, used.id):
                raise ClassError(f"{where}:{node.lineno}: {name}: {used.id} is not imported")
    return ResultBase(tuple(fields), frozenset(needs))


def _base_field(name: str, node: ast.AnnAssign, where: str) -> ClassField:
    annotation = ast.unparse(node.annotation)
    value = node.value
    if value is None:
        return ClassField(name, annotation, None, None)
    is_field_call = (
        isinstance(value, ast.Call)
        and isinstance(value.func, ast.Name)
        and value.func.id == "field"
    )
    if not is_field_call:
        return ClassField(name, annotation, _literal(value, name, where), None)
    assert isinstance(value, ast.Call)
    options = {keyword.arg: keyword.value for keyword in value.keywords}
    if value.args or not set(options) <= _FIELD_OPTIONS:
        raise ClassError(f"{where}: {name}: field() takes only {sorted(_FIELD_OPTIONS)} here")
    for flag in ("repr", "compare"):  # the runtime reads them from the base's own fields
        given = options.get(flag)
        if given is not None and not (
            isinstance(given, ast.Constant) and isinstance(given.value, bool)
        ):
            raise ClassError(f"{where}: {name}: {flag}= must be True or False")
    default = _literal(options["default"], name, where) if "default" in options else None
    factory = None
    if "default_factory" in options:
        made_by = options["default_factory"]
        if not isinstance(made_by, ast.Name) or not hasattr(builtins, made_by.id):
            raise ClassError(f"{where}: {name}: default_factory must be a builtin (list, dict)")
        factory = made_by.id
    return ClassField(name, annotation, default, factory)


def _literal(value: ast.expr, name: str, where: str) -> str:
    """A default models.py can write as it is: a literal (None, b"", ())."""
    try:
        ast.literal_eval(value)
    except ValueError:
        raise ClassError(f"{where}: {name}: a default must be a literal") from None
    return ast.unparse(value)
