"""`import mwskit` against importing httpx + lxml alone, a section's first use, and memory.

Every figure comes from a fresh interpreter (`python -I`, bytecode compiled by a first warm-up
run), best of `--rounds`, the floor and mwskit runs interleaved so that the machine's noise hits
both alike:

- import: seconds spent in `import httpx, lxml.etree` (the floor: what any httpx + lxml client
  pays) and in `import mwskit` (which loads neither httpx nor any section), timed inside the
  process, so the interpreter's own start is left out;
- first use: milliseconds that the first `mwskit.<section>` adds after `import mwskit`, per
  section;
- import + client: `import mwskit` and one client made (shown, no goal: httpx loads then);
- memory: ru_maxrss (MB) of a process that imported httpx + lxml, against one that imported
  mwskit and made one client, `MWS(access_key=..., secret_key=..., seller_id=..., region="NA")`
  (which loads httpx and builds the shared TLS context).

The goals (issue 18) were set on a quiet machine: `import mwskit` at most 0.15 s against a
0.13 s floor, a section's first use at most 30 ms, 25 MB against an 18 MB floor. On a busy
machine the verdicts use the goals as ratios to the floor measured in the same run (1.15x for
the import, 1.39x for memory); a first use is compared with 30 ms scaled by how much slower
than 0.13 s the floor ran.

    .venv/bin/python bench/bench_import.py [--rounds 7] [--sections orders feeds]
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import subprocess
import sys
from pathlib import Path

from summary import summary_row

FLOOR_IMPORT = "import httpx, lxml.etree"
CLIENT = 'mwskit.MWS(access_key="AKIAEXAMPLE", secret_key="EXAMPLE", seller_id="A1", region="NA")'

IMPORT_GOAL = 0.15 / 0.13  # ratio to the floor
FIRST_USE_GOAL_MS = 30.0  # on the quiet machine where the floor took 0.13 s
QUIET_FLOOR_S = 0.13
MEMORY_GOAL = 25 / 18  # ratio to the floor


def measure(code: str) -> dict[str, float]:
    """Run `code` in a fresh interpreter; it sets `out` (a dict), printed back as JSON."""
    script = (
        "import json, resource, time\n"
        "out = {}\n"
        f"{code}\n"
        "out['rss_mb'] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024\n"
        "print(json.dumps(out))\n"
    )
    done = subprocess.run(
        [sys.executable, "-I", "-c", script], capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise SystemExit(f"measuring failed:\n{script}\n{done.stderr}")
    figures: dict[str, float] = json.loads(done.stdout.splitlines()[-1])
    return figures


def timed_import(statement: str) -> str:
    return f"t = time.perf_counter()\n{statement}\nout['s'] = time.perf_counter() - t"


def sections() -> list[str]:
    """The generated sections: the packages of mwskit that hold a client module (found on disk,
    without importing mwskit here)."""
    spec = importlib.util.find_spec("mwskit")
    assert spec is not None and spec.submodule_search_locations
    root = Path(next(iter(spec.submodule_search_locations)))
    return sorted(
        path.parent.name
        for path in root.glob("*/client.py")
        if not path.parent.name.startswith("_")
    )


def verdict(ok: bool) -> str:
    return "goal met" if ok else "goal NOT met"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7, help="best of this many processes")
    parser.add_argument("--sections", nargs="*", help="only these sections' first use")
    args = parser.parse_args()
    names = args.sections or sections()

    floor_code = timed_import(FLOOR_IMPORT)
    mwskit_code = timed_import("import mwskit")
    client_code = timed_import(f"import mwskit\n{CLIENT}")
    first_use = {name: f"import mwskit\n{timed_import(f'mwskit.{name}')}" for name in names}
    for code in (floor_code, client_code, *first_use.values()):  # compile every .pyc first
        measure(code)

    floor: list[float] = []
    alone: list[float] = []
    floor_rss: list[float] = []
    client_rss: list[float] = []
    with_client: list[float] = []
    for _ in range(args.rounds):
        figures = measure(floor_code)
        floor.append(figures["s"])
        floor_rss.append(figures["rss_mb"])
        alone.append(measure(mwskit_code)["s"])
        figures = measure(client_code)
        with_client.append(figures["s"])
        client_rss.append(figures["rss_mb"])
    uses = {
        name: min(measure(code)["s"] for _ in range(args.rounds))
        for name, code in first_use.items()
    }

    best_floor, best_import = min(floor), min(alone)
    import_ratio = best_import / best_floor
    print(f"import, fresh process, best of {args.rounds} (bytecode compiled):")
    print(f"  floor: {FLOOR_IMPORT:<28} {best_floor * 1000:8.1f} ms")
    print(f"  import mwskit                      {best_import * 1000:8.1f} ms")
    print(
        f"  import mwskit / floor = {import_ratio:.2f}x  (goal <= {IMPORT_GOAL:.2f}x, "
        f"0.15 s against 0.13 s): {verdict(import_ratio <= IMPORT_GOAL)}"
    )
    best_client = min(with_client)
    print(
        f"  import mwskit + one MWS(...)       {best_client * 1000:8.1f} ms  "
        f"({best_client / best_floor:.2f}x the floor; the client loads httpx)"
    )
    scale = max(1.0, best_floor / QUIET_FLOOR_S)
    budget_ms = FIRST_USE_GOAL_MS * scale
    print(f"first use of a section after import mwskit, ms more (goal <= {budget_ms:.0f} ms):")
    for name, seconds in uses.items():
        ms = seconds * 1000
        print(f"  mwskit.{name:<32} {ms:8.1f} ms  {verdict(ms <= budget_ms)}")
    worst = max(uses.values()) * 1000
    print(f"  slowest first use: {worst:.1f} ms: {verdict(worst <= budget_ms)}")
    best_floor_rss, best_client_rss = min(floor_rss), min(client_rss)
    memory_ratio = best_client_rss / best_floor_rss
    print("memory, ru_maxrss of a fresh process:")
    print(f"  floor: {FLOOR_IMPORT:<28} {best_floor_rss:8.1f} MB")
    print(f"  import mwskit + one MWS(...)        {best_client_rss:8.1f} MB")
    print(
        f"  mwskit + client / floor = {memory_ratio:.2f}x  (goal <= {MEMORY_GOAL:.2f}x, "
        f"25 MB against 18 MB): {verdict(memory_ratio <= MEMORY_GOAL)}"
    )
    summary_row(
        "`import mwskit`, fresh process, compiled bytecode",
        f"{FLOOR_IMPORT} {best_floor * 1000:.0f} ms",
        f"{best_import * 1000:.0f} ms = {import_ratio:.2f}x",
        f"<= {IMPORT_GOAL:.2f}x (0.15 s / 0.13 s)",
        import_ratio <= IMPORT_GOAL,
    )
    slowest = max(uses, key=uses.__getitem__)
    summary_row(
        "one section's first use, after `import mwskit` (slowest section)",
        "-",
        f"{worst:.1f} ms ({slowest})",
        f"<= {budget_ms:.0f} ms (30 ms scaled to the floor)",
        worst <= budget_ms,
    )
    summary_row(
        "memory: `import mwskit` + one client (ru_maxrss)",
        f"{FLOOR_IMPORT} {best_floor_rss:.1f} MB",
        f"{best_client_rss:.1f} MB = {memory_ratio:.2f}x",
        f"<= {MEMORY_GOAL:.2f}x (25 MB / 18 MB)",
        memory_ratio <= MEMORY_GOAL,
    )


if __name__ == "__main__":
    main()
