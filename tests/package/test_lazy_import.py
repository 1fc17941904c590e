"""`import mwskit` loads no section and no httpx; a section, its re-exported names and its error
classes load on first access, and clients that verify TLS alike share one SSL context.

Each check runs in a fresh interpreter (`sys.modules` is the evidence); nothing is timed here
(bench/bench_import.py measures).
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import mwskit
from conftest import ROOT

CREDENTIALS = "access_key='AKIAEXAMPLE', secret_key='EXAMPLE/SECRET', seller_id='A1SELLER'"


def run(script: str, tmp_path: Path) -> dict[str, object]:
    """Run `script` in a fresh interpreter; it prints one JSON object, returned here."""
    result = subprocess.run(
        [sys.executable, "-I", "-c", textwrap.dedent(script)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    answer: dict[str, object] = json.loads(result.stdout.splitlines()[-1])
    return answer


PREAMBLE = """
import json, sys

def loaded():
    return sorted(
        name for name in sys.modules
        if name.split(".")[0] in ("httpx", "httpcore", "anyio")
        or (name.startswith("mwskit.") and not name.startswith(("mwskit._", "mwskit.errors",
            "mwskit.marketplaces", "mwskit.signing")))
    )
"""


def section_modules() -> list[str]:
    """Every generated section: a package of generated/mwskit with a client module."""
    modules = sorted(
        path.parent.name
        for path in (ROOT / "generated" / "mwskit").glob("*/client.py")
        if not path.parent.name.startswith("_")
    )
    assert "orders" in modules
    return modules


def test_import_mwskit_loads_no_section_and_no_httpx(tmp_path: Path) -> None:
    answer = run(
        PREAMBLE
        + """
import mwskit
print(json.dumps({"loaded": loaded()}))
""",
        tmp_path,
    )
    assert answer["loaded"] == []


def test_first_access_loads_only_that_section(tmp_path: Path) -> None:
    answer = run(
        PREAMBLE
        + """
import mwskit
orders = mwskit.orders
first = loaded()
from mwskit.orders import Order
print(json.dumps({"first": first, "same": orders is sys.modules["mwskit.orders"],
                  "order": Order.__module__}))
""",
        tmp_path,
    )
    assert answer["first"] == [
        "mwskit.orders",
        "mwskit.orders._operations",
        "mwskit.orders._readers",
        "mwskit.orders.client",
        "mwskit.orders.models",
    ]
    assert answer["same"] is True
    assert answer["order"] == "mwskit.orders.models"


def test_a_client_loads_httpx_but_no_section_until_one_is_used(tmp_path: Path) -> None:
    answer = run(
        PREAMBLE
        + f"""
import mwskit
mws = mwskit.MWS({CREDENTIALS}, region="NA")
made = loaded()
client = mws.feeds
print(json.dumps({{"made": made, "same": client is mws.feeds,
                  "type": type(client).__name__, "repr": repr(mws),
                  "sections": [n for n in loaded() if n.startswith("mwskit.")]}}))
mws.close()
""",
        tmp_path,
    )
    made = answer["made"]
    assert isinstance(made, list)
    assert "httpx" in made
    assert [name for name in made if name.startswith("mwskit.")] == []
    assert answer["same"] is True
    assert answer["type"] == "FeedsClient"
    assert answer["repr"] == (
        "MWS(access_key='AKIAEXAMPLE', seller_id='A1SELLER', "
        "endpoint='https://mws.amazonservices.com')"
    )
    sections = answer["sections"]
    assert isinstance(sections, list)
    assert {name.split(".")[1] for name in sections} == {"feeds"}


def test_a_section_error_class_loads_its_section_only(tmp_path: Path) -> None:
    answer = run(
        PREAMBLE
        + """
import mwskit.errors
before = loaded()
error = mwskit.errors.DuplicateReferenceId
print(json.dumps({"before": before, "module": error.__module__,
                  "mws_error": issubclass(error, mwskit.errors.MWSError),
                  "sections": sorted({n.split(".")[1] for n in loaded() if n.startswith("mwskit.")})}))
""",
        tmp_path,
    )
    assert answer["before"] == []
    assert answer["module"] == "mwskit.off_amazon_payments.models"
    assert answer["mws_error"] is True
    assert answer["sections"] == ["off_amazon_payments"]


def test_every_exported_name_resolves() -> None:
    for name in mwskit.__all__:
        assert getattr(mwskit, name) is not None, name
    for name in mwskit.errors.__all__:
        assert getattr(mwskit.errors, name) is not None, name
    assert mwskit.ReportOutcome is mwskit.reports.workflows.ReportOutcome
    assert mwskit.errors.DuplicateReferenceId is mwskit.off_amazon_payments.DuplicateReferenceId


def test_dir_lists_every_section_and_unknown_names_fail() -> None:
    listed = dir(mwskit)
    assert set(section_modules()) <= set(listed)
    assert set(mwskit.__all__) <= set(listed)
    assert set(mwskit.errors.__all__) <= set(dir(mwskit.errors))
    with pytest.raises(AttributeError, match=r"module 'mwskit' has no attribute 'nothing'"):
        mwskit.nothing  # noqa: B018
    with pytest.raises(AttributeError, match=r"module 'mwskit\.errors' has no attribute 'Nothing'"):
        mwskit.errors.Nothing  # noqa: B018


def test_every_section_client_is_made_once_per_client() -> None:
    with mwskit.MWS(access_key="AKIAEXAMPLE", secret_key="S", seller_id="A1", region="NA") as mws:
        for module in section_modules():
            client = getattr(mws, module)
            assert getattr(mws, module) is client
            assert type(client).__module__ == f"mwskit.{module}.client"
    assert isinstance(mwskit.MWS.orders.__doc__, str)


def test_threads_racing_for_a_section_get_one_client() -> None:
    import threading

    mws = mwskit.MWS(access_key="AKIAEXAMPLE", secret_key="S", seller_id="A1", region="NA")
    barrier = threading.Barrier(8)
    seen: list[object] = []

    def grab() -> None:
        barrier.wait()
        seen.append(mws.products)

    threads = [threading.Thread(target=grab) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    mws.close()
    assert len(seen) == 8 and all(client is seen[0] for client in seen)


def _ssl_context(client: object) -> object:
    pool = client._session._http._transport._pool  # type: ignore[attr-defined]
    return pool._ssl_context


def test_clients_that_verify_alike_share_one_ssl_context() -> None:
    options = {"access_key": "AKIAEXAMPLE", "secret_key": "S", "seller_id": "A1", "region": "NA"}
    first, second = mwskit.MWS(**options), mwskit.AsyncMWS(**options)
    unverified = mwskit.MWS(**options, verify=False)
    try:
        assert _ssl_context(first) is _ssl_context(second)
        assert _ssl_context(unverified) is not _ssl_context(first)
        assert _ssl_context(unverified) is _ssl_context(mwskit.MWS(**options, verify=False))
    finally:
        first.close()
        unverified.close()


def test_a_callers_own_ssl_context_wins() -> None:
    import ssl

    own = ssl.create_default_context()
    mws = mwskit.MWS(
        access_key="AKIAEXAMPLE", secret_key="S", seller_id="A1", region="NA", verify=own
    )
    try:
        assert _ssl_context(mws) is own
    finally:
        mws.close()
