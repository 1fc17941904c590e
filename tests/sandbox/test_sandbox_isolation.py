"""The sandbox is its own package: `import mwskit` never loads it, the runtime never imports it,
and it stays split by job (no module over 600 lines, no function over 80)."""

from __future__ import annotations

import ast
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from conftest import ROOT
from mwskit._runtime import rules
from mwskit._runtime.descriptors import Param

TEMPLATES = ROOT / "templates" / "mwskit"
SANDBOX = TEMPLATES / "sandbox"


def test_import_mwskit_loads_no_sandbox_module() -> None:
    script = "import mwskit, sys; print([m for m in sys.modules if 'sandbox' in m])"
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT / "generated",
        capture_output=True,
        text=True,
        check=True,
    )
    assert done.stdout.strip() == "[]"


def _imports(path: Path) -> list[str]:
    """Every module `path` imports, relative ones written with their leading dots."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            base = "." * node.level + (node.module or "")
            found += [base] if node.module else [base + alias.name for alias in node.names]
        elif isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
    return found


def test_the_runtime_never_imports_the_sandbox() -> None:
    strays = [
        f"{path.name} imports {name}"
        for path in sorted((TEMPLATES / "_runtime").glob("*.py"))
        for name in _imports(path)
        if "sandbox" in name
    ]
    assert strays == []


# Rules the sandbox writes by and a client wing reads by, kept once, in the wing: the IPN
# string to sign (signer and verifier), the Amazon Pay settlement report's columns.
SHARED_WITH_THE_CLIENT = {"..off_amazon_payments.ipn", "..reports.rows"}


def test_the_sandbox_reaches_the_client_only_through_the_runtime() -> None:
    """The sandbox's handwritten modules import each other and `mwskit._runtime`, nothing else
    of the client but the IPN rules (the generated `__init__` adds the section tables)."""
    strays = [
        f"{path.name} imports {name}"
        for path in sorted(SANDBOX.glob("*.py"))
        for name in _imports(path)
        if name.startswith("..")
        and not name.startswith(".._runtime")
        and name not in SHARED_WITH_THE_CLIENT
    ]
    assert strays == []


def _sandbox_sources() -> list[Path]:
    return [*sorted(SANDBOX.glob("*.py")), SANDBOX / "__init__.py.j2"]


def test_sandbox_modules_stay_small() -> None:
    sizes = {
        path.name: len(path.read_text(encoding="utf-8").splitlines()) for path in _sandbox_sources()
    }
    assert {name: lines for name, lines in sizes.items() if lines > 600} == {}


def test_sandbox_functions_stay_short() -> None:
    long = []
    for path in sorted(SANDBOX.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                lines = (node.end_lineno or node.lineno) - node.lineno + 1
                if lines > 80:
                    long.append(f"{path.name}:{node.lineno} {node.name}: {lines} lines")
    assert long == []


# ---------------------------------------------------------------- one set of argument rules


def _param(kind: str, **limits: object) -> Param:
    return Param("p", "P", "P", kind, **limits)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("param", "value", "text"),
    [
        (_param("integer", min_value=1, max_value=100), 100, "100"),
        (_param("integer", min_value=1, max_value=100), 101, "101"),
        (_param("integer"), 10**19, "1" + "0" * 19),
        (
            _param("decimal", max_value=100),
            Decimal("100.0000000000000000001"),
            "100.0000000000000000001",
        ),
        (_param("decimal", max_value=0.1), Decimal("0.1"), "0.1"),
        (_param("decimal", min_value=0), Decimal("-0.01"), "-0.01"),
        (_param("string", values=frozenset({"A", "B"})), "C", "C"),
        (_param("string", values=frozenset({"A"}), open_values=True), "C", "C"),
        (_param("string", max_length=2), "abc", "abc"),
        (_param("string", min_length=2), "a", "a"),
    ],
)
def test_client_and_sandbox_judge_a_value_alike(param: Param, value: object, text: str) -> None:
    """The client's check of the Python value and the sandbox's of its wire text agree."""
    client = rules.check_value(param, value)  # type: ignore[arg-type]
    sandbox = rules.check_wire(param, text)
    assert client == sandbox


@pytest.mark.parametrize(
    ("kind", "text", "accepted"),
    [
        ("datetime", "2024-01-02T03:04:05Z", True),
        ("datetime", "2024-01-02T03:04:05.123Z", True),
        ("datetime", "2016-03-16T14:32:16.50-07", True),  # the example of DG_ISO8601
        ("datetime", "2024-01-02T03:04:05", True),  # no zone: UTC
        ("datetime", "2024-01-02", False),  # truncated: a date alone
        ("datetime", "Wed, 06 Mar 2013 19:07:58 GMT", False),
        ("datetime", "yesterday", False),
        ("date", "2024-02-29", True),
        ("date", "2023-02-29", False),
        ("date", "\uff12\uff10\uff12\uff14-01-01", False),  # full-width digits
        ("boolean", "true", True),
        ("boolean", "True", False),
        ("decimal", ".5", True),
        ("decimal", "1e3", False),
        ("integer", "+7", True),
        ("integer", "\u0661", False),
    ],
)
def test_wire_forms(kind: str, text: str, accepted: bool) -> None:
    assert (rules.check_wire(_param(kind), text) is None) is accepted
