"""Sign Amazon Pay IPNs the way Amazon SNS does, with a certificate made here: for tests and
for the local sandbox, which sends them to a merchant's IPN endpoint.

    signer = IPNSigner()
    ipn = signer.sign(amazon_pay_message("PaymentAuthorize", xml, seller_id="A1EXAMPLE"))
    httpx.post(endpoint, content=ipn.body, headers=ipn.headers)

The receiving side trusts the certificate without fetching it:
`IPNVerifier(trusted_certificates=signer.trusted_certificates, ...)`, or fetches it through
`fetch_certificate=signer.fetch_certificate` (the URL then goes through the Amazon SNS host
check like a real one). Needs the `cryptography` package (`pip install "mwskit[ipn]"`); importing
this module without it raises `IPNExtraMissing`.
"""

from __future__ import annotations

import base64
import json
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from ..off_amazon_payments.ipn import IPNExtraMissing, string_to_sign

try:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import padding, rsa
    from cryptography.x509.oid import NameOID
except ImportError:  # pragma: no cover - the ipn extra is installed wherever tests run
    raise IPNExtraMissing(
        'signing test IPNs needs the cryptography package: pip install "mwskit[ipn]"'
    ) from None

__all__ = [
    "DEFAULT_TOPIC_ARN",
    "IPNSigner",
    "SignedIPN",
    "SigningCertificate",
    "amazon_pay_message",
    "make_certificate",
    "sns_time",
]

DEFAULT_TOPIC_ARN = "arn:aws:sns:us-east-1:000000000000:mwskit-sandbox-amazon-pay-ipn"
_NOT_AMAZON = "mwskit sandbox (not Amazon)"


@dataclass(frozen=True, slots=True)
class SigningCertificate:
    """An RSA key and the self-signed certificate (PEM) that holds its public half."""

    private_key: rsa.RSAPrivateKey
    pem: bytes

    @property
    def fingerprint(self) -> str:
        """The SHA-256 of the certificate (hex): it names the certificate's URL."""
        certificate = x509.load_pem_x509_certificate(self.pem)
        return certificate.fingerprint(hashes.SHA256()).hex()


def make_certificate(
    *,
    not_before: datetime | None = None,
    not_after: datetime | None = None,
    common_name: str = "sns.amazonaws.com",
    key_size: int = 2048,
) -> SigningCertificate:
    """A new RSA key and a self-signed certificate for it, valid from `not_before` (default a
    day ago) to `not_after` (default a year from now). The subject names Amazon SNS's host like
    the real certificates do, and says in its organisation that it is not Amazon's."""
    now = datetime.now(UTC)
    not_before = now - timedelta(days=1) if not_before is None else not_before
    not_after = now + timedelta(days=365) if not_after is None else not_after
    key = rsa.generate_private_key(public_exponent=65537, key_size=key_size)
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, _NOT_AMAZON),
        ]
    )
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .sign(key, hashes.SHA256())
    )
    return SigningCertificate(key, certificate.public_bytes(serialization.Encoding.PEM))


def amazon_pay_message(
    notification_type: str,
    notification_data: str,
    *,
    seller_id: str,
    release_environment: str = "Sandbox",
    notification_reference_id: str | None = None,
    timestamp: datetime | None = None,
    version: str = "2013-01-01",
) -> str:
    """The Amazon Pay message (the SNS `Message`, JSON) around a NotificationData XML document."""
    message: dict[str, str] = {
        "NotificationReferenceId": notification_reference_id or str(uuid.uuid4()),
        "NotificationType": notification_type,
        "SellerId": seller_id,
        "ReleaseEnvironment": release_environment,
        "Version": version,
        "NotificationData": notification_data,
    }
    if timestamp is not None:
        message["Timestamp"] = sns_time(timestamp)
    return json.dumps(message)


def sns_time(moment: datetime) -> str:
    """A time as Amazon SNS writes it: UTC with milliseconds, `2013-05-02T21:40:37.123Z`."""
    moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


@dataclass(frozen=True, slots=True)
class SignedIPN:
    """A signed SNS envelope: `body` to POST, with `headers`."""

    envelope: Mapping[str, str]

    @property
    def body(self) -> bytes:
        return json.dumps(dict(self.envelope)).encode("utf-8")

    @property
    def headers(self) -> dict[str, str]:
        """What Amazon SNS sends with a notification (docs: the Amazon Pay sample IPNs)."""
        return {
            "Content-Type": "text/plain; charset=UTF-8",
            "User-Agent": "Amazon Simple Notification Service Agent",
            "x-amz-sns-message-type": self.envelope["Type"],
            "x-amz-sns-message-id": self.envelope["MessageId"],
            "x-amz-sns-topic-arn": self.envelope["TopicArn"],
        }


class IPNSigner:
    """Signs SNS Notification envelopes with one certificate (a new one unless given).

    A certificate made here is valid from a day before `clock()` to a year after it.
    `certificate_url` is the SigningCertURL written into every envelope; by default an Amazon
    SNS-shaped URL named after the certificate's fingerprint, which only this signer's
    `fetch_certificate` (or `trusted_certificates`) answers. `signature_version` "2" signs
    with SHA256withRSA, "1" with SHA1withRSA.
    """

    def __init__(
        self,
        certificate: SigningCertificate | None = None,
        *,
        certificate_url: str | None = None,
        topic_arn: str = DEFAULT_TOPIC_ARN,
        signature_version: str = "2",
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        if signature_version not in ("1", "2"):
            raise ValueError(f"signature_version must be '1' or '2'; got {signature_version!r}")
        if certificate is None:  # valid around the signer's clock, which may be a test's
            now = clock()
            certificate = make_certificate(
                not_before=now - timedelta(days=1), not_after=now + timedelta(days=365)
            )
        self.certificate = certificate
        if certificate_url is None:
            certificate_url = (
                "https://sns.us-east-1.amazonaws.com/SimpleNotificationService-"
                f"{self.certificate.fingerprint[:32]}.pem"
            )
        self.certificate_url = certificate_url
        self.topic_arn = topic_arn
        self.signature_version = signature_version
        self._clock = clock

    @property
    def certificate_pem(self) -> bytes:
        return self.certificate.pem

    @property
    def trusted_certificates(self) -> dict[str, bytes]:
        """For `IPNVerifier(trusted_certificates=...)`: this signer's URL and certificate."""
        return {self.certificate_url: self.certificate.pem}

    def fetch_certificate(self, url: str) -> bytes:
        """A certificate fetcher for `IPNVerifier(fetch_certificate=...)` serving this one."""
        if url != self.certificate_url:
            raise LookupError(f"no certificate at {url}")
        return self.certificate.pem

    def sign(
        self,
        message: str,
        *,
        message_id: str | None = None,
        timestamp: datetime | None = None,
        topic_arn: str | None = None,
        subject: str | None = None,
    ) -> SignedIPN:
        """The signed envelope of one notification whose SNS `Message` is `message`."""
        envelope: dict[str, str] = {
            "Type": "Notification",
            "MessageId": message_id or str(uuid.uuid4()),
            "TopicArn": topic_arn or self.topic_arn,
            "Message": message,
            "Timestamp": sns_time(timestamp or self._clock()),
            "SignatureVersion": self.signature_version,
        }
        if subject is not None:
            envelope["Subject"] = subject
        return SignedIPN(self.signed(envelope))

    def signed(self, envelope: Mapping[str, Any]) -> dict[str, str]:
        """`envelope` with its Signature and SigningCertURL (re)computed, e.g. after a test
        changed a field on purpose."""
        algorithm = hashes.SHA1() if envelope["SignatureVersion"] == "1" else hashes.SHA256()
        signature = self.certificate.private_key.sign(
            string_to_sign(envelope), padding.PKCS1v15(), algorithm
        )
        return {
            **envelope,
            "Signature": base64.b64encode(signature).decode("ascii"),
            "SigningCertURL": self.certificate_url,
            "UnsubscribeURL": "https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe",
        }
