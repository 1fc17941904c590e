"""Amazon Pay's objects in the sandbox (`amazon_pay`): money, states, the documented sandbox
simulation strings, order references, billing agreements, authorizations, captures, refunds,
and what their details answers show. Pure data; no I/O.
"""

from __future__ import annotations

import json
import re
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar

from .._runtime.descriptors import Operation
from .._runtime.results import ResultShapeSpec
from .answers import Refusal
from .checks import SandboxRequest

_T = TypeVar("_T")

SECTION = "OffAmazonPayments"
IPN_NAMESPACE = "https://mws.amazonservices.com/ipn/OffAmazonPayments/2013-01-01"

# The HTTP status of the codes the docs give none for (the spec's `http_status` is None):
# an unknown id 404, a state that refuses the call 405, an amount, count or simulation 400,
# like the documented codes of the same kinds. A documented code is answered with the spec's
# status (`Payments.run`).
UNDOCUMENTED_STATUS = {
    "InvalidBillingAgreementId": 404,
    "InvalidBillingAgreementStatus": 405,
    "InvalidCancelAttempt": 405,
    "InvalidOrderReferenceId": 404,
    "InvalidOrderReferenceStatus": 405,
    "InvalidSandboxSimulationSpecified": 400,
    "InvalidTransactionId": 404,
    "TransactionAmountExceeded": 400,
    "TransactionCountExceeded": 400,
}

ORDER_REFERENCE_DAYS = 180  # an order reference expires after 180 days (docs-eu:terminology)
STALE_AFTER = timedelta(hours=3)  # a Draft order reference not confirmed by then is Stale
AUTHORIZATION_DAYS = 30  # an Open authorization can be captured for 30 days, 2 in the sandbox
SANDBOX_AUTHORIZATION_DAYS = 2
MAX_AUTHORIZATIONS = 10  # successful authorizations per order reference (integration guide)
MAX_REFUNDS = 10  # completed refunds per capture
# A capture's refunds, and an order reference's authorizations, may exceed their base (the
# captured amount, the OrderTotal) by 15% or 75 in USD, EUR and GBP, whichever is less.
OVER_PERCENT = Decimal("0.15")
OVER_CAP = {"USD": Decimal(75), "EUR": Decimal(75), "GBP": Decimal(75)}
ZERO_DECIMAL_CURRENCIES = frozenset({"JPY"})

BUYER_ORDER_REFERENCE = re.compile(r"S[0-9]{2}-[0-9]{7}-[0-9]{7}")
BUYER_BILLING_AGREEMENT = re.compile(r"C[0-9]{2}-[0-9]{7}-[0-9]{7}")

# The sandbox's buyer, as the widget would have given them.
_BUYER = {"Name": "Sandbox Buyer", "Email": "buyer@example.com", "Phone": "+1-206-555-0100"}
_ADDRESS = {
    "Name": "Sandbox Buyer",
    "AddressLine1": "410 Terry Ave N",
    "City": "Seattle",
    "StateOrRegion": "WA",
    "PostalCode": "98109",
    "CountryCode": "US",
    "Phone": "+1-206-555-0100",
}
_ADDRESS_BEFORE_CONFIRMATION = ("City", "StateOrRegion", "PostalCode", "CountryCode")


def refusal(code: str, message: str) -> Refusal:
    """An Amazon Pay error answer; its status is the spec's when the docs give one."""
    return Refusal(UNDOCUMENTED_STATUS.get(code, 400), code, message)


# ---------------------------------------------------------------- money and states


@dataclass(frozen=True, slots=True)
class Money:
    amount: Decimal
    currency: str

    def data(self) -> dict[str, str]:
        return {"Amount": _amount_text(self.amount, self.currency), "CurrencyCode": self.currency}


def _amount_text(amount: Decimal, currency: str) -> str:
    places = Decimal(1) if currency in ZERO_DECIMAL_CURRENCIES else Decimal("0.01")
    return format(amount.quantize(places), "f")


def money(value: Any, name: str) -> Money:
    """A checked Price structure of a request (`{"Amount": text, "CurrencyCode": text}`)."""
    try:
        amount = Decimal(str(value["Amount"]))
    except (InvalidOperation, KeyError, TypeError):
        raise Refusal(400, "InvalidParameterValue", f"{name}.Amount must be a number.") from None
    if not amount.is_finite() or amount <= 0:
        raise Refusal(
            400,
            "InvalidParameterValue",
            f"Value '{value['Amount']}' for parameter {name}.Amount is invalid. "
            "It must be greater than 0.",
        )
    return Money(amount, str(value["CurrencyCode"]))


def allowance(base: Money) -> Decimal:
    """How far a capture's refunds (or an order's authorizations) may exceed their base:
    15% or 75 in USD, EUR and GBP, whichever is less (only the 15% for other currencies)."""
    over = base.amount * OVER_PERCENT
    cap = OVER_CAP.get(base.currency)
    return over if cap is None else min(over, cap)


@dataclass(slots=True)
class Status:
    state: str
    updated: datetime
    reason: str | None = None
    description: str | None = None

    def data(self, time_name: str = "LastUpdateTimestamp") -> dict[str, Any]:
        return {
            "State": self.state,
            time_name: self.updated,
            "ReasonCode": self.reason,
            "ReasonDescription": self.description,
        }


# ---------------------------------------------------------------- sandbox simulations


@dataclass(frozen=True, slots=True)
class Simulation:
    """A parsed `{"SandboxSimulation": {...}}`: the state (and reason) the object takes."""

    state: str | None = None
    reason: str | None = None
    minutes: int | None = None  # PaymentMethodUpdateTimeInMins or ExpirationTimeInMins
    soft_decline: bool | None = None
    constraint: str | None = None


# The documented (state, reason) pairs per object (reference.yaml `sandbox_simulations:`).
SIMULATIONS: dict[str, frozenset[tuple[str, str | None]]] = {
    "Authorization": frozenset(
        {
            ("Declined", "InvalidPaymentMethod"),
            ("Declined", "AmazonRejected"),
            ("Declined", "TransactionTimedOut"),
            ("Closed", "ExpiredUnused"),
            ("Closed", "AmazonClosed"),
        }
    ),
    "Capture": frozenset(
        {("Pending", None), ("Declined", "AmazonRejected"), ("Closed", "AmazonClosed")}
    ),
    "Refund": frozenset({("Declined", "AmazonRejected")}),
    "OrderReference": frozenset({("Closed", "AmazonClosed")}),
    "BillingAgreement": frozenset({("Closed", "AmazonClosed")}),
}
_MINUTES: dict[tuple[str, str | None], str] = {
    ("Declined", "InvalidPaymentMethod"): "PaymentMethodUpdateTimeInMins",
    ("Closed", "ExpiredUnused"): "ExpirationTimeInMins",
}
CONSTRAINT_SIMULATIONS = frozenset({"PaymentMethodNotAllowed"})


def simulation(note: Any, kind: str, name: str, *, sandbox: bool) -> Simulation | None:
    """The simulation a note asks for (None: none, or not on the sandbox path); a note that
    names SandboxSimulation but is not a documented one is refused."""
    if not sandbox or not isinstance(note, str) or "SandboxSimulation" not in note:
        return None
    wrong = refusal(
        "InvalidSandboxSimulationSpecified",
        f"The sandbox simulation in {name} is not one the {kind} object takes there.",
    )
    try:
        parsed = json.loads(note)
    except ValueError:
        raise wrong from None
    inner = parsed.get("SandboxSimulation") if isinstance(parsed, dict) else None
    if not isinstance(inner, dict):
        raise wrong
    if name == "SellerNote" and kind == "OrderReference":  # a note sets constraints only
        if set(inner) != {"Constraint"} or inner["Constraint"] not in CONSTRAINT_SIMULATIONS:
            raise wrong
        return Simulation(constraint=str(inner["Constraint"]))
    state, reason = inner.get("State"), inner.get("ReasonCode")
    pair = (str(state), None if reason is None else str(reason))
    if state is None or pair not in SIMULATIONS.get(kind, frozenset()):
        raise wrong
    minutes_name = _MINUTES.get(pair)
    minutes = inner.get(minutes_name) if minutes_name else None
    if minutes is not None and (not isinstance(minutes, int) or minutes < 1):
        raise wrong
    soft = inner.get("SoftDecline")
    if soft is not None and str(soft).lower() not in ("true", "false"):
        raise wrong
    soft_decline = None if soft is None else str(soft).lower() == "true"
    return Simulation(state, reason, minutes, soft_decline)


# ---------------------------------------------------------------- the objects


@dataclass(slots=True)
class OrderReference:
    id: str
    seller: str
    sandbox: bool
    created: datetime
    status: Status
    total: Money | None = None
    seller_note: str | None = None
    platform_id: str | None = None
    seller_order: dict[str, Any] = field(default_factory=dict)
    constraint: str | None = None  # a simulated constraint (PaymentMethodNotAllowed)
    parent: str | None = None  # the billing agreement it was made from
    authorizations: list[str] = field(default_factory=list)
    captures: int = 0
    refunds: int = 0

    def constraints(self) -> list[tuple[str, str]]:
        found = []
        if self.total is None:
            found.append(
                ("AmountNotSet", "The seller has not set the amount for the Order Reference.")
            )
        if self.constraint is not None:
            found.append((self.constraint, "The buyer's payment method is not allowed."))
        return found


@dataclass(slots=True)
class BillingAgreement:
    id: str
    seller: str
    sandbox: bool
    created: datetime
    status: Status
    seller_note: str | None = None
    platform_id: str | None = None
    attributes: dict[str, Any] = field(default_factory=dict)
    agreement_type: str | None = None
    subscription: Money | None = None
    order_references: list[str] = field(default_factory=list)


@dataclass(slots=True)
class Authorization:
    id: str
    seller: str
    order_reference: str
    reference_id: str
    amount: Money
    created: datetime
    expires: datetime
    status: Status
    note: str | None
    capture_now: bool
    soft_descriptor: str | None
    captured: Decimal = Decimal(0)
    captures: list[str] = field(default_factory=list)
    soft_decline: bool | None = None

    def holds(self) -> Decimal:
        """What it takes of the order total: its amount while it can be captured, else what
        was captured on it."""
        return self.amount.amount if self.status.state in ("Pending", "Open") else self.captured


@dataclass(slots=True)
class Capture:
    id: str
    seller: str
    authorization: str
    order_reference: str
    reference_id: str
    amount: Money
    created: datetime
    status: Status
    note: str | None
    soft_descriptor: str | None
    refunded: Decimal = Decimal(0)
    refunds: list[str] = field(default_factory=list)


@dataclass(slots=True)
class Refund:
    id: str
    seller: str
    capture: str
    order_reference: str
    reference_id: str
    amount: Money
    created: datetime
    status: Status
    note: str | None
    soft_descriptor: str | None


@dataclass(frozen=True, slots=True)
class Use:
    """What a reference id was first used for: the action, its parameters, the object."""

    action: str
    fingerprint: str
    object_id: str


@dataclass(frozen=True, slots=True)
class Notification:
    """One IPN to send: its NotificationType, seller, environment and NotificationData XML."""

    type: str
    seller: str
    sandbox: bool
    data: bytes


class Table(OrderedDict[str, _T]):
    """Objects of one kind by id; past `limit` the oldest is dropped."""

    def __init__(self, limit: int) -> None:
        super().__init__()
        self.limit = limit

    def keep(self, key: str, value: _T) -> None:
        self[key] = value
        while len(self) > self.limit:
            self.popitem(last=False)


# ---------------------------------------------------------------- what answers show


def order_data(order: OrderReference) -> dict[str, Any]:
    confirmed = order.status.state != "Draft"
    address = {
        name: value
        for name, value in _ADDRESS.items()
        if confirmed or name in _ADDRESS_BEFORE_CONFIRMATION
    }
    constraints = order.constraints() if order.status.state == "Draft" else []
    return {
        "AmazonOrderReferenceId": order.id,
        "Buyer": dict(_BUYER) if confirmed else None,
        "OrderTotal": None if order.total is None else order.total.data(),
        "SellerNote": order.seller_note,
        "PlatformId": order.platform_id,
        "Destination": {"DestinationType": "Physical", "PhysicalDestination": address},
        "ReleaseEnvironment": "Sandbox" if order.sandbox else "Live",
        "SellerOrderAttributes": order.seller_order or None,
        "OrderReferenceStatus": order.status.data(),
        "Constraints": [{"ConstraintID": cid, "Description": text} for cid, text in constraints]
        or None,
        "CreationTimestamp": order.created,
        "ExpirationTimestamp": order.created + timedelta(days=ORDER_REFERENCE_DAYS),
        "ParentDetails": (
            None if order.parent is None else {"Id": order.parent, "Type": "BillingAgreement"}
        ),
        "IdList": list(order.authorizations),
    }


def order_summary(order: OrderReference) -> dict[str, Any]:
    """One `<OrderReference>` of ListOrderReference."""
    return {
        "AmazonOrderReferenceId": order.id,
        "ReleaseEnvironment": "Sandbox" if order.sandbox else "Live",
        "OrderReferenceStatus": order.status.data(),
        "CreationTimestamp": order.created,
        "SellerOrderAttributes": order.seller_order or None,
        "OrderTotal": None if order.total is None else order.total.data(),
    }


def agreement_data(agreement: BillingAgreement) -> dict[str, Any]:
    confirmed = agreement.status.state != "Draft"
    address = {
        name: value
        for name, value in _ADDRESS.items()
        if confirmed or name in _ADDRESS_BEFORE_CONFIRMATION
    }
    return {
        "AmazonBillingAgreementId": agreement.id,
        "Buyer": dict(_BUYER) if confirmed else None,
        "SellerNote": agreement.seller_note,
        "PlatformId": agreement.platform_id,
        "Destination": {"DestinationType": "Physical", "PhysicalDestination": address},
        "ReleaseEnvironment": "Sandbox" if agreement.sandbox else "Live",
        "SellerBillingAgreementAttributes": agreement.attributes or None,
        "BillingAgreementStatus": agreement.status.data("LastUpdatedTimestamp"),
        "CreationTimestamp": agreement.created,
        "BillingAgreementConsent": True,
        "SubscriptionAmount": None
        if agreement.subscription is None
        else agreement.subscription.data(),
        "BillingAgreementType": agreement.agreement_type,
    }


def authorization_data(authorization: Authorization) -> dict[str, Any]:
    currency = authorization.amount.currency
    return {
        "AmazonAuthorizationId": authorization.id,
        "AuthorizationReferenceId": authorization.reference_id,
        "SellerAuthorizationNote": authorization.note,
        "AuthorizationAmount": authorization.amount.data(),
        "CapturedAmount": Money(authorization.captured, currency).data(),
        "AuthorizationFee": Money(Decimal(0), currency).data(),
        "IdList": list(authorization.captures),
        "CreationTimestamp": authorization.created,
        "ExpirationTimestamp": authorization.expires,
        "AuthorizationStatus": authorization.status.data(),
        "CaptureNow": authorization.capture_now,
        "SoftDescriptor": authorization.soft_descriptor,
        "SoftDecline": authorization.soft_decline,
    }


def capture_data(capture: Capture) -> dict[str, Any]:
    currency = capture.amount.currency
    completed = capture.status.state in ("Completed", "Closed")
    return {
        "AmazonCaptureId": capture.id,
        "CaptureReferenceId": capture.reference_id,
        "SellerCaptureNote": capture.note,
        "CaptureAmount": capture.amount.data(),
        "RefundedAmount": Money(capture.refunded, currency).data(),
        "CaptureFee": Money(Decimal(0), currency).data() if completed else None,
        "IdList": list(capture.refunds),
        "CreationTimestamp": capture.created,
        "CaptureStatus": capture.status.data(),
        "SoftDescriptor": capture.soft_descriptor,
    }


def refund_data(refund: Refund) -> dict[str, Any]:
    return {
        "AmazonRefundId": refund.id,
        "RefundReferenceId": refund.reference_id,
        "SellerRefundNote": refund.note,
        "RefundType": "SellerInitiated",
        "RefundAmount": refund.amount.data(),
        "FeeRefunded": Money(Decimal(0), refund.amount.currency).data(),
        "CreationTimestamp": refund.created,
        "RefundStatus": refund.status.data(),
        "SoftDescriptor": refund.soft_descriptor,
    }


NOTIFICATIONS = {
    "order": (
        "OrderReferenceNotification",
        "OrderReferenceNotification",
        "OrderReference",
        "OrderReferenceDetails",
    ),
    "authorization": (
        "PaymentAuthorize",
        "AuthorizationNotification",
        "AuthorizationDetails",
        "AuthorizationDetails",
    ),
    "capture": ("PaymentCapture", "CaptureNotification", "CaptureDetails", "CaptureDetails"),
    "refund": ("PaymentRefund", "RefundNotification", "RefundDetails", "RefundDetails"),
    "agreement": (
        "BillingAgreementNotification",
        "BillingAgreementNotification",
        "BillingAgreement",
        "BillingAgreementDetails",
    ),
}


def details_shapes(operations: Iterable[Operation[Any]]) -> dict[str, ResultShapeSpec | None]:
    """The response shapes of the `...Details` elements of the section's answers (for IPNs)."""
    shapes: dict[str, ResultShapeSpec | None] = {}
    for operation in operations:
        for item in operation.result_shape.fields if operation.result_shape else ():
            if item.xml_name.endswith("Details"):
                shapes.setdefault(item.xml_name, item.shape)
    return shapes


def fingerprint(request: SandboxRequest) -> str:
    """The request's parameters, canonically: equal for a repeat with unchanged parameters."""
    return json.dumps(request.values, sort_keys=True, default=str)
