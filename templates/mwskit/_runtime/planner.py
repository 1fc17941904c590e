"""The quota planner: what a workload costs under the documented quotas, before sending it.

`mws.products.plan("get_matching_product_for_id", items=3000)` answers how many requests the
calls take (a batch list is split to its documented limit) and about how long the bucket makes
them last, starting from the bucket as it is now (in the process or the shared store) or full.
The time is the bucket's own rule (throttle.LocalBucket) run on the requests in turn, so the
planner and the client never disagree; the hourly quota counts from an unused hour, and the
time the service takes to answer is not included.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .descriptors import Operation
from .throttle import LocalBucket


@dataclass(frozen=True, slots=True)
class QuotaPlan:
    """A workload's cost: `requests` sent over about `seconds` (0 when the bucket holds them
    all); `str()` says it in words: "3,000 items → 600 requests, about 9 min 56 s with a full
    bucket"."""

    action: str
    calls: int
    items: int
    requests: int
    seconds: float
    full_bucket: bool

    def __str__(self) -> str:
        asked = (
            _count(self.items, "item") if self.items != self.calls else _count(self.calls, "call")
        )
        start = "a full bucket" if self.full_bucket else "the bucket as it is now"
        sent = _count(self.requests, "request")
        return f"{asked} → {sent}, about {duration(self.seconds)} with {start}"


def _count(number: int, noun: str) -> str:
    return f"{number:,} {noun}" if number == 1 else f"{number:,} {noun}s"


def duration(seconds: float) -> str:
    """`0.4 s`, `9 min 56 s`, `2 h 5 min`: rounded to what a person plans with."""
    if seconds < 60:
        return f"{seconds:.1f} s"
    whole = round(seconds)
    if whole < 3600:
        return f"{whole // 60} min {whole % 60} s"
    return f"{whole // 3600} h {whole % 3600 // 60} min"


def _positive(name: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"{name} must be a positive integer; got {value!r}")
    return value


def operation_named(operations: Mapping[str, Operation[Any]], method: str) -> Operation[Any]:
    """The operation of a client method's name, or a ValueError naming the methods there are."""
    found = operations.get(method) if isinstance(method, str) else None
    if found is None:
        raise ValueError(f"method must be one of {', '.join(sorted(operations))}; got {method!r}")
    return found


def request_costs(operation: Operation[Any], items: int) -> list[int]:
    """The units each request of one call asking about `items` items takes from the bucket."""
    index = operation.batch_index
    size = items
    if index is not None:
        size = operation.params[index].max_items or items
    per_item = operation.throttling.restore_unit == "item"
    requests = [size] * (items // size) + ([items % size] if items % size else [])
    return [count if per_item else 1 for count in requests]


def plan(operation: Operation[Any], items: int, calls: int, until_full: float | None) -> QuotaPlan:
    """The plan of `calls` calls of `items` items each; `until_full`: seconds the bucket needs
    to be full again now (None: start full)."""
    _positive("items", items)
    _positive("calls", calls)
    spec = operation.throttling
    capacity = float(spec.max_request_quota)
    level = capacity
    if until_full is not None:
        level = max(0.0, capacity - until_full / spec.restore_seconds)
    bucket = LocalBucket(
        capacity=capacity,
        restore_seconds=spec.restore_seconds,
        hourly_quota=spec.hourly_request_quota,
        level=level,
        updated=0.0,
    )
    costs = request_costs(operation, items) * calls
    now = 0.0
    for cost in costs:
        wait, _ = bucket.reserve(float(cost), now, take=True)
        now += wait
    return QuotaPlan(
        action=operation.name,
        calls=calls,
        items=items * calls,
        requests=len(costs),
        seconds=now,
        full_bucket=math.isclose(level, capacity),
    )
