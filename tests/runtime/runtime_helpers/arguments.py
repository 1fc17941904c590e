"""Helpers for the argument checks: a transport no check may reach, exact messages, base calls."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest

from mwskit import MWS

from .wire import minimal_answer


class NoRequests:
    def __init__(self) -> None:
        self.calls = 0

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.calls += 1
        return httpx.Response(200, content=minimal_answer(request))


def raises(kind: type[Exception], message: str, call: Callable[[], Any]) -> None:
    with pytest.raises(kind) as caught:
        call()
    assert type(caught.value) is kind
    assert str(caught.value) == message


ADDRESS: dict[str, Any] = {
    "name": "Jane",
    "address_line1": "1 Main St",
    "city": "Seattle",
    "country_code": "US",
}


def plan(mws: MWS, address: Any = None, items: Any = None, **extra: Any) -> Any:
    return mws.fulfillment_inbound_shipment.create_inbound_shipment_plan(
        ship_from_address=ADDRESS if address is None else address,
        inbound_shipment_plan_request_items=(
            [{"seller_sku": "S", "quantity": 1}] if items is None else items
        ),
        **extra,
    )


def small_parcel(mws: MWS, dimensions: Any = None, weight: Any = None, packages: Any = None) -> Any:
    package = {
        "dimensions": (
            {"length": 1, "width": 1, "height": 1, "unit": "inches"}
            if dimensions is None
            else dimensions
        ),
        "weight": {"value": 1, "unit": "pounds"} if weight is None else weight,
    }
    return mws.fulfillment_inbound_shipment.put_transport_content(
        shipment_id="FBA1",
        is_partnered=True,
        shipment_type="SP",
        transport_details={
            "partnered_small_parcel_data": {
                "package_list": [package] if packages is None else packages
            }
        },
    )
