"""One line per measured goal, which `python3 dev.py bench` gathers into a table at the end.

A benchmark calls `summary_row(...)` once per row of the performance table: the line it prints
starts with `SUMMARY_PREFIX` and holds the fields as JSON, so the runner reads them back exactly.
"""

from __future__ import annotations

import json

SUMMARY_PREFIX = "mwskit-bench-row "


def summary_row(measure: str, floor: str, now: str, goal: str, met: bool) -> None:
    """Print one row: what is measured, against what, the figure, the goal and whether it is met."""
    fields = {"measure": measure, "floor": floor, "now": now, "goal": goal, "met": met}
    print(SUMMARY_PREFIX + json.dumps(fields, ensure_ascii=False), flush=True)
