"""Fixtures for the throttle store tests: one real Redis server for the session."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from redis_server import RedisServer

# pytest imports this file, like tests/conftest.py, as the module `conftest`, and the last one it
# imported is what `from conftest import ROOT` finds; so ROOT is defined here too, the same root.
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    server = RedisServer(tmp_path_factory.mktemp("redis"))
    yield server
    server.stop()


@pytest.fixture
def own_redis_server(tmp_path: Path) -> Iterator[RedisServer]:
    """A server of the test's own, which the test may stop."""
    server = RedisServer(tmp_path)
    yield server
    server.stop()
