"""How fast a ListOrders answer becomes typed objects, against bare parsers and peers.

Builds a realistic ListOrders response (namespace, nested addresses and money, non-ASCII
buyer names) of 100 orders (about 140 KB) and of 2,000 orders, and prints, per size:
- lxml.etree.fromstring and xml.etree.ElementTree.fromstring of the same bytes (floors);
- mwskit: the full typed parse (parse_response -> ListOrdersResult with Order dataclasses);
- python-amazon-mws 0.8.15 DictWrapper and xmltodict.parse, when installed.
Goals (issue 4): mwskit within 4x of bare lxml, and at most 0.3x python-amazon-mws.

    .venv/bin/python bench/bench_parse.py [--rounds 7]
"""

from __future__ import annotations

import argparse
import gc
import platform
import time
import xml.etree.ElementTree as ElementTree
from collections.abc import Callable
from typing import Any

from lxml import etree

from mwskit._runtime.response import parse_response
from mwskit.orders import _operations as ops

NAMES = ["Jürgen Groß", "山田 太郎", "Zoë Ångström", "Ana María Peña", "Ørjan Æsir", "李小龍"]
CITIES = ["München", "東京都", "Malmö", "Düsseldorf", "São Paulo", "Zürich"]


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


def list_orders_body(count: int) -> bytes:
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


def best_ms(function: Callable[[], Any], rounds: int) -> float:
    """Best wall time of one call, in milliseconds, over `rounds` (each round loops >= 0.2 s)."""
    function()
    start = time.perf_counter()
    loops = 0
    while time.perf_counter() - start < 0.2:
        function()
        loops += 1
    number = max(1, loops)
    best = float("inf")
    for _ in range(rounds):
        start = time.perf_counter()
        for _ in range(number):
            function()
        best = min(best, (time.perf_counter() - start) / number)
    return best * 1000


def peers(body: bytes) -> list[tuple[str, Callable[[], Any]]]:
    found: list[tuple[str, Callable[[], Any]]] = []
    try:
        import mws as peer_package
        from mws.utils import XML2Dict

        if getattr(peer_package, "__version__", "") == "0.8.15":
            # DictWrapper(xml, rootkey) runs XML2Dict().fromstring on the text; time just that.
            found.append(
                ("python-amazon-mws 0.8.15 DictWrapper", lambda: XML2Dict().fromstring(body))
            )
    except ImportError:
        pass
    try:
        import xmltodict

        found.append((f"xmltodict {xmltodict.__version__}", lambda: xmltodict.parse(body)))
    except ImportError:
        pass
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    print(f"Python {platform.python_version()} on {platform.machine()}; best of {args.rounds}")
    per_order: dict[int, float] = {}
    for count in (100, 2000):
        body = list_orders_body(count)
        result = parse_response(ops.LIST_ORDERS, 200, HEADERS, body)
        assert len(result.orders) == count and result.orders[0].order_total.amount is not None
        rows = [
            ("lxml.etree.fromstring (floor)", lambda body=body: etree.fromstring(body)),
            ("xml.etree.ElementTree.fromstring", lambda body=body: ElementTree.fromstring(body)),
            (
                "mwskit typed parse",
                lambda body=body: parse_response(ops.LIST_ORDERS, 200, HEADERS, body),
            ),
            *peers(body),
        ]
        gc.collect()
        timings = [(label, best_ms(function, args.rounds)) for label, function in rows]
        floor = timings[0][1]
        mine = timings[2][1]
        per_order[count] = mine / count
        print(f"\nListOrders, {count} orders, {len(body) / 1024:.0f} KB")
        print(f"{'':40} {'ms':>9} {'x lxml':>7} {'x mwskit':>9}")
        for label, ms in timings:
            print(f"{label:40} {ms:9.3f} {ms / floor:7.2f} {ms / mine:9.2f}")
        verdict = "meets" if mine / floor <= 4 else "misses"
        print(f"mwskit / lxml = {mine / floor:.2f}: {verdict} the goal of <= 4x")
        pam = next((ms for label, ms in timings if label.startswith("python-amazon-mws")), None)
        if pam is None:
            print("(install mws==0.8.15 and xmltodict to compare with the peers)")
        else:
            verdict = "meets" if mine / pam <= 0.3 else "misses"
            print(f"mwskit / python-amazon-mws = {mine / pam:.2f}: {verdict} the goal of <= 0.3x")
    growth = per_order[2000] / per_order[100]
    print(
        f"\nper order: {per_order[100] * 1000:.1f} us at 100, {per_order[2000] * 1000:.1f} us at "
        f"2,000 ({growth:.2f}x: linear growth keeps this near 1)"
    )


if __name__ == "__main__":
    main()
