"""What the sandbox keeps between requests: quotas, counts, feeds, reports and NextTokens.

Everything here is guarded by the sandbox's lock; nothing does I/O. What grows with use is
bounded (`StateLimits`): past a limit the oldest entry goes, so a long-running sandbox keeps
a bounded amount of memory however many requests it answers.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from .._runtime.descriptors import ThrottlingSpec
from .answers import Refusal, invalid

HOUR = 3600.0
SUBMITTED = "_SUBMITTED_"
IN_PROGRESS = "_IN_PROGRESS_"
DONE = "_DONE_"
CANCELLED = "_CANCELLED_"
STATUSES = (SUBMITTED, IN_PROGRESS, DONE)


@dataclass(frozen=True, slots=True)
class StateLimits:
    """How much the sandbox keeps; past each limit the oldest entry is dropped.

    `next_tokens`: NextTokens still redeemable (an older one answers InvalidParameterValue,
    "It has expired."); `submissions`: feed submissions, and report requests, kept (each kind;
    an older ID is unknown again); `quotas`: (seller, section, bucket) quotas tracked (a dropped
    one starts full again); `payments`: Amazon Pay objects kept, of each kind (order
    references, billing agreements, authorizations, captures, refunds, reference ids; an older
    one is unknown again).
    """

    next_tokens: int = 10_000
    submissions: int = 10_000
    quotas: int = 100_000
    payments: int = 10_000

    def __post_init__(self) -> None:
        for name in ("next_tokens", "submissions", "quotas", "payments"):
            if getattr(self, name) < 1:
                raise ValueError(f"StateLimits.{name} must be at least 1")


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
    """Every seller's quota, by (seller, section, bucket name): full until first used; past
    `limit` quotas the least recently used is dropped (and starts full again)."""

    def __init__(self, limit: int = 100_000) -> None:
        self._limit = limit
        self._quotas: OrderedDict[tuple[str, str, str], SellerQuota] = OrderedDict()

    def take(self, seller: str, section: str, spec: ThrottlingSpec, now: float) -> QuotaState:
        key = (seller, section, spec.bucket)
        quota = self._quotas.get(key)
        if quota is None:
            quota = SellerQuota(float(spec.max_request_quota), now, now)
            self._quotas[key] = quota
            while len(self._quotas) > self._limit:
                self._quotas.popitem(last=False)
        else:
            self._quotas.move_to_end(key)
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


_TOKEN_TAIL = b"?>~\xfb\xff"
_TOKEN = re.compile(rb"sandbox/(-?[0-9]+)/[A-Za-z]+/([1-9][0-9]*)" + re.escape(_TOKEN_TAIL))


class Tokens:
    """NextTokens the sandbox issued; opaque base64 text with `+`, `/` and `=` in it. The
    latest `limit` stay redeemable; an older one has `expired`."""

    def __init__(self, seed: int, limit: int = 10_000) -> None:
        self._seed = seed
        self._limit = limit
        self._count = 0
        self._pages: OrderedDict[str, Page] = OrderedDict()

    def issue(self, action: str, seller: str, remaining: list[Any] | None = None) -> str:
        self._count += 1
        raw = f"sandbox/{self._seed}/{action}/{self._count}".encode("ascii")
        token = base64.b64encode(raw + _TOKEN_TAIL).decode("ascii")
        self._pages[token] = Page(action, seller, remaining)
        while len(self._pages) > self._limit:
            self._pages.popitem(last=False)
        return token

    def redeem(self, token: str) -> Page | None:
        return self._pages.get(token)

    def refused(self, token: str, name: str = "NextToken") -> Refusal:
        """The refusal of `token` (parameter `name`) that is not, or no longer, redeemable."""
        if self.expired(token):
            return invalid(name, token, "It has expired.")
        return invalid(name, token, f"It is not a {name} this service issued.")

    def expired(self, token: str) -> bool:
        """Whether `token` is one this sandbox issued and has since dropped."""
        try:
            raw = base64.b64decode(token.encode("ascii"), validate=True)
        except (binascii.Error, UnicodeEncodeError):
            return False
        found = _TOKEN.fullmatch(raw)
        return (
            found is not None
            and int(found.group(1)) == self._seed
            and int(found.group(2)) <= self._count
            and token not in self._pages
        )


class Ledger:
    """Feed submissions or report requests by ID (and by an alias: a report's ReportId), the
    oldest dropped past `limit`; listed by seller, and counted by (seller, type, status)
    counters kept as records are added, polled, cancelled and dropped, so counting scans
    nothing. Change a record's status only through `poll` and `cancel`."""

    def __init__(self, limit: int) -> None:
        self._limit = limit
        self._records: OrderedDict[str, Submission] = OrderedDict()
        self._aliases: dict[str, str] = {}
        self._by_seller: dict[str, dict[str, Submission]] = {}
        self._counts: dict[str, dict[tuple[str, str], int]] = {}

    def __len__(self) -> int:
        return len(self._records)

    def add(self, record: Submission, alias: str | None = None) -> None:
        self._records[record.id] = record
        if alias is not None:
            self._aliases[alias] = record.id
            record.extra["_alias"] = alias
        self._by_seller.setdefault(record.seller, {})[record.id] = record
        self._count(record, record.status(), 1)
        while len(self._records) > self._limit:
            self._drop(next(iter(self._records)))

    def _drop(self, record_id: str) -> None:
        record = self._records.pop(record_id)
        self._aliases.pop(record.extra.get("_alias", ""), None)
        mine = self._by_seller[record.seller]
        del mine[record_id]
        if not mine:
            del self._by_seller[record.seller]
        self._count(record, record.status(), -1)

    def _count(self, record: Submission, status: str, step: int) -> None:
        counts = self._counts.setdefault(record.seller, {})
        key = (record.kind, status)
        counts[key] = counts.get(key, 0) + step
        if counts[key] <= 0:
            del counts[key]
            if not counts:
                del self._counts[record.seller]

    def get(self, record_id: str) -> Submission | None:
        return self._records.get(record_id)

    def by_alias(self, alias: str) -> Submission | None:
        record_id = self._aliases.get(alias)
        return None if record_id is None else self._records.get(record_id)

    def of(self, seller: str) -> list[Submission]:
        """The seller's records, oldest first."""
        return list(self._by_seller.get(seller, {}).values())

    def poll(self, record: Submission) -> str:
        return self._change(record, record.poll)

    def cancel(self, record: Submission) -> None:
        def cancelled() -> str:
            record.cancelled = True
            return record.status()

        self._change(record, cancelled)

    def _change(self, record: Submission, change: Callable[[], str]) -> str:
        kept = self._records.get(record.id) is record
        before = record.status() if kept else ""
        after: str = change()
        if kept and after != before:
            self._count(record, before, -1)
            self._count(record, after, 1)
        return after

    def count(
        self,
        seller: str,
        ids: Iterable[str] | None,
        kinds: Iterable[str] | None,
        statuses: Iterable[str] | None,
    ) -> int:
        """How many of the seller's records match, from the counters (or the IDs given)."""
        if ids is not None:
            found = (self._records.get(record_id) for record_id in set(ids))
            return sum(
                1
                for record in found
                if record is not None and matches(record, seller, None, kinds, statuses)
            )
        kind_set = None if kinds is None else set(kinds)
        status_set = None if statuses is None else set(statuses)
        return sum(
            number
            for (kind, status), number in self._counts.get(seller, {}).items()
            if (kind_set is None or kind in kind_set)
            and (status_set is None or status in status_set)
        )


class Records:
    """The feeds and reports sellers submitted, by ID, and the NextTokens issued."""

    def __init__(self, seed: int, limits: StateLimits | None = None) -> None:
        limits = limits or StateLimits()
        self.seed = seed
        self.feeds = Ledger(limits.submissions)
        self.reports = Ledger(limits.submissions)
        self.tokens = Tokens(seed, limits.next_tokens)
        self._serial = 0

    def next_id(self) -> str:
        self._serial += 1
        return str(50_000_000_000 + self.seed * 1_000_000 + self._serial)


def epoch_to_datetime(value: float) -> datetime:
    return datetime.fromtimestamp(value, UTC)
