"""Amazon Pay's service state in the sandbox (`amazon_pay` has the actions): every seller's
objects, the reference ids used, the simulations due later, and the IPNs to send; the money
moves (authorize, capture, refund) with their limits. Runs under the sandbox's lock, no I/O.
"""

from __future__ import annotations

import heapq
import random
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any, Protocol, TypeVar

from lxml import etree

from .._runtime.results import ResultShapeSpec
from .answers import Reply, default_namespace, write_result, xml_reply
from .checks import SandboxRequest
from .payment_objects import (
    AUTHORIZATION_DAYS,
    BUYER_BILLING_AGREEMENT,
    BUYER_ORDER_REFERENCE,
    IPN_NAMESPACE,
    MAX_AUTHORIZATIONS,
    MAX_REFUNDS,
    NOTIFICATIONS,
    SANDBOX_AUTHORIZATION_DAYS,
    Authorization,
    BillingAgreement,
    Capture,
    Money,
    Notification,
    OrderReference,
    Refund,
    Simulation,
    Status,
    Table,
    Use,
    agreement_data,
    allowance,
    authorization_data,
    capture_data,
    fingerprint,
    money,
    order_data,
    refund_data,
    refusal,
    simulation,
)
from .state import Tokens

Handler = Callable[["Payments", SandboxRequest], Reply]


class _Seller(Protocol):
    @property
    def seller(self) -> str: ...


_T = TypeVar("_T")
_Owned = TypeVar("_Owned", bound=_Seller)


class Payments:
    """Every seller's Amazon Pay objects, reference ids, due simulations and pending IPNs."""

    def __init__(
        self,
        seed: int,
        limit: int,
        clock: Callable[[], datetime],
        shapes: Mapping[str, ResultShapeSpec | None],
    ) -> None:
        self.seed = seed
        self.clock = clock
        self.order_references: Table[OrderReference] = Table(limit)
        self.billing_agreements: Table[BillingAgreement] = Table(limit)
        self.authorizations: Table[Authorization] = Table(limit)
        self.captures: Table[Capture] = Table(limit)
        self.refunds: Table[Refund] = Table(limit)
        self.references: Table[Use] = Table(limit)
        self.outbox: list[Notification] = []
        self._due: list[tuple[datetime, int, str, str]] = []  # (when, serial, kind, object id)
        self._serial = 0
        self._made = 0
        self._limit = limit
        self._shapes = shapes
        self._after: list[Callable[[], None]] = []
        self.tokens = Tokens(seed, limit)  # ListOrderReference's NextPageTokens

    # ------------------------------------------------------------ entry

    def run(self, handler: Handler, request: SandboxRequest) -> Reply:
        """Answer `request` with `handler`: the simulations due first, the changes that follow
        the answer (an asynchronous authorization, a refund) after it."""
        self._run_due()
        try:
            return handler(self, request)
        finally:
            self.run_after()

    def take_notifications(self) -> list[Notification]:
        sent, self.outbox = self.outbox, []
        return sent

    # ------------------------------------------------------------ answers and IPNs

    def reply(self, request: SandboxRequest, data: Mapping[str, Any]) -> Reply:
        return xml_reply(
            request.section, request.operation, request.request_id, self.seed, data, generate=False
        )

    def notify(self, kind: str, seller: str, sandbox: bool, details: Mapping[str, Any]) -> None:
        """Keep the IPN of a change: `kind` one of the keys of NOTIFICATIONS."""
        notification_type, root_name, child, shape_name = NOTIFICATIONS[kind]
        root = etree.Element(
            f"{{{IPN_NAMESPACE}}}{root_name}", nsmap=default_namespace(IPN_NAMESPACE)
        )
        element = etree.SubElement(root, f"{{{IPN_NAMESPACE}}}{child}")
        write_result(
            element,
            self._shapes.get(shape_name),
            random.Random(self.seed),  # never drawn from: nothing is generated
            details,
            IPN_NAMESPACE,
            generate=False,
        )
        data = bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))
        self.outbox.append(Notification(notification_type, seller, sandbox, data))
        if len(self.outbox) > self._limit:
            del self.outbox[0]

    # ------------------------------------------------------------ time

    def schedule(self, when: datetime, kind: str, object_id: str) -> None:
        self._serial += 1
        heapq.heappush(self._due, (when, self._serial, kind, object_id))
        if len(self._due) > self._limit:
            self._due = heapq.nsmallest(self._limit, self._due)

    def _run_due(self) -> None:
        now = self.clock()
        while self._due and self._due[0][0] <= now:
            _, _, kind, object_id = heapq.heappop(self._due)
            if kind == "reopen":  # the buyer has updated the payment method
                order = self.order_references.get(object_id)
                if order is not None and order.status.state == "Suspended":
                    self.set_order_status(order, "Open")
                    agreement = self.billing_agreements.get(order.parent or "")
                    if agreement is not None and agreement.status.state == "Suspended":
                        self.set_agreement_status(agreement, "Open")
            elif kind == "expire":
                authorization = self.authorizations.get(object_id)
                if authorization is not None and authorization.status.state == "Open":
                    self.set_authorization_status(authorization, "Closed", "ExpiredUnused")

    # ------------------------------------------------------------ ids

    def made_order_reference_id(self) -> str:
        """A new order reference id of the sandbox's own (from a billing agreement)."""
        while True:
            self._made += 1
            candidate = f"S02-{self._made % 10_000_000:07d}-{self.seed % 10_000_000:07d}"
            if candidate not in self.order_references:
                return candidate

    # ------------------------------------------------------------ lookups

    def order_reference(
        self, request: SandboxRequest, *, buyer_may_create: bool = False
    ) -> OrderReference:
        order_id = str(request.values["AmazonOrderReferenceId"])
        order = self.order_references.get(order_id)
        if order is None and buyer_may_create and BUYER_ORDER_REFERENCE.fullmatch(order_id):
            order = OrderReference(
                order_id,
                request.seller_id,
                request.sandbox_path,
                self.clock(),
                Status("Draft", self.clock()),
            )
            self.order_references.keep(order_id, order)
        if order is None or order.seller != request.seller_id:
            raise refusal("InvalidOrderReferenceId", f"The OrderReferenceId {order_id} is invalid.")
        return order

    def billing_agreement(
        self,
        request: SandboxRequest,
        name: str = "AmazonBillingAgreementId",
        *,
        buyer_may_create: bool = False,
    ) -> BillingAgreement:
        agreement_id = str(request.values[name])
        agreement = self.billing_agreements.get(agreement_id)
        if (
            agreement is None
            and buyer_may_create
            and BUYER_BILLING_AGREEMENT.fullmatch(agreement_id)
        ):
            agreement = BillingAgreement(
                agreement_id,
                request.seller_id,
                request.sandbox_path,
                self.clock(),
                Status("Draft", self.clock()),
            )
            self.billing_agreements.keep(agreement_id, agreement)
        if agreement is None or agreement.seller != request.seller_id:
            raise refusal(
                "InvalidBillingAgreementId", f"The BillingAgreementId {agreement_id} is invalid."
            )
        return agreement

    def transaction(self, table: Table[_Owned], request: SandboxRequest, name: str) -> _Owned:
        object_id = str(request.values[name])
        found = table.get(object_id)
        if found is None or found.seller != request.seller_id:
            raise refusal("InvalidTransactionId", f"The {name} {object_id} is invalid.")
        return found

    # ------------------------------------------------------------ reference ids

    def repeated(self, request: SandboxRequest, name: str, table: Table[_T]) -> _T | None:
        """The object a repeated request made before (None: the reference id is new)."""
        reference_id = str(request.values[name])
        use = self.references.get(f"{request.seller_id}\n{reference_id}")
        if use is None:
            return None
        action = request.operation.name
        if use.action != action:
            raise refusal(
                "DuplicateReferenceId",
                f"The reference id {reference_id} was already used in another request ({use.action}).",
            )
        found = table.get(use.object_id)
        if use.fingerprint != fingerprint(request) or found is None:
            raise refusal(
                "DuplicateRequest",
                f"The reference id {reference_id} was already processed with other parameters.",
            )
        return found

    def remember(self, request: SandboxRequest, name: str, object_id: str) -> None:
        key = f"{request.seller_id}\n{request.values[name]}"
        self.references.keep(key, Use(request.operation.name, fingerprint(request), object_id))

    # ------------------------------------------------------------ changes of state

    def set_order_status(
        self,
        order: OrderReference,
        state: str,
        reason: str | None = None,
        description: str | None = None,
    ) -> None:
        order.status = Status(state, self.clock(), reason, description)
        self.notify("order", order.seller, order.sandbox, order_data(order))

    def set_agreement_status(
        self,
        agreement: BillingAgreement,
        state: str,
        reason: str | None = None,
        description: str | None = None,
    ) -> None:
        agreement.status = Status(state, self.clock(), reason, description)
        self.notify("agreement", agreement.seller, agreement.sandbox, agreement_data(agreement))

    def set_authorization_status(
        self,
        authorization: Authorization,
        state: str,
        reason: str | None = None,
        description: str | None = None,
    ) -> None:
        authorization.status = Status(state, self.clock(), reason, description)
        self.notify(
            "authorization",
            authorization.seller,
            self._sandbox_of(authorization.order_reference),
            authorization_data(authorization),
        )

    def set_capture_status(self, capture: Capture, state: str, reason: str | None = None) -> None:
        capture.status = Status(state, self.clock(), reason)
        self.notify(
            "capture",
            capture.seller,
            self._sandbox_of(capture.order_reference),
            capture_data(capture),
        )

    def set_refund_status(self, refund: Refund, state: str, reason: str | None = None) -> None:
        refund.status = Status(state, self.clock(), reason)
        self.notify(
            "refund",
            refund.seller,
            self._sandbox_of(refund.order_reference),
            refund_data(refund),
        )

    def _sandbox_of(self, order_id: str) -> bool:
        order = self.order_references.get(order_id)
        return order.sandbox if order is not None else False

    # ------------------------------------------------------------ the payments

    def authorize(
        self, request: SandboxRequest, order: OrderReference, simulated: Simulation | None
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
        held = [self.authorizations[a] for a in order.authorizations if a in self.authorizations]
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
        now = self.clock()
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
        self.authorizations.keep(authorization.id, authorization)
        order.authorizations.append(authorization.id)
        synchronous = values.get("TransactionTimeout") == "0"
        if synchronous:
            self._process_authorization(authorization, order, simulated)
        else:
            self.notify(
                "authorization",
                request.seller_id,
                order.sandbox,
                authorization_data(authorization),
            )
            self._after.append(lambda: self._process_authorization(authorization, order, simulated))
        return authorization

    def _process_authorization(
        self, authorization: Authorization, order: OrderReference, simulated: Simulation | None
    ) -> None:
        """Move a new authorization to its outcome (and its order reference with it)."""
        if simulated is None or simulated.state is None:
            self.set_authorization_status(authorization, "Open")
            if authorization.capture_now:
                self._capture_now(authorization, order)
            return
        reason = simulated.reason
        if simulated.state == "Declined":
            if reason == "InvalidPaymentMethod":
                authorization.soft_decline = (
                    True if simulated.soft_decline is None else simulated.soft_decline
                )
            self.set_authorization_status(authorization, "Declined", reason)
            if reason == "InvalidPaymentMethod":
                self.set_order_status(order, "Suspended", "InvalidPaymentMethod")
                if simulated.minutes is not None:
                    self.schedule(
                        self.clock() + timedelta(minutes=simulated.minutes), "reopen", order.id
                    )
                agreement = self.billing_agreements.get(order.parent or "")
                if agreement is not None and agreement.status.state == "Open":
                    self.set_agreement_status(agreement, "Suspended", "InvalidPaymentMethod")
            elif reason == "AmazonRejected":
                self.set_order_status(order, "Closed", "AmazonClosed")
            return
        if reason == "ExpiredUnused" and simulated.minutes is not None:
            self.set_authorization_status(authorization, "Open")
            self.schedule(
                self.clock() + timedelta(minutes=simulated.minutes), "expire", authorization.id
            )
            return
        self.set_authorization_status(authorization, "Closed", reason)

    def _capture_now(self, authorization: Authorization, order: OrderReference) -> None:
        capture = self._new_capture(
            authorization,
            order,
            authorization.reference_id,
            authorization.amount,
            None,
            authorization.soft_descriptor,
        )
        self._settle_capture(authorization, capture, None)

    def _new_capture(
        self,
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
            self.clock(),
            Status("Pending", self.clock()),
            note,
            soft_descriptor,
        )
        self.captures.keep(capture.id, capture)
        authorization.captures.append(capture.id)
        return capture

    def _settle_capture(
        self, authorization: Authorization, capture: Capture, simulated: Simulation | None
    ) -> None:
        """A capture's outcome: Completed, or what its simulation says (Pending, Closed), its
        authorization then Closed (MaxCapturesProcessed: one capture each); a Declined capture
        takes nothing and leaves the authorization Open."""
        state = "Completed" if simulated is None or simulated.state is None else simulated.state
        reason = None if simulated is None else simulated.reason
        if state == "Declined":
            self.set_capture_status(capture, "Declined", reason)
            return
        authorization.captured += capture.amount.amount
        self.set_capture_status(capture, state, reason)
        self.set_authorization_status(authorization, "Closed", "MaxCapturesProcessed")

    def capture(self, request: SandboxRequest, authorization: Authorization) -> Capture:
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
        order = self.order_references.get(authorization.order_reference)
        if order is None:  # dropped past StateLimits.payments
            raise refusal(
                "InvalidOrderReferenceId",
                f"The order reference {authorization.order_reference} is no longer kept.",
            )
        capture = self._new_capture(
            authorization,
            order,
            str(values["CaptureReferenceId"]),
            amount,
            values.get("SellerCaptureNote"),
            values.get("SoftDescriptor"),
        )
        self._settle_capture(authorization, capture, simulated)
        return capture

    def refund(self, request: SandboxRequest, capture: Capture) -> Refund:
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
        order = self.order_references.get(capture.order_reference)
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
            self.clock(),
            Status("Pending", self.clock()),
            values.get("SellerRefundNote"),
            values.get("SoftDescriptor"),
        )
        self.refunds.keep(refund.id, refund)
        capture.refunds.append(refund.id)
        capture.refunded += amount.amount
        self.notify(
            "refund",
            refund.seller,
            self._sandbox_of(refund.order_reference),
            refund_data(refund),
        )
        self._after.append(lambda: self._settle_refund(capture, refund, simulated))
        return refund

    def _settle_refund(
        self, capture: Capture, refund: Refund, simulated: Simulation | None
    ) -> None:
        if simulated is not None:
            capture.refunded -= refund.amount.amount
            self.set_refund_status(refund, "Declined", simulated.reason)
            return
        self.set_refund_status(refund, "Completed")
        if capture.refunded >= capture.amount.amount + allowance(capture.amount):
            self.set_capture_status(capture, "Closed", "MaxAmountRefunded")
        elif self._completed_refunds(capture) >= MAX_REFUNDS:
            self.set_capture_status(capture, "Closed", "MaxRefundsProcessed")

    def _completed_refunds(self, capture: Capture) -> int:
        found = (self.refunds.get(refund_id) for refund_id in capture.refunds)
        return sum(
            1 for refund in found if refund is not None and refund.status.state == "Completed"
        )

    def run_after(self) -> None:
        """The changes that follow an answer (an asynchronous authorization, a refund)."""
        while self._after:
            self._after.pop(0)()
