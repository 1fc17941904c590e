"""The engine of multi-call workflows (the Reports and Feeds helpers): sans-I/O plans.

Each workflow is written once, as a sans-I/O generator (like `plan_call`): it yields `Invoke`
(call one of the client's own methods) and `Sleep` steps and receives their results.
`run_plan` carries the steps out with plain calls, `arun_plan` with `await`; both use the
client's timer, so a fake timer runs a whole workflow without sleeping. Every call goes through
the client's throttling and retries as usual.
"""

from __future__ import annotations

import math
from collections.abc import Generator
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from .calls import Sleep
from .errors import WorkflowTimeout
from .request import ClientConfig
from .throttle import Timer

POLL_INTERVAL = 45.0  # GetReportRequestList / GetFeedSubmissionList restore one request per 45 s
DEFAULT_TIMEOUT = 3600.0

T = TypeVar("T")


@dataclass(slots=True)
class Invoke:
    """Call the client's method `method` with `kwargs`; the workflow receives its result."""

    method: str
    kwargs: dict[str, Any]


WorkflowStep = Invoke | Sleep
# A workflow receives the results of the client's own methods: their types vary by step.
Plan = Generator[WorkflowStep, Any, T]


class _Configured(Protocol):
    @property
    def config(self) -> ClientConfig: ...


class WorkflowClient(Protocol):
    """A section client a workflow runs on: its session's configuration holds the timer."""

    @property
    def _session(self) -> _Configured: ...


def client_timer(client: WorkflowClient) -> Timer:
    return client._session.config.timer


def status_text(value: object) -> str | None:
    """A processing status as text, whether given as an enum member or a string."""
    return None if value is None else str(getattr(value, "value", value))


def _check_seconds(name: str, value: float, *, zero_allowed: bool) -> None:
    if (
        isinstance(value, bool)
        or not isinstance(value, (int, float))
        or not math.isfinite(value)
        or value < 0
        or (value == 0 and not zero_allowed)
    ):
        bound = ">= 0" if zero_allowed else "> 0"
        raise ValueError(f"{name} must be a finite number of seconds {bound}; got {value!r}")


def check_timing(poll_interval: float, timeout: float) -> None:
    """Refuse a poll interval or timeout no workflow can use, before anything is sent."""
    _check_seconds("poll_interval", poll_interval, zero_allowed=True)
    _check_seconds("timeout", timeout, zero_allowed=False)


def check_deadline(
    timer: Timer, started: float, interval: float, timeout: float, what: str
) -> None:
    if timer.monotonic() - started + interval > timeout:
        raise WorkflowTimeout(f"{what} was not done within {timeout:g} s; it may still finish")


def run_plan(client: WorkflowClient, plan: Plan[T]) -> T:
    """Carry a workflow out with plain calls of the client's methods."""
    timer = client_timer(client)
    result: Any = None
    try:
        while True:
            step = plan.send(result)
            if isinstance(step, Sleep):
                timer.sleep(step.seconds)
                result = None
            else:
                result = getattr(client, step.method)(**step.kwargs)
    except StopIteration as done:
        value: T = done.value
        return value


async def arun_plan(client: WorkflowClient, plan: Plan[T]) -> T:
    """Carry a workflow out, awaiting the async client's methods."""
    timer = client_timer(client)
    result: Any = None
    try:
        while True:
            step = plan.send(result)
            if isinstance(step, Sleep):
                await timer.async_sleep(step.seconds)
                result = None
            else:
                result = await getattr(client, step.method)(**step.kwargs)
    except StopIteration as done:
        value: T = done.value
        return value
