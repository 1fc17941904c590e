"""Fixtures for the sandbox tests: one loopback server per test module, and a client on it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sandbox_helpers import CREDS, make_client

import mwskit
from mwskit.sandbox import Sandbox, SandboxServer, start

# pytest imports this file, like tests/conftest.py, as the module `conftest`, and the last one it
# imported is what `from conftest import ROOT` finds; so ROOT is defined here too, the same root.
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def server() -> Iterator[SandboxServer]:
    with start(Sandbox(CREDS, throttling=False)) as running:
        yield running


@pytest.fixture(scope="module")
def mws(server: SandboxServer) -> Iterator[mwskit.MWS]:
    client = make_client(server.url)
    yield client
    client.close()
