"""Stage 2b: add to each section the definitions it includes from the shared spec files.

A shared spec file (`specs/_shared.yaml`; any spec file whose name starts with `_`) holds
definitions several sections repeat, in a section's maps: `enums`, `shapes`,
`response_shapes`, `actions`. A section lists the names it wants:

    include:
    - ServiceStatus                 # added as written in specs/_shared.yaml
    - GetServiceStatus:             # added with these top-level keys replaced
        description: Report whether the Orders section is working ...

Each included definition lands in the section's map of its kind, so the later stages see one
section as if it had been written out. Its locations stay where it was written: a shared key
points into specs/_shared.yaml, a replaced key at the section's include item.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .errors import SpecError, SpecErrors
from .load import JsonPath, LoadedSpec, Origin
from .validate import is_shared_file

DEFINITION_KINDS = ("enums", "shapes", "response_shapes", "actions")


@dataclass(frozen=True)
class SharedDefinition:
    spec: LoadedSpec
    kind: str  # one of DEFINITION_KINDS
    name: str
    data: dict[str, Any]


def shared_definitions(
    shared: list[LoadedSpec],
) -> tuple[dict[str, SharedDefinition], list[SpecError]]:
    """Every definition of the shared files by name; a name may be defined only once."""
    found: dict[str, SharedDefinition] = {}
    errors: list[SpecError] = []
    for spec in shared:
        for kind in DEFINITION_KINDS:
            for name, data in spec.data.get(kind, {}).items():
                if name in found:
                    first = found[name]
                    errors.append(
                        SpecError(
                            spec.ref((kind, name), at_key=True),
                            f"shared name {name!r} is already defined at "
                            f"{first.spec.ref((first.kind, name), at_key=True)}",
                        )
                    )
                    continue
                found[name] = SharedDefinition(spec, kind, name, data)
    return found, errors


def _item(item: str | dict[str, dict[str, Any]]) -> tuple[str, dict[str, Any]]:
    """An include item as (name, the keys the section replaces)."""
    if isinstance(item, str):
        return item, {}
    ((name, replaced),) = item.items()
    return name, replaced


def _with_includes(
    spec: LoadedSpec, definitions: dict[str, SharedDefinition], errors: list[SpecError]
) -> LoadedSpec:
    """The spec with its included definitions added to its own maps (copies, not in place)."""
    items: list[Any] = spec.data.get("include", [])
    if not items:
        return spec
    data = {
        key: dict(value) if key in DEFINITION_KINDS else value for key, value in spec.data.items()
    }
    origins: list[Origin] = []
    seen: dict[str, int] = {}
    for index, item in enumerate(items):
        name, replaced = _item(item)
        where = spec.ref(("include", index, name) if replaced else ("include", index), at_key=True)
        definition = definitions.get(name)
        if name in seen:
            errors.append(SpecError(where, f"{name!r} is already included (item {seen[name]})"))
            continue
        seen[name] = index
        if definition is None:
            known = sorted(definitions)
            errors.append(
                SpecError(where, f"unknown include {name!r}; shared definitions: {known}")
            )
            continue
        own: dict[str, Any] = data.setdefault(definition.kind, {})
        path: JsonPath = (definition.kind, name)
        if name in own:
            errors.append(
                SpecError(
                    spec.ref(path, at_key=True),
                    f"{name!r} is defined here and included from {definition.spec.file}; "
                    "replace its keys in the include item instead",
                )
            )
            continue
        own[name] = {**definition.data, **replaced}
        origins.append(Origin(path, definition.spec, path))
        origins.extend(
            Origin((*path, key), spec, ("include", index, name, key)) for key in replaced
        )
    origins.sort(key=lambda origin: -len(origin.prefix))
    return LoadedSpec(spec.file, data, spec.value_marks, spec.key_marks, tuple(origins))


def resolve_includes(specs: list[LoadedSpec]) -> list[LoadedSpec]:
    """The non-shared specs, each with what it includes; raises SpecErrors listing every
    unknown, repeated or clashing include."""
    definitions, errors = shared_definitions([s for s in specs if is_shared_file(s.file)])
    resolved = [
        _with_includes(spec, definitions, errors) for spec in specs if not is_shared_file(spec.file)
    ]
    if errors:
        raise SpecErrors(errors)
    return resolved
