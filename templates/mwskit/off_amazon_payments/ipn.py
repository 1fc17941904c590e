"""Amazon Pay Instant Payment Notifications (IPN): verify the Amazon SNS message, read the IPN.

Amazon Pay sends each IPN as an HTTPS POST from Amazon SNS to the URL set in Seller Central. The
body is an SNS envelope (JSON) whose `Message` is the Amazon Pay message (JSON), whose
`NotificationData` is an XML document holding the object that changed. `IPNVerifier.verify`
checks the envelope as Amazon SNS documents it and returns a typed notification whose `details`
is the section's own result type (`AuthorizationDetails`, `CaptureDetails`, ...), read by the
same parser as the API answers:

    verifier = IPNVerifier(topic_arns=["arn:aws:sns:us-east-1:...:A1EXAMPLE..."])
    notification = verifier.verify(request_body, headers=request_headers)
    if isinstance(notification, AuthorizationNotification):
        state = notification.details.authorization_status.state

What `verify` checks, cheapest first; the first failure raises `IPNVerificationError` whose
`reason` (an `IPNRefusal`) says which check failed:

1. The body is at most `max_body_bytes` and UTF-8 JSON: an object whose `Type` is
   `Notification`. Amazon Pay IPNs are never anything else: a `SubscriptionConfirmation` or
   `UnsubscribeConfirmation` is refused (`NOT_A_NOTIFICATION`), never confirmed, so nobody can
   subscribe the endpoint to a topic of their own.
2. The SNS fields are strings; `headers`, when given, agree with them (`x-amz-sns-message-type`,
   `-message-id`, `-topic-arn`).
3. `SignatureVersion` is 1 (SHA1withRSA) or 2 (SHA256withRSA); `Signature` is base64.
4. `Timestamp` is at most `max_age` old and at most `max_clock_skew` in the future. Amazon SNS
   resends an undelivered message with its original Timestamp and MessageId, so an endpoint that
   was down longer than `max_age` loses those IPNs: read the objects (`get_*_details`) after an
   outage.
5. `TopicArn` is in `topic_arns` when that is given. Give it in production: anyone can publish a
   message that Amazon SNS signs genuinely on a topic of their own and forward it; only the topic
   tells Amazon Pay's messages apart. A refused topic is named in the error, so the first real
   IPN tells you Amazon Pay's topic ARN.
6. The signing certificate: one of `trusted_certificates` (keyed by its `SigningCertURL`, e.g.
   the local sandbox's), else fetched from `SigningCertURL`, which must be
   `https://sns.<region>.amazonaws.com[.cn]/SimpleNotificationService-<id>.pem` exactly (no
   other scheme, host, user-info, port, query or path). The default fetcher uses HTTPS with
   certificate verification, a timeout, no redirects, no content decoding and a size cap;
   certificates are cached by URL (at most `certificate_cache_size`). Trust in a fetched
   certificate rests on that HTTPS connection to Amazon SNS's own host; its issuer chain is not
   checked again here. The certificate must be valid now and hold an RSA key.
7. The signature verifies over the string to sign that Amazon SNS documents for a Notification
   (`string_to_sign`), with the `cryptography` package.
8. The Amazon Pay message is JSON with NotificationType, SellerId, ReleaseEnvironment, Version
   and NotificationData; the XML has the root its NotificationType names and at most
   `max_xml_nodes` nodes (no DTD, no entities).
9. The MessageId was not accepted before within `max_age` (`IPNReplayed`, a subclass: Amazon SNS
   resends a message whose acknowledgement it missed, so answer a replay with 200 and do nothing).
   Ids live in a `MessageIdStore`; the default keeps at most `replay_capacity` ids in memory in
   this process; give a shared store when several processes receive IPNs. Only a message that
   passed every other check is remembered.

A verified message whose NotificationType mwskit does not know is returned as
`UnknownNotification` (its XML in `notification_data`) rather than refused: it is authentic, and
refusing it would make Amazon SNS resend it for days.

The `cryptography` package is needed for steps 6 and 7 only: `pip install "mwskit[ipn]"`.
Without it the module still imports, and verifying (or giving `trusted_certificates`, which are
read at once) raises `IPNExtraMissing`.
"""

from __future__ import annotations

import base64
import binascii
import heapq
import json
import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Protocol

import httpx
from lxml import etree

from .._runtime.errors import MWSError, ResponseParseError
from .._runtime.xml import exceeds_node_limit, local_name, parse_xml
from . import _readers, models

if TYPE_CHECKING:
    from cryptography.x509 import Certificate

__all__ = [
    "AuthorizationNotification",
    "BillingAgreementNotification",
    "CaptureNotification",
    "ChargebackNotification",
    "IPNError",
    "IPNExtraMissing",
    "IPNRefusal",
    "IPNReplayed",
    "IPNVerificationError",
    "IPNVerifier",
    "MemoryMessageIdStore",
    "MessageIdStore",
    "Notification",
    "OrderReferenceNotification",
    "ProviderCreditNotification",
    "ProviderCreditReversalNotification",
    "RefundNotification",
    "UnknownNotification",
    "fetch_certificate_https",
    "is_sns_certificate_url",
    "string_to_sign",
]


class IPNError(MWSError):
    """An Amazon Pay IPN that could not be used."""


class IPNRefusal(StrEnum):
    """Which check refused a message (`IPNVerificationError.reason`)."""

    BODY_TOO_LARGE = "body_too_large"
    MALFORMED_ENVELOPE = "malformed_envelope"
    HEADER_MISMATCH = "header_mismatch"
    NOT_A_NOTIFICATION = "not_a_notification"
    UNSUPPORTED_SIGNATURE_VERSION = "unsupported_signature_version"
    MALFORMED_SIGNATURE = "malformed_signature"
    STALE = "stale"
    FROM_THE_FUTURE = "from_the_future"
    FOREIGN_TOPIC = "foreign_topic"
    UNTRUSTED_CERTIFICATE_URL = "untrusted_certificate_url"
    CERTIFICATE_UNAVAILABLE = "certificate_unavailable"
    MALFORMED_CERTIFICATE = "malformed_certificate"
    CERTIFICATE_NOT_YET_VALID = "certificate_not_yet_valid"
    CERTIFICATE_EXPIRED = "certificate_expired"
    BAD_SIGNATURE = "bad_signature"
    REPLAYED = "replayed"
    MALFORMED_MESSAGE = "malformed_message"
    MALFORMED_NOTIFICATION_DATA = "malformed_notification_data"


class IPNVerificationError(IPNError):
    """The message was refused: forged, tampered, replayed, too old, foreign or malformed.

    Answer it with HTTP 400 (a forgery is not worth a retry), except `IPNReplayed` (200: it was
    handled before) and `CERTIFICATE_UNAVAILABLE` (503: the fetch may work when SNS resends).
    """

    def __init__(self, reason: IPNRefusal, message: str) -> None:
        self.reason = reason
        super().__init__(message)


class IPNReplayed(IPNVerificationError):
    """An authentic message whose MessageId was already accepted: answer 200, do nothing."""


class IPNExtraMissing(IPNError):
    """Verifying needs the `cryptography` package: `pip install "mwskit[ipn]"`."""


def _refuse(reason: IPNRefusal, message: str) -> IPNVerificationError:
    return IPNVerificationError(reason, message)


@dataclass(frozen=True, slots=True, kw_only=True)
class Notification:
    """What every verified IPN carries.

    `notification_type` is the Amazon Pay NotificationType (`PaymentAuthorize`, ...);
    `message_id`, `topic_arn` and `timestamp` come from the SNS envelope; `notification_data`
    is the XML document as sent.
    """

    notification_type: str
    message_id: str
    topic_arn: str
    timestamp: datetime
    notification_reference_id: str | None
    seller_id: str
    release_environment: models.ReleaseEnvironment | str
    version: str
    notification_data: str = field(repr=False)


@dataclass(frozen=True, slots=True, kw_only=True)
class OrderReferenceNotification(Notification):
    """NotificationType `OrderReferenceNotification`: an order reference changed state."""

    details: models.OrderReferenceDetails


@dataclass(frozen=True, slots=True, kw_only=True)
class AuthorizationNotification(Notification):
    """NotificationType `PaymentAuthorize`: an authorization changed state."""

    details: models.AuthorizationDetails


@dataclass(frozen=True, slots=True, kw_only=True)
class CaptureNotification(Notification):
    """NotificationType `PaymentCapture`: a capture changed state."""

    details: models.CaptureDetails


@dataclass(frozen=True, slots=True, kw_only=True)
class RefundNotification(Notification):
    """NotificationType `PaymentRefund`: a refund changed state."""

    details: models.RefundDetails


@dataclass(frozen=True, slots=True, kw_only=True)
class BillingAgreementNotification(Notification):
    """NotificationType `BillingAgreementNotification`: a billing agreement changed state."""

    details: models.BillingAgreementDetails


@dataclass(frozen=True, slots=True, kw_only=True)
class ProviderCreditNotification(Notification):
    """NotificationType `ProviderCredit` (solution providers)."""

    details: models.ProviderCreditDetails


@dataclass(frozen=True, slots=True, kw_only=True)
class ProviderCreditReversalNotification(Notification):
    """NotificationType `ProviderCreditReversal` (solution providers)."""

    details: models.ProviderCreditReversalDetails


@dataclass(frozen=True, slots=True, kw_only=True)
class ChargebackNotification(Notification):
    """NotificationType `ChargebackDetailedNotification`: a buyer's chargeback."""

    details: models.ChargebackDetails


@dataclass(frozen=True, slots=True, kw_only=True)
class UnknownNotification(Notification):
    """An authentic IPN of a NotificationType mwskit does not know; read `notification_data`."""


@dataclass(frozen=True, slots=True)
class _Kind:
    cls: Callable[..., Notification]  # a Notification subclass with its `details`
    root: str  # the NotificationData document's root element
    element: str  # the child holding the object
    read: Callable[[etree._Element], Any]  # the object's generated reader


# NotificationType -> its XML. The types and roots are those the Amazon Pay SDKs map
# (reference/off_amazon_payments/reference.yaml `ipn:`); the objects are the API's own types.
# A type is looked up as the SDKs compare it: spaces dropped, case ignored (`_kind_key`).
_KINDS: dict[str, _Kind] = {
    "OrderReferenceNotification": _Kind(
        OrderReferenceNotification,
        "OrderReferenceNotification",
        "OrderReference",
        _readers.read_order_reference_details,
    ),
    "PaymentAuthorize": _Kind(
        AuthorizationNotification,
        "AuthorizationNotification",
        "AuthorizationDetails",
        _readers.read_authorization_details,
    ),
    "PaymentCapture": _Kind(
        CaptureNotification,
        "CaptureNotification",
        "CaptureDetails",
        _readers.read_capture_details,
    ),
    "PaymentRefund": _Kind(
        RefundNotification, "RefundNotification", "RefundDetails", _readers.read_refund_details
    ),
    "BillingAgreementNotification": _Kind(
        BillingAgreementNotification,
        "BillingAgreementNotification",
        "BillingAgreement",
        _readers.read_billing_agreement_details,
    ),
    "ProviderCredit": _Kind(
        ProviderCreditNotification,
        "ProviderCreditNotification",
        "ProviderCreditDetails",
        _readers.read_provider_credit_details,
    ),
    "ProviderCreditReversal": _Kind(
        ProviderCreditReversalNotification,
        "ProviderCreditReversalNotification",
        "ProviderCreditReversalDetails",
        _readers.read_provider_credit_reversal_details,
    ),
    "ChargebackDetailedNotification": _Kind(
        ChargebackNotification,
        "ChargebackNotification",
        "ChargebackDetails",
        _readers.read_chargeback_details,
    ),
}


def _kind_key(notification_type: str) -> str:
    return notification_type.replace(" ", "").casefold()


_KINDS_BY_KEY = {_kind_key(name): kind for name, kind in _KINDS.items()}

# The fields Amazon SNS signs in a Notification, in the order it signs them (Subject only when
# the message has one). Docs: Amazon SNS "Verifying the signatures of Amazon SNS messages".
_SIGNED_FIELDS = ("Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type")
_REQUIRED_FIELDS = (
    "Type",
    "MessageId",
    "TopicArn",
    "Message",
    "Timestamp",
    "SignatureVersion",
    "Signature",
    "SigningCertURL",
)
_HEADERS = (
    ("x-amz-sns-message-type", "Type"),
    ("x-amz-sns-message-id", "MessageId"),
    ("x-amz-sns-topic-arn", "TopicArn"),
)
_MESSAGE_FIELDS = ("NotificationType", "SellerId", "ReleaseEnvironment", "Version")


def string_to_sign(envelope: Mapping[str, Any]) -> bytes:
    """What Amazon SNS signs in a Notification: each signed field as `name\\nvalue\\n`."""
    parts = []
    for name in _SIGNED_FIELDS:
        value = envelope.get(name)
        if value is None and name == "Subject":
            continue
        parts.append(f"{name}\n{value}\n")
    return "".join(parts).encode("utf-8")


# Region names: us-east-1, eu-central-2, us-gov-west-1, cn-north-1, ... A looser host pattern
# would admit `sns.s3.amazonaws.com`, where anyone owning the S3 bucket "sns" serves files.
_SNS_CERTIFICATE_URL = re.compile(
    r"https://sns\.[a-z]{2}(?:-gov|-iso[a-z]?)?-[a-z]+-[0-9]{1,2}\.amazonaws\.com(?:\.cn)?"
    r"/SimpleNotificationService-[0-9A-Za-z]{1,64}\.pem"
)


def is_sns_certificate_url(url: str) -> bool:
    """Whether `url` is an Amazon SNS signing certificate URL (HTTPS, an SNS host, nothing else)."""
    return _SNS_CERTIFICATE_URL.fullmatch(url) is not None


_CERTIFICATE_TIMEOUT = 10.0  # seconds
_MAX_CERTIFICATE_BYTES = 64 * 1024  # an SNS signing certificate is about 2 KB of PEM


def fetch_certificate_https(url: str, *, client: httpx.Client | None = None) -> bytes:
    """GET the PEM at `url` (the default fetcher): HTTPS with certificate checks, a 10 s
    timeout, no redirects, no content decoding, at most 64 KiB; IPNVerificationError when that
    fails. `client` sends it through a client of your own (a proxy); the rest still applies.
    """
    try:
        if client is None:
            with httpx.Client() as own:
                return _fetch_pem(own, url)
        return _fetch_pem(client, url)
    except httpx.HTTPError as error:
        raise _refuse(
            IPNRefusal.CERTIFICATE_UNAVAILABLE,
            f"fetching the signing certificate {url} failed: {type(error).__name__}",
        ) from None


def _fetch_pem(client: httpx.Client, url: str) -> bytes:
    with client.stream(
        "GET",
        url,
        headers={"Accept-Encoding": "identity"},  # a compressed answer is no PEM: no bombs
        timeout=_CERTIFICATE_TIMEOUT,
        follow_redirects=False,
    ) as response:
        if response.status_code != 200:
            raise _refuse(
                IPNRefusal.CERTIFICATE_UNAVAILABLE,
                f"fetching the signing certificate {url} answered HTTP {response.status_code}",
            )
        body = bytearray()
        for chunk in response.iter_raw():
            body += chunk
            if len(body) > _MAX_CERTIFICATE_BYTES:
                raise _refuse(
                    IPNRefusal.CERTIFICATE_UNAVAILABLE,
                    f"the signing certificate {url} is larger than {_MAX_CERTIFICATE_BYTES} bytes",
                )
        return bytes(body)


class MessageIdStore(Protocol):
    """Where accepted MessageIds are remembered (share one between processes, e.g. over Redis
    `SET key 1 NX PXAT until`)."""

    def remember(self, message_id: str, until: datetime, now: datetime) -> bool:
        """Record `message_id` until `until`; False when it is already recorded (a replay)."""
        ...


class MemoryMessageIdStore:
    """MessageIds in this process's memory, each until its time is up, at most `capacity`.

    Full, it forgets the id closest to expiry first: a replay of that one message would pass.
    SNS MessageIds are UUIDs: 100 000 of them take about 25 MB.
    """

    def __init__(self, capacity: int = 100_000) -> None:
        if isinstance(capacity, bool) or not isinstance(capacity, int) or capacity < 1:
            raise ValueError(f"capacity must be a whole number of at least 1; got {capacity!r}")
        self._capacity = capacity
        self._until: dict[str, datetime] = {}
        self._expiries: list[tuple[datetime, str]] = []  # a heap: the next to expire first
        self._lock = threading.Lock()

    def remember(self, message_id: str, until: datetime, now: datetime) -> bool:
        with self._lock:
            expiries = self._expiries
            while expiries and (expiries[0][0] <= now or len(expiries) >= self._capacity):
                del self._until[heapq.heappop(expiries)[1]]
            if message_id in self._until:
                return False
            self._until[message_id] = until
            heapq.heappush(expiries, (until, message_id))
            return True

    def __len__(self) -> int:
        return len(self._until)


def _require_cryptography() -> None:
    try:
        import cryptography  # noqa: F401
    except ImportError:
        raise IPNExtraMissing(
            'verifying Amazon Pay IPNs needs the cryptography package: pip install "mwskit[ipn]"'
        ) from None


def _load_certificate(pem: bytes, url: str) -> Certificate:
    _require_cryptography()
    from cryptography import x509

    try:
        return x509.load_pem_x509_certificate(pem)
    except ValueError:
        raise _refuse(
            IPNRefusal.MALFORMED_CERTIFICATE, f"{url[:200]} is not a PEM X.509 certificate"
        ) from None


# SignatureVersion 1 is SHA1withRSA, 2 is SHA256withRSA.
_SIGNATURE_VERSIONS = ("1", "2")
_MAX_SIGNATURE_BYTES = 1024  # an RSA-8192 signature; SNS signs with 2048-bit keys


def _check_signature(
    certificate: Certificate, envelope: Mapping[str, Any], signature: bytes
) -> None:
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding, rsa

    key = certificate.public_key()
    if not isinstance(key, rsa.RSAPublicKey):
        raise _refuse(IPNRefusal.MALFORMED_CERTIFICATE, "the signing certificate has no RSA key")
    algorithm = hashes.SHA1() if envelope["SignatureVersion"] == "1" else hashes.SHA256()
    try:
        key.verify(signature, string_to_sign(envelope), padding.PKCS1v15(), algorithm)
    except InvalidSignature:
        raise _refuse(
            IPNRefusal.BAD_SIGNATURE,
            f"the signature of message {envelope['MessageId'][:100]} does not verify",
        ) from None


class IPNVerifier:
    """Verifies Amazon Pay IPNs and reads them (see the module docstring for every check).

    `fetch_certificate(url) -> PEM bytes` replaces the HTTPS fetch (tests, proxies); it is called
    only for URLs `is_sns_certificate_url` accepts, and what it raises becomes
    `IPNVerificationError(CERTIFICATE_UNAVAILABLE)`. `trusted_certificates` maps a
    SigningCertURL to a PEM certificate trusted without any fetch or URL check (the local
    sandbox's certificate). `clock` returns the current time (timezone-aware). Safe to share
    between threads.
    """

    def __init__(
        self,
        *,
        topic_arns: Iterable[str] | None = None,
        fetch_certificate: Callable[[str], bytes] = fetch_certificate_https,
        trusted_certificates: Mapping[str, bytes] | None = None,
        max_age: timedelta = timedelta(hours=24),
        max_clock_skew: timedelta = timedelta(minutes=5),
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        message_ids: MessageIdStore | None = None,
        replay_capacity: int = 100_000,
        certificate_cache_size: int = 16,
        max_body_bytes: int = 1024 * 1024,
        max_xml_nodes: int = 10_000,
    ) -> None:
        if isinstance(topic_arns, str):
            raise TypeError("topic_arns must be an iterable of topic ARNs, not one string")
        self._topic_arns = None if topic_arns is None else frozenset(topic_arns)
        for name, value in (("max_age", max_age), ("max_clock_skew", max_clock_skew)):
            if not isinstance(value, timedelta) or value < timedelta(0):
                raise ValueError(f"{name} must be a timedelta of zero or more; got {value!r}")
        for name, number in (
            ("certificate_cache_size", certificate_cache_size),
            ("max_body_bytes", max_body_bytes),
            ("max_xml_nodes", max_xml_nodes),
        ):
            if isinstance(number, bool) or not isinstance(number, int) or number < 1:
                raise ValueError(f"{name} must be a whole number of at least 1; got {number!r}")
        self._fetch = fetch_certificate
        self._max_age = max_age
        self._max_skew = max_clock_skew
        self._clock = clock
        self._message_ids = (
            MemoryMessageIdStore(replay_capacity) if message_ids is None else message_ids
        )
        self._cache_size = certificate_cache_size
        self._max_body = max_body_bytes
        self._max_nodes = max_xml_nodes
        self._trusted = {
            url: _load_certificate(pem, url) for url, pem in (trusted_certificates or {}).items()
        }
        self._cache: OrderedDict[str, Certificate] = OrderedDict()
        self._lock = threading.Lock()

    def verify(
        self, body: bytes | bytearray | str, headers: Mapping[str, str] | None = None
    ) -> Notification:
        """The typed notification in an IPN request body; IPNVerificationError when refused.

        `headers` (optional) are the request's headers, any mapping of names to str values.
        """
        if isinstance(body, bytearray):
            body = bytes(body)
        if not isinstance(body, bytes | str):
            raise TypeError(f"body must be the request body as bytes or str; got {type(body)}")
        if headers is not None and not callable(getattr(headers, "items", None)):
            raise TypeError(f"headers must be a mapping of names to values; got {type(headers)}")
        now = self._clock()
        envelope = self._envelope(body, headers)
        signature = self._signature(envelope)
        timestamp = self._timestamp(envelope["Timestamp"], now)
        topic = envelope["TopicArn"]
        if self._topic_arns is not None and topic not in self._topic_arns:
            raise _refuse(
                IPNRefusal.FOREIGN_TOPIC, f"the topic {topic[:256]} is not one of topic_arns"
            )
        certificate = self._certificate(envelope["SigningCertURL"], now)
        _check_signature(certificate, envelope, signature)
        notification = self._notification(envelope, timestamp)
        message_id = envelope["MessageId"]
        if not self._message_ids.remember(message_id, timestamp + self._max_age, now):
            raise IPNReplayed(
                IPNRefusal.REPLAYED, f"the message {message_id[:100]} was accepted before"
            )
        return notification

    def _envelope(self, body: bytes | str, headers: Mapping[str, str] | None) -> dict[str, Any]:
        # A character takes at least one byte: a str longer than the cap is refused unencoded.
        if len(body) > self._max_body:
            raise _refuse(
                IPNRefusal.BODY_TOO_LARGE, f"the body is larger than {self._max_body} bytes"
            )
        if isinstance(body, str):
            body = body.encode("utf-8", errors="surrogatepass")
            if len(body) > self._max_body:
                raise _refuse(
                    IPNRefusal.BODY_TOO_LARGE, f"the body is larger than {self._max_body} bytes"
                )
        try:
            envelope = json.loads(body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError, RecursionError):
            raise _refuse(
                IPNRefusal.MALFORMED_ENVELOPE, "the body is not a JSON Amazon SNS message"
            ) from None
        if not isinstance(envelope, dict):
            raise _refuse(IPNRefusal.MALFORMED_ENVELOPE, "the body is not a JSON object")
        kind = envelope.get("Type")
        if isinstance(kind, str) and kind != "Notification":
            raise _refuse(
                IPNRefusal.NOT_A_NOTIFICATION,
                f"an Amazon Pay IPN is a Notification, not a {kind[:40]!r}; "
                "subscriptions are never confirmed",
            )
        missing = [name for name in _REQUIRED_FIELDS if not isinstance(envelope.get(name), str)]
        if missing:
            raise _refuse(
                IPNRefusal.MALFORMED_ENVELOPE,
                f"the Amazon SNS message has no string {', '.join(missing)}",
            )
        if envelope.get("Subject") is not None and not isinstance(envelope["Subject"], str):
            raise _refuse(IPNRefusal.MALFORMED_ENVELOPE, "the Subject is not a string")
        if headers is not None:
            lowered = {str(name).lower(): value for name, value in headers.items()}
            for header, name in _HEADERS:
                sent = lowered.get(header)
                if sent is not None and not isinstance(sent, str):
                    raise TypeError(f"header values must be str; {header} is {type(sent)}")
                if sent is not None and sent.strip() != envelope[name]:
                    raise _refuse(
                        IPNRefusal.HEADER_MISMATCH,
                        f"the {header} header does not match the message's {name}",
                    )
        return envelope

    def _signature(self, envelope: Mapping[str, str]) -> bytes:
        version = envelope["SignatureVersion"]
        if version not in _SIGNATURE_VERSIONS:
            raise _refuse(
                IPNRefusal.UNSUPPORTED_SIGNATURE_VERSION,
                f"SignatureVersion must be 1 or 2; got {version[:20]!r}",
            )
        text = envelope["Signature"]
        if len(text) > _MAX_SIGNATURE_BYTES * 2:
            raise _refuse(IPNRefusal.MALFORMED_SIGNATURE, "the Signature is too long")
        try:
            return base64.b64decode(text, validate=True)
        except (binascii.Error, ValueError):
            raise _refuse(IPNRefusal.MALFORMED_SIGNATURE, "the Signature is not base64") from None

    def _timestamp(self, text: str, now: datetime) -> datetime:
        try:
            timestamp: datetime | None = datetime.fromisoformat(text)
        except ValueError:
            timestamp = None
        if timestamp is None or timestamp.tzinfo is None:
            raise _refuse(
                IPNRefusal.MALFORMED_ENVELOPE,
                f"the Timestamp is not an ISO 8601 time with a zone: {text[:40]!r}",
            )
        if now - timestamp > self._max_age:
            raise _refuse(
                IPNRefusal.STALE,
                f"the message was sent at {text}, more than {self._max_age} before "
                f"{now.isoformat()}",
            )
        if timestamp - now > self._max_skew:
            raise _refuse(
                IPNRefusal.FROM_THE_FUTURE,
                f"the message claims to be sent at {text}, later than {now.isoformat()} "
                f"by more than {self._max_skew}",
            )
        return timestamp

    def _certificate(self, url: str, now: datetime) -> Certificate:
        certificate = self._trusted.get(url)
        if certificate is None:
            with self._lock:
                certificate = self._cache.get(url)
                if certificate is not None:
                    self._cache.move_to_end(url)
        if certificate is None:
            if not is_sns_certificate_url(url):
                raise _refuse(
                    IPNRefusal.UNTRUSTED_CERTIFICATE_URL,
                    f"the SigningCertURL {url[:200]!r} is not an Amazon SNS certificate URL",
                )
            certificate = _load_certificate(self._fetched(url), url)
            with self._lock:
                self._cache[url] = certificate
                if len(self._cache) > self._cache_size:
                    self._cache.popitem(last=False)
        if now < certificate.not_valid_before_utc:
            raise _refuse(
                IPNRefusal.CERTIFICATE_NOT_YET_VALID,
                f"the signing certificate is valid from "
                f"{certificate.not_valid_before_utc.isoformat()}",
            )
        if now > certificate.not_valid_after_utc:
            raise _refuse(
                IPNRefusal.CERTIFICATE_EXPIRED,
                f"the signing certificate expired at {certificate.not_valid_after_utc.isoformat()}",
            )
        return certificate

    def _fetched(self, url: str) -> bytes:
        try:
            pem = self._fetch(url)
        except IPNVerificationError:
            raise
        except Exception as error:  # a caller's fetcher: whatever it raises means "unavailable"
            raise _refuse(
                IPNRefusal.CERTIFICATE_UNAVAILABLE,
                f"fetching the signing certificate {url} failed: {type(error).__name__}",
            ) from error
        if not isinstance(pem, bytes) or len(pem) > _MAX_CERTIFICATE_BYTES:
            raise _refuse(
                IPNRefusal.CERTIFICATE_UNAVAILABLE,
                f"the fetcher gave no PEM of at most {_MAX_CERTIFICATE_BYTES} bytes for {url}",
            )
        return pem

    def _notification(self, envelope: Mapping[str, str], timestamp: datetime) -> Notification:
        try:
            message = json.loads(envelope["Message"])
        except (ValueError, RecursionError):
            message = None
        if not isinstance(message, dict):
            raise _refuse(IPNRefusal.MALFORMED_MESSAGE, "the Message is not a JSON object")
        wanted = (*_MESSAGE_FIELDS, "NotificationData")
        missing = [name for name in wanted if not isinstance(message.get(name), str)]
        reference = message.get("NotificationReferenceId")
        if reference is not None and not isinstance(reference, str):
            missing.append("NotificationReferenceId")
        if missing:
            raise _refuse(
                IPNRefusal.MALFORMED_MESSAGE,
                f"the Amazon Pay message has no string {', '.join(missing)}",
            )
        kind_name = message["NotificationType"]
        environment = message["ReleaseEnvironment"]
        data = message["NotificationData"]
        common: dict[str, Any] = {
            "notification_type": kind_name,
            "message_id": envelope["MessageId"],
            "topic_arn": envelope["TopicArn"],
            "timestamp": timestamp,
            "notification_reference_id": reference,
            "seller_id": message["SellerId"],
            "release_environment": models.ReleaseEnvironment._value2member_map_.get(
                environment, environment
            ),
            "version": message["Version"],
            "notification_data": data,
        }
        kind = _KINDS_BY_KEY.get(_kind_key(kind_name))
        if kind is None:
            return UnknownNotification(**common)
        return kind.cls(**common, details=self._details(kind, kind_name, data))

    def _details(self, kind: _Kind, kind_name: str, data: str) -> Any:
        document = data.encode("utf-8", errors="surrogatepass")
        if exceeds_node_limit(document, self._max_nodes):
            raise _refuse(
                IPNRefusal.MALFORMED_NOTIFICATION_DATA,
                f"the NotificationData has more than {self._max_nodes} XML nodes",
            )
        try:
            root = parse_xml(document.strip())
        except ResponseParseError as error:
            raise _refuse(
                IPNRefusal.MALFORMED_NOTIFICATION_DATA, f"the NotificationData: {error.message}"
            ) from None
        if local_name(root) != kind.root:
            raise _refuse(
                IPNRefusal.MALFORMED_NOTIFICATION_DATA,
                f"a {kind_name} notification's data is <{kind.root}>, not <{local_name(root)}>",
            )
        payload = next((child for child in root if local_name(child) == kind.element), None)
        if payload is None:
            raise _refuse(
                IPNRefusal.MALFORMED_NOTIFICATION_DATA, f"<{kind.root}> has no <{kind.element}>"
            )
        _ids_as_members(payload)
        try:
            return kind.read(payload)
        except ResponseParseError as error:
            raise _refuse(
                IPNRefusal.MALFORMED_NOTIFICATION_DATA, f"the NotificationData: {error.message}"
            ) from None


def _ids_as_members(element: etree._Element) -> None:
    """IPN documents list ids as `<IdList><Id>`, API answers as `<IdList><member>`: renamed
    here, the API's result types read both (reference.yaml datatypes, IdList)."""
    for wrapper in element.iter():
        if local_name(wrapper).endswith("IdList"):
            for item in wrapper:
                if local_name(item) == "Id":
                    item.tag = "member"
