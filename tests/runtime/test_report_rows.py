"""The flat-file row iterator on quirky files, its typed values, and the typed report records."""

from __future__ import annotations

import asyncio
import io
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from runtime_helpers.documents import document_handler, make, make_async, md5

from mwskit.reports.rows import (
    REPORT_RECORDS,
    InventoryReportRow,
    OrderReportRow,
    ReportFormatError,
    SettlementReportRow,
    iter_records,
    iter_rows,
)

# --- The row iterator ---------------------------------------------------------------------------


def rows(data: bytes, encoding: str | None) -> list[dict[str, str]]:
    return list(iter_rows(io.BytesIO(data), encoding))


def test_rows_bom_crlf_and_empty_trailing_fields() -> None:
    data = b"\xef\xbb\xbfsku\tasin\tprice\tnote\t\r\nA\tB01\t1.00\r\nB\tB02\t\t\t\r\n\r\n\r\n"
    assert rows(data, "cp1252") == [  # the UTF-8 BOM names the encoding it belongs to
        {"sku": "A", "asin": "B01", "price": "1.00", "note": ""},
        {"sku": "B", "asin": "B02", "price": "", "note": ""},
    ]
    assert rows("a\tb\n\u00e9\t\u00fc\n".encode("utf-16"), None) == [{"a": "\u00e9", "b": "\u00fc"}]


def test_rows_windows_1252_and_cp932() -> None:
    cp1252 = "sku\ttitle\nM\u00dcSLI\t\u20ac 5 \u2013 caf\u00e9\n".encode("cp1252")
    assert rows(cp1252, "windows-1252") == [
        {"sku": "M\u00dcSLI", "title": "\u20ac 5 \u2013 caf\u00e9"}
    ]
    cp932 = "sku\t\u5546\u54c1\u540d\nJ-1\t\u2460\u30c6\u30b9\u30c8\uff5e\n".encode("cp932")
    assert rows(cp932, "Windows-31J") == [
        {"sku": "J-1", "\u5546\u54c1\u540d": "\u2460\u30c6\u30b9\u30c8\uff5e"}
    ]


def test_rows_refuse_unknown_encoding_and_extra_fields() -> None:
    with pytest.raises(ValueError, match=r"pass marketplace=..."):
        rows(b"a\tb\n1\t2\n", None)
    with pytest.raises(ReportFormatError, match="line 3: 3 fields, but the header names 2"):
        rows(b"a\tb\n1\t2\n1\t2\t3\n", "ascii")


def test_rows_keep_a_lone_cr_inside_a_field() -> None:
    data = "sku\tname\tqty\r\nS1\tMug\rRed\t2\r\nS2\tA\u2028B\t3\n".encode("utf-8")
    assert rows(data, "utf-8") == [
        {"sku": "S1", "name": "Mug\rRed", "qty": "2"},
        {"sku": "S2", "name": "A\u2028B", "qty": "3"},
    ]


def test_row_errors_name_the_real_line_after_blank_lines() -> None:
    data = b"settlement-id\tamount\n\n1\t2.00\n\n\n2\tabc\n"
    with pytest.raises(
        ReportFormatError, match=r"^ReportFormatError: line 6, column 'amount': 'abc' is not a valid decimal$"
    ):
        list(iter_records(io.BytesIO(data), "cp1252", SettlementReportRow))
    with pytest.raises(ReportFormatError, match=r"^ReportFormatError: line 4: 3 fields, but the header names 2$"):
        rows(b"a\tb\n\n1\t2\n1\t2\t3\n", "ascii")


def test_undecodable_bytes_raise_report_format_error_naming_the_line() -> None:
    data = b"sku\tname\n" + b"A\tok\n" * 20000 + b"B\tcaf\xe9\n"  # beyond the first chunk
    with pytest.raises(ReportFormatError) as caught:
        rows(data, "utf-8")
    assert (
        str(caught.value)
        == "ReportFormatError: line 20002: bytes that are not valid utf-8 (invalid continuation byte)"
    )
    assert isinstance(caught.value.__cause__, UnicodeDecodeError)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("1,234.56", Decimal("1234.56")),
        ("1.234,56", Decimal("1234.56")),
        ("1,23", Decimal("1.23")),
        ("-3,50", Decimal("-3.50")),
        ("12,345,678.9", Decimal("12345678.9")),
        ("19.90", Decimal("19.90")),
        ("7", Decimal("7")),
    ],
)
def test_decimals_take_the_last_separator_as_the_decimal_point(text: str, value: Decimal) -> None:
    (row,) = rows(f"sku\tprice\nS\t{text}\n".encode(), "ascii")
    assert InventoryReportRow.from_row(row).price == value


@pytest.mark.parametrize("text", ["NaN", "Infinity", "-inf", "sNaN", "1e5", "1_000", "1.2.3"])
def test_decimals_refuse_non_numbers(text: str) -> None:
    with pytest.raises(
        ReportFormatError, match=f"^ReportFormatError: line 2, column 'price': '{text}' is not a valid decimal$"
    ):
        list(
            iter_records(
                io.BytesIO(f"sku\tprice\nS\t{text}\n".encode()), "ascii", InventoryReportRow
            )
        )


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("09.02.2011 02:46:57+01:00", datetime(2011, 2, 9, 1, 46, 57, tzinfo=UTC)),
        ("09.02.2011 02:46:57 -0130", datetime(2011, 2, 9, 4, 16, 57, tzinfo=UTC)),
        ("19.07.2017 13:30:02 UTC", datetime(2017, 7, 19, 13, 30, 2, tzinfo=UTC)),
        ("19.07.2017 13:30:02", datetime(2017, 7, 19, 13, 30, 2, tzinfo=UTC)),
        ("2017-07-20", datetime(2017, 7, 20, tzinfo=UTC)),
        ("2017-07-21 10:00:00", datetime(2017, 7, 21, 10, tzinfo=UTC)),
        ("2011-02-09T02:46:57-08:00", datetime(2011, 2, 9, 10, 46, 57, tzinfo=UTC)),
        ("2011-02-09T02:46:57Z", datetime(2011, 2, 9, 2, 46, 57, tzinfo=UTC)),
    ],
)
def test_dates_are_always_timezone_aware(text: str, value: datetime) -> None:
    (row,) = rows(f"settlement-id\tposted-date\n1\t{text}\n".encode(), "ascii")
    parsed = SettlementReportRow.from_row(row).posted_date
    assert parsed is not None and parsed.utcoffset() is not None
    assert parsed == value
    if "+01:00" in text:
        assert parsed.isoformat() == "2011-02-09T02:46:57+01:00"  # the offset is kept


def test_iter_report_rows_downloads_then_reads_typed_records() -> None:
    inventory = "sku\tasin\tprice\tquantity\tbusiness-price\r\nT\u00c9E\tB0X\t19,90\t\r\n".encode(
        "cp1252"
    )
    handler, _seen = document_handler([inventory], {"Content-MD5": md5(inventory)})
    mws = make(handler)
    assert list(mws.reports.iter_report_rows(report_id="5", marketplace="FR")) == [
        {"sku": "T\u00c9E", "asin": "B0X", "price": "19,90", "quantity": "", "business-price": ""}
    ]
    records = list(
        mws.reports.iter_report_rows(report_id="5", marketplace="FR", record=InventoryReportRow)
    )
    assert records == [
        InventoryReportRow(
            sku="T\u00c9E",
            asin="B0X",
            price=Decimal("19.90"),
            quantity=None,
            extra={"business-price": ""},
        )
    ]
    assert REPORT_RECORDS["_GET_FLAT_FILE_OPEN_LISTINGS_DATA_"] is InventoryReportRow


def test_async_iter_report_rows_with_cp932() -> None:
    data = "sku\tquantity\n\u65e5-1\t3\n".encode("cp932")

    async def run() -> list[dict[str, str]]:
        handler, _ = document_handler([data], {"Content-MD5": md5(data)}, streaming="async")
        mws = make_async(handler)
        return [row async for row in mws.reports.iter_report_rows(report_id="5", marketplace="JP")]

    assert asyncio.run(run()) == [{"sku": "\u65e5-1", "quantity": "3"}]


def test_order_and_settlement_records() -> None:
    order = (
        b"order-id\torder-item-id\tpurchase-date\tsku\tquantity-purchased\tcurrency\titem-price\t"
        b"delivery-Instructions\n103-26010-55904\t394929210114\t2011-02-09T02:46:57-08:00\tJW-RT1\t1\t"
        b"USD\t19.49\n"
    )
    (row,) = [OrderReportRow.from_row(item) for item in iter_rows(io.BytesIO(order), "cp1252")]
    assert (row.order_id, row.quantity_purchased, row.item_price, row.delivery_instructions) == (
        "103-26010-55904",
        1,
        Decimal("19.49"),
        "",
    )
    assert row.purchase_date == datetime.fromisoformat("2011-02-09T02:46:57-08:00")
    assert (row.payments_date, row.ship_city, row.extra) == (None, "", {})
    settlement = (
        b"settlement-id\tsettlement-start-date\tdeposit-date\ttotal-amount\tamount\tposted-date\n"
        b"111\t19.07.2017 13:30:02 UTC\t2017-07-21 10:00:00 UTC\t1.234,56\t\t\n"
        b"111\t\t\t\t-3,50\t2017-07-20\n"
    )
    first, second = [
        SettlementReportRow.from_row(item) for item in iter_rows(io.BytesIO(settlement), "cp1252")
    ]
    assert first.settlement_start_date == datetime(2017, 7, 19, 13, 30, 2, tzinfo=UTC)
    assert first.deposit_date == datetime(2017, 7, 21, 10, 0, tzinfo=UTC)
    assert (first.total_amount, first.amount) == (Decimal("1234.56"), None)
    assert (second.amount, second.posted_date) == (
        Decimal("-3.50"),
        datetime(2017, 7, 20, tzinfo=UTC),
    )
    with pytest.raises(
        ReportFormatError, match="line 7, column 'amount': 'abc' is not a valid decimal"
    ):
        SettlementReportRow.from_row({"amount": "abc"}, 7)
