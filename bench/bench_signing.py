"""Microseconds per built-and-signed ListOrders request: mwskit vs hand-written floors.

All in one process, interleaved (each round times every contender in turn), best of N rounds:

- the shared floor, `floor_sign()` of `../shared/bench/floor_sign.py` beside the repo: the
  least a correct SigV2 client does per call (constant pairs encoded once, values quoted only
  where needed); when that file is absent this says so and the ratios are to the local floor;
- the local floor below: the same request written plainly (every pair quoted on each call);
- mwskit through the public generated method with validation on (only the send is left out);
- python-amazon-mws (`mws==0.8.15`), when installed (its HTTP call is cut off before sending).

The request is the same for all (checked before timing: the same pairs with the same values
but Timestamp and Signature): 3 MarketplaceId, 2 OrderStatus and CreatedAfter. The goal is
mwskit <= 1.5x the shared floor. `--clock cpu` (the default) times this thread's CPU time, so
that other processes on a shared machine do not count; `--clock wall` times elapsed time.

    python3 dev.py bench            # or: .venv/bin/python bench/bench_signing.py --rounds 30
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import hmac
import platform
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, quote

from summary import summary_row

from mwskit._runtime import ClientConfig, SyncSession
from mwskit._runtime.request import PreparedRequest
from mwskit.marketplaces import REGION_HOSTS
from mwskit.orders import OrdersClient

ACCESS_KEY = "AKIAEXAMPLEACCESSKEY"
SECRET_KEY = "EXAMPLE/SECRET+KEY"
SELLER_ID = "A1EXAMPLESELLER"
HOST = "mws.amazonservices.com"
PATH = "/Orders/2013-09-01"
MARKETPLACES = ("ATVPDKIKX0DER", "A2EUQ1WTGCTBG2", "A1AM78C64UM0Y8")
CREATED_AFTER = datetime(2024, 1, 1, tzinfo=UTC)
STATUSES = ("Unshipped", "PartiallyShipped")
SHARED_BENCH = Path(__file__).resolve().parents[1].parent / "shared" / "bench"
GOAL = 1.5  # mwskit / the shared floor


def shared_floor() -> Callable[[], bytes] | None:
    """`floor_sign` of ../shared/bench/floor_sign.py (for the same request), or None if absent."""
    if not (SHARED_BENCH / "floor_sign.py").is_file():
        return None
    sys.path.insert(0, str(SHARED_BENCH))
    try:
        import floor_sign as shared
    finally:
        sys.path.remove(str(SHARED_BENCH))
    same = (shared.ACCESS_KEY, shared.SECRET_KEY, shared.SELLER_ID, shared.HOST, shared.PATH)
    assert same == (ACCESS_KEY, SECRET_KEY, SELLER_ID, HOST, PATH), "another request"
    assert (shared.MARKETPLACES, shared.STATUSES) == (MARKETPLACES, STATUSES), "other lists"
    assert shared.CREATED_AFTER == CREATED_AFTER, "another CreatedAfter"
    function: Callable[[], bytes] = shared.floor_sign
    return function


def floor_request() -> bytes:
    """A plain hand-written SigV2 ListOrders body: every pair quoted on each call."""
    params = {
        "AWSAccessKeyId": ACCESS_KEY,
        "Action": "ListOrders",
        "SellerId": SELLER_ID,
        "SignatureMethod": "HmacSHA256",
        "SignatureVersion": "2",
        "Version": "2013-09-01",
        "Timestamp": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "CreatedAfter": CREATED_AFTER.strftime("%Y-%m-%dT%H:%M:%SZ"),
    }
    for index, marketplace in enumerate(MARKETPLACES, 1):
        params[f"MarketplaceId.Id.{index}"] = marketplace
    for index, status in enumerate(STATUSES, 1):
        params[f"OrderStatus.Status.{index}"] = status
    query = "&".join(
        f"{quote(name, safe='-_.~')}={quote(value, safe='-_.~')}"
        for name, value in sorted(params.items())
    )
    digest = hmac.new(
        SECRET_KEY.encode(), f"POST\n{HOST}\n{PATH}\n{query}".encode(), hashlib.sha256
    )
    signature = base64.b64encode(digest.digest()).decode()
    return f"{query}&Signature={quote(signature, safe='-_.~')}".encode()


class BuildOnlySession(SyncSession):
    """Everything a real call does except sending: validation, encoding, signing."""

    last: PreparedRequest | None = None

    def call(
        self, section: Any, operation: Any, values: Any, body: Any = None, content_type: Any = None
    ) -> Any:
        self.last = self.builder.build(section, operation, values, body, content_type)
        return None


def mwskit_client() -> OrdersClient:
    config = ClientConfig(
        access_key=ACCESS_KEY, secret_key=SECRET_KEY, seller_id=SELLER_ID, region_hosts=REGION_HOSTS
    )
    return OrdersClient(BuildOnlySession(config))


def peer_callable() -> Callable[[], None] | None:
    """python-amazon-mws 0.8.15 building and signing the same request, or None if absent."""
    try:
        import mws as peer_package
        from mws import mws as peer
    except ImportError:
        return None
    if getattr(peer_package, "__version__", "") != "0.8.15":
        return None

    class Sent(Exception):
        pass

    def stop(*args: Any, **kwargs: Any) -> None:
        raise Sent

    peer.request = stop  # cut the HTTP call: measure building and signing only
    orders = peer.Orders(ACCESS_KEY, SECRET_KEY, SELLER_ID, region="US")
    created = CREATED_AFTER.strftime("%Y-%m-%dT%H:%M:%SZ")
    marketplaces, statuses = list(MARKETPLACES), list(STATUSES)

    def build() -> None:
        try:  # noqa: SIM105 - contextlib.suppress would add its own cost to the timed call
            orders.list_orders(
                marketplaceids=marketplaces, created_after=created, orderstatus=statuses
            )
        except Sent:
            pass

    return build


def check_same_work(bodies: dict[str, bytes]) -> None:
    """Every floor builds the request mwskit builds: the same pairs, the same values but the
    time and the signature."""
    varying = ("Timestamp", "Signature")
    shapes = {
        label: sorted((name, "" if name in varying else value) for name, value in parse_qsl(body))
        for label, body in ((label, body.decode()) for label, body in bodies.items())
    }
    expected = shapes["mwskit"]
    for label, shape in shapes.items():
        assert shape == expected, f"{label} builds another request: {shape} != {expected}"
    names = [name for name, _ in expected]
    assert sum(name.startswith("MarketplaceId.Id.") for name in names) == len(MARKETPLACES)
    assert sum(name.startswith("OrderStatus.Status.") for name in names) == len(STATUSES)
    assert "CreatedAfter" in names


def measure(
    contenders: list[tuple[str, Callable[[], Any], int]], rounds: int, clock: Callable[[], float]
) -> dict[str, float]:
    """Best microseconds per call of each (label, function, calls per round), interleaved."""
    best = dict.fromkeys((label for label, _, _ in contenders), float("inf"))
    for _ in range(rounds):
        for label, function, number in contenders:
            start = clock()
            for _ in range(number):
                function()
            best[label] = min(best[label], (clock() - start) / number * 1e6)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--number", type=int, default=2000, help="calls per round")
    parser.add_argument("--clock", choices=("cpu", "wall"), default="cpu")
    args = parser.parse_args()
    clock = time.thread_time if args.clock == "cpu" else time.perf_counter

    client = mwskit_client()
    session = client._session
    assert isinstance(session, BuildOnlySession)

    def ours() -> None:
        client.list_orders(
            marketplace_id=MARKETPLACES, created_after=CREATED_AFTER, order_status=STATUSES
        )

    ours()
    assert session.last is not None and isinstance(session.last.body, bytes)
    shared = shared_floor()
    bodies = {"mwskit": session.last.body, "local floor": floor_request()}
    if shared is not None:
        bodies["shared floor"] = shared()
    check_same_work(bodies)

    shared_label = "shared floor (floor_sign, ../shared/bench)"
    local_label = "floor (hand-written SigV2, no validation)"
    ours_label = "mwskit list_orders (validated)"
    contenders: list[tuple[str, Callable[[], Any], int]] = []
    if shared is not None:
        contenders.append((shared_label, shared, args.number))
    contenders += [(local_label, floor_request, args.number), (ours_label, ours, args.number)]
    peer = peer_callable()
    if peer is not None:
        contenders.append(("python-amazon-mws 0.8.15 list_orders", peer, max(args.number // 4, 1)))

    print(
        f"Python {platform.python_version()} on {platform.machine()}; best of {args.rounds}"
        f" interleaved rounds of {args.number} calls; {args.clock} time"
    )
    if shared is None:
        print(f"(no shared floor at {SHARED_BENCH}: ratios are to the local floor)")
    best = measure(contenders, args.rounds, clock)
    floor = best[shared_label if shared is not None else local_label]
    print(f"{'':44} {'us/request':>10} {'x floor':>8}")
    for label, micros in best.items():
        print(f"{label:44} {micros:10.2f} {micros / floor:8.2f}")
    if peer is None:
        print("(install mws==0.8.15 to compare with python-amazon-mws)")
    ratio = best[ours_label] / floor
    verdict = "meets" if ratio <= GOAL else "misses"
    which = "shared" if shared is not None else "local"
    print(f"mwskit / floor = {ratio:.2f}: {verdict} the goal of <= {GOAL:.2f}x the {which} floor")
    summary_row(
        "build + sign one ListOrders (5 list items), validation on",
        f"{which} floor_sign {floor:.1f} us",
        f"{best[ours_label]:.1f} us = {ratio:.2f}x",
        f"<= {GOAL:.2f}x",
        ratio <= GOAL,
    )


if __name__ == "__main__":
    main()
