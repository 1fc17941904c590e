"""The sandbox playing Amazon Pay (OffAmazonPayments): order references, authorizations,
captures, refunds and billing agreements with the states, amounts and reference ids the
Amazon Pay docs define (reference/off_amazon_payments/reference.yaml `states:`, `operations:`,
`reference_ids:`, `sandbox_simulations:`).

The buyer: in the real service the buyer's browser widget creates the order reference or the
billing agreement. Here an id the sandbox has not seen, of the sandbox form (`S` then two
digits, `-`, seven digits, `-`, seven digits for an order reference: `S01-1234567-1234567`;
`C` instead of `S` for a billing agreement), is a Draft object the buyer just made, with a
buyer, a shipping address and a payment method, the first time GetOrderReferenceDetails /
SetOrderReferenceDetails (GetBillingAgreementDetails / SetBillingAgreementDetails) names it.
Any other unknown id is refused (InvalidOrderReferenceId, InvalidBillingAgreementId).

Processing: an asynchronous authorization (TransactionTimeout above 0, the default) is answered
Pending and moves on right after the answer (Open, or what its simulation says); a synchronous
one (TransactionTimeout 0) is answered in its final state. A capture is answered Completed, a
refund Pending and Completed right after. What happens in time (a Draft order reference Stale
after 3 hours, Expired after 180 days; an authorization ExpiredUnused after 30 days, 2 on the
sandbox path; the `...InMins` of a simulation) happens on the sandbox's clock, at the first
request to the section after it is due (the sandbox has no timer).

Reference ids (AuthorizationReferenceId, CaptureReferenceId, RefundReferenceId) are one
namespace per seller across Authorize, AuthorizeOnBillingAgreement, Capture and Refund (docs:
error-codes, DuplicateReferenceId). The same action with the same reference id and the same
parameters answers the same object again (as it is now): nothing is executed twice. The same id
in the same action with other parameters is refused with DuplicateRequest; in another action
with DuplicateReferenceId (the docs' two descriptions overlap; this is the split chosen).

Sandbox simulations (`{"SandboxSimulation": {...}}` as the whole note) are honoured only on the
section's sandbox path, as Amazon does; on the production path a note is only a note. Each
change of state is kept as a notification for the IPN sender (`ipn_delivery`).

Everything here runs under the sandbox's lock and does no I/O; what grows is bounded by
`StateLimits.payments` (per kind of object; the oldest goes first).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .._runtime import rules
from . import money_moves
from .answers import Reply
from .checks import SandboxRequest
from .payment_objects import (
    SECTION,
    Authorization,
    BillingAgreement,
    Capture,
    OrderReference,
    Refund,
    Simulation,
    Status,
    agreement_data,
    authorization_data,
    capture_data,
    money,
    order_data,
    order_summary,
    refund_data,
    refusal,
    simulation,
)
from .payments import Handler, Payments

__all__ = ["HANDLERS", "SECTION", "handle"]

# ---------------------------------------------------------------- the actions


def _authorization_simulation(request: SandboxRequest) -> Simulation | None:
    return simulation(
        request.values.get("SellerAuthorizationNote"),
        "Authorization",
        "SellerAuthorizationNote",
        sandbox=request.sandbox_path,
    )


def _order_attributes(
    request: SandboxRequest, order: OrderReference, attributes: Mapping[str, Any]
) -> None:
    """Apply OrderReferenceAttributes / OrderAttributes (all checked first, then all set):
    the total, note, platform, seller order attributes. A SellerNote with a constraint
    simulation sets that constraint; any other note clears it."""
    total = order.total
    if "OrderTotal" in attributes:
        if order.status.state != "Draft":
            raise refusal(
                "OrderReferenceNotModifiable",
                f"The OrderTotal of {order.id} cannot be changed once it is confirmed.",
            )
        total = money(attributes["OrderTotal"], "OrderTotal")
    note = attributes.get("SellerNote")
    simulated = simulation(note, "OrderReference", "SellerNote", sandbox=request.sandbox_path)
    order.total = total
    if "SellerNote" in attributes:
        order.constraint = None if simulated is None else simulated.constraint
        order.seller_note = note
    if "PlatformId" in attributes:
        order.platform_id = attributes["PlatformId"]
    seller_order = attributes.get("SellerOrderAttributes") or {}
    for name in ("SellerOrderId", "StoreName", "CustomInformation"):
        if name in seller_order:
            order.seller_order[name] = seller_order[name]


def _order_details(pay: Payments, request: SandboxRequest, order: OrderReference) -> Reply:
    return pay.reply(request, {"OrderReferenceDetails": order_data(order)})


def _get_order_reference(pay: Payments, request: SandboxRequest) -> Reply:
    return _order_details(pay, request, pay.order_reference(request, buyer_may_create=True))


def _set_order_reference(pay: Payments, request: SandboxRequest) -> Reply:
    order = pay.order_reference(request, buyer_may_create=True)
    if order.status.state != "Draft":
        raise refusal(
            "OrderReferenceNotModifiable",
            f"The order reference {order.id} is {order.status.state} and cannot be modified.",
        )
    _order_attributes(request, order, request.values["OrderReferenceAttributes"])
    return _order_details(pay, request, order)


def _set_order_attributes(pay: Payments, request: SandboxRequest) -> Reply:
    order = pay.order_reference(request)
    if order.status.state not in ("Draft", "Open", "Suspended"):
        raise refusal(
            "OrderReferenceNotModifiable",
            f"The order reference {order.id} is {order.status.state} and cannot be modified.",
        )
    _order_attributes(request, order, request.values.get("OrderAttributes") or {})
    return _order_details(pay, request, order)


def _confirm(pay: Payments, order: OrderReference) -> None:
    """Draft → Open, refused while the order reference has constraints."""
    constraints = order.constraints()
    if constraints:
        names = ", ".join(cid for cid, _ in constraints)
        raise refusal(
            "ConstraintsExist",
            f"The order reference {order.id} has constraints and cannot be confirmed: {names}.",
        )
    pay.set_order_status(order, "Open")


def _confirm_order_reference(pay: Payments, request: SandboxRequest) -> Reply:
    order = pay.order_reference(request)
    if order.status.state != "Draft":
        raise refusal(
            "InvalidOrderReferenceStatus",
            f"The order reference {order.id} is {order.status.state}; only a Draft one can be "
            "confirmed.",
        )
    _confirm(pay, order)
    return pay.reply(request, {})


def _cancel_order_reference(pay: Payments, request: SandboxRequest) -> Reply:
    order = pay.order_reference(request)
    if order.status.state not in ("Draft", "Open", "Suspended"):
        raise refusal(
            "InvalidOrderReferenceStatus",
            f"The order reference {order.id} is {order.status.state} and cannot be canceled.",
        )
    authorizations = [pay.authorizations.get(a) for a in order.authorizations]
    if any(a is not None and a.captured > 0 for a in authorizations):
        raise refusal(
            "InvalidCancelAttempt",
            f"The order reference {order.id} has captures; close it instead.",
        )
    for authorization in authorizations:
        if authorization is not None and authorization.status.state in ("Pending", "Open"):
            pay.set_authorization_status(authorization, "Closed", "OrderReferenceCanceled")
    reason = request.values.get("CancelationReason")
    pay.set_order_status(order, "Canceled", "SellerCanceled", reason)
    return pay.reply(request, {})


def _close_order_reference(pay: Payments, request: SandboxRequest) -> Reply:
    order = pay.order_reference(request)
    if order.status.state not in ("Open", "Suspended"):
        raise refusal(
            "InvalidOrderReferenceStatus",
            f"The order reference {order.id} is {order.status.state} and cannot be closed.",
        )
    reason = request.values.get("ClosureReason")
    simulated = simulation(reason, "OrderReference", "ClosureReason", sandbox=request.sandbox_path)
    if simulated is not None:
        pay.set_order_status(order, "Closed", simulated.reason)
    else:
        pay.set_order_status(order, "Closed", "SellerClosed", reason)
    return pay.reply(request, {})


def _authorize(pay: Payments, request: SandboxRequest) -> Reply:
    repeated = pay.repeated(request, pay.authorizations)
    if repeated is None:
        order = pay.order_reference(request)
        if order.status.state != "Open":
            raise refusal(
                "InvalidOrderReferenceStatus",
                f"The order reference {order.id} is {order.status.state}; only an Open one can "
                "be authorized.",
            )
        repeated = money_moves.authorize(pay, request, order, _authorization_simulation(request))
        pay.remember(request, repeated.id)
    return pay.reply(request, {"AuthorizationDetails": authorization_data(repeated)})


def _authorize_on_billing_agreement(pay: Payments, request: SandboxRequest) -> Reply:
    repeated = pay.repeated(request, pay.authorizations)
    if repeated is None:
        agreement = pay.billing_agreement(request)
        if agreement.status.state != "Open":
            raise refusal(
                "InvalidBillingAgreementStatus",
                f"The billing agreement {agreement.id} is {agreement.status.state}; only an Open "
                "one can be charged.",
            )
        values = request.values
        amount = money(values["AuthorizationAmount"], "AuthorizationAmount")
        simulated = _authorization_simulation(request)
        now = pay.clock()
        order = OrderReference(
            pay.made_order_reference_id(),
            request.seller_id,
            agreement.sandbox,
            now,
            Status("Open", now),
            total=amount,
            seller_note=values.get("SellerNote"),
            platform_id=values.get("PlatformId"),
            parent=agreement.id,
        )
        _order_attributes(
            request, order, {"SellerOrderAttributes": values.get("SellerOrderAttributes")}
        )
        pay.add_order(order)
        agreement.order_references.append(order.id)
        pay.notify("order", order.seller, order.sandbox, order_data(order))
        repeated = money_moves.authorize(pay, request, order, simulated)
        pay.remember(request, repeated.id)
    data = {
        "AmazonOrderReferenceId": repeated.order_reference,
        "AuthorizationDetails": authorization_data(repeated),
    }
    return pay.reply(request, data)


def _authorization(pay: Payments, request: SandboxRequest) -> Authorization:
    found: Authorization = pay.transaction(pay.authorizations, request, "AmazonAuthorizationId")
    return found


def _get_authorization(pay: Payments, request: SandboxRequest) -> Reply:
    authorization = _authorization(pay, request)
    return pay.reply(request, {"AuthorizationDetails": authorization_data(authorization)})


def _close_authorization(pay: Payments, request: SandboxRequest) -> Reply:
    authorization = _authorization(pay, request)
    if authorization.status.state not in ("Pending", "Open"):
        raise refusal(
            "InvalidAuthorizationStatus",
            f"The authorization {authorization.id} is {authorization.status.state} and cannot be "
            "closed.",
        )
    reason = request.values.get("ClosureReason")
    pay.set_authorization_status(authorization, "Closed", "SellerClosed", reason)
    return pay.reply(request, {})


def _capture(pay: Payments, request: SandboxRequest) -> Reply:
    repeated = pay.repeated(request, pay.captures)
    if repeated is None:
        repeated = money_moves.capture(pay, request, _authorization(pay, request))
        pay.remember(request, repeated.id)
    return pay.reply(request, {"CaptureDetails": capture_data(repeated)})


def _get_capture(pay: Payments, request: SandboxRequest) -> Reply:
    capture: Capture = pay.transaction(pay.captures, request, "AmazonCaptureId")
    return pay.reply(request, {"CaptureDetails": capture_data(capture)})


def _refund(pay: Payments, request: SandboxRequest) -> Reply:
    repeated = pay.repeated(request, pay.refunds)
    if repeated is None:
        capture: Capture = pay.transaction(pay.captures, request, "AmazonCaptureId")
        repeated = money_moves.refund(pay, request, capture)
        pay.remember(request, repeated.id)
    return pay.reply(request, {"RefundDetails": refund_data(repeated)})


def _get_refund(pay: Payments, request: SandboxRequest) -> Reply:
    refund: Refund = pay.transaction(pay.refunds, request, "AmazonRefundId")
    return pay.reply(request, {"RefundDetails": refund_data(refund)})


def _agreement_details(
    pay: Payments, request: SandboxRequest, agreement: BillingAgreement
) -> Reply:
    return pay.reply(request, {"BillingAgreementDetails": agreement_data(agreement)})


def _get_billing_agreement(pay: Payments, request: SandboxRequest) -> Reply:
    agreement = pay.billing_agreement(request, buyer_may_create=True)
    return _agreement_details(pay, request, agreement)


def _set_billing_agreement(pay: Payments, request: SandboxRequest) -> Reply:
    agreement = pay.billing_agreement(request, buyer_may_create=True)
    if agreement.status.state != "Draft":
        raise refusal(
            "BillingAgreementNotModifiable",
            f"The billing agreement {agreement.id} is {agreement.status.state} and cannot be "
            "modified.",
        )
    attributes = request.values["BillingAgreementAttributes"]
    if "SubscriptionAmount" in attributes:
        agreement.subscription = money(attributes["SubscriptionAmount"], "SubscriptionAmount")
    agreement.seller_note = attributes.get("SellerNote", agreement.seller_note)
    agreement.platform_id = attributes.get("PlatformId", agreement.platform_id)
    agreement.agreement_type = attributes.get("BillingAgreementType", agreement.agreement_type)
    agreement.attributes.update(attributes.get("SellerBillingAgreementAttributes") or {})
    return _agreement_details(pay, request, agreement)


def _confirm_billing_agreement(pay: Payments, request: SandboxRequest) -> Reply:
    agreement = pay.billing_agreement(request)
    state = agreement.status.state
    if state not in ("Draft", "Open"):
        raise refusal(
            "InvalidBillingAgreementStatus",
            f"The billing agreement {agreement.id} is {state} and cannot be confirmed.",
        )
    # Confirming an Open one again (the buyer changed address or payment method) keeps it Open.
    if state == "Draft":
        pay.set_agreement_status(agreement, "Open")
    return pay.reply(request, {})


def _validate_billing_agreement(pay: Payments, request: SandboxRequest) -> Reply:
    agreement = pay.billing_agreement(request)
    state = agreement.status.state
    if state not in ("Draft", "Open", "Suspended"):
        raise refusal(
            "InvalidBillingAgreementStatus",
            f"The billing agreement {agreement.id} is {state} and cannot be validated.",
        )
    failed = state == "Suspended"
    data = {
        "ValidationResult": "Failure" if failed else "Success",
        "FailureReasonCode": "InvalidPaymentMethod" if failed else None,
        "BillingAgreementStatus": agreement.status.data("LastUpdatedTimestamp"),
    }
    return pay.reply(request, data)


def _close_billing_agreement(pay: Payments, request: SandboxRequest) -> Reply:
    agreement = pay.billing_agreement(request)
    if agreement.status.state not in ("Draft", "Open", "Suspended"):
        raise refusal(
            "InvalidBillingAgreementStatus",
            f"The billing agreement {agreement.id} is {agreement.status.state} and cannot be "
            "closed.",
        )
    reason = request.values.get("ClosureReason")
    simulated = simulation(
        reason, "BillingAgreement", "ClosureReason", sandbox=request.sandbox_path
    )
    if simulated is not None:
        pay.set_agreement_status(agreement, "Closed", simulated.reason)
    else:
        pay.set_agreement_status(agreement, "Closed", "SellerClosed", reason)
    return pay.reply(request, {})


def _create_order_reference_for_id(pay: Payments, request: SandboxRequest) -> Reply:
    agreement = pay.billing_agreement(request, "Id")
    state = agreement.status.state
    if state not in ("Draft", "Open") or (state == "Draft" and agreement.order_references):
        raise refusal(
            "InvalidBillingAgreementStatus",
            f"The billing agreement {agreement.id} is {state}; an order reference can be made from "
            "an Open one (or once from a Draft one).",
        )
    now = pay.clock()
    order = OrderReference(
        pay.made_order_reference_id(),
        request.seller_id,
        agreement.sandbox,
        now,
        Status("Draft", now),
        parent=agreement.id,
    )
    _order_attributes(request, order, request.values.get("OrderReferenceAttributes") or {})
    if request.values.get("ConfirmNow") == "true":
        _confirm(pay, order)
    pay.add_order(order)
    agreement.order_references.append(order.id)
    return _order_details(pay, request, order)


LIST = "ListOrderReference"
DEFAULT_PAGE_SIZE = 10


def _list_order_reference(pay: Payments, request: SandboxRequest) -> Reply:
    """The seller's order references whose SellerOrderId is QueryId, filtered by state and
    creation time, oldest first (SortOrder Descending: newest first), PageSize a page."""
    values = request.values
    states = set(values.get("OrderReferenceStatusListFilter") or ())
    window = values.get("CreatedTimeRange") or {}
    start, end = (
        rules.parse_datetime(str(window[n])) if n in window else None
        for n in ("StartTime", "EndTime")
    )
    found = [
        order
        for order in pay.order_references.values()
        if order.seller == request.seller_id
        and order.seller_order.get("SellerOrderId") == values["QueryId"]
        and (not states or order.status.state in states)
        and (start is None or order.created >= start)
        and (end is None or order.created <= end)
    ]
    found.sort(
        key=lambda order: (order.created, order.id), reverse=values.get("SortOrder") == "Descending"
    )
    size = max(int(values.get("PageSize") or DEFAULT_PAGE_SIZE), 1)
    return _order_page(pay, request, [order.id for order in found], size)


def _list_order_reference_next(pay: Payments, request: SandboxRequest) -> Reply:
    token = str(request.values["NextPageToken"])
    page = pay.tokens.redeem(token)
    if (
        page is None
        or page.action != LIST
        or page.seller != request.seller_id
        or page.remaining is None
    ):
        raise pay.tokens.refused(token, "NextPageToken")
    size, ids = page.remaining[0], page.remaining[1:]
    return _order_page(pay, request, ids, size)


def _order_page(pay: Payments, request: SandboxRequest, ids: list[Any], size: int) -> Reply:
    """A page of `size` order references (those since dropped are left out) and, when more are
    left, a NextPageToken standing for them (and the page size)."""
    head, rest = ids[:size], ids[size:]
    token = pay.tokens.issue(LIST, request.seller_id, [size, *rest]) if rest else None
    orders = [pay.order_references[oid] for oid in head if oid in pay.order_references]
    data = {
        "OrderReferenceList": [order_summary(order) for order in orders],
        "NextPageToken": token,
    }
    return pay.reply(request, data)


def _merchant_account_status(pay: Payments, request: SandboxRequest) -> Reply:
    return pay.reply(request, {"AccountStatus": "ACTIVE"})


HANDLERS: dict[str, Handler] = {
    "GetOrderReferenceDetails": _get_order_reference,
    "SetOrderReferenceDetails": _set_order_reference,
    "SetOrderAttributes": _set_order_attributes,
    "ConfirmOrderReference": _confirm_order_reference,
    "CancelOrderReference": _cancel_order_reference,
    "CloseOrderReference": _close_order_reference,
    "CreateOrderReferenceForId": _create_order_reference_for_id,
    "Authorize": _authorize,
    "GetAuthorizationDetails": _get_authorization,
    "CloseAuthorization": _close_authorization,
    "Capture": _capture,
    "GetCaptureDetails": _get_capture,
    "Refund": _refund,
    "GetRefundDetails": _get_refund,
    "GetBillingAgreementDetails": _get_billing_agreement,
    "SetBillingAgreementDetails": _set_billing_agreement,
    "ConfirmBillingAgreement": _confirm_billing_agreement,
    "ValidateBillingAgreement": _validate_billing_agreement,
    "AuthorizeOnBillingAgreement": _authorize_on_billing_agreement,
    "CloseBillingAgreement": _close_billing_agreement,
    "ListOrderReference": _list_order_reference,
    "ListOrderReferenceByNextToken": _list_order_reference_next,
    "GetMerchantAccountStatus": _merchant_account_status,
}


def handle(payments: Payments, request: SandboxRequest) -> Reply | None:
    """The answer of an OffAmazonPayments action (None: the generic answer serves it)."""
    handler = HANDLERS.get(request.operation.name)
    return None if handler is None else payments.run(handler, request)
