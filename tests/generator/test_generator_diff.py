"""`mwsgen diff`: API-surface changes between two spec sets, classified, and the semver gate.

Each test copies the user spec set of tests/generator/user_specs/ (one section, Gadgets) to
old/ and new/, edits new/ the way a spec author would, and reads the JSON (or Markdown) report.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from conftest import ROOT
from generator.cli import main

USER_SPECS = ROOT / "tests" / "generator" / "user_specs"


@pytest.fixture
def specs(tmp_path: Path) -> tuple[Path, Path]:
    old, new = tmp_path / "old", tmp_path / "new"
    shutil.copytree(USER_SPECS, old)
    shutil.copytree(USER_SPECS, new)
    return old, new


def edit(spec_dir: Path, old: str, new: str, *, file: str = "gadgets.yaml") -> None:
    path = spec_dir / file
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    path.write_text(text.replace(old, new), encoding="utf-8")


def diff_json(
    capsys: pytest.CaptureFixture[str], old: Path, new: Path, *options: str
) -> tuple[int, dict[str, Any]]:
    capsys.readouterr()
    code = main(["diff", str(old), str(new), "--format", "json", *options])
    captured = capsys.readouterr()
    assert captured.err == ""
    return code, json.loads(captured.out)


def entry(action: str | None, description: str) -> dict[str, str | None]:
    return {"section": "Gadgets", "action": action, "description": description}


def test_removed_parameter_is_breaking(
    specs: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    old, new = specs
    edit(
        new,
        "    - wire: Label\n      type: string\n      description: Only gadgets with this label.\n",
        "",
    )
    code, report = diff_json(capsys, old, new)
    assert code == 0
    assert report == {
        "breaking": [entry("ListGadgets", "parameter label removed")],
        "additive": [],
        "patch": [],
        "semver": "major",
        "version": {"old": "0.1.0", "new": "0.1.0", "next": "1.0.0"},
    }


GET_GADGET = """\
  GetGadget:
    description: Fetch one gadget.
    idempotent: true
    throttling:
      max_request_quota: 5
      restore_seconds: 2
    parameters:
    - wire: GadgetId
      type: string
      required: true
    response:
      result_element: GetGadgetResult
"""


def test_added_action_is_additive(
    specs: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    old, new = specs
    edit(new, "actions:\n", "actions:\n" + GET_GADGET)
    code, report = diff_json(capsys, old, new, "--fail-on-breaking")
    assert code == 0
    # Its parameters come with it: one entry for the method, not one per parameter.
    assert report["additive"] == [entry("GetGadget", "method get_gadget added")]
    assert (report["breaking"], report["semver"], report["version"]["next"]) == (
        [],
        "minor",
        "0.2.0",
    )


def test_narrowed_enum_is_breaking_where_it_is_sent_and_read(
    specs: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    old, new = specs
    edit(new, "values: [Small, Medium, Large]", "values: [Small, Medium]")
    code, report = diff_json(capsys, old, new, "--fail-on-breaking")
    assert code == 4
    assert report["breaking"] == [
        entry("ListGadgets", "parameter size loses 'Large'"),
        entry("ListGadgets", "result field gadgets.size loses 'Large'"),
    ]
    assert report["additive"] == []


def test_widened_enum_is_additive(
    specs: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    old, new = specs
    edit(new, "values: [Small, Medium, Large]", "values: [Small, Medium, Large, Huge]")
    _, report = diff_json(capsys, old, new)
    assert report["additive"] == [
        entry("ListGadgets", "parameter size gains 'Huge'"),
        entry("ListGadgets", "result field gadgets.size gains 'Huge'"),
    ]
    assert (report["breaking"], report["semver"]) == ([], "minor")


def test_newly_required_parameter_is_breaking(
    specs: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    old, new = specs
    edit(new, "      enum: GadgetSize\n", "      enum: GadgetSize\n      required: true\n")
    code, report = diff_json(capsys, old, new, "--fail-on-breaking")
    assert code == 4
    assert report["breaking"] == [entry("ListGadgets", "parameter size is now required")]
    # ... and the reverse is additive
    code, report = diff_json(capsys, new, old, "--fail-on-breaking")
    assert code == 0
    assert report["additive"] == [entry("ListGadgets", "parameter size is no longer required")]


def test_renamed_result_field_is_breaking(
    specs: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    old, new = specs
    edit(new, "{element: Weight, type: decimal}", "{element: Mass, type: decimal}")
    code, report = diff_json(capsys, old, new, "--fail-on-breaking")
    assert code == 4
    assert report["breaking"] == [
        entry("ListGadgets", "result field gadgets.weight renamed to mass")
    ]
    assert report["semver"] == "major"


def test_lower_list_limit_and_changed_type_are_breaking(
    specs: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    old, new = specs
    edit(new, "max_items: 20", "max_items: 5")
    edit(new, "{element: Weight, type: decimal}", "{element: Weight, type: integer}")
    _, report = diff_json(capsys, old, new)
    assert report["breaking"] == [
        entry("ListGadgets", "parameter gadget_id max_items changed from 20 to 5"),
        entry("ListGadgets", "result field gadgets.weight type changed from decimal to integer"),
    ]
    _, report = diff_json(capsys, new, old)
    assert report["additive"] == [
        entry("ListGadgets", "parameter gadget_id max_items changed from 5 to 20")
    ]


def test_documentation_only_is_patch_and_nothing_is_none(
    specs: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    old, new = specs
    _, report = diff_json(capsys, old, new)
    assert report == {
        "breaking": [],
        "additive": [],
        "patch": [],
        "semver": "none",
        "version": {"old": "0.1.0", "new": "0.1.0", "next": "0.1.0"},
    }
    edit(new, "description: Only these gadgets.", "description: Only the gadgets with these IDs.")
    _, report = diff_json(capsys, old, new)
    assert report["patch"] == [entry("ListGadgets", "documentation or details changed")]
    assert (report["semver"], report["version"]["next"]) == ("patch", "0.1.1")


def test_markdown_is_a_changelog_section(
    specs: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    old, new = specs
    edit(new, "actions:\n", "actions:\n" + GET_GADGET)
    edit(new, "values: [Small, Medium, Large]", "values: [Small, Medium]")
    edit(new, "package_version: 0.1.0", "package_version: 1.0.0", file="marketplaces.yaml")
    capsys.readouterr()
    assert main(["diff", str(old), str(new)]) == 0
    assert capsys.readouterr().out == (
        "## 1.0.0\n"
        "\n"
        "### Breaking changes\n"
        "\n"
        "- `Gadgets.ListGadgets`: parameter size loses 'Large'\n"
        "- `Gadgets.ListGadgets`: result field gadgets.size loses 'Large'\n"
        "\n"
        "### Added\n"
        "\n"
        "- `Gadgets.GetGadget`: method get_gadget added\n"
    )


def test_markdown_says_when_the_version_is_not_bumped_enough(
    specs: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    old, new = specs
    edit(new, "{element: Weight, type: decimal}", "{element: Mass, type: decimal}")
    capsys.readouterr()
    assert main(["diff", str(old), str(new)]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == (
        "Version: the specs say 0.1.0; a major change from 0.1.0 needs 1.0.0 "
        "(`package_version` in marketplaces.yaml)."
    )


def _git(repo: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
        cwd=repo,
        check=True,
        capture_output=True,
    )


def test_git_rev_compares_with_the_committed_specs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = tmp_path / "repo"
    shutil.copytree(USER_SPECS, repo / "api" / "specs")
    _git(repo, "init", "-q")
    _git(repo, "add", ".")
    _git(repo, "commit", "-q", "-m", "specs")
    edit(
        repo / "api" / "specs",
        "      enum: GadgetSize\n",
        "      enum: GadgetSize\n      required: true\n",
    )
    capsys.readouterr()
    code = main(
        [
            "diff",
            "--root",
            str(repo),
            "--specs",
            "api/specs",
            "--git-rev",
            "HEAD",
            "--format",
            "json",
            "--fail-on-breaking",
        ]
    )
    assert code == 4
    report = json.loads(capsys.readouterr().out)
    assert report["breaking"] == [entry("ListGadgets", "parameter size is now required")]


def test_git_rev_outside_a_repository_and_unknown_revision(
    specs: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, new = specs
    capsys.readouterr()
    assert main(["diff", "--git-rev", "HEAD", str(new)]) == 2
    assert capsys.readouterr().err == (
        f"mwsgen: error: --git-rev: {new} is not inside a git repository\n"
    )
    _git(tmp_path, "init", "-q")
    _git(tmp_path, "add", ".")
    _git(tmp_path, "commit", "-q", "-m", "specs")
    assert main(["diff", "--git-rev", "no-such-rev", str(new)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("mwsgen: error: --git-rev no-such-rev: git ls-tree: ")
    assert err.count("\n") == 1


def test_broken_old_specs_are_located_spec_errors(
    specs: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    old, new = specs
    edit(old, "type: decimal}", "type: decimol}")
    capsys.readouterr()
    assert main(["diff", str(old), str(new)]) == 2
    lines = capsys.readouterr().err.splitlines()
    assert lines[0].startswith("old/gadgets.yaml:")
    assert "'decimol' is not one of" in lines[0]
    assert lines[-1] == "1 spec error; nothing written"


def test_a_version_bumped_further_than_needed_is_fine(
    specs: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    old, new = specs
    edit(new, "actions:\n", "actions:\n" + GET_GADGET)
    edit(new, "package_version: 0.1.0", "package_version: 2.0.0", file="marketplaces.yaml")
    capsys.readouterr()
    assert main(["diff", str(old), str(new)]) == 0
    assert capsys.readouterr().out == (
        "## 2.0.0\n\n### Added\n\n- `Gadgets.GetGadget`: method get_gadget added\n"
    )
