"""What throttling and retry bookkeeping cost on the success path, per call (issue 18).

For one ListOrders call (one marketplace, a created-after date) answered at once with a small
page, in one process, the variants interleaved round by round, best of the rounds:
- build and sign: validating, encoding and signing the request (RequestBuilder.build), the
  floor of this row: the bookkeeping is counted as a share of it (goal: < 10%);
- bookkeeping: the call engine's success path alone, driven as a session drives it
  (throttle="wait", the default RetryPolicy, the default in-process throttle store): the
  bucket's reservation, the attempt loop, the step protocol, reading the quota headers
  (`x-mws-quota-remaining: 199`, far from binding) back into the bucket. It is isolated by
  running the real plan_call with the two things it delegates made free: its builder returns
  a request built beforehand and `parse_response` returns a result parsed beforehand (both
  stubs are one plain call each, counted in the bookkeeping). The transport is an in-memory
  answer handed straight back, and the timer leaps an hour per reading, so the bucket is
  always full: no sleeping, no waiting;
- the same measured the other way, as a cross-check: the engine with the real builder and
  parser, minus build + parse timed beside it (a difference of two larger figures, so noisier);
- for scale: the whole client call through httpx.MockTransport, answered in process.
Clock following (`x-mws-timestamp`, which real answers carry) is left out of the answer: it is
clock-skew correction, not throttle or retry bookkeeping. When ../shared/bench/floor_sign.py is
there (a minimal hand-written SigV2 client), the bookkeeping is also shown as a share of it:
what the ratio becomes once signing reaches its own floor.

    .venv/bin/python bench/bench_runtime.py [--rounds 15 --seconds 0.02]
"""

from __future__ import annotations

import argparse
import contextlib
import platform
import sys
import timeit
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from unittest import mock

import httpx

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
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--seconds", type=float, default=0.02, help="per variant per round")
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

    real_engine = drive(context(builder), answer)
    bare_engine = drive(context(prebuilt), answer)

    def build() -> None:
        builder.build(ops.SECTION, ops.LIST_ORDERS, VALUES)

    def build_and_parse() -> None:
        builder.build(ops.SECTION, ops.LIST_ORDERS, VALUES)
        parse_response(ops.LIST_ORDERS, 200, HEADERS, BODY)

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

    variants: dict[str, Callable[[], object]] = {
        "build": build,
        "baseline": build_and_parse,
        "engine": real_engine,
        "client": client_call,
    }
    floor_sign = load_floor_sign()
    if floor_sign is not None:
        variants["floor"] = floor_sign
    variants["bookkeeping"] = bare_engine
    # The bookkeeping variant is timed with parse_response stubbed, and only it.
    stubbed = {"bookkeeping": lambda: mock.patch.object(calls, "parse_response", lambda *a: parsed)}
    timers = {name: timeit.Timer(function) for name, function in variants.items()}

    def sample(name: str, number: int) -> float:
        with stubbed.get(name, contextlib.nullcontext)():
            return timers[name].timeit(number) / number

    # Each sample runs about --seconds long.
    numbers = {name: max(1, int(args.seconds / sample(name, 50))) for name in timers}
    timings: dict[str, list[float]] = {name: [] for name in timers}
    for _ in range(args.rounds):  # interleaved: a busy machine slows every variant alike
        for name in timers:
            timings[name].append(sample(name, numbers[name]) * 1e6)
    best = {name: min(values) for name, values in timings.items()}

    print(f"Python {platform.python_version()} on {platform.machine()}; best of {args.rounds}")
    rows = [
        ("build and sign (the floor of this row)", best["build"]),
        ("bookkeeping alone (throttle + retry)", best["bookkeeping"]),
        ("build, sign and parse", best["baseline"]),
        ("full call engine (throttle=wait)", best["engine"]),
        ("whole client call over httpx", best["client"]),
    ]
    if "floor" in best:
        rows.append(("floor_sign.py (hand-written SigV2)", best["floor"]))
    for label, value in rows:
        print(f"{label:40} {value:8.2f} us")
    ratio = best["bookkeeping"] / best["build"]
    verdict = "meets" if ratio < 0.10 else "misses"
    print(
        f"bookkeeping {best['bookkeeping']:.2f} us = {ratio:.1%} of a built-and-signed request: "
        f"{verdict} the goal of < 10%"
    )
    difference = best["engine"] - best["baseline"]
    print(
        f"cross-check: full engine - (build + parse) = {difference:.2f} us "
        f"= {difference / best['build']:.1%} of a built-and-signed request"
    )
    if "floor" in best:
        print(
            f"bookkeeping = {best['bookkeeping'] / best['floor']:.1%} of floor_sign.py "
            f"(the ratio once signing reaches its floor)"
        )
    print(f"bookkeeping = {best['bookkeeping'] / best['client']:.1%} of a whole client call")


if __name__ == "__main__":
    main()
