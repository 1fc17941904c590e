"""Helpers shared by the tests in tests/runtime, by family; here the fixed clock and fake timer.

A FakeTimer's sleeps only move its clock forward, so a test of a 60-second restore rate runs in
microseconds, and the waits the client chose are recorded.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import mwskit

NOW = datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)


class FakeTimer(mwskit.Timer):
    """Monotonic time that only moves when the client sleeps."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds

    async def _async_sleep(self, seconds: float) -> None:
        self.sleep(seconds)

    def async_sleep(self, seconds: float) -> Any:
        return self._async_sleep(seconds)
