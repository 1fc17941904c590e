"""Stage 1: read spec files into plain data, remembering where every value came from."""

from __future__ import annotations

import datetime
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .errors import SourceRef, SpecError, SpecErrors
from .source import check_structure, read_source

JsonPath = tuple[str | int, ...]

# libyaml's parser when PyYAML has it (several times faster). Its error wording differs, so a
# file it rejects is parsed again with the pure-Python parser for the message users see.
_FAST_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def json_path(path: JsonPath) -> str:
    """`("actions", "ListOrders", "parameters", 3)` -> `$.actions.ListOrders.parameters[3]`."""
    text = "$"
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else f".{part}"
    return text


@dataclass(frozen=True)
class Origin:
    """Data under `prefix` of one spec was written under `target` of another (an include)."""

    prefix: JsonPath
    spec: LoadedSpec
    target: JsonPath


@dataclass(frozen=True)
class LoadedSpec:
    """One spec file's data plus the line and column of every value and mapping key in it.

    `origins` (longest prefix first) say which parts were written in another file: the
    definitions a section includes from specs/_shared.yaml point there.
    """

    file: str
    data: Any
    value_marks: dict[JsonPath, tuple[int, int]] = field(repr=False)
    key_marks: dict[JsonPath, tuple[int, int]] = field(repr=False)
    origins: tuple[Origin, ...] = field(default=(), repr=False)

    def ref(self, path: JsonPath, *, at_key: bool = False) -> SourceRef:
        """The location of `path`, or of its nearest enclosing value that has one."""
        for origin in self.origins:
            if path[: len(origin.prefix)] == origin.prefix:
                inner = (*origin.target, *path[len(origin.prefix) :])
                return origin.spec.ref(inner, at_key=at_key)
        marks = self.key_marks if at_key and path in self.key_marks else self.value_marks
        probe = path
        while probe not in marks and probe:
            probe = probe[:-1]
        line, column = marks.get(probe, (1, 1))
        return SourceRef(self.file, line, column, json_path(path))


class _Builder:
    """Turns a composed YAML node tree into Python data, recording marks and duplicate keys."""

    def __init__(self, file: str, loader: yaml.SafeLoader) -> None:  # or CSafeLoader
        self.file = file
        self.loader = loader
        self.value_marks: dict[JsonPath, tuple[int, int]] = {}
        self.key_marks: dict[JsonPath, tuple[int, int]] = {}
        self.errors: list[SpecError] = []

    def error(self, node: yaml.Node, path: JsonPath, message: str) -> None:
        mark = node.start_mark
        self.errors.append(
            SpecError(
                SourceRef(self.file, mark.line + 1, mark.column + 1, json_path(path)), message
            )
        )

    def build(self, node: yaml.Node, path: JsonPath) -> Any:
        self.value_marks[path] = (node.start_mark.line + 1, node.start_mark.column + 1)
        if isinstance(node, yaml.MappingNode):
            result: dict[str, Any] = {}
            for key_node, value_node in node.value:
                key = self.key(key_node, path)
                if key is None:
                    continue
                key_path = (*path, key)
                mark = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
                if key in result:
                    first_line, first_column = self.key_marks[key_path]
                    self.error(
                        key_node,
                        key_path,
                        f"duplicate key {key!r} (first defined at line {first_line}, "
                        f"column {first_column})",
                    )
                    continue
                self.key_marks[key_path] = mark
                result[key] = self.build(value_node, key_path)
            return result
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, (*path, index)) for index, item in enumerate(node.value)]
        return self.scalar(node, path)

    def key(self, node: yaml.Node, path: JsonPath) -> str | None:
        """A mapping key, which must be a string; None (and an error) for any other."""
        if not isinstance(node, yaml.ScalarNode):
            kind = "a sequence" if isinstance(node, yaml.SequenceNode) else "a mapping"
            self.error(node, path, f"mapping key is {kind}, not a string")
            return None
        key = self.scalar(node, path)
        if isinstance(key, str):
            return key
        if key is not _UNREADABLE:
            self.error(
                node, path, f"mapping key {node.value} is {_kind(key)}, not a string; quote it"
            )
        return None

    def scalar(self, node: yaml.Node, path: JsonPath) -> Any:
        """The value of a scalar; _UNREADABLE (and an error) when it has no finite value."""
        try:
            value = self.loader.construct_object(node, deep=True)
        except (ValueError, OverflowError) as error:  # 2020-13-45, a 5,000-digit integer
            reason = str(error).split(";")[0]
            self.error(node, path, f"cannot read {_preview(node.value)}: {reason}")
            return _UNREADABLE
        if isinstance(value, float) and not math.isfinite(value):
            self.error(
                node, path, f"{_preview(node.value)} is not a finite number; specs hold finite ones"
            )
            return _UNREADABLE
        return value


_UNREADABLE: Any = object()


def _preview(text: str) -> str:
    return repr(text if len(text) <= 40 else text[:37] + "...")


def _kind(value: object) -> str:
    """How an error names the type of a non-string key YAML read."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean (YAML reads yes, no, on, off, true and false as booleans)"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a number"
    if isinstance(value, datetime.datetime):
        return "a timestamp"
    if isinstance(value, datetime.date):
        return "a date"
    return f"a {type(value).__name__}"


def load_spec(path: Path, display_name: str) -> LoadedSpec:
    """Parse one spec file. Raises SpecErrors for unreadable bytes, YAML syntax errors, YAML
    beyond the bounds of generator.source, keys that are not strings, values that cannot be
    read or are not finite numbers, and duplicate keys."""
    text = read_source(path, display_name)
    try:
        return _parse(text, display_name, _FAST_LOADER)
    except yaml.MarkedYAMLError:
        return _parse(text, display_name, yaml.SafeLoader)


def _parse(text: str, display_name: str, loader_class: type[yaml.SafeLoader]) -> LoadedSpec:
    try:
        # Nothing is composed before the structure is known to be bounded (see generator.source).
        check_structure(text, display_name, loader_class)
        loader = loader_class(text)
        try:
            node = loader.get_single_node()
            if node is None:
                raise SpecErrors(
                    [SpecError(SourceRef(display_name, 1, 1, "$"), "the file is empty")]
                )
            builder = _Builder(display_name, loader)
            data = builder.build(node, ())
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as error:
        if loader_class is not yaml.SafeLoader:
            raise
        mark = error.problem_mark or error.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        problem = error.problem or error.context or "invalid YAML"
        raise SpecErrors(
            [SpecError(SourceRef(display_name, line, column, "$"), f"YAML syntax error: {problem}")]
        ) from None
    except yaml.YAMLError as error:  # not marked (a reader error): located at the start
        raise SpecErrors(
            [SpecError(SourceRef(display_name, 1, 1, "$"), f"YAML error: {error}")]
        ) from None
    if builder.errors:
        raise SpecErrors(builder.errors)
    return LoadedSpec(display_name, data, builder.value_marks, builder.key_marks)


def load_specs(paths: list[Path], root: Path) -> list[LoadedSpec]:
    """Load every file, collecting the errors of all of them before raising."""
    specs: list[LoadedSpec] = []
    errors: list[SpecError] = []
    for path in sorted(paths):
        try:
            display = path.resolve().relative_to(root.resolve()).as_posix()
        except ValueError:
            display = path.as_posix()
        try:
            specs.append(load_spec(path, display))
        except SpecErrors as error:
            errors.extend(error.errors)
    if errors:
        raise SpecErrors(errors)
    return specs
