"""Generated classes written out as source, made dataclasses to every caller.

`@dataclass(frozen=True, slots=True, kw_only=True)` execs fresh source for each class's
methods at import and then re-creates the class for its slots: 1-2.5 ms a class. The generator
writes those methods into models.py instead (compiled once into the .pyc), and
`source_dataclass` attaches what `dataclasses` reads: `__dataclass_fields__` (the base
classes' fields first), `__dataclass_params__` and, as `slots=True` adds them for pickling a
frozen class, `__getstate__`/`__setstate__`. The methods that treat the fields as a whole
(`__repr__`, `__eq__`, `__hash__` and the frozen `__setattr__`/`__delattr__`) are closures made
here over each class's field names, with the results @dataclass's would give: writing them out
would triple models.py and the time to format it, for methods off the hot path.

No private constructor of `dataclasses` is called (their signatures change between Python
versions): the params, the Field objects, the `<factory>` marker and the pickling methods are
taken from a template dataclass declared here; each field is a copy of one of its fields (slot
by slot: twice as fast as `copy.copy`), only name, type and default changed.
A field's default is read from the class's own `__init__` (its keyword defaults), so the class
source is the one place that says it; `factories` names what makes a fresh default.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import MISSING, Field, FrozenInstanceError, dataclass, field
from operator import attrgetter
from reprlib import recursive_repr
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
        _add_methods(cls, fields)
        for name, method in _PICKLING.items():
            if name not in vars(cls):
                setattr(cls, name, method)
        return cls

    return finish


def _add_methods(cls: Any, fields: dict[str, Field[Any]]) -> None:
    """The methods @dataclass(frozen=True) builds from the fields, as closures (no exec)."""
    shown = tuple(name for name, item in fields.items() if item.repr)
    compared = tuple(name for name, item in fields.items() if item.compare)
    own = frozenset(fields)
    # dataclasses compares and hashes a tuple of the fields, even a tuple of one or none.
    if len(compared) > 1:
        key: Callable[[Any], tuple[Any, ...]] = attrgetter(*compared)
    elif compared:
        single = attrgetter(compared[0])

        def key(instance: Any) -> tuple[Any, ...]:
            return (single(instance),)

    else:

        def key(instance: Any) -> tuple[Any, ...]:
            return ()

    @recursive_repr()
    def __repr__(self: Any) -> str:
        shown_fields = ", ".join([f"{name}={getattr(self, name)!r}" for name in shown])
        return f"{self.__class__.__qualname__}({shown_fields})"

    def __eq__(self: Any, other: Any) -> bool:
        if other.__class__ is self.__class__:
            return bool(key(self) == key(other))
        return NotImplemented

    def __hash__(self: Any) -> int:
        return hash(key(self))

    def __setattr__(self: Any, name: str, value: Any) -> None:
        if type(self) is cls or name in own:
            raise FrozenInstanceError(f"cannot assign to field {name!r}")
        super(cls, self).__setattr__(name, value)

    def __delattr__(self: Any, name: str) -> None:
        if type(self) is cls or name in own:
            raise FrozenInstanceError(f"cannot delete field {name!r}")
        super(cls, self).__delattr__(name)

    for method in (__repr__, __eq__, __hash__, __setattr__, __delattr__):
        method.__qualname__ = f"{cls.__qualname__}.{method.__name__}"
        setattr(cls, method.__name__, method)
