"""Serving the sandbox: in process and over HTTP, sync and async, fixtures, seeds, the command."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from typing import Any

import pytest
from sandbox_helpers import (
    AK,
    ALL_OPERATIONS,
    CREDS,
    SELLER,
    SK,
    client_options,
    make_client,
    text,
    texts,
)

import mwskit
from conftest import ROOT
from mwskit import errors
from mwskit.orders import _operations as orders_ops
from mwskit.sandbox import (
    SECTIONS,
    FaultConfig,
    Reply,
    Sandbox,
    SandboxServer,
    async_transport,
    start,
    transport,
)


def make_async_client(endpoint: str, **kwargs: Any) -> mwskit.AsyncMWS:
    options = {"access_key": AK, "secret_key": SK, "seller_id": SELLER, **client_options()}
    options.update(kwargs)
    return mwskit.AsyncMWS(endpoint=endpoint, **options)


# ---------------------------------------------------------------- in process, async, fixtures


def test_in_process_sync_and_async() -> None:
    sandbox = Sandbox(CREDS)
    with mwskit.MWS(
        access_key=AK,
        secret_key=SK,
        seller_id=SELLER,
        endpoint="http://sandbox.test",
        transport=transport(sandbox),
        **client_options(),
    ) as client:
        submitted = client.feeds.submit_feed(
            feed_type="_POST_PRODUCT_DATA_", feed_content=b"a\tb\n"
        )
        feed_id = text(submitted, "FeedSubmissionId")

    async def run() -> list[str]:
        async with mwskit.AsyncMWS(
            access_key=AK,
            secret_key=SK,
            seller_id=SELLER,
            endpoint="http://sandbox.test",
            transport=async_transport(sandbox),
            **client_options(),
        ) as client:
            found = []
            for _ in range(3):
                listed = await client.feeds.get_feed_submission_list(
                    feed_submission_id_list=[feed_id]
                )
                found.append(text(listed, "FeedProcessingStatus"))
            result = await client.feeds.get_feed_submission_result(feed_submission_id=feed_id)
            assert result.md5_verified
            return found

    assert asyncio.run(run()) == ["_SUBMITTED_", "_IN_PROGRESS_", "_DONE_"]
    assert sandbox.stats().by_action == {
        "SubmitFeed": 1,
        "GetFeedSubmissionList": 3,
        "GetFeedSubmissionResult": 1,
    }


def test_async_over_http(server: SandboxServer) -> None:
    async def run() -> int:
        async with make_async_client(server.url) as client:
            results = await asyncio.gather(*(client.orders.get_service_status() for _ in range(8)))
            return len({result.request_id for result in results})

    assert asyncio.run(run()) == 8


def test_fixtures_per_action() -> None:
    sandbox = Sandbox(CREDS, throttling=False)
    body = (
        f'<GetServiceStatusResponse xmlns="{orders_ops.SECTION.namespace}"><GetServiceStatusResult>'
        "<Status>RED</Status></GetServiceStatusResult></GetServiceStatusResponse>"
    )
    sandbox.add_fixture("Orders.GetServiceStatus", body)
    sandbox.add_fixture(
        "GetFeedSubmissionCount",
        lambda request: Reply(
            400,
            b"<ErrorResponse><Error><Code>InvalidRequest</Code><Message>no</Message></Error></ErrorResponse>",
        ),
    )
    with start(sandbox) as running, make_client(running.url) as client:
        assert text(client.orders.get_service_status(), "Status") == "RED"
        assert texts(client.sellers.get_service_status(), "Status") != ["RED"]
        with pytest.raises(errors.InvalidRequest):
            client.feeds.get_feed_submission_count()
        sandbox.remove_fixture("GetFeedSubmissionCount")
        client.feeds.get_feed_submission_count()


def test_answers_are_deterministic_per_seed() -> None:
    def body(seed: int) -> bytes:
        sandbox = Sandbox(CREDS, seed=seed)
        with mwskit.MWS(
            access_key=AK,
            secret_key=SK,
            seller_id=SELLER,
            endpoint="http://sandbox.test",
            transport=transport(sandbox),
            **client_options(),
        ) as client:
            return client.products.get_service_status().body

    assert body(1) == body(1)
    assert body(1) != body(2)


# ---------------------------------------------------------------- the command


def test_command_serves_until_sigterm() -> None:
    env = {**os.environ, "MWSKIT_SANDBOX_CREDENTIALS": "AKENV:env-secret"}
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "mwskit.sandbox",
            "--port",
            "0",
            "--access-key",
            AK,
            "--secret-key",
            SK,
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=ROOT,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        assert line.startswith("mwskit sandbox on http://127.0.0.1:"), line
        url = line.split()[3]
        assert line.endswith(
            f"({len(SECTIONS)} sections, {len(ALL_OPERATIONS)} actions); Ctrl-C to stop\n"
        )
        with make_client(url) as client:
            client.orders.get_service_status()
        with make_client(url, access_key="AKENV", secret_key="env-secret") as client:
            client.orders.get_service_status()
        process.send_signal(signal.SIGTERM)
        out, err = process.communicate(timeout=10)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0, err
    assert out == "mwskit sandbox stopped\n"


def test_command_requires_credentials() -> None:
    env = {key: value for key, value in os.environ.items() if key != "MWSKIT_SANDBOX_CREDENTIALS"}
    done = subprocess.run(
        [sys.executable, "-m", "mwskit.sandbox", "--port", "0"],
        capture_output=True,
        text=True,
        env=env,
        timeout=10,
    )
    assert done.returncode == 2
    assert done.stderr.splitlines()[-1] == (
        "python -m mwskit.sandbox: error: give --access-key and --secret-key "
        "(or set MWSKIT_SANDBOX_CREDENTIALS)"
    )


def test_concurrent_clients_are_all_counted() -> None:
    """8 clients, 200 calls, throttling on and 10% injected 503s: nothing lost, nothing extra."""
    from concurrent.futures import ThreadPoolExecutor

    sandbox = Sandbox(CREDS, faults=FaultConfig(error_503_rate=0.1))

    def worker(index: int) -> dict[str, int]:
        outcomes: dict[str, int] = {}
        with make_client(running.url, seller_id=f"A{index}LOAD") as client:
            for _ in range(25):
                try:
                    client.feeds.get_feed_submission_count()
                    key = "200"
                except errors.MWSError as error:
                    key = error.code or "?"
                outcomes[key] = outcomes.get(key, 0) + 1
        return outcomes

    with start(sandbox) as running, ThreadPoolExecutor(8) as pool:
        results = list(pool.map(worker, range(8)))
    total: dict[str, int] = {}
    for outcomes in results:
        for key, count in outcomes.items():
            total[key] = total.get(key, 0) + count
    assert sum(total.values()) == 200
    assert set(total) <= {"200", "RequestThrottled", "QuotaExceeded", "ServiceUnavailable"}
    stats = sandbox.stats()
    assert stats.received == 200
    assert stats.by_action == {"GetFeedSubmissionCount": 200}
    assert stats.by_status.get(200, 0) == total.get("200", 0)
    assert stats.by_code.get("RequestThrottled", 0) == total.get("RequestThrottled", 0)
    assert stats.by_code.get("ServiceUnavailable", 0) == total.get("ServiceUnavailable", 0)
    assert total.get("RequestThrottled", 0) > 0  # 25 calls per seller against a burst of 10
