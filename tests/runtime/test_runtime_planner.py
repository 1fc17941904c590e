"""The quota planner: requests and time a workload takes under the documented quotas, from a
full bucket or the bucket as it is; nothing is sent."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from runtime_helpers import NOW, FakeTimer
from runtime_helpers.arguments import NoRequests
from runtime_helpers.batches import Answers

from mwskit import MWS, AsyncMWS, QuotaPlan
from mwskit._runtime.planner import duration


def idle_client(seller: str, handler: httpx.MockTransport | None = None) -> MWS:
    return MWS(
        access_key="AK",
        secret_key="SK",
        seller_id=seller,
        transport=handler or httpx.MockTransport(NoRequests()),
        clock=lambda: NOW,
        timer=FakeTimer(),
    )


def test_three_thousand_ids_from_a_full_bucket() -> None:
    with idle_client("PLAN1") as mws:
        plan = mws.products.plan("get_matching_product_for_id", items=3000)
    # 5 ids a request; 20 items of burst, then one item every 0.2 s: (3000 - 20) * 0.2 s.
    assert plan == QuotaPlan(
        action="GetMatchingProductForId",
        calls=1,
        items=3000,
        requests=600,
        seconds=pytest.approx(596.0),  # type: ignore[arg-type]
        full_bucket=True,
    )
    assert str(plan) == "3,000 items → 600 requests, about 9 min 56 s with a full bucket"


def test_calls_of_an_action_throttled_per_request() -> None:
    with idle_client("PLAN2") as mws:
        plan = mws.merchant_fulfillment.plan("get_shipment", calls=50)
        orders = mws.orders.plan("get_order", items=51, calls=4)
    assert str(plan) == "50 calls → 50 requests, about 8.0 s with a full bucket"
    # 8 requests of GetOrder (50 + 1 ids each call): 6 at once, then one every 60 s.
    assert (orders.requests, orders.seconds) == (8, pytest.approx(120.0))
    assert str(orders) == "204 items → 8 requests, about 2 min 0 s with a full bucket"


def test_the_bucket_as_it_is_now() -> None:
    answers = Answers()
    with idle_client("PLAN3", httpx.MockTransport(answers)) as mws:
        mws.products.get_matching_product_for_id(
            marketplace_id="ATVPDKIKX0DER", id_type="ASIN", id_list=[f"B{n}" for n in range(20)]
        )
        now = mws.products.plan("get_matching_product_for_id", items=5)
        full = mws.products.plan("get_matching_product_for_id", items=5, current=False)
    assert len(answers.asked) == 4  # the planner sent nothing
    assert (now.seconds, now.full_bucket) == (pytest.approx(1.0), False)
    assert str(now) == "5 items → 1 request, about 1.0 s with the bucket as it is now"
    assert (full.seconds, full.full_bucket) == (0.0, True)


def test_the_async_client_plans_too() -> None:
    async def run() -> QuotaPlan:
        async with AsyncMWS(
            access_key="AK",
            secret_key="SK",
            seller_id="PLAN4",
            transport=httpx.MockTransport(NoRequests()),
            timer=FakeTimer(),
        ) as mws:
            return await mws.products.plan("get_matching_product_for_id", items=3000)

    assert asyncio.run(run()).requests == 600


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"method": "get_matching_product"}, None),
        ({"method": "nope"}, "method must be one of "),
        ({"method": "get_matching_product", "items": 0}, "items must be a positive integer; got 0"),
        ({"method": "get_matching_product", "calls": True}, "calls must be a positive integer"),
    ],
)
def test_bad_arguments_are_refused(arguments: dict[str, object], message: str | None) -> None:
    with idle_client("PLAN5") as mws:
        if message is None:
            assert mws.products.plan(**arguments).requests == 1  # type: ignore[arg-type]
            return
        with pytest.raises(ValueError) as caught:
            mws.products.plan(**arguments)  # type: ignore[arg-type]
    assert str(caught.value).startswith(message)


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(0.0, "0.0 s"), (59.94, "59.9 s"), (596.0, "9 min 56 s"), (7500.0, "2 h 5 min")],
)
def test_durations_read_as_people_plan(seconds: float, text: str) -> None:
    assert duration(seconds) == text
