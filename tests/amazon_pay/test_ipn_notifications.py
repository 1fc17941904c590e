"""Each Amazon Pay notification type read into the section's own result types, and the inner
message refused when it is malformed or hostile."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from ipn_support import (
    AUTHORIZATION_DATA,
    BILLING_AGREEMENT_DATA,
    CAPTURE_DATA,
    CHARGEBACK_DATA,
    ORDER_REFERENCE_DATA,
    PROVIDER_CREDIT_DATA,
    PROVIDER_CREDIT_REVERSAL_DATA,
    REFUND_DATA,
    SELLER,
    Fetcher,
    document,
    signed,
    signer,
    verifier,
)

from mwskit._runtime.results import read_shape
from mwskit._runtime.xml import parse_xml
from mwskit.off_amazon_payments import _operations, models
from mwskit.off_amazon_payments.ipn import (
    AuthorizationNotification,
    BillingAgreementNotification,
    CaptureNotification,
    ChargebackNotification,
    IPNRefusal,
    IPNVerificationError,
    Notification,
    OrderReferenceNotification,
    ProviderCreditNotification,
    ProviderCreditReversalNotification,
    RefundNotification,
    UnknownNotification,
)
from mwskit.sandbox.ipn_signer import amazon_pay_message

USD = "USD"


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def read(notification_type: str, data: str) -> Notification:
    ipn_signer = signer()
    ipn = signed(ipn_signer, notification_type=notification_type, data=data)
    return verifier(Fetcher(ipn_signer)).verify(ipn.body, headers=ipn.headers)


def refused(message: str) -> IPNVerificationError:
    ipn_signer = signer()
    with pytest.raises(IPNVerificationError) as caught:
        verifier(Fetcher(ipn_signer)).verify(ipn_signer.sign(message).body)
    return caught.value


def test_an_authorization_notification() -> None:
    notification = read("PaymentAuthorize", AUTHORIZATION_DATA)
    assert isinstance(notification, AuthorizationNotification)
    assert notification.details == models.AuthorizationDetails(
        amazon_authorization_id="S01-1234567-1234567-A000001",
        authorization_reference_id="auth-5678-23",
        authorization_amount=models.Price(amount=Decimal("106.00"), currency_code=USD),
        captured_amount=models.Price(amount=Decimal("0"), currency_code=USD),
        authorization_fee=models.Price(amount=Decimal("0.00"), currency_code=USD),
        id_list=["S01-1234567-1234567-C000001", "S01-1234567-1234567-C000002"],
        creation_timestamp=at("2026-12-03T09:58:51.234"),
        expiration_timestamp=at("2027-01-02T09:58:51.234"),
        authorization_status=models.Status(
            state=models.PaymentState.OPEN, last_update_timestamp=at("2026-12-03T09:59:30")
        ),
        capture_now=False,
        soft_descriptor="AMZ*HammysBurgers",
    )
    assert notification.notification_data == AUTHORIZATION_DATA
    assert "notification_data" not in repr(notification)


def test_a_capture_notification() -> None:
    notification = read("PaymentCapture", CAPTURE_DATA)
    assert isinstance(notification, CaptureNotification)
    assert notification.details == models.CaptureDetails(
        amazon_capture_id="S01-1234567-1234567-C000001",
        capture_reference_id="cap-5678-23",
        capture_amount=models.Price(amount=Decimal("106.00"), currency_code=USD),
        refunded_amount=models.Price(amount=Decimal("0.00"), currency_code=USD),
        capture_fee=models.Price(amount=Decimal("3.38"), currency_code=USD),
        id_list=[],
        creation_timestamp=at("2026-12-03T09:59:40"),
        capture_status=models.Status(
            state=models.PaymentState.COMPLETED, last_update_timestamp=at("2026-12-03T09:59:55")
        ),
    )


def test_a_refund_notification() -> None:
    notification = read("PaymentRefund", REFUND_DATA)
    assert isinstance(notification, RefundNotification)
    assert notification.details == models.RefundDetails(
        amazon_refund_id="S01-1234567-1234567-R000001",
        refund_reference_id="ref-5678-23",
        refund_type="SellerInitiated",
        refund_amount=models.Price(amount=Decimal("10.50"), currency_code="EUR"),
        fee_refunded=models.Price(amount=Decimal("0.31"), currency_code="EUR"),
        creation_timestamp=at("2026-12-03T09:50:00"),
        refund_status=models.Status(
            state=models.PaymentState.DECLINED,
            last_update_timestamp=at("2026-12-03T09:55:00"),
            reason_code=models.ReasonCode.AMAZON_REJECTED,
        ),
        soft_descriptor="AMZ*HammysBurgers",
    )


def test_the_documented_order_reference_notification() -> None:
    notification = read("OrderReferenceNotification", ORDER_REFERENCE_DATA)
    assert isinstance(notification, OrderReferenceNotification)
    details = notification.details
    assert details.amazon_order_reference_id == "S23-1234567-1234567"
    assert details.order_total == models.Price(amount=Decimal("106.00"), currency_code=USD)
    assert details.seller_note == "4%20Pack%20of%20BBQ%20Sauce"
    assert details.seller_order_attributes == models.SellerOrderAttributes(
        seller_order_id="5678-23",
        store_name="HammysBurgers.com",
        custom_information="Labor%20Day%20Promotion",
    )
    assert details.order_reference_status is not None
    assert details.order_reference_status.reason_code is models.ReasonCode.SELLER_CLOSED
    assert details.order_reference_status.last_update_timestamp == at("2013-04-01T10:49:59.532")
    assert details.creation_timestamp == at("2013-03-30T09:58:51.234")
    assert details.expiration_timestamp == at("2013-04-06T09:58:51.234")


def test_a_capitalised_state_reads_as_the_section_enum_reads_it() -> None:
    """The docs' sample writes CLOSED; the IPN reads it exactly as the API answers' parser does."""
    notification = read("OrderReferenceNotification", ORDER_REFERENCE_DATA)
    assert isinstance(notification, OrderReferenceNotification)
    status = notification.details.order_reference_status
    assert status is not None
    same = read_shape(
        parse_xml(b"<S><State>CLOSED</State></S>"), _operations.ORDER_REFERENCE_STATUS_XML
    )
    assert status.state == same.state
    assert type(status.state) is type(same.state)


def test_a_billing_agreement_notification() -> None:
    notification = read("BillingAgreementNotification", BILLING_AGREEMENT_DATA)
    assert isinstance(notification, BillingAgreementNotification)
    details = notification.details
    assert details.amazon_billing_agreement_id == "C01-1234567-1234567"
    assert details.seller_note == "Monthly box"
    assert details.release_environment is models.ReleaseEnvironment.SANDBOX
    assert details.creation_timestamp == at("2026-11-01T08:00:00")
    assert details.billing_agreement_consent is True
    assert details.billing_agreement_status is not None
    assert details.billing_agreement_status.state is models.BillingAgreementState.SUSPENDED
    assert details.billing_agreement_status.reason_code is models.ReasonCode.INVALID_PAYMENT_METHOD
    assert details.billing_agreement_limits is not None
    assert details.billing_agreement_limits.current_remaining_balance == models.Price(
        amount=Decimal("393.99"), currency_code=USD
    )


def test_provider_credit_notifications() -> None:
    credit = read("ProviderCredit", PROVIDER_CREDIT_DATA)
    assert isinstance(credit, ProviderCreditNotification)
    assert credit.details.amazon_provider_credit_id == "S01-1234567-1234567-P000001"
    assert credit.details.credit_amount == models.Price(amount=Decimal("1.25"), currency_code=USD)
    assert credit.details.credit_reversal_id_list == ["S01-1234567-1234567-V000001"]
    reversal = read("ProviderCreditReversal", PROVIDER_CREDIT_REVERSAL_DATA)
    assert isinstance(reversal, ProviderCreditReversalNotification)
    assert reversal.details.credit_reversal_reference_id == "reversal-1"
    assert reversal.details.credit_reversal_note == "overpaid"
    assert reversal.details.credit_reversal_status is not None
    assert reversal.details.credit_reversal_status.state is models.PaymentState.PENDING


def test_a_chargeback_notification() -> None:
    notification = read("ChargebackDetailedNotification", CHARGEBACK_DATA)
    assert isinstance(notification, ChargebackNotification)
    assert notification.details == models.ChargebackDetails(
        amazon_chargeback_id="S01-1234567-1234567-B000001",
        amazon_order_reference_id="S01-1234567-1234567",
        amazon_capture_reference_id="S01-1234567-1234567-C000001",
        creation_timestamp=at("2026-12-02T12:00:00"),
        chargeback_amount=models.Price(amount=Decimal("106.00"), currency_code=USD),
        chargeback_state="RECEIVED",
        chargeback_reason="UnauthorizedTransaction",
    )


def test_ids_written_as_in_api_answers_read_the_same() -> None:
    as_members = AUTHORIZATION_DATA.replace("<Id>", "<member>").replace("</Id>", "</member>")
    notification = read("PaymentAuthorize", as_members)
    assert isinstance(notification, AuthorizationNotification)
    assert notification.details.id_list == [
        "S01-1234567-1234567-C000001",
        "S01-1234567-1234567-C000002",
    ]


def test_an_unknown_notification_type_is_returned_with_its_data() -> None:
    data = document("SolutionProviderMerchantNotification", "<MerchantRegistrationDetails/>")
    notification = read("SolutionProviderEvent", data)
    assert notification == UnknownNotification(
        notification_type="SolutionProviderEvent",
        message_id="cf5543af-dd65-5f74-8ccf-0a410EXAMPLE",
        topic_arn=notification.topic_arn,
        timestamp=notification.timestamp,
        notification_reference_id="32d195c3-a829-4222-b1e2-14ab2EXAMPLE",
        seller_id=SELLER,
        release_environment=models.ReleaseEnvironment.SANDBOX,
        version="2013-01-01",
        notification_data=data,
    )


def test_an_unknown_release_environment_stays_a_string() -> None:
    ipn_signer = signer()
    message = amazon_pay_message(
        "PaymentCapture", CAPTURE_DATA, seller_id=SELLER, release_environment="Staging"
    )
    notification = verifier(Fetcher(ipn_signer)).verify(ipn_signer.sign(message).body)
    assert notification.release_environment == "Staging"
    assert not isinstance(notification.release_environment, models.ReleaseEnvironment)


@pytest.mark.parametrize(
    ("message", "text"),
    [
        ("not json", "the Message is not a JSON object"),
        ("[1]", "the Message is not a JSON object"),
        ("[" * 50_000 + "]" * 50_000, "the Message is not a JSON object"),
        (
            json.dumps({"NotificationType": "PaymentCapture"}),
            "the Amazon Pay message has no string SellerId, ReleaseEnvironment, Version, "
            "NotificationData",
        ),
        (
            json.dumps(
                {
                    "NotificationType": "PaymentCapture",
                    "SellerId": SELLER,
                    "ReleaseEnvironment": "Live",
                    "Version": "2013-01-01",
                    "NotificationData": CAPTURE_DATA,
                    "NotificationReferenceId": 5,
                }
            ),
            "the Amazon Pay message has no string NotificationReferenceId",
        ),
    ],
)
def test_a_malformed_amazon_pay_message_is_refused(message: str, text: str) -> None:
    error = refused(message)
    assert (error.reason, error.message) == (IPNRefusal.MALFORMED_MESSAGE, text)


def data_refusal(notification_type: str, data: str) -> str:
    error = refused(amazon_pay_message(notification_type, data, seller_id=SELLER))
    assert error.reason is IPNRefusal.MALFORMED_NOTIFICATION_DATA
    return error.message


def test_data_of_another_type_is_refused() -> None:
    assert data_refusal("PaymentAuthorize", CAPTURE_DATA) == (
        "a PaymentAuthorize notification's data is <AuthorizationNotification>, "
        "not <CaptureNotification>"
    )


def test_data_without_its_object_is_refused() -> None:
    assert data_refusal("PaymentCapture", document("CaptureNotification", "")) == (
        "<CaptureNotification> has no <CaptureDetails>"
    )


def test_data_with_a_bad_value_is_refused() -> None:
    data = CAPTURE_DATA.replace("<Amount>3.38</Amount>", "<Amount>three</Amount>")
    assert data_refusal("PaymentCapture", data) == (
        "the NotificationData: Price.amount (Amount) should be a decimal; got 'three'"
    )


@pytest.mark.parametrize(
    ("data", "start"),
    [
        ("not xml", "the NotificationData: the response is not well-formed XML"),
        (
            '<?xml version="1.0"?><!DOCTYPE a [<!ENTITY e "x">]><CaptureNotification/>',
            "the NotificationData: the response declares a DTD or entities",
        ),
        (
            "<CaptureNotification>" + "<a>" * 300 + "</a>" * 300 + "</CaptureNotification>",
            "the NotificationData: the response is not well-formed XML",
        ),
        (
            "<CaptureNotification>" + "<a/>" * 10_001 + "</CaptureNotification>",
            "the NotificationData has more than 10000 XML nodes",
        ),
    ],
)
def test_hostile_notification_data_is_refused(data: str, start: str) -> None:
    assert data_refusal("PaymentCapture", data).startswith(start)


@pytest.mark.parametrize("written", ["Payment Capture", "paymentcapture", "PAYMENTCAPTURE"])
def test_a_notification_type_is_matched_as_the_sdks_match_it(written: str) -> None:
    notification = read(written, CAPTURE_DATA)
    assert isinstance(notification, CaptureNotification)
    assert notification.notification_type == written
    assert notification.details.amazon_capture_id == "S01-1234567-1234567-C000001"
