"""What throttling and retry bookkeeping cost on the success path, per call (issue 18).

For one ListOrders call (one marketplace, a created-after date) answered at once with a small
page, in one process, the variants interleaved round by round, best of the rounds (each sample
timed in this process's CPU time, so waiting for a core on a busy machine does not count):
- build and sign: validating, encoding and signing the request (RequestBuilder.build), the
  floor of this row: the bookkeeping is counted as a share of it (goal: < 10%);
- bookkeeping (the verdict's figure): the call engine's success path alone, driven as
  SyncSession._call drives it (throttle="wait", the default RetryPolicy, the default
  in-process throttle store): the bucket's reservation, the attempt loop, the step protocol,
  reading the quota header (`x-mws-quota-remaining: 199`, far from binding) back into the
  bucket. It is isolated by running the real plan_call with the two things it delegates made
  free: its builder returns a request built beforehand and `parse_response` returns a result
  parsed beforehand (each stub is one plain call, counted in the bookkeeping). The transport is
  an in-memory answer handed straight back, and the timer leaps an hour per reading, so the
  bucket is always full: no sleeping, no waiting;
- the same in situ: the engine with the real builder and parser, each timed inside the call
  (perf_counter) and taken off it, the median over --calls single calls. It is higher than the
  isolated figure because the engine's code then runs after build and parse have pushed it out
  of the CPU caches (on a shared machine, much higher); the request and result are freed
  outside the timing;
- for scale: the whole client call through httpx.MockTransport, answered in process.
Clock following (`x-mws-timestamp`, which real answers carry) is left out of the answer: it is
clock-skew correction, not throttle or retry bookkeeping. When ../shared/bench/floor_sign.py is
there (a minimal hand-written SigV2 client), the bookkeeping is also shown as a share of it:
what the ratio becomes once signing reaches its own floor.

    .venv/bin/python bench/bench_runtime.py [--rounds 30 --seconds 0.005 --calls 20000]
"""

from __future__ import annotations

import argparse
import platform
import statistics
import sys
import time
import timeit
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from unittest import mock

import httpx
from summary import summary_row

from mwskit import MWS
from mwskit._runtime import ClientConfig, RetryPolicy, Timer, calls
from mwskit._runtime.calls import CallContext, Received, Send, Throttle, plan_call
from mwskit._runtime.request import PreparedRequest, RequestBuilder
from mwskit._runtime.response import parse_response
from mwskit.marketplaces import REGION_HOSTS
from mwskit.orders import _operations as ops

FLOORS = Path(__file__).resolve().parent.parent.parent / "shared" / "bench"
CREATED_AFTER = datetime(2024, 1, 1, tzinfo=UTC)
VALUES: tuple[Any, ...] = tuple(
    {"marketplace_id": ["ATVPDKIKX0DER"], "created_after": CREATED_AFTER}.get(p.python_name)
    for p in ops.LIST_ORDERS.params
)
BODY = (
    b'<ListOrdersResponse xmlns="https://mws.amazonservices.com/Orders/2013-09-01">'
    b"<ListOrdersResult><Orders><Order><AmazonOrderId>902-3159896-1390916</AmazonOrderId>"
    b"<PurchaseDate>2017-02-20T19:49:35Z</PurchaseDate>"
    b"<LastUpdateDate>2017-02-20T19:49:35Z</LastUpdateDate>"
    b"<OrderStatus>Shipped</OrderStatus></Order></Orders></ListOrdersResult>"
    b"<ResponseMetadata><RequestId>rid</RequestId></ResponseMetadata></ListOrdersResponse>"
)
HEADERS = {"x-mws-request-id": "rid", "x-mws-quota-remaining": "199"}


class LeapingTimer(Timer):
    """Each reading is an hour later, so the bucket is always full: the success path."""

    def __init__(self) -> None:
        self.now = 0.0

    def monotonic(self) -> float:
        self.now += 3600.0
        return self.now


class Prebuilt(RequestBuilder):
    """A builder whose every request is the one built beforehand: building costs nothing."""

    request: PreparedRequest

    def build(self, *args: Any, **kwargs: Any) -> PreparedRequest:
        return self.request


class TimedBuilder(RequestBuilder):
    """The real builder, adding the time each build takes to `inner[0]` and keeping what it
    built in `made` (freed outside the timing)."""

    inner: list[float]
    made: list[Any]

    def build(self, *args: Any, **kwargs: Any) -> PreparedRequest:
        start = time.perf_counter()
        request = super().build(*args, **kwargs)
        self.inner[0] += time.perf_counter() - start
        self.made.append(request)
        return request


def drive(context: CallContext, answer: Received) -> Callable[[], None]:
    """One call through plan_call, carried out as SyncSession._call carries it out."""

    def call() -> None:
        plan = plan_call(context, ops.SECTION, ops.LIST_ORDERS, VALUES, None, None)
        outcome: Any = None
        try:
            while True:
                step = plan.send(outcome)
                if isinstance(step, Send):
                    outcome = answer
                elif isinstance(step, Throttle):
                    outcome = step.bucket.apply(step.op, step.now)
                else:
                    raise AssertionError(f"the success path took a {type(step).__name__} step")
        except StopIteration:
            return
        finally:
            plan.close()

    return call


def load_floor_sign() -> Callable[[], object] | None:
    if not (FLOORS / "floor_sign.py").exists():
        return None
    sys.path.insert(0, str(FLOORS))
    from floor_sign import floor_sign  # type: ignore[import-not-found]

    return floor_sign  # type: ignore[no-any-return]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--seconds", type=float, default=0.005, help="per variant per round")
    parser.add_argument("--calls", type=int, default=20000, help="calls timed one by one in situ")
    args = parser.parse_args()
    config = ClientConfig(
        access_key="AKIAEXAMPLEACCESSKEY",
        secret_key="EXAMPLE/SECRET+KEY",
        seller_id="A1EXAMPLESELLER",
        region_hosts=REGION_HOSTS,
    )
    builder = RequestBuilder(config)
    prebuilt = Prebuilt(config)
    prebuilt.request = builder.build(ops.SECTION, ops.LIST_ORDERS, VALUES)
    parsed = parse_response(ops.LIST_ORDERS, 200, HEADERS, BODY)
    answer = Received(200, HEADERS, BODY)

    def context(with_builder: RequestBuilder) -> CallContext:
        return CallContext(
            builder=with_builder,
            seller_id=config.seller_id,
            retries=RetryPolicy(),
            throttle="wait",
            timer=LeapingTimer(),
        )

    bare_engine = drive(context(prebuilt), answer)
    # In situ: the real builder and parser, each timed inside the call and taken off it.
    inner = [0.0]
    made: list[Any] = []
    timing_builder = TimedBuilder(config)
    timing_builder.inner, timing_builder.made = inner, made
    situ_engine = drive(context(timing_builder), answer)

    def timed_parse(*args: Any) -> Any:
        start = time.perf_counter()
        result = parse_response(*args)
        inner[0] += time.perf_counter() - start
        made.append(result)
        return result

    def build() -> None:
        builder.build(ops.SECTION, ops.LIST_ORDERS, VALUES)

    mws = MWS(
        access_key="AKIAEXAMPLEACCESSKEY",
        secret_key="EXAMPLE/SECRET+KEY",
        seller_id="A1EXAMPLESELLER",
        transport=httpx.MockTransport(
            lambda request: httpx.Response(200, headers=HEADERS, content=BODY)
        ),
        timer=LeapingTimer(),
    )

    def client_call() -> None:
        mws.orders.list_orders(marketplace_id=["ATVPDKIKX0DER"], created_after=CREATED_AFTER)

    # CPU time of this process: a sample is not lengthened while the process waits for a core.
    def timed(function: Callable[[], object]) -> Callable[[int], float]:
        timer = timeit.Timer(function, timer=time.process_time)
        return lambda number: timer.timeit(number) / number

    def isolated(number: int) -> float:
        with mock.patch.object(calls, "parse_response", lambda *args: parsed):
            return timed(bare_engine)(number)

    def in_situ(calls_made: int) -> float:
        """The median over single calls of (call - its build - its parse): a call the machine
        interrupted, or that a garbage collection landed in, is one of few."""
        spent = []
        clock = time.perf_counter
        with mock.patch.object(calls, "parse_response", timed_parse):
            for _ in range(calls_made):
                inner[0] = 0.0
                start = clock()
                situ_engine()
                spent.append(clock() - start - inner[0])
                made.clear()
        return statistics.median(spent)

    samplers = {
        "build": timed(build),
        "client": timed(client_call),
        "isolated": isolated,
    }
    floor_sign = load_floor_sign()
    if floor_sign is not None:
        samplers["floor"] = timed(floor_sign)
    # Each sample runs about --seconds long.
    numbers = {name: max(1, int(args.seconds / sample(50))) for name, sample in samplers.items()}
    timings: dict[str, list[float]] = {name: [] for name in samplers}
    for _ in range(args.rounds):  # interleaved: a busy machine slows every variant alike
        for name, sample in samplers.items():
            timings[name].append(sample(numbers[name]) * 1e6)
    best = {name: min(values) for name, values in timings.items()}
    best["in_situ"] = in_situ(args.calls) * 1e6

    print(f"Python {platform.python_version()} on {platform.machine()}; best of {args.rounds}")
    rows = [
        ("build and sign (the floor of this row)", best["build"]),
        ("bookkeeping (throttle + retry)", best["isolated"]),
        ("bookkeeping in situ (median, cold caches)", best["in_situ"]),
        ("whole client call over httpx", best["client"]),
    ]
    if "floor" in best:
        rows.append(("floor_sign.py (hand-written SigV2)", best["floor"]))
    for label, value in rows:
        print(f"{label:40} {value:8.2f} us")
    bookkeeping, signed = best["isolated"], best["build"]
    verdict = "meets" if bookkeeping / signed < 0.10 else "misses"
    print(
        f"bookkeeping {bookkeeping:.2f} us = {bookkeeping / signed:.1%} of a built-and-signed "
        f"request: {verdict} the goal of < 10% (in situ: {best['in_situ'] / signed:.1%})"
    )
    if "floor" in best:
        print(
            f"bookkeeping = {bookkeeping / best['floor']:.1%} of floor_sign.py "
            f"(the ratio once signing reaches its floor)"
        )
    print(f"bookkeeping = {bookkeeping / best['client']:.1%} of a whole client call")
    summary_row(
        "throttle + retry bookkeeping on the success path",
        f"built-and-signed request {signed:.1f} us",
        f"{bookkeeping:.2f} us = {bookkeeping / signed:.1%}",
        "< 10%",
        bookkeeping / signed < 0.10,
    )


if __name__ == "__main__":
    main()
