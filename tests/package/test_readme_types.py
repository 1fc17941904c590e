"""A user script built from the README's example type-checks under `mypy --strict`: the fields the
docs mark always present are not Optional, the others must be checked for None."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from conftest import ROOT

# What a service relies on, added after the README's example (inside its `for order` loop).
CHECKS = """
            order_id: str = order.amazon_order_id
            purchased: datetime = order.purchase_date
            status: OrderStatus | str = order.order_status
            money = order.order_total
            amount: Decimal | None = money.amount if money is not None else None
            assert_type(order.amazon_order_id, str)
            assert_type(order.purchase_date, datetime)
            print(order_id, purchased.date(), status, amount)
"""
HEADER = """from decimal import Decimal
from typing import assert_type

from mwskit.orders import OrderStatus
"""


def readme_example() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text[text.index("## Using the generated client") :]
    return re.search(r"```python\n(.*?)```", section, re.S).group(1)  # type: ignore[union-attr]


def mypy(script: Path, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--strict",
            "--cache-dir",
            str(tmp_path / "cache"),
            str(script),
        ],
        cwd=ROOT / "generated",
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_the_readme_example_type_checks_under_mypy_strict(tmp_path: Path) -> None:
    example = readme_example()
    assert "order.order_total.amount" in example
    script = tmp_path / "service.py"
    script.write_text(HEADER + example + CHECKS, encoding="utf-8")
    done = mypy(script, tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.startswith("Success: no issues found in 1 source file")


def test_an_optional_field_used_without_a_check_is_caught(tmp_path: Path) -> None:
    script = tmp_path / "careless.py"
    script.write_text(
        "from decimal import Decimal\nfrom mwskit.orders import Order\n\n\n"
        "def total(order: Order) -> Decimal | None:\n    return order.order_total.amount\n",
        encoding="utf-8",
    )
    done = mypy(script, tmp_path)
    assert done.returncode == 1
    assert (
        'error: Item "None" of "Money | None" has no attribute "amount"  [union-attr]'
        in done.stdout
    )
