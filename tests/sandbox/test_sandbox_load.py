"""The bounded load test of issue 7: 8 clients, 2,000 calls, throttling on, 10% injected 503s."""

from __future__ import annotations

import sys

from conftest import ROOT

sys.path.insert(0, str(ROOT / "bench"))

from bench_sandbox_load import DOCUMENTED, run


def test_load_nothing_lost_nothing_duplicated() -> None:
    report = run(calls=2000, clients=8)
    assert sum(report.outcomes.values()) == 2000
    assert report.undocumented == []
    assert set(report.outcomes) <= {"success", *DOCUMENTED}
    assert report.outcomes["success"] > 0
    assert report.outcomes["RequestThrottled"] > 0  # the sandbox's quotas are the specs'
    # Every attempt a client made reached the sandbox once: none lost, none duplicated.
    assert report.received == report.attempts
    assert report.attempts > 2000  # injected 503s and throttling were retried
