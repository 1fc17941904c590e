"""One call from start to finish: throttle, sign, send, read, and decide whether to try again.

`plan_call` gives a generator that never does I/O itself. It yields `Sleep`, `Send` and
`Throttle` steps (the last an operation on the action's bucket in a throttle store elsewhere,
such as a Redis server) and receives what happened; the sync and async sessions only carry
those steps out. So throttling, retries, idempotency rules and clock-skew correction exist
once, for both clients. A bucket in the process's memory (`LocalBucket`, the default store)
does no I/O: the engine applies its operations itself, so a call answered at once takes a
single step, its Send.

Layering: the engine builds requests with the `RequestBuilder` below it (request.py) and knows
nothing of the sessions above it (client.py) that carry its steps out.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Callable, Generator, Iterable, Mapping
from dataclasses import dataclass, field, fields
from datetime import datetime, timedelta
from typing import Any

from .descriptors import Operation, R, SectionSpec
from .documents import DocumentSink, Download, FeedBody
from .errors import (
    ContentMD5Mismatch,
    MWSError,
    OutcomeUnknown,
    QuotaExceeded,
    RequestExpired,
    RequestThrottled,
    ResponseParseError,
    ThrottleWouldWait,
    TransportError,
)
from .policy import Event, RetryPolicy, ThrottleMode
from .request import PreparedRequest, RequestBuilder, utc_now
from .response import header_int, header_time, parse_download, parse_response
from .results import MWSResult
from .throttle import (
    BUCKETS,
    FORGET_QUOTA,
    Admission,
    Bucket,
    BucketKey,
    BucketOp,
    Drain,
    LocalBucket,
    ObserveQuota,
    Reserve,
    ThrottleStore,
    Timer,
)

logger = logging.getLogger("mwskit")

_SKEW_LIMIT = timedelta(minutes=1)
# The largest clock offset mwskit adopts from the service's clock (x-mws-timestamp / Date): a
# server time further off than this from ours is a broken header, not a clock to follow.
MAX_CLOCK_OFFSET = timedelta(days=1)
_RETRY_STATUSES = frozenset({500, 502, 503, 504})
# The MWS error codes that say the service refused a request without acting on it (DG_Errors:
# QuotaExceeded and RequestThrottled, HTTP 503; DG_Errors_Examples: 503 ServiceUnavailable,
# "retry the request"). Only an ErrorResponse with one of these codes proves that a request
# which is unsafe to repeat was not processed; any other answer after its body was sent
# (a gateway page, an InternalError, an unreadable 2xx) leaves its outcome unknown.
REFUSAL_CODES = frozenset({"QuotaExceeded", "RequestThrottled", "ServiceUnavailable"})
_NOT_LISTS = (str, bytes, Mapping)
# Reports_GetReport / Feeds_GetFeedSubmissionResult: on an MD5 mismatch discard the body and
# retry, at most three more times.
MD5_RETRIES = 3


@dataclass(slots=True)
class Sleep:
    seconds: float


@dataclass(slots=True)
class Send:
    """Send a request. With a `sink`, a 2xx body is streamed into it chunk by chunk (the outcome's
    body is then empty); any other status is read whole, as errors are small."""

    request: PreparedRequest
    sink: DocumentSink | None = None


@dataclass(slots=True)
class Received:
    status_code: int
    headers: Mapping[str, str]  # names in lowercase
    body: bytes


@dataclass(slots=True)
class Failed:
    """The transport raised. `maybe_sent`: some of the request may have reached the server."""

    error: Exception
    maybe_sent: bool


@dataclass(slots=True)
class Throttle:
    """Apply `op` to `bucket` at the timer's time `now`; the outcome is its Admission."""

    bucket: Bucket
    op: BucketOp
    now: float


Step = Sleep | Send | Throttle
Outcome = Received | Failed | Admission | None


@dataclass
class CallContext:
    """What every call of one client shares: its builder, policy, mode, timer, clock offset and
    the throttle store its buckets live in."""

    builder: RequestBuilder
    seller_id: str
    retries: RetryPolicy
    throttle: ThrottleMode
    timer: Timer
    on_event: Callable[[Event], None] | None = None
    sandbox: bool = False  # amazon_pay_sandbox: sections with a sandbox path are sent there
    rng: random.Random = field(default_factory=random.Random)
    store: ThrottleStore = BUCKETS
    buckets: dict[tuple[str, str], Bucket] = field(default_factory=dict, repr=False)

    def bucket(self, section: SectionSpec, operation: Operation[Any]) -> Bucket | None:
        """The operation's bucket: on the sandbox path its own, with the sandbox's quotas."""
        if self.throttle == "off":
            return None
        spec = operation.throttling
        where = section.name
        if self.sandbox and spec.sandbox is not None and section.in_sandbox(True):
            spec, where = spec.sandbox, f"{section.name} sandbox"
        local_key = (where, spec.bucket)
        bucket = self.buckets.get(local_key)
        if bucket is None:
            key = BucketKey(self.timer, self.seller_id, *local_key)
            bucket = self.buckets[local_key] = self.store.get(key, spec)
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


def quota_wait(
    context: CallContext, section: SectionSpec, operation: Operation[Any], values: tuple[Any, ...]
) -> tuple[float, str]:
    """Seconds the documented quotas would make this call wait now, and why ("" when none):
    what a dry run reports. Takes the call's units when it could go at once."""
    bucket = context.bucket(section, operation)
    if bucket is None:
        return 0.0, ""
    cost = cost_of(operation, materialize(operation, values))
    return bucket.apply(Reserve(cost, take=False), context.timer.monotonic())


def cost_of(operation: Operation[Any], values: tuple[Any, ...]) -> float:
    """Units a call takes: 1, or for per-item throttling the number of items it asks about."""
    if operation.throttling.restore_unit != "item":
        return 1.0
    counts = [
        len(value)
        for param, value in zip(operation.params, values, strict=False)
        if param.is_list and isinstance(value, (list, tuple))
    ]
    return float(max(counts, default=1) or 1)


def _server_offset(
    context: CallContext, headers: Mapping[str, str], action: str
) -> tuple[datetime, timedelta] | None:
    """The service's clock and its offset from ours, when it is within MAX_CLOCK_OFFSET.

    A server time further off (year 1, year 9999) is a broken header: adopting it would make
    every later timestamp overflow, so it is ignored, and logged.
    """
    text = headers.get("x-mws-timestamp") or headers.get("date")
    server_now = header_time(text)
    if server_now is None:
        return None
    try:
        offset: timedelta | None = server_now - context.builder.local_now()
    except OverflowError:
        offset = None
    if offset is None or abs(offset) > MAX_CLOCK_OFFSET:
        logger.warning(
            "%s: server time %r ignored: more than %s from the local clock",
            action,
            text,
            MAX_CLOCK_OFFSET,
        )
        return None
    return server_now, offset


def _seconds_until(text: str | None, server_now: datetime | None) -> float | None:
    """Seconds from the server's time (else ours) until the time in `text`; never negative."""
    reset = header_time(text)
    if reset is None:
        return None
    now = server_now or utc_now()
    return max(0.0, (reset - now).total_seconds())


def plan_call(
    context: CallContext,
    section: SectionSpec,
    operation: Operation[R],
    values: tuple[Any, ...],
    body: bytes | FeedBody | None,
    content_type: str | None,
    download: Download | None = None,
) -> Generator[Step, Outcome, R]:
    """The steps of one call, as a generator that returns its typed result or raises its
    MWSError.

    `body` is the request document (bytes or a FeedBody) of an operation that has one;
    `download` says where a document answer goes (streamed to a destination, or into memory)
    and which encoding to report when the response declares none.

    Each attempt: wait for the bucket, build and send, read the answer; a failure either
    raises or says how long to wait before the next attempt (`_after_*` below).

    A money-moving operation (one with a reference id) that may have been processed is only
    ever sent again unchanged, and a call of it that ends in doubt ends in its lookup
    (`_resolve`): the object it made, or OutcomeUnknown saying what to check.
    """
    values = materialize(operation, values)
    if operation.reference_id is None:  # the attempts alone: one generator frame per call
        return _attempts(context, section, operation, values, body, content_type, download)
    return _money_call(context, section, operation, values, body, content_type, download)


def _money_call(
    context: CallContext,
    section: SectionSpec,
    operation: Operation[R],
    values: tuple[Any, ...],
    body: bytes | FeedBody | None,
    content_type: str | None,
    download: Download | None,
) -> Generator[Step, Outcome, R]:
    """A money-moving call: its attempts, then its lookup when they end in doubt."""
    unknown: list[Exception] = []
    try:
        return (
            yield from _attempts(
                context, section, operation, values, body, content_type, download, unknown
            )
        )
    except MWSError:
        if not unknown:
            raise  # refused, or failed before the request could reach the service
        return (yield from _resolve(context, section, operation, values, unknown[0]))


def _attempts(
    context: CallContext,
    section: SectionSpec,
    operation: Operation[R],
    values: tuple[Any, ...],
    body: bytes | FeedBody | None,
    content_type: str | None,
    download: Download | None,
    unknown: list[Exception] | None = None,
) -> Generator[Step, Outcome, R]:
    """Every attempt of one call. `unknown` (money-moving operations only) collects each sign
    that the request may have been processed; such a request is then resent unchanged."""
    bucket = context.bucket(section, operation)
    # In the process's memory: applied here, not handed to the session (see the module doc).
    local = bucket if isinstance(bucket, LocalBucket) else None
    cost = 1.0 if bucket is None else cost_of(operation, values)
    take = context.throttle == "wait"
    started = context.timer.monotonic()
    # Seconds spent waiting for the documented quotas (the bucket, the hourly reset): that is
    # the service's pace, not retry time, so the retry budget (max_total) starts that much later.
    waited = 0.0
    attempt = 0
    skew_corrected = False
    md5_failures = 0
    while True:
        attempt += 1
        if bucket is not None:
            now = started if attempt == 1 else context.timer.monotonic()
            wait, why = (
                local.reserve(cost, now, take)
                if local is not None
                else _admission((yield Throttle(bucket, Reserve(cost, take), now)))
            )
            if wait > 0:
                waited += wait
                yield Sleep(_throttle_wait(context, section, operation, attempt, wait, why))
        request = context.builder.build(section, operation, values, body, content_type)
        sink = None if download is None else download.open_attempt()
        try:
            outcome = yield Send(request, sink)
        finally:
            if sink is not None:
                sink.finish()
        if not isinstance(outcome, Received):
            assert isinstance(outcome, Failed)
            if unknown is not None and outcome.maybe_sent:
                unknown.append(outcome.error)
                yield Sleep(
                    _resend_delay(context, operation, outcome.error, attempt, started + waited)
                )
                continue
            yield Sleep(
                _after_transport_failure(context, operation, outcome, attempt, started + waited)
            )
            continue
        try:
            result: R = _read(operation, outcome, sink, download)
        except ContentMD5Mismatch as error:
            md5_failures += 1
            _after_md5_mismatch(context, operation, error, attempt, md5_failures)
            continue  # at once: the body was corrupted on its way, nothing to wait for
        except RequestExpired as error:
            _after_expired(context, operation, outcome.headers, error, attempt, skew_corrected)
            skew_corrected = True
            attempt -= 1  # the expired attempt does not count against the budget
            continue
        except MWSError as error:
            if unknown is not None and not _answered(error) and error.code not in REFUSAL_CODES:
                unknown.append(error)  # a 5xx or an unreadable answer: it may have been done
                yield Sleep(_resend_delay(context, operation, error, attempt, started + waited))
                continue
            if bucket is not None and isinstance(error, (RequestThrottled, QuotaExceeded)):
                now = context.timer.monotonic()  # the service's bucket is empty, so is ours
                if local is not None:
                    local.drain(now)
                else:
                    yield Throttle(bucket, Drain(), now)
            if isinstance(error, QuotaExceeded):  # a refusal: safe to send again, even if unsafe
                wait = _quota_wait(context, operation, outcome.headers, error, attempt)
                waited += wait
                yield Sleep(wait)
            else:
                yield Sleep(_after_error(context, operation, error, attempt, started + waited))
            continue
        headers = outcome.headers
        # The service's clock when it sent x-mws-timestamp (errors above also try Date).
        server = None
        if "x-mws-timestamp" in headers:
            server = _server_offset(context, headers, operation.name)
            _follow_clock(context, server, operation.name, attempt)
        if bucket is not None and "x-mws-quota-remaining" in headers:
            op = _quota_op(operation, headers, None if server is None else server[0])
            if op is not None:
                now = context.timer.monotonic()
                if local is not None:
                    local.apply(op, now)
                else:
                    yield Throttle(bucket, op, now)
        return result


def _admission(outcome: Outcome) -> Admission:
    """What a session answered a Throttle step with."""
    assert isinstance(outcome, tuple)
    return outcome


def _read(
    operation: Operation[Any],
    outcome: Received,
    sink: DocumentSink | None,
    download: Download | None,
) -> Any:
    """The typed result of an answer, from its body or from the sink it was streamed into."""
    fallback_encoding = None if download is None else download.fallback_encoding
    if sink is not None and outcome.status_code < 300:
        assert download is not None
        return parse_download(
            operation, outcome.status_code, outcome.headers, sink, fallback_encoding, download.path
        )
    return parse_response(
        operation, outcome.status_code, outcome.headers, outcome.body, fallback_encoding
    )


def _throttle_wait(
    context: CallContext,
    section: SectionSpec,
    operation: Operation[Any],
    attempt: int,
    wait: float,
    why: str,
) -> float:
    """The local bucket says wait: report it, or raise ThrottleWouldWait under throttle="raise"."""
    action = operation.name
    if context.throttle == "raise":
        raise ThrottleWouldWait(
            f"{action} would wait {wait:.3f} s for its {why} "
            f"({section.name} {operation.throttling.bucket}); nothing was sent",
            retry_after=wait,
        )
    context.report(Event("throttle", action, attempt, wait, f"waiting for the {why}"))
    return wait


def _failure_name(error: BaseException) -> str:
    """What failed: the transport's own failure (`ReadTimeout`) that a TransportError wraps."""
    if isinstance(error, TransportError) and error.__cause__ is not None:
        return type(error.__cause__).__name__
    return type(error).__name__


def _after_transport_failure(
    context: CallContext, operation: Operation[Any], outcome: Failed, attempt: int, started: float
) -> float:
    """The backoff before sending again, or raise: a request that may have arrived is only
    repeated when the operation is idempotent."""
    error = outcome.error
    action = operation.name
    if outcome.maybe_sent and not operation.idempotent:
        raise OutcomeUnknown(
            f"{action} failed after its request may have reached MWS "
            f"({_failure_name(error)}); it is not sent again because it is not safe to "
            f"repeat: check whether it took effect (e.g. with the matching list action) "
            f"before retrying"
        ) from error
    delay = _retry_delay(context, attempt, started)
    if delay is None:
        raise error
    reason = f"{_failure_name(error)} before a response"
    context.report(Event("retry", action, attempt, delay, reason))
    return delay


def _after_md5_mismatch(
    context: CallContext,
    operation: Operation[Any],
    error: ContentMD5Mismatch,
    attempt: int,
    md5_failures: int,
) -> None:
    """A downloaded document did not match its Content-MD5: report a retry, or raise."""
    if error.status_code != 200 or not operation.document:
        raise error
    if md5_failures > MD5_RETRIES or attempt >= context.retries.max_attempts:
        raise error
    context.report(
        Event("retry", operation.name, attempt, 0.0, "Content-MD5 mismatch", error.request_id)
    )


def _after_expired(
    context: CallContext,
    operation: Operation[Any],
    headers: Mapping[str, str],
    error: RequestExpired,
    attempt: int,
    skew_corrected: bool,
) -> None:
    """RequestExpired: adopt the server's clock once and re-sign, or raise."""
    if skew_corrected:
        raise error
    server = _server_offset(context, headers, operation.name)
    if server is None:
        raise error
    builder = context.builder
    builder.clock_offset = server[1]
    context.report(
        Event(
            "clock_skew",
            operation.name,
            attempt,
            0.0,
            f"local clock off by {builder.clock_offset.total_seconds():+.1f} s; corrected, re-signing",
        )
    )


def _after_error(
    context: CallContext,
    operation: Operation[Any],
    error: MWSError,
    attempt: int,
    started: float,
) -> float:
    """How long to wait before the next attempt after an answer that is not a result, or raise.

    The request was sent and answered. An action that is unsafe to repeat is sent again only
    when the answer is an MWS refusal (REFUSAL_CODES); an MWS client error (4xx with an
    ErrorResponse) is raised as it is, since the service refused the request; anything else
    (a gateway's page, an InternalError, an unreadable 2xx) may follow a processed request,
    so it is OutcomeUnknown, with the answer's error as its cause. An idempotent action is
    retried after a 5xx or an unreadable 2xx.
    """
    status = error.status_code
    code = error.code
    if isinstance(error, ResponseParseError):  # a 2xx that cannot be read: it was answered
        if not operation.idempotent:
            raise OutcomeUnknown(
                f"{operation.name} got an answer that cannot be read ({error.message}); the "
                f"service may have acted on the request, so it is not sent again: check "
                f"whether it took effect (e.g. with the matching list action) before retrying",
                request_id=error.request_id,
                status_code=status,
            ) from error
        reason = "unreadable answer"
    elif code in REFUSAL_CODES:  # the service refused it unseen: safe to send again
        reason = f"HTTP {status} {code}"
    elif not operation.idempotent:
        if code is not None and status is not None and 400 <= status < 500:
            raise error  # the service refused the request as invalid: nothing happened
        what = code or "not an MWS error response"
        raise OutcomeUnknown(
            f"{operation.name} got HTTP {status} ({what}) after its request was sent; it "
            f"may have been processed, so it is not sent again: check whether it took effect "
            f"(e.g. with the matching list action) before retrying",
            request_id=error.request_id,
            status_code=status,
        ) from error
    elif status in _RETRY_STATUSES:
        reason = f"HTTP {status} {code or ''}".strip()
    else:
        raise error
    delay = _retry_delay(context, attempt, started)
    if delay is None:
        raise error
    context.report(Event("retry", operation.name, attempt, delay, reason, error.request_id))
    return delay


def _answered(error: MWSError) -> bool:
    """An MWS client error: the service read the request and refused it (4xx ErrorResponse),
    not a throttling refusal."""
    status = error.status_code
    return (
        error.code is not None
        and error.code not in REFUSAL_CODES
        and status is not None
        and 400 <= status < 500
    )


def _resend_delay(
    context: CallContext, operation: Operation[Any], error: Exception, attempt: int, started: float
) -> float:
    """The backoff before resending a money-moving request unchanged, or raise when the retry
    budget is spent. Unchanged means the same values: the same reference id and parameters,
    which the service answers with what the first request made, never a second charge."""
    delay = _retry_delay(context, attempt, started)
    if delay is None:
        raise error
    assert operation.reference_id is not None
    name = operation.params[operation.reference_id.param].name
    reason = f"{_failure_name(error)}; resending unchanged (the same {name})"
    context.report(Event("retry", operation.name, attempt, delay, reason))
    return delay


def _only(operation: Operation[Any], index: int, value: str) -> tuple[Any, ...]:
    """Arguments with one value set (the id a lookup reads by), the others unset."""
    return tuple(value if number == index else None for number in range(len(operation.params)))


def _follow(value: Any, path: tuple[str, ...]) -> Any:
    """The attribute at `path` (None when a step is missing)."""
    for name in path:
        value = getattr(value, name, None)
    return value


def _resolve(
    context: CallContext,
    section: SectionSpec,
    operation: Operation[R],
    values: tuple[Any, ...],
    cause: Exception,
) -> Generator[Step, Outcome, R]:
    """What an unknown money-moving call did, found without sending it again: the object it
    made (as the call's own result), or OutcomeUnknown saying exactly what to check."""
    rule = operation.reference_id
    assert rule is not None
    name = operation.params[rule.param].name
    reference = values[rule.param]
    what = f"{operation.name} with {name} {reference!r}"
    why = _failure_name(cause)
    safe = (
        f"sending {operation.name} again with the same {name} and identical parameters is "
        "safe (Amazon answers with what the first request made, never a second one)"
    )
    lookup = rule.lookup
    if lookup is None:
        raise OutcomeUnknown(
            f"{what}: the outcome is unknown ({why}) and there is no documented way to look it "
            f"up: check for it (its notification, or the object it belongs to); {safe}"
        ) from cause
    parent_id = values[lookup.parent_argument]
    parent_param = lookup.parent.params[lookup.parent_index].python_name
    where = f"{lookup.parent.method}({parent_param}={parent_id!r})"
    look = f"{lookup.child.method}() of each id in {where}.{'.'.join(lookup.id_list)}"
    context.report(Event("lookup", operation.name, 0, 0.0, f"{why}; reading {look}"))
    try:
        parent = yield from plan_call(
            context,
            section,
            lookup.parent,
            _only(lookup.parent, lookup.parent_index, parent_id),
            None,
            None,
        )
        for child_id in reversed(_follow(parent, lookup.id_list) or []):
            child_values = _only(lookup.child, lookup.child_index, child_id)
            child = yield from plan_call(context, section, lookup.child, child_values, None, None)
            if _follow(child, lookup.match) == reference:
                found = {rule.result_field: _follow(child, lookup.match[:1])}
                found |= {item.name: getattr(child, item.name) for item in fields(MWSResult)}
                return operation.result_class(**found)
    except MWSError as error:
        raise OutcomeUnknown(
            f"{what}: the outcome is unknown ({why}) and looking it up failed ({error}): check "
            f"{look} for {name} {reference!r}; {safe}",
            request_id=error.request_id,
            status_code=error.status_code,
        ) from error
    raise OutcomeUnknown(
        f"{what}: the outcome is unknown ({why}); no {lookup.child.method}() of the ids in "
        f"{where}.{'.'.join(lookup.id_list)} has {name} {reference!r}, so it was most likely "
        f"not processed; {safe}"
    ) from cause


def _quota_wait(
    context: CallContext,
    operation: Operation[Any],
    headers: Mapping[str, str],
    error: QuotaExceeded,
    attempt: int,
) -> float:
    """QuotaExceeded: wait for the hourly reset when it is near enough, or raise."""
    server = _server_offset(context, headers, operation.name)
    server_now = None if server is None else server[0]
    reset = _seconds_until(headers.get("x-mws-quota-resetson"), server_now)
    policy = context.retries
    if reset is None or reset > policy.max_quota_wait or context.throttle == "raise":
        raise error
    if attempt >= policy.max_attempts:
        raise error
    context.report(
        Event(
            "quota_wait", operation.name, attempt, reset, "hourly quota used up", error.request_id
        )
    )
    return reset


def _retry_delay(context: CallContext, attempt: int, started: float) -> float | None:
    """The backoff before the next attempt, or None when the budget is spent."""
    policy = context.retries
    if attempt >= policy.max_attempts:
        return None
    delay = policy.backoff(attempt, context.rng)
    if context.timer.monotonic() - started + delay > policy.max_total:
        return None
    return delay


def _quota_op(
    operation: Operation[Any], headers: Mapping[str, str], server_now: datetime | None
) -> BucketOp | None:
    """What the service's hourly count (x-mws-quota-remaining / -resetsOn) tells the bucket."""
    count = header_int(headers.get("x-mws-quota-remaining"))
    if count is None:
        return None
    if count > operation.throttling.max_request_quota:
        # More left than a burst can spend before the next answer updates it: the hourly
        # count cannot bind yet, so the bucket alone decides (the common case).
        return FORGET_QUOTA
    return ObserveQuota(count, _seconds_until(headers.get("x-mws-quota-resetson"), server_now))


def _follow_clock(
    context: CallContext,
    server: tuple[datetime, timedelta] | None,
    action: str,
    attempt: int,
) -> None:
    """Notice a drifting clock on a success: adopt the server's offset once it drifts."""
    if server is None:
        return
    builder = context.builder
    drift = server[1]
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
