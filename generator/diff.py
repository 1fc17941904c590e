"""`mwsgen diff`: what changed between two spec sets, as the users of the generated client see it.

Both spec sets are built into the normalized model (`Api`), and each is reduced to its *surface*:
the sections (client attributes), the actions (method names and what they return), every
parameter down to the fields of request structures (Python name, type, required flag, valid
values, list and size limits) and every result field down to nested structures (Python name,
type, enum values). Each difference is classified:

- breaking: something removed or renamed, a parameter becoming required (or added as required),
  a changed type, fewer valid values or enum members, a tighter limit;
- additive: something added (an optional parameter, an action, a section, a result field, a
  value), a parameter no longer required, a looser limit;
- patch: nothing on the surface changed but something else did (descriptions, notes, throttling,
  hosts): the generated code or docs differ without any call changing.

The semver part to bump follows: major, minor, patch, or none.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from .errors import SourceRef
from .model import Api, Parameter, ResultField, ResultShape, Section

BREAKING, ADDITIVE, PATCH = "breaking", "additive", "patch"
_BUMP = {BREAKING: "major", ADDITIVE: "minor", PATCH: "patch"}


@dataclass(frozen=True, slots=True)
class Change:
    kind: str  # breaking | additive | patch
    section: str
    action: str | None
    description: str

    def as_json(self) -> dict[str, str | None]:
        return {"section": self.section, "action": self.action, "description": self.description}


@dataclass(frozen=True, slots=True)
class Item:
    """One thing users see, with the properties a change of which matters to them."""

    what: str  # section | method | parameter | result field
    section: str
    action: str | None
    name: str  # dotted path below the action: `item.seller_sku`, `orders.order_status`
    properties: tuple[tuple[str, Any], ...]

    @property
    def parent(self) -> tuple[str, str, str | None, str]:
        return (self.what, self.section, self.action, self.name.rpartition(".")[0])

    def get(self, key: str) -> Any:
        return dict(self.properties)[key]


def _type(kind: str, shape: str | None, enum: str | None, is_list: bool) -> str:
    item = shape or enum or kind
    return f"list of {item}" if is_list else item


def _parameters(
    section: Section, action: str, params: tuple[Parameter, ...], prefix: str
) -> Iterator[Item]:
    shapes = {shape.name: shape for shape in section.shapes}
    for param in params:
        name = prefix + param.python_name
        yield Item(
            "parameter",
            section.name,
            action,
            name,
            (
                ("type", _type(param.kind, param.shape, param.enum, param.is_list)),
                ("required", param.required),
                ("values", frozenset(param.values) if param.values else None),
                ("open_values", param.open_values),
                ("max_items", param.max_items),
                ("max_length", param.max_length),
                ("min_length", param.min_length),
                ("min_value", param.min_value),
                ("max_value", param.max_value),
            ),
        )
        if param.shape is not None:
            yield from _parameters(section, action, shapes[param.shape].fields, name + ".")


def _result_fields(
    section: Section, action: str, shape: ResultShape, prefix: str, seen: frozenset[str]
) -> Iterator[Item]:
    shapes = {shape.name: shape for shape in section.result_shapes}
    enums = {enum.name: enum for enum in section.enums}
    for field in shape.fields:
        name = prefix + field.python_name
        values = frozenset(v.value for v in enums[field.enum].values) if field.enum else None
        yield Item(
            "result field",
            section.name,
            action,
            name,
            (("type", _field_type(field)), ("values", values)),
        )
        if field.shape is not None and field.shape in shapes and field.shape not in seen:
            yield from _result_fields(
                section, action, shapes[field.shape], name + ".", seen | {field.shape}
            )


def _field_type(field: ResultField) -> str:
    return _type(field.kind, field.shape, field.enum, field.is_list)


def surface(api: Api) -> dict[tuple[str, str, str | None, str], Item]:
    """Everything users see, keyed by (what, section, action, name)."""
    items: list[Item] = []
    for section in api.sections:
        items.append(Item("section", section.name, None, "", (("attribute", section.module),)))
        result_shapes = {shape.name: shape for shape in section.result_shapes}
        for action in section.actions:
            items.append(
                Item(
                    "method",
                    section.name,
                    action.name,
                    "",
                    (("method", action.python_name), ("returns", action.result_class)),
                )
            )
            items.extend(_parameters(section, action.name, action.parameters, ""))
            if action.result_shape in result_shapes:
                shape = result_shapes[action.result_shape]
                items.extend(_result_fields(section, action.name, shape, "", frozenset()))
    return {(item.what, item.section, item.action, item.name): item for item in items}


def _limit(key: str, old: Any, new: Any) -> str:
    """The kind of a limit's change: a new limit, a minimum rising or a maximum falling is
    breaking; anything else loosens it."""
    if old is None:
        return BREAKING
    if new is None:
        return ADDITIVE
    tighter = new < old if key.startswith("max") else new > old
    return BREAKING if tighter else ADDITIVE


def _values(
    old: frozenset[str] | None, new: frozenset[str] | None, label: str
) -> list[tuple[str, str]]:
    if old == new:
        return []
    if new is None:  # any value accepted now
        return [(ADDITIVE, f"{label} accepts any value")]
    if old is None:
        return [(BREAKING, f"{label} accepts only {_listing(new)}")]
    changes = []
    if old - new:
        changes.append((BREAKING, f"{label} loses {_listing(old - new)}"))
    if new - old:
        changes.append((ADDITIVE, f"{label} gains {_listing(new - old)}"))
    return changes


def _listing(values: frozenset[str]) -> str:
    return ", ".join(repr(value) for value in sorted(values))


def _item_label(item: Item) -> str:
    if item.what == "section":
        return f"section {item.section} (mws.{item.get('attribute')})"
    if item.what == "method":
        return f"method {item.get('method')}"
    return f"{item.what} {item.name}"


def _changed(old: Item, new: Item) -> list[tuple[str, str]]:
    label = _item_label(old)
    changes: list[tuple[str, str]] = []
    for key, before in old.properties:
        after = new.get(key)
        if before == after:
            continue
        if key in ("attribute", "method"):
            changes.append((BREAKING, f"{label} renamed to {after}"))
        elif key in ("type", "returns"):
            changes.append((BREAKING, f"{label} {key} changed from {before} to {after}"))
        elif key == "required":
            kind = BREAKING if after else ADDITIVE
            changes.append((kind, f"{label} is {'now' if after else 'no longer'} required"))
        elif key == "values":
            changes.extend(_values(before, after, label))
        elif key == "open_values":
            kind = ADDITIVE if after else BREAKING
            text = "accepts other values too" if after else "accepts only its known values"
            changes.append((kind, f"{label} {text}"))
        else:
            kind = _limit(key, before, after)
            changes.append((kind, f"{label} {key} changed from {before} to {after}"))
    return changes


def _renames(removed: list[Item], added: list[Item]) -> list[tuple[Item, Item]]:
    """A removed and an added item under the same parent with the same properties: a rename."""
    pairs = []
    for old in removed:
        twins = [
            new for new in added if new.parent == old.parent and new.properties == old.properties
        ]
        competing = [
            other
            for other in removed
            if other.parent == old.parent and other.properties == old.properties
        ]
        if len(twins) == 1 and len(competing) == 1:
            pairs.append((old, twins[0]))
    return pairs


def _stripped(value: Any) -> Any:
    """Model data without where it was read from (source locations move whenever a line is
    added above; the two spec sets sit in different directories)."""
    if isinstance(value, SourceRef):
        return None
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return tuple(
            _stripped(getattr(value, field.name))
            for field in dataclasses.fields(value)
            if field.name != "spec_file"
        )
    if isinstance(value, tuple):
        return tuple(_stripped(item) for item in value)
    return value


def _other_changes(old: Api, new: Api) -> list[Change]:
    """Patch-level changes: sections (or the marketplaces) whose model differs at all."""
    changes = []
    if _stripped(old.marketplaces) != _stripped(new.marketplaces):
        changes.append(
            Change(PATCH, "marketplaces", None, "regions, hosts or marketplaces changed")
        )
    before = {section.name: section for section in old.sections}
    for section in new.sections:
        if section.name not in before:
            continue
        old_actions = {action.name: action for action in before[section.name].actions}
        for action in section.actions:
            previous = old_actions.get(action.name)
            if previous is not None and _stripped(previous) != _stripped(action):
                changes.append(
                    Change(PATCH, section.name, action.name, "documentation or details changed")
                )
        if _stripped(dataclasses.replace(before[section.name], actions=())) != _stripped(
            dataclasses.replace(section, actions=())
        ):
            changes.append(Change(PATCH, section.name, None, "documentation or details changed"))
    return changes


@dataclass(frozen=True, slots=True)
class ApiDiff:
    changes: tuple[Change, ...]
    old_version: str
    new_version: str

    def of_kind(self, kind: str) -> list[Change]:
        return [change for change in self.changes if change.kind == kind]

    @property
    def semver(self) -> str:
        for kind in (BREAKING, ADDITIVE, PATCH):
            if self.of_kind(kind):
                return _BUMP[kind]
        return "none"

    @property
    def next_version(self) -> str:
        """The version the new specs need at least: the old one with the right part bumped."""
        major, minor, patch = _parts(self.old_version)
        bumped = {
            "major": (major + 1, 0, 0),
            "minor": (major, minor + 1, 0),
            "patch": (major, minor, patch + 1),
            "none": (major, minor, patch),
        }[self.semver]
        return ".".join(str(part) for part in bumped)

    def as_json(self) -> str:
        data = {
            "breaking": [change.as_json() for change in self.of_kind(BREAKING)],
            "additive": [change.as_json() for change in self.of_kind(ADDITIVE)],
            "patch": [change.as_json() for change in self.of_kind(PATCH)],
            "semver": self.semver,
            "version": {
                "old": self.old_version,
                "new": self.new_version,
                "next": self.next_version,
            },
        }
        return json.dumps(data, indent=2) + "\n"

    @property
    def bumped_enough(self) -> bool:
        """The new specs' version is at least the one the changes need."""
        return _parts(self.new_version) >= _parts(self.next_version)

    def as_markdown(self) -> str:
        heading = self.new_version if self.bumped_enough else self.next_version
        lines = [f"## {heading}", ""]
        if self.semver == "none":
            lines += ["No change to the API surface or the generated code.", ""]
        for kind, title in (
            (BREAKING, "Breaking changes"),
            (ADDITIVE, "Added"),
            (PATCH, "Other changes"),
        ):
            changes = self.of_kind(kind)
            if not changes:
                continue
            lines += [f"### {title}", ""]
            for change in changes:
                where = f"{change.section}.{change.action}" if change.action else change.section
                lines.append(f"- `{where}`: {change.description}")
            lines.append("")
        if not self.bumped_enough:
            lines += [
                f"Version: the specs say {self.new_version}; a {self.semver} change from "
                f"{self.old_version} needs {self.next_version} (`package_version` in marketplaces.yaml).",
                "",
            ]
        return "\n".join(lines)


def _parts(version: str) -> tuple[int, int, int]:
    major, minor, patch = (int(part) for part in version.split("."))
    return major, minor, patch


def diff_apis(old: Api, new: Api) -> ApiDiff:
    before, after = surface(old), surface(new)
    removed = [before[key] for key in before if key not in after]
    added = [after[key] for key in after if key not in before]
    raw: list[tuple[str, Item, str]] = []
    renamed = _renames(removed, added)
    for old_item, new_item in renamed:
        raw.append(
            (
                BREAKING,
                old_item,
                f"{_item_label(old_item)} renamed to {new_item.name.rpartition('.')[2]}",
            )
        )
    paired_old = {id(old_item) for old_item, _ in renamed}
    paired_new = {id(new_item) for _, new_item in renamed}
    for item in removed:
        if id(item) not in paired_old and not _inside_removed(item, before, after):
            raw.append((BREAKING, item, f"{_item_label(item)} removed"))
    for item in added:
        if id(item) in paired_new or _inside_added(item, before, after):
            continue
        if item.what == "parameter" and item.get("required"):
            raw.append((BREAKING, item, f"{_item_label(item)} added as required"))
        else:
            raw.append((ADDITIVE, item, f"{_item_label(item)} added"))
    for key in before.keys() & after.keys():
        raw.extend((kind, before[key], text) for kind, text in _changed(before[key], after[key]))
    order = {
        key: index for index, key in enumerate([*before, *(k for k in after if k not in before)])
    }
    raw.sort(key=lambda entry: (order[_key(entry[1])], entry[2]))
    changes = [Change(kind, item.section, item.action, text) for kind, item, text in raw]
    # Details of what already changed on the surface are not listed again.
    listed = {(change.section, change.action) for change in changes}
    listed |= {(change.section, None) for change in changes}
    changes += [
        change
        for change in _other_changes(old, new)
        if (change.section, change.action) not in listed
    ]
    return ApiDiff(tuple(changes), old.version, new.version)


def _key(item: Item) -> tuple[str, str, str | None, str]:
    return (item.what, item.section, item.action, item.name)


def _owners(item: Item) -> Iterator[tuple[str, str, str | None, str]]:
    """The keys of what contains an item: its section, its method, its enclosing fields."""
    yield ("section", item.section, None, "")
    if item.action is None:
        return
    yield ("method", item.section, item.action, "")
    parts = item.name.split(".")
    for depth in range(1, len(parts)):
        yield (item.what, item.section, item.action, ".".join(parts[:depth]))


def _inside_removed(item: Item, before: dict[Any, Item], after: dict[Any, Item]) -> bool:
    """Part of something removed as a whole (reported once, as that removal)."""
    return any(key in before and key not in after for key in _owners(item) if key != _key(item))


def _inside_added(item: Item, before: dict[Any, Item], after: dict[Any, Item]) -> bool:
    return any(key in after and key not in before for key in _owners(item) if key != _key(item))
