"""Batch lists: a call with more items than one request takes is split to the documented limit,
each request throttled on its own, the answers merged in the order asked; other list limits
still refuse before any I/O."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from runtime_helpers import NOW, FakeTimer
from runtime_helpers.batches import Answers

from mwskit import MWS, AsyncMWS
from mwskit.orders import GetOrderResult
from mwskit.products import GetMatchingProductForIdResponse


def client(answers: Answers, timer: FakeTimer) -> MWS:
    return MWS(
        access_key="AK",
        secret_key="SK",
        seller_id="BATCHSELLER",
        transport=httpx.MockTransport(answers),
        clock=lambda: NOW,
        timer=timer,
    )


def test_27_ids_go_in_six_throttled_requests_merged_in_order() -> None:
    answers, timer = Answers(), FakeTimer()
    ids = [f"B{n:09d}" for n in range(27)]
    with client(answers, timer) as mws:
        result = mws.products.get_matching_product_for_id(
            marketplace_id="ATVPDKIKX0DER", id_type="ASIN", id_list=iter(ids)
        )
    assert isinstance(result, GetMatchingProductForIdResponse)
    assert answers.asked == [ids[start : start + 5] for start in range(0, 27, 5)]
    assert [item.id for item in result.results] == ids
    assert [part.request_id for part in result.parts] == [f"req-{n}" for n in range(1, 7)]
    assert [[item.id for item in part.results] for part in result.parts] == answers.asked
    assert result.request_id == "req-6"
    # 20 items of burst, one restored every 0.2 s: four requests of 5 go at once, the fifth
    # waits for 5 items (1 s), the last for its 2 (0.4 s).
    assert timer.sleeps == [pytest.approx(1.0), pytest.approx(0.4)]


def test_fifty_one_order_ids_go_in_two_requests() -> None:
    answers, timer = Answers(), FakeTimer()
    ids = [f"902-0000000-{n:07d}" for n in range(51)]
    with client(answers, timer) as mws:
        result = mws.orders.get_order(amazon_order_id=ids)
    assert isinstance(result, GetOrderResult)
    assert [len(asked) for asked in answers.asked] == [50, 1]
    assert [order.amazon_order_id for order in result.orders] == ids
    assert [part.request_id for part in result.parts] == ["req-1", "req-2"]


def test_a_call_that_fits_one_request_is_not_split() -> None:
    answers, timer = Answers(), FakeTimer()
    with client(answers, timer) as mws:
        result = mws.products.get_matching_product_for_id(
            marketplace_id="ATVPDKIKX0DER", id_type="ASIN", id_list=["B1", "B2"]
        )
    assert answers.asked == [["B1", "B2"]]
    assert result.parts == ()
    assert result.request_id == "req-1"


def test_a_bad_item_in_the_last_request_is_refused_before_any_is_sent() -> None:
    answers, timer = Answers(), FakeTimer()
    ids: list[object] = [f"B{n}" for n in range(11)] + [42]
    with client(answers, timer) as mws, pytest.raises(TypeError) as caught:
        mws.products.get_matching_product_for_id(
            marketplace_id="ATVPDKIKX0DER",
            id_type="ASIN",
            id_list=ids,  # type: ignore[arg-type]
        )
    assert str(caught.value) == (
        "get_matching_product_for_id(): id_list[11] (IdList.Id.12) must be a str, not int"
    )
    assert answers.asked == []


def test_the_async_client_splits_the_same_way() -> None:
    answers, timer = Answers(), FakeTimer()
    ids = [f"B{n}" for n in range(7)]

    async def run() -> GetMatchingProductForIdResponse:
        async with AsyncMWS(
            access_key="AK",
            secret_key="SK",
            seller_id="BATCHASYNC",
            transport=httpx.MockTransport(answers),
            clock=lambda: NOW,
            timer=timer,
        ) as mws:
            return await mws.products.get_matching_product_for_id(
                marketplace_id="ATVPDKIKX0DER", id_type="ASIN", id_list=ids
            )

    result = asyncio.run(run())
    assert answers.asked == [ids[:5], ids[5:]]
    assert [item.id for item in result.results] == ids
    assert [part.request_id for part in result.parts] == ["req-1", "req-2"]
