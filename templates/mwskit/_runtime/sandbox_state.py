"""State the sandbox keeps between requests: throttling buckets, feeds, reports and NextTokens.

Everything here is guarded by the sandbox's lock; nothing does I/O.
"""

from __future__ import annotations

import base64
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

from .descriptors import ThrottlingSpec

HOUR = 3600.0
SUBMITTED = "_SUBMITTED_"
IN_PROGRESS = "_IN_PROGRESS_"
DONE = "_DONE_"
CANCELLED = "_CANCELLED_"
STATUSES = (SUBMITTED, IN_PROGRESS, DONE)


@dataclass(slots=True)
class Bucket:
    """A leaky bucket of one seller and action (docs: DG_Throttling) and its hourly window."""

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


def take(bucket: Bucket, spec: ThrottlingSpec, now: float) -> QuotaState:
    """Spend one request from `bucket` at `now` (seconds), or say why it is refused."""
    if spec.restore_seconds > 0:
        restored = (now - bucket.updated) / spec.restore_seconds
        bucket.tokens = min(float(spec.max_request_quota), bucket.tokens + max(restored, 0.0))
    bucket.updated = now
    if now - bucket.hour_start >= HOUR:
        bucket.hour_start = now
        bucket.hour_count = 0
    hourly = spec.hourly_request_quota
    refused: str | None = None
    if hourly is not None and bucket.hour_count >= hourly:
        refused = "QuotaExceeded"
    elif bucket.tokens < 1.0:
        refused = "RequestThrottled"
    else:
        bucket.tokens -= 1.0
        bucket.hour_count += 1
    remaining = None if hourly is None else max(hourly - bucket.hour_count, 0)
    return QuotaState(refused, hourly, remaining, bucket.hour_start + HOUR)


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


def epoch_to_datetime(value: float) -> datetime:
    return datetime.fromtimestamp(value, timezone.utc)
