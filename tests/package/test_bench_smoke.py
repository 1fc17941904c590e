"""The benchmark still runs (figures are not asserted: speed is read from its output)."""

from __future__ import annotations

import json
import subprocess
import sys

from conftest import ROOT

ROW_PREFIX = "mwskit-bench-row "  # bench/summary.py: the rows `dev.py bench` tabulates


def run_bench(script: str, *arguments: str) -> str:
    """A benchmark's output, run as `python3 dev.py bench` runs it; it must exit 0."""
    result = subprocess.run(
        [sys.executable, script, *arguments], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def split_rows(stdout: str) -> tuple[list[str], list[str]]:
    """The benchmark's plain lines, and the measures of the summary rows it printed."""
    lines = stdout.splitlines()
    rows = [json.loads(line[len(ROW_PREFIX) :]) for line in lines if line.startswith(ROW_PREFIX)]
    assert all(set(row) == {"measure", "floor", "now", "goal", "met"} for row in rows)
    return [line for line in lines if not line.startswith(ROW_PREFIX)], [
        row["measure"] for row in rows
    ]


def test_signing_benchmark_runs_and_reports_the_ratio() -> None:
    stdout = run_bench("bench/bench_signing.py", "--rounds", "1", "--number", "20")
    lines, rows = split_rows(stdout)
    assert rows == ["build + sign one ListOrders (5 list items), validation on"]
    assert any(line.startswith("floor (hand-written SigV2, no validation)") for line in lines)
    assert any(line.startswith("mwskit list_orders (validated)") for line in lines)
    assert lines[-1].startswith("mwskit / floor = ")


def test_report_stream_benchmark_runs_small() -> None:
    stdout = run_bench("bench/bench_report_stream.py", "--size-mb", "4", "--rows-mb", "2")
    lines = stdout.splitlines()
    assert lines[0] == "report: 4 MiB windows-1252, MD5 verified, decoded 4194304 characters"
    assert lines[1].startswith("get_report stream + MD5 + decode: ")
    assert lines[1].endswith(" s)") and " MB/s (" in lines[1]
    assert lines[2].startswith("peak RSS after streaming: ")
    assert lines[3].startswith("iter_report_rows: ") and " rows/s " in lines[3]


def test_throttle_store_benchmark_runs_and_reports_ratios() -> None:
    stdout = run_bench("bench/bench_throttle_store.py", "--rounds", "1", "--number", "20")
    lines = stdout.splitlines()
    assert lines[1].startswith("signed request (build + sign)")
    assert lines[2].startswith("in-process store (Reserve)") and lines[2].endswith(" x signed")
    assert lines[3].startswith(("Redis store (Reserve, loopback)", "Redis store: skipped"))


def test_import_benchmark_runs_and_gives_verdicts() -> None:
    stdout = run_bench("bench/bench_import.py", "--rounds", "1", "--sections", "sellers")
    lines, rows = split_rows(stdout)
    assert rows == [
        "`import mwskit`, fresh process, compiled bytecode",
        "one section's first use, after `import mwskit` (slowest section)",
        "memory: `import mwskit` + one client (ru_maxrss)",
    ]
    assert any(line.startswith("  import mwskit / floor = ") for line in lines)
    assert any(line.startswith("  mwskit.sellers ") for line in lines)
    assert lines[-1].startswith("  mwskit + client / floor = ")


def test_runtime_benchmark_runs_and_gives_its_verdict() -> None:
    stdout = run_bench(
        "bench/bench_runtime.py", "--rounds", "1", "--seconds", "0.0005", "--calls", "20"
    )
    lines, rows = split_rows(stdout)
    assert rows == ["throttle + retry bookkeeping on the success path"]
    assert lines[1].startswith("build and sign (the floor of this row)")
    assert lines[2].startswith("bookkeeping (throttle + retry)")
    verdict = next(line for line in lines if "of a built-and-signed request: " in line)
    assert " the goal of < 10% (in situ: " in verdict


def test_parse_benchmark_runs_and_gives_its_rows() -> None:
    stdout = run_bench("bench/bench_parse.py", "--rounds", "1", "--sizes", "20, 40")
    lines, rows = split_rows(stdout)
    peer = ["parse ListOrders, 20 orders, against the peer"]
    assert rows in (
        [
            "parse ListOrders, 20 orders, into typed results",
            "parse cost per order, 20 -> 40 orders",
        ],
        [
            "parse ListOrders, 20 orders, into typed results",
            *peer,
            "parse cost per order, 20 -> 40 orders",
        ],
    )
    assert any(line.startswith("goal per-order cost at 40 <= 1.1x that at 20: ") for line in lines)
