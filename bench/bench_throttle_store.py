"""What a throttle store costs per call, beside building and signing the request it paces.

- signed request: RequestBuilder.build for ListOrders (validate, encode, sign);
- in-process store: one Reserve on a LocalBucket (the default), the bucket never empty;
- Redis store: one Reserve through the Lua script on a local redis-server (a loopback round
  trip plus the script), started by this benchmark on a free port and stopped after; skipped
  when redis-server is not installed (apt-get install redis-server).
Each store's figure is printed as a ratio of the signed request's.

    .venv/bin/python bench/bench_throttle_store.py [--rounds 5 --number 2000]
"""

from __future__ import annotations

import argparse
import platform
import shutil
import socket
import subprocess
import tempfile
import time
import timeit
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import redis

from mwskit import RedisThrottleStore
from mwskit._runtime import ClientConfig
from mwskit._runtime.request import RequestBuilder
from mwskit._runtime.throttle import BucketKey, BucketRegistry, Reserve, Timer
from mwskit.marketplaces import REGION_HOSTS
from mwskit.orders import _operations as ops

CREATED_AFTER = datetime(2024, 1, 1, tzinfo=UTC)
VALUES: tuple[Any, ...] = tuple(
    {"marketplace_id": ["ATVPDKIKX0DER"], "created_after": CREATED_AFTER}.get(p.python_name)
    for p in ops.LIST_ORDERS.params
)
SPEC = ops.LIST_ORDERS.throttling
KEY = BucketKey(Timer(), "A1EXAMPLESELLER", ops.SECTION.name, SPEC.bucket)
RESERVE = Reserve(1.0, True)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_redis(workdir: str) -> tuple[subprocess.Popen[bytes], str] | None:
    binary = shutil.which("redis-server")
    if binary is None:
        return None
    port = free_port()
    command = [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--dir", workdir]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    client = redis.Redis(port=port)
    for _ in range(500):
        try:
            client.ping()
            break
        except redis.ConnectionError:
            time.sleep(0.01)
    client.close()
    return process, f"redis://127.0.0.1:{port}/0"


def best(function: Callable[[], object], rounds: int, number: int) -> float:
    return min(timeit.timeit(function, number=number) / number * 1e6 for _ in range(rounds))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--number", type=int, default=2000)
    args = parser.parse_args()
    builder = RequestBuilder(
        ClientConfig(
            access_key="AKIAEXAMPLEACCESSKEY",
            secret_key="EXAMPLE/SECRET+KEY",
            seller_id="A1EXAMPLESELLER",
            region_hosts=REGION_HOSTS,
        )
    )
    local = BucketRegistry().get(KEY, SPEC)
    clock = [0.0]

    def local_reserve() -> None:
        clock[0] += 3600.0  # an hour later each time: the bucket is full, the common case
        local.apply(RESERVE, clock[0])

    print(f"Python {platform.python_version()} on {platform.machine()}; best of {args.rounds}")
    signed = best(lambda: builder.build(ops.SECTION, ops.LIST_ORDERS, VALUES), args.rounds, 2000)
    in_process = best(local_reserve, args.rounds, args.number * 10)
    print(f"{'signed request (build + sign)':34} {signed:8.2f} us")
    print(
        f"{'in-process store (Reserve)':34} {in_process:8.2f} us = {in_process / signed:.3f} x signed"
    )
    with tempfile.TemporaryDirectory() as workdir:
        started = start_redis(workdir)
        if started is None:
            print("Redis store: skipped (no redis-server on PATH)")
            return
        process, url = started
        try:
            store = RedisThrottleStore(url, prefix="bench")
            bucket = store.get(KEY, SPEC)
            shared = best(lambda: bucket.apply(RESERVE, 0.0), args.rounds, args.number)
            store.close()
        finally:
            process.terminate()
            process.wait(timeout=10)
    print(
        f"{'Redis store (Reserve, loopback)':34} {shared:8.2f} us = {shared / signed:.3f} x signed"
    )


if __name__ == "__main__":
    main()
