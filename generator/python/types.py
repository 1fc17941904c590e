"""Python type expressions for arguments, structure fields and result fields.

Each expression carries the standard-library names it needs, so import planning reads them
from here instead of searching the annotation text.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from ..model import Action, EnumType, Parameter, ResultField

Import = tuple[str, str]  # (module, name): `from module import name`

_DECIMAL: Import = ("decimal", "Decimal")
_DATETIME: Import = ("datetime", "datetime")
_DATE: Import = ("datetime", "date")
_LITERAL: Import = ("typing", "Literal")


@dataclass(frozen=True, slots=True)
class TypeExpr:
    """A type as Python source text plus the standard-library imports it needs."""

    text: str
    needs: frozenset[Import] = frozenset()


_ARGUMENT_SCALARS = {
    "string": TypeExpr("str"),
    "integer": TypeExpr("int"),
    "decimal": TypeExpr("Decimal | int | float", frozenset({_DECIMAL})),
    "boolean": TypeExpr("bool"),
    "datetime": TypeExpr("datetime", frozenset({_DATETIME})),
    "date": TypeExpr("date", frozenset({_DATE})),
}
_RESULT_SCALARS = {
    **_ARGUMENT_SCALARS,
    "decimal": TypeExpr("Decimal", frozenset({_DECIMAL})),
}


def literal(values: tuple[str, ...]) -> TypeExpr:
    """`Literal['A', 'B']`."""
    return TypeExpr(
        "Literal[" + ", ".join(repr(value) for value in values) + "]", frozenset({_LITERAL})
    )


def argument_item(
    kind: str, shape: str | None, enum: EnumType | None, values: tuple[str, ...]
) -> TypeExpr:
    """The type of one value of a request parameter (one item when it is a list)."""
    if kind == "structure":
        assert shape is not None
        return TypeExpr(
            f"{shape} | Mapping[str, Any]",
            frozenset({("collections.abc", "Mapping"), ("typing", "Any")}),
        )
    if enum is not None:
        return TypeExpr(f"{enum.name} | {enum.literal_alias}" + (" | str" if enum.open else ""))
    if values:
        return literal(values)
    return _ARGUMENT_SCALARS[kind]


def _container(name: str, item: TypeExpr) -> TypeExpr:
    return TypeExpr(f"{name}[{item.text}]", item.needs | {("collections.abc", name)})


def argument_type(item: TypeExpr, is_list: bool) -> TypeExpr:
    """A method argument: a list parameter takes any iterable."""
    return _container("Iterable", item) if is_list else item


def structure_field_type(item: TypeExpr, is_list: bool) -> TypeExpr:
    """A request dataclass field: a list is a Sequence (it is iterated more than once)."""
    return _container("Sequence", item) if is_list else item


def result_type(kind: str, shape: str | None, enum: str | None, is_list: bool) -> TypeExpr:
    """A result dataclass field (without `| None`); lists are plain `list[...]`."""
    if shape is not None:
        single = TypeExpr(shape)
    elif enum is not None:
        single = TypeExpr(f"{enum} | str")
    else:
        single = _RESULT_SCALARS[kind]
    return TypeExpr(f"list[{single.text}]", single.needs) if is_list else single


def page_type(first: Action, following: Action) -> str:
    """The type of each page an iterator yields: both actions' result classes, once each."""
    if first.result_class == following.result_class:
        return first.result_class
    return f"{first.result_class} | {following.result_class}"


def parameter_item(parameter: Parameter, enums: Mapping[str, EnumType]) -> TypeExpr:
    """`argument_item` of a built parameter (its enum looked up by name)."""
    enum = enums[parameter.enum] if parameter.enum is not None else None
    return argument_item(parameter.kind, parameter.shape, enum, parameter.values)


def result_field_type(field: ResultField) -> TypeExpr:
    """`result_type` of a built result field."""
    return result_type(field.kind, field.shape, field.enum, field.is_list)
