"""Fixtures for the argument checks: a client whose transport fails the test if it is called."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from runtime_helpers import NOW
from runtime_helpers.arguments import NoRequests

from mwskit import MWS

# pytest imports this file, like tests/conftest.py, as the module `conftest`, and the last one it
# imported is what `from conftest import ROOT` finds; so ROOT is defined here too, the same root.
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def handler() -> Iterator[NoRequests]:
    recorder = NoRequests()
    yield recorder
    assert recorder.calls == 0, "validation must fail before any request is sent"


@pytest.fixture
def mws(handler: NoRequests) -> MWS:
    return MWS(
        access_key="AK",
        secret_key="SK",
        seller_id="SELLER",
        transport=httpx.MockTransport(handler),
        clock=lambda: NOW,
        throttle="off",
    )
