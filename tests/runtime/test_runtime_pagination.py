"""Paging iterators following next tokens, sync and async, and arguments surviving a retry."""

from __future__ import annotations

import asyncio

import httpx
from runtime_helpers import NOW, FakeTimer
from runtime_helpers.scripted import (
    MARKETPLACE,
    Script,
    error_xml,
    make,
    make_async,
    orders_page,
    xml_response,
)

# --- pagination -----------------------------------------------------------------------------


def pages() -> list[httpx.Response]:
    return [
        xml_response(200, orders_page("ListOrders", ["A1", "A2"], "token-1")),
        xml_response(200, orders_page("ListOrdersByNextToken", ["B1"], "token-2")),
        xml_response(200, orders_page("ListOrdersByNextToken", ["C1", "C2"], None)),
    ]


def test_iterator_follows_next_tokens_to_the_last_page() -> None:
    timer = FakeTimer()
    script = Script(timer, pages())
    mws = make(timer, script, throttle="off")
    seen = [
        [order.amazon_order_id for order in page.orders]
        for page in mws.orders.iter_list_orders(marketplace_id=MARKETPLACE, created_after=NOW)
    ]
    assert seen == [["A1", "A2"], ["B1"], ["C1", "C2"]]
    assert [script.params(i)["Action"] for i in range(3)] == [
        "ListOrders",
        "ListOrdersByNextToken",
        "ListOrdersByNextToken",
    ]
    assert script.params(1)["NextToken"] == "token-1"
    assert script.params(2)["NextToken"] == "token-2"
    assert "MarketplaceId.Id.1" not in script.params(1)


def test_iterator_stops_early_without_more_requests() -> None:
    timer = FakeTimer()
    script = Script(timer, pages())
    mws = make(timer, script, throttle="off")
    for page in mws.orders.iter_list_orders(marketplace_id=MARKETPLACE, created_after=NOW):
        assert page.next_token == "token-1"
        break
    assert len(script.requests) == 1


def test_iterator_stops_on_has_next_false() -> None:
    timer = FakeTimer()
    body = (
        '<GetReportListResponse xmlns="http://mws.amazonaws.com/doc/2009-01-01/">'
        "<GetReportListResult><NextToken>none</NextToken><HasNext>false</HasNext>"
        "</GetReportListResult></GetReportListResponse>"
    )
    script = Script(timer, [xml_response(200, body)])
    mws = make(timer, script, throttle="off")
    assert len(list(mws.reports.iter_get_report_list())) == 1
    assert len(script.requests) == 1


def test_items_iterators_yield_the_records_of_every_page() -> None:
    timer = FakeTimer()
    script = Script(timer, pages())
    mws = make(timer, script, throttle="off")
    orders = mws.orders.iter_list_orders_items(marketplace_id=MARKETPLACE, created_after=NOW)
    assert [order.amazon_order_id for order in orders] == ["A1", "A2", "B1", "C1", "C2"]
    assert len(script.requests) == 3

    async def main() -> list[str]:
        async with make_async(timer, Script(timer, pages()), throttle="off") as client:
            found = client.orders.iter_list_orders_items(
                marketplace_id=MARKETPLACE, created_after=NOW
            )
            return [order.amazon_order_id async for order in found]

    assert asyncio.run(main()) == ["A1", "A2", "B1", "C1", "C2"]


def test_all_pages_is_one_result_with_every_record() -> None:
    timer = FakeTimer()
    script = Script(timer, pages())
    mws = make(timer, script, throttle="off")
    result = mws.orders.list_orders_all_pages(marketplace_id=MARKETPLACE, created_after=NOW)
    assert [order.amazon_order_id for order in result.orders] == ["A1", "A2", "B1", "C1", "C2"]
    assert result.next_token is None
    assert result.request_id == "rid-ListOrders"  # the first page's metadata
    assert len(script.requests) == 3

    async def main() -> list[str]:
        async with make_async(timer, Script(timer, pages()), throttle="off") as client:
            found = await client.orders.list_orders_all_pages(
                marketplace_id=MARKETPLACE, created_after=NOW
            )
            return [order.amazon_order_id for order in found.orders]

    assert asyncio.run(main()) == ["A1", "A2", "B1", "C1", "C2"]


def test_items_iterators_stop_early_without_more_requests() -> None:
    timer = FakeTimer()
    script = Script(timer, pages())
    mws = make(timer, script, throttle="off")
    orders = mws.orders.iter_list_orders_items(marketplace_id=MARKETPLACE, created_after=NOW)
    assert [next(orders).amazon_order_id, next(orders).amazon_order_id] == ["A1", "A2"]
    assert len(script.requests) == 1


def test_async_iterator_and_retry() -> None:
    timer = FakeTimer()
    script = Script(timer, [xml_response(503, error_xml("RequestThrottled")), *pages()])

    async def main() -> list[list[str]]:
        async with make_async(timer, script, throttle="off") as mws:
            return [
                [order.amazon_order_id for order in page.orders]
                async for page in mws.orders.iter_list_orders(
                    marketplace_id=MARKETPLACE, created_after=NOW
                )
            ]

    assert asyncio.run(main()) == [["A1", "A2"], ["B1"], ["C1", "C2"]]
    assert len(script.requests) == 4
    assert len(timer.sleeps) == 1


def test_generator_arguments_survive_a_retry() -> None:
    timer = FakeTimer()
    script = Script(
        timer,
        [
            xml_response(500, error_xml("InternalError")),
            xml_response(200, orders_page("GetOrder", [], None)),
        ],
    )
    mws = make(timer, script, throttle="off")
    mws.orders.get_order(amazon_order_id=(i for i in ["902-3159896-1390916"]))
    assert script.params(0)["AmazonOrderId.Id.1"] == "902-3159896-1390916"
    assert script.params(1)["AmazonOrderId.Id.1"] == "902-3159896-1390916"
