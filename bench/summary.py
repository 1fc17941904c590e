"""One line per measured goal, which `python3 dev.py bench` gathers into a table at the end.

A benchmark calls `summary_row(...)` once per row of the performance table: the line it prints
starts with `SUMMARY_PREFIX` and holds the fields as JSON, so the runner reads them back exactly.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

SUMMARY_PREFIX = "mwskit-bench-row "
SHARED_BENCH = Path(__file__).resolve().parent.parent.parent / "shared" / "bench"


def summary_row(measure: str, floor: str, now: str, goal: str, met: bool) -> None:
    """Print one row: what is measured, against what, the figure, the goal and whether it is met."""
    fields = {"measure": measure, "floor": floor, "now": now, "goal": goal, "met": met}
    print(SUMMARY_PREFIX + json.dumps(fields, ensure_ascii=False), flush=True)


def shared_floors() -> Path | None:
    """The team's floors (`../shared/bench/floor_sign.py`, `floor_parse.py`), importable by name
    once this returns their directory; None when this checkout has no `../shared`."""
    if not (SHARED_BENCH / "floor_sign.py").exists():
        return None
    if str(SHARED_BENCH) not in sys.path:
        sys.path.insert(0, str(SHARED_BENCH))
    return SHARED_BENCH
