"""Generated code reaches the runtime only through the one list in
generator/python/runtime_symbols.py: every runtime name a rendered file imports is on it, and
every name on it exists in the runtime and is used."""

from __future__ import annotations

import importlib

import pytest

from conftest import ROOT
from generator.model import Api
from generator.pipeline import build_model
from generator.python.runtime_symbols import (
    RUNTIME_SYMBOLS,
    RuntimeSymbolError,
    allowed,
    check_runtime_imports,
    runtime_imports,
)
from generator.render import render


@pytest.fixture(scope="module")
def generated_code() -> dict[str, str]:
    """Every rendered (not copied) Python file of the real specs and templates."""
    api: Api = build_model(sorted((ROOT / "specs").glob("*.yaml")), ROOT)
    return {
        path: file.text
        for path, file in render(api, ROOT / "templates").items()
        if path.endswith(".py") and not file.verbatim
    }


def test_generated_code_imports_only_listed_runtime_names(generated_code: dict[str, str]) -> None:
    assert check_runtime_imports(generated_code) == []


def test_every_listed_name_is_used_and_exists(generated_code: dict[str, str]) -> None:
    used = {pair for path, text in generated_code.items() for pair in runtime_imports(path, text)}
    for module, names in RUNTIME_SYMBOLS.items():
        assert sorted(n for n in names if (module, n) not in used) == [], module
        runtime = importlib.import_module(module)
        # "*": a star import of the module's __all__ (mwskit/errors.py re-exports the errors).
        assert sorted(n for n in names if n != "*" and not hasattr(runtime, n)) == [], module


def test_a_name_off_the_list_is_reported() -> None:
    text = "from .._runtime import Param, _secret\nfrom .. import _runtime as rt\nX = rt.hidden\n"
    assert check_runtime_imports({"mwskit/orders/client.py": text}) == [
        "mwskit/orders/client.py: mwskit._runtime._secret",
        "mwskit/orders/client.py: mwskit._runtime.hidden",
    ]
    with pytest.raises(RuntimeSymbolError, match="_secret"):
        allowed("mwskit._runtime", {"SyncSession", "_secret"})


def test_relative_imports_resolve_per_file() -> None:
    package_init = "from ._runtime import MWSResult\n"
    assert list(runtime_imports("mwskit/__init__.py", package_init)) == [
        ("mwskit._runtime", "MWSResult")
    ]
