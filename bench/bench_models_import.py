"""What each section's models module costs to import, in fresh processes (issue 18).

Each run is a new interpreter (`python -X importtime`) that imports `mwskit` and then every
section's `models` module, from compiled bytecode (a first run writes the caches, even when
PYTHONDONTWRITEBYTECODE is set here); the figures are the best of the runs, in ms:
- `self`: executing the models module's own body (its enums, request and result classes);
- `cumulative`: the same plus whatever it imported that was not loaded yet;
- `classes`: how many request/result classes and enums the module defines.
The last lines are the sum over all sections and `import mwskit` as a whole, beside
`import httpx, lxml.etree` alone (the floor of the import row of the issue).

    .venv/bin/python bench/bench_models_import.py [--runs 7] [--package DIR]

`--package DIR` measures the `mwskit` package in DIR (e.g. an older generated/ checked out
elsewhere) instead of the installed one.
"""

from __future__ import annotations

import argparse
import importlib
import inspect
import os
import subprocess
import sys
from enum import Enum

from bench_import import sections


def _program(sections: list[str]) -> str:
    """Import mwskit, then every section's models module."""
    return (
        "import importlib, mwskit\n"
        f"for s in {sections!r}:\n"
        "    importlib.import_module(f'mwskit.{s}.models')\n"
    )


_ENV = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}


def _importtime(program: str) -> dict[str, tuple[int, int]]:
    """{module: (self µs, cumulative µs)} of one fresh interpreter running `program`."""
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", program],
        capture_output=True,
        text=True,
        check=True,
        env=_ENV,
    )
    times: dict[str, tuple[int, int]] = {}
    for line in result.stderr.splitlines():
        if not line.startswith("import time:") or "self [us]" in line:
            continue
        own, cumulative, name = (part.strip() for part in line[len("import time:") :].split("|"))
        # A module imported while its package loads is listed twice: keep the line that ran it.
        if int(own) >= times.get(name, (-1, 0))[0]:
            times[name] = (int(own), int(cumulative))
    return times


def _best(runs: list[dict[str, tuple[int, int]]], name: str) -> tuple[float, float]:
    own = min(run[name][0] for run in runs) / 1000
    cumulative = min(run[name][1] for run in runs) / 1000
    return own, cumulative


def _class_counts(sections: list[str]) -> dict[str, tuple[int, int]]:
    counts = {}
    for section in sections:
        module = importlib.import_module(f"mwskit.{section}.models")
        own = [
            value
            for value in vars(module).values()
            if inspect.isclass(value) and value.__module__ == module.__name__
        ]
        enums = sum(1 for value in own if issubclass(value, Enum))
        shapes = sum(1 for value in own if "__dataclass_fields__" in vars(value))
        counts[section] = (shapes, enums)
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--package", help="a directory holding the mwskit package to measure")
    args = parser.parse_args()
    if args.package:
        _ENV["PYTHONPATH"] = os.pathsep.join(filter(None, (args.package, _ENV.get("PYTHONPATH"))))
        sys.path.insert(0, args.package)
    names = sections()  # of the package measured: --package is on sys.path by now
    program = _program(names)
    _importtime(program)  # writes the bytecode caches
    runs = []
    floors = []
    for _ in range(args.runs):  # interleaved with the floor: the machine is noisy
        runs.append(_importtime(program))
        floors.append(_importtime("import httpx, lxml.etree"))
    counts = _class_counts(names)
    print(f"{'models module':<32} {'classes':>7} {'enums':>5} {'self ms':>8} {'cum ms':>8}")
    total_own = 0.0
    for section in names:
        own, cumulative = _best(runs, f"mwskit.{section}.models")
        total_own += own
        shapes, enums = counts[section]
        print(f"{section:<32} {shapes:>7} {enums:>5} {own:>8.1f} {cumulative:>8.1f}")
    shapes = sum(count[0] for count in counts.values())
    enums = sum(count[1] for count in counts.values())
    print(f"{'all models (sum of self)':<32} {shapes:>7} {enums:>5} {total_own:>8.1f}")
    package = _best(runs, "mwskit")[1]
    floor = min(run["httpx"][1] + run["lxml.etree"][1] for run in floors) / 1000
    print(f"import mwskit (cumulative): {package:.1f} ms; httpx + lxml.etree alone: {floor:.1f} ms")
    print(
        f"all models / floor: {total_own / floor:.2f}x; import mwskit / floor: {package / floor:.2f}x"
    )


if __name__ == "__main__":
    main()
