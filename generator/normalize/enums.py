"""Enums: each value with its Python member name; duplicate values and names are errors."""

from __future__ import annotations

from typing import Any

from .. import naming
from ..load import JsonPath
from ..model import EnumType, EnumValue
from .context import SpecContext, notes


def _values(ctx: SpecContext, path: JsonPath, items: list[Any]) -> tuple[EnumValue, ...]:
    values: list[EnumValue] = []
    seen_values: set[str] = set()
    seen_members: set[str] = set()
    for index, item in enumerate(items):
        item_path = (*path, "values", index)
        entry = {"value": item} if isinstance(item, str) else item
        value = entry["value"]
        member = entry.get("name") or naming.enum_member_name(value)
        if member is None:
            ctx.error(
                item_path,
                f"value {value!r} gives no Python member name; "
                "write it as {value: ..., name: UPPER_CASE_NAME}",
            )
            continue
        if value in seen_values:
            ctx.error(item_path, f"duplicate enum value {value!r}")
        elif member in seen_members:
            ctx.error(item_path, f"duplicate enum member name {member!r} (from {value!r})")
        seen_values.add(value)
        seen_members.add(member)
        values.append(EnumValue(value, member, entry.get("description")))
    return tuple(values)


def build_enums(ctx: SpecContext) -> dict[str, EnumType]:
    enums: dict[str, EnumType] = {}
    for name, data in ctx.data.get("enums", {}).items():
        path: JsonPath = ("enums", name)
        enums[name] = EnumType(
            name=name,
            literal_alias=f"{name}Value",
            description=data.get("description"),
            open=data.get("open", False),
            values=_values(ctx, path, data["values"]),
            notes=notes(data),
            source=ctx.ref(path, at_key=True),
        )
    return enums
