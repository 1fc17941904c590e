"""generator/classes.py: the result base read from the runtime's source, and the names refused."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from conftest import ROOT
from generator.classes import (
    RESULT_BASE_MODULE,
    ClassError,
    ClassField,
    data_class,
    read_result_base,
)
from mwskit._runtime import MWSResult


def test_the_result_base_is_read_as_dataclasses_sees_it() -> None:
    base = read_result_base(ROOT.joinpath("templates", *RESULT_BASE_MODULE))
    fields = dataclasses.fields(MWSResult)
    assert [f.name for f in base.fields] == [f.name for f in fields]
    for read, actual in zip(base.fields, fields, strict=True):
        assert read.annotation == actual.type
        if actual.default_factory is not dataclasses.MISSING:
            assert read.factory == actual.default_factory.__name__
        else:
            assert read.factory is None
            assert (None if actual.default is dataclasses.MISSING else repr(actual.default)) == (
                read.default
            )
    assert ("collections.abc", "Mapping") in base.needs
    assert ("datetime", "datetime") in base.needs


@pytest.mark.parametrize(
    ("declaration", "problem"),
    [
        ("x: int = field(init=False)", r"field\(\) takes only"),
        ("x: int = field(default=SOMETHING)", "a default must be a literal"),
        ("x: int = field(default_factory=make)", "default_factory must be a builtin"),
        ("x: Unknown | None = None", "Unknown is not imported"),
    ],
)
def test_a_result_base_the_source_cannot_repeat_is_refused(
    tmp_path: Path, declaration: str, problem: str
) -> None:
    path = tmp_path / "results.py"
    path.write_text(f"class MWSResult:\n    {declaration}\n", encoding="utf-8")
    with pytest.raises(ClassError, match=problem):
        read_result_base(path)


def test_names_the_generated_init_uses_are_refused_or_avoided() -> None:
    with pytest.raises(ClassError, match="_setattr"):
        data_class("Thing", None, (), [ClassField("_setattr", "str", None, None)])
    with pytest.raises(ClassError, match="default factory"):
        data_class("Thing", None, (), [ClassField("list", "str", None, "list")])
    inherited = ClassField("request_id", "str | None", "None", None)
    with pytest.raises(ClassError, match="request_id"):
        data_class("Thing", "MWSResult", (inherited,), [inherited])
    # A field called `self` (Products' parent category): __init__ names the instance as
    # @dataclass does.
    assert data_class("Thing", None, (), [ClassField("self", "str", None, None)]).self_name == (
        "__dataclass_self__"
    )
