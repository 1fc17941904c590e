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
from typing import Any

from .calls import Sleep
from .errors import WorkflowTimeout

POLL_INTERVAL = 45.0  # GetReportRequestList / GetFeedSubmissionList restore one request per 45 s
DEFAULT_TIMEOUT = 3600.0


@dataclass(slots=True)
class Invoke:
    """Call the client's method `method` with `kwargs`; the workflow receives its result."""

    method: str
    kwargs: dict[str, Any]


WorkflowStep = Invoke | Sleep


def status_text(value: Any) -> str | None:
    return None if value is None else str(getattr(value, "value", value))


def check_timing(poll_interval: float, timeout: float) -> None:
    """Refuse a poll interval or timeout no workflow can use, before anything is sent."""
    if (
        isinstance(poll_interval, bool)
        or not isinstance(poll_interval, (int, float))
        or not math.isfinite(poll_interval)
        or poll_interval < 0
    ):
        raise ValueError(
            f"poll_interval must be a finite number of seconds >= 0; got {poll_interval!r}"
        )
    if (
        isinstance(timeout, bool)
        or not isinstance(timeout, (int, float))
        or not math.isfinite(timeout)
        or timeout <= 0
    ):
        raise ValueError(f"timeout must be a finite number of seconds > 0; got {timeout!r}")


def check_deadline(timer: Any, started: float, interval: float, timeout: float, what: str) -> None:
    if timer.monotonic() - started + interval > timeout:
        raise WorkflowTimeout(f"{what} was not done within {timeout:g} s; it may still finish")



def run_plan(client: Any, plan: Generator[WorkflowStep, Any, Any]) -> Any:
    timer = client._session.config.timer
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
        return done.value


async def arun_plan(client: Any, plan: Generator[WorkflowStep, Any, Any]) -> Any:
    timer = client._session.config.timer
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
        return done.value



def client_timer(client: Any) -> Any:
    return client._session.config.timer

