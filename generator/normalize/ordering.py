"""Dependency order of shapes: each after the shapes it contains; a cycle is an error."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TypeVar

from .context import SpecContext

T = TypeVar("T")


def dependencies_first(
    ctx: SpecContext, key: str, shapes: Mapping[str, T], referenced: Callable[[T], list[str]]
) -> tuple[T, ...]:
    """Shapes after the shapes they contain, ties by name; a cycle is an error at `key`.

    `referenced` lists the shapes one shape contains.
    """
    ordered: list[T] = []
    state: dict[str, str] = {}

    def visit(name: str, trail: tuple[str, ...]) -> None:
        if state.get(name) == "done":
            return
        if state.get(name) == "visiting":
            cycle = " -> ".join((*trail[trail.index(name) :], name))
            ctx.error((key, name), f"shape contains itself: {cycle}", at_key=True)
            return
        state[name] = "visiting"
        for inner in referenced(shapes[name]):
            if inner in shapes:
                visit(inner, (*trail, name))
        state[name] = "done"
        ordered.append(shapes[name])

    for name in sorted(shapes):
        visit(name, ())
    return tuple(ordered)
