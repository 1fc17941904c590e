"""Client-side throttling: the leaky buckets MWS meters each seller's calls with.

A bucket holds up to `max_request_quota` units and regains one every `restore_seconds`; a call
takes one unit (or, for actions throttled per item, one per item it asks about). Calls that would
overdraw the bucket wait. Buckets are keyed by (timer, seller, section, bucket name), so every
client of the same seller in one process draws from the same bucket, as the service does.

Decisions are made under one lock and never block inside it: `reserve` answers how long the
caller must wait and takes the units at once, so the sync and async clients share this code and
concurrent callers queue up in order.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Awaitable
from dataclasses import dataclass, field

from .descriptors import ThrottlingSpec

_HOUR = 3600.0


class Timer:
    """Monotonic time and sleeping; tests substitute a fake that advances without waiting."""

    def monotonic(self) -> float:
        return time.monotonic()

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)

    def async_sleep(self, seconds: float) -> Awaitable[None]:
        return asyncio.sleep(seconds)


SYSTEM_TIMER = Timer()


@dataclass(slots=True)
class LocalBucket:
    """The client's copy of one MWS leaky bucket, plus the action's hourly quota if it has one."""

    capacity: float
    restore_seconds: float
    hourly_quota: int | None
    level: float
    updated: float
    hour_started: float
    hour_used: int = 0
    hour_remaining: int | None = None  # the service's own count, when it sent one
    hour_resets: float | None = None  # monotonic time of the service's hourly reset
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def _refill(self, now: float) -> None:
        level = self.level + (now - self.updated) / self.restore_seconds
        self.level = level if level < self.capacity else self.capacity
        self.updated = now
        if self.hour_resets is not None and now >= self.hour_resets:
            self.hour_remaining = None
            self.hour_resets = None
            self.hour_started, self.hour_used = now, 0
        elif now - self.hour_started >= _HOUR:
            self.hour_started, self.hour_used = now, 0

    def _hourly_wait(self, now: float) -> float:
        if self.hour_remaining is not None and self.hour_resets is not None:
            return 0.0 if self.hour_remaining > 0 else self.hour_resets - now
        if self.hourly_quota is not None and self.hour_used >= self.hourly_quota:
            return self.hour_started + _HOUR - now
        return 0.0

    def reserve(self, cost: float, now: float, take: bool) -> tuple[float, str]:
        """Seconds to wait before sending, and why ("" when none); takes the units if `take`.

        With `take` False nothing changes unless the call can go at once (throttle="raise").
        """
        with self.lock:
            self._refill(now)
            if self.level >= cost and self.hourly_quota is None and self.hour_remaining is None:
                self.level -= cost  # the common case: room in the bucket, no hourly cap
                return 0.0, ""
            cost = min(cost, self.capacity)  # a call can always go once the bucket is full
            hourly = self._hourly_wait(now)
            rate = max(0.0, (cost - self.level) * self.restore_seconds)
            wait = max(hourly, rate)
            if wait > 0 and not take:
                return wait, "hourly quota" if hourly >= rate else "request quota"
            self.level -= cost
            self.hour_used += 1
            if self.hour_remaining is not None:
                self.hour_remaining -= 1
            if wait <= 0:
                return 0.0, ""
            return wait, "hourly quota" if hourly >= rate else "request quota"

    def drain(self, now: float) -> None:
        """The service said RequestThrottled: its bucket is empty, so is ours."""
        with self.lock:
            self._refill(now)
            self.level = min(self.level, 0.0)

    def forget_quota(self) -> None:
        """The service's hourly count is far from binding: count locally again."""
        with self.lock:
            self.hour_remaining = None
            self.hour_resets = None

    def observe_quota(self, remaining: int, resets_in: float | None, now: float) -> None:
        """Adopt the service's hourly count from `x-mws-quota-remaining` / `-resetsOn`."""
        with self.lock:
            self.hour_remaining = remaining
            self.hour_resets = (
                # an hourly quota resets within the hour, whatever the header says
                now + min(resets_in, _HOUR)
                if resets_in is not None
                else self.hour_started + _HOUR
            )


@dataclass(frozen=True)
class BucketKey:
    timer: Timer
    seller: str
    section: str
    bucket: str


class BucketRegistry:
    """Every bucket of the process, created on first use."""

    def __init__(self) -> None:
        self._buckets: dict[BucketKey, LocalBucket] = {}
        self._lock = threading.Lock()

    def get(self, key: BucketKey, spec: ThrottlingSpec) -> LocalBucket:
        bucket = self._buckets.get(key)
        if bucket is None:
            with self._lock:
                bucket = self._buckets.get(key)
                if bucket is None:
                    now = key.timer.monotonic()
                    bucket = LocalBucket(
                        capacity=float(spec.max_request_quota),
                        restore_seconds=spec.restore_seconds,
                        hourly_quota=spec.hourly_request_quota,
                        level=float(spec.max_request_quota),
                        updated=now,
                        hour_started=now,
                    )
                    self._buckets[key] = bucket
        return bucket


BUCKETS = BucketRegistry()
