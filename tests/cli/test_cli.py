"""The generated `mwskit` command line over real HTTP against the loopback sandbox: a paged list,
a feed submission, a validation error, an MWS error, transport failures, a dry run the sandbox
never receives, the output formats, --cli-input-json and the help texts."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml
from cli_helpers import AK, SK

import mwskit
from conftest import ROOT
from mwskit.cli import main
from mwskit.sandbox import FaultConfig, SandboxServer
from mwskit.signing import sign, string_to_sign

pytestmark = pytest.mark.usefixtures("env")
MARKETPLACE = "ATVPDKIKX0DER"
LIST_ORDERS = [
    "orders",
    "list-orders",
    "--created-after",
    "2024-01-01T00:00:00Z",
    "--marketplace-id",
    MARKETPLACE,
]


def cli(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), out, err)
    return code, out.getvalue(), err.getvalue()


def received(server: SandboxServer) -> int:
    return server.app.stats().received


def client(server: SandboxServer) -> mwskit.MWS:
    return mwskit.MWS(endpoint=server.url, throttle="off")


def test_all_pages_merges_every_page_of_a_list(server: SandboxServer) -> None:
    code, out, err = cli(*LIST_ORDERS, "--all-pages", "--endpoint", server.url)
    assert (code, err) == (0, "")
    merged = json.loads(out)
    with client(server) as mws:
        pages = list(
            mws.orders.iter_list_orders(
                marketplace_id=[MARKETPLACE], created_after=datetime(2024, 1, 1, tzinfo=UTC)
            )
        )
    assert len(pages) == 2
    expected = [order.amazon_order_id for page in pages for order in page.orders]
    assert [order["amazon_order_id"] for order in merged["orders"]] == expected
    assert "next_token" not in merged
    code, out, _ = cli(
        *LIST_ORDERS, "--all-pages", "--query", "orders[].amazon_order_id", "--endpoint", server.url
    )
    assert (code, json.loads(out)) == (0, expected)


def test_one_page_is_plain_data(server: SandboxServer) -> None:
    code, out, _ = cli(*LIST_ORDERS, "--endpoint", server.url)
    page = json.loads(out)
    assert code == 0
    assert isinstance(page["next_token"], str)
    order = page["orders"][0]
    assert order["order_status"] in {item.value for item in mwskit.orders.OrderStatus}
    assert order["purchase_date"].endswith("+00:00")  # a datetime, as ISO 8601 text
    total = order["order_total"]
    assert set(total) == {"currency_code", "amount"} and isinstance(total["amount"], str)


def test_a_feed_submission(server: SandboxServer, tmp_path: Path) -> None:
    feed = tmp_path / "feed.xml"
    feed.write_bytes(b'<?xml version="1.0"?><AmazonEnvelope><Message/></AmazonEnvelope>')
    before = server.app.stats().by_action.get("SubmitFeed", 0)
    code, out, err = cli(
        "feeds",
        "submit-feed",
        "--feed-type",
        "_POST_PRODUCT_DATA_",
        "--feed-content",
        str(feed),
        "--endpoint",
        server.url,
    )
    assert (code, err) == (0, "")
    info = json.loads(out)["feed_submission_info"]
    assert (info["feed_type"], info["feed_processing_status"]) == (
        "_POST_PRODUCT_DATA_",
        "_SUBMITTED_",
    )
    assert server.app.stats().by_action["SubmitFeed"] == before + 1
    code, out, _ = cli(
        "feeds",
        "get-feed-submission-list",
        "--feed-submission-id-list",
        info["feed_submission_id"],
        "--query",
        "feed_submission_info[0].feed_submission_id",
        "--endpoint",
        server.url,
    )
    assert (code, json.loads(out)) == (0, info["feed_submission_id"])


def test_a_validation_error_exits_2_before_any_request(server: SandboxServer) -> None:
    before = received(server)
    code, out, err = cli(
        *LIST_ORDERS, "--order-status", "Shipped", "Lost", "--endpoint", server.url
    )
    assert (code, out) == (2, "")
    assert err == (
        "mwskit orders list-orders: error: list_orders(): order_status[1] (OrderStatus.Status.2): "
        "'Lost' is not an allowed value; allowed: 'Canceled', 'InvoiceUnconfirmed', "
        "'PartiallyShipped', 'Pending', 'PendingAvailability', 'Shipped', 'Unfulfillable', "
        "'Unshipped'\n"
    )
    code, _, err = cli(
        "orders", "list-orders", "--created-after", "2024-01-01", "--endpoint", server.url
    )
    assert (code, err) == (
        2,
        "mwskit orders list-orders: error: --created-after (CreatedAfter): '2024-01-01' is not an "
        "ISO 8601 date and time (2024-01-01T00:00:00Z)\n",
    )
    code, _, err = cli(
        "orders", "list-orders", "--created-after", "2024-01-01T00:00:00Z", "--endpoint", server.url
    )
    assert (code, err) == (
        2,
        "mwskit orders list-orders: error: list_orders(): marketplace_id (MarketplaceId.Id.N) is required\n",
    )
    code, _, err = cli(
        "orders",
        "list-orders",
        "--max-results-per-page",
        "500",
        *LIST_ORDERS[2:],
        "--endpoint",
        server.url,
    )
    assert (code, err) == (
        2,
        "mwskit orders list-orders: error: list_orders(): max_results_per_page (MaxResultsPerPage) "
        "must be at least 1 and at most 100; got 500\n",
    )
    assert received(server) == before


def test_an_argparse_usage_error_exits_2(
    server: SandboxServer, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["orders", "list-orders", "--no-such-option", "1"]) == 2
    assert "unrecognized arguments: --no-such-option 1" in capsys.readouterr().err


def test_an_mws_error_exits_1_with_json_on_stderr(
    server: SandboxServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MWS_SECRET_ACCESS_KEY", "not-the-secret")
    code, out, err = cli(
        "orders", "get-service-status", "--endpoint", server.url, "--max-attempts", "1"
    )
    assert (code, out) == (1, "")
    error = json.loads(err)
    assert {key: error[key] for key in ("error", "kind", "code", "type", "status_code")} == {
        "error": "SignatureDoesNotMatch",
        "kind": "mws error",
        "code": "SignatureDoesNotMatch",
        "type": "Sender",
        "status_code": 403,
    }
    assert error["message"] and error["request_id"]
    assert "not-the-secret" not in err


def test_a_transport_failure_exits_3(unused_port: int) -> None:
    code, out, err = cli(
        "orders",
        "get-service-status",
        "--endpoint",
        f"http://127.0.0.1:{unused_port}",
        "--max-attempts",
        "1",
    )
    assert (code, out) == (3, "")
    error = json.loads(err)
    assert (error["error"], error["kind"]) == ("ConnectionFailed", "transport failure")


def test_an_unknown_outcome_exits_3_and_says_so(server: SandboxServer, tmp_path: Path) -> None:
    feed = tmp_path / "feed.txt"
    feed.write_bytes(b"sku\tprice\nA\t1.00\n")
    server.app.faults = FaultConfig(reset_rate=1.0, actions=frozenset({"SubmitFeed"}))
    try:
        code, _, err = cli(
            "feeds",
            "submit-feed",
            "--feed-type",
            "_POST_FLAT_FILE_PRICEANDQUANTITYONLY_UPDATE_DATA_",
            "--feed-content",
            str(feed),
            "--endpoint",
            server.url,
        )
    finally:
        server.app.faults = FaultConfig()
    assert code == 3
    error = json.loads(err)
    assert (error["error"], error["kind"]) == ("OutcomeUnknown", "unknown outcome")


def test_missing_credentials_exit_2_naming_the_places(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MWS_SELLER_ID")
    code, _, err = cli("orders", "get-service-status", "--dry-run")
    assert code == 2
    assert err.startswith(
        "mwskit orders get-service-status: error: no MWS credentials found for seller_id (seller_id: "
        "the seller_id= argument, the MWS_SELLER_ID environment variable, profile [default] of "
    )


def test_a_dry_run_sends_nothing_and_shows_the_signed_request(
    server: SandboxServer, monkeypatch: pytest.MonkeyPatch, env: str
) -> None:
    monkeypatch.setenv("MWS_AUTH_TOKEN", "amzn.mws.secret-token")
    before = received(server)
    code, out, err = cli(*LIST_ORDERS, "--dry-run", "--endpoint", server.url)
    assert (code, err) == (0, "")
    assert received(server) == before
    shown = json.loads(out)
    assert (shown["method"], shown["url"]) == ("POST", server.url + "/Orders/2013-09-01")
    parameters = shown["parameters"]
    assert parameters["Signature"] == parameters["MWSAuthToken"] == "[redacted]"
    assert {
        key: parameters[key]
        for key in ("AWSAccessKeyId", "Action", "SellerId", "CreatedAfter", "MarketplaceId.Id.1")
    } == {
        "AWSAccessKeyId": AK,
        "Action": "ListOrders",
        "SellerId": env,
        "CreatedAfter": "2024-01-01T00:00:00Z",
        "MarketplaceId.Id.1": MARKETPLACE,
    }
    signed = {key: value for key, value in parameters.items() if key != "Signature"}
    host = server.url.removeprefix("http://")
    assert shown["string_to_sign"] == string_to_sign("POST", host, "/Orders/2013-09-01", signed)
    assert shown["string_to_sign"].endswith(shown["canonical_query"])
    assert shown["throttling"] == {
        "quota": "6 requests at once, one more every minute",
        "wait_seconds": 0.0,
        "reason": None,
        "requests": 1,
        "plan": "1 call → 1 request, about 0.0 s with a full bucket",
    }
    assert "secret-token" not in out and SK not in out
    assert sign(shown["string_to_sign"], SK) not in out


def test_a_dry_run_of_a_long_batch_shows_its_first_request_and_the_plan(
    server: SandboxServer, env: str
) -> None:
    before = received(server)
    asins = [f"B{n:09d}" for n in range(3000)]
    code, out, err = cli(
        "products",
        "get-matching-product-for-id",
        "--marketplace-id",
        MARKETPLACE,
        "--id-type",
        "ASIN",
        "--id-list",
        *asins,
        "--dry-run",
        "--endpoint",
        server.url,
    )
    assert (code, err) == (0, "")
    assert received(server) == before
    shown = json.loads(out)
    ids = [value for key, value in shown["parameters"].items() if key.startswith("IdList.Id.")]
    assert ids == asins[:5]
    assert shown["throttling"]["requests"] == 600
    assert shown["throttling"]["plan"] == (
        "3,000 items → 600 requests, about 9 min 56 s with a full bucket"
    )


def test_output_formats(server: SandboxServer, monkeypatch: pytest.MonkeyPatch, env: str) -> None:
    status = ["orders", "get-service-status", "--endpoint", server.url]
    code, out, _ = cli(*status, "--output", "yaml")
    assert code == 0 and yaml.safe_load(out)["status"] == "GREEN"
    code, out, _ = cli(*status, "--output", "text", "--query", "{status: status}")
    assert (code, out) == (0, "status\tGREEN\n")
    monkeypatch.setenv("MWS_SELLER_ID", env + "2")  # GetServiceStatus allows 2 calls at once
    code, out, _ = cli(*status, "--output", "table", "--query", "{status: status}")
    assert (code, out) == (0, "+--------+-------+\n| status | GREEN |\n+--------+-------+\n")


def test_cli_input_json_and_the_skeleton(server: SandboxServer, tmp_path: Path) -> None:
    code, out, _ = cli("orders", "list-orders", "--generate-cli-skeleton")
    skeleton = json.loads(out)
    assert code == 0
    assert list(skeleton)[:2] == ["created_after", "created_before"]
    assert skeleton["marketplace_id"] == [""] and skeleton["max_results_per_page"] == 0
    given = tmp_path / "input.json"
    given.write_text(
        json.dumps({"CreatedAfter": "2024-01-01T00:00:00Z", "marketplace_id": [MARKETPLACE]})
    )
    code, out, err = cli(
        "orders",
        "list-orders",
        "--cli-input-json",
        str(given),
        "--endpoint",
        server.url,
        "--dry-run",
    )
    assert (code, err) == (0, "")
    assert json.loads(out)["parameters"]["MarketplaceId.Id.1"] == MARKETPLACE
    given.write_text(json.dumps({"Nope": 1}))
    code, _, err = cli("orders", "get-service-status", "--cli-input-json", str(given))
    assert (code, err) == (
        2,
        "mwskit orders get-service-status: error: --cli-input-json: no parameter 'Nope'; parameters: \n",
    )


def test_structures_take_json_or_key_value_pairs(server: SandboxServer) -> None:
    address = [
        "--ship-from-address",
        "name=Jane,address_line1=1 Main St,city=Seattle,country_code=US,postal_code=98101",
    ]
    base = [
        "fulfillment-inbound-shipment",
        "create-inbound-shipment-plan",
        *address,
        "--inbound-shipment-plan-request-items",
        '[{"SellerSKU": "SKU1", "Quantity": 3}]',
        "--dry-run",
        "--endpoint",
        server.url,
    ]
    code, out, err = cli(*base)
    assert (code, err) == (0, "")
    parameters = json.loads(out)["parameters"]
    assert parameters["ShipFromAddress.City"] == "Seattle"
    assert parameters["InboundShipmentPlanRequestItems.member.1.SellerSKU"] == "SKU1"
    assert parameters["InboundShipmentPlanRequestItems.member.1.Quantity"] == "3"
    code, _, err = cli(*base[:2], "--ship-from-address", "town=Seattle", *base[4:])
    assert code == 2
    assert "Address has no field 'town'; fields: name, address_line1" in err


def test_a_report_document_to_a_file(server: SandboxServer, tmp_path: Path) -> None:
    with client(server) as mws:
        request_id = mws.reports.request_report(report_type="_GET_FLAT_FILE_OPEN_LISTINGS_DATA_").report_request_info.report_request_id  # type: ignore[union-attr]
        for _ in range(3):
            listed = mws.reports.get_report_request_list(report_request_id_list=[request_id])
        report_id = listed.report_request_info[0].generated_report_id
    assert report_id
    target = tmp_path / "report.tsv"
    code, out, err = cli(
        "reports",
        "get-report",
        "--report-id",
        report_id,
        "--destination",
        str(target),
        "--endpoint",
        server.url,
    )
    assert (code, err) == (0, "")
    assert json.loads(out)["md5_verified"] is True
    assert target.read_bytes().decode("cp1252").splitlines()[0] == "sku\tasin\tprice\tquantity"


def test_help_on_every_level_comes_from_the_specs(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--help"]) == 0
    top = capsys.readouterr().out
    assert (
        "fulfillment-inbound-shipment" in top and "FulfillmentInboundShipment (2010-10-01)" in top
    )
    assert main(["orders", "--help"]) == 0
    assert "list-orders-by-next-token" in capsys.readouterr().out
    assert main(["orders", "list-orders", "--help"]) == 0
    text = " ".join(capsys.readouterr().out.split())
    assert "Throttling: 6 requests at once, one more every minute." in text
    assert (
        "Wire: MarketplaceId.Id.N. Type: list of string. Takes several values. Limits: at most 50 items. Required."
        in text
    )
    assert "Allowed: Canceled, InvoiceUnconfirmed, PartiallyShipped" in text
    assert main(["products", "list-matching-products", "--help"]) == 0
    assert "--query-value STRING" in capsys.readouterr().out  # Query, apart from --query EXPR


def test_the_reserved_options_are_the_generators() -> None:
    from generator.naming import CLI_RESERVED_OPTIONS
    from mwskit.cli._parser import BODY_OPTIONS, DOCUMENT_OPTIONS, GLOBAL_OPTIONS

    assert {*GLOBAL_OPTIONS, *BODY_OPTIONS, *DOCUMENT_OPTIONS} == CLI_RESERVED_OPTIONS


def test_import_mwskit_does_not_load_the_cli() -> None:
    script = "import mwskit, sys; print(sorted(m for m in sys.modules if m.startswith('mwskit.cli') or m in ('jmespath', 'yaml')))"
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT / "generated",
        capture_output=True,
        text=True,
        check=True,
    )
    assert done.stdout.strip() == "[]"


def test_the_module_runs_as_a_program_over_http(server: SandboxServer) -> None:
    env: dict[str, Any] = {**os.environ}
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "mwskit.cli",
            *LIST_ORDERS,
            "--endpoint",
            server.url,
            "--query",
            "length(orders)",
        ],
        cwd=ROOT / "generated",
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert (done.returncode, done.stderr) == (0, "")
    assert int(done.stdout) > 0
