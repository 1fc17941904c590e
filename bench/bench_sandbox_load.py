"""A bounded load test: 8 clients, 2,000 calls in all, against the sandbox over loopback HTTP.

The sandbox throttles by the specs' quotas and answers 10% of requests with an injected 503.
Each client retries with the default policy (a short base delay, so the run stays quick) and
records every attempt it made through the `on_event` hook. At the end the run checks that every
call either succeeded or raised a documented MWS error, and that the sandbox received exactly
the attempts the clients made: nothing lost, nothing sent twice. It prints calls per second.

    .venv/bin/python bench/bench_sandbox_load.py [--calls 2000 --clients 8]
"""

from __future__ import annotations

import argparse
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import mwskit
from mwskit import errors
from mwskit.sandbox import FaultConfig, Sandbox, start

ACCESS_KEY, SECRET_KEY = "AKLOAD", "load-secret"
DOCUMENTED = {
    "RequestThrottled",
    "QuotaExceeded",
    "ServiceUnavailable",
    "InternalError",
}


@dataclass
class LoadReport:
    calls: int
    attempts: int
    received: int
    seconds: float
    outcomes: Counter[str] = field(default_factory=Counter)
    undocumented: list[str] = field(default_factory=list)

    @property
    def calls_per_second(self) -> float:
        return self.calls / self.seconds


def run(calls: int = 2000, clients: int = 8, seed: int = 7) -> LoadReport:
    sandbox = Sandbox({ACCESS_KEY: SECRET_KEY}, seed=seed, faults=FaultConfig(error_503_rate=0.1))
    per_client = [calls // clients + (1 if i < calls % clients else 0) for i in range(clients)]
    lock = threading.Lock()
    report = LoadReport(calls=calls, attempts=0, received=0, seconds=0.0)

    def worker(index: int, url: str) -> None:
        retries = 0

        def count(event: mwskit.Event) -> None:
            nonlocal retries
            if event.kind == "retry":
                retries += 1

        outcomes: Counter[str] = Counter()
        undocumented: list[str] = []
        policy = mwskit.RetryPolicy(max_attempts=4, base_delay=0.005, max_delay=0.05)
        with mwskit.MWS(
            access_key=ACCESS_KEY,
            secret_key=SECRET_KEY,
            seller_id=f"A{index}LOADSELLER",
            endpoint=url,
            retries=policy,
            throttle="off",  # the sandbox throttles; waiting out real quotas would take hours
            on_event=count,
        ) as mws:
            for number in range(per_client[index]):
                try:
                    if number % 3 == 0:
                        mws.feeds.get_feed_submission_count()
                    elif number % 3 == 1:
                        mws.orders.get_service_status()
                    else:
                        mws.sellers.list_marketplace_participations()
                    outcomes["success"] += 1
                except errors.MWSError as error:
                    outcomes[error.code or type(error).__name__] += 1
                    if error.code not in DOCUMENTED:
                        undocumented.append(repr(error))
        with lock:
            report.outcomes.update(outcomes)
            report.undocumented.extend(undocumented)
            report.attempts += per_client[index] + retries

    with start(sandbox) as running, ThreadPoolExecutor(clients) as pool:
        began = time.perf_counter()
        list(pool.map(lambda index: worker(index, running.url), range(clients)))
        report.seconds = time.perf_counter() - began
    report.received = sandbox.stats().received
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=2000)
    parser.add_argument("--clients", type=int, default=8)
    args = parser.parse_args()
    report = run(args.calls, args.clients)
    print(
        f"{args.clients} clients, {report.calls} calls, {report.attempts} attempts (with retries)"
    )
    print(f"outcomes: {dict(sorted(report.outcomes.items()))}")
    print(f"sandbox received {report.received} requests; clients sent {report.attempts}")
    print(
        f"{report.calls_per_second:.0f} calls/s, {report.attempts / report.seconds:.0f} requests/s"
    )
    ok = report.received == report.attempts and not report.undocumented
    print("nothing lost or duplicated; every failure a documented error" if ok else "MISMATCH")


if __name__ == "__main__":
    main()
