"""The documentation site, built once per test session (`mkdocs build --strict`) for every test
that reads it: tests/docs/test_docs_site.py (files, links, search index) and
tests/docs/test_docs_browser.py (a real browser)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from docs_browser import SITE_URL

# pytest imports this file, like tests/conftest.py, as the module `conftest`, and the last one it
# imported is what `from conftest import ROOT` finds; so ROOT is defined here too, the same root.
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Built as if published under a sub-path, so the browser test sees the 404 page work there."""
    out = tmp_path_factory.mktemp("site")
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "MWSKIT_SITE_URL": SITE_URL}
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(out)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    log = result.stdout + result.stderr
    assert result.returncode == 0, f"mkdocs build --strict failed:\n{log}"
    assert not re.search(r"^(WARNING|ERROR)\b", log, re.M), log
    return out
