"""What throttling and retry bookkeeping cost on the success path, per call.

Compares, for a ListOrders call answered at once with a small page:
- build: validating, encoding and signing the request (RequestBuilder.build);
- build + parse: that plus reading the answer into typed results (what any client must do);
- full call engine: the same through plan_call with throttle="wait" and the default
  RetryPolicy: bucket reservation under its lock, the step generator, header reconciliation.
The engine's overhead (full - build + parse) must stay under 10% of a built-and-signed request
(issue 5). No HTTP is involved in those three, so they isolate the machinery; a whole client
call over httpx.MockTransport is printed for scale.

    .venv/bin/python bench/bench_runtime.py [--rounds 7 --number 20000]
"""

from __future__ import annotations

import argparse
import platform
import timeit
from datetime import UTC, datetime
from typing import Any

import httpx

from mwskit import MWS
from mwskit._runtime import ClientConfig, RetryPolicy, Timer
from mwskit._runtime.calls import CallContext, Received, Send, Throttle, plan_call
from mwskit._runtime.request import RequestBuilder
from mwskit._runtime.response import parse_response
from mwskit.marketplaces import REGION_HOSTS
from mwskit.orders import _operations as ops

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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--number", type=int, default=20000)
    args = parser.parse_args()
    config = ClientConfig(
        access_key="AKIAEXAMPLEACCESSKEY",
        secret_key="EXAMPLE/SECRET+KEY",
        seller_id="A1EXAMPLESELLER",
        region_hosts=REGION_HOSTS,
    )
    builder = RequestBuilder(config)
    context = CallContext(
        builder=builder,
        seller_id=config.seller_id,
        retries=RetryPolicy(),
        throttle="wait",
        timer=LeapingTimer(),
    )
    answer = Received(200, HEADERS, BODY)

    def build() -> None:
        builder.build(ops.SECTION, ops.LIST_ORDERS, VALUES)

    def build_and_parse() -> None:
        builder.build(ops.SECTION, ops.LIST_ORDERS, VALUES)
        parse_response(ops.LIST_ORDERS, 200, HEADERS, BODY)

    def engine() -> None:
        plan = plan_call(context, ops.SECTION, ops.LIST_ORDERS, VALUES, None, None)
        step = plan.send(None)
        while isinstance(step, Throttle):  # the bucket's reservation, as a session applies it
            step = plan.send(step.bucket.apply(step.op, step.now))
        assert isinstance(step, Send)
        try:
            step = plan.send(answer)
            while isinstance(step, Throttle):  # what the quota headers tell the bucket
                step = plan.send(step.bucket.apply(step.op, step.now))
        except StopIteration:
            return
        raise AssertionError("the success path took another step")

    # For scale: the same call through the whole client and httpx, answered in process.
    mws = MWS(
        access_key="AKIAEXAMPLEACCESSKEY",
        secret_key="EXAMPLE/SECRET+KEY",
        seller_id="A1EXAMPLESELLER",
        transport=httpx.MockTransport(lambda request: httpx.Response(200, content=BODY)),
        timer=LeapingTimer(),
    )

    def client_call() -> None:
        mws.orders.list_orders(marketplace_id=["ATVPDKIKX0DER"], created_after=CREATED_AFTER)

    # Rounds alternate between the variants, so a busy machine slows them alike.
    timings: dict[str, list[float]] = {"build": [], "baseline": [], "engine": [], "client": []}
    variants = (
        ("build", build),
        ("baseline", build_and_parse),
        ("engine", engine),
        ("client", client_call),
    )
    for _ in range(args.rounds):
        for name, function in variants:
            timings[name].append(timeit.timeit(function, number=args.number) / args.number * 1e6)

    print(
        f"Python {platform.python_version()} on {platform.machine()}; best of {args.rounds} x {args.number}"
    )
    signed, baseline, full, client = (
        min(timings[name]) for name in ("build", "baseline", "engine", "client")
    )
    overhead = full - baseline
    print(f"{'build and sign':34} {signed:8.2f} us")
    print(f"{'build, sign and parse':34} {baseline:8.2f} us")
    print(f"{'full call engine (throttle=wait)':34} {full:8.2f} us")
    print(f"{'whole client call over httpx':34} {client:8.2f} us")
    ratio = overhead / signed
    verdict = "meets" if ratio < 0.10 else "misses"
    print(
        f"engine overhead {overhead:.2f} us = {ratio:.1%} of a built-and-signed request: "
        f"{verdict} the goal of < 10%"
    )
    print(f"engine overhead = {overhead / client:.1%} of a whole client call over httpx")


if __name__ == "__main__":
    main()
