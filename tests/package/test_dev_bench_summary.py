"""`python3 dev.py bench` gathers the rows the benchmarks print into one table at the end."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _load(name: str, path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


dev = _load("dev_under_test", ROOT / "dev.py")
summary = _load("bench_summary_under_test", ROOT / "bench" / "summary.py")


def test_runner_and_benchmarks_agree_on_the_prefix() -> None:
    assert dev.SUMMARY_PREFIX == summary.SUMMARY_PREFIX


def test_rows_are_collected_and_other_output_passes_through(
    capsys: pytest.CaptureFixture[str],
) -> None:
    script = (
        f"import sys; sys.path.insert(0, {str(ROOT / 'bench')!r}); from summary import summary_row; "
        "print('plain line'); "
        "summary_row('sign one request', 'floor 11 µs', '1.40x', '≤ 1.5x', True); "
        "summary_row('import', '0.13 s', '0.20 s', '≤ 0.15 s', False)"
    )
    rows: list[dict[str, object]] = []
    dev._run_collecting([sys.executable, "-c", script], rows)
    assert rows == [
        {
            "measure": "sign one request",
            "floor": "floor 11 µs",
            "now": "1.40x",
            "goal": "≤ 1.5x",
            "met": True,
        },
        {"measure": "import", "floor": "0.13 s", "now": "0.20 s", "goal": "≤ 0.15 s", "met": False},
    ]
    dev._print_summary(rows)
    out = capsys.readouterr().out
    assert "plain line\n" in out
    assert "mwskit-bench-row" not in out
    assert out.endswith(
        "| measure | floor | now | goal | met |\n|---|---|---|---|---|\n"
        "| sign one request | floor 11 µs | 1.40x | ≤ 1.5x | yes |\n"
        "| import | 0.13 s | 0.20 s | ≤ 0.15 s | **no** |\n"
    )


def test_a_failing_benchmark_fails_the_job() -> None:
    with pytest.raises(subprocess.CalledProcessError):
        dev._run_collecting([sys.executable, "-c", "raise SystemExit(3)"], [])
