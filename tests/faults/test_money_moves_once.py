"""Money moves at most once (issue 15): Amazon Pay's Authorize, Capture, Refund,
AuthorizeOnBillingAgreement and ReverseProviderCredit under every fault kind the runtime knows,
against a fake Amazon Pay that honours the documented reference-id rule and counts every charge
it carries out (tests/faults/fake_amazon_pay.py). All on a fake clock.

Held for every call: the fake carried the request out at most once; every sending of it had
the same parameters (only Timestamp and Signature differ); a call that returns returns the
object the one execution made; a call that raises after its request was carried out raises
OutcomeUnknown naming the action and the reference id.
"""

from __future__ import annotations

import asyncio
import dataclasses
import random
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import httpx
import pytest
from fake_amazon_pay import FakeAmazonPay
from fault_kinds import MOCK_KINDS, FakeTimer, Kind

import mwskit
from mwskit import MWS, Event, OutcomeUnknown, RetryPolicy
from mwskit.errors import DuplicateReferenceId, MWSError
from mwskit.off_amazon_payments import PriceInput

ORDER = "S01-5806490-2147504"


def _client(fake: FakeAmazonPay, timer: FakeTimer, events: list[Event], **options: Any) -> MWS:
    return MWS(
        access_key="AK",
        secret_key="SK",
        seller_id=f"PAY-{id(fake)}",
        transport=fake.transport(),
        clock=timer.wall,
        timer=timer,
        on_event=events.append,
        max_elements=2_000,
        **options,
    )


def _money(amount: str = "10.00") -> PriceInput:
    return PriceInput(amount=Decimal(amount), currency_code="USD")


# One money-moving call for index i: (reference id, the call, the result's object attribute,
# the object's reference-id attribute).
Call = tuple[str, Callable[[MWS], Any], str, str]


def _calls(fake: FakeAmazonPay, count: int) -> list[Call]:
    calls: list[Call] = []
    for i in range(count):
        order = fake.add("O", f"S01-{i:07d}-1111111")
        authorization = fake.add("A", f"{order}-A0000001", order)
        capture = fake.add("C", f"{order}-C0000001", authorization)
        credit = fake.add("P", f"{order}-P0000001", capture)
        agreement = fake.add("B", f"C01-{i:07d}-2222222")
        calls += [
            (
                f"auth-{i}",
                lambda m, o=order, i=i: m.off_amazon_payments.authorize(
                    amazon_order_reference_id=o,
                    authorization_reference_id=f"auth-{i}",
                    authorization_amount=_money(),
                    seller_authorization_note=f"order {i}",
                ),
                "authorization_details",
                "authorization_reference_id",
            ),
            (
                f"capture-{i}",
                lambda m, a=authorization, i=i: m.off_amazon_payments.capture(
                    amazon_authorization_id=a,
                    capture_reference_id=f"capture-{i}",
                    capture_amount=_money(),
                ),
                "capture_details",
                "capture_reference_id",
            ),
            (
                f"refund-{i}",
                lambda m, c=capture, i=i: m.off_amazon_payments.refund(
                    amazon_capture_id=c,
                    refund_reference_id=f"refund-{i}",
                    refund_amount=_money("2"),
                ),
                "refund_details",
                "refund_reference_id",
            ),
            (
                f"reversal-{i}",
                lambda m, p=credit, i=i: m.off_amazon_payments.reverse_provider_credit(
                    amazon_provider_credit_id=p,
                    credit_reversal_reference_id=f"reversal-{i}",
                    credit_reversal_amount=_money("1"),
                ),
                "provider_credit_reversal_details",
                "credit_reversal_reference_id",
            ),
            (
                f"aoba-{i}",
                lambda m, b=agreement, i=i: m.off_amazon_payments.authorize_on_billing_agreement(
                    amazon_billing_agreement_id=b,
                    authorization_reference_id=f"aoba-{i}",
                    authorization_amount=_money(),
                ),
                "authorization_details",
                "authorization_reference_id",
            ),
        ]
    return calls


PERSISTENT = 0.2  # the share of calls that meet the fault on every attempt (they end in lookups)


def _faults(kind: Kind) -> Callable[[str, dict[str, str]], str | None]:
    """Deterministic per kind: each request meets the fault at the kind's rate, and PERSISTENT
    of the calls (by reference id, or by the id a read asks for) meet it on every attempt."""
    rng = random.Random(f"money-moves-once/{kind.name}")
    persistent: dict[str, bool] = {}

    def fault(action: str, form: dict[str, str]) -> str | None:
        key = next(
            (value for name, value in sorted(form.items()) if name.endswith("ReferenceId")),
            next((v for n, v in sorted(form.items()) if n.startswith("Amazon")), action),
        )
        key = f"{action}/{key}"
        if key not in persistent:
            persistent[key] = rng.random() < PERSISTENT
        return kind.name if persistent[key] or rng.random() < kind.rate else None

    return fault


AFTER_KINDS = {  # the request was carried out before these struck
    "error500_internal",
    "error503_gateway",
    "ok_truncated",
    "ok_malformed",
    "ok_wrong_root",
    "ok_undecodable",
    "reset_after_body",
    "read_timeout",
    "huge_elements",
    "gzip_bomb",
}


@pytest.mark.parametrize(
    "kind",
    [pytest.param(kind, marks=[pytest.mark.slow] if kind.slow else []) for kind in MOCK_KINDS],
    ids=[kind.name for kind in MOCK_KINDS],
)
def test_no_double_charge_under_every_fault_kind(kind: Kind) -> None:
    timer = FakeTimer()
    fake = FakeAmazonPay(timer, _faults(kind))
    calls = _calls(fake, 1 if kind.slow else 12)
    events: list[Event] = []
    mws = _client(fake, timer, events)
    outcomes: dict[str, Any] = {}
    for reference, call, _, _ in calls:
        try:
            outcomes[reference] = call(mws)
        except MWSError as error:
            outcomes[reference] = error
    unknowns = 0
    for reference, _, field, reference_field in calls:
        executed = fake.executions[reference]
        assert executed <= 1, f"{reference} charged {executed} times"
        assert len(fake.sendings[reference]) == 1, f"{reference} resent with other parameters"
        outcome = outcomes[reference]
        if isinstance(outcome, MWSError):
            if executed:
                assert isinstance(outcome, OutcomeUnknown), (reference, outcome)
            if isinstance(outcome, OutcomeUnknown):
                unknowns += 1
                assert f"{reference!r}" in str(outcome)
            continue
        made = getattr(outcome, field)
        assert executed == 1, reference
        assert getattr(made, reference_field) == reference
        made_id = getattr(made, dataclasses.fields(made)[0].name)  # Amazon...Id comes first
        assert made_id == fake.remembered[reference].thing.id
    lookups = [event for event in events if event.kind == "lookup"]
    if kind.name in AFTER_KINDS and not kind.slow:
        assert lookups, f"{kind.name}: no call needed a lookup; the test does not reach it"
    if kind.name in ("connection_refused", "throttled", "error503_unavailable", "quota_exceeded"):
        assert not lookups and unknowns == 0  # refused or never sent: nothing to look up


# ------------------------------------------------------------------------ exact scenarios


def _scripted(script: dict[str, list[str | None]]) -> Callable[[str, dict[str, str]], str | None]:
    """Faults by action, one per request in order (None: no fault); then no more faults."""
    queues = {action: list(kinds) for action, kinds in script.items()}

    def fault(action: str, form: dict[str, str]) -> str | None:
        queue = queues.get(action, [])
        return queue.pop(0) if queue else None

    return fault


def _authorize(mws: MWS, reference: str = "order-23-auth-1") -> Any:
    return mws.off_amazon_payments.authorize(
        amazon_order_reference_id=ORDER,
        authorization_reference_id=reference,
        authorization_amount=_money("106.50"),
    )


def test_a_timeout_after_the_charge_is_resent_unchanged_and_answers_the_same_object() -> None:
    timer = FakeTimer()
    fake = FakeAmazonPay(timer, _scripted({"Authorize": ["read_timeout"]}))
    fake.add("O", ORDER)
    events: list[Event] = []
    result = _authorize(_client(fake, timer, events))
    assert fake.requests == ["Authorize", "Authorize"]
    assert fake.executions["order-23-auth-1"] == 1
    assert result.authorization_details.amazon_authorization_id == f"{ORDER}-A0000001"
    assert [(e.kind, e.reason) for e in events] == [
        ("retry", "ReadTimeout; resending unchanged (the same AuthorizationReferenceId)")
    ]


def test_a_refused_resend_is_resolved_by_looking_the_object_up() -> None:
    """The first request was charged and its answer lost; Amazon then answers the resend with
    DuplicateRequest (here forced by changing the remembered parameters): the client reads the
    order reference's IdList and each authorization, and returns the one with its id."""
    timer = FakeTimer()
    fake = FakeAmazonPay(timer, _scripted({"Authorize": ["reset_after_body"]}))
    fake.add("O", ORDER)
    fake.add("A", f"{ORDER}-A0000009", ORDER)  # another authorization of the same order
    original = fake._act

    def forgetful(action: str, form: dict[str, str]) -> tuple[int, bytes]:
        answer = original(action, form)
        if action == "Authorize":
            fake.remembered["order-23-auth-1"].params = frozenset()  # a resend now differs
        return answer

    fake._act = forgetful  # type: ignore[method-assign]
    events: list[Event] = []
    result = _authorize(_client(fake, timer, events))
    assert fake.requests == [
        "Authorize",
        "Authorize",
        "GetOrderReferenceDetails",
        "GetAuthorizationDetails",
    ]
    assert fake.executions["order-23-auth-1"] == 1
    details = result.authorization_details
    assert (details.amazon_authorization_id, details.authorization_reference_id) == (
        f"{ORDER}-A0000001",
        "order-23-auth-1",
    )
    assert details.authorization_amount.amount == Decimal("106.50")
    assert result.request_id is not None
    assert [e.kind for e in events] == ["retry", "lookup"]
    assert events[1].reason == (
        "ReadError; reading get_authorization_details() of each id in "
        f"get_order_reference_details(amazon_order_reference_id='{ORDER}')"
        ".order_reference_details.id_list"
    )


def test_an_outcome_still_unknown_after_every_attempt_is_looked_up() -> None:
    timer = FakeTimer()
    fake = FakeAmazonPay(timer, _scripted({"Capture": ["error500_internal"] * 5}))
    fake.add("O", ORDER)
    fake.add("A", f"{ORDER}-A0000001", ORDER)
    result = _client(fake, timer, []).off_amazon_payments.capture(
        amazon_authorization_id=f"{ORDER}-A0000001",
        capture_reference_id="cap-1",
        capture_amount=_money(),
    )
    assert fake.requests == ["Capture"] * 5 + ["GetAuthorizationDetails", "GetCaptureDetails"]
    assert fake.executions["cap-1"] == 1
    assert result.capture_details.capture_reference_id == "cap-1"


def test_nothing_found_raises_outcome_unknown_saying_what_to_check() -> None:
    """Every attempt is lost before Amazon acts (the fake carries nothing out), yet the client
    cannot know: it looks, finds nothing, and says so."""
    timer = FakeTimer()
    fake = FakeAmazonPay(timer, _scripted({}))
    fake.add("O", ORDER)
    original = fake._act

    def lost(action: str, form: dict[str, str]) -> tuple[int, bytes]:
        if action == "Authorize":
            raise httpx.ReadTimeout("The read operation timed out")
        return original(action, form)

    fake._act = lost  # type: ignore[method-assign]
    with pytest.raises(OutcomeUnknown) as raised:
        _authorize(_client(fake, timer, [], retries=RetryPolicy(max_attempts=2)))
    assert str(raised.value) == (
        "OutcomeUnknown: Authorize with AuthorizationReferenceId 'order-23-auth-1': the outcome "
        "is unknown (ReadTimeout); no get_authorization_details() of the ids in "
        f"get_order_reference_details(amazon_order_reference_id='{ORDER}')"
        ".order_reference_details.id_list has AuthorizationReferenceId 'order-23-auth-1', so it "
        "was most likely not processed; sending Authorize again with the same "
        "AuthorizationReferenceId and identical parameters is safe (Amazon answers with what the "
        "first request made, never a second one)"
    )
    assert fake.requests == ["Authorize", "Authorize", "GetOrderReferenceDetails"]
    assert fake.executions["order-23-auth-1"] == 0


def test_a_failed_lookup_raises_outcome_unknown_naming_the_reads_to_make() -> None:
    timer = FakeTimer()
    fake = FakeAmazonPay(
        timer,
        _scripted({"Refund": ["read_timeout"] * 2, "GetCaptureDetails": ["error500_internal"] * 2}),
    )
    fake.add("O", ORDER)
    fake.add("A", f"{ORDER}-A0000001", ORDER)
    fake.add("C", f"{ORDER}-C0000001", f"{ORDER}-A0000001")
    mws = _client(fake, timer, [], retries=RetryPolicy(max_attempts=2))
    with pytest.raises(OutcomeUnknown) as raised:
        mws.off_amazon_payments.refund(
            amazon_capture_id=f"{ORDER}-C0000001",
            refund_reference_id="ref-9",
            refund_amount=_money(),
        )
    assert str(raised.value).startswith(
        "OutcomeUnknown: Refund with RefundReferenceId 'ref-9': the outcome is unknown "
        "(ReadTimeout) and looking it up failed (InternalError: We encountered an internal error. "
    )
    assert str(raised.value).endswith(
        "check get_refund_details() of each id in "
        f"get_capture_details(amazon_capture_id='{ORDER}-C0000001').capture_details.id_list for "
        "RefundReferenceId 'ref-9'; sending Refund again with the same RefundReferenceId and "
        "identical parameters is safe (Amazon answers with what the first request made, never a "
        "second one) (HTTP 500, request id fake-error)"
    )
    assert fake.executions["ref-9"] == 1


def test_without_a_documented_lookup_the_error_says_what_to_check() -> None:
    timer = FakeTimer()
    fake = FakeAmazonPay(timer, _scripted({"AuthorizeOnBillingAgreement": ["read_timeout"] * 2}))
    fake.add("B", "C01-8824045-7416542")
    mws = _client(fake, timer, [], retries=RetryPolicy(max_attempts=2))
    with pytest.raises(OutcomeUnknown) as raised:
        mws.off_amazon_payments.authorize_on_billing_agreement(
            amazon_billing_agreement_id="C01-8824045-7416542",
            authorization_reference_id="ba-1",
            authorization_amount=_money(),
        )
    assert str(raised.value) == (
        "OutcomeUnknown: AuthorizeOnBillingAgreement with AuthorizationReferenceId 'ba-1': the "
        "outcome is unknown (ReadTimeout) and there is no documented way to look it up: check "
        "for it (its notification, or the object it belongs to); sending "
        "AuthorizeOnBillingAgreement again with the same AuthorizationReferenceId and identical "
        "parameters is safe (Amazon answers with what the first request made, never a second one)"
    )
    assert fake.executions["ba-1"] == 1  # charged once; the caller resends with the same id


def test_a_reference_id_reused_on_the_first_attempt_is_the_callers_error() -> None:
    timer = FakeTimer()
    fake = FakeAmazonPay(timer, _scripted({}))
    fake.add("O", ORDER)
    mws = _client(fake, timer, [])
    _authorize(mws, "used-once")
    with pytest.raises(DuplicateReferenceId) as raised:
        mws.off_amazon_payments.capture(
            amazon_authorization_id=f"{ORDER}-A0000001",
            capture_reference_id="used-once",
            capture_amount=_money(),
        )
    assert (raised.value.code, raised.value.status_code) == ("DuplicateReferenceId", 400)
    assert fake.requests == ["Authorize", "Capture"]  # no resend, no lookup


def test_the_async_client_resends_unchanged_too() -> None:
    timer = FakeTimer()
    fake = FakeAmazonPay(timer, _scripted({"Authorize": ["error503_gateway"]}))
    fake.add("O", ORDER)

    async def run() -> Any:
        async with mwskit.AsyncMWS(
            access_key="AK",
            secret_key="SK",
            seller_id="ASYNC-PAY",
            transport=fake.transport(),
            clock=timer.wall,
            timer=timer,
        ) as mws:
            return await mws.off_amazon_payments.authorize(
                amazon_order_reference_id=ORDER,
                authorization_reference_id="async-1",
                authorization_amount=_money(),
            )

    result = asyncio.run(run())
    assert fake.requests == ["Authorize", "Authorize"]
    assert fake.executions["async-1"] == 1
    assert result.authorization_details.authorization_reference_id == "async-1"
