"""One call from start to finish: throttle, sign, send, read, and decide whether to try again.

`plan_call` is a generator that never does I/O itself. It yields `Sleep` and `Send` steps and
receives what happened; the sync and async sessions only carry those steps out. So throttling,
retries, idempotency rules and clock-skew correction exist once, for both clients.
"""

from __future__ import annotations

import logging
import random
import re
from collections.abc import Callable, Generator, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any, Literal

from .descriptors import Operation, SectionSpec
from .errors import (
    ContentMD5Mismatch,
    InternalError,
    MWSError,
    OutcomeUnknown,
    QuotaExceeded,
    RequestExpired,
    RequestThrottled,
    ThrottleWouldWait,
)
from .documents import DocumentSink, Download
from .response import header_int, parse_download, parse_response
from .results import to_datetime
from .throttle import BUCKETS, Bucket, BucketKey, Timer

logger = logging.getLogger("mwskit")


class RedactSecrets(logging.Filter):
    """Masks MWSAuthToken and Signature values in log records.

    httpx logs each request URL at INFO; SubmitFeed's URL carries its signed parameters
    (MWS wants them in the query there), so mwskit installs this filter on the httpx logger.
    """

    _PATTERN = re.compile(r"(MWSAuthToken|Signature)=[^&\s\"']+")

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = self._PATTERN.sub(r"\1=[redacted]", message)
        if redacted != message:
            record.msg, record.args = redacted, ()
        return True


def install_log_redaction() -> None:
    """Add RedactSecrets to the httpx logger once."""
    httpx_logger = logging.getLogger("httpx")
    if not any(isinstance(item, RedactSecrets) for item in httpx_logger.filters):
        httpx_logger.addFilter(RedactSecrets())


ThrottleMode = Literal["wait", "raise", "off"]
THROTTLE_MODES = ("wait", "raise", "off")
_SKEW_LIMIT = timedelta(minutes=1)
_HOUR = 3600.0
_RETRY_STATUSES = frozenset({500, 502, 503, 504})
_NOT_LISTS = (str, bytes, Mapping)
# Reports_GetReport / Feeds_GetFeedSubmissionResult: on an MD5 mismatch discard the body and
# retry, at most three more times.
MD5_RETRIES = 3


@dataclass(frozen=True)
class RetryPolicy:
    """How hard to try: attempts per call, exponential backoff with full jitter, a time budget.

    `max_quota_wait` is the longest mwskit waits for an hourly quota to reset (QuotaExceeded)
    before it raises instead.
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


NO_RETRIES = RetryPolicy(max_attempts=1)


@dataclass(frozen=True, slots=True)
class Event:
    """A decision the client made, given to the `on_event` hook (and logged to `mwskit`).

    kind: "throttle" (waited for the local bucket), "retry" (will try again after `delay`),
    "quota_wait" (waits for the hourly quota reset), "clock_skew" (corrected the clock).
    """

    kind: str
    action: str
    attempt: int
    delay: float
    reason: str
    request_id: str | None = None


@dataclass(slots=True)
class Sleep:
    seconds: float


@dataclass(slots=True)
class Send:
    """Send a request. With a `sink`, a 2xx body is streamed into it chunk by chunk (the outcome's
    body is then empty); any other status is read whole, as errors are small."""

    request: Any  # a PreparedRequest
    sink: DocumentSink | None = None


@dataclass(slots=True)
class Received:
    status_code: int
    headers: Any
    body: bytes


@dataclass(slots=True)
class Failed:
    """The transport raised. `maybe_sent`: some of the request may have reached the server."""

    error: Exception
    maybe_sent: bool


Step = Sleep | Send
Outcome = Received | Failed | None


@dataclass
class CallContext:
    """What every call of one client shares: its builder, policy, mode, timer and clock offset."""

    builder: Any  # RequestBuilder
    seller_id: str
    retries: RetryPolicy
    throttle: ThrottleMode
    timer: Timer
    on_event: Callable[[Event], None] | None = None
    rng: random.Random = field(default_factory=random.Random)
    buckets: dict[tuple[str, str], Bucket] = field(default_factory=dict, repr=False)

    def bucket(self, section: SectionSpec, operation: Operation[Any]) -> Bucket | None:
        if self.throttle == "off":
            return None
        local_key = (section.name, operation.throttling.bucket)
        bucket = self.buckets.get(local_key)
        if bucket is None:
            key = BucketKey(self.timer, self.seller_id, *local_key)
            bucket = self.buckets[local_key] = BUCKETS.get(key, operation.throttling)
        return bucket

    def report(self, event: Event) -> None:
        logger.info(
            "%s: %s, %s (attempt %d, wait %.3f s%s)",
            event.action,
            event.kind,
            event.reason,
            event.attempt,
            event.delay,
            f", request id {event.request_id}" if event.request_id else "",
        )
        if self.on_event is not None:
            self.on_event(event)


def materialize(operation: Operation[Any], values: tuple[Any, ...]) -> tuple[Any, ...]:
    """List arguments as tuples, so a generator survives item counting and re-signing."""
    fixed: list[Any] | None = None
    for index in operation.list_indexes:
        value = values[index]
        if value is None or type(value) in (list, tuple):  # already safe to read twice
            continue
        # Anything else is left for encode_parameters to refuse with a clear message.
        if isinstance(value, Iterable) and not isinstance(value, _NOT_LISTS):
            fixed = fixed or list(values)
            fixed[index] = tuple(value)
    return values if fixed is None else tuple(fixed)


def _cost(operation: Operation[Any], values: tuple[Any, ...]) -> float:
    """Units a call takes: 1, or for per-item throttling the number of items it asks about."""
    if operation.throttling.restore_unit != "item":
        return 1.0
    counts = [
        len(value)
        for param, value in zip(operation.params, values)
        if param.is_list and isinstance(value, (list, tuple))
    ]
    return float(max(counts, default=1) or 1)


def _server_time(headers: Any) -> datetime | None:
    """The service's clock: x-mws-timestamp, else the HTTP Date header (always aware)."""
    text = headers.get("x-mws-timestamp") or headers.get("date")
    try:
        return to_datetime(text) if text else None
    except ValueError:
        return None


def _seconds_until(text: str | None, server_now: datetime | None) -> float | None:
    if not text:
        return None
    try:
        reset = to_datetime(text)
    except ValueError:
        return None
    now = server_now or datetime.now(timezone.utc)
    return max(0.0, (reset - now).total_seconds())


def plan_call(
    context: CallContext,
    section: SectionSpec,
    operation: Operation[Any],
    values: tuple[Any, ...],
    body: Any,
    content_type: str | None,
    download: Download | None = None,
) -> Generator[Step, Outcome, Any]:
    """The steps of one call; returns its typed result or raises its MWSError.

    `body` is the request document (bytes or a FeedBody) of an operation that has one;
    `download` says where a document answer goes (streamed to a destination, or into memory)
    and which encoding to report when the response declares none.
    """
    action = operation.name
    values = materialize(operation, values)
    bucket = context.bucket(section, operation)
    cost = 1.0 if bucket is None else _cost(operation, values)
    policy = context.retries
    timer = context.timer
    started = now = timer.monotonic()
    attempt = 0
    skew_corrected = False
    md5_failures = 0
    fallback_encoding = None if download is None else download.fallback_encoding
    while True:
        attempt += 1
        if bucket is not None:
            if attempt > 1:
                now = timer.monotonic()
            wait, why = bucket.reserve(cost, now, take=context.throttle == "wait")
            if wait > 0:
                if context.throttle == "raise":
                    raise ThrottleWouldWait(
                        f"{action} would wait {wait:.3f} s for its {why} "
                        f"({section.name} {operation.throttling.bucket}); nothing was sent",
                        retry_after=wait,
                    )
                context.report(Event("throttle", action, attempt, wait, f"waiting for the {why}"))
                yield Sleep(wait)
        request = context.builder.build(section, operation, values, body, content_type)
        sink = None if download is None else download.open_attempt()
        try:
            outcome = yield Send(request, sink)
        finally:
            if sink is not None:
                sink.finish()
        assert outcome is not None
        if isinstance(outcome, Failed):
            error = outcome.error
            if outcome.maybe_sent and not operation.idempotent:
                raise OutcomeUnknown(
                    f"{action} failed after its request may have reached MWS "
                    f"({type(error).__name__}); it is not sent again because it is not safe to "
                    f"repeat: check whether it took effect (e.g. with the matching list action) "
                    f"before retrying"
                ) from error
            delay = _retry_delay(context, attempt, started)
            if delay is None:
                raise error
            reason = f"{type(error).__name__} before a response"
            context.report(Event("retry", action, attempt, delay, reason))
            yield Sleep(delay)
            continue
        headers = outcome.headers
        # The service's clock when it sent x-mws-timestamp; error paths below also try Date.
        server_now = _server_time(headers) if "x-mws-timestamp" in headers else None
        try:
            if sink is not None and outcome.status_code < 300:
                assert download is not None
                result = parse_download(
                    operation,
                    outcome.status_code,
                    headers,
                    sink,
                    fallback_encoding,
                    download.path,
                )
            else:
                result = parse_response(
                    operation, outcome.status_code, headers, outcome.body, fallback_encoding
                )
        except ContentMD5Mismatch as error:
            if error.status_code != 200 or not operation.document:
                raise
            md5_failures += 1
            if md5_failures > MD5_RETRIES or attempt >= policy.max_attempts:
                raise
            context.report(
                Event("retry", action, attempt, 0.0, "Content-MD5 mismatch", error.request_id)
            )
            continue
        except RequestExpired:
            server_now = server_now or _server_time(headers)
            if skew_corrected or server_now is None:
                raise
            skew_corrected = True
            _correct_clock(context, action, attempt, server_now)
            attempt -= 1  # the expired attempt does not count against the budget
            continue
        except QuotaExceeded as error:
            if bucket is not None:
                bucket.drain(timer.monotonic())
            server_now = server_now or _server_time(headers)
            reset = _seconds_until(headers.get("x-mws-quota-resetson"), server_now)
            if reset is None or reset > policy.max_quota_wait or context.throttle == "raise":
                raise
            if attempt >= policy.max_attempts:
                raise
            context.report(
                Event(
                    "quota_wait", action, attempt, reset, "hourly quota used up", error.request_id
                )
            )
            yield Sleep(reset)
            continue
        except MWSError as error:
            status = error.status_code
            if status not in _RETRY_STATUSES:
                raise
            if isinstance(error, RequestThrottled) and bucket is not None:
                bucket.drain(timer.monotonic())
            if not operation.idempotent and status != 503:
                if status == 500 and isinstance(error, InternalError):
                    raise  # the service says it failed: nothing to repeat blindly
                raise OutcomeUnknown(
                    f"{action} got HTTP {status} from a gateway; the request may have been "
                    f"processed, so it is not sent again: check whether it took effect before "
                    f"retrying",
                    request_id=error.request_id,
                    status_code=status,
                ) from error
            delay = _retry_delay(context, attempt, started)
            if delay is None:
                raise
            context.report(
                Event(
                    "retry",
                    action,
                    attempt,
                    delay,
                    f"HTTP {status} {error.code or ''}".strip(),
                    error.request_id,
                )
            )
            yield Sleep(delay)
            continue
        if server_now is not None or (bucket is not None and "x-mws-quota-remaining" in headers):
            _observe(context, bucket, headers, server_now, action, attempt)
        return result


def _retry_delay(context: CallContext, attempt: int, started: float) -> float | None:
    """The backoff before the next attempt, or None when the budget is spent."""
    policy = context.retries
    if attempt >= policy.max_attempts:
        return None
    delay = policy.backoff(attempt, context.rng)
    if context.timer.monotonic() - started + delay > policy.max_total:
        return None
    return delay


def _correct_clock(context: CallContext, action: str, attempt: int, server_now: datetime) -> None:
    builder = context.builder
    local = builder.local_now()
    builder.clock_offset = server_now - local
    context.report(
        Event(
            "clock_skew",
            action,
            attempt,
            0.0,
            f"local clock off by {builder.clock_offset.total_seconds():+.1f} s; corrected, re-signing",
        )
    )


def _observe(
    context: CallContext,
    bucket: Bucket | None,
    headers: Any,
    server_now: datetime | None,
    action: str,
    attempt: int,
) -> None:
    """Adopt the service's hourly count and notice a drifting clock on a success."""
    if bucket is not None:
        remaining = headers.get("x-mws-quota-remaining")
        if remaining is not None:
            count = header_int(remaining)
            if count is not None and count > bucket.capacity:
                # More left than a burst can spend before the next answer updates it: the
                # hourly count cannot bind yet, so the bucket alone decides (the common case).
                bucket.forget_quota()
            elif count is not None:
                resets_in = _seconds_until(headers.get("x-mws-quota-resetson"), server_now)
                if resets_in is not None:
                    resets_in = min(resets_in, _HOUR)  # an hourly quota resets within the hour
                bucket.observe_quota(count, resets_in, context.timer.monotonic())
    if server_now is not None:
        builder = context.builder
        drift = server_now - builder.local_now()
        if abs(drift - builder.clock_offset) > _SKEW_LIMIT:
            builder.clock_offset = drift
            context.report(
                Event(
                    "clock_skew",
                    action,
                    attempt,
                    0.0,
                    f"server clock {drift.total_seconds():+.1f} s from ours",
                )
            )
