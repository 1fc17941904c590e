"""Amazon Pay settlement reports: the report types, the comma-separated layout read as typed
rows, and a sandbox settlement report requested over real HTTP after a real purchase."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import pytest

import mwskit
from mwskit.reports.models import ReportType
from mwskit.reports.rows import (
    AMAZON_PAY_SETTLEMENT_COLUMNS,
    REPORT_RECORDS,
    AmazonPaySettlementRow,
    ReportFormatError,
    iter_records,
    iter_rows,
)
from mwskit.sandbox import Sandbox, start

SETTLEMENT = "_GET_FLAT_FILE_OFFAMAZONPAYMENTS_SETTLEMENT_DATA_"
SANDBOX_SETTLEMENT = "_GET_FLAT_FILE_OFFAMAZONPAYMENTS_SANDBOX_SETTLEMENT_DATA_"
HEADER = ",".join(AMAZON_PAY_SETTLEMENT_COLUMNS)


def records(text: str) -> list[AmazonPaySettlementRow]:
    data = io.BytesIO(text.encode("utf-8"))
    return list(iter_records(data, "utf-8", AmazonPaySettlementRow))


def test_every_amazon_pay_report_type_is_in_the_enum() -> None:
    names = {member.value for member in ReportType if "OFFAMAZONPAYMENTS" in member.value}
    assert names == {
        SETTLEMENT,
        SANDBOX_SETTLEMENT,
        "_GET_FLAT_FILE_OFFAMAZONPAYMENTS_ORDER_REFERENCE_DATA_",
        "_GET_FLAT_FILE_OFFAMAZONPAYMENTS_BILLING_AGREEMENT_DATA_",
        "_GET_FLAT_FILE_OFFAMAZONPAYMENTS_AUTHORIZATION_DATA_",
        "_GET_FLAT_FILE_OFFAMAZONPAYMENTS_CAPTURE_DATA_",
        "_GET_FLAT_FILE_OFFAMAZONPAYMENTS_REFUND_DATA_",
    }


def test_both_settlement_reports_read_as_amazon_pay_rows() -> None:
    assert REPORT_RECORDS[SETTLEMENT] is AmazonPaySettlementRow
    assert REPORT_RECORDS[SANDBOX_SETTLEMENT] is AmazonPaySettlementRow
    assert AmazonPaySettlementRow.delimiter == ","
    assert mwskit.AmazonPaySettlementRow is AmazonPaySettlementRow


def test_a_settlement_file_reads_as_typed_rows() -> None:
    text = (
        f"{HEADER}\r\n"
        "2015-05-18T15:48:50-0000,5044561311,P01-2400747-7777779-C084595,OALP12345678,Capture,"
        'P01-2400747-7777779,5678-23,"Shop, Inc.",USD,106.00,-3.07,-0.30,-3.37,102.63,'
        '"Capture, ""first"" shipment"\r\n'
        "2015-05-21T09:00:00-0700,5044561311,P01-2400747-7777779-R000001,refund-1,Refund,"
        "P01-2400747-7777779,5678-23,Shop,USD,-20,0.58,0,0.58,-19.42,\r\n"
        "\r\n"
    )
    capture, refund = records(text)
    assert capture == AmazonPaySettlementRow(
        transaction_posted_date=datetime(2015, 5, 18, 15, 48, 50, tzinfo=UTC),
        settlement_id="5044561311",
        amazon_transaction_id="P01-2400747-7777779-C084595",
        seller_reference_id="OALP12345678",
        transaction_type="Capture",
        amazon_order_reference_id="P01-2400747-7777779",
        seller_order_id="5678-23",
        store_name="Shop, Inc.",
        currency_code="USD",
        transaction_amount=Decimal("106.00"),
        transaction_percentage_fee=Decimal("-3.07"),
        transaction_fixed_fee=Decimal("-0.30"),
        total_transaction_fee=Decimal("-3.37"),
        net_transaction_amount=Decimal("102.63"),
        transaction_description='Capture, "first" shipment',
        extra={},
    )
    assert refund.transaction_posted_date == datetime(
        2015, 5, 21, 9, 0, 0, tzinfo=timezone(-timedelta(hours=7))
    )
    assert (refund.transaction_type, refund.transaction_amount) == ("Refund", Decimal("-20"))
    assert (refund.net_transaction_amount, refund.transaction_description) == (
        Decimal("-19.42"),
        "",
    )


def test_a_column_the_layout_does_not_name_is_kept_in_extra() -> None:
    text = (
        f"{HEADER},PresentmentCurrencyCode\n2015-05-18T15:48:50Z,1,,,Fee,,,,USD,-5,,,,-5,Fee,EUR\n"
    )
    (row,) = records(text)
    assert row.extra == {"PresentmentCurrencyCode": "EUR"}
    assert (row.amazon_transaction_id, row.transaction_percentage_fee) == ("", None)


def test_a_quoted_field_may_span_lines_and_errors_name_the_line() -> None:
    text = f'{HEADER}\n2015-05-18T15:48:50Z,1,,,Fee,,,,USD,-5,,,,-5,"two\nlines"\n'
    (row,) = records(text)
    assert row.transaction_description == "two\nlines"
    bad_amount = f"{HEADER}\n\n2015-05-18T15:48:50Z,1,,,Fee,,,,USD,five,,,,-5,\n"
    with pytest.raises(ReportFormatError, match=r"^ReportFormatError: line 3, column 'TransactionAmount': 'five'"):
        records(bad_amount)
    unclosed = f'{HEADER}\n2015-05-18T15:48:50Z,1,,,Fee,,,,USD,-5,,,,-5,"never closed\n'
    with pytest.raises(ReportFormatError, match=r"^ReportFormatError: line 2: "):
        records(unclosed)


def test_comma_separated_rows_as_dicts() -> None:
    data = io.BytesIO(b'a,b\r\n1,"x,y"\r\n')
    assert list(iter_rows(data, "utf-8", delimiter=",")) == [{"a": "1", "b": "x,y"}]
    with pytest.raises(ValueError, match="delimiter must be '\\\\t' or ','; got ';'"):
        list(iter_rows(io.BytesIO(b"a;b\n"), "utf-8", delimiter=";"))


AK, SK, SELLER = "AKPAYREPORTS", "pay-reports-secret", "A1PAYSELLER"
ORDER = "S01-7654321-1234567"


@pytest.mark.slow
def test_sandbox_settlement_report_over_http_lists_the_capture() -> None:
    """A purchase (set details, confirm, authorize with CaptureNow) on the sandbox path, then the
    sandbox settlement report requested, polled, downloaded and read as typed rows."""
    with (
        start(Sandbox({AK: SK}, throttling=False)) as server,
        mwskit.MWS(
            access_key=AK,
            secret_key=SK,
            seller_id=SELLER,
            endpoint=server.url,
            amazon_pay_sandbox=True,
            throttle="off",
        ) as mws,
    ):
        pay = mws.off_amazon_payments
        pay.set_order_reference_details(
            amazon_order_reference_id=ORDER,
            order_reference_attributes={
                "order_total": {"amount": Decimal("25.00"), "currency_code": "USD"},
                "seller_order_attributes": {"seller_order_id": "ORDER-1", "store_name": "Shop"},
            },
        )
        pay.confirm_order_reference(amazon_order_reference_id=ORDER)
        authorized = pay.authorize(
            amazon_order_reference_id=ORDER,
            authorization_reference_id="order-1-auth",
            authorization_amount={"amount": Decimal("25.00"), "currency_code": "USD"},
            capture_now=True,
            transaction_timeout=0,
        )
        details = authorized.authorization_details
        assert details is not None
        (capture_id,) = details.id_list
        pay.refund(
            amazon_capture_id=capture_id,
            refund_reference_id="order-1-refund",
            refund_amount={"amount": Decimal("5.00"), "currency_code": "USD"},
        )
        outcome = mws.reports.request_and_get_report(
            report_type=SANDBOX_SETTLEMENT, poll_interval=0
        )
        assert outcome.status == "_DONE_" and outcome.report_id is not None
        rows = list(
            mws.reports.iter_report_rows(report_id=outcome.report_id, record=AmazonPaySettlementRow)
        )
    assert [row.transaction_type for row in rows] == ["Capture", "Refund"]
    capture, refund = rows
    assert (capture.amazon_transaction_id, capture.seller_reference_id) == (
        capture_id,
        "order-1-auth",
    )
    assert (capture.amazon_order_reference_id, capture.seller_order_id) == (ORDER, "ORDER-1")
    assert (capture.store_name, capture.currency_code) == ("Shop", "USD")
    assert (capture.transaction_amount, capture.net_transaction_amount) == (Decimal("25.00"),) * 2
    assert (refund.seller_reference_id, refund.transaction_amount) == (
        "order-1-refund",
        Decimal("-5.00"),
    )
    assert all(row.extra == {} and row.settlement_id for row in rows)
    assert capture.transaction_posted_date is not None
    assert capture.transaction_posted_date.utcoffset() is not None
