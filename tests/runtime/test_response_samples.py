"""Typed results read from sample answers written from the documented structure.

An action may have `tests/samples/<section module>/<Action>.xml` (a realistic response, e.g.
the documented example) and then has `<Action>.txt` (the typed result it must give, one
`path = value` line per field). A sample is optional: every action, with or without one, is
also called against the sandbox, which answers from the response shape
(tests/sandbox/test_sandbox_answers.py::test_every_action_answers). The test also
fails when the sample holds an element or attribute the spec's response shape does not read, so a
sample cannot silently drift from the spec. `pytest --regen-golden` rewrites the .txt files;
review their diff before committing.
"""

from __future__ import annotations

import dataclasses
import importlib
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

import pytest
from lxml import etree

import mwskit
from conftest import ROOT
from mwskit._runtime import SAME_SHAPE, Operation, ResultShapeSpec
from mwskit._runtime.response import parse_response
from mwskit._runtime.results import ATTRIBUTE, ELEMENT, MWSResult

SAMPLES = ROOT / "tests" / "samples"
SECTIONS = sorted(name for name in mwskit.__all__ if hasattr(getattr(mwskit, name), "client"))
HEADERS = {
    "x-mws-request-id": "7b6d3d4a-1c2e-4f5a-9b8c-0d1e2f3a4b5c",
    "x-mws-timestamp": "2020-05-04T12:00:00.000Z",
    "x-mws-quota-max": "6",
    "x-mws-quota-remaining": "5",
    "x-mws-quota-resetsOn": "2020-05-04T13:00:00.000Z",
}


def _operations() -> list[tuple[str, Operation[Any]]]:
    found = []
    for module in SECTIONS:
        ops = importlib.import_module(f"mwskit.{module}._operations")
        for value in vars(ops).values():
            if isinstance(value, Operation) and not value.document:
                found.append((module, value))
    return sorted(found, key=lambda item: (item[0], item[1].name))


OPERATIONS = _operations()
SAMPLED = [
    (module, operation)
    for module, operation in OPERATIONS
    if (SAMPLES / module / f"{operation.name}.xml").exists()
]


def dump(value: Any, path: str = "") -> list[str]:
    """`path = value` lines for every field that is set, nested paths joined by dots."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        lines: list[str] = []
        for item in dataclasses.fields(value):
            if item.name in ("headers", "body", "parts") and isinstance(value, MWSResult):
                continue
            lines += dump(getattr(value, item.name), f"{path}.{item.name}" if path else item.name)
        return lines
    if isinstance(value, list):
        if not value:
            return [f"{path} = []"]
        return [
            line for index, entry in enumerate(value) for line in dump(entry, f"{path}[{index}]")
        ]
    if value is None:
        return []
    if isinstance(value, Enum):
        return [f"{path} = {type(value).__name__}.{value.name}"]
    if isinstance(value, (str, int, bool, Decimal, datetime, date)):
        return [f"{path} = {value!r}"]
    raise AssertionError(f"{path}: unexpected value type {type(value).__name__}")


def unread(element: Any, spec: ResultShapeSpec, path: str) -> list[str]:
    """Elements and attributes of the sample that no field of the shape reads."""
    missed = []
    attributes = {item.xml_name for item in spec.fields if item.source == ATTRIBUTE}
    for name in element.attrib:
        if etree.QName(name).localname not in attributes:
            missed.append(f"{path}/@{name}")
    fields = {item.xml_name: item for item in spec.fields if item.source == ELEMENT}
    for child in element:
        if not isinstance(child.tag, str):
            continue
        name = etree.QName(child).localname
        item = fields.get(name)
        if item is None:
            missed.append(f"{path}/{name}")
            continue
        shape = spec if item.shape is SAME_SHAPE else item.shape
        entries = [e for e in child if isinstance(e.tag, str)] if item.item else [child]
        for entry in entries:
            if item.item and etree.QName(entry).localname != item.item:
                missed.append(f"{path}/{name}/{etree.QName(entry).localname}")
            elif shape is not None:
                missed += unread(entry, shape, f"{path}/{name}")
    return missed


@pytest.mark.parametrize(
    ("module", "operation"), SAMPLED, ids=[f"{m}.{op.name}" for m, op in SAMPLED]
)
def test_sample_response(module: str, operation: Operation[Any], regen_golden: bool) -> None:
    sample = SAMPLES / module / f"{operation.name}.xml"
    body = sample.read_bytes()
    result = parse_response(operation, 200, HEADERS, body)
    assert isinstance(result, operation.result_class)
    assert result.request_id  # from ResponseMetadata, or the header when the sample has none
    root = etree.fromstring(body)
    assert root.tag == f"{{{_namespace(module)}}}{operation.name}Response", root.tag
    shape = operation.result_shape
    if operation.result_is_root:
        assert shape is not None
        response = operation.name + "Response"
        missed = [
            path for path in unread(root, shape, response) if path != f"{response}/ResponseMetadata"
        ]
    else:
        missed = []
        for child in root:
            name = etree.QName(child).localname
            if name == operation.result_element:
                # An action without a response shape answers with an empty result element.
                empty = ResultShapeSpec(object, ())
                missed += unread(child, shape or empty, name)
            elif name != "ResponseMetadata":
                missed.append(name)
    assert not missed, f"the spec does not read these parts of {sample.name}: {missed}"
    expected_file = sample.with_suffix(".txt")
    text = "\n".join(dump(result)) + "\n"
    if regen_golden:
        expected_file.write_text(text, encoding="utf-8")
    assert expected_file.exists(), f"run pytest --regen-golden and review {expected_file}"
    assert text == expected_file.read_text(encoding="utf-8")


def _namespace(module: str) -> str:
    ops = importlib.import_module(f"mwskit.{module}._operations")
    return str(ops.SECTION.namespace)


def test_every_sample_belongs_to_an_action() -> None:
    names = {(module, operation.name) for module, operation in OPERATIONS}
    strays = [
        str(path.relative_to(SAMPLES))
        for path in sorted(SAMPLES.glob("*/*.xml"))
        if (path.parent.name, path.stem) not in names
    ]
    assert not strays, strays
