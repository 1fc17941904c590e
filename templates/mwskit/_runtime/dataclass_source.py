"""Generated classes written out as source, made dataclasses to every caller.

`@dataclass(frozen=True, slots=True, kw_only=True)` execs fresh source for each class's
methods at import and then re-creates the class for its slots: 1-2.5 ms a class. The generator
writes those methods into models.py instead (compiled once into the .pyc), and
`source_dataclass` only attaches what `dataclasses` reads: `__dataclass_fields__` (the base
classes' fields first), `__dataclass_params__` and, as `slots=True` adds them for pickling a
frozen class, `__getstate__`/`__setstate__`.

No private constructor of `dataclasses` is called (their signatures change between Python
versions): the params, the Field objects, the `<factory>` marker and the pickling methods are
taken from a template dataclass declared here; each field is a copy of one of its fields (slot
by slot: twice as fast as `copy.copy`), only name, type and default changed.
A field's default is read from the class's own `__init__` (its keyword defaults), so the class
source is the one place that says it; `factories` names what makes a fresh default.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import MISSING, Field, dataclass, field
from typing import Any, TypeVar, dataclass_transform

_T = TypeVar("_T", bound=type)


@dataclass(frozen=True, slots=True, kw_only=True)
class _Template:
    required: object
    default: object = None
    factory: list[object] = field(default_factory=list)


_PARAMS = vars(_Template)["__dataclass_params__"]
_FIELDS: dict[str, Field[Any]] = vars(_Template)["__dataclass_fields__"]
_REQUIRED, _DEFAULT, _FACTORY = (_FIELDS[name] for name in ("required", "default", "factory"))
_PICKLING = {name: vars(_Template)[name] for name in ("__getstate__", "__setstate__")}

_FIELD_SLOTS: tuple[str, ...] = Field.__slots__


def _copy(template: Field[Any]) -> Field[Any]:
    made: Field[Any] = Field.__new__(Field)
    for slot in _FIELD_SLOTS:
        setattr(made, slot, getattr(template, slot))
    return made


DEFAULT_FACTORY: Any = vars(_Template)["__init__"].__kwdefaults__["factory"]
"""The default of an `__init__` argument whose field has a default_factory (`<factory>`)."""


@dataclass_transform(frozen_default=True, kw_only_default=True)
def source_dataclass(**factories: Callable[[], object]) -> Callable[[_T], _T]:
    """Make a class whose dataclass methods are written out a dataclass (see the module doc).

    `factories`: {field name: default_factory} of the fields whose default is DEFAULT_FACTORY.
    """

    def finish(cls: _T) -> _T:
        fields: dict[str, Field[Any]] = {}
        for base in cls.__mro__[-1:0:-1]:
            fields.update(getattr(base, "__dataclass_fields__", {}))
        init = vars(cls)["__init__"]
        # Postponed annotations make `-> None` the string "None"; @dataclass's is None itself.
        init.__annotations__["return"] = None
        defaults = init.__kwdefaults__ or {}
        for name, annotation in vars(cls).get("__annotations__", {}).items():
            default = defaults.get(name, MISSING)
            if default is MISSING:
                made = _copy(_REQUIRED)
            elif default is DEFAULT_FACTORY:
                made = _copy(_FACTORY)
                made.default_factory = factories[name]
            else:
                made = _copy(_DEFAULT)
                made.default = default
            made.name = name
            made.type = annotation
            fields[name] = made
        cls.__dataclass_fields__ = fields  # type: ignore[attr-defined]
        cls.__dataclass_params__ = _PARAMS  # type: ignore[attr-defined]
        for name, method in _PICKLING.items():
            if name not in vars(cls):
                setattr(cls, name, method)
        return cls

    return finish
