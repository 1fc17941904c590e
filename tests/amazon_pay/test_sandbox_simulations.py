"""The documented sandbox simulation strings, over real HTTP on the sandbox path
(`MWS(..., amazon_pay_sandbox=True)`): declines, pending and closed objects, constraints, and the
`...InMins` times on the sandbox's clock. On the production path a note is only a note."""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

import mwskit
from mwskit.off_amazon_payments.models import OrderReferenceAttributesInput, PriceInput
from mwskit.sandbox import Sandbox, SandboxServer, start

AK, SK, SELLER = "AKSIM", "sim-secret", "A1SIMSELLER"
_SERIAL = itertools.count(1)


class Clock:
    """The sandbox's clock: real time plus an offset the tests move forward."""

    def __init__(self) -> None:
        self.offset = timedelta(0)

    def __call__(self) -> datetime:
        return datetime.now(UTC) + self.offset


@pytest.fixture(scope="module")
def clock() -> Clock:
    return Clock()


@pytest.fixture(scope="module")
def server(clock: Clock) -> Iterator[SandboxServer]:
    with start(Sandbox({AK: SK}, throttling=False, clock=clock)) as running:
        yield running


def client(url: str, *, sandbox: bool = True, clock: Clock | None = None) -> Any:
    mws = mwskit.MWS(
        access_key=AK,
        secret_key=SK,
        seller_id=SELLER,
        endpoint=url,
        amazon_pay_sandbox=sandbox,
        retries=mwskit.RetryPolicy(max_attempts=1),
        throttle="off",
        clock=clock,
    )
    return mws.off_amazon_payments


@pytest.fixture(scope="module")
def pay(server: SandboxServer) -> Any:
    return client(server.url)


def usd(amount: str) -> PriceInput:
    return PriceInput(amount=Decimal(amount), currency_code="USD")


def simulate(state: str, reason: str | None = None, **extra: Any) -> str:
    inner: dict[str, Any] = {"State": state, **({"ReasonCode": reason} if reason else {}), **extra}
    return json.dumps({"SandboxSimulation": inner})


def open_order(pay: Any, total: str = "50.00") -> str:
    oid = f"S01-{next(_SERIAL):07d}-0000002"
    attributes = OrderReferenceAttributesInput(order_total=usd(total))
    pay.set_order_reference_details(
        amazon_order_reference_id=oid, order_reference_attributes=attributes
    )
    pay.confirm_order_reference(amazon_order_reference_id=oid)
    return oid


def authorize(pay: Any, oid: str, note: str | None, **options: Any) -> Any:
    options.setdefault("transaction_timeout", 0)
    return pay.authorize(
        amazon_order_reference_id=oid,
        authorization_reference_id=f"sim-{next(_SERIAL)}",
        authorization_amount=usd("50.00"),
        seller_authorization_note=note,
        **options,
    ).authorization_details


def order_state(pay: Any, oid: str) -> tuple[str, str | None]:
    details = pay.get_order_reference_details(amazon_order_reference_id=oid).order_reference_details
    return state(details.order_reference_status)


def state(status: Any) -> tuple[str, str | None]:
    reason = status.reason_code
    return str(status.state), None if reason is None else str(reason)


def refused(call: Any, **arguments: Any) -> mwskit.MWSError:
    with pytest.raises(mwskit.MWSError) as caught:
        call(**arguments)
    return caught.value


# ---------------------------------------------------------------- authorizations


def test_a_soft_decline_suspends_the_order_until_the_buyer_updates_the_payment_method(
    pay: Any, clock: Clock
) -> None:
    oid = open_order(pay)
    note = simulate("Declined", "InvalidPaymentMethod", PaymentMethodUpdateTimeInMins=2)
    declined = authorize(pay, oid, note)
    assert state(declined.authorization_status) == ("Declined", "InvalidPaymentMethod")
    assert declined.soft_decline is True
    assert order_state(pay, oid) == ("Suspended", "InvalidPaymentMethod")
    error = refused(authorize, pay=pay, oid=oid, note=None)
    assert (error.code, error.status_code) == ("InvalidOrderReferenceStatus", 405)
    clock.offset += timedelta(minutes=2)
    assert order_state(pay, oid) == ("Open", None)
    assert state(authorize(pay, oid, None).authorization_status) == ("Open", None)


def test_a_hard_decline_and_amazon_rejected(pay: Any) -> None:
    oid = open_order(pay)
    note = simulate("Declined", "InvalidPaymentMethod", SoftDecline="false")
    assert authorize(pay, oid, note).soft_decline is False
    other = open_order(pay)
    rejected = authorize(pay, other, simulate("Declined", "AmazonRejected"))
    assert state(rejected.authorization_status) == ("Declined", "AmazonRejected")
    assert order_state(pay, other) == ("Closed", "AmazonClosed")


def test_an_asynchronous_authorization_times_out(pay: Any) -> None:
    oid = open_order(pay)
    note = simulate("Declined", "TransactionTimedOut")
    answered = authorize(pay, oid, note, transaction_timeout=1440)
    assert state(answered.authorization_status) == ("Pending", None)
    details = pay.get_authorization_details(
        amazon_authorization_id=answered.amazon_authorization_id
    )
    assert state(details.authorization_details.authorization_status) == (
        "Declined",
        "TransactionTimedOut",
    )
    assert order_state(pay, oid) == ("Open", None)


def test_an_authorization_expires_unused_after_its_minutes(pay: Any, clock: Clock) -> None:
    oid = open_order(pay)
    note = simulate("Closed", "ExpiredUnused", ExpirationTimeInMins=1)
    opened = authorize(pay, oid, note)
    assert state(opened.authorization_status) == ("Open", None)
    assert opened.expiration_timestamp - opened.creation_timestamp == timedelta(days=2)
    clock.offset += timedelta(seconds=61)
    later = pay.get_authorization_details(amazon_authorization_id=opened.amazon_authorization_id)
    assert state(later.authorization_details.authorization_status) == ("Closed", "ExpiredUnused")
    closed = authorize(pay, open_order(pay), simulate("Closed", "AmazonClosed"))
    assert state(closed.authorization_status) == ("Closed", "AmazonClosed")


# ---------------------------------------------------------------- captures and refunds


def test_capture_simulations(pay: Any) -> None:
    auth_id = authorize(pay, open_order(pay), None).amazon_authorization_id
    declined = pay.capture(
        amazon_authorization_id=auth_id,
        capture_reference_id="sim-cap-1",
        capture_amount=usd("50.00"),
        seller_capture_note=simulate("Declined", "AmazonRejected"),
    ).capture_details
    assert state(declined.capture_status) == ("Declined", "AmazonRejected")
    after = pay.get_authorization_details(amazon_authorization_id=auth_id).authorization_details
    assert state(after.authorization_status) == ("Open", None)  # a declined capture took nothing
    pending = pay.capture(
        amazon_authorization_id=auth_id,
        capture_reference_id="sim-cap-2",
        capture_amount=usd("50.00"),
        seller_capture_note=simulate("Pending"),
    ).capture_details
    assert state(pending.capture_status) == ("Pending", None)
    still = pay.get_capture_details(amazon_capture_id=pending.amazon_capture_id).capture_details
    assert state(still.capture_status) == ("Pending", None)
    taken = pay.get_authorization_details(amazon_authorization_id=auth_id).authorization_details
    assert state(taken.authorization_status) == ("Closed", "MaxCapturesProcessed")
    error = refused(
        pay.refund,
        amazon_capture_id=pending.amazon_capture_id,
        refund_reference_id="sim-ref-1",
        refund_amount=usd("1.00"),
    )
    assert (error.code, error.status_code) == ("CaptureNotRefundable", 405)
    closed = pay.capture(
        amazon_authorization_id=authorize(pay, open_order(pay), None).amazon_authorization_id,
        capture_reference_id="sim-cap-3",
        capture_amount=usd("50.00"),
        seller_capture_note=simulate("Closed", "AmazonClosed"),
    ).capture_details
    assert state(closed.capture_status) == ("Closed", "AmazonClosed")


def test_a_declined_refund_gives_the_amount_back(pay: Any) -> None:
    capture_id = authorize(pay, open_order(pay), None, capture_now=True).id_list[0]
    refund = pay.refund(
        amazon_capture_id=capture_id,
        refund_reference_id="sim-ref-2",
        refund_amount=usd("50.00"),
        seller_refund_note=simulate("Declined", "AmazonRejected"),
    ).refund_details
    assert state(refund.refund_status) == ("Pending", None)
    later = pay.get_refund_details(amazon_refund_id=refund.amazon_refund_id).refund_details
    assert state(later.refund_status) == ("Declined", "AmazonRejected")
    capture = pay.get_capture_details(amazon_capture_id=capture_id).capture_details
    assert capture.refunded_amount.amount == Decimal("0.00")


# ---------------------------------------------------------------- order references, agreements


def test_a_constraint_simulation_blocks_confirmation_until_the_note_changes(pay: Any) -> None:
    oid = f"S01-{next(_SERIAL):07d}-0000002"
    note = json.dumps({"SandboxSimulation": {"Constraint": "PaymentMethodNotAllowed"}})
    attributes = OrderReferenceAttributesInput(order_total=usd("5.00"), seller_note=note)
    details = pay.set_order_reference_details(
        amazon_order_reference_id=oid, order_reference_attributes=attributes
    ).order_reference_details
    assert [c.constraint_id for c in details.constraints] == ["PaymentMethodNotAllowed"]
    assert str(details.release_environment) == "Sandbox"
    error = refused(pay.confirm_order_reference, amazon_order_reference_id=oid)
    assert (error.code, error.status_code) == ("ConstraintsExist", 404)
    closing = OrderReferenceAttributesInput(seller_note=simulate("Closed", "AmazonClosed"))
    error = refused(
        pay.set_order_reference_details,
        amazon_order_reference_id=oid,
        order_reference_attributes=closing,
    )
    assert (error.code, error.status_code) == ("InvalidSandboxSimulationSpecified", 400)
    cleared = OrderReferenceAttributesInput(seller_note="thanks")
    pay.set_order_reference_details(
        amazon_order_reference_id=oid, order_reference_attributes=cleared
    )
    pay.confirm_order_reference(amazon_order_reference_id=oid)
    assert order_state(pay, oid) == ("Open", None)


def test_closure_simulations(pay: Any) -> None:
    oid = open_order(pay)
    reason = simulate("Closed", "AmazonClosed")
    pay.close_order_reference(amazon_order_reference_id=oid, closure_reason=reason)
    assert order_state(pay, oid) == ("Closed", "AmazonClosed")
    bid = f"C01-{next(_SERIAL):07d}-0000002"
    pay.get_billing_agreement_details(amazon_billing_agreement_id=bid)
    pay.confirm_billing_agreement(amazon_billing_agreement_id=bid)
    pay.close_billing_agreement(amazon_billing_agreement_id=bid, closure_reason=reason)
    closed = pay.get_billing_agreement_details(amazon_billing_agreement_id=bid)
    assert state(closed.billing_agreement_details.billing_agreement_status) == (
        "Closed",
        "AmazonClosed",
    )


def test_a_declined_charge_suspends_the_billing_agreement(pay: Any, clock: Clock) -> None:
    bid = f"C01-{next(_SERIAL):07d}-0000002"
    pay.get_billing_agreement_details(amazon_billing_agreement_id=bid)
    pay.confirm_billing_agreement(amazon_billing_agreement_id=bid)
    charged = pay.authorize_on_billing_agreement(
        amazon_billing_agreement_id=bid,
        authorization_reference_id="sim-ba-1",
        authorization_amount=usd("9.00"),
        seller_authorization_note=simulate(
            "Declined", "InvalidPaymentMethod", PaymentMethodUpdateTimeInMins=1
        ),
        transaction_timeout=0,
    )
    assert state(charged.authorization_details.authorization_status) == (
        "Declined",
        "InvalidPaymentMethod",
    )
    validated = pay.validate_billing_agreement(amazon_billing_agreement_id=bid)
    assert (str(validated.validation_result), validated.failure_reason_code) == (
        "Failure",
        "InvalidPaymentMethod",
    )
    assert state(validated.billing_agreement_status) == ("Suspended", "InvalidPaymentMethod")
    clock.offset += timedelta(minutes=1)  # the buyer has updated the payment method
    again = pay.validate_billing_agreement(amazon_billing_agreement_id=bid)
    assert (str(again.validation_result), state(again.billing_agreement_status)) == (
        "Success",
        ("Open", None),
    )
    assert order_state(pay, charged.amazon_order_reference_id) == ("Open", None)


def test_an_unknown_simulation_is_refused_and_nothing_is_made(pay: Any) -> None:
    oid = open_order(pay)
    for note in (simulate("Declined", "NoSuchReason"), '{"SandboxSimulation": ', simulate("Open")):
        error = refused(authorize, pay=pay, oid=oid, note=note)
        assert (error.code, error.status_code) == ("InvalidSandboxSimulationSpecified", 400)
    order = pay.get_order_reference_details(amazon_order_reference_id=oid).order_reference_details
    assert order.id_list == []


def test_on_the_production_path_a_simulation_is_only_a_note(server: SandboxServer) -> None:
    live = client(server.url, sandbox=False)
    oid = open_order(live)
    note = simulate("Declined", "AmazonRejected")
    details = authorize(live, oid, note)
    assert state(details.authorization_status) == ("Open", None)
    assert details.seller_authorization_note == note
    assert details.expiration_timestamp - details.creation_timestamp == timedelta(days=30)
    order = live.get_order_reference_details(amazon_order_reference_id=oid).order_reference_details
    assert str(order.release_environment) == "Live"


def test_the_sandbox_path_has_its_own_smaller_buckets() -> None:
    """Authorize's bucket: 10 requests at once in production, 2 on the sandbox path (docs)."""
    with start(Sandbox({AK: SK})) as running:
        for sandbox, allowed in ((True, 2), (False, 10)):
            pay = client(running.url, sandbox=sandbox)
            arguments = {
                "amazon_order_reference_id": "P01-0000000-0000000",
                "authorization_reference_id": "throttled",
                "authorization_amount": usd("1.00"),
            }
            codes = [refused(pay.authorize, **arguments).code for _ in range(allowed + 1)]
            assert codes == ["InvalidOrderReferenceId"] * allowed + ["RequestThrottled"]


def test_order_references_and_authorizations_age_on_the_sandbox_clock() -> None:
    """Draft for 3 hours: Canceled (Stale); an authorization on the sandbox path: Closed
    (ExpiredUnused) after 2 days; an order reference: Closed (Expired) after 180 days."""
    clock = Clock()
    with start(Sandbox({AK: SK}, throttling=False, clock=clock)) as running:
        pay = client(running.url, clock=clock)
        draft = f"S01-{next(_SERIAL):07d}-0000002"
        pay.get_order_reference_details(amazon_order_reference_id=draft)
        oid = open_order(pay)
        auth_id = authorize(pay, oid, None).amazon_authorization_id
        clock.offset += timedelta(hours=3)
        assert order_state(pay, draft) == ("Canceled", "Stale")
        assert order_state(pay, oid) == ("Open", None)
        clock.offset += timedelta(days=2)
        details = pay.get_authorization_details(amazon_authorization_id=auth_id)
        assert state(details.authorization_details.authorization_status) == (
            "Closed",
            "ExpiredUnused",
        )
        clock.offset += timedelta(days=180)
        assert order_state(pay, oid) == ("Closed", "Expired")
