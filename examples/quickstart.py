"""Show the regenerated client at work: build, sign and send requests to a local stand-in.

No MWS endpoint answers any more, so the requests go to an httpx.MockTransport that prints
what would have gone on the wire and answers like MWS.
"""

from __future__ import annotations

from datetime import datetime, timezone

import httpx

import mwskit
from mwskit import MWS, MWSError
from mwskit.fulfillment_inbound_shipment import Address

ORDERS_RESPONSE = b"""<?xml version="1.0"?>
<ListOrdersResponse xmlns="https://mws.amazonservices.com/Orders/2013-09-01">
  <ListOrdersResult>
    <NextToken>2YgYW55IGNhcm5hbCBwbGVhc3VyZQ==</NextToken>
    <CreatedBefore>2024-01-02T00:00:00Z</CreatedBefore>
    <Orders>
      <Order><AmazonOrderId>902-3159896-1390916</AmazonOrderId><OrderStatus>Unshipped</OrderStatus></Order>
      <Order><AmazonOrderId>058-1233752-8214740</AmazonOrderId><OrderStatus>Shipped</OrderStatus></Order>
    </Orders>
  </ListOrdersResult>
  <ResponseMetadata><RequestId>88faca76-b600-46d2-b53c-0c8c4533e43a</RequestId></ResponseMetadata>
</ListOrdersResponse>"""

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
        return httpx.Response(200, content=ORDERS_RESPONSE)
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
    ) as mws:
        print(repr(mws))
        result = mws.orders.list_orders(
            marketplace_id=["ATVPDKIKX0DER"],
            created_after=datetime(2024, 1, 1, tzinfo=timezone.utc),
            order_status=["Unshipped", "PartiallyShipped"],
        )
        print(f"<<< request id {result.request_id}; next_token {result.next_token!r}")
        for order in result.data["Orders"]["Order"]:
            print(f"<<< order {order['AmazonOrderId']}: {order['OrderStatus']}")

        try:
            mws.fulfillment_inbound_shipment.create_inbound_shipment_plan(
                ship_from_address=Address(
                    name="Example Seller", address_line1="1 Main St", city="Seattle", country_code="US"
                ),
                inbound_shipment_plan_request_items=[
                    {
                        "seller_sku": "SKU-1",
                        "quantity": 24,
                        "prep_details_list": [{"prep_instruction": "Taping", "prep_owner": "SELLER"}],
                    }
                ],
            )
        except MWSError as error:
            print(f"<<< {type(error).__name__}: {error}")

        try:
            mws.orders.list_orders(marketplace_id=["ATVPDKIKX0DER"], created_after=datetime(2024, 1, 1))
        except ValueError as error:
            print(f"\nrefused before sending: {error}")


if __name__ == "__main__":
    main()
