"""Helpers for the IPN tests: one signing key per session, a fixed clock, notification data."""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from mwskit.off_amazon_payments.ipn import IPNVerifier
from mwskit.sandbox.ipn_signer import (
    IPNSigner,
    SignedIPN,
    SigningCertificate,
    amazon_pay_message,
    make_certificate,
)

NOW = datetime(2026, 12, 3, 10, 0, 0, tzinfo=UTC)
SELLER = "A1EXAMPLESELLER"
TOPIC = "arn:aws:sns:us-east-1:598607868003:A1EXAMPLESELLERAmazonPayIPN"
NAMESPACE = "https://mws.amazonservices.com/ipn/OffAmazonPayments/2013-01-01"


@functools.cache
def certificate(valid: str = "now") -> SigningCertificate:
    """A key and certificate valid around NOW ("now"), only before it ("expired") or only
    after it ("later"); made once per test session (RSA key generation takes a while)."""
    windows = {
        "now": (NOW - timedelta(days=30), NOW + timedelta(days=335)),
        "expired": (NOW - timedelta(days=400), NOW - timedelta(seconds=1)),
        "later": (NOW + timedelta(seconds=1), NOW + timedelta(days=365)),
    }
    not_before, not_after = windows[valid]
    return make_certificate(not_before=not_before, not_after=not_after)


def signer(valid: str = "now", version: str = "2") -> IPNSigner:
    return IPNSigner(
        certificate(valid), topic_arn=TOPIC, signature_version=version, clock=lambda: NOW
    )


class Fetcher:
    """A certificate fetcher that serves the given signers' certificates and counts calls."""

    def __init__(self, *signers: IPNSigner) -> None:
        self.pems = {item.certificate_url: item.certificate_pem for item in signers}
        self.calls: list[str] = []

    def __call__(self, url: str) -> bytes:
        self.calls.append(url)
        return self.pems[url]


def verifier(
    fetcher: Callable[[str], bytes], *, clock: Callable[[], datetime] = lambda: NOW, **options: Any
) -> IPNVerifier:
    options.setdefault("topic_arns", [TOPIC])
    return IPNVerifier(fetch_certificate=fetcher, clock=clock, **options)


def document(root: str, inner: str) -> str:
    return f'<?xml version="1.0" encoding="UTF-8"?>\n<{root} xmlns="{NAMESPACE}">{inner}</{root}>'


AUTHORIZATION_DATA = document(
    "AuthorizationNotification",
    """
    <AuthorizationDetails>
      <AmazonAuthorizationId>S01-1234567-1234567-A000001</AmazonAuthorizationId>
      <AuthorizationReferenceId>auth-5678-23</AuthorizationReferenceId>
      <AuthorizationAmount><Amount>106.00</Amount><CurrencyCode>USD</CurrencyCode></AuthorizationAmount>
      <CapturedAmount><Amount>0</Amount><CurrencyCode>USD</CurrencyCode></CapturedAmount>
      <AuthorizationFee><Amount>0.00</Amount><CurrencyCode>USD</CurrencyCode></AuthorizationFee>
      <IdList><Id>S01-1234567-1234567-C000001</Id><Id>S01-1234567-1234567-C000002</Id></IdList>
      <CreationTimestamp>2026-12-03T09:58:51.234Z</CreationTimestamp>
      <ExpirationTimestamp>2027-01-02T09:58:51.234Z</ExpirationTimestamp>
      <AuthorizationStatus>
        <State>Open</State>
        <LastUpdateTimestamp>2026-12-03T09:59:30.000Z</LastUpdateTimestamp>
      </AuthorizationStatus>
      <CaptureNow>false</CaptureNow>
      <SoftDescriptor>AMZ*HammysBurgers</SoftDescriptor>
    </AuthorizationDetails>
    """,
)

CAPTURE_DATA = document(
    "CaptureNotification",
    """
    <CaptureDetails>
      <AmazonCaptureId>S01-1234567-1234567-C000001</AmazonCaptureId>
      <CaptureReferenceId>cap-5678-23</CaptureReferenceId>
      <CaptureAmount><Amount>106.00</Amount><CurrencyCode>USD</CurrencyCode></CaptureAmount>
      <RefundedAmount><Amount>0.00</Amount><CurrencyCode>USD</CurrencyCode></RefundedAmount>
      <CaptureFee><Amount>3.38</Amount><CurrencyCode>USD</CurrencyCode></CaptureFee>
      <IdList/>
      <CreationTimestamp>2026-12-03T09:59:40.000Z</CreationTimestamp>
      <CaptureStatus>
        <State>Completed</State>
        <LastUpdateTimestamp>2026-12-03T09:59:55.000Z</LastUpdateTimestamp>
      </CaptureStatus>
    </CaptureDetails>
    """,
)

REFUND_DATA = document(
    "RefundNotification",
    """
    <RefundDetails>
      <AmazonRefundId>S01-1234567-1234567-R000001</AmazonRefundId>
      <RefundReferenceId>ref-5678-23</RefundReferenceId>
      <RefundType>SellerInitiated</RefundType>
      <RefundAmount><Amount>10.50</Amount><CurrencyCode>EUR</CurrencyCode></RefundAmount>
      <FeeRefunded><Amount>0.31</Amount><CurrencyCode>EUR</CurrencyCode></FeeRefunded>
      <CreationTimestamp>2026-12-03T09:50:00.000Z</CreationTimestamp>
      <RefundStatus>
        <State>Declined</State>
        <LastUpdateTimestamp>2026-12-03T09:55:00.000Z</LastUpdateTimestamp>
        <ReasonCode>AmazonRejected</ReasonCode>
      </RefundStatus>
      <SoftDescriptor>AMZ*HammysBurgers</SoftDescriptor>
    </RefundDetails>
    """,
)

# The documented sample's values (Amazon Pay "Sample notifications", OrderReferenceNotification),
# capital state included.
ORDER_REFERENCE_DATA = document(
    "OrderReferenceNotification",
    """
    <OrderReference>
      <AmazonOrderReferenceId>S23-1234567-1234567</AmazonOrderReferenceId>
      <OrderTotal><Amount>106.00</Amount><CurrencyCode>USD</CurrencyCode></OrderTotal>
      <SellerNote>4%20Pack%20of%20BBQ%20Sauce</SellerNote>
      <SellerOrderAttributes>
        <SellerOrderId>5678-23</SellerOrderId>
        <StoreName>HammysBurgers.com</StoreName>
        <CustomInformation>Labor%20Day%20Promotion</CustomInformation>
      </SellerOrderAttributes>
      <OrderReferenceStatus>
        <State>CLOSED</State>
        <ReasonCode>SellerClosed</ReasonCode>
        <LastUpdateTimestamp>2013-04-01T10:49:59.532Z</LastUpdateTimestamp>
      </OrderReferenceStatus>
      <CreationTimestamp>2013-03-30T09:58:51.234Z</CreationTimestamp>
      <ExpirationTimestamp>2013-04-06T09:58:51.234Z</ExpirationTimestamp>
    </OrderReference>
    """,
)

BILLING_AGREEMENT_DATA = document(
    "BillingAgreementNotification",
    """
    <BillingAgreement>
      <AmazonBillingAgreementId>C01-1234567-1234567</AmazonBillingAgreementId>
      <BillingAgreementLimits>
        <AmountLimitPerTimePeriod><Amount>500</Amount><CurrencyCode>USD</CurrencyCode></AmountLimitPerTimePeriod>
        <TimePeriodStartDate>2026-12-01T00:00:00Z</TimePeriodStartDate>
        <TimePeriodEndDate>2026-12-31T23:59:59Z</TimePeriodEndDate>
        <CurrentRemainingBalance><Amount>393.99</Amount><CurrencyCode>USD</CurrencyCode></CurrentRemainingBalance>
      </BillingAgreementLimits>
      <SellerNote>Monthly box</SellerNote>
      <BillingAgreementStatus>
        <State>Suspended</State>
        <LastUpdatedTimestamp>2026-12-03T09:40:00.000Z</LastUpdatedTimestamp>
        <ReasonCode>InvalidPaymentMethod</ReasonCode>
      </BillingAgreementStatus>
      <ReleaseEnvironment>Sandbox</ReleaseEnvironment>
      <CreationTimestamp>2026-11-01T08:00:00.000Z</CreationTimestamp>
      <BillingAgreementConsent>true</BillingAgreementConsent>
    </BillingAgreement>
    """,
)

PROVIDER_CREDIT_DATA = document(
    "ProviderCreditNotification",
    """
    <ProviderCreditDetails>
      <AmazonProviderCreditId>S01-1234567-1234567-P000001</AmazonProviderCreditId>
      <SellerId>A1EXAMPLESELLER</SellerId>
      <ProviderId>A2PROVIDER</ProviderId>
      <CreditReferenceId>credit-1</CreditReferenceId>
      <CreditAmount><Amount>1.25</Amount><CurrencyCode>USD</CurrencyCode></CreditAmount>
      <CreditReversalAmount><Amount>0</Amount><CurrencyCode>USD</CurrencyCode></CreditReversalAmount>
      <CreditReversalIdList><Id>S01-1234567-1234567-V000001</Id></CreditReversalIdList>
      <CreationTimestamp>2026-12-03T09:00:00.000Z</CreationTimestamp>
      <CreditStatus><State>Completed</State><LastUpdateTimestamp>2026-12-03T09:01:00.000Z</LastUpdateTimestamp></CreditStatus>
    </ProviderCreditDetails>
    """,
)

PROVIDER_CREDIT_REVERSAL_DATA = document(
    "ProviderCreditReversalNotification",
    """
    <ProviderCreditReversalDetails>
      <AmazonProviderCreditReversalId>S01-1234567-1234567-V000001</AmazonProviderCreditReversalId>
      <SellerId>A1EXAMPLESELLER</SellerId>
      <ProviderId>A2PROVIDER</ProviderId>
      <CreditReversalReferenceId>reversal-1</CreditReversalReferenceId>
      <CreditReversalAmount><Amount>0.25</Amount><CurrencyCode>USD</CurrencyCode></CreditReversalAmount>
      <CreationTimestamp>2026-12-03T09:30:00.000Z</CreationTimestamp>
      <CreditReversalStatus><State>Pending</State><LastUpdateTimestamp>2026-12-03T09:30:00.000Z</LastUpdateTimestamp></CreditReversalStatus>
      <CreditReversalNote>overpaid</CreditReversalNote>
    </ProviderCreditReversalDetails>
    """,
)

CHARGEBACK_DATA = document(
    "ChargebackNotification",
    """
    <ChargebackDetails>
      <AmazonChargebackId>S01-1234567-1234567-B000001</AmazonChargebackId>
      <AmazonOrderReferenceId>S01-1234567-1234567</AmazonOrderReferenceId>
      <AmazonCaptureReferenceId>S01-1234567-1234567-C000001</AmazonCaptureReferenceId>
      <CreationTimestamp>2026-12-02T12:00:00.000Z</CreationTimestamp>
      <ChargebackAmount><Amount>106.00</Amount><CurrencyCode>USD</CurrencyCode></ChargebackAmount>
      <ChargebackState>RECEIVED</ChargebackState>
      <ChargebackReason>UnauthorizedTransaction</ChargebackReason>
    </ChargebackDetails>
    """,
)


def message(notification_type: str = "PaymentAuthorize", data: str = AUTHORIZATION_DATA) -> str:
    return amazon_pay_message(
        notification_type,
        data,
        seller_id=SELLER,
        notification_reference_id="32d195c3-a829-4222-b1e2-14ab2EXAMPLE",
    )


def signed(
    ipn_signer: IPNSigner | None = None,
    *,
    notification_type: str = "PaymentAuthorize",
    data: str = AUTHORIZATION_DATA,
    message_id: str = "cf5543af-dd65-5f74-8ccf-0a410EXAMPLE",
    **options: Any,
) -> SignedIPN:
    return (ipn_signer or signer()).sign(
        message(notification_type, data), message_id=message_id, **options
    )


def body_with(envelope: dict[str, Any], **changes: Any) -> bytes:
    """The envelope as JSON with fields changed after signing (a tampered message)."""
    return json.dumps({**envelope, **changes}).encode()
