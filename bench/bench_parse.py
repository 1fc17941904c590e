"""How fast a ListOrders answer becomes typed objects, against the shared floor and peers.

One run, one process, interleaved (each round times every candidate once; best of the rounds; CPU
time of the process, so that waiting for a core on a shared machine is not counted):
- the shared floor (`../shared/bench/floor_parse.py`: a bare, hardened lxml parse);
- mwskit: the full typed parse (parse_response -> ListOrdersResult with Order dataclasses), and
  the same with the garbage collector left running (what pausing it saves);
- python-amazon-mws 0.8.15 (XML2Dict, what its DictWrapper runs) and xmltodict, when installed;
at 100 and 10,000 orders of the floor's own body (`list_orders_body`) and of a realistic body
(pretty-printed addresses, money, non-ASCII names). Then the goals of issue 18, one verdict line
each, and the peak RSS of a 10,000-order parse with and without the collector paused (each in
a fresh process).

    .venv/bin/python bench/bench_parse.py [--rounds 5] [--sizes 100,10000]
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import platform
import resource
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from lxml import etree
from summary import summary_row

from mwskit._runtime import response
from mwskit._runtime.response import parse_response
from mwskit.orders import _operations as ops

SHARED_BENCH = Path(__file__).resolve().parents[1].parent / "shared" / "bench"
if (SHARED_BENCH / "floor_parse.py").is_file():
    sys.path.insert(0, str(SHARED_BENCH))
    from floor_parse import floor_parse
    from floor_parse import list_orders_body as floor_body

    FLOOR_NOTE = f"floor: {SHARED_BENCH / 'floor_parse.py'}"
else:  # the same parser options as the shared floor; its body is then not available
    _PARSER = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False
    )

    def floor_parse(body: bytes) -> object:
        return etree.fromstring(body, _PARSER)

    floor_body = None
    FLOOR_NOTE = f"{SHARED_BENCH} is absent: floor = bare etree.fromstring, realistic body only"

NAMES = ["Jürgen Groß", "山田 太郎", "Zoë Ångström", "Ana María Peña", "Ørjan Æsir", "李小龍"]
CITIES = ["München", "東京都", "Malmö", "Düsseldorf", "São Paulo", "Zürich"]

GOAL_FLOOR, STRETCH_FLOOR, GOAL_PEER, GOAL_GROWTH = 2.5, 2.0, 0.25, 1.1


def order_xml(index: int) -> str:
    name = NAMES[index % len(NAMES)]
    city = CITIES[index % len(CITIES)]
    total = f"{(index * 7.31) % 900 + 5:.2f}"
    return f"""    <Order>
      <AmazonOrderId>{100 + index % 900:03d}-{1000000 + index:07d}-{2000000 + index:07d}</AmazonOrderId>
      <SellerOrderId>SO-{index:06d}</SellerOrderId>
      <PurchaseDate>2024-03-{1 + index % 28:02d}T10:{index % 60:02d}:12.000Z</PurchaseDate>
      <LastUpdateDate>2024-03-{1 + index % 28:02d}T18:{index % 60:02d}:45.000Z</LastUpdateDate>
      <OrderStatus>{["Unshipped", "Shipped", "PartiallyShipped", "Canceled"][index % 4]}</OrderStatus>
      <FulfillmentChannel>{["MFN", "AFN"][index % 2]}</FulfillmentChannel>
      <SalesChannel>Amazon.de</SalesChannel>
      <ShipServiceLevel>Std DE Dom</ShipServiceLevel>
      <ShippingAddress>
        <Name>{name}</Name>
        <AddressLine1>Hauptstraße {index % 200 + 1}</AddressLine1>
          <City>{city}</City>
        <StateOrRegion>Bayern</StateOrRegion>
        <PostalCode>{80000 + index % 9999}</PostalCode>
        <CountryCode>DE</CountryCode>
        <Phone>+49 89 {1000000 + index}</Phone>
        <AddressType>Residential</AddressType>
      </ShippingAddress>
      <OrderTotal>
        <CurrencyCode>EUR</CurrencyCode>
        <Amount>{total}</Amount>
      </OrderTotal>
      <NumberOfItemsShipped>{index % 3}</NumberOfItemsShipped>
      <NumberOfItemsUnshipped>{(index + 1) % 3}</NumberOfItemsUnshipped>
      <PaymentExecutionDetail>
        <PaymentExecutionDetailItem>
          <Payment><CurrencyCode>EUR</CurrencyCode><Amount>{total}</Amount></Payment>
          <PaymentMethod>Other</PaymentMethod>
        </PaymentExecutionDetailItem>
      </PaymentExecutionDetail>
      <PaymentMethod>Other</PaymentMethod>
      <PaymentMethodDetails><PaymentMethodDetail>Standard</PaymentMethodDetail></PaymentMethodDetails>
      <MarketplaceId>A1PA6795UKMFR9</MarketplaceId>
      <BuyerEmail>{index}abcdef@marketplace.amazon.de</BuyerEmail>
      <BuyerName>{name}</BuyerName>
      <ShipmentServiceLevelCategory>Standard</ShipmentServiceLevelCategory>
      <OrderType>StandardOrder</OrderType>
      <EarliestShipDate>2024-03-{1 + index % 28:02d}T23:00:00Z</EarliestShipDate>
      <LatestShipDate>2024-03-{1 + index % 28:02d}T23:59:59Z</LatestShipDate>
      <EarliestDeliveryDate>2024-03-{1 + index % 28:02d}T23:00:00Z</EarliestDeliveryDate>
      <LatestDeliveryDate>2024-03-{1 + index % 28:02d}T23:59:59Z</LatestDeliveryDate>
      <IsBusinessOrder>false</IsBusinessOrder>
      <IsPrime>{"true" if index % 3 == 0 else "false"}</IsPrime>
      <IsPremiumOrder>false</IsPremiumOrder>
      <IsReplacementOrder>false</IsReplacementOrder>
      <IsSoldByAB>false</IsSoldByAB>
    </Order>
"""


def realistic_body(count: int) -> bytes:
    # MWS sends its answers without indentation.
    orders = "".join(
        "".join(line.strip() for line in order_xml(index).splitlines()) for index in range(count)
    )
    return f"""<?xml version="1.0"?>
<ListOrdersResponse xmlns="https://mws.amazonservices.com/Orders/2013-09-01">
  <ListOrdersResult>
    <NextToken>2YgYW55IGNhcm5hbCBwbGVhc3VyZS4=</NextToken>
    <LastUpdatedBefore>2024-03-30T00:00:00Z</LastUpdatedBefore>
    <Orders>
{orders}    </Orders>
  </ListOrdersResult>
  <ResponseMetadata>
    <RequestId>88faca76-b600-46d2-b53c-0c8c4533e43a</RequestId>
  </ResponseMetadata>
</ListOrdersResponse>
""".encode()


HEADERS = {"x-mws-request-id": "88faca76-b600-46d2-b53c-0c8c4533e43a"}

FLOOR = "shared floor (floor_parse)"
MWSKIT = "mwskit typed parse"
MWSKIT_GC = "mwskit, collector not paused"
PAM = "python-amazon-mws 0.8.15"


# Whether this mwskit pauses the collector (run against an older checkout, it does not).
PAUSES = hasattr(response, "_GC_PAUSE")


def mwskit_parse(body: bytes) -> Any:
    return parse_response(ops.LIST_ORDERS, 200, HEADERS, body)


@contextlib.contextmanager
def collector_not_paused() -> Any:
    """mwskit's parse as it was before it paused the collector (for the comparison only)."""
    pause = response._GC_PAUSE
    response._GC_PAUSE = contextlib.nullcontext()  # type: ignore[assignment]
    try:
        yield
    finally:
        response._GC_PAUSE = pause


def mwskit_gc_running(body: bytes) -> Any:
    with collector_not_paused():
        return mwskit_parse(body)


def candidates(body: bytes) -> list[tuple[str, Callable[[], Any]]]:
    found: list[tuple[str, Callable[[], Any]]] = [
        (FLOOR, lambda: floor_parse(body)),
        (MWSKIT, lambda: mwskit_parse(body)),
    ]
    if PAUSES:
        found.append((MWSKIT_GC, lambda: mwskit_gc_running(body)))
    try:
        import mws as peer_package
        from mws.utils import XML2Dict

        if getattr(peer_package, "__version__", "") == "0.8.15":
            # DictWrapper(xml, rootkey) runs XML2Dict().fromstring on the text; time just that.
            found.append((PAM, lambda: XML2Dict().fromstring(body)))
    except ImportError:
        pass
    try:
        import xmltodict

        found.append((f"xmltodict {xmltodict.__version__}", lambda: xmltodict.parse(body)))
    except ImportError:
        pass
    return found


# CPU time of this process: on a shared machine (more runnable processes than cores) wall time
# mostly measures the waits for a core; what a parse costs is the CPU it takes.
clock = time.process_time


def interleaved(rows: list[tuple[str, Callable[[], Any]]], rounds: int) -> dict[str, float]:
    """Best CPU seconds per call of each row; every round times each row once, in turn."""
    loops: dict[str, int] = {}
    for label, function in rows:  # warm up, and loop each sample to >= 50 ms
        start = clock()
        function()
        loops[label] = max(1, int(0.05 / max(clock() - start, 1e-9)))
    best = {label: float("inf") for label, _ in rows}
    for _ in range(rounds):
        for label, function in rows:
            number = loops[label]
            start = clock()
            for _ in range(number):
                function()
            best[label] = min(best[label], (clock() - start) / number)
    return best


def verdict(value: float, goal: float) -> str:
    return "meets" if value <= goal else "misses"


def run_body(
    name: str, build: Callable[[int], bytes], sizes: list[int], rounds: int, rows: bool = False
) -> None:
    """Time each size of the body; `rows`: print the goal rows of `dev.py bench`'s table too."""
    per_order: dict[int, float] = {}
    for count in sizes:
        body = build(count)
        result = mwskit_parse(body)
        assert len(result.orders) == count and result.orders[0].order_total.amount is not None
        gc.collect()
        best = interleaved(candidates(body), rounds)
        floor, mine = best[FLOOR], best[MWSKIT]
        per_order[count] = mine / count
        print(f"\n{name}, {count:,} orders, {len(body) / 1024:,.0f} KB")
        print(f"{'':34} {'ms':>10} {'x floor':>8} {'x mwskit':>9} {'us/order':>9}")
        for label, seconds in best.items():
            print(
                f"{label:34} {seconds * 1e3:10.3f} {seconds / floor:8.2f} {seconds / mine:9.2f}"
                f" {seconds / count * 1e6:9.2f}"
            )
        ratio = mine / floor
        if rows and count == sizes[0]:
            summary_row(
                f"parse ListOrders, {count:,} orders, into typed results",
                f"bare lxml parse {floor * 1e3:.2f} ms",
                f"{mine * 1e3:.2f} ms = {ratio:.2f}x",
                f"<= {GOAL_FLOOR}x (stretch {STRETCH_FLOOR}x)",
                ratio <= GOAL_FLOOR,
            )
            if PAM in best:
                summary_row(
                    f"parse ListOrders, {count:,} orders, against the peer",
                    f"python-amazon-mws {best[PAM] * 1e3:.2f} ms",
                    f"{mine / best[PAM]:.3f}x",
                    f"<= {GOAL_PEER}x",
                    mine / best[PAM] <= GOAL_PEER,
                )
        print(
            f"goal mwskit / floor <= {GOAL_FLOOR}x (stretch {STRETCH_FLOOR}x): {ratio:.2f}x, "
            f"{verdict(ratio, GOAL_FLOOR)} the goal, {verdict(ratio, STRETCH_FLOOR)} the stretch"
        )
        if PAM in best:
            peer = mine / best[PAM]
            print(
                f"goal mwskit / python-amazon-mws <= {GOAL_PEER}x: {peer:.3f}x, "
                f"{verdict(peer, GOAL_PEER)} it"
            )
        else:
            print("(pip install python-amazon-mws==0.8.15 xmltodict to compare with the peers)")
        if PAUSES:
            print(
                f"collector not paused / paused: {best[MWSKIT_GC] / mine:.2f}x "
                f"({best[MWSKIT_GC] / count * 1e6:.1f} vs {mine / count * 1e6:.1f} us/order)"
            )
    if len(sizes) > 1:
        small, large = sizes[0], sizes[-1]
        growth = per_order[large] / per_order[small]
        print(
            f"goal per-order cost at {large:,} <= {GOAL_GROWTH}x that at {small:,}: "
            f"{per_order[small] * 1e6:.1f} -> {per_order[large] * 1e6:.1f} us/order, "
            f"{growth:.2f}x, {verdict(growth, GOAL_GROWTH)} it"
        )
        if rows:
            summary_row(
                f"parse cost per order, {small:,} -> {large:,} orders",
                "-",
                f"{per_order[small] * 1e6:.1f} -> {per_order[large] * 1e6:.1f} us ({growth:.2f}x)",
                f"<= {GOAL_GROWTH}x",
                growth <= GOAL_GROWTH,
            )


def peak_rss_kb() -> int:
    """This process's peak RSS: VmHWM (ru_maxrss on Linux keeps the parent's peak across exec)."""
    try:
        status = Path("/proc/self/status").read_text()
    except OSError:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return int(next(line for line in status.splitlines() if line.startswith("VmHWM")).split()[1])


def rss_child(mode: str, count: int) -> None:
    """In a fresh process: peak RSS (KB) before and after one parse of `count` orders."""
    body = (floor_body or realistic_body)(count)
    before = peak_rss_kb()
    start = clock()
    result = mwskit_parse(body) if mode == "paused" else mwskit_gc_running(body)
    seconds = clock() - start
    after = peak_rss_kb()
    assert len(result.orders) == count
    print(before, after, seconds)


def rss_report(count: int) -> None:
    print(f"\nPeak RSS of one {count:,}-order parse, each in a fresh process (VmHWM):")
    for mode in ("paused", "running"):
        out = subprocess.run(
            [sys.executable, __file__, "--rss-child", mode, "--orders", str(count)],
            check=True,
            capture_output=True,
            text=True,
        ).stdout.split()
        before, after, seconds = int(out[0]), int(out[1]), float(out[2])
        print(
            f"collector {mode:8} peak {after / 1024:7.1f} MB (body built: {before / 1024:6.1f} MB,"
            f" +{(after - before) / 1024:6.1f} MB for the parse), one parse {seconds:.3f} s CPU"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--sizes", default="100,10000")
    parser.add_argument("--rss-child", choices=("paused", "running"))
    parser.add_argument("--orders", type=int, default=10000)
    args = parser.parse_args()
    if args.rss_child:
        rss_child(args.rss_child, args.orders)
        return
    sizes = [int(size) for size in args.sizes.split(",")]
    print(f"Python {platform.python_version()} on {platform.machine()}; best of {args.rounds}")
    print(FLOOR_NOTE)
    if floor_body is not None:
        run_body("ListOrders, the shared floor's body", floor_body, sizes, args.rounds, rows=True)
    run_body(
        "ListOrders, realistic body", realistic_body, sizes, args.rounds, rows=floor_body is None
    )
    if PAUSES:
        rss_report(sizes[-1])


if __name__ == "__main__":
    main()
