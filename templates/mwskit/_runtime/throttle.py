"""Client-side throttling: the leaky buckets MWS meters each seller's calls with.

A bucket holds up to `max_request_quota` units and regains one every `restore_seconds`; a call
takes one unit (or, for actions throttled per item, one per item it asks about). Calls that would
overdraw the bucket wait. Buckets are keyed by (timer, seller, section, bucket name), so every
client of the same seller in one process draws from the same bucket, as the service does.

Decisions are made under one lock and never block inside it: `reserve` answers how long the
caller must wait and takes the units at once, so the sync and async clients share this code and
concurrent callers queue up in order.

Where the buckets live is a `ThrottleStore`: the process's own (`BUCKETS`, the default), or one
shared by every process and host of a seller (`RedisThrottleStore`, redis_store.py). The call
engine speaks to a store's buckets only in `BucketOp`s. A bucket elsewhere (Redis) is reached
through the sessions: at once in the sync client, awaited in the async one. The process's own
`LocalBucket` never does I/O, so the engine applies its ops itself, for both clients alike.
"""

from __future__ import annotations

import bisect
import math
import threading
import time
from collections.abc import Awaitable
from dataclasses import dataclass, field
from typing import Protocol

from .descriptors import ThrottlingSpec

_HOUR = 3600.0
# Seconds added to the end of an hour before the client sends the request its own count says
# the new hour allows: the service counts when a request arrives, not when it left, so a send
# at the exact instant the model restores a token can arrive early on a faster connection.
HOURLY_QUOTA_MARGIN = 0.075


class Timer:
    """Monotonic time and sleeping; tests substitute a fake that advances without waiting."""

    def monotonic(self) -> float:
        return time.monotonic()

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)

    def async_sleep(self, seconds: float) -> Awaitable[None]:
        import asyncio  # here, not at the top: `import mwskit` would pay ~20 ms for it

        return asyncio.sleep(seconds)


SYSTEM_TIMER = Timer()


@dataclass(frozen=True, slots=True)
class Reserve:
    """Take `cost` units, answering how long to wait first (see LocalBucket.reserve)."""

    cost: float
    take: bool


@dataclass(frozen=True, slots=True)
class Drain:
    """The service said RequestThrottled or QuotaExceeded: its bucket is empty."""


@dataclass(frozen=True, slots=True)
class ObserveQuota:
    """The service's hourly count (`x-mws-quota-remaining`, seconds to `-resetsOn`)."""

    remaining: int
    resets_in: float | None


@dataclass(frozen=True, slots=True)
class ForgetQuota:
    """The service's hourly count is far from binding: count locally again."""


@dataclass(frozen=True, slots=True)
class Peek:
    """How many seconds until the bucket is full again, changing nothing (the quota planner)."""


BucketOp = Reserve | Drain | ObserveQuota | ForgetQuota | Peek
# What nearly every answer tells the bucket (made once).
FORGET_QUOTA = ForgetQuota()

# (seconds to wait, why): what a Reserve answers, or a Peek's seconds until full; other
# operations answer (0.0, "").
Admission = tuple[float, str]
NO_WAIT: Admission = (0.0, "")


class Bucket(Protocol):
    """One seller's bucket for one action, wherever it is kept. `now` is the client timer's
    monotonic time; a store with a clock of its own (Redis's TIME) may use that instead."""

    def apply(self, op: BucketOp, now: float) -> Admission: ...

    async def aapply(self, op: BucketOp, now: float) -> Admission: ...


class ThrottleStore(Protocol):
    """Where buckets live: `get` returns the bucket of `key`, created full on first use."""

    def get(self, key: BucketKey, spec: ThrottlingSpec) -> Bucket: ...


@dataclass(slots=True)
class LocalBucket:
    """The client's copy of one MWS leaky bucket, plus the action's hourly quota if it has one.

    `level` is the bucket at time `updated`, which is in the future while a send held back for
    the hourly quota is queued: that send takes its unit when it leaves, after the bucket has
    refilled meanwhile. The hourly quota is counted on `sends`, the times requests are sent
    (not reserved): each is charged to the hour it leaves in, so a call waiting for the reset
    counts in the new hour. No `hourly_quota` + 1 sends lie within an hour plus
    HOURLY_QUOTA_MARGIN of each other; after the service said when its hour resets, only sends
    from that reset on count.
    """

    capacity: float
    restore_seconds: float
    hourly_quota: int | None
    level: float
    updated: float
    sends: list[float] = field(default_factory=list, repr=False)  # sorted
    hour_floor: float = -math.inf  # sends before it are in an hour the service closed
    hour_remaining: int | None = None  # the service's own count, when it sent one
    hour_resets: float | None = None  # monotonic time of the service's hourly reset
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def _refill(self, now: float) -> None:
        if self.hour_resets is not None and now >= self.hour_resets:
            self.hour_floor = self.hour_resets  # the service's hour is over
            self.hour_remaining = None
            self.hour_resets = None
        if now > self.updated:
            level = self.level + (now - self.updated) / self.restore_seconds
            self.level = level if level < self.capacity else self.capacity
            self.updated = now

    def _hourly_slot(self, at: float) -> float:
        """The earliest time from `at` on that a request may be sent for the hourly quota."""
        floor = self.hour_floor
        if self.hour_remaining is not None and self.hour_resets is not None:
            if self.hour_remaining > 0 and at < self.hour_resets:
                return at  # within the service's count for its current hour
            at = max(at, self.hour_resets)
            floor = self.hour_resets  # charged to the service's next hour
        quota, sends = self.hourly_quota, self.sends
        if quota is None or not sends:
            return at
        at = max(at, sends[-1])  # in the order reserved
        if len(sends) - bisect.bisect_left(sends, floor) >= quota:
            at = max(at, sends[-quota] + _HOUR + HOURLY_QUOTA_MARGIN)
        return at

    def _charge(self, send: float, now: float) -> None:
        """Count a request sent at `send` against the hourly quota."""
        resets = self.hour_resets
        if resets is not None and self.hour_remaining is not None and send < resets:
            self.hour_remaining -= 1
        quota, sends = self.hourly_quota, self.sends
        if quota is None:
            return
        bisect.insort(sends, send)
        if len(sends) > quota:  # sends an hour old no longer bind any later one
            limit = max(self.hour_floor, now - _HOUR - HOURLY_QUOTA_MARGIN)
            del sends[: bisect.bisect_left(sends, limit)]

    def reserve(self, cost: float, now: float, take: bool) -> tuple[float, str]:
        """Seconds to wait before sending, and why ("" when none); takes the units if `take`.

        With `take` False nothing changes unless the call can go at once (throttle="raise").
        """
        with self.lock:
            self._refill(now)
            if (
                self.level >= cost
                and self.hourly_quota is None
                and self.hour_remaining is None
                and self.updated <= now
            ):
                self.level -= cost  # the common case: room in the bucket, no hourly cap
                return 0.0, ""
            cost = min(cost, self.capacity)  # a call can always go once the bucket is full
            start = self.updated if self.updated > now else now
            by_rate = start + max(0.0, (cost - self.level) * self.restore_seconds)
            send = self._hourly_slot(by_rate)
            wait = send - now
            why = "hourly quota" if send > by_rate else "request quota"
            if wait > 0 and not take:
                return wait, why
            if send > by_rate:
                # Held for the hourly quota: the bucket refills until the request leaves.
                level = self.level + (send - start) / self.restore_seconds
                self.level = min(level, self.capacity) - cost
                self.updated = send
            else:
                self.level -= cost
            self._charge(send, now)
            if wait <= 0:
                return 0.0, ""
            return wait, why

    def apply(self, op: BucketOp, now: float) -> Admission:
        if isinstance(op, Reserve):
            return self.reserve(op.cost, now, op.take)
        if isinstance(op, ForgetQuota):
            self.forget_quota()
        elif isinstance(op, Peek):
            return self.until_full(now), ""
        elif isinstance(op, Drain):
            self.drain(now)
        else:
            self.observe_quota(op.remaining, op.resets_in, now)
        return NO_WAIT

    async def aapply(self, op: BucketOp, now: float) -> Admission:
        return self.apply(op, now)  # never blocks: one lock held for microseconds

    def until_full(self, now: float) -> float:
        with self.lock:
            self._refill(now)
            return (self.updated - now) + (self.capacity - self.level) * self.restore_seconds

    def drain(self, now: float) -> None:
        """The service said RequestThrottled: its bucket is empty now, so is ours (a level
        kept for a send queued later has refilled meanwhile)."""
        with self.lock:
            self._refill(now)
            self.level = min(self.level, (self.updated - now) / self.restore_seconds)

    def forget_quota(self) -> None:
        """The service's hourly count is far from binding: count locally again."""
        if self.hour_remaining is None and self.hour_resets is None:
            # Nothing to forget (after nearly every answer), seen without the lock: a count is
            # only adopted or dropped under it, `hour_remaining` first and `hour_resets` last,
            # so reading neither means no adopted count was held when `hour_resets` was read.
            # That is the moment this forget takes effect; an observe_quota still under way
            # then is ordered after it, as the lock could have ordered it.
            return
        with self.lock:
            self.hour_remaining = None
            self.hour_resets = None

    def observe_quota(self, remaining: int, resets_in: float | None, now: float) -> None:
        """Adopt the service's hourly count from `x-mws-quota-remaining` / `-resetsOn`."""
        with self.lock:
            self.hour_remaining = remaining
            if resets_in is None:
                # No reset time: the hour began no earlier than the first send within it.
                sends = self.sends
                first = bisect.bisect_right(sends, max(now - _HOUR, self.hour_floor))
                began = sends[first] if first < len(sends) and sends[first] <= now else now
                self.hour_resets = began + _HOUR
            else:
                # an hourly quota resets within the hour, whatever the header says
                self.hour_resets = now + min(resets_in, _HOUR)


@dataclass(frozen=True)
class BucketKey:
    timer: Timer
    seller: str
    section: str
    bucket: str


class BucketRegistry:
    """Every bucket of the process, created on first use: the embedded ThrottleStore."""

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
                    )
                    self._buckets[key] = bucket
        return bucket


BUCKETS = BucketRegistry()
