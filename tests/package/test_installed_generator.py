"""The generator as a user gets it: a wheel built from this repository, installed into a fresh
virtual environment outside it, run on the user's own specs.

One module-scoped setup (slow: a venv, a wheel build, two installs; pip reads the usual package
index configuration and cache): copy what the wheel is built from (pyproject.toml, generator/,
templates/) out of the repository, build the wheel, install it, then in a user's directory
holding an unrelated file run `mwsgen` with one template overridden, install the generated
package and call its sandbox over HTTP.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT

pytestmark = pytest.mark.slow

USER_SPECS = ROOT / "tests" / "generator" / "user_specs"
VERSION_TEMPLATE = '__version__ = "{{ version }}"\nTEMPLATES = "the user\'s own"\n'
CALL_SANDBOX = """\
from decimal import Decimal

import mwskit
from mwskit import MWS
from mwskit._version import TEMPLATES
from mwskit.gadgets import GadgetSize, ListGadgetsResult
from mwskit.sandbox import start

with start({"AK": "SK"}) as server:
    with MWS(access_key="AK", secret_key="SK", seller_id="A1", endpoint=server.url) as mws:
        result = mws.gadgets.list_gadgets(size="Small", gadget_id=["G1"])
assert isinstance(result, ListGadgetsResult), type(result)
assert result.gadgets and all(isinstance(g.size, GadgetSize) for g in result.gadgets)
assert all(isinstance(g.weight, Decimal) for g in result.gadgets)
print(mwskit.__file__)
print(TEMPLATES, mwskit.__version__, result.request_id != "")
"""


def _run(*command: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    return subprocess.run(
        [str(part) for part in command],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def _ok(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


class Installed:
    def __init__(self, base: Path) -> None:
        self.base = base
        self.bin = base / "venv" / "bin"
        self.user = base / "user"

    def mwsgen(self, *args: str) -> subprocess.CompletedProcess[str]:
        return _run(self.bin / "mwsgen", *args, cwd=self.user)


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Installed:
    base = tmp_path_factory.mktemp("installed")
    source = base / "source"
    source.mkdir()
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    shutil.copy2(ROOT / "pyproject.toml", source / "pyproject.toml")
    shutil.copytree(ROOT / "generator", source / "generator", ignore=ignore)
    shutil.copytree(ROOT / "templates", source / "templates", ignore=ignore)
    _ok(_run(sys.executable, "-m", "venv", base / "venv", cwd=base))
    pip = (base / "venv" / "bin" / "python", "-m", "pip", "--disable-pip-version-check")
    _ok(_run(*pip, "wheel", "--quiet", "--no-deps", "-w", base / "dist", source, cwd=base))
    (wheel,) = sorted((base / "dist").glob("mwskit_generator-*.whl"))
    _ok(_run(*pip, "install", "--quiet", wheel, cwd=base))
    shutil.rmtree(source)  # nothing of the repository is left to fall back on
    user = base / "user"
    shutil.copytree(USER_SPECS, user / "my_specs")
    (user / "my_templates" / "mwskit").mkdir(parents=True)
    (user / "my_templates" / "mwskit" / "_version.py.j2").write_text(VERSION_TEMPLATE)
    (user / "client").mkdir()
    (user / "client" / "NOTES.md").write_text("the user's notes\n")
    return Installed(base)


def test_installed_mwsgen_generates_a_client_that_calls_its_sandbox(installed: Installed) -> None:
    options = ["--specs", "my_specs", "--out", "client", "--templates", "my_templates"]
    assert _ok(installed.mwsgen("--version")).startswith("mwsgen ")
    assert _ok(installed.mwsgen("validate", "--specs", "my_specs")) == (
        "2 spec files valid: 1 sections, 1 actions\n"
    )
    refused = installed.mwsgen("generate", *options)
    assert refused.returncode == 2
    assert refused.stderr.startswith("mwsgen: error: ") and refused.stderr.count("\n") == 1

    written = _ok(installed.mwsgen("generate", *options, "--force"))

    assert written.endswith(" removed\nunmanaged (kept): client/NOTES.md\n"), written
    client = installed.user / "client"
    assert (client / "NOTES.md").read_text() == "the user's notes\n"
    assert (
        (client / "mwskit" / "_version.py")
        .read_text()
        .endswith('__version__ = "0.1.0"\nTEMPLATES = "the user\'s own"\n')
    )
    assert _ok(installed.mwsgen("check", *options)) == (
        "unmanaged: client/NOTES.md\n" f"client/ is up to date ({written.split()[0]} files)\n"
    )
    # A file the user adds inside the output tree survives the next generate.
    (client / "mwskit" / "gadgets" / "extras.py").write_text("MINE = 1\n")
    again = _ok(installed.mwsgen("generate", *options))
    assert again.endswith(
        " 0 written, 0 removed\nunmanaged (kept): client/NOTES.md\n"
        "unmanaged (kept): client/mwskit/gadgets/extras.py\n"
    ), again
    assert (client / "mwskit" / "gadgets" / "extras.py").read_text() == "MINE = 1\n"

    pip = (installed.bin / "python", "-m", "pip", "--disable-pip-version-check")
    _ok(_run(*pip, "install", "--quiet", client, cwd=installed.user))
    (installed.user / "call.py").write_text(CALL_SANDBOX)
    lines = _ok(_run(installed.bin / "python", "call.py", cwd=installed.user)).splitlines()
    assert lines[0].startswith(str(installed.base / "venv"))  # the installed copy, not the repo's
    assert lines[1] == "the user's own 0.1.0 True"
