"""The README's main command ends with examples/quickstart.py: it must keep working."""

from __future__ import annotations

import subprocess
import sys

from conftest import ROOT


def test_quickstart_calls_the_sandbox_and_prints_typed_results() -> None:
    run = subprocess.run(
        [sys.executable, "examples/quickstart.py"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    out = run.stdout
    assert "sandbox listening on http://127.0.0.1:" in out
    assert "page 2: 2 orders" in out
    assert "_DONE_ after 3 polls; 1 processed, 1 successful, 0 with errors" in out
    assert "MD5 verified: True" in out
    assert (
        "ValueError: list_orders(): max_results_per_page (MaxResultsPerPage) must be at least 1 "
        "and at most 100; got 500" in out
    )
    assert "the sandbox received 7 requests" in out
