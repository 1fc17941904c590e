"""Rows of flat-file reports (tab-separated, or comma-separated for Amazon Pay), read as a
stream in constant memory.

The header row gives the field names; each later row becomes a dict (or, for the layouts
described below, a typed record). Comma-separated files follow RFC 4180: a field may be quoted
with `"` (a quoted field may hold commas, quotes written twice, and line breaks). Quirks handled: a byte-order mark (it names the encoding it
belongs to: a BOM is data, not a guess), CRLF or LF line ends (a lone CR is data), rows whose
trailing empty fields were cut off (filled with ""), trailing tabs (empty extra fields are
dropped), blank lines (they still count in the line numbers of errors). Dates come back
timezone-aware (UTC when the file names no zone).

Where the typed layouts live: here, in the runtime, as plain dataclasses. They describe file
formats, not the MWS wire protocol, and converting a column ("19.49", "2011-02-09T02:46:57-08:00",
"1,23" in EU settlement files) needs code anyway; a table in specs/ would need a second generator
path for a handful of classes. The order-report columns are those of the Reports_GetReport example;
the inventory (open listings) columns those of Reports_ReportType; the settlement V2 columns come
from the published client libraries (the archived docs do not list them); the Amazon Pay settlement
columns are those of the Amazon Pay settlement report documentation (see AmazonPaySettlementRow).
"""

from __future__ import annotations

import codecs
import csv
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal, InvalidOperation
from typing import IO, Any, ClassVar, TypeVar

from .._runtime.documents import codec_name
from .._runtime.errors import MWSError
from .._runtime.results import to_datetime

T = TypeVar("T", bound="ReportRecord")

_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_CHUNK = 64 * 1024


class ReportFormatError(MWSError, ValueError):
    """A flat-file report row that cannot be read (with its line number). An MWSError like
    every failure mwskit raises; still a ValueError, as it was before."""


def _lines(file: IO[bytes], encoding: str | None) -> Iterator[tuple[int, str]]:
    """Each line of the file as text with its number (from 1), without its "\\n" or "\\r\\n".

    A BOM decides the encoding it belongs to, else `encoding` (required). Lines end at "\\n"
    only: a lone "\\r" (or any other Unicode line break) inside a field is data. Bytes the
    encoding cannot decode raise ReportFormatError naming their line.
    """
    head = file.read(4)
    codec: str | None = None
    for bom, name in _BOMS:
        if head.startswith(bom):
            codec, head = name, head[len(bom) :]
            break
    if codec is None:
        if encoding is None:
            raise ValueError(
                "the report's encoding is unknown: the response declared no charset; pass "
                "marketplace=... to use the marketplace's documented report encoding"
            )
        codec = codec_name(encoding)
    decoder = codecs.getincrementaldecoder(codec)("strict")
    number = 1
    pending = ""
    chunk = head
    while True:
        final = not chunk
        try:
            text = decoder.decode(chunk, final)
        except UnicodeDecodeError as error:
            good = error.object[: error.start].decode(codec, "replace")
            line = number + good.count("\n")
            raise ReportFormatError(
                f"line {line}: bytes that are not valid {codec} ({error.reason})"
            ) from error
        if text:
            parts = (pending + text).split("\n")
            pending = parts.pop()
            for part in parts:
                yield number, part[:-1] if part.endswith("\r") else part
                number += 1
        if final:
            break
        chunk = file.read(_CHUNK)
    if pending:
        yield number, pending


TAB, COMMA = "\t", ","


def iter_rows(
    file: IO[bytes], encoding: str | None, *, delimiter: str = TAB
) -> Iterator[dict[str, str]]:
    """Each data row of a tab-separated (or, with delimiter=",", comma-separated) report as
    {header field: value}, read line by line."""
    for _, row in _numbered_rows(file, encoding, delimiter):
        yield row


def _split(
    file: IO[bytes], encoding: str | None, delimiter: str
) -> Iterator[tuple[int, list[str]]]:
    """Each line's fields with the number of the line (of a quoted field's last line for CSV)."""
    if delimiter == TAB:
        for number, line in _lines(file, encoding):
            yield number, line.split(TAB)
        return
    if delimiter != COMMA:
        raise ValueError(f"delimiter must be {TAB!r} or {COMMA!r}; got {delimiter!r}")
    lines = (line + "\n" for _, line in _lines(file, encoding))
    reader = csv.reader(lines, delimiter=COMMA, quotechar='"', strict=True)
    try:
        for fields_ in reader:
            yield reader.line_num, fields_
    except csv.Error as error:
        raise ReportFormatError(f"line {reader.line_num}: {error}") from error


def _numbered_rows(
    file: IO[bytes], encoding: str | None, delimiter: str = TAB
) -> Iterator[tuple[int, dict[str, str]]]:
    """Each data row with the number of its line in the file (blank lines count)."""
    header: list[str] | None = None
    width = 0
    for number, fields_ in _split(file, encoding, delimiter):
        blank = not any(item.strip() for item in fields_)
        if header is None:
            if fields_:
                fields_[0] = fields_[0].lstrip("\ufeff")
            header = [name.strip() for name in fields_]
            while header and not header[-1]:
                header.pop()
            width = len(header)
            if not width:
                header = None  # blank lines before the header
            continue
        count = len(fields_)
        if count < width:
            if blank:
                continue  # a blank line (often the last one)
            fields_.extend([""] * (width - count))
        elif count > width:
            if any(fields_[width:]):
                raise ReportFormatError(
                    f"line {number}: {count} fields, but the header names {width}"
                )
            del fields_[width:]
        elif blank:
            continue
        yield number, dict(zip(header, fields_, strict=False))


# --- Typed records -----------------------------------------------------------------------------

_STR, _INT, _DECIMAL, _DATETIME = "str", "int", "decimal", "datetime"
_EU_DATE = re.compile(r"^(\d{2})\.(\d{2})\.(\d{4})[ T](\d{2}):(\d{2}):(\d{2})")


_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")


def _key(column: str) -> str:
    """A column's field name: "order-id" and "AmazonOrderReferenceId" give order_id and
    amazon_order_reference_id."""
    return _CAMEL.sub("_", column.strip()).lower().replace("-", "_").replace(" ", "_")


_NUMBER = re.compile(r"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)$")
_OFFSET = re.compile(r"^(?:Z|([+-])(\d{2}):?(\d{2}))$")


def _cell_decimal(text: str) -> Decimal:
    """A report cell's decimal, written with either separator: the last of ',' and '.' is the decimal point.

    "1,234.56" and "1.234,56" are both 1234.56, "1,23" is 1.23; the other separator is a
    thousands separator and is dropped. NaN, Infinity and exponents are refused.
    """
    value = text.strip()
    comma, dot = value.rfind(","), value.rfind(".")
    if comma > dot:
        value = value.replace(".", "").replace(",", ".")
    elif dot > comma:
        value = value.replace(",", "")
    if not _NUMBER.match(value):
        raise ValueError(f"not a decimal number: {text!r}")
    return Decimal(value)


def _cell_datetime(text: str) -> datetime:
    """A report cell's time, timezone-aware: an explicit offset is kept, no zone (or " UTC") means UTC.

    Accepts ISO 8601 ("2011-02-09T02:46:57-08:00", "2017-07-20") and the EU settlement form
    "19.07.2017 13:30:02" with an optional offset or " UTC".
    """
    value = text.strip()
    utc = value.endswith(" UTC")
    if utc:
        value = value[:-4].rstrip()
    match = _EU_DATE.match(value)
    if match:
        day, month, year, hour, minute, second = (int(part) for part in match.groups())
        parsed = datetime(year, month, day, hour, minute, second)
        rest = value[match.end() :].strip()
        if rest:
            offset = _OFFSET.match(rest)
            if offset is None:
                raise ValueError(f"not a date and time: {text!r}")
            sign, hours, minutes = offset.groups()
            if sign is None:
                zone = UTC
            else:
                delta = timedelta(hours=int(hours), minutes=int(minutes))
                zone = timezone(-delta if sign == "-" else delta)
            parsed = parsed.replace(tzinfo=zone)
    else:
        parsed = to_datetime(value)  # the same ISO rules as XML answers
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    elif utc and parsed.utcoffset() != timedelta(0):
        raise ValueError(f"conflicting time zones: {text!r}")
    return parsed


_CELL_CONVERTERS: dict[str, Callable[[str], Any]] = {
    _INT: int,
    _DECIMAL: _cell_decimal,
    _DATETIME: _cell_datetime,
}


@dataclass(frozen=True, slots=True)
class ReportRecord:
    """Base of the typed rows: `extra` holds columns the layout does not describe."""

    _kinds: ClassVar[Mapping[str, str]] = {}
    report_types: ClassVar[tuple[str, ...]] = ()
    delimiter: ClassVar[str] = TAB  # how the layout's files separate fields

    @classmethod
    def from_row(cls: type[T], row: Mapping[str, str], line: int | None = None) -> T:
        """The record of one row; empty cells are "" (text) or None (numbers and dates)."""
        values: dict[str, Any] = {}
        extra: dict[str, str] = {}
        kinds = cls._kinds
        for column, text in row.items():
            name = _key(column)
            kind = kinds.get(name)
            if kind is None:
                extra[column] = text
            elif kind == _STR:
                values[name] = text
            elif text.strip():
                try:
                    values[name] = _CELL_CONVERTERS[kind](text.strip())
                except (ValueError, InvalidOperation) as error:
                    where = f"line {line}, " if line is not None else ""
                    raise ReportFormatError(
                        f"{where}column {column!r}: {text!r} is not a valid {kind}"
                    ) from error
        for item in fields(cls):
            if item.name not in values and item.name != "extra":
                values[item.name] = "" if kinds.get(item.name) == _STR else None
        values["extra"] = extra
        return cls(**values)


def _columns(**kinds: str) -> Mapping[str, str]:
    """A layout: the kind of each column, by its normalised name."""
    return kinds


@dataclass(frozen=True, slots=True)
class OrderReportRow(ReportRecord):
    """A row of the flat-file order report (_GET_FLAT_FILE_ORDERS_DATA_)."""

    _kinds: ClassVar[Mapping[str, str]] = _columns(
        order_id=_STR,
        order_item_id=_STR,
        purchase_date=_DATETIME,
        payments_date=_DATETIME,
        buyer_email=_STR,
        buyer_name=_STR,
        buyer_phone_number=_STR,
        sku=_STR,
        product_name=_STR,
        quantity_purchased=_INT,
        currency=_STR,
        item_price=_DECIMAL,
        item_tax=_DECIMAL,
        shipping_price=_DECIMAL,
        shipping_tax=_DECIMAL,
        ship_service_level=_STR,
        recipient_name=_STR,
        ship_address_1=_STR,
        ship_address_2=_STR,
        ship_address_3=_STR,
        ship_city=_STR,
        ship_state=_STR,
        ship_postal_code=_STR,
        ship_country=_STR,
        ship_phone_number=_STR,
        delivery_start_date=_DATETIME,
        delivery_end_date=_DATETIME,
        delivery_time_zone=_STR,
        delivery_instructions=_STR,
    )
    report_types: ClassVar[tuple[str, ...]] = ("_GET_FLAT_FILE_ORDERS_DATA_",)

    order_id: str
    order_item_id: str
    purchase_date: datetime | None
    payments_date: datetime | None
    buyer_email: str
    buyer_name: str
    buyer_phone_number: str
    sku: str
    product_name: str
    quantity_purchased: int | None
    currency: str
    item_price: Decimal | None
    item_tax: Decimal | None
    shipping_price: Decimal | None
    shipping_tax: Decimal | None
    ship_service_level: str
    recipient_name: str
    ship_address_1: str
    ship_address_2: str
    ship_address_3: str
    ship_city: str
    ship_state: str
    ship_postal_code: str
    ship_country: str
    ship_phone_number: str
    delivery_start_date: datetime | None
    delivery_end_date: datetime | None
    delivery_time_zone: str
    delivery_instructions: str
    extra: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class InventoryReportRow(ReportRecord):
    """A row of the inventory report (_GET_FLAT_FILE_OPEN_LISTINGS_DATA_): sku, asin, price, quantity."""

    _kinds: ClassVar[Mapping[str, str]] = _columns(
        sku=_STR, asin=_STR, price=_DECIMAL, quantity=_INT
    )
    report_types: ClassVar[tuple[str, ...]] = ("_GET_FLAT_FILE_OPEN_LISTINGS_DATA_",)

    sku: str
    asin: str
    price: Decimal | None
    quantity: int | None
    extra: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class SettlementReportRow(ReportRecord):
    """A row of the flat-file V2 settlement report (_GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE_V2_).

    The first data row is the settlement summary (total-amount, deposit-date, other cells empty).
    """

    _kinds: ClassVar[Mapping[str, str]] = _columns(
        settlement_id=_STR,
        settlement_start_date=_DATETIME,
        settlement_end_date=_DATETIME,
        deposit_date=_DATETIME,
        total_amount=_DECIMAL,
        currency=_STR,
        transaction_type=_STR,
        order_id=_STR,
        merchant_order_id=_STR,
        adjustment_id=_STR,
        shipment_id=_STR,
        marketplace_name=_STR,
        amount_type=_STR,
        amount_description=_STR,
        amount=_DECIMAL,
        fulfillment_id=_STR,
        posted_date=_DATETIME,
        posted_date_time=_DATETIME,
        order_item_code=_STR,
        merchant_order_item_id=_STR,
        merchant_adjustment_item_id=_STR,
        sku=_STR,
        quantity_purchased=_INT,
        promotion_id=_STR,
    )
    report_types: ClassVar[tuple[str, ...]] = ("_GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE_V2_",)

    settlement_id: str
    settlement_start_date: datetime | None
    settlement_end_date: datetime | None
    deposit_date: datetime | None
    total_amount: Decimal | None
    currency: str
    transaction_type: str
    order_id: str
    merchant_order_id: str
    adjustment_id: str
    shipment_id: str
    marketplace_name: str
    amount_type: str
    amount_description: str
    amount: Decimal | None
    fulfillment_id: str
    posted_date: datetime | None
    posted_date_time: datetime | None
    order_item_code: str
    merchant_order_item_id: str
    merchant_adjustment_item_id: str
    sku: str
    quantity_purchased: int | None
    promotion_id: str
    extra: Mapping[str, str] = field(default_factory=dict)


AMAZON_PAY_SETTLEMENT_COLUMNS = (
    "TransactionPostedDate",
    "SettlementId",
    "AmazonTransactionId",
    "SellerReferenceId",
    "TransactionType",
    "AmazonOrderReferenceId",
    "SellerOrderId",
    "StoreName",
    "CurrencyCode",
    "TransactionAmount",
    "TransactionPercentageFee",
    "TransactionFixedFee",
    "TotalTransactionFee",
    "NetTransactionAmount",
    "TransactionDescription",
)
"""The body columns of the Amazon Pay settlement reports, in the documented order."""


@dataclass(frozen=True, slots=True)
class AmazonPaySettlementRow(ReportRecord):
    """A row of an Amazon Pay (Checkout v1) settlement report, production or sandbox.

    Comma-separated (Reports_ReportType: "Comma-separated flat file that contains all of the
    transactions"). One row per transaction posted to the merchant account: transaction_type
    is Authorization, Capture, Refund, A-to-z Guarantee claim, Chargeback, Dispute or a fee
    and adjustment type; amazon_transaction_id and seller_reference_id (the caller's
    CaptureReferenceId, RefundReferenceId, ...) are filled only for the payment transactions.
    Amounts are Decimal in currency_code. Times carry their offset
    ("2015-05-18T15:48:50-0000").

    Columns: the Amazon Pay settlement report documentation (developer.amazon.com/docs/
    amazon-pay-reports/settlement-reports.html, report body: TransactionPostedDate, SettlementId,
    AmazonTransactionId, SellerReferenceId, TransactionType, ...; docs/amazon-pay-checkout/
    v1-set-up-reports.html names AmazonOrderReferenceId and SellerReferenceId in the settlement
    report). The stored copies of those pages stop after TransactionType; the order and names
    of the columns after it are those of the Amazon Pay "Settlement and transaction reports"
    guide (version 1.6), which the stored sources name but do not show in full. Any column not
    listed here is kept in `extra`.
    """

    _kinds: ClassVar[Mapping[str, str]] = _columns(
        transaction_posted_date=_DATETIME,
        settlement_id=_STR,
        amazon_transaction_id=_STR,
        seller_reference_id=_STR,
        transaction_type=_STR,
        amazon_order_reference_id=_STR,
        seller_order_id=_STR,
        store_name=_STR,
        currency_code=_STR,
        transaction_amount=_DECIMAL,
        transaction_percentage_fee=_DECIMAL,
        transaction_fixed_fee=_DECIMAL,
        total_transaction_fee=_DECIMAL,
        net_transaction_amount=_DECIMAL,
        transaction_description=_STR,
    )
    report_types: ClassVar[tuple[str, ...]] = (
        "_GET_FLAT_FILE_OFFAMAZONPAYMENTS_SETTLEMENT_DATA_",
        "_GET_FLAT_FILE_OFFAMAZONPAYMENTS_SANDBOX_SETTLEMENT_DATA_",
    )
    delimiter: ClassVar[str] = COMMA

    transaction_posted_date: datetime | None
    settlement_id: str
    amazon_transaction_id: str
    seller_reference_id: str
    transaction_type: str
    amazon_order_reference_id: str
    seller_order_id: str
    store_name: str
    currency_code: str
    transaction_amount: Decimal | None
    transaction_percentage_fee: Decimal | None
    transaction_fixed_fee: Decimal | None
    total_transaction_fee: Decimal | None
    net_transaction_amount: Decimal | None
    transaction_description: str
    extra: Mapping[str, str] = field(default_factory=dict)


REPORT_RECORDS: Mapping[str, type[ReportRecord]] = {
    report_type: cls
    for cls in (OrderReportRow, InventoryReportRow, SettlementReportRow, AmazonPaySettlementRow)
    for report_type in cls.report_types
}
"""The typed record of each report type with a described layout."""


def iter_records(file: IO[bytes], encoding: str | None, record: type[T]) -> Iterator[T]:
    """Each data row as a `record`, converting numbers and dates (fields split by the
    record's delimiter)."""
    for number, row in _numbered_rows(file, encoding, record.delimiter):
        yield record.from_row(row, number)
