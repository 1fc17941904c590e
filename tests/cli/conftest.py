"""Fixtures for the command line tests: a loopback sandbox, and credentials in the environment."""

from __future__ import annotations

import socket
import zlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from cli_helpers import AK, SELLER, SK

from mwskit.sandbox import Sandbox, SandboxServer, start

# pytest imports this file, like tests/conftest.py, as the module `conftest`, and the last one it
# imported is what `from conftest import ROOT` finds; so ROOT is defined here too, the same root.
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def server() -> Iterator[SandboxServer]:
    with start(Sandbox({AK: SK}, throttling=False)) as running:
        yield running


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest) -> str:
    """The sandbox's credentials in the environment, under a temporary HOME; returns the seller
    id, one per test, so that no test waits for the quota another one used (the client throttles
    per seller, process-wide, as MWS does)."""
    for name in ("MWS_AUTH_TOKEN", "MWS_REGION", "MWSKIT_CREDENTIALS_FILE", "MWSKIT_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("MWS_ACCESS_KEY_ID", AK)
    monkeypatch.setenv("MWS_SECRET_ACCESS_KEY", SK)
    seller = f"{SELLER}{zlib.crc32(request.node.name.encode()):08X}"
    monkeypatch.setenv("MWS_SELLER_ID", seller)
    return seller


@pytest.fixture
def unused_port() -> int:
    """A loopback port nothing listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
