"""Amazon Pay's money moves in the sandbox: authorize (and CaptureNow), capture and refund,
each checked against the documented limits (the order total and its allowance, the authorized
amount, the captured amount and its allowance, ten authorizations, ten refunds) and moved to
its outcome, or to what its sandbox simulation says, on the `Payments` state.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from .checks import SandboxRequest
from .payment_objects import (
    AUTHORIZATION_DAYS,
    MAX_AUTHORIZATIONS,
    MAX_REFUNDS,
    SANDBOX_AUTHORIZATION_DAYS,
    Authorization,
    Capture,
    Money,
    OrderReference,
    Refund,
    Simulation,
    Status,
    allowance,
    authorization_data,
    money,
    refund_data,
    refusal,
    simulation,
)
from .payments import Payments


def authorize(
    pay: Payments, request: SandboxRequest, order: OrderReference, simulated: Simulation | None
) -> Authorization:
    """A new authorization on `order` (Open), checked against its total and limits."""
    values = request.values
    amount = money(values["AuthorizationAmount"], "AuthorizationAmount")
    assert order.total is not None  # an Open order reference has its amount
    if amount.currency != order.total.currency:
        raise refusal(
            "CurrencyMismatch",
            f"The currency {amount.currency} differs from the OrderTotal currency {order.total.currency}.",
        )
    held = [pay.authorizations[a] for a in order.authorizations if a in pay.authorizations]
    if sum(1 for a in held if a.status.state != "Declined") >= MAX_AUTHORIZATIONS:
        raise refusal(
            "TransactionCountExceeded",
            f"The order reference {order.id} already has {MAX_AUTHORIZATIONS} authorizations.",
        )
    limit = order.total.amount + allowance(order.total)
    if sum((a.holds() for a in held), Decimal(0)) + amount.amount > limit:
        raise refusal(
            "TransactionAmountExceeded",
            f"The authorizations of {order.id} would exceed its OrderTotal "
            f"{order.total.data()['Amount']} {order.total.currency} and the allowed excess.",
        )
    now = pay.clock()
    days = SANDBOX_AUTHORIZATION_DAYS if order.sandbox else AUTHORIZATION_DAYS
    authorization = Authorization(
        f"{order.id}-A{len(order.authorizations) + 1:06d}",
        request.seller_id,
        order.id,
        str(values["AuthorizationReferenceId"]),
        amount,
        now,
        now + timedelta(days=days),
        Status("Pending", now),
        values.get("SellerAuthorizationNote"),
        values.get("CaptureNow") == "true",
        values.get("SoftDescriptor"),
    )
    pay.authorizations.keep(authorization.id, authorization)
    order.authorizations.append(authorization.id)
    pay.schedule(authorization.expires, "authorization_expired", authorization.id)
    synchronous = values.get("TransactionTimeout") == "0"
    if synchronous:
        _process_authorization(pay, authorization, order, simulated)
    else:
        pay.notify(
            "authorization",
            request.seller_id,
            order.sandbox,
            authorization_data(authorization),
        )
        pay.later(lambda: _process_authorization(pay, authorization, order, simulated))
    return authorization


def _process_authorization(
    pay: Payments, authorization: Authorization, order: OrderReference, simulated: Simulation | None
) -> None:
    """Move a new authorization to its outcome (and its order reference with it)."""
    if simulated is None or simulated.state is None:
        pay.set_authorization_status(authorization, "Open")
        if authorization.capture_now:
            _capture_now(pay, authorization, order)
        return
    reason = simulated.reason
    if simulated.state == "Declined":
        if reason == "InvalidPaymentMethod":
            authorization.soft_decline = (
                True if simulated.soft_decline is None else simulated.soft_decline
            )
        pay.set_authorization_status(authorization, "Declined", reason)
        if reason == "InvalidPaymentMethod":
            pay.set_order_status(order, "Suspended", "InvalidPaymentMethod")
            if simulated.minutes is not None:
                pay.schedule(pay.clock() + timedelta(minutes=simulated.minutes), "reopen", order.id)
            agreement = pay.billing_agreements.get(order.parent or "")
            if agreement is not None and agreement.status.state == "Open":
                pay.set_agreement_status(agreement, "Suspended", "InvalidPaymentMethod")
        elif reason == "AmazonRejected":
            pay.set_order_status(order, "Closed", "AmazonClosed")
        return
    if reason == "ExpiredUnused" and simulated.minutes is not None:
        pay.set_authorization_status(authorization, "Open")
        pay.schedule(
            pay.clock() + timedelta(minutes=simulated.minutes),
            "authorization_expired",
            authorization.id,
        )
        return
    pay.set_authorization_status(authorization, "Closed", reason)


def _capture_now(pay: Payments, authorization: Authorization, order: OrderReference) -> None:
    capture = _new_capture(
        pay,
        authorization,
        order,
        authorization.reference_id,
        authorization.amount,
        None,
        authorization.soft_descriptor,
    )
    _settle_capture(pay, authorization, capture, None)


def _new_capture(
    pay: Payments,
    authorization: Authorization,
    order: OrderReference,
    reference_id: str,
    amount: Money,
    note: str | None,
    soft_descriptor: str | None,
) -> Capture:
    order.captures += 1
    capture = Capture(
        f"{order.id}-C{order.captures:06d}",
        authorization.seller,
        authorization.id,
        order.id,
        reference_id,
        amount,
        pay.clock(),
        Status("Pending", pay.clock()),
        note,
        soft_descriptor,
    )
    pay.captures.keep(capture.id, capture)
    authorization.captures.append(capture.id)
    return capture


def _settle_capture(
    pay: Payments, authorization: Authorization, capture: Capture, simulated: Simulation | None
) -> None:
    """A capture's outcome: Completed, or what its simulation says (Pending, Closed), its
    authorization then Closed (MaxCapturesProcessed: one capture each); a Declined capture
    takes nothing and leaves the authorization Open."""
    state = "Completed" if simulated is None or simulated.state is None else simulated.state
    reason = None if simulated is None else simulated.reason
    if state == "Declined":
        pay.set_capture_status(capture, "Declined", reason)
        return
    authorization.captured += capture.amount.amount
    pay.set_capture_status(capture, state, reason)
    pay.set_authorization_status(authorization, "Closed", "MaxCapturesProcessed")


def capture(pay: Payments, request: SandboxRequest, authorization: Authorization) -> Capture:
    values = request.values
    amount = money(values["CaptureAmount"], "CaptureAmount")
    if authorization.status.state != "Open":
        raise refusal(
            "InvalidAuthorizationStatus",
            f"The authorization {authorization.id} is {authorization.status.state}; "
            "only an Open authorization can be captured.",
        )
    if amount.currency != authorization.amount.currency:
        raise refusal(
            "CurrencyMismatch",
            f"The currency {amount.currency} differs from the authorization's "
            f"{authorization.amount.currency}.",
        )
    if amount.amount > authorization.amount.amount - authorization.captured:
        raise refusal(
            "TransactionAmountExceeded",
            f"The capture amount {values['CaptureAmount']['Amount']} exceeds the amount "
            f"authorized, {authorization.amount.data()['Amount']} {amount.currency}.",
        )
    simulated = simulation(
        values.get("SellerCaptureNote"),
        "Capture",
        "SellerCaptureNote",
        sandbox=request.sandbox_path,
    )
    order = pay.order_references.get(authorization.order_reference)
    if order is None:  # dropped past StateLimits.payments
        raise refusal(
            "InvalidOrderReferenceId",
            f"The order reference {authorization.order_reference} is no longer kept.",
        )
    capture = _new_capture(
        pay,
        authorization,
        order,
        str(values["CaptureReferenceId"]),
        amount,
        values.get("SellerCaptureNote"),
        values.get("SoftDescriptor"),
    )
    _settle_capture(pay, authorization, capture, simulated)
    return capture


def refund(pay: Payments, request: SandboxRequest, capture: Capture) -> Refund:
    values = request.values
    amount = money(values["RefundAmount"], "RefundAmount")
    if capture.status.state != "Completed":
        raise refusal(
            "CaptureNotRefundable",
            f"The capture {capture.id} is {capture.status.state}; only a Completed capture "
            "can be refunded.",
        )
    if amount.currency != capture.amount.currency:
        raise refusal(
            "CurrencyMismatch",
            f"The currency {amount.currency} differs from the capture's {capture.amount.currency}.",
        )
    limit = capture.amount.amount + allowance(capture.amount)
    if capture.refunded + amount.amount > limit:
        raise refusal(
            "TransactionAmountExceeded",
            f"The refunds of {capture.id} would exceed the captured amount "
            f"{capture.amount.data()['Amount']} {amount.currency} and the allowed excess.",
        )
    simulated = simulation(
        values.get("SellerRefundNote"),
        "Refund",
        "SellerRefundNote",
        sandbox=request.sandbox_path,
    )
    order = pay.order_references.get(capture.order_reference)
    number = 1
    if order is not None:
        order.refunds += 1
        number = order.refunds
    refund = Refund(
        f"{capture.order_reference}-R{number:06d}",
        request.seller_id,
        capture.id,
        capture.order_reference,
        str(values["RefundReferenceId"]),
        amount,
        pay.clock(),
        Status("Pending", pay.clock()),
        values.get("SellerRefundNote"),
        values.get("SoftDescriptor"),
    )
    pay.refunds.keep(refund.id, refund)
    capture.refunds.append(refund.id)
    capture.refunded += amount.amount
    pay.notify(
        "refund",
        refund.seller,
        pay._sandbox_of(refund.order_reference),
        refund_data(refund),
    )
    pay.later(lambda: _settle_refund(pay, capture, refund, simulated))
    return refund


def _settle_refund(
    pay: Payments, capture: Capture, refund: Refund, simulated: Simulation | None
) -> None:
    if simulated is not None:
        capture.refunded -= refund.amount.amount
        pay.set_refund_status(refund, "Declined", simulated.reason)
        return
    pay.set_refund_status(refund, "Completed")
    if capture.refunded >= capture.amount.amount + allowance(capture.amount):
        pay.set_capture_status(capture, "Closed", "MaxAmountRefunded")
    elif _completed_refunds(pay, capture) >= MAX_REFUNDS:
        pay.set_capture_status(capture, "Closed", "MaxRefundsProcessed")


def _completed_refunds(pay: Payments, capture: Capture) -> int:
    found = (pay.refunds.get(refund_id) for refund_id in capture.refunds)
    return sum(1 for refund in found if refund is not None and refund.status.state == "Completed")
