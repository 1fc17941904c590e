"""Declarative descriptions of sections, operations and parameters, written by the generator."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from .errors import MWSError
from .results import ResultShapeSpec

STRING = "string"
INTEGER = "integer"
DECIMAL = "decimal"
BOOLEAN = "boolean"
DATETIME = "datetime"
DATE = "date"
STRUCTURE = "structure"


@dataclass(frozen=True, slots=True)
class Param:
    """One parameter or structure field.

    `wire` is the wire name for a single value, or the text before the index for a list
    (`MarketplaceId.Id.` for `MarketplaceId.Id.N`); items are numbered 1..N by position.
    A `batch` list takes any number of items: a call is split into requests of `max_items`.
    """

    python_name: str
    name: str
    wire: str
    kind: str
    is_list: bool = False
    required: bool = False
    values: frozenset[str] | None = None
    open_values: bool = False
    max_items: int | None = None
    batch: bool = False
    max_length: int | None = None
    min_length: int | None = None
    min_value: int | float | None = None
    max_value: int | float | None = None
    shape: ShapeSpec | None = None

    @property
    def pattern(self) -> str:
        """The wire pattern as the docs write it: `MarketplaceId.Id.N`."""
        return self.wire + "N" if self.is_list else self.wire


@dataclass(frozen=True, slots=True)
class ShapeSpec:
    """A request structure: the dataclass users may pass and how each field is sent."""

    name: str
    cls: type[Any]
    fields: tuple[Param, ...]
    by_key: Mapping[str, Param] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        keys: dict[str, Param] = {}
        for item in self.fields:
            keys[item.python_name] = item
            keys[item.name] = item
        object.__setattr__(self, "by_key", keys)


@dataclass(frozen=True, slots=True)
class Constraint:
    """A rule between parameters: exactly_one_of, at_most_one_of, or excludes."""

    kind: str
    parameters: tuple[str, ...]
    parameter: str | None = None


@dataclass(frozen=True, slots=True)
class ThrottlingSpec:
    """An action's bucket; `sandbox`: its own, separate bucket on the section's sandbox path."""

    max_request_quota: int
    restore_seconds: float
    bucket: str
    restore_unit: str = "request"
    hourly_request_quota: int | None = None
    sandbox: ThrottlingSpec | None = None


@dataclass(frozen=True, slots=True)
class BodySpec:
    """An operation whose document travels as the HTTP body (parameters go in the query)."""

    python_name: str
    md5_parameter: str


R = TypeVar("R")


@dataclass(frozen=True, slots=True)
class ReferenceLookup:
    """How to find the object a reference-id call made, from its parent, without resending.

    Call `parent` with the argument at `parent_argument` (an index into the money-moving
    operation's params, sent at `parent_index` of the parent's), follow the attribute path
    `id_list` in its result to the child ids, call `child` with each id (at `child_index`) and
    keep the child whose attribute path `match` holds the caller's reference id.
    """

    parent: Operation[Any]
    parent_argument: int
    parent_index: int
    id_list: tuple[str, ...]
    child: Operation[Any]
    child_index: int
    match: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ReferenceIdSpec:
    """A money-moving operation's caller-chosen reference id (Amazon Pay's Authorize, ...).

    The service answers a repeat with the same id and the same parameters with the same
    object, so the call engine may resend it unchanged after an unknown outcome. `param`:
    index of the reference-id parameter; `result_field`: the result's attribute holding the
    object the call made; `lookup`: how to find that object, when the docs give a way.
    """

    param: int
    result_field: str
    lookup: ReferenceLookup | None = None


@dataclass(frozen=True, slots=True)
class Operation(Generic[R]):
    """One action: how to encode its arguments and how to read its answer (into `result_class`)."""

    name: str
    method: str
    params: tuple[Param, ...]
    throttling: ThrottlingSpec
    idempotent: bool
    result_element: str
    result_class: type[R]
    document: bool = False
    body: BodySpec | None = None
    constraints: tuple[Constraint, ...] = ()
    next_token_action: str | None = None
    result_shape: ResultShapeSpec | None = None
    result_is_root: bool = False
    # The generated reader of result_shape: (element, response metadata) -> result_class.
    reader: Callable[..., R] | None = field(default=None, repr=False, compare=False)
    errors: Mapping[str, type[MWSError]] = field(default_factory=dict, repr=False, compare=False)
    reference_id: ReferenceIdSpec | None = None
    list_indexes: tuple[int, ...] = field(init=False, repr=False, compare=False)
    batch_index: int | None = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        indexes = tuple(index for index, param in enumerate(self.params) if param.is_list)
        object.__setattr__(self, "list_indexes", indexes)
        batch = next((index for index, param in enumerate(self.params) if param.batch), None)
        object.__setattr__(self, "batch_index", batch)


@dataclass(frozen=True, slots=True)
class SectionSpec:
    """A section's endpoint. `sandbox_path`: where it is served in the sandbox (Amazon Pay);
    `next_token`: the wire name of its paging token and `next_token_field` the attribute of a
    page holding it."""

    name: str
    version: str
    path: str
    namespace: str
    seller_parameter: str
    seller_parameter_alternatives: tuple[str, ...] = ()
    sandbox_path: str | None = None
    next_token: str = "NextToken"
    next_token_field: str = "next_token"

    def in_sandbox(self, sandbox: bool) -> bool:
        """Whether calls go to the sandbox: asked for (amazon_pay_sandbox) and served there."""
        return sandbox and self.sandbox_path is not None

    def path_for(self, sandbox: bool) -> str:
        """The path calls are sent (and signed) to."""
        if sandbox and self.sandbox_path is not None:
            return self.sandbox_path
        return self.path
