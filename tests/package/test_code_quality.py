"""ruff (pinned in the dev extra, configured in pyproject.toml) is clean on all handwritten Python."""

from __future__ import annotations

import subprocess
import sys

from conftest import ROOT


def test_ruff_is_clean_on_handwritten_python() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--no-cache", "."],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip() == "All checks passed!"
