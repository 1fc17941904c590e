"""Microseconds per built-and-signed ListOrders request: mwskit vs a hand-written floor.

The floor is the least code that produces a correct SigV2 POST body for the same call (no
validation, no descriptors). mwskit goes through the public generated method with validation
on; only the network send is left out. When python-amazon-mws (`mws==0.8.15`) is installed,
its request building and signing is measured too (its HTTP call is cut off before sending).

    python3 dev.py bench            # or: .venv/bin/python bench/bench_signing.py --rounds 7
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import hmac
import platform
import timeit
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

from mwskit._runtime import ClientConfig, SyncSession
from mwskit._runtime.request import PreparedRequest
from mwskit.marketplaces import REGION_HOSTS
from mwskit.orders import OrdersClient

ACCESS_KEY = "AKIAEXAMPLEACCESSKEY"
SECRET_KEY = "EXAMPLE/SECRET+KEY"
SELLER_ID = "A1EXAMPLESELLER"
HOST = "mws.amazonservices.com"
PATH = "/Orders/2013-09-01"
MARKETPLACES = ["ATVPDKIKX0DER"]
CREATED_AFTER = datetime(2024, 1, 1, tzinfo=UTC)
STATUSES = ["Unshipped", "PartiallyShipped"]


def floor_request() -> bytes:
    """A minimal hand-written SigV2 ListOrders body: the fastest honest baseline."""
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


def peer_callable() -> Any | None:
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

    def build() -> None:
        try:  # noqa: SIM105 - contextlib.suppress would add its own cost to the timed call
            orders.list_orders(
                marketplaceids=MARKETPLACES, created_after=created, orderstatus=STATUSES
            )
        except Sent:
            pass

    return build


def measure(function: Any, rounds: int, number: int) -> float:
    """Best microseconds per call over `rounds` rounds of `number` calls."""
    timings = timeit.repeat(function, number=number, repeat=rounds)
    return min(timings) / number * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--number", type=int, default=20000)
    args = parser.parse_args()

    client = mwskit_client()

    def ours() -> None:
        client.list_orders(
            marketplace_id=MARKETPLACES, created_after=CREATED_AFTER, order_status=STATUSES
        )

    ours()
    session = client._session
    assert isinstance(session, BuildOnlySession) and session.last is not None
    assert (
        b"Signature=" in session.last.body
        and b"OrderStatus.Status.2=PartiallyShipped" in session.last.body
    )

    print(
        f"Python {platform.python_version()} on {platform.machine()}; best of {args.rounds} x {args.number} calls"
    )
    floor = measure(floor_request, args.rounds, args.number)
    mine = measure(ours, args.rounds, args.number)
    rows = [
        ("floor (hand-written SigV2, no validation)", floor),
        ("mwskit list_orders (validated)", mine),
    ]
    peer = peer_callable()
    if peer is not None:
        rows.append(
            (
                "python-amazon-mws 0.8.15 list_orders",
                measure(peer, args.rounds, max(args.number // 4, 1)),
            )
        )
    print(f"{'':44} {'us/request':>10} {'x floor':>8}")
    for label, micros in rows:
        print(f"{label:44} {micros:10.2f} {micros / floor:8.2f}")
    if peer is None:
        print("(install mws==0.8.15 to compare with python-amazon-mws)")
    goal = 1.25
    verdict = "meets" if mine / floor <= goal else "misses"
    print(f"mwskit / floor = {mine / floor:.2f}: {verdict} the goal of <= {goal:.2f}x")


if __name__ == "__main__":
    main()
