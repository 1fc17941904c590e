"""Properties of the rendered output that the golden test alone would not explain.

The xfail(strict=True) tests describe generator bugs found while writing the tests: each asserts
the correct behaviour, fails today, and turns into an error (XPASS) once the bug is fixed, so the
marker must then be removed.
"""

from __future__ import annotations

import ast
import re
import shutil
from pathlib import Path

import pytest

from conftest import ROOT
from generator.cli import main
from generator.pipeline import build_tree

GOLDEN = ROOT / "tests" / "golden"
TEMPLATES = ROOT / "templates"


@pytest.fixture(scope="module")
def golden_tree() -> dict[str, str]:
    return build_tree(sorted((GOLDEN / "specs").glob("*.yaml")), GOLDEN, TEMPLATES)


def _small_project(root: Path, section_text: str) -> Path:
    (root / "specs").mkdir(parents=True)
    shutil.copy(GOLDEN / "specs" / "marketplaces.yaml", root / "specs" / "marketplaces.yaml")
    (root / "specs" / "widgets.yaml").write_text(section_text, encoding="utf-8")
    return root


SMALL_SPEC = """\
section: Widgets
version: '2020-01-01'
path: /Widgets/2020-01-01
namespace: https://mws.amazonservices.com/Widgets/2020-01-01
seller_parameter: SellerId
description: {description}
enums:
  Color:
    values:
    - value: Navy
      description: {value_description}
actions:
  GetWidget:
    description: Fetch one widget.
    idempotent: true
    throttling:
      max_request_quota: 10
      restore_seconds: 1
    parameters:
    - wire: Color
      type: string
      enum: Color
    response:
      result_element: GetWidgetResult
"""


def test_every_python_file_compiles(golden_tree: dict[str, str]) -> None:
    for path, text in golden_tree.items():
        if path.endswith(".py"):
            compile(text, path, "exec")


def test_enum_members_keep_spec_values_and_descriptions(golden_tree: dict[str, str]) -> None:
    module = ast.parse(golden_tree["mwskit/widgets/models.py"])
    classes = {node.name: node for node in module.body if isinstance(node, ast.ClassDef)}
    color = classes["WidgetColor"]
    members = [
        (stmt.targets[0].id, stmt.value.value)
        for stmt in color.body
        if isinstance(stmt, ast.Assign)
        and isinstance(stmt.targets[0], ast.Name)
        and isinstance(stmt.value, ast.Constant)
    ]
    assert members == [
        ("RED", "Red"),
        ("DARK_BLUE", "DarkBlue"),
        ("FIFTEEN_SHADES_OF_GREY", "_15_SHADES_OF_GREY_"),
    ]


@pytest.mark.parametrize(
    ("description", "value_description"),
    [('Widgets, also called "gadgets"', "Navy blue."), ("Widgets.", 'Called "navy"')],
)
def test_descriptions_ending_in_a_quote(
    tmp_path: Path, description: str, value_description: str
) -> None:
    spec = SMALL_SPEC.format(
        description=f"'{description}'", value_description=f"'{value_description}'"
    )
    project = _small_project(tmp_path, spec)
    tree = build_tree(sorted((project / "specs").glob("*.yaml")), project, TEMPLATES)
    models = ast.parse(tree["mwskit/widgets/models.py"])
    navy_docstring = next(
        stmt.value.value
        for node in models.body
        if isinstance(node, ast.ClassDef)
        for previous, stmt in zip(node.body, node.body[1:], strict=False)
        if isinstance(previous, ast.Assign) and isinstance(stmt, ast.Expr)
    )
    # black puts a space between a docstring's final quote character and the closing quotes.
    assert navy_docstring.rstrip() == value_description
    module_docstring = ast.get_docstring(ast.parse(tree["mwskit/widgets/__init__.py"])) or ""
    assert module_docstring.rstrip() == f"Widgets (2020-01-01): {description}"


def test_open_enum_docstring_has_a_summary_line_then_a_blank_line(
    golden_tree: dict[str, str],
) -> None:
    module = ast.parse(golden_tree["mwskit/widgets/models.py"])
    interval = next(
        n for n in module.body if isinstance(n, ast.ClassDef) and n.name == "ReportInterval"
    )
    docstring = ast.get_docstring(interval)
    assert docstring is not None
    assert docstring.splitlines()[:2] == ["How often a widget report is produced.", ""]


def test_enum_values_in_docs_are_not_markdown_emphasis(golden_tree: dict[str, str]) -> None:
    text = golden_tree["docs/widgets.md"]
    without_blocks = re.sub(r"```.*?```", "", text, flags=re.S)
    without_code = re.sub(r"`[^`\n]*`", "", without_blocks)
    assert re.findall(r"(?<![\\\w])_[A-Z0-9_]+_(?!\w)", without_code) == []


def test_marketplaces_docstring_example_shows_the_real_value(golden_tree: dict[str, str]) -> None:
    text = golden_tree["mwskit/marketplaces.py"]
    docstring = ast.get_docstring(ast.parse(text)) or ""
    shown = re.findall(r'MARKETPLACES\["(\w+)"\]\.(\w+)\s+# \'([^\']*)\'', docstring)
    for code, field, value in shown:
        assert re.search(
            rf'"{code}": MarketplaceInfo\([^)]*\b{field}="{re.escape(value)}"', text
        ), f"docstring says MARKETPLACES[{code!r}].{field} is {value!r}"


def test_check_diff_headers_follow_out(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    spec = SMALL_SPEC.format(description="Widgets.", value_description="Navy blue.")
    project = _small_project(tmp_path, spec)
    common = ["--root", str(project), "--templates", str(TEMPLATES), "--out", "out2"]
    assert main([*common, "generate"]) == 0
    spec_file = project / "specs" / "widgets.yaml"
    spec_file.write_text(spec.replace("Fetch one widget.", "Fetch a widget."), encoding="utf-8")
    capsys.readouterr()
    assert main([*common, "check"]) == 1
    out = capsys.readouterr().out
    assert "changed: out2/mwskit/widgets/client.py" in out.splitlines()
    assert "--- out2/mwskit/widgets/client.py (on disk)" in out.splitlines()
