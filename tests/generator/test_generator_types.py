"""The generator itself is type-checked: `mypy --strict generator` from the repository root."""

from __future__ import annotations

import subprocess
import sys

from conftest import ROOT


def test_generator_is_mypy_strict_clean() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", "generator"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
