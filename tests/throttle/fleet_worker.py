"""One worker process of the fleet tests: `python fleet_worker.py '<json options>'`.

Connects to the sandbox, waits until the shared start time, then makes `calls` GetShipment calls through a client whose
buckets live in the Redis store, and prints one JSON line: per call its start and end
(time.time()) and its outcome ("ok" or the error class), and the warnings mwskit logged.
"""

from __future__ import annotations

import json
import logging
import sys
import time
from typing import Any

import mwskit


class Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def main(options: dict[str, Any]) -> dict[str, Any]:
    collect = Collect()
    logging.getLogger("mwskit").addHandler(collect)
    store = mwskit.RedisThrottleStore(options["redis"], on_store_error=options["policy"])
    mws = mwskit.MWS(
        access_key="AKFLEET",
        secret_key="fleet-secret",
        seller_id=options["seller"],
        endpoint=options["sandbox"],
        retries=mwskit.RetryPolicy(max_attempts=options["attempts"]),
        throttle_store=store,
    )
    mws.fulfillment_inventory.list_inventory_supply(seller_skus=["WARMUP"])  # connected first
    mws.merchant_fulfillment  # noqa: B018 - its section loads on first access: before the start
    time.sleep(max(0.0, options["start_at"] - time.time()))
    calls = []
    for _ in range(options["calls"]):
        started = time.time()
        try:
            mws.merchant_fulfillment.get_shipment(shipment_id="FLEET")
            outcome = "ok"
        except mwskit.MWSError as error:
            outcome = type(error).__name__
        calls.append({"start": started, "end": time.time(), "outcome": outcome})
    mws.close()
    store.close()
    return {"calls": calls, "warnings": collect.messages}


if __name__ == "__main__":
    print(json.dumps(main(json.loads(sys.argv[1]))))
