"""Amazon Pay's service state in the sandbox (`amazon_pay` has the actions, `money_moves` the
authorizations, captures and refunds): every seller's objects, the reference ids used, the
changes due later on the clock, and the IPNs to send. Runs under the sandbox's lock, no I/O.
"""

from __future__ import annotations

import heapq
import random
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import Any, Protocol, TypeVar

from lxml import etree

from .._runtime.results import ResultShapeSpec
from .answers import Refusal, Reply, default_namespace, write_result, xml_reply
from .checks import SandboxRequest
from .payment_objects import (
    BUYER_BILLING_AGREEMENT,
    BUYER_ORDER_REFERENCE,
    IPN_NAMESPACE,
    NOTIFICATIONS,
    ORDER_REFERENCE_DAYS,
    STALE_AFTER,
    Authorization,
    BillingAgreement,
    Capture,
    Notification,
    OrderReference,
    Refund,
    Status,
    Table,
    Use,
    agreement_data,
    authorization_data,
    capture_data,
    fingerprint,
    order_data,
    refund_data,
    refusal,
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
        self._due_changes: dict[str, Callable[[str], None]] = {  # what schedule() may name
            "reopen": self._reopen,
            "stale": self._stale,
            "order_expired": self._order_expired,
            "authorization_expired": self._authorization_expired,
        }
        self.tokens = Tokens(seed, limit)  # ListOrderReference's NextPageTokens

    # ------------------------------------------------------------ entry

    def run(self, handler: Handler, request: SandboxRequest) -> Reply:
        """Answer `request` with `handler`: the simulations due first, the changes that follow
        the answer (an asynchronous authorization, a refund) after it."""
        self._run_due()
        try:
            return handler(self, request)
        except Refusal as refused:
            documented = request.operation.errors.get(refused.code)
            status = getattr(documented, "http_status", None)  # section error classes have it
            if status is not None:
                refused.status = status  # the docs' status of the code, from the spec
            raise
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
        """Make the change `kind` (a key of `_due_changes`) to `object_id` at `when`. Past
        twice the limit the latest-due half is forgotten (amortized: not at every push)."""
        self._serial += 1
        heapq.heappush(self._due, (when, self._serial, kind, object_id))
        if len(self._due) > 2 * self._limit:
            self._due = heapq.nsmallest(self._limit, self._due)

    def _run_due(self) -> None:
        now = self.clock()
        while self._due and self._due[0][0] <= now:
            _, _, kind, object_id = heapq.heappop(self._due)
            self._due_changes[kind](object_id)

    def _reopen(self, order_id: str) -> None:
        """The buyer has updated the payment method (PaymentMethodUpdateTimeInMins)."""
        order = self.order_references.get(order_id)
        if order is not None and order.status.state == "Suspended":
            self.set_order_status(order, "Open")
            agreement = self.billing_agreements.get(order.parent or "")
            if agreement is not None and agreement.status.state == "Suspended":
                self.set_agreement_status(agreement, "Open")

    def _stale(self, order_id: str) -> None:
        """A Draft order reference not confirmed within 3 hours is Canceled (Stale)."""
        order = self.order_references.get(order_id)
        if order is not None and order.status.state == "Draft":
            self.set_order_status(order, "Canceled", "Stale")

    def _order_expired(self, order_id: str) -> None:
        """An Open or Suspended order reference is Closed (Expired) after 180 days."""
        order = self.order_references.get(order_id)
        if order is not None and order.status.state in ("Open", "Suspended"):
            self.set_order_status(order, "Closed", "Expired")

    def _authorization_expired(self, authorization_id: str) -> None:
        """An Open authorization not captured in time is Closed (ExpiredUnused)."""
        authorization = self.authorizations.get(authorization_id)
        if authorization is not None and authorization.status.state == "Open":
            self.set_authorization_status(authorization, "Closed", "ExpiredUnused")

    def add_order(self, order: OrderReference) -> None:
        """Keep a new order reference, and its lifetime: Stale after 3 hours in Draft,
        Expired after 180 days."""
        self.order_references.keep(order.id, order)
        self.schedule(order.created + STALE_AFTER, "stale", order.id)
        self.schedule(
            order.created + timedelta(days=ORDER_REFERENCE_DAYS), "order_expired", order.id
        )

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
            self.add_order(order)
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

    def repeated(self, request: SandboxRequest, table: Table[_T]) -> _T | None:
        """The object a repeated request made before (None: the reference id is new)."""
        reference_id = _reference_id(request)
        use = self.references.get(f"{request.seller_id}\n{reference_id}")
        if use is None:
            return None
        action = request.operation.name
        if use.action != action:
            raise refusal(
                "DuplicateReferenceId",
                f"The reference id {reference_id} was already used in another request ({use.action}).",
            )
        if use.fingerprint != fingerprint(request):
            raise refusal(
                "DuplicateRequest",
                f"The reference id {reference_id} was already processed with other parameters.",
            )
        found = table.get(use.object_id)
        if found is None:  # dropped past StateLimits.payments: refused, never made again
            raise refusal(
                "DuplicateRequest",
                f"The reference id {reference_id} was already processed; what it made is no "
                "longer kept.",
            )
        return found

    def remember(self, request: SandboxRequest, object_id: str) -> None:
        key = f"{request.seller_id}\n{_reference_id(request)}"
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

    def later(self, change: Callable[[], None]) -> None:
        """Make `change` right after the answer (`run_after`)."""
        self._after.append(change)

    def run_after(self) -> None:
        """The changes that follow an answer (an asynchronous authorization, a refund)."""
        while self._after:
            self._after.pop(0)()


def _reference_id(request: SandboxRequest) -> str:
    """The caller's reference id of a money move: the parameter the spec names for it."""
    spec = request.operation.reference_id
    if spec is None:
        raise ValueError(f"{request.operation.name} has no reference id in the spec")
    return str(request.values[request.operation.params[spec.param].name])
