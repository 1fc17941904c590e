"""Broken specs: the CLI reports every mistake as `file:line:column: $.path: message` and exits 2.

Each tests/spec_errors/<name>.yaml holds one mistake (its first comment says which, and where);
<name>.expected holds the exact stderr of `python -m generator validate` on it. Every location in
the expected files was checked by hand against the token it names.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from conftest import ROOT

CASES_DIR = ROOT / "tests" / "spec_errors"
# marketplaces.yaml, should one be needed beside the broken specs, is not a case; nor is a shared
# file: _<case>.yaml holds the shared definitions <case>.yaml includes (instead of specs/_shared.yaml).
CASES = sorted(
    path.stem
    for path in CASES_DIR.glob("*.yaml")
    if path.name != "marketplaces.yaml" and not path.name.startswith("_")
)


def case_files(case: str) -> list[str]:
    """The case's spec, and its own shared file when it has one."""
    shared = CASES_DIR / f"_{case}.yaml"
    return [f"tests/spec_errors/{case}.yaml"] + (
        [f"tests/spec_errors/{shared.name}"] if shared.exists() else []
    )


ERROR_LINE = re.compile(
    r"^(?P<file>[^:]+):(?P<line>\d+):(?P<column>\d+): (?P<path>\$\S*): (?P<message>.+)$"
)

# Cases whose .expected file holds the correct report, which the generator does not give yet.
KNOWN_BUGS = {}


def run_cli(*args: str, root: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "generator", "--root", str(root), *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_every_case_has_an_expected_file() -> None:
    expected = sorted(path.stem for path in CASES_DIR.glob("*.expected"))
    assert expected == CASES
    assert len(CASES) >= 14


@pytest.mark.parametrize(
    "case",
    [
        (
            pytest.param(case, marks=pytest.mark.xfail(strict=True, reason=KNOWN_BUGS[case]))
            if case in KNOWN_BUGS
            else case
        )
        for case in CASES
    ],
)
def test_validate_reports_located_errors(case: str) -> None:
    result = run_cli("validate", *case_files(case))
    expected = (CASES_DIR / f"{case}.expected").read_text(encoding="utf-8")
    assert "Traceback" not in result.stdout + result.stderr
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == expected


@pytest.mark.parametrize("case", CASES)
def test_expected_files_are_well_formed(case: str) -> None:
    """Each expected line names its own file (or the case's shared file, where the mistake of a
    shared-definition case is), and the lines are sorted by position."""
    lines = (CASES_DIR / f"{case}.expected").read_text(encoding="utf-8").splitlines()
    errors = [ERROR_LINE.match(line) for line in lines[:-1]]
    assert all(errors), lines
    assert len({error["file"] for error in errors if error}) == 1
    assert {error["file"] for error in errors if error} <= set(case_files(case))
    positions = [(int(error["line"]), int(error["column"])) for error in errors if error]
    assert positions == sorted(positions)
    count = len(errors)
    assert lines[-1] == f"{count} spec error{'s' if count != 1 else ''}; nothing written"


def test_three_mistakes_are_reported_at_once_in_file_order() -> None:
    result = run_cli("validate", "tests/spec_errors/three_mistakes.yaml")
    assert result.returncode == 2
    lines = result.stderr.splitlines()
    assert lines[-1] == "3 spec errors; nothing written"
    errors = [ERROR_LINE.match(line) for line in lines[:-1]]
    assert all(errors), lines
    # The normalizer finds them enum first, action last; the report is in file order.
    assert [(int(e["line"]), int(e["column"]), e["path"]) for e in errors if e] == [
        (20, 13, "$.actions.GetWidget.parameters[0].enum"),
        (26, 13, "$.shapes.Widget.fields[0].wire"),
        (32, 7, "$.enums.Interval.values[1]"),
    ]


def test_errors_of_several_files_are_reported_together() -> None:
    """YAML errors in three files: each file's error, sorted by file name."""
    files = ["tab_indentation", "duplicate_key", "yaml_syntax_error"]
    result = run_cli("validate", *(f"tests/spec_errors/{name}.yaml" for name in files))
    expected = [
        line
        for name in sorted(files)
        for line in (CASES_DIR / f"{name}.expected").read_text(encoding="utf-8").splitlines()[:-1]
    ]
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr.splitlines() == [*expected, "3 spec errors; nothing written"]


def test_validate_accepts_a_single_valid_spec() -> None:
    """`validate FILE` on one section spec (the marketplaces file may be added implicitly)."""
    spec = yaml.safe_load((ROOT / "specs" / "orders.yaml").read_text(encoding="utf-8"))
    included = [item if isinstance(item, str) else next(iter(item)) for item in spec["include"]]
    shared = yaml.safe_load((ROOT / "specs" / "_shared.yaml").read_text(encoding="utf-8"))
    actions = len(spec["actions"]) + len(set(included) & set(shared["actions"]))
    result = run_cli("validate", "specs/orders.yaml")
    assert (result.returncode, result.stderr) == (0, "")
    assert re.fullmatch(rf"[12] spec files valid: 1 sections, {actions} actions\n", result.stdout)


# -- generate and check with a broken spec write nothing ---------------------------------------

BROKEN_CASE = "unknown_enum"


def _broken_project(destination: Path) -> tuple[Path, str]:
    """A project copy whose specs/ also holds one broken spec; returns it and the expected stderr."""
    shutil.copytree(ROOT / "specs", destination / "specs")
    shutil.copytree(ROOT / "templates", destination / "templates")
    shutil.copy(CASES_DIR / f"{BROKEN_CASE}.yaml", destination / "specs" / "broken.yaml")
    expected = (CASES_DIR / f"{BROKEN_CASE}.expected").read_text(encoding="utf-8")
    return destination, expected.replace(
        f"tests/spec_errors/{BROKEN_CASE}.yaml", "specs/broken.yaml"
    )


def _tree_state(root: Path) -> dict[str, tuple[bytes, int]]:
    return {
        path.relative_to(root).as_posix(): (path.read_bytes(), path.stat().st_mtime_ns)
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def test_generate_with_a_broken_spec_creates_no_output(tmp_path: Path) -> None:
    project, expected = _broken_project(tmp_path / "project")
    result = run_cli("generate", root=project)
    assert (result.returncode, result.stdout, result.stderr) == (2, "", expected)
    assert sorted(path.name for path in tmp_path.iterdir()) == ["project"]
    assert sorted(path.name for path in project.iterdir()) == ["specs", "templates"]


def test_generate_and_check_with_a_broken_spec_leave_output_untouched(tmp_path: Path) -> None:
    project, expected = _broken_project(tmp_path / "project")
    shutil.copytree(
        ROOT / "generated",
        project / "generated",
        ignore=shutil.ignore_patterns(".*", "__pycache__", "*.egg-info", "build", "dist"),
    )
    (project / "generated" / "stray.txt").write_text("would be deleted by a successful generate\n")
    before = _tree_state(project / "generated")

    for command in ("generate", "check"):
        result = run_cli(command, root=project)
        assert (command, result.returncode, result.stdout, result.stderr) == (
            command,
            2,
            "",
            expected,
        )
        assert _tree_state(project / "generated") == before
    assert sorted(path.name for path in project.iterdir()) == ["generated", "specs", "templates"]
