"""Fault-injection suite (issue 13, "Must show"): N calls of unsafe actions (SubmitFeed,
RequestReport) and safe ones (ListOrders, GetReportRequestList) through every fault kind of the
issue, against a deterministic `httpx.MockTransport` and against the sandbox over real loopback
HTTP, holding every call to the same rules:

- no duplicate unsafe sends: no SubmitFeed / RequestReport call processed twice by the service;
- no call lost silently: a call returns a result the service really answered, or raises;
- every failure is an `mwskit.MWSError`; an unsafe call the service processed but whose answer
  was not had raises `OutcomeUnknown`;
- no secret (secret key, MWSAuthToken, any Signature sent) in the DEBUG records of the `mwskit`
  and `httpx` loggers, in `str`/`repr` of a raised error or anything in its cause/context
  chain, in their pickles, or in a `capture_locals=True` traceback; raised errors survive a
  pickle round trip and `copy`;
- calls end in bounded time (real time, for the kinds where real time is at stake).

The client sleeps on a fake timer, so backoff and throttle waits cost nothing. Each run's counts
go to a table (shown with `-s`) and to .cache/faults/summary.json. See fault_kinds.py for the
machinery.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from typing import Any

import pytest
from fault_kinds import (
    ACTIONS,
    ATTEMPT_TIMEOUT_SUPPORTED,
    ELEMENT_LIMIT_OPTION,
    MOCK_KINDS,
    DripServer,
    FakeTimer,
    Kind,
    Ledger,
    MockService,
    NoteSecrets,
    Tally,
    captured_logs,
    client_options,
    closed_port,
    evaluate,
    make_client,
    make_recording_sandbox,
    run_calls,
    table,
)

from conftest import ROOT
from mwskit import RetryPolicy
from mwskit.sandbox import FaultConfig, SandboxServer

SEED = 13
SUMMARY: list[Tally] = []
SUMMARY_PATH = ROOT / ".cache" / "faults" / "summary.json"
MOCK_CALL_BOUND = 10.0  # real seconds any one mock call may take


@pytest.fixture(scope="module", autouse=True)
def _summary() -> Any:
    started = time.perf_counter()
    yield
    if not SUMMARY:
        return
    elapsed = time.perf_counter() - started
    text = table(SUMMARY)
    print(
        f"\n\nfault suite summary ({elapsed:.1f} s; attempt_timeout supported: "
        f"{ATTEMPT_TIMEOUT_SUPPORTED}; element limit option: {ELEMENT_LIMIT_OPTION})\n{text}"
    )
    SUMMARY_PATH.parent.mkdir(parents=True, exist_ok=True)
    SUMMARY_PATH.write_text(
        json.dumps(
            {
                "seed": SEED,
                "seconds": round(elapsed, 2),
                "attempt_timeout_supported": ATTEMPT_TIMEOUT_SUPPORTED,
                "element_limit_option": ELEMENT_LIMIT_OPTION,
                "kinds": {kind.name: kind.what for kind in MOCK_KINDS},
                "sandbox_kinds": {name: repr(config) for name, config in SANDBOX_KINDS.items()},
                "runs": [tally.as_json() for tally in SUMMARY],
            },
            indent=1,
            default=str,
        )
    )


def _assert_clean(tallies: list[Tally]) -> None:
    """Fail with every breach of every action of the run, each with one example."""
    SUMMARY.extend(tallies)
    problems = []
    for tally in tallies:
        for rule, count in tally.breaches().items():
            problems.append(
                f"{tally.transport}/{tally.kind}/{tally.action}: {rule}={count} "
                f"(of {tally.calls} calls), e.g. {tally.examples.get(rule, '')}"
            )
    assert not problems, "\n".join(problems)


# ----------------------------------------------------------------------------- mock


@pytest.mark.parametrize(
    "kind",
    [pytest.param(kind, marks=[pytest.mark.slow] if kind.slow else []) for kind in MOCK_KINDS],
    ids=lambda kind: kind.name,
)
def test_mock_fault_kind(kind: Kind) -> None:
    tallies = []
    with captured_logs() as capture:
        for action in ACTIONS:
            timer, ledger = FakeTimer(), Ledger()
            service = MockService(kind, SEED, timer, ledger, action.name)
            options = client_options(attempt_timeout=5.0)
            with make_client(timer, transport=service.transport(), **options) as mws:
                records = run_calls(mws, timer, action, kind.mock_calls, capture)
            tally = Tally("mock", kind.name, action.name)
            tallies.append(evaluate(tally, records, ledger, time_bound=MOCK_CALL_BOUND))
    _assert_clean(tallies)


# ----------------------------------------------------------------------------- sandbox, TCP

SANDBOX_KINDS = {
    "sandbox_error500": FaultConfig(error_500_rate=0.3),
    "sandbox_error503": FaultConfig(error_503_rate=0.3),
    "sandbox_throttled": FaultConfig(error_503_rate=0.3, error_503_code="RequestThrottled"),
    "sandbox_reset": FaultConfig(reset_rate=0.3),
    "sandbox_malformed": FaultConfig(malformed_rate=0.3),
    "sandbox_mixed": FaultConfig(
        error_500_rate=0.1, error_503_rate=0.1, reset_rate=0.1, malformed_rate=0.1
    ),
}
TCP_CALLS = 30


@pytest.mark.parametrize("name", list(SANDBOX_KINDS))
def test_sandbox_over_tcp(name: str) -> None:
    timer, ledger = FakeTimer(), Ledger()
    sandbox = make_recording_sandbox(
        ledger, name, seed=SEED, faults=SANDBOX_KINDS[name], clock=timer.wall
    )
    tallies = []
    with SandboxServer(sandbox) as server, captured_logs() as capture:
        for action in ACTIONS:
            options = client_options(attempt_timeout=5.0)
            with make_client(timer, endpoint=server.url, **options) as mws:
                records = run_calls(mws, timer, action, TCP_CALLS, capture)
            tally = Tally("tcp", name, action.name)
            tallies.append(evaluate(tally, records, ledger, time_bound=MOCK_CALL_BOUND))
    _assert_clean(tallies)


READ_TIMEOUT = 0.1  # the client's attempt (or read) timeout against a slow sandbox
LATENCY = 0.3  # the sandbox's added latency: every attempt times out


def test_sandbox_read_timeouts_over_tcp() -> None:
    """Every answer comes after the client's timeout: each attempt must end at its timeout."""
    timer, ledger = FakeTimer(), Ledger()
    sandbox = make_recording_sandbox(
        ledger, "latency", seed=SEED, faults=FaultConfig(latency=LATENCY), clock=timer.wall
    )
    policy = RetryPolicy(max_attempts=3)
    bound = policy.max_attempts * (READ_TIMEOUT + 0.25) + 0.5
    tallies = []
    with SandboxServer(sandbox) as server, captured_logs() as capture:
        for action in ACTIONS:
            options = client_options(attempt_timeout=READ_TIMEOUT, timeout=READ_TIMEOUT)
            with make_client(timer, endpoint=server.url, retries=policy, **options) as mws:
                records = run_calls(mws, timer, action, 3, capture)
            tally = Tally("tcp", "sandbox_read_timeout", action.name)
            tallies.append(evaluate(tally, records, ledger, time_bound=bound))
    _assert_clean(tallies)


def test_connection_refused_over_tcp() -> None:
    timer, ledger = FakeTimer(), Ledger()
    endpoint = f"http://127.0.0.1:{closed_port()}"
    tallies = []
    with captured_logs() as capture:
        for action in ACTIONS:
            transport = NoteSecrets(ledger)
            with make_client(
                timer, endpoint=endpoint, transport=transport, **client_options(attempt_timeout=5.0)
            ) as mws:
                records = run_calls(mws, timer, action, 10, capture, ledger)
            tally = Tally("tcp", "connection_refused", action.name)
            tallies.append(evaluate(tally, records, ledger, time_bound=MOCK_CALL_BOUND))
    _assert_clean(tallies)


DRIP_ATTEMPT = 0.25  # attempt_timeout (else timeout) against a server dripping bytes
DRIP_HOLD = 1.0  # the drip server lets go of a connection after this long at most


@pytest.mark.slow
def test_slow_drip_over_tcp() -> None:
    """A server sending one byte every 50 ms never trips a per-read timeout: only an overall
    attempt deadline ends the attempt. Each connection must be let go within the deadline."""
    ledger = Ledger()
    policy = RetryPolicy(max_attempts=2)
    attempt_bound = DRIP_ATTEMPT + 0.3
    results: dict[str, Tally] = {}
    with DripServer(ledger, step=0.05, hold=DRIP_HOLD) as server, captured_logs() as capture:

        def run(action: Any) -> None:
            timer = FakeTimer()
            options = client_options(attempt_timeout=DRIP_ATTEMPT, timeout=DRIP_ATTEMPT)
            with make_client(timer, endpoint=server.url, retries=policy, **options) as mws:
                records = run_calls(mws, timer, action, 2, capture)
            bound = policy.max_attempts * attempt_bound + 0.3
            tally = Tally("tcp", "slow_drip", action.name)
            results[action.name] = evaluate(tally, records, ledger, time_bound=bound)

        threads = [threading.Thread(target=run, args=(action,)) for action in ACTIONS]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    tallies = [results[action.name] for action in ACTIONS]
    for tally in tallies:  # each connection, too, must be let go at the attempt's deadline
        held = [seconds for call, seconds in server.held if call.startswith(f"{tally.action}:")]
        too_long = [seconds for seconds in held if seconds > attempt_bound]
        if too_long:
            tally.over_time_bound += len(too_long)
            tally.example(
                "over_time_bound",
                f"connections held {sorted(round(s, 2) for s in held)}"
                f" s > {attempt_bound:.2f} s",
            )
    _assert_clean(tallies)


# ----------------------------------------------------------------------------- the benchmark


def test_memory_benchmark_quick_runs_and_labels_its_rows() -> None:
    result = subprocess.run(
        [sys.executable, "bench/bench_memory.py", "--quick"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("peak memory per MB of ListOrders body")
    header = lines[1].split()
    assert header[:2] == ["case", "body_MB"]
    assert header[2:] == [
        "peak_MB",
        "MB_per_MB",
        "parse_MB_per_MB",
        "floor_MB",
        "floor_MB_per_MB",
        "outcome",
    ]
    labels = [line.split()[0] for line in lines[2:] if line.strip()]
    assert labels == ["realistic", "tiny"], lines
    for line in lines[2:]:
        cells = line.split()
        assert all(cell.replace(".", "", 1).isdigit() for cell in cells[1:7]), line
        assert cells[7].rstrip(",") in ("ok", "refused", "MemoryError"), line
