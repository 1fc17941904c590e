"""The sandbox's Amazon Pay state in process: the allowance rule, simulation strings as the docs
write them, bounded state, and answers that depend only on the seed and the clock."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest

import mwskit
from mwskit.off_amazon_payments import _operations as ops
from mwskit.sandbox import Sandbox, StateLimits, async_transport, transport
from mwskit.sandbox.answers import Refusal
from mwskit.sandbox.payment_objects import (
    UNDOCUMENTED_STATUS,
    Money,
    Simulation,
    allowance,
    simulation,
)

AK, SK, SELLER = "AKSTATE", "state-secret", "A1STATE"
USD_TOTAL = {"order_total": {"amount": Decimal("10.00"), "currency_code": "USD"}}


@pytest.mark.parametrize(
    ("amount", "currency", "expected"),
    [
        ("100", "USD", "15.00"),
        ("1000", "USD", "75"),  # 15% would be 150: the cap of 75 is less
        ("500", "EUR", "75"),
        ("400", "GBP", "60.00"),
        ("100000", "JPY", "15000.00"),  # only the 15% outside USD, EUR and GBP
    ],
)
def test_the_allowance_is_15_percent_or_75_whichever_is_less(
    amount: str, currency: str, expected: str
) -> None:
    assert allowance(Money(Decimal(amount), currency)) == Decimal(expected)


def test_simulation_strings_as_the_docs_and_samples_write_them() -> None:
    spaced = '{"SandboxSimulation": {"State":"Declined", "ReasonCode":"InvalidPaymentMethod", "PaymentMethodUpdateTimeInMins":5, "SoftDecline":"false"}}'
    assert simulation(spaced, "Authorization", "SellerAuthorizationNote", sandbox=True) == (
        Simulation("Declined", "InvalidPaymentMethod", 5, False)
    )
    tight = json.dumps({"SandboxSimulation": {"State": "Pending"}}, separators=(",", ":"))
    assert simulation(tight, "Capture", "SellerCaptureNote", sandbox=True) == Simulation("Pending")
    assert simulation("ship fast", "Capture", "SellerCaptureNote", sandbox=True) is None
    assert simulation(spaced, "Authorization", "SellerAuthorizationNote", sandbox=False) is None


@pytest.mark.parametrize(
    ("note", "kind", "name"),
    [
        (
            '{"SandboxSimulation": {"State":"Declined", "ReasonCode":"InvalidPayment Method"}}',
            "Authorization",
            "SellerAuthorizationNote",
        ),
        (
            '{"SandboxSimulation": {"State":"Closed", "ReasonCode":"ExpiredUnused", "ExpirationTimeInMins":0}}',
            "Authorization",
            "SellerAuthorizationNote",
        ),
        (
            '{"SandboxSimulation": {"State":"Declined", "ReasonCode":"InvalidPaymentMethod", "SoftDecline":"maybe"}}',
            "Authorization",
            "SellerAuthorizationNote",
        ),
        (
            '{"SandboxSimulation": {"State":"Declined", "ReasonCode":"AmazonRejected"}}',
            "BillingAgreement",
            "ClosureReason",
        ),
        (
            '{"SandboxSimulation": {"Constraint":"PaymentMethodNotAllowed"}}',
            "OrderReference",
            "ClosureReason",
        ),
        ('{"SandboxSimulation": {"Constraint":"AmountNotSet"}}', "OrderReference", "SellerNote"),
        ("SandboxSimulation, please", "Refund", "SellerRefundNote"),
        ('["SandboxSimulation"]', "Refund", "SellerRefundNote"),
    ],
)
def test_an_undocumented_simulation_is_refused(note: str, kind: str, name: str) -> None:
    with pytest.raises(Refusal) as refused:
        simulation(note, kind, name, sandbox=True)
    assert (refused.value.status, refused.value.code) == (400, "InvalidSandboxSimulationSpecified")


def _client(sandbox: Sandbox) -> Any:
    mws = mwskit.MWS(
        access_key=AK,
        secret_key=SK,
        seller_id=SELLER,
        endpoint="http://sandbox.local",
        transport=transport(sandbox),
        retries=mwskit.RetryPolicy(max_attempts=1),
        throttle="off",
    )
    return mws.off_amazon_payments


def test_payment_state_is_bounded_the_oldest_going_first() -> None:
    pay = _client(Sandbox({AK: SK}, limits=StateLimits(payments=2)))
    ids = [f"S01-000000{n}-0000000" for n in range(3)]
    for oid in ids:
        pay.set_order_reference_details(
            amazon_order_reference_id=oid, order_reference_attributes=USD_TOTAL
        )
    with pytest.raises(mwskit.MWSError) as dropped:
        pay.confirm_order_reference(amazon_order_reference_id=ids[0])
    assert dropped.value.code == "InvalidOrderReferenceId"
    for oid in ids[1:]:
        pay.confirm_order_reference(amazon_order_reference_id=oid)
    with pytest.raises(ValueError, match=r"StateLimits\.payments must be at least 1"):
        StateLimits(payments=0)


def _purchase_bodies(clock: datetime) -> list[bytes]:
    sandbox = Sandbox({AK: SK}, seed=7, clock=lambda: clock)
    pay = _client(sandbox)
    bid = "C01-0000001-0000001"
    pay.get_billing_agreement_details(amazon_billing_agreement_id=bid)
    pay.confirm_billing_agreement(amazon_billing_agreement_id=bid)
    charged = pay.authorize_on_billing_agreement(
        amazon_billing_agreement_id=bid,
        authorization_reference_id="r1",
        authorization_amount={"amount": Decimal("3.00"), "currency_code": "USD"},
        capture_now=True,
        transaction_timeout=0,
    )
    capture_id = charged.authorization_details.id_list[0]
    refund = pay.refund(
        amazon_capture_id=capture_id,
        refund_reference_id="r2",
        refund_amount={"amount": Decimal("1.00"), "currency_code": "USD"},
    )
    return [charged.body, refund.body, pay.get_capture_details(amazon_capture_id=capture_id).body]


def test_answers_depend_only_on_the_seed_and_the_clock() -> None:
    clock = datetime.now(UTC).replace(microsecond=0)
    first, second = _purchase_bodies(clock), _purchase_bodies(clock)
    assert first == second
    assert b"<AmazonOrderReferenceId>S02-0000001-0000007</AmazonOrderReferenceId>" in first[0]


def test_the_async_client_pays_in_process() -> None:
    async def purchase() -> Any:
        async with mwskit.AsyncMWS(
            access_key=AK,
            secret_key=SK,
            seller_id=SELLER,
            endpoint="http://sandbox.local",
            transport=async_transport(Sandbox({AK: SK})),
            amazon_pay_sandbox=True,
        ) as mws:
            pay = mws.off_amazon_payments
            oid = "S01-0000009-0000009"
            await pay.set_order_reference_details(
                amazon_order_reference_id=oid, order_reference_attributes=USD_TOTAL
            )
            await pay.confirm_order_reference(amazon_order_reference_id=oid)
            answer = await pay.authorize(
                amazon_order_reference_id=oid,
                authorization_reference_id="async-1",
                authorization_amount={"amount": Decimal("10.00"), "currency_code": "USD"},
                capture_now=True,
                transaction_timeout=0,
            )
            return answer.authorization_details

    details = asyncio.run(purchase())
    assert (str(details.authorization_status.state), details.id_list) == (
        "Closed",
        ["S01-0000009-0000009-C000001"],
    )


def test_a_repeat_whose_authorization_was_dropped_is_refused_not_made_again() -> None:
    sandbox = Sandbox({AK: SK})
    pay = _client(sandbox)
    oid = "S01-0000008-0000008"
    pay.set_order_reference_details(
        amazon_order_reference_id=oid, order_reference_attributes=USD_TOTAL
    )
    pay.confirm_order_reference(amazon_order_reference_id=oid)
    arguments = {
        "amazon_order_reference_id": oid,
        "authorization_reference_id": "kept-id",
        "authorization_amount": {"amount": Decimal("10.00"), "currency_code": "USD"},
    }
    pay.authorize(**arguments)
    sandbox._context.payments.authorizations.clear()  # as if dropped past StateLimits.payments
    with pytest.raises(mwskit.MWSError) as refused:
        pay.authorize(**arguments)
    assert (refused.value.code, refused.value.status_code) == ("DuplicateRequest", 400)
    assert "no longer kept" in refused.value.message


def test_the_sandbox_keeps_statuses_only_for_codes_the_docs_give_none() -> None:
    """A documented code is answered with the spec's http_status (tested over HTTP in
    tests/amazon_pay); the sandbox's own table holds only the codes the spec has no status for."""
    documented = {code: error.http_status for code, error in ops.ERRORS.items()}
    assert {code: documented.get(code, "not in the spec") for code in UNDOCUMENTED_STATUS} == {
        code: None for code in UNDOCUMENTED_STATUS
    }
