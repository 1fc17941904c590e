"""How long regenerating takes as the specs grow, against the goals of the coverage issue.

Runs the real CLI (`python -m generator`) in a scratch copy of the project and prints:
- black alone: formatting every generated Python file once, serially, in process (the floor);
- cold: `generate` with an empty format cache (goal: at most black alone + 25%);
- one spec edited: `generate` after changing one description (goal: at most 2 s);
- check, nothing changed: `check` on an up-to-date tree (goal: at most 1.5 s).

    python3 dev.py bench       # or: .venv/bin/python bench/bench_generate.py
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from generator.format import MODE  # noqa: E402
from generator.pipeline import build_model  # noqa: E402
from generator.render import render  # noqa: E402


def black_alone(project: Path) -> float:
    import black

    specs = sorted((project / "specs").glob("*.yaml"))
    files = render(build_model(specs, project), ROOT / "templates")
    texts = [f.text for path, f in files.items() if path.endswith(".py") and not f.verbatim]
    start = time.perf_counter()
    for text in texts:
        black.format_str(text, mode=MODE)
    return time.perf_counter() - start


def run(project: Path, *args: str) -> float:
    command = [
        sys.executable,
        "-m",
        "generator",
        "--root",
        str(project),
        "--templates",
        str(ROOT / "templates"),
        *args,
    ]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    start = time.perf_counter()
    result = subprocess.run(
        command, cwd=project, env=env, capture_output=True, text=True, check=False
    )
    elapsed = time.perf_counter() - start
    if result.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(args)} failed:\n{result.stderr}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3, help="best of this many runs per figure")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        project = Path(scratch)
        shutil.copytree(ROOT / "specs", project / "specs")
        orders = project / "specs" / "orders.yaml"
        original = orders.read_text(encoding="utf-8")
        floor = min(black_alone(project) for _ in range(args.rounds))
        cold = []
        for _ in range(args.rounds):
            shutil.rmtree(project / ".cache", ignore_errors=True)
            shutil.rmtree(project / "generated", ignore_errors=True)
            cold.append(run(project, "generate"))
        edited = []
        for round_number in range(args.rounds):
            marker = f" (edit {round_number})"
            orders.write_text(
                original.replace(
                    "GetOrder:\n    description: ",
                    f"GetOrder:\n    description: Edited{marker}. ",
                    1,
                ),
                encoding="utf-8",
            )
            edited.append(run(project, "generate"))
        check = [run(project, "check") for _ in range(args.rounds)]
        assert "Edited" in (project / "generated" / "docs" / "orders.md").read_text(
            encoding="utf-8"
        )

    sections = len([p for p in (ROOT / "specs").glob("*.yaml") if p.name != "marketplaces.yaml"])
    print(f"{sections} section specs, {os.cpu_count()} cores, best of {args.rounds}")
    rows = [
        ("black alone (serial, in process)", floor, None),
        ("generate, cold cache", min(cold), floor * 1.25),
        ("generate, one spec edited", min(edited), 2.0),
        ("check, nothing changed", min(check), 1.5),
    ]
    print(f"{'':36} {'seconds':>8} {'goal':>8}")
    for label, seconds, goal in rows:
        verdict = "" if goal is None else ("meets" if seconds <= goal else "MISSES")
        goal_text = "" if goal is None else f"{goal:8.2f}"
        print(f"{label:36} {seconds:8.2f} {goal_text:>8} {verdict}")


if __name__ == "__main__":
    main()
