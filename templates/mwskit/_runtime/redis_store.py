"""A throttle store shared by every process and host of a seller: the buckets live in Redis.

MWS meters a seller's calls per action whatever sends them, so workers that each keep their
own buckets send N times the documented rate. `RedisThrottleStore` keeps each (seller, section,
bucket) in Redis and updates it in one server-side Lua script, atomically, on the Redis
server's clock (`TIME`), so hosts whose clocks disagree still agree on the bucket.

The bucket is the leaky bucket of throttle.LocalBucket written as GCRA in integer
microseconds: `tat` is the time the bucket will be full again; a call of `cost` units may be
sent once `tat - (capacity - cost) * restore` has passed, and moves `tat` on by
`cost * restore`. The hourly quota is a sorted set of send times; the service's own hourly count
(x-mws-quota-remaining / -resetsOn) is kept beside it, as LocalBucket keeps it.

When Redis cannot be reached within `timeout`, or fails, `on_store_error` decides: "local"
(the default) uses the process's own bucket until Redis answers again (logged once per outage;
Redis is tried again every RETRY_SECONDS), "raise" raises ThrottleStoreError before sending.
What a call learns after its answer (a RequestThrottled drain, the quota headers) never fails
the call: it falls back to the local bucket under either policy.

Needs the `redis` package (`pip install 'mwskit[redis]'`); the async client uses
redis.asyncio, so AsyncMWS with a Redis store runs on asyncio.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import urlsplit

from .descriptors import ThrottlingSpec
from .errors import ThrottleStoreError
from .throttle import (
    BUCKETS,
    Admission,
    BucketKey,
    BucketOp,
    Drain,
    LocalBucket,
    ObserveQuota,
    Peek,
    Reserve,
)

if TYPE_CHECKING:
    import redis
    import redis.asyncio

logger = logging.getLogger("mwskit")

StoreErrorPolicy = Literal["local", "raise"]
STORE_ERROR_POLICIES = ("local", "raise")
# Seconds every Redis command may take (connecting included) before the store counts as down.
DEFAULT_TIMEOUT = 0.25
# While Redis is down, calls use their local bucket without trying it for this many seconds.
RETRY_SECONDS = 1.0
# How much slower than documented the shared bucket restores: a fleet's requests leave from
# several processes and reach MWS after different delays, and a request that arrives a few
# milliseconds early at an empty bucket is throttled; 2% of the documented interval (4 ms of
# 0.2 s) absorbs that, at 2% of the rate.
DEFAULT_RATE_MARGIN = 0.02
# Seconds of restore the shared bucket keeps in reserve (a request waits that much longer than
# the bucket alone would make it): the first requests after a burst have no rate margin built up
# yet, and one that reaches MWS sooner than the burst's did would be throttled. It delays the
# last of a burst and what follows, never lowers the rate.
DEFAULT_ARRIVAL_SLACK = 0.02
_MICRO = 1_000_000

# KEYS: the bucket's hash, its sorted set of send times. ARGV: operation, now in microseconds
# ("" for Redis's TIME), capacity, restore microseconds per unit, hourly quota (0: none), cost,
# take (1/0), remaining, resets in microseconds ("" when not sent), arrival slack in
# microseconds. Returns {wait us, why}.
# Numbers are written with %.0f: Lua's own tostring keeps only 14 digits.
_SCRIPT = """
local HOUR = 3600000000
local MARGIN = 75000
local function num(x) return string.format('%.0f', x) end
local op = ARGV[1]
local now
if ARGV[2] == '' then
  local t = redis.call('TIME')
  now = tonumber(t[1]) * 1000000 + tonumber(t[2])
else
  now = tonumber(ARGV[2])
end
local cap = tonumber(ARGV[3])
local unit = tonumber(ARGV[4])
local quota = tonumber(ARGV[5])
local saved = redis.call('HMGET', KEYS[1], 'tat', 'floor', 'rem', 'resets')
local tat = tonumber(saved[1]) or now
local floor = tonumber(saved[2])
local rem = tonumber(saved[3])
local resets = tonumber(saved[4])
if resets and now >= resets then
  floor = resets
  rem = nil
  resets = nil
end

local function hourly_slot(at)
  local from = floor
  if rem and resets then
    if rem > 0 and at < resets then return at end
    if resets > at then at = resets end
    from = resets
  end
  if quota == 0 then return at end
  local last = redis.call('ZRANGE', KEYS[2], -1, -1, 'WITHSCORES')
  if #last == 0 then return at end
  if tonumber(last[2]) > at then at = tonumber(last[2]) end
  local count
  if from then
    count = redis.call('ZCOUNT', KEYS[2], num(from), '+inf')
  else
    count = redis.call('ZCARD', KEYS[2])
  end
  if count >= quota then
    local oldest = redis.call('ZRANGE', KEYS[2], -quota, -quota, 'WITHSCORES')
    local slot = tonumber(oldest[2]) + HOUR + MARGIN
    if slot > at then at = slot end
  end
  return at
end

local wait, why = 0, ''
if op == 'reserve' then
  local cost = math.min(tonumber(ARGV[6]), cap)
  local by_rate = math.max(now, tat - (cap - cost) * unit + tonumber(ARGV[10]))
  local send = hourly_slot(by_rate)
  wait = send - now
  if send > by_rate then why = 'hourly quota' else why = 'request quota' end
  if wait > 0 and ARGV[7] ~= '1' then return {num(wait), why} end
  tat = math.max(tat, send) + cost * unit
  if rem and resets and send < resets then rem = rem - 1 end
  if quota > 0 then
    local seq = redis.call('HINCRBY', KEYS[1], 'seq', 1)
    redis.call('ZADD', KEYS[2], num(send), num(send) .. ':' .. seq)
    if redis.call('ZCARD', KEYS[2]) > quota then
      local limit = now - HOUR - MARGIN
      if floor and floor > limit then limit = floor end
      redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', '(' .. num(limit))
    end
  end
  if wait <= 0 then
    wait = 0
    why = ''
  end
elseif op == 'drain' then
  tat = math.max(tat, now + cap * unit)
elseif op == 'observe' then
  rem = tonumber(ARGV[8])
  if ARGV[9] == '' then
    local after = now - HOUR
    if floor and floor > after then after = floor end
    local first = redis.call('ZRANGEBYSCORE', KEYS[2], '(' .. num(after), '+inf', 'WITHSCORES', 'LIMIT', 0, 1)
    local began = now
    if #first > 0 and tonumber(first[2]) <= now then began = tonumber(first[2]) end
    resets = began + HOUR
  else
    resets = now + math.min(tonumber(ARGV[9]), HOUR)
  end
elseif op == 'forget' then
  rem = nil
  resets = nil
elseif op == 'peek' then
  return {num(math.max(tat - now, 0)), ''}
end

redis.call('HSET', KEYS[1], 'tat', num(tat))
local fields = {floor = floor, rem = rem, resets = resets}
for name, value in pairs(fields) do
  if value then redis.call('HSET', KEYS[1], name, num(value)) else redis.call('HDEL', KEYS[1], name) end
end
local keep = math.ceil((math.max(tat - now, 0) + 2 * HOUR) / 1000)
redis.call('PEXPIRE', KEYS[1], keep)
redis.call('PEXPIRE', KEYS[2], keep)
return {num(wait), why}
"""


def _micros(seconds: float) -> str:
    return str(round(seconds * _MICRO))


class RedisThrottleStore:
    """Buckets shared through a Redis server: `MWS(..., throttle_store=RedisThrottleStore(url))`.

    url: `redis://[:password@]host:port/db`, `rediss://...` or `unix:///path`.
    prefix: the start of every key (`<prefix>:{<seller>:<section>:<bucket>}:b` and `:s`), so
        several fleets can share one Redis.
    on_store_error: "local" (default) falls back to the process's own bucket while Redis is
        unreachable, logging once per outage; "raise" raises ThrottleStoreError before a
        call is sent.
    timeout: seconds each Redis command may take, connecting included (default 0.25).
    rate_margin: how much slower than documented the buckets restore (default 0.02, 2%), so
        requests sent from several hosts that reach MWS a little unevenly stay within quota.
    arrival_slack: seconds of restore kept in reserve (default 0.02): a request waits that much
        longer than the bucket alone would make it, for the same reason right after a burst.
    server_clock: True (default) meters time with Redis's TIME; False uses the client's
        Timer instead (for tests with a fake timer, within one process).
    """

    def __init__(
        self,
        url: str = "redis://localhost:6379/0",
        *,
        prefix: str = "mwskit",
        on_store_error: StoreErrorPolicy = "local",
        timeout: float = DEFAULT_TIMEOUT,
        rate_margin: float = DEFAULT_RATE_MARGIN,
        arrival_slack: float = DEFAULT_ARRIVAL_SLACK,
        server_clock: bool = True,
    ) -> None:
        if not isinstance(url, str) or urlsplit(url).scheme not in ("redis", "rediss", "unix"):
            raise ValueError("url must be a redis://, rediss:// or unix:// URL")  # not echoed
        if not isinstance(prefix, str) or not prefix:
            raise ValueError(f"prefix must be a non-empty string; got {prefix!r}")
        if on_store_error not in STORE_ERROR_POLICIES:
            raise ValueError(
                f"on_store_error must be one of {', '.join(map(repr, STORE_ERROR_POLICIES))}; "
                f"got {on_store_error!r}"
            )
        if (
            isinstance(timeout, bool)
            or not isinstance(timeout, (int, float))
            or not math.isfinite(timeout)
            or timeout <= 0
        ):
            raise ValueError(f"timeout must be a positive number of seconds; got {timeout!r}")
        if (
            isinstance(rate_margin, bool)
            or not isinstance(rate_margin, (int, float))
            or not 0 <= rate_margin <= 1
        ):
            raise ValueError(f"rate_margin must be a number from 0 to 1; got {rate_margin!r}")
        if (
            isinstance(arrival_slack, bool)
            or not isinstance(arrival_slack, (int, float))
            or not 0 <= arrival_slack <= 1
        ):
            raise ValueError(
                f"arrival_slack must be a number of seconds from 0 to 1; got {arrival_slack!r}"
            )
        try:
            import redis
        except ImportError:
            raise ThrottleStoreError(
                "RedisThrottleStore needs the redis package: pip install 'mwskit[redis]'"
            ) from None
        self._url = url  # may hold a password: never shown
        parts = urlsplit(url)
        self._where = (
            parts.path if parts.scheme == "unix" else f"{parts.hostname}:{parts.port or 6379}"
        )
        self.prefix = prefix
        self.on_store_error = on_store_error
        self.timeout = float(timeout)
        self.rate_margin = float(rate_margin)
        self.arrival_slack = float(arrival_slack)
        self.server_clock = server_clock
        # What a failing or unreachable Redis raises; anything else is a bug, and propagates.
        self.failures: tuple[type[BaseException], ...] = (redis.RedisError, OSError)
        self._lock = threading.Lock()
        self._sync: redis.Redis | None = None
        self._sync_script: Any = None
        self._async: redis.asyncio.Redis | None = None
        self._async_script: Any = None
        self._down_until = 0.0  # time.monotonic() before which Redis is not tried again
        self._down = False

    def __repr__(self) -> str:
        return f"RedisThrottleStore({self._where!r}, prefix={self.prefix!r})"

    def _options(self) -> dict[str, Any]:
        from redis.backoff import NoBackoff
        from redis.retry import Retry

        # No retries inside redis-py: one bounded attempt, then the policy decides.
        return {
            "socket_timeout": self.timeout,
            "socket_connect_timeout": self.timeout,
            "retry": Retry(NoBackoff(), 0),
        }

    def _sync_client(self) -> Any:
        with self._lock:
            if self._sync is None:
                import redis

                self._sync = redis.Redis.from_url(self._url, **self._options())
                self._sync_script = self._sync.register_script(_SCRIPT)
            return self._sync_script

    def _async_client(self) -> Any:
        with self._lock:
            if self._async is None:
                import redis.asyncio

                self._async = redis.asyncio.Redis.from_url(self._url, **self._options())
                self._async_script = self._async.register_script(_SCRIPT)
            return self._async_script

    def get(self, key: BucketKey, spec: ThrottlingSpec) -> RedisBucket:
        name = f"{self.prefix}:{{{key.seller}:{key.section}:{key.bucket}}}"
        return RedisBucket(self, (f"{name}:b", f"{name}:s"), spec, BUCKETS.get(key, spec))

    def close(self) -> None:
        """Close the sync client's connections (the async one's: `aclose`)."""
        if self._sync is not None:
            self._sync.close()
            self._sync = None

    async def aclose(self) -> None:
        self.close()
        if self._async is not None:
            await self._async.aclose()
            self._async = None

    # --- Outages ----------------------------------------------------------------------------

    def _trying(self) -> bool:
        """Whether to ask Redis now: always, except within RETRY_SECONDS of a failure."""
        return not self._down or time.monotonic() >= self._down_until

    def _failed(self, error: BaseException | None) -> None:
        with self._lock:
            if error is not None:
                self._down_until = time.monotonic() + RETRY_SECONDS
            if not self._down:
                self._down = True
                logger.warning(
                    "throttle store %s unreachable (%s): %s",
                    self._where,
                    type(error).__name__ if error is not None else "down",
                    (
                        "using each process's own buckets until it answers"
                        if self.on_store_error == "local"
                        else "calls raise ThrottleStoreError until it answers"
                    ),
                )

    def _answered(self) -> None:
        if self._down:
            with self._lock:
                if self._down:
                    self._down = False
                    logger.warning("throttle store %s answers again: buckets shared", self._where)

    def _refuse(self, error: BaseException | None) -> ThrottleStoreError:
        cause = f" ({type(error).__name__})" if error is not None else ""
        return ThrottleStoreError(
            f"the throttle store {self._where} did not answer within {self.timeout:g} s"
            f"{cause}; nothing was sent"
        )


class RedisBucket:
    """One seller's bucket for one action in Redis, with the process's own bucket beside it
    for outages."""

    def __init__(
        self,
        store: RedisThrottleStore,
        keys: tuple[str, str],
        spec: ThrottlingSpec,
        local: LocalBucket,
    ) -> None:
        self._store = store
        self._keys = keys
        self._spec = spec
        self._local = local

    def _args(self, op: BucketOp, now: float) -> list[str]:
        spec = self._spec
        args = [
            "",
            "" if self._store.server_clock else _micros(now),
            str(spec.max_request_quota),
            _micros(spec.restore_seconds * (1 + self._store.rate_margin)),
            str(spec.hourly_request_quota or 0),
            "0",
            "0",
            "0",
            "",
            _micros(self._store.arrival_slack),
        ]
        if isinstance(op, Reserve):
            args[0], args[5], args[6] = "reserve", repr(op.cost), "1" if op.take else "0"
        elif isinstance(op, Drain):
            args[0] = "drain"
        elif isinstance(op, ObserveQuota):
            args[0], args[7] = "observe", str(op.remaining)
            if op.resets_in is not None:
                args[8] = _micros(op.resets_in)
        elif isinstance(op, Peek):
            args[0] = "peek"
        else:
            args[0] = "forget"
        return args

    @staticmethod
    def _admission(reply: Any) -> Admission:
        wait, why = reply
        text = why.decode() if isinstance(why, bytes) else str(why)
        return int(wait) / _MICRO, text

    def _fallback(self, op: BucketOp, now: float, error: BaseException | None) -> Admission:
        store = self._store
        store._failed(error)
        if isinstance(op, Reserve) and store.on_store_error == "raise":
            raise store._refuse(error) from None
        return self._local.apply(op, now)

    def apply(self, op: BucketOp, now: float) -> Admission:
        store = self._store
        if not store._trying():
            return self._fallback(op, now, None)
        try:
            reply = store._sync_client()(keys=self._keys, args=self._args(op, now))
        except store.failures as error:  # the policy decides
            return self._fallback(op, now, error)
        store._answered()
        return self._admission(reply)

    async def aapply(self, op: BucketOp, now: float) -> Admission:
        store = self._store
        if not store._trying():
            return self._fallback(op, now, None)
        try:
            reply = await store._async_client()(keys=self._keys, args=self._args(op, now))
        except store.failures as error:  # the policy decides
            return self._fallback(op, now, error)
        store._answered()
        return self._admission(reply)
