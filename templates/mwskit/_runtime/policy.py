"""What a client is told to do about retries and throttling, and what it reports back.

Plain values shared by the client configuration (request.py) and the call engine (calls.py).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Literal

ThrottleMode = Literal["wait", "raise", "off"]
THROTTLE_MODES = ("wait", "raise", "off")


@dataclass(frozen=True)
class RetryPolicy:
    """How hard to try: attempts per call, exponential backoff with full jitter, a time budget.

    `max_total` bounds the seconds one call spends on retries: time spent waiting for the
    documented quotas (the action's bucket, an hourly reset) is the service's pace, not retry
    time, and does not count. `max_quota_wait` is the longest mwskit waits for an hourly quota
    to reset (QuotaExceeded) before it raises instead.
    """

    max_attempts: int = 5
    base_delay: float = 0.5
    max_delay: float = 30.0
    max_total: float = 120.0
    max_quota_wait: float = 300.0

    def __post_init__(self) -> None:
        attempts = self.max_attempts
        if not isinstance(attempts, int) or isinstance(attempts, bool) or attempts < 1:
            raise ValueError(f"max_attempts must be an integer of at least 1; got {attempts!r}")
        for name in ("base_delay", "max_delay", "max_total", "max_quota_wait"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not value >= 0:
                raise ValueError(f"{name} must be a number of seconds, 0 or more; got {value!r}")

    def backoff(self, attempt: int, rng: random.Random) -> float:
        """Full jitter: uniform in [0, min(max_delay, base_delay * 2 ** (attempt - 1))]."""
        return rng.uniform(0.0, min(self.max_delay, self.base_delay * 2 ** (attempt - 1)))


@dataclass(frozen=True, slots=True)
class Event:
    """A decision the client made, given to the `on_event` hook (and logged to `mwskit`).

    kind: "throttle" (waited for the local bucket), "retry" (will try again after `delay`),
    "quota_wait" (waits for the hourly quota reset), "clock_skew" (corrected the clock),
    "lookup" (reads what a money-moving call of unknown outcome made, instead of resending).
    """

    kind: str
    action: str
    attempt: int
    delay: float
    reason: str
    request_id: str | None = None
