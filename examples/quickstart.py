"""Show the regenerated client at work: build, sign and send requests to a local stand-in.

No MWS endpoint answers any more, so the requests go to an httpx.MockTransport that prints
what would have gone on the wire and answers like MWS.
"""

from __future__ import annotations

from datetime import datetime, timezone
from decimal import Decimal

import httpx

import mwskit
from mwskit import MWS, MWSError, ThrottledError
from mwskit.fulfillment_inbound_shipment import Address

ORDERS_RESPONSE = """<?xml version="1.0"?>
<ListOrdersResponse xmlns="https://mws.amazonservices.com/Orders/2013-09-01">
  <ListOrdersResult>
    <NextToken>2YgYW55IGNhcm5hbCBwbGVhc3VyZQ==</NextToken>
    <CreatedBefore>2024-01-02T00:00:00Z</CreatedBefore>
    <Orders>
      <Order>
        <AmazonOrderId>902-3159896-1390916</AmazonOrderId>
        <PurchaseDate>2024-01-01T09:12:44Z</PurchaseDate>
        <OrderStatus>Unshipped</OrderStatus>
        <BuyerName>Zoë Ångström</BuyerName>
        <OrderTotal><CurrencyCode>USD</CurrencyCode><Amount>42.90</Amount></OrderTotal>
        <NumberOfItemsUnshipped>2</NumberOfItemsUnshipped>
        <IsPrime>true</IsPrime>
      </Order>
      <Order>
        <AmazonOrderId>058-1233752-8214740</AmazonOrderId>
        <PurchaseDate>2024-01-01T17:03:09Z</PurchaseDate>
        <OrderStatus>PartiallyShipped</OrderStatus>
        <OrderTotal><CurrencyCode>USD</CurrencyCode><Amount>7.5</Amount></OrderTotal>
        <NumberOfItemsUnshipped>1</NumberOfItemsUnshipped>
        <IsPrime>false</IsPrime>
      </Order>
    </Orders>
  </ListOrdersResult>
  <ResponseMetadata><RequestId>88faca76-b600-46d2-b53c-0c8c4533e43a</RequestId></ResponseMetadata>
</ListOrdersResponse>""".encode()

ORDERS_HEADERS = {
    "x-mws-timestamp": "2024-01-02T03:04:06.120Z",
    "x-mws-quota-max": "6000.0",
    "x-mws-quota-remaining": "5998.0",
    "x-mws-quota-resetsOn": "2024-01-02T04:00:00.000Z",
}

THROTTLED_RESPONSE = b"""<?xml version="1.0"?>
<ErrorResponse xmlns="http://mws.amazonaws.com/doc/2009-01-01/">
  <Error><Type>Sender</Type><Code>RequestThrottled</Code><Message>Request is throttled</Message></Error>
  <RequestID>3c9d1f1e-53d1-4c5c-9b1b-example</RequestID>
</ErrorResponse>"""


def stand_in(request: httpx.Request) -> httpx.Response:
    print(f"\n>>> {request.method} {request.url}")
    for name in ("content-type", "user-agent"):
        print(f">>> {name}: {request.headers[name]}")
    body = request.content
    print(">>> body:", body.decode())
    if b"Action=ListOrders" in body:
        return httpx.Response(200, content=ORDERS_RESPONSE, headers=ORDERS_HEADERS)
    return httpx.Response(503, content=THROTTLED_RESPONSE)


def main() -> None:
    print(f"mwskit {mwskit.__version__}: sections", ", ".join(MWS.__annotations__))
    fixed_clock = datetime(2024, 1, 2, 3, 4, 5, tzinfo=timezone.utc)
    with MWS(
        access_key="AKIAEXAMPLEACCESSKEY",
        secret_key="EXAMPLE/SECRET+KEY",
        seller_id="A1EXAMPLESELLER",
        region="NA",
        transport=httpx.MockTransport(stand_in),
        clock=lambda: fixed_clock,
        # The stand-in always answers the second call with RequestThrottled: retry it briefly.
        retries=mwskit.RetryPolicy(max_attempts=3, base_delay=0.05, max_delay=0.2),
        on_event=lambda event: print(
            f"... {event.kind} {event.action} (attempt {event.attempt}): {event.reason}, "
            f"waiting {event.delay:.2f} s"
        ),
    ) as mws:
        print(repr(mws))
        result = mws.orders.list_orders(
            marketplace_id=["ATVPDKIKX0DER"],
            created_after=datetime(2024, 1, 1, tzinfo=timezone.utc),
            order_status=["Unshipped", "PartiallyShipped"],
        )
        print(f"<<< request id {result.request_id}; next_token {result.next_token!r}")
        print(
            f"<<< quota {result.quota_remaining}/{result.quota_max}, resets {result.quota_resets_on}"
        )
        for order in result.orders:  # always a list, also with one order or none
            total = order.order_total
            amount = f"{total.amount} {total.currency_code}" if total else "no total"
            placed = f"{order.purchase_date:%Y-%m-%d %H:%M %Z}" if order.purchase_date else "?"
            print(
                f"<<< order {order.amazon_order_id} ({placed}): "
                f"{order.order_status}, {order.number_of_items_unshipped} unshipped, {amount}"
                f"{', Prime' if order.is_prime else ''}"
                f"{f', buyer {order.buyer_name}' if order.buyer_name else ''}"
            )
        page_total = sum(
            (
                order.order_total.amount
                for order in result.orders
                if order.order_total and order.order_total.amount
            ),
            Decimal(0),
        )
        print(f"<<< page total {page_total} (a Decimal: {page_total!r})")

        try:
            mws.fulfillment_inbound_shipment.create_inbound_shipment_plan(
                ship_from_address=Address(
                    name="Example Seller",
                    address_line1="1 Main St",
                    city="Seattle",
                    country_code="US",
                ),
                inbound_shipment_plan_request_items=[
                    {
                        "seller_sku": "SKU-1",
                        "quantity": 24,
                        "prep_details_list": [
                            {"prep_instruction": "Taping", "prep_owner": "SELLER"}
                        ],
                    }
                ],
            )
        except ThrottledError as error:  # errors.RequestThrottled, a ThrottledError and MWSError
            print(f"<<< raised {type(error).__name__} (code {error.code!r}): {error}")
        except MWSError as error:
            print(f"<<< raised {type(error).__name__}: {error}")

        try:
            mws.orders.list_orders(
                marketplace_id=["ATVPDKIKX0DER"], created_after=datetime(2024, 1, 1)
            )
        except ValueError as error:
            print(f"\nrefused before sending: {error}")


if __name__ == "__main__":
    main()
