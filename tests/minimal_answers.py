"""The smallest answer the client accepts for an action: its response element holding only the
values MWS always sends (the result fields the specs mark required), from the descriptors.

Tests that look at requests answer with this; anything less is refused as ResponseParseError.
"""

from __future__ import annotations

import importlib
from functools import cache
from typing import Any

import mwskit
from mwskit._runtime import SAME_SHAPE, Operation, ResultShapeSpec, SectionSpec
from mwskit._runtime.results import ATTRIBUTE, TEXT

SAMPLES = {
    "string": "x",
    "integer": "1",
    "decimal": "1.00",
    "boolean": "true",
    "datetime": "2024-01-01T00:00:00Z",
    "date": "2024-01-01",
}


@cache
def operations() -> dict[tuple[str, str], tuple[SectionSpec, Operation[Any]]]:
    """Every operation by (section path, action name)."""
    found: dict[tuple[str, str], tuple[SectionSpec, Operation[Any]]] = {}
    for name in mwskit.__all__:
        if not hasattr(getattr(mwskit, name), "client"):
            continue
        ops = importlib.import_module(f"mwskit.{name}._operations")
        for value in vars(ops).values():
            if isinstance(value, Operation):
                found[(ops.SECTION.path, value.name)] = (ops.SECTION, value)
    return found


def _content(spec: ResultShapeSpec, parent: ResultShapeSpec) -> tuple[str, str]:
    """The attributes and the inner XML of an element of `spec` with its required values."""
    attributes, inner = "", ""
    for item in spec.required:
        if item.shape is not None:
            shape = parent if item.shape is SAME_SHAPE else item.shape
            inner_attributes, content = _content(shape, shape)
            inner += f"<{item.xml_name}{inner_attributes}>{content}</{item.xml_name}>"
            continue
        value = next(iter(item.enum)).value if item.enum is not None else SAMPLES[item.kind]
        if item.source == ATTRIBUTE:
            attributes += f' {item.xml_name}="{value}"'
        elif item.source == TEXT:
            inner += value
        else:
            inner += f"<{item.xml_name}>{value}</{item.xml_name}>"
    return attributes, inner


def minimal_document(path: str, action: str) -> bytes:
    found = operations().get((path, action))
    if found is None or found[1].result_shape is None or not found[1].result_shape.required:
        return f"<{action}Response/>".encode()
    section, operation = found
    shape = operation.result_shape
    assert shape is not None
    attributes, inner = _content(shape, shape)
    namespace = f' xmlns="{section.namespace}"'
    if operation.result_is_root:
        return f"<{action}Response{namespace}{attributes}>{inner}</{action}Response>".encode()
    result = operation.result_element
    return (
        f"<{action}Response{namespace}><{result}{attributes}>{inner}</{result}></{action}Response>"
    ).encode()
