"""Helpers for the batch and planner tests: a transport answering one result per id asked."""

from __future__ import annotations

from urllib.parse import parse_qs

import httpx

PRODUCTS_NS = "http://mws.amazonservices.com/schema/Products/2011-10-01"
ORDERS_NS = "https://mws.amazonservices.com/Orders/2013-09-01"


class Answers:
    """Answers each request with one result per id it asked about, and a request id of its own."""

    def __init__(self) -> None:
        self.asked: list[list[str]] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        form = parse_qs(request.content.decode())
        action = form["Action"][0]
        prefix = "IdList.Id." if action == "GetMatchingProductForId" else "AmazonOrderId.Id."
        ids = [form[f"{prefix}{n}"][0] for n in range(1, len(form) + 1) if f"{prefix}{n}" in form]
        self.asked.append(ids)
        number = len(self.asked)
        if action == "GetMatchingProductForId":
            results = "".join(
                f'<GetMatchingProductForIdResult Id="{i}" IdType="ASIN" status="Success"/>'
                for i in ids
            )
            body = (
                f'<GetMatchingProductForIdResponse xmlns="{PRODUCTS_NS}">{results}'
                f"<ResponseMetadata><RequestId>req-{number}</RequestId></ResponseMetadata>"
                "</GetMatchingProductForIdResponse>"
            )
        else:
            orders = "".join(
                f"<Order><AmazonOrderId>{i}</AmazonOrderId>"
                "<PurchaseDate>2020-05-04T10:00:00Z</PurchaseDate>"
                "<LastUpdateDate>2020-05-04T11:00:00Z</LastUpdateDate>"
                "<OrderStatus>Shipped</OrderStatus></Order>"
                for i in ids
            )
            body = (
                f'<GetOrderResponse xmlns="{ORDERS_NS}"><GetOrderResult><Orders>{orders}'
                "</Orders></GetOrderResult>"
                f"<ResponseMetadata><RequestId>req-{number}</RequestId></ResponseMetadata>"
                "</GetOrderResponse>"
            )
        return httpx.Response(200, content=body.encode())
