"""What the sandbox keeps between requests: quotas, counts, feeds, reports and NextTokens.

Everything here is guarded by the sandbox's lock; nothing does I/O.
"""

from __future__ import annotations

import base64
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from .._runtime.descriptors import ThrottlingSpec

HOUR = 3600.0
SUBMITTED = "_SUBMITTED_"
IN_PROGRESS = "_IN_PROGRESS_"
DONE = "_DONE_"
CANCELLED = "_CANCELLED_"
STATUSES = (SUBMITTED, IN_PROGRESS, DONE)


# ---------------------------------------------------------------- quotas


@dataclass(slots=True)
class SellerQuota:
    """What one seller has left of one throttling bucket (docs: DG_Throttling): the leaky
    bucket's requests and the hourly quota's window. (The client's own pacing is
    `mwskit._runtime.throttle.Bucket`; this is the server's account of a seller.)"""

    tokens: float
    updated: float
    hour_start: float
    hour_count: int = 0


@dataclass(frozen=True, slots=True)
class QuotaState:
    """What the `x-mws-quota-*` headers say; `refused` is the error code when refused."""

    refused: str | None
    hourly: int | None
    remaining: int | None
    resets_on: float | None


def take(quota: SellerQuota, spec: ThrottlingSpec, now: float) -> QuotaState:
    """Spend one request from `quota` at `now` (seconds), or say why it is refused."""
    if spec.restore_seconds > 0:
        restored = (now - quota.updated) / spec.restore_seconds
        quota.tokens = min(float(spec.max_request_quota), quota.tokens + max(restored, 0.0))
    quota.updated = now
    if now - quota.hour_start >= HOUR:
        quota.hour_start = now
        quota.hour_count = 0
    hourly = spec.hourly_request_quota
    refused: str | None = None
    if hourly is not None and quota.hour_count >= hourly:
        refused = "QuotaExceeded"
    elif quota.tokens < 1.0:
        refused = "RequestThrottled"
    else:
        quota.tokens -= 1.0
        quota.hour_count += 1
    remaining = None if hourly is None else max(hourly - quota.hour_count, 0)
    return QuotaState(refused, hourly, remaining, quota.hour_start + HOUR)


class Quotas:
    """Every seller's quota, by (seller, section, bucket name): full until first used."""

    def __init__(self) -> None:
        self._quotas: dict[tuple[str, str, str], SellerQuota] = {}

    def take(self, seller: str, section: str, spec: ThrottlingSpec, now: float) -> QuotaState:
        key = (seller, section, spec.bucket)
        quota = self._quotas.get(key)
        if quota is None:
            quota = SellerQuota(float(spec.max_request_quota), now, now)
            self._quotas[key] = quota
        return take(quota, spec, now)

    def clear(self) -> None:
        self._quotas.clear()


# ---------------------------------------------------------------- what the sandbox received


@dataclass(frozen=True, slots=True)
class SandboxStats:
    """What the sandbox received: totals by action, HTTP status and error code or fault."""

    received: int
    by_action: Mapping[str, int]
    by_status: Mapping[int, int]
    by_code: Mapping[str, int]


@dataclass(slots=True)
class Counts:
    received: int = 0
    by_action: dict[str, int] = field(default_factory=dict)
    by_status: dict[int, int] = field(default_factory=dict)
    by_code: dict[str, int] = field(default_factory=dict)

    def snapshot(self) -> SandboxStats:
        return SandboxStats(
            self.received, dict(self.by_action), dict(self.by_status), dict(self.by_code)
        )


def bump(counter: dict[Any, int], key: Any) -> None:
    counter[key] = counter.get(key, 0) + 1


# ---------------------------------------------------------------- feeds, reports, NextTokens


@dataclass(slots=True)
class Submission:
    """A feed submission or a report request: an ID, a type, and polls that advance it."""

    id: str
    seller: str
    kind: str
    submitted: datetime
    polls: int = 0
    cancelled: bool = False
    content: bytes = b""
    extra: dict[str, Any] = field(default_factory=dict)
    acknowledged: bool = False

    def status(self) -> str:
        if self.cancelled:
            return CANCELLED
        return STATUSES[min(self.polls, len(STATUSES)) - 1] if self.polls else SUBMITTED

    def poll(self) -> str:
        """Count one listing: the first shows _SUBMITTED_, then _IN_PROGRESS_, then _DONE_."""
        if not self.cancelled and self.polls < len(STATUSES):
            self.polls += 1
        return self.status()

    def started(self) -> datetime:
        return self.submitted + timedelta(seconds=30)

    def completed(self) -> datetime:
        return self.submitted + timedelta(seconds=90)


def matches(
    record: Submission,
    seller: str,
    ids: Iterable[str] | None,
    kinds: Iterable[str] | None,
    statuses: Iterable[str] | None,
) -> bool:
    if record.seller != seller:
        return False
    if ids is not None and record.id not in set(ids):
        return False
    if kinds is not None and record.kind not in set(kinds):
        return False
    return statuses is None or record.status() in set(statuses)


@dataclass(slots=True)
class Page:
    """What a NextToken continues: the parent action, its seller, the items still to list."""

    action: str
    seller: str
    remaining: list[Any] | None


class Tokens:
    """NextTokens the sandbox issued; opaque base64 text with `+`, `/` and `=` in it."""

    def __init__(self, seed: int) -> None:
        self._seed = seed
        self._count = 0
        self._pages: dict[str, Page] = {}

    def issue(self, action: str, seller: str, remaining: list[Any] | None = None) -> str:
        self._count += 1
        raw = f"sandbox/{self._seed}/{action}/{self._count}?>~".encode("ascii")
        token = base64.b64encode(raw + b"\xfb\xff").decode("ascii")
        self._pages[token] = Page(action, seller, remaining)
        return token

    def redeem(self, token: str) -> Page | None:
        return self._pages.get(token)


class Records:
    """The feeds and reports sellers submitted, by ID, and the NextTokens issued."""

    def __init__(self, seed: int) -> None:
        self.seed = seed
        self.feeds: dict[str, Submission] = {}
        self.reports: dict[str, Submission] = {}
        self.tokens = Tokens(seed)
        self._serial = 0

    def next_id(self) -> str:
        self._serial += 1
        return str(50_000_000_000 + self.seed * 1_000_000 + self._serial)


def epoch_to_datetime(value: float) -> datetime:
    return datetime.fromtimestamp(value, UTC)
