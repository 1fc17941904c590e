"""The test and sandbox side: certificates, envelopes and headers as Amazon SNS writes them."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from cryptography import x509
from cryptography.x509.oid import NameOID
from ipn_support import AUTHORIZATION_DATA, SELLER, certificate

from mwskit.off_amazon_payments.ipn import (
    AuthorizationNotification,
    IPNVerifier,
    is_sns_certificate_url,
)
from mwskit.sandbox.ipn_signer import DEFAULT_TOPIC_ARN, IPNSigner, amazon_pay_message, sns_time

LONG_AGO = datetime(2013, 4, 1, 10, 49, 59, 532000, tzinfo=UTC)


def test_a_signer_on_a_test_clock_makes_a_certificate_valid_on_that_clock() -> None:
    ipn_signer = IPNSigner(clock=lambda: LONG_AGO)
    loaded = x509.load_pem_x509_certificate(ipn_signer.certificate_pem)
    assert loaded.not_valid_before_utc == LONG_AGO.replace(microsecond=0) - timedelta(days=1)
    assert loaded.not_valid_after_utc == LONG_AGO.replace(microsecond=0) + timedelta(days=365)
    verifier = IPNVerifier(
        trusted_certificates=ipn_signer.trusted_certificates,
        topic_arns=[DEFAULT_TOPIC_ARN],
        clock=lambda: LONG_AGO,
    )
    message = amazon_pay_message("PaymentAuthorize", AUTHORIZATION_DATA, seller_id=SELLER)
    notification = verifier.verify(ipn_signer.sign(message).body)
    assert isinstance(notification, AuthorizationNotification)
    assert notification.timestamp == LONG_AGO


def test_the_certificate_says_it_is_not_amazons() -> None:
    loaded = x509.load_pem_x509_certificate(certificate().pem)
    assert loaded.subject.rfc4514_string() == "O=mwskit sandbox (not Amazon),CN=sns.amazonaws.com"
    assert loaded.subject == loaded.issuer
    assert loaded.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == (
        "sns.amazonaws.com"
    )


def test_the_default_certificate_url_is_an_sns_url_named_after_the_certificate() -> None:
    ipn_signer = IPNSigner(certificate())
    assert ipn_signer.certificate_url == (
        "https://sns.us-east-1.amazonaws.com/SimpleNotificationService-"
        f"{certificate().fingerprint[:32]}.pem"
    )
    assert is_sns_certificate_url(ipn_signer.certificate_url)
    assert ipn_signer.fetch_certificate(ipn_signer.certificate_url) == certificate().pem
    with pytest.raises(LookupError):
        ipn_signer.fetch_certificate(ipn_signer.certificate_url + "x")


def test_an_envelope_and_its_headers_as_amazon_sns_sends_them() -> None:
    ipn_signer = IPNSigner(certificate(), clock=lambda: LONG_AGO)
    ipn = ipn_signer.sign("{}", message_id="m-1")
    envelope = json.loads(ipn.body)
    assert list(envelope) == [
        "Type",
        "MessageId",
        "TopicArn",
        "Message",
        "Timestamp",
        "SignatureVersion",
        "Signature",
        "SigningCertURL",
        "UnsubscribeURL",
    ]
    assert (envelope["Timestamp"], envelope["SignatureVersion"]) == (
        "2013-04-01T10:49:59.532Z",
        "2",
    )
    assert envelope["SigningCertURL"] == ipn_signer.certificate_url
    assert ipn.headers == {
        "Content-Type": "text/plain; charset=UTF-8",
        "User-Agent": "Amazon Simple Notification Service Agent",
        "x-amz-sns-message-type": "Notification",
        "x-amz-sns-message-id": "m-1",
        "x-amz-sns-topic-arn": DEFAULT_TOPIC_ARN,
    }


def test_the_amazon_pay_message_fields() -> None:
    text = amazon_pay_message(
        "PaymentCapture",
        "<CaptureNotification/>",
        seller_id=SELLER,
        release_environment="Live",
        notification_reference_id="ref-1",
        timestamp=LONG_AGO,
    )
    assert json.loads(text) == {
        "NotificationReferenceId": "ref-1",
        "NotificationType": "PaymentCapture",
        "SellerId": SELLER,
        "ReleaseEnvironment": "Live",
        "Version": "2013-01-01",
        "NotificationData": "<CaptureNotification/>",
        "Timestamp": "2013-04-01T10:49:59.532Z",
    }


def test_sns_time_is_utc_with_milliseconds() -> None:
    moment = datetime(2026, 12, 3, 11, 0, 0, 999999, tzinfo=UTC).astimezone()
    assert sns_time(moment) == "2026-12-03T11:00:00.999Z"


def test_only_signature_versions_1_and_2_are_made() -> None:
    with pytest.raises(ValueError) as caught:
        IPNSigner(certificate(), signature_version="3")
    assert str(caught.value) == "signature_version must be '1' or '2'; got '3'"
