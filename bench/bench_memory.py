"""Peak memory per MB of answer body: a typed ListOrders parse against bare lxml (issue 13).

For ListOrders answers of 1, 8 and 32 MB, of realistic orders (bench_parse's, about 1.4 KB
each) and of tiny elements (one order of empty `<PaymentMethodDetail/>` items, 22 bytes each: an
empty `<Order/>`, 8 bytes, the shape that once took 6 GB for 60 MB, is now refused at the first
one, as it lacks what MWS always sends), each
measure runs in a process of its own (forked after mwskit is imported, so every measure starts
from the same state), which reads the body from a file, resets its peak RSS to its current RSS
(Linux `/proc/self/clear_refs`), does one thing and reads the peak again. The figure shown is
`resource.getrusage(RUSAGE_SELF).ru_maxrss` after minus before, in MB; RSS counts what
libxml2 allocates in C, which tracemalloc would not see.

- `peak_MB` / `MB_per_MB`: a whole `MWS.orders.list_orders` call answered by an
  httpx.MockTransport with the body (what an application pays: read, joined, parsed, typed);
- `parse_MB_per_MB`: `parse_response` of the body alone (the typed parse, nothing else);
- `floor_MB` / `floor_MB_per_MB`: bare `lxml.etree.fromstring` of the same body.

A measure has an address-space limit (--limit-gb, default 8), so a parse that would exhaust
the machine ends as "MemoryError"; an answer the client refuses (an element-count limit
raising ResponseParseError) shows as "refused" (its peak is what was built before refusing).

    .venv/bin/python bench/bench_memory.py [--quick] [--sizes 1 8 32] [--limit-gb 8]
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import resource
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from lxml import etree

from mwskit import MWS
from mwskit._runtime.response import parse_response
from mwskit.errors import MWSError
from mwskit.orders import _operations as ops

HERE = Path(__file__).resolve().parent
MB = 1024 * 1024
SHAPES = ("realistic", "tiny")
MODES = ("client", "parse", "floor")
REQUEST_ID = "88faca76-b600-46d2-b53c-0c8c4533e43a"
HEADERS = {"x-mws-request-id": REQUEST_ID, "content-type": "text/xml"}
SINCE = datetime(2024, 1, 1, tzinfo=UTC)


def build_body(shape: str, size_mb: float) -> bytes:
    """A ListOrders answer of about `size_mb` MB."""
    target = int(size_mb * MB)
    head = (
        b'<?xml version="1.0"?>\n<ListOrdersResponse '
        b'xmlns="https://mws.amazonservices.com/Orders/2013-09-01"><ListOrdersResult>'
        b"<LastUpdatedBefore>2024-03-30T00:00:00Z</LastUpdatedBefore><Orders>"
    )
    tail = (
        "</Orders></ListOrdersResult><ResponseMetadata>"
        f"<RequestId>{REQUEST_ID}</RequestId></ResponseMetadata></ListOrdersResponse>\n"
    ).encode()
    if shape == "tiny":
        # One order (with what MWS always sends) holding a flood of empty list items.
        order = (
            b"<Order><AmazonOrderId>902-3159896-1390916</AmazonOrderId>"
            b"<PurchaseDate>2017-02-20T19:49:35Z</PurchaseDate>"
            b"<LastUpdateDate>2017-02-20T19:49:35Z</LastUpdateDate>"
            b"<OrderStatus>Shipped</OrderStatus><PaymentMethodDetails>"
        )
        close = b"</PaymentMethodDetails></Order>"
        item = b"<PaymentMethodDetail/>"
        count = max(1, (target - len(head) - len(tail) - len(order) - len(close)) // len(item))
        return head + order + item * count + close + tail
    sys.path.insert(0, str(HERE))
    from bench_parse import order_xml

    # MWS sends its answers without indentation.
    one = [
        "".join(line.strip() for line in order_xml(index).splitlines()).encode()
        for index in range(64)
    ]
    parts, size, index = [], len(head) + len(tail), 0
    while size < target:
        piece = one[index % 64]
        parts.append(piece)
        size += len(piece)
        index += 1
    return head + b"".join(parts) + tail


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KB on Linux


def _reset_peak() -> bool:
    """Start the peak RSS afresh at the current RSS (Linux: clear_refs 5), so the figure
    is not hidden under an earlier peak; False where the kernel lacks it."""
    try:
        with open("/proc/self/clear_refs", "w") as control:
            control.write("5")
        return True
    except OSError:
        return False


def _client(body: bytes, seller: str) -> MWS:
    return MWS(
        access_key="AK",
        secret_key="SK",
        seller_id=seller,
        endpoint="http://bench.local",
        throttle="off",
        transport=httpx.MockTransport(
            lambda request: httpx.Response(200, content=body, headers=HEADERS)
        ),
    )


def _measure_here(path: Path, mode: str) -> dict[str, Any]:
    """One measure in this (forked) process."""
    body = path.read_bytes()
    client = _client(body, "A1BENCH")
    gc.collect()
    _reset_peak()
    baseline = _peak_mb()
    outcome, items, detail = "ok", 0, ""
    try:
        if mode == "floor":
            root = etree.fromstring(body)
            items = len(root)
        elif mode == "parse":
            items = len(parse_response(ops.LIST_ORDERS, 200, HEADERS, body).orders)
        else:
            items = len(
                client.orders.list_orders(
                    marketplace_id=["ATVPDKIKX0DER"], created_after=SINCE
                ).orders
            )
    except MemoryError:
        outcome = "MemoryError"
    except MWSError as error:
        outcome, detail = "refused", str(error)[:120]
    return {"peak": _peak_mb() - baseline, "outcome": outcome, "items": items, "detail": detail}


def measure(path: Path, mode: str, limit_gb: float) -> dict[str, Any]:
    """Fork, measure in the child under an address-space limit, read its JSON from a pipe."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child
        os.close(read_end)
        code = 0
        try:
            limit = int(limit_gb * 1024 * MB)
            resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
            found = _measure_here(path, mode)
        except BaseException as error:  # reported, never raised past the fork
            found, code = {"peak": float("nan"), "outcome": f"crashed ({error!r})"[:80]}, 1
        with os.fdopen(write_end, "w") as out:
            out.write(json.dumps(found))
        os._exit(code)
    os.close(write_end)
    with os.fdopen(read_end) as source:
        text = source.read()
    _, status = os.waitpid(pid, 0)
    if not text:
        return {"peak": float("nan"), "outcome": f"died (status {status})", "items": 0}
    return dict(json.loads(text))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="0.25 MB only (the smoke test)")
    parser.add_argument("--sizes", type=float, nargs="+", default=[1, 8, 32])
    parser.add_argument("--limit-gb", type=float, default=8.0)
    args = parser.parse_args()
    sizes = [0.25] if args.quick else args.sizes
    # Warm the client path once before forking, so no measure pays for first-use setup.
    _client(build_body("tiny", 0.001), "A1WARM").orders.list_orders(
        marketplace_id=["ATVPDKIKX0DER"], created_after=SINCE
    )
    print(
        "peak memory per MB of ListOrders body (ru_maxrss growth over the RSS after reading "
        f"the body, one forked process per measure, peak reset: {_reset_peak()}; "
        f"address space limited to {args.limit_gb:g} GB)"
    )
    print(
        f"{'case':10} {'body_MB':>8} {'peak_MB':>9} {'MB_per_MB':>10} {'parse_MB_per_MB':>16} "
        f"{'floor_MB':>9} {'floor_MB_per_MB':>16}  outcome"
    )
    with tempfile.TemporaryDirectory(prefix="bench-memory-") as folder:
        for size in sizes:
            for shape in SHAPES:
                path = Path(folder) / f"{shape}-{size}.xml"
                path.write_bytes(build_body(shape, size))
                body_mb = path.stat().st_size / MB
                found = {mode: measure(path, mode, args.limit_gb) for mode in MODES}
                client, parse, floor = found["client"], found["parse"], found["floor"]
                outcome = str(client["outcome"])
                if outcome == "ok":
                    outcome = f"ok, {client['items']} orders"
                elif client.get("detail"):
                    outcome += f" ({client['detail']})"
                if parse["outcome"] != client["outcome"]:
                    outcome += f" [parse alone: {parse['outcome']}]"
                print(
                    f"{shape:10} {body_mb:8.2f} {client['peak']:9.1f} "
                    f"{client['peak'] / body_mb:10.1f} {parse['peak'] / body_mb:16.1f} "
                    f"{floor['peak']:9.1f} {floor['peak'] / body_mb:16.1f}  {outcome}",
                    flush=True,
                )
                path.unlink()


if __name__ == "__main__":
    main()
