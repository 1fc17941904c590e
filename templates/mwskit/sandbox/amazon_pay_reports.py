"""The Amazon Pay settlement report of the sandbox (`_GET_FLAT_FILE_OFFAMAZONPAYMENTS_SANDBOX_
SETTLEMENT_DATA_`, requested through Reports like any report): one row per Completed (or later
Closed) capture and per Completed refund the seller made on the sandbox path, oldest first.

Comma-separated (RFC 4180, CRLF, UTF-8) with the documented columns (the reader's own tuple,
`mwskit.reports.rows.AMAZON_PAY_SETTLEMENT_COLUMNS`); a refund's amount is negative; fees are 0 in the sandbox; one settlement id per
sandbox seed. The production settlement report is made by Amazon at each settlement and cannot
be requested, so the sandbox has none.
"""

from __future__ import annotations

import csv
import io
from decimal import Decimal

from .payment_objects import Capture, Money, Refund
from .payments import Payments

SETTLEMENT_REPORT_TYPES = frozenset({"_GET_FLAT_FILE_OFFAMAZONPAYMENTS_SANDBOX_SETTLEMENT_DATA_"})


def settlement_report(payments: Payments, seller: str) -> bytes:
    """The seller's sandbox settlement file as it stands now."""
    # Imported here: a package generated without the Reports section has no mwskit.reports,
    # and its sandbox must still import (settlement reports are requested through Reports).
    from ..reports.rows import AMAZON_PAY_SETTLEMENT_COLUMNS

    settled: list[Capture | Refund] = [
        capture
        for capture in payments.captures.values()
        if capture.seller == seller and capture.status.state in ("Completed", "Closed")
    ]
    settled += [
        refund
        for refund in payments.refunds.values()
        if refund.seller == seller and refund.status.state == "Completed"
    ]
    settled = [item for item in settled if _on_sandbox_path(payments, item.order_reference)]
    settled.sort(key=lambda item: (item.created, item.id))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(AMAZON_PAY_SETTLEMENT_COLUMNS)
    for item in settled:
        writer.writerow(_row(payments, item))
    return out.getvalue().encode("utf-8")


def _on_sandbox_path(payments: Payments, order_id: str) -> bool:
    order = payments.order_references.get(order_id)
    return order is not None and order.sandbox


def _row(payments: Payments, item: Capture | Refund) -> list[str]:
    order = payments.order_references[item.order_reference]
    sign = Decimal(-1) if isinstance(item, Refund) else Decimal(1)
    amount = Money(sign * item.amount.amount, item.amount.currency).data()["Amount"]
    zero = Money(Decimal(0), item.amount.currency).data()["Amount"]
    return [
        item.created.strftime("%Y-%m-%dT%H:%M:%S-0000"),
        f"{5_000_000_000 + payments.seed}",
        item.id,
        item.reference_id,
        "Refund" if isinstance(item, Refund) else "Capture",
        item.order_reference,
        str(order.seller_order.get("SellerOrderId", "")),
        str(order.seller_order.get("StoreName", "")),
        item.amount.currency,
        amount,
        zero,
        zero,
        zero,
        amount,
        item.note or "",
    ]
