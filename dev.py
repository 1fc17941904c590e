#!/usr/bin/env python3
"""Set up the project's virtual environment (.venv/) when needed, then run a job.

    python3 dev.py demo   regenerate the clients and docs from specs/, then sign a request
    python3 dev.py test   run every test (what CI runs)
    python3 dev.py bench  run the benchmarks in bench/ (installs the peers they compare with)
    python3 dev.py docs   regenerate, then build the documentation site into site/ (strict;
                          MWSKIT_SITE_URL gives the address it is published at); extra
                          arguments go to `mkdocs build` (e.g. --site-dir public)

Needs only Python 3.11+ with venv and pip; everything else is installed into .venv/.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
PYTHON = VENV / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
STAMP = VENV / ".mwskit-installed"
INSTALL_INPUTS = ("pyproject.toml", "generated/pyproject.toml")
BENCHMARKS = (
    "bench_signing",
    "bench_parse",
    "bench_import",
    "bench_runtime",
    "bench_report_stream",
    "bench_sandbox_load",
    "bench_throttle_store",
    "bench_generate",
    "bench_models_import",
)


def _install_fingerprint() -> str:
    digest = hashlib.sha256()
    for name in INSTALL_INPUTS:
        digest.update((ROOT / name).read_bytes())
    return digest.hexdigest()


def _run(*command: str | Path) -> None:
    print("+", " ".join(str(part) for part in command), flush=True)
    subprocess.run([str(part) for part in command], cwd=ROOT, check=True)


# The bench job's last step: the table of the rows the benchmarks printed.
SUMMARY: list[str | Path] = ["summary"]
SUMMARY_PREFIX = "mwskit-bench-row "  # bench/summary.py prints each row after it


def _run_collecting(command: list[str | Path], rows: list[dict[str, object]]) -> None:
    """Run a benchmark, echoing its output, and keep the summary rows it prints."""
    print("+", " ".join(str(part) for part in command), flush=True)
    with subprocess.Popen(
        [str(part) for part in command], cwd=ROOT, stdout=subprocess.PIPE, text=True, bufsize=1
    ) as process:
        assert process.stdout is not None
        for line in process.stdout:
            if line.startswith(SUMMARY_PREFIX):
                rows.append(json.loads(line[len(SUMMARY_PREFIX) :]))
            else:
                print(line, end="", flush=True)
    if process.returncode:
        raise subprocess.CalledProcessError(process.returncode, command)


def _print_summary(rows: list[dict[str, object]]) -> None:
    print("\n| measure | floor | now | goal | met |\n|---|---|---|---|---|")
    for row in rows:
        met = "yes" if row["met"] else "**no**"
        print(f"| {row['measure']} | {row['floor']} | {row['now']} | {row['goal']} | {met} |")


def ensure_environment() -> None:
    """Create .venv/ and install the generator, the dev tools and the generated package."""
    if sys.version_info < (3, 11):  # noqa: UP036 - dev.py may be run by an older python3
        raise SystemExit(f"Python 3.11+ is required; this is {sys.version.split()[0]}")
    if not PYTHON.exists():
        print(f"creating virtual environment in {VENV}", flush=True)
        venv.EnvBuilder(with_pip=True, clear=True).create(VENV)
    fingerprint = _install_fingerprint()
    if STAMP.exists() and STAMP.read_text() == fingerprint:
        return
    _run(PYTHON, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "-e", ".[dev]")
    _run(
        PYTHON, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "-e", "generated"
    )
    STAMP.write_text(fingerprint)


def main(argv: list[str]) -> int:
    benchmarks: list[list[str | Path]] = [[PYTHON, f"bench/{name}.py"] for name in BENCHMARKS]
    jobs: dict[str, list[list[str | Path]]] = {
        "demo": [[PYTHON, "-m", "generator", "generate"], [PYTHON, "examples/quickstart.py"]],
        "test": [[PYTHON, "-m", "pytest", *argv[2:]]],
        "bench": [
            [
                PYTHON,
                "-m",
                "pip",
                "install",
                "--quiet",
                "--disable-pip-version-check",
                "-e",
                ".[bench]",
            ],
            *benchmarks,
            SUMMARY,
        ],
        "docs": [
            [PYTHON, "-m", "generator", "generate"],
            [PYTHON, "-m", "mkdocs", "build", "--strict", "--clean", *argv[2:]],
        ],
    }
    if len(argv) < 2 or argv[1] not in jobs:
        print(__doc__, file=sys.stderr)
        return 2
    ensure_environment()
    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")  # Material's banner about MkDocs 2.0
    rows: list[dict[str, object]] = []
    try:
        for command in jobs[argv[1]]:
            if command is SUMMARY:
                _print_summary(rows)
            elif argv[1] == "bench":
                _run_collecting(command, rows)
            else:
                _run(*command)
    except subprocess.CalledProcessError as error:
        return error.returncode or 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
