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
)


def _install_fingerprint() -> str:
    digest = hashlib.sha256()
    for name in INSTALL_INPUTS:
        digest.update((ROOT / name).read_bytes())
    return digest.hexdigest()


def _run(*command: str | Path) -> None:
    print("+", " ".join(str(part) for part in command), flush=True)
    subprocess.run([str(part) for part in command], cwd=ROOT, check=True)


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
    jobs = {
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
            *[[PYTHON, f"bench/{name}.py"] for name in BENCHMARKS],
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
    try:
        for command in jobs[argv[1]]:
            _run(*command)
    except subprocess.CalledProcessError as error:
        return error.returncode or 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
