"""black's output cache: same output with or without it, and a warm run formats nothing."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT
from generator import format as format_stage
from generator.pipeline import CACHE_DIR, build_model, build_tree
from generator.render import render


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "specs").mkdir()
    for name in ("orders.yaml", "marketplaces.yaml", "_shared.yaml"):  # orders includes _shared
        shutil.copy(ROOT / "specs" / name, tmp_path / "specs" / name)
    return tmp_path


def _tree(project: Path, *, cache: bool) -> dict[str, str]:
    return build_tree(
        sorted((project / "specs").glob("*.yaml")), project, ROOT / "templates", cache=cache
    )


def test_cached_output_equals_uncached_and_warm_runs_do_not_format(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    uncached = _tree(project, cache=False)
    cold = _tree(project, cache=True)
    entries = sorted(p.name for p in (project / CACHE_DIR / "black").iterdir())
    model = build_model(sorted((project / "specs").glob("*.yaml")), project)
    rendered = render(model, ROOT / "templates")
    python_files = [p for p, f in rendered.items() if p.endswith(".py") and not f.verbatim]
    assert len(entries) == len(python_files)

    def no_formatting(texts: list[str]) -> list[tuple[str, str | None]]:
        raise AssertionError(f"a warm cache formatted {len(texts)} files again")

    monkeypatch.setattr(format_stage, "_format_all", no_formatting)
    warm = _tree(project, cache=True)
    assert cold == uncached
    assert warm == uncached


def test_generation_benchmark_runs_and_reports_every_goal() -> None:
    result = subprocess.run(
        [sys.executable, "bench/bench_generate.py", "--rounds", "1"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    labels = [line[:36].rstrip() for line in result.stdout.splitlines()[2:]]
    assert labels == [
        "black alone (serial, in process)",
        "generate, cold cache",
        "generate, one spec edited",
        "check, nothing changed",
    ]
