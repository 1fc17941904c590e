"""Every generated request and result class behaves exactly as the `@dataclass` it replaces.

models.py writes each class's dataclass methods out as source (templates/_macros/dataclasses.j2)
and the runtime's `source_dataclass` attaches the field objects. Here, for every class of every
section, the class `@dataclass(frozen=True, slots=True, kw_only=True)` would have built from
the same fields is made at test time (`dataclasses.make_dataclass`, fields taken from the
specs' model by the rule the template had: a required value has no default, a result's list
a fresh [], anything else None) and the two are compared: fields() and the params, the
__init__ signature, the layout (slots, bases, match args), repr, eq and hash (field by field),
frozen-ness and its messages, replace, asdict/astuple, pickling and copying.
"""

from __future__ import annotations

import copy
import dataclasses
import importlib
import inspect
import pickle
from collections.abc import Callable, Iterator
from dataclasses import field
from typing import Any

import pytest

from conftest import ROOT
from generator.pipeline import build_model

SPECS = sorted((ROOT / "specs").glob("*.yaml"))


def _reference_fields(section: Any) -> Iterator[tuple[str, list[tuple[Any, ...]]]]:
    """(class name, make_dataclass fields) of each request and result shape of a section."""
    for shape in section.shapes:
        yield (
            shape.name,
            [
                (f.python_name, f.field_annotation)
                if f.required
                else (f.python_name, f"{f.field_annotation} | None", field(default=None))
                for f in shape.fields
            ],
        )
    for result in section.result_shapes:
        specs: list[tuple[Any, ...]] = []
        for f in result.fields:
            if f.is_list:
                specs.append((f.python_name, f.annotation, field(default_factory=list)))
            elif f.required:
                specs.append((f.python_name, f.annotation))
            else:
                specs.append((f.python_name, f"{f.annotation} | None", field(default=None)))
        yield result.name, specs


def _cases() -> list[tuple[str, str, list[tuple[Any, ...]]]]:
    api = build_model(SPECS, ROOT)
    return [
        (section.module, name, specs)
        for section in api.sections
        for name, specs in _reference_fields(section)
    ]


CASES = _cases()


def _outcome(action: Callable[[], Any]) -> tuple[Any, ...]:
    try:
        return ("value", action())
    except Exception as error:  # the same failure, type and message, is what is compared
        return ("raised", type(error), str(error))


def _values(cls: type[Any], mark: str) -> dict[str, Any]:
    """A distinct value for every __init__ argument (types are not checked at run time)."""
    return {f.name: f"{f.name}{mark}" for f in dataclasses.fields(cls)}


def test_every_generated_class_is_compared() -> None:
    generated = {
        (section, name)
        for section in {case[0] for case in CASES}
        for name, value in vars(importlib.import_module(f"mwskit.{section}.models")).items()
        if isinstance(value, type)
        and "__dataclass_fields__" in vars(value)
        and value.__module__ == f"mwskit.{section}.models"
    }
    assert generated == {(section, name) for section, name, _ in CASES}
    assert len(generated) > 400


@pytest.mark.parametrize(("section", "name", "specs"), CASES, ids=[f"{c[0]}.{c[1]}" for c in CASES])
def test_generated_class_equals_its_dataclass(section: str, name: str, specs: list[Any]) -> None:
    generated = getattr(importlib.import_module(f"mwskit.{section}.models"), name)
    reference = dataclasses.make_dataclass(
        name, specs, bases=generated.__bases__, frozen=True, slots=True, kw_only=True
    )
    reference.__qualname__ = generated.__qualname__

    # What introspection sees.
    assert dataclasses.is_dataclass(generated)
    assert [repr(f) for f in dataclasses.fields(generated)] == [
        repr(f) for f in dataclasses.fields(reference)
    ]
    assert repr(generated.__dataclass_params__) == repr(reference.__dataclass_params__)
    assert inspect.signature(generated) == inspect.signature(reference)
    own_init = inspect.signature(generated.__init__)
    assert list(own_init.parameters) == list(inspect.signature(reference.__init__).parameters)
    for attribute in ("__slots__", "__match_args__", "__bases__", "__annotations__"):
        assert getattr(generated, attribute) == getattr(reference, attribute), attribute
    for attribute in ("__basicsize__", "__dictoffset__", "__weakrefoffset__"):
        assert getattr(generated, attribute) == getattr(reference, attribute), attribute
    assert generated.__hash__ is not None

    # Instances: all arguments given, and only the required ones.
    given = _values(reference, "!")
    required = {
        f.name: given[f.name]
        for f in dataclasses.fields(reference)
        if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
    }
    for arguments in (given, required):
        left, right = generated(**arguments), reference(**arguments)
        assert repr(left) == repr(right)
        assert dataclasses.asdict(left) == dataclasses.asdict(right)
        assert dataclasses.astuple(left) == dataclasses.astuple(right)
        assert left.__getstate__() == right.__getstate__()
        assert _outcome(lambda: hash(left)) == _outcome(lambda: hash(right))  # noqa: B023
        assert left == generated(**arguments)
        assert left != right and right != left  # another class: never equal
        assert left.__eq__(object()) is NotImplemented
        for made in (pickle.loads(pickle.dumps(left)), copy.copy(left), copy.deepcopy(left)):
            assert type(made) is generated
            assert repr(made) == repr(left) and made == left
        for attribute in given:
            assert _outcome(lambda: setattr(left, attribute, 1)) == _outcome(  # noqa: B023
                lambda: setattr(right, attribute, 1)  # noqa: B023
            )
            assert _outcome(lambda: delattr(left, attribute)) == _outcome(  # noqa: B023
                lambda: delattr(right, attribute)  # noqa: B023
            )
        # Another name: @dataclass's slotted class fails with a TypeError from super() (its
        # methods close over the class it replaced); frozen is frozen, so it says so here.
        with pytest.raises(dataclasses.FrozenInstanceError, match="'not_a_field'"):
            left.not_a_field = 1
        with pytest.raises(dataclasses.FrozenInstanceError, match="'not_a_field'"):
            del left.not_a_field
    fresh = [
        f.name
        for f in dataclasses.fields(reference)
        if f.default_factory is not dataclasses.MISSING
    ]
    first, second = generated(**required), generated(**required)
    for name_ in fresh:
        assert getattr(first, name_) == getattr(reference(**required), name_)
        assert getattr(first, name_) is not getattr(second, name_)

    # Each field, changed alone: equality, hash and replace() follow the reference.
    left, right = generated(**given), reference(**given)
    for changed in given:
        other = {**given, changed: f"{changed}?"}
        assert (left == generated(**other)) == (right == reference(**other)), changed
        assert _outcome(lambda: hash(generated(**other))) == _outcome(  # noqa: B023
            lambda: hash(reference(**other))  # noqa: B023
        )
        replaced = dataclasses.replace(left, **{changed: 0})
        assert type(replaced) is generated
        assert repr(replaced) == repr(dataclasses.replace(right, **{changed: 0}))
    assert _outcome(lambda: generated(**given, not_a_field=1)) == _outcome(
        lambda: reference(**given, not_a_field=1)
    )
    if required:
        assert _outcome(lambda: generated()) == _outcome(lambda: reference())
