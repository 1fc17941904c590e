"""The sandbox plays Amazon Pay over real HTTP: the generated client against the state machines
of order references, authorizations, captures, refunds and billing agreements (one loopback
server for the module; each test uses its own order reference and billing agreement ids)."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

import mwskit
from mwskit._runtime import Operation
from mwskit.off_amazon_payments import _operations as ops
from mwskit.off_amazon_payments.models import (
    BillingAgreementAttributesInput,
    OrderAttributesInput,
    OrderAttributesSellerOrderAttributesInput,
    OrderReferenceAttributesInput,
    PriceInput,
    SellerOrderAttributesInput,
)
from mwskit.sandbox import FaultConfig, Sandbox, SandboxServer, amazon_pay, start

AK, SK, SELLER = "AKPAY", "pay-secret", "A1MERCHANT"
_SERIAL = itertools.count(1)


def order_id() -> str:
    """A fresh order reference id of the sandbox form: the buyer's widget just made it."""
    return f"S01-{next(_SERIAL):07d}-0000001"


def agreement_id() -> str:
    return f"C01-{next(_SERIAL):07d}-0000001"


def usd(amount: str) -> PriceInput:
    return PriceInput(amount=Decimal(amount), currency_code="USD")


@pytest.fixture(scope="module")
def sandbox() -> Sandbox:
    return Sandbox({AK: SK, "AKOTHER": "other-secret"}, throttling=False)


@pytest.fixture(scope="module")
def server(sandbox: Sandbox) -> Iterator[SandboxServer]:
    with start(sandbox) as running:
        yield running


def client(server: SandboxServer, seller: str = SELLER, key: str = AK) -> Any:
    secret = SK if key == AK else "other-secret"
    mws = mwskit.MWS(
        access_key=key,
        secret_key=secret,
        seller_id=seller,
        endpoint=server.url,
        retries=mwskit.RetryPolicy(max_attempts=1),  # see every answer as the sandbox gave it
        throttle="off",  # the sandbox here does not throttle either
    )
    return mws.off_amazon_payments


@pytest.fixture(scope="module")
def pay(server: SandboxServer) -> Any:
    return client(server)


def refused(call: Any, **arguments: Any) -> mwskit.MWSError:
    with pytest.raises(mwskit.MWSError) as caught:
        call(**arguments)
    return caught.value


def open_order(pay: Any, total: str = "100.00", seller_order_id: str = "ORDER-1") -> str:
    """An order reference set to `total` USD and confirmed (Open)."""
    oid = order_id()
    attributes = OrderReferenceAttributesInput(
        order_total=usd(total),
        seller_order_attributes=SellerOrderAttributesInput(seller_order_id=seller_order_id),
    )
    pay.set_order_reference_details(
        amazon_order_reference_id=oid, order_reference_attributes=attributes
    )
    pay.confirm_order_reference(amazon_order_reference_id=oid)
    return oid


def authorize(pay: Any, oid: str, reference: str, amount: str, **options: Any) -> Any:
    options.setdefault("transaction_timeout", 0)
    return pay.authorize(
        amazon_order_reference_id=oid,
        authorization_reference_id=reference,
        authorization_amount=usd(amount),
        **options,
    ).authorization_details


def state(status: Any) -> tuple[str, str | None]:
    reason = status.reason_code
    return str(status.state), None if reason is None else str(reason)


# ---------------------------------------------------------------- one-time purchase


def test_a_new_order_reference_is_draft_until_set_and_confirmed(pay: Any) -> None:
    oid = order_id()
    draft = pay.get_order_reference_details(amazon_order_reference_id=oid).order_reference_details
    assert draft.amazon_order_reference_id == oid
    assert state(draft.order_reference_status) == ("Draft", None)
    assert [c.constraint_id for c in draft.constraints] == ["AmountNotSet"]
    assert draft.buyer is None  # the buyer is shown once the order reference is confirmed
    assert draft.destination.physical_destination.name is None
    assert draft.destination.physical_destination.postal_code == "98109"
    error = refused(pay.confirm_order_reference, amazon_order_reference_id=oid)
    assert (error.code, error.status_code) == ("ConstraintsExist", 404)
    attributes = OrderReferenceAttributesInput(order_total=usd("25.50"), seller_note="Thanks!")
    set_ = pay.set_order_reference_details(
        amazon_order_reference_id=oid, order_reference_attributes=attributes
    ).order_reference_details
    assert (set_.order_total.amount, set_.order_total.currency_code) == (Decimal("25.50"), "USD")
    assert set_.constraints == [] and set_.seller_note == "Thanks!"
    pay.confirm_order_reference(amazon_order_reference_id=oid)
    opened = pay.get_order_reference_details(amazon_order_reference_id=oid).order_reference_details
    assert state(opened.order_reference_status) == ("Open", None)
    assert opened.buyer.name == "Sandbox Buyer"
    assert opened.destination.physical_destination.address_line1 == "410 Terry Ave N"
    error = refused(
        pay.set_order_reference_details,
        amazon_order_reference_id=oid,
        order_reference_attributes=attributes,
    )
    assert (error.code, error.status_code) == ("OrderReferenceNotModifiable", 404)
    error = refused(pay.confirm_order_reference, amazon_order_reference_id=oid)
    assert (error.code, error.status_code) == ("InvalidOrderReferenceStatus", 405)


def test_one_time_purchase_authorize_with_capture_now(pay: Any) -> None:
    oid = open_order(pay, "42.00")
    details = authorize(pay, oid, "purchase-1", "42.00", capture_now=True, soft_descriptor="SHOP")
    assert details.amazon_authorization_id == f"{oid}-A000001"
    assert state(details.authorization_status) == ("Closed", "MaxCapturesProcessed")
    assert details.captured_amount.amount == Decimal("42.00")
    assert details.id_list == [f"{oid}-C000001"] and details.capture_now is True
    capture = pay.get_capture_details(amazon_capture_id=details.id_list[0]).capture_details
    assert capture.capture_reference_id == "purchase-1"  # CaptureNow: the authorization's id
    assert state(capture.capture_status) == ("Completed", None)
    assert capture.capture_amount.amount == Decimal("42.00") and capture.soft_descriptor == "SHOP"
    order = pay.get_order_reference_details(amazon_order_reference_id=oid).order_reference_details
    assert order.id_list == [details.amazon_authorization_id]
    pay.close_order_reference(amazon_order_reference_id=oid, closure_reason="Shipped")
    closed = pay.get_order_reference_details(amazon_order_reference_id=oid).order_reference_details
    assert state(closed.order_reference_status) == ("Closed", "SellerClosed")
    assert closed.order_reference_status.reason_description == "Shipped"


def test_an_asynchronous_authorization_answers_pending_then_is_open(pay: Any) -> None:
    oid = open_order(pay)
    answered = authorize(pay, oid, "async-1", "60.00", transaction_timeout=1440)
    assert state(answered.authorization_status) == ("Pending", None)
    now = pay.get_authorization_details(amazon_authorization_id=answered.amazon_authorization_id)
    assert state(now.authorization_details.authorization_status) == ("Open", None)
    assert now.authorization_details.captured_amount.amount == Decimal("0.00")


# ---------------------------------------------------------------- capture and refund


def test_authorize_then_capture_then_refund(pay: Any) -> None:
    oid = open_order(pay)
    authorization = authorize(pay, oid, "auth-2", "100.00")
    assert state(authorization.authorization_status) == ("Open", None)
    capture = pay.capture(
        amazon_authorization_id=authorization.amazon_authorization_id,
        capture_reference_id="cap-2",
        capture_amount=usd("80.00"),
        seller_capture_note="first shipment",
    ).capture_details
    assert state(capture.capture_status) == ("Completed", None)
    assert capture.refunded_amount.amount == Decimal("0.00")
    after = pay.get_authorization_details(
        amazon_authorization_id=authorization.amazon_authorization_id
    )
    assert state(after.authorization_details.authorization_status) == (
        "Closed",
        "MaxCapturesProcessed",
    )
    assert after.authorization_details.captured_amount.amount == Decimal("80.00")
    assert after.authorization_details.id_list == [capture.amazon_capture_id]
    refund = pay.refund(
        amazon_capture_id=capture.amazon_capture_id,
        refund_reference_id="ref-2",
        refund_amount=usd("30.00"),
        seller_refund_note="damaged",
    ).refund_details
    assert state(refund.refund_status) == ("Pending", None)  # a refund is always answered Pending
    assert refund.refund_type == "SellerInitiated" and refund.seller_refund_note == "damaged"
    later = pay.get_refund_details(amazon_refund_id=refund.amazon_refund_id).refund_details
    assert state(later.refund_status) == ("Completed", None)
    captured = pay.get_capture_details(amazon_capture_id=capture.amazon_capture_id).capture_details
    assert captured.refunded_amount.amount == Decimal("30.00")
    assert captured.id_list == [refund.amazon_refund_id]


def test_a_capture_beyond_the_authorized_amount_is_refused(pay: Any) -> None:
    oid = open_order(pay)
    authorization = authorize(pay, oid, "auth-3", "50.00")
    error = refused(
        pay.capture,
        amazon_authorization_id=authorization.amazon_authorization_id,
        capture_reference_id="cap-3",
        capture_amount=usd("50.01"),
    )
    assert (error.code, error.status_code) == ("TransactionAmountExceeded", 400)
    still = pay.get_authorization_details(
        amazon_authorization_id=authorization.amazon_authorization_id
    )
    assert state(still.authorization_details.authorization_status) == ("Open", None)
    assert still.authorization_details.id_list == []  # nothing was captured
    error = refused(
        pay.capture,
        amazon_authorization_id=authorization.amazon_authorization_id,
        capture_reference_id="cap-3b",
        capture_amount=PriceInput(amount=Decimal("10"), currency_code="EUR"),
    )
    assert (error.code, error.status_code) == ("CurrencyMismatch", 400)


def test_refunds_may_exceed_the_capture_by_the_allowance_only(pay: Any) -> None:
    oid = open_order(pay)
    authorization = authorize(pay, oid, "auth-4", "100.00", capture_now=True)
    capture_id = authorization.id_list[0]
    pay.refund(
        amazon_capture_id=capture_id, refund_reference_id="ref-4a", refund_amount=usd("100.00")
    )
    error = refused(
        pay.refund,
        amazon_capture_id=capture_id,
        refund_reference_id="ref-4b",
        refund_amount=usd("15.01"),
    )
    assert (error.code, error.status_code) == ("TransactionAmountExceeded", 400)
    pay.refund(
        amazon_capture_id=capture_id, refund_reference_id="ref-4c", refund_amount=usd("15.00")
    )
    capture = pay.get_capture_details(amazon_capture_id=capture_id).capture_details
    assert capture.refunded_amount.amount == Decimal("115.00")  # 15% of 100 is under 75
    assert state(capture.capture_status) == ("Closed", "MaxAmountRefunded")
    error = refused(
        pay.refund,
        amazon_capture_id=capture_id,
        refund_reference_id="ref-4d",
        refund_amount=usd("1"),
    )
    assert (error.code, error.status_code) == ("CaptureNotRefundable", 405)


def test_authorizations_are_bounded_by_the_order_total_and_its_allowance(pay: Any) -> None:
    oid = open_order(pay, "1000.00")
    authorize(pay, oid, "auth-5a", "1000.00")
    error = refused(authorize, pay=pay, oid=oid, reference="auth-5b", amount="75.01")
    assert (error.code, error.status_code) == ("TransactionAmountExceeded", 400)  # 75 < 15%
    assert authorize(pay, oid, "auth-5c", "75.00").authorization_amount.amount == Decimal("75.00")


def test_at_most_ten_authorizations_per_order_and_ten_refunds_per_capture(pay: Any) -> None:
    oid = open_order(pay, "100.00")
    for number in range(10):
        authorize(pay, oid, f"ten-a{number}", "1.00")
    error = refused(authorize, pay=pay, oid=oid, reference="ten-a10", amount="1.00")
    assert (error.code, error.status_code) == ("TransactionCountExceeded", 400)
    capture_id = authorize(pay, open_order(pay), "ten-c", "100.00", capture_now=True).id_list[0]
    for number in range(10):
        pay.refund(
            amazon_capture_id=capture_id,
            refund_reference_id=f"ten-r{number}",
            refund_amount=usd("1.00"),
        )
    capture = pay.get_capture_details(amazon_capture_id=capture_id).capture_details
    assert state(capture.capture_status) == ("Closed", "MaxRefundsProcessed")
    error = refused(
        pay.refund,
        amazon_capture_id=capture_id,
        refund_reference_id="ten-r10",
        refund_amount=usd("1"),
    )
    assert (error.code, error.status_code) == ("CaptureNotRefundable", 405)


def test_a_closed_authorization_cannot_be_captured(pay: Any) -> None:
    oid = open_order(pay)
    authorization = authorize(pay, oid, "auth-6", "10.00")
    auth_id = authorization.amazon_authorization_id
    pay.close_authorization(amazon_authorization_id=auth_id, closure_reason="out of stock")
    closed = pay.get_authorization_details(amazon_authorization_id=auth_id).authorization_details
    assert state(closed.authorization_status) == ("Closed", "SellerClosed")
    assert closed.authorization_status.reason_description == "out of stock"
    error = refused(
        pay.capture,
        amazon_authorization_id=auth_id,
        capture_reference_id="cap-6",
        capture_amount=usd("1"),
    )
    assert (error.code, error.status_code) == ("InvalidAuthorizationStatus", 405)
    error = refused(pay.close_authorization, amazon_authorization_id=auth_id)
    assert (error.code, error.status_code) == ("InvalidAuthorizationStatus", 405)


# ---------------------------------------------------------------- reference ids


def test_a_repeated_request_answers_the_same_authorization_and_charges_once(pay: Any) -> None:
    oid = open_order(pay)
    first = authorize(pay, oid, "same-1", "20.00", capture_now=True)
    again = authorize(pay, oid, "same-1", "20.00", capture_now=True)
    assert again.amazon_authorization_id == first.amazon_authorization_id
    assert again.id_list == first.id_list
    order = pay.get_order_reference_details(amazon_order_reference_id=oid).order_reference_details
    assert order.id_list == [first.amazon_authorization_id]  # one authorization, one capture
    error = refused(authorize, pay=pay, oid=oid, reference="same-1", amount="19.00")
    assert (error.code, error.status_code) == ("DuplicateRequest", 400)
    other = open_order(pay)
    error = refused(authorize, pay=pay, oid=other, reference="same-1", amount="20.00")
    assert (error.code, error.status_code) == ("DuplicateRequest", 400)
    plain = authorize(pay, other, "same-2", "20.00")
    error = refused(
        pay.capture,
        amazon_authorization_id=plain.amazon_authorization_id,
        capture_reference_id="same-1",
        capture_amount=usd("20.00"),
    )
    assert (error.code, error.status_code) == ("DuplicateReferenceId", 400)


def test_repeated_captures_and_refunds_move_money_once(pay: Any) -> None:
    oid = open_order(pay)
    auth_id = authorize(pay, oid, "once-a", "40.00").amazon_authorization_id
    arguments = {
        "amazon_authorization_id": auth_id,
        "capture_reference_id": "once-c",
        "capture_amount": usd("40.00"),
    }
    first, again = pay.capture(**arguments), pay.capture(**arguments)
    assert again.capture_details.amazon_capture_id == first.capture_details.amazon_capture_id
    capture_id = first.capture_details.amazon_capture_id
    refund = {
        "amazon_capture_id": capture_id,
        "refund_reference_id": "once-r",
        "refund_amount": usd("5"),
    }
    assert (
        pay.refund(**refund).refund_details.amazon_refund_id
        == pay.refund(**refund).refund_details.amazon_refund_id
    )
    capture = pay.get_capture_details(amazon_capture_id=capture_id).capture_details
    assert capture.refunded_amount.amount == Decimal("5.00") and len(capture.id_list) == 1


def test_after_a_lost_answer_the_client_recovers_the_one_authorization(
    sandbox: Sandbox, pay: Any
) -> None:
    """The sandbox runs Authorize and drops the connection (every time); the client finds the
    authorization it made (resent unchanged, or looked up by its reference id): one charge."""
    oid = open_order(pay)
    sandbox.reset_stats()
    sandbox.faults = FaultConfig(lost_answer_rate=1.0, actions=frozenset({"Authorize"}))
    try:
        recovered = authorize(pay, oid, "lost-1", "30.00", capture_now=True)
    finally:
        sandbox.faults = FaultConfig()
    assert sandbox.stats().by_code["lost"] >= 1
    assert recovered.amazon_authorization_id == f"{oid}-A000001"
    assert recovered.captured_amount.amount == Decimal("30.00") and len(recovered.id_list) == 1
    order = pay.get_order_reference_details(amazon_order_reference_id=oid).order_reference_details
    assert order.id_list == [recovered.amazon_authorization_id]
    again = authorize(pay, oid, "lost-1", "30.00", capture_now=True)  # a plain repeat: the same
    assert again.amazon_authorization_id == recovered.amazon_authorization_id


def test_reference_ids_belong_to_their_seller(server: SandboxServer, pay: Any) -> None:
    other = client(server, seller="A2OTHERSELLER", key="AKOTHER")
    mine, theirs = open_order(pay), open_order(other)
    authorize(pay, mine, "shared-name", "10.00")
    assert (
        authorize(other, theirs, "shared-name", "10.00").authorization_reference_id == "shared-name"
    )
    error = refused(other.get_order_reference_details, amazon_order_reference_id=mine)
    assert (error.code, error.status_code) == ("InvalidOrderReferenceId", 404)


def test_unknown_ids_are_refused(pay: Any) -> None:
    error = refused(
        pay.get_order_reference_details, amazon_order_reference_id="P01-1234567-1234567"
    )
    assert (error.code, error.status_code) == ("InvalidOrderReferenceId", 404)
    error = refused(
        pay.get_authorization_details, amazon_authorization_id="S01-0000000-0000000-A000001"
    )
    assert (error.code, error.status_code) == ("InvalidTransactionId", 404)
    error = refused(
        pay.confirm_billing_agreement, amazon_billing_agreement_id="C01-9999999-9999999"
    )
    assert (error.code, error.status_code) == ("InvalidBillingAgreementId", 404)


# ---------------------------------------------------------------- cancel


def test_canceling_closes_open_authorizations(pay: Any) -> None:
    oid = open_order(pay)
    auth_id = authorize(pay, oid, "cancel-1", "30.00").amazon_authorization_id
    pay.cancel_order_reference(amazon_order_reference_id=oid, cancelation_reason="buyer asked")
    order = pay.get_order_reference_details(amazon_order_reference_id=oid).order_reference_details
    assert state(order.order_reference_status) == ("Canceled", "SellerCanceled")
    assert order.order_reference_status.reason_description == "buyer asked"
    details = pay.get_authorization_details(amazon_authorization_id=auth_id).authorization_details
    assert state(details.authorization_status) == ("Closed", "OrderReferenceCanceled")
    error = refused(authorize, pay=pay, oid=oid, reference="cancel-2", amount="1.00")
    assert (error.code, error.status_code) == ("InvalidOrderReferenceStatus", 405)


def test_an_order_reference_with_captures_cannot_be_canceled(pay: Any) -> None:
    oid = open_order(pay)
    authorize(pay, oid, "cancel-3", "30.00", capture_now=True)
    error = refused(pay.cancel_order_reference, amazon_order_reference_id=oid)
    assert (error.code, error.status_code) == ("InvalidCancelAttempt", 405)


# ---------------------------------------------------------------- recurring payments


def test_recurring_payments_with_a_billing_agreement(pay: Any) -> None:
    bid = agreement_id()
    draft = pay.get_billing_agreement_details(amazon_billing_agreement_id=bid)
    assert state(draft.billing_agreement_details.billing_agreement_status) == ("Draft", None)
    attributes = BillingAgreementAttributesInput(
        seller_note="monthly box", subscription_amount=usd("9.99")
    )
    set_ = pay.set_billing_agreement_details(
        amazon_billing_agreement_id=bid, billing_agreement_attributes=attributes
    ).billing_agreement_details
    assert set_.seller_note == "monthly box" and set_.subscription_amount.amount == Decimal("9.99")
    pay.confirm_billing_agreement(amazon_billing_agreement_id=bid)
    valid = pay.validate_billing_agreement(amazon_billing_agreement_id=bid)
    assert str(valid.validation_result) == "Success"
    assert state(valid.billing_agreement_status) == ("Open", None)
    orders = []
    for month in (1, 2):
        charged = pay.authorize_on_billing_agreement(
            amazon_billing_agreement_id=bid,
            authorization_reference_id=f"month-{month}",
            authorization_amount=usd("9.99"),
            capture_now=True,
            transaction_timeout=0,
        )
        details = charged.authorization_details
        assert state(details.authorization_status) == ("Closed", "MaxCapturesProcessed")
        assert details.captured_amount.amount == Decimal("9.99")
        orders.append(charged.amazon_order_reference_id)
    assert len(set(orders)) == 2
    order = pay.get_order_reference_details(
        amazon_order_reference_id=orders[0]
    ).order_reference_details
    assert state(order.order_reference_status) == ("Open", None)
    assert order.parent_details.id == bid and order.order_total.amount == Decimal("9.99")
    error = refused(
        pay.set_billing_agreement_details,
        amazon_billing_agreement_id=bid,
        billing_agreement_attributes=attributes,
    )
    assert (error.code, error.status_code) == ("BillingAgreementNotModifiable", 405)


def test_an_order_reference_from_a_billing_agreement_and_closing_it(pay: Any) -> None:
    bid = agreement_id()
    pay.get_billing_agreement_details(amazon_billing_agreement_id=bid)
    pay.confirm_billing_agreement(amazon_billing_agreement_id=bid)
    made = pay.create_order_reference_for_id(
        id=bid,
        id_type="BillingAgreement",
        confirm_now=True,
        order_reference_attributes=OrderReferenceAttributesInput(order_total=usd("12.00")),
    ).order_reference_details
    assert state(made.order_reference_status) == ("Open", None)
    assert made.parent_details.id == bid
    assert authorize(
        pay, made.amazon_order_reference_id, "made-1", "12.00"
    ).authorization_amount.amount == Decimal("12.00")
    pay.close_billing_agreement(amazon_billing_agreement_id=bid, closure_reason="cancelled plan")
    closed = pay.get_billing_agreement_details(amazon_billing_agreement_id=bid)
    assert state(closed.billing_agreement_details.billing_agreement_status) == (
        "Closed",
        "SellerClosed",
    )
    error = refused(
        pay.authorize_on_billing_agreement,
        amazon_billing_agreement_id=bid,
        authorization_reference_id="after-close",
        authorization_amount=usd("1.00"),
    )
    assert (error.code, error.status_code) == ("InvalidBillingAgreementStatus", 405)
    error = refused(pay.validate_billing_agreement, amazon_billing_agreement_id=bid)
    assert (error.code, error.status_code) == ("InvalidBillingAgreementStatus", 405)


def test_order_attributes_and_the_merchant_account(pay: Any) -> None:
    oid = open_order(pay)
    attributes = OrderAttributesInput(
        seller_note="gift wrap",
        seller_order_attributes=OrderAttributesSellerOrderAttributesInput(store_name="Shop"),
    )
    details = pay.set_order_attributes(
        amazon_order_reference_id=oid, order_attributes=attributes
    ).order_reference_details
    assert details.seller_note == "gift wrap"
    assert details.seller_order_attributes.store_name == "Shop"
    assert details.seller_order_attributes.seller_order_id == "ORDER-1"
    error = refused(
        pay.set_order_attributes,
        amazon_order_reference_id=oid,
        order_attributes=OrderAttributesInput(order_total=usd("1.00")),
    )
    assert (error.code, error.status_code) == ("OrderReferenceNotModifiable", 404)
    assert str(pay.get_merchant_account_status().account_status) == "ACTIVE"


def test_order_references_are_found_by_seller_order_id_page_by_page(pay: Any) -> None:
    ids = [open_order(pay, seller_order_id="FIND-ME") for _ in range(3)]
    open_order(pay, seller_order_id="SOMETHING-ELSE")
    pay.cancel_order_reference(amazon_order_reference_id=ids[1])
    query = {"query_id": "FIND-ME", "query_id_type": "SellerOrderId", "payment_domain": "NA_USD"}
    first = pay.list_order_reference(**query, page_size=2)
    listed = [order.amazon_order_reference_id for order in first.order_reference_list]
    assert listed == ids[:2] and first.next_page_token is not None
    assert str(first.order_reference_list[1].order_reference_status.state) == "Canceled"
    rest = pay.list_order_reference_by_next_token(next_page_token=first.next_page_token)
    assert [order.amazon_order_reference_id for order in rest.order_reference_list] == ids[2:]
    assert rest.next_page_token is None
    newest = pay.list_order_reference(**query, sort_order="Descending")
    assert [order.amazon_order_reference_id for order in newest.order_reference_list] == ids[::-1]
    canceled = pay.list_order_reference(**query, order_reference_status_list_filter=["Canceled"])
    assert [order.amazon_order_reference_id for order in canceled.order_reference_list] == [ids[1]]
    error = refused(pay.list_order_reference_by_next_token, next_page_token="not-a-token")
    assert (error.code, error.status_code) == ("InvalidParameterValue", 400)


def test_every_state_machine_action_is_called_in_this_module() -> None:
    source = Path(__file__).read_text(encoding="utf-8")
    operations = {op.name: op for op in vars(ops).values() if isinstance(op, Operation)}
    missing = [
        name for name in amazon_pay.HANDLERS if f"pay.{operations[name].method}" not in source
    ]
    assert missing == []
