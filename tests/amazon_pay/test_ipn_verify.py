"""The IPN verifier against SNS messages signed with test certificates: what passes, and each
check that refuses a forged, tampered, replayed, stale, foreign or malformed message."""

from __future__ import annotations

import base64
import gzip
import json
import pickle
from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal

import httpx
import pytest
from ipn_support import (
    NOW,
    SELLER,
    TOPIC,
    Fetcher,
    body_with,
    certificate,
    signed,
    signer,
    verifier,
)

from mwskit.errors import MWSError
from mwskit.off_amazon_payments import models
from mwskit.off_amazon_payments.ipn import (
    AuthorizationNotification,
    IPNRefusal,
    IPNReplayed,
    IPNVerificationError,
    IPNVerifier,
    MemoryMessageIdStore,
    fetch_certificate_https,
    is_sns_certificate_url,
    string_to_sign,
)
from mwskit.sandbox.ipn_signer import IPNSigner


def refusal(check: IPNVerifier, body: bytes | str, **kwargs: object) -> IPNVerificationError:
    with pytest.raises(IPNVerificationError) as caught:
        check.verify(body, **kwargs)  # type: ignore[arg-type]
    assert isinstance(caught.value, MWSError)
    return caught.value


@pytest.mark.parametrize("version", ["1", "2"])
def test_a_signed_notification_verifies_and_reads(version: str) -> None:
    ipn_signer = signer(version=version)
    ipn = signed(ipn_signer)
    fetcher = Fetcher(ipn_signer)
    notification = verifier(fetcher).verify(ipn.body, headers=ipn.headers)
    assert type(notification) is AuthorizationNotification
    assert notification.notification_type == "PaymentAuthorize"
    assert notification.message_id == "cf5543af-dd65-5f74-8ccf-0a410EXAMPLE"
    assert notification.topic_arn == TOPIC
    assert notification.timestamp == NOW
    assert notification.seller_id == SELLER
    assert notification.release_environment is models.ReleaseEnvironment.SANDBOX
    assert notification.notification_reference_id == "32d195c3-a829-4222-b1e2-14ab2EXAMPLE"
    assert notification.version == "2013-01-01"
    assert notification.details.authorization_amount == models.Price(
        amount=Decimal("106.00"), currency_code="USD"
    )
    assert ipn.envelope["SignatureVersion"] == version
    assert fetcher.calls == [ipn_signer.certificate_url]


def test_the_string_to_sign_is_the_documented_one() -> None:
    envelope = {
        "Type": "Notification",
        "MessageId": "id-1",
        "TopicArn": "arn:t",
        "Message": "m\nline",
        "Timestamp": "2026-12-03T10:00:00.000Z",
        "SignatureVersion": "2",
        "Signature": "ignored",
        "SigningCertURL": "ignored",
        "UnsubscribeURL": "ignored",
    }
    assert string_to_sign(envelope) == (
        b"Message\nm\nline\nMessageId\nid-1\nTimestamp\n2026-12-03T10:00:00.000Z\n"
        b"TopicArn\narn:t\nType\nNotification\n"
    )
    assert string_to_sign({**envelope, "Subject": "s"}) == (
        b"Message\nm\nline\nMessageId\nid-1\nSubject\ns\nTimestamp\n2026-12-03T10:00:00.000Z\n"
        b"TopicArn\narn:t\nType\nNotification\n"
    )


def test_a_subject_is_signed_too() -> None:
    ipn_signer = signer()
    ipn = signed(ipn_signer, subject="Amazon Pay")
    check = verifier(Fetcher(ipn_signer))
    assert check.verify(ipn.body).message_id == "cf5543af-dd65-5f74-8ccf-0a410EXAMPLE"
    error = refusal(verifier(Fetcher(ipn_signer)), body_with(dict(ipn.envelope), Subject="x"))
    assert error.reason is IPNRefusal.BAD_SIGNATURE


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("Message", None),  # replaced below by a changed Amazon Pay message
        ("MessageId", "cf5543af-dd65-5f74-8ccf-0a410EXAMPLF"),
        ("Timestamp", "2026-12-03T09:59:59.000Z"),
        ("Subject", "added after signing"),
    ],
)
def test_a_tampered_field_fails_the_signature(field: str, value: str | None) -> None:
    ipn_signer = signer()
    ipn = signed(ipn_signer)
    if value is None:
        value = ipn.envelope["Message"].replace("106.00", "1.00")
        assert value != ipn.envelope["Message"]
    error = refusal(verifier(Fetcher(ipn_signer)), body_with(dict(ipn.envelope), **{field: value}))
    assert error.reason is IPNRefusal.BAD_SIGNATURE
    assert str(error) == (
        "IPNVerificationError: the signature of message "
        f"{value if field == 'MessageId' else 'cf5543af-dd65-5f74-8ccf-0a410EXAMPLE'} does not verify"
    )


def test_a_tampered_topic_fails_the_signature_when_it_is_allowed() -> None:
    ipn_signer = signer()
    ipn = signed(ipn_signer)
    other = "arn:aws:sns:us-east-1:598607868003:Other"
    check = verifier(Fetcher(ipn_signer), topic_arns=[TOPIC, other])
    error = refusal(check, body_with(dict(ipn.envelope), TopicArn=other))
    assert error.reason is IPNRefusal.BAD_SIGNATURE


def test_a_tampered_signature_is_refused() -> None:
    ipn_signer = signer()
    ipn = signed(ipn_signer)
    raw = bytearray(base64.b64decode(ipn.envelope["Signature"]))
    raw[17] ^= 0x01
    forged = base64.b64encode(bytes(raw)).decode()
    error = refusal(verifier(Fetcher(ipn_signer)), body_with(dict(ipn.envelope), Signature=forged))
    assert error.reason is IPNRefusal.BAD_SIGNATURE


def test_a_message_signed_by_another_key_is_refused() -> None:
    """A forger with their own key but the real certificate URL."""
    real = signer()
    forger = IPNSigner(certificate("later"), certificate_url=real.certificate_url, topic_arn=TOPIC)
    ipn = signed(forger, timestamp=NOW)
    error = refusal(verifier(Fetcher(real)), ipn.body)
    assert error.reason is IPNRefusal.BAD_SIGNATURE


def test_a_version_1_signature_does_not_pass_as_version_2() -> None:
    ipn_signer = signer(version="1")
    ipn = signed(ipn_signer)
    error = refusal(
        verifier(Fetcher(ipn_signer)), body_with(dict(ipn.envelope), SignatureVersion="2")
    )
    assert error.reason is IPNRefusal.BAD_SIGNATURE


@pytest.mark.parametrize(
    ("valid", "reason", "text"),
    [
        (
            "expired",
            IPNRefusal.CERTIFICATE_EXPIRED,
            "the signing certificate expired at 2026-12-03T09:59:59+00:00",
        ),
        (
            "later",
            IPNRefusal.CERTIFICATE_NOT_YET_VALID,
            "the signing certificate is valid from 2026-12-03T10:00:01+00:00",
        ),
    ],
)
def test_a_certificate_outside_its_validity_is_refused(
    valid: str, reason: IPNRefusal, text: str
) -> None:
    ipn_signer = signer(valid)
    error = refusal(verifier(Fetcher(ipn_signer)), signed(ipn_signer).body)
    assert error.reason is reason
    assert error.message == text


def test_a_cached_certificate_is_checked_for_validity_every_time() -> None:
    ipn_signer = signer()
    fetcher = Fetcher(ipn_signer)
    moments = [NOW, NOW]
    check = verifier(fetcher, clock=lambda: moments[-1], max_age=timedelta(days=400))
    check.verify(signed(ipn_signer, message_id="m-1").body)
    moments.append(NOW + timedelta(days=336))
    error = refusal(check, signed(ipn_signer, message_id="m-2").body)
    assert error.reason is IPNRefusal.CERTIFICATE_EXPIRED
    assert fetcher.calls == [ipn_signer.certificate_url]


@pytest.mark.parametrize(
    ("sent", "reason", "text"),
    [
        (
            NOW - timedelta(hours=24, seconds=1),
            IPNRefusal.STALE,
            "the message was sent at 2026-12-02T09:59:59.000Z, more than 1 day, 0:00:00 before "
            "2026-12-03T10:00:00+00:00",
        ),
        (
            NOW + timedelta(minutes=5, seconds=1),
            IPNRefusal.FROM_THE_FUTURE,
            "the message claims to be sent at 2026-12-03T10:05:01.000Z, later than "
            "2026-12-03T10:00:00+00:00 by more than 0:05:00",
        ),
    ],
)
def test_a_timestamp_outside_the_window_is_refused(sent, reason, text) -> None:  # type: ignore[no-untyped-def]
    ipn_signer = signer()
    fetcher = Fetcher(ipn_signer)
    error = refusal(verifier(fetcher), signed(ipn_signer, timestamp=sent).body)
    assert error.reason is reason
    assert error.message == text
    assert fetcher.calls == []  # refused before any certificate fetch


def test_the_edges_of_the_window_pass() -> None:
    ipn_signer = signer()
    check = verifier(Fetcher(ipn_signer))
    oldest = signed(ipn_signer, message_id="old", timestamp=NOW - timedelta(hours=24))
    newest = signed(ipn_signer, message_id="new", timestamp=NOW + timedelta(minutes=5))
    assert check.verify(oldest.body).message_id == "old"
    assert check.verify(newest.body).message_id == "new"


def test_max_age_and_skew_are_settable() -> None:
    ipn_signer = signer()
    check = verifier(Fetcher(ipn_signer), max_age=timedelta(minutes=1), max_clock_skew=timedelta(0))
    old = signed(ipn_signer, timestamp=NOW - timedelta(minutes=2))
    early = signed(ipn_signer, timestamp=NOW + timedelta(seconds=1))
    assert refusal(check, old.body).reason is IPNRefusal.STALE
    assert refusal(check, early.body).reason is IPNRefusal.FROM_THE_FUTURE


@pytest.mark.parametrize(
    "url",
    [
        "http://sns.us-east-1.amazonaws.com/SimpleNotificationService-abc123.pem",
        "https://sns.us-east-1.amazonaws.com.evil.example/SimpleNotificationService-abc123.pem",
        "https://sns.us-east-1.amazonaws.com@evil.example/SimpleNotificationService-abc123.pem",
        "https://evil@sns.us-east-1.amazonaws.com/SimpleNotificationService-abc123.pem",
        "https://sns.us-east-1.amazonaws.com:8443/SimpleNotificationService-abc123.pem",
        "https://sns.us-east-1.amazonaws.com./SimpleNotificationService-abc123.pem",
        "https://sns.s3.amazonaws.com/SimpleNotificationService-abc123.pem",
        "https://snsus-east-1.amazonaws.com/SimpleNotificationService-abc123.pem",
        "https://sns.us-east-1.amazonaws.co/SimpleNotificationService-abc123.pem",
        "https://sns.us-east-1.amazonaws.com/SimpleNotificationService-abc123.pem?x=1",
        "https://sns.us-east-1.amazonaws.com/SimpleNotificationService-abc123.pem#x",
        "https://sns.us-east-1.amazonaws.com/../evil/SimpleNotificationService-abc123.pem",
        "https://sns.us-east-1.amazonaws.com/x/SimpleNotificationService-abc123.pem",
        "https://sns.us-east-1.amazonaws.com/SimpleNotificationService-abc%2F123.pem",
        "https://sns.us-east-1.amazonaws.com\\@evil.example/SimpleNotificationService-a.pem",
        "https://SNS.US-EAST-1.AMAZONAWS.COM/SimpleNotificationService-abc123.pem",
        "https://sns.us-east-1.amazonaws.com/SimpleNotificationService-abc123.pem\n",
        "https://sns.amazonaws.com/SimpleNotificationService-abc123.pem",
        "file:///etc/ssl/cert.pem",
        "",
    ],
)
def test_a_certificate_url_off_amazon_sns_is_refused_unfetched(url: str) -> None:
    ipn_signer = IPNSigner(certificate(), certificate_url=url, topic_arn=TOPIC, clock=lambda: NOW)
    fetcher = Fetcher(ipn_signer)
    error = refusal(verifier(fetcher), signed(ipn_signer).body)
    assert error.reason is IPNRefusal.UNTRUSTED_CERTIFICATE_URL
    assert error.message == f"the SigningCertURL {url!r} is not an Amazon SNS certificate URL"
    assert fetcher.calls == []


@pytest.mark.parametrize(
    "url",
    [
        "https://sns.us-east-1.amazonaws.com/SimpleNotificationService-9c6465fa7f48f5cacd23014631ec1136.pem",
        "https://sns.eu-west-1.amazonaws.com/SimpleNotificationService-abc.pem",
        "https://sns.us-gov-west-1.amazonaws.com/SimpleNotificationService-abc.pem",
        "https://sns.cn-north-1.amazonaws.com.cn/SimpleNotificationService-abc.pem",
        "https://sns.ap-southeast-4.amazonaws.com/SimpleNotificationService-abc.pem",
    ],
)
def test_amazon_sns_certificate_urls_are_accepted(url: str) -> None:
    assert is_sns_certificate_url(url)


def test_a_trusted_certificate_needs_no_fetch_and_no_sns_url() -> None:
    url = "http://127.0.0.1:8080/ipn-certificate.pem"
    ipn_signer = IPNSigner(certificate(), certificate_url=url, topic_arn=TOPIC, clock=lambda: NOW)
    fetcher = Fetcher()
    check = verifier(fetcher, trusted_certificates=ipn_signer.trusted_certificates)
    assert check.verify(signed(ipn_signer).body).seller_id == SELLER
    assert fetcher.calls == []


def test_certificates_are_fetched_once_and_the_cache_is_bounded() -> None:
    signers = [
        IPNSigner(
            certificate(),
            certificate_url=f"https://sns.us-east-1.amazonaws.com/SimpleNotificationService-{n}.pem",
            topic_arn=TOPIC,
            clock=lambda: NOW,
        )
        for n in range(3)
    ]
    fetcher = Fetcher(*signers)
    check = verifier(fetcher, certificate_cache_size=2)
    for number, ipn_signer in enumerate([*signers[:2], signers[0], signers[2], signers[1]]):
        check.verify(signed(ipn_signer, message_id=f"m-{number}").body)
    # 0 and 1 fetched; 0 hit; 2 fetched, evicting 1 (0 was used last); 1 fetched again.
    assert [url[-6:] for url in fetcher.calls] == ["-0.pem", "-1.pem", "-2.pem", "-1.pem"]


def test_a_failing_fetcher_becomes_a_typed_refusal() -> None:
    ipn_signer = signer()

    def broken(url: str) -> bytes:
        raise ConnectionResetError("peer went away")

    error = refusal(verifier(broken), signed(ipn_signer).body)
    assert error.reason is IPNRefusal.CERTIFICATE_UNAVAILABLE
    assert error.message == (
        f"fetching the signing certificate {ipn_signer.certificate_url} failed: ConnectionResetError"
    )


@pytest.mark.parametrize(
    ("pem", "reason"),
    [
        (
            b"-----BEGIN CERTIFICATE-----\nnot a certificate\n-----END CERTIFICATE-----\n",
            IPNRefusal.MALFORMED_CERTIFICATE,
        ),
        (b"x" * (64 * 1024 + 1), IPNRefusal.CERTIFICATE_UNAVAILABLE),
    ],
)
def test_a_fetched_certificate_that_is_no_certificate_is_refused(
    pem: bytes, reason: IPNRefusal
) -> None:
    ipn_signer = signer()
    error = refusal(verifier(lambda url: pem), signed(ipn_signer).body)
    assert error.reason is reason


def test_a_replayed_message_id_is_refused_after_the_first() -> None:
    ipn_signer = signer()
    check = verifier(Fetcher(ipn_signer))
    first = signed(ipn_signer, message_id="same")
    again = signed(ipn_signer, message_id="same", timestamp=NOW - timedelta(minutes=1))
    assert check.verify(first.body).message_id == "same"
    with pytest.raises(IPNReplayed) as caught:
        check.verify(again.body)
    assert caught.value.reason is IPNRefusal.REPLAYED
    assert caught.value.message == "the message same was accepted before"


def test_a_refused_message_is_not_remembered() -> None:
    ipn_signer = signer()
    check = verifier(Fetcher(ipn_signer))
    ipn = signed(ipn_signer, message_id="retry-me")
    tampered = body_with(dict(ipn.envelope), Message=ipn.envelope["Message"] + " ")
    assert refusal(check, tampered).reason is IPNRefusal.BAD_SIGNATURE
    assert check.verify(ipn.body).message_id == "retry-me"


def test_the_message_id_memory_is_bounded_and_forgets_expired_ids() -> None:
    store = MemoryMessageIdStore(capacity=3)
    for number in range(3):
        assert store.remember(f"m{number}", NOW + timedelta(minutes=number + 1), NOW)
    assert store.remember("m1", NOW + timedelta(minutes=9), NOW) is False
    assert store.remember("m3", NOW + timedelta(minutes=9), NOW) is True  # forgets m0, the oldest
    assert len(store) == 3
    assert store.remember("m0", NOW + timedelta(minutes=9), NOW) is True
    later = NOW + timedelta(minutes=3)  # m1 (until +2) and m2 (until +3) have expired
    assert store.remember("m4", later + timedelta(minutes=1), later) is True
    assert len(store) == 3  # m3, m0, m4
    assert store.remember("m2", later + timedelta(minutes=1), later) is True


def test_a_foreign_topic_is_refused_and_named() -> None:
    ipn_signer = signer()
    foreign = "arn:aws:sns:us-east-1:111122223333:SomeoneElse"
    fetcher = Fetcher(ipn_signer)
    error = refusal(verifier(fetcher), signed(ipn_signer, topic_arn=foreign).body)
    assert error.reason is IPNRefusal.FOREIGN_TOPIC
    assert error.message == f"the topic {foreign} is not one of topic_arns"
    assert fetcher.calls == []


def test_without_topic_arns_any_topic_passes() -> None:
    ipn_signer = signer()
    check = verifier(Fetcher(ipn_signer), topic_arns=None)
    foreign = "arn:aws:sns:us-east-1:111122223333:SomeoneElse"
    assert check.verify(signed(ipn_signer, topic_arn=foreign).body).topic_arn == foreign


@pytest.mark.parametrize(
    ("header", "value"),
    [
        ("x-amz-sns-message-type", "SubscriptionConfirmation"),
        ("x-amz-sns-message-id", "another-id"),
        ("X-Amz-Sns-Topic-Arn", "arn:aws:sns:us-east-1:111122223333:SomeoneElse"),
    ],
)
def test_headers_that_disagree_with_the_body_are_refused(header: str, value: str) -> None:
    ipn_signer = signer()
    ipn = signed(ipn_signer)
    headers = {**ipn.headers, header: value}
    if header != header.lower():
        del headers[header.lower()]
    error = refusal(verifier(Fetcher(ipn_signer)), ipn.body, headers=headers)
    assert error.reason is IPNRefusal.HEADER_MISMATCH
    assert error.message.startswith(f"the {header.lower()} header does not match")


@pytest.mark.parametrize("kind", ["SubscriptionConfirmation", "UnsubscribeConfirmation"])
def test_subscription_messages_are_refused_never_confirmed(kind: str) -> None:
    ipn_signer = signer()
    envelope = {
        "Type": kind,
        "MessageId": "m",
        "Token": "t",
        "TopicArn": TOPIC,
        "Message": "You have chosen to subscribe",
        "SubscribeURL": "https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription",
        "Timestamp": "2026-12-03T10:00:00.000Z",
        "SignatureVersion": "1",
    }
    fetcher = Fetcher(ipn_signer)
    error = refusal(verifier(fetcher), json.dumps(ipn_signer.signed(envelope)))
    assert error.reason is IPNRefusal.NOT_A_NOTIFICATION
    assert error.message == (
        f"an Amazon Pay IPN is a Notification, not a {kind!r}; subscriptions are never confirmed"
    )
    assert fetcher.calls == []


@pytest.mark.parametrize(
    ("change", "reason", "text"),
    [
        (
            {"SignatureVersion": "3"},
            IPNRefusal.UNSUPPORTED_SIGNATURE_VERSION,
            "SignatureVersion must be 1 or 2; got '3'",
        ),
        (
            {"Signature": "not base64!"},
            IPNRefusal.MALFORMED_SIGNATURE,
            "the Signature is not base64",
        ),
        ({"Signature": "A" * 3000}, IPNRefusal.MALFORMED_SIGNATURE, "the Signature is too long"),
        (
            {"Timestamp": "yesterday"},
            IPNRefusal.MALFORMED_ENVELOPE,
            "the Timestamp is not an ISO 8601 time with a zone: 'yesterday'",
        ),
        (
            {"Timestamp": "2026-12-03T10:00:00"},
            IPNRefusal.MALFORMED_ENVELOPE,
            "the Timestamp is not an ISO 8601 time with a zone: '2026-12-03T10:00:00'",
        ),
        (
            {"MessageId": 7},
            IPNRefusal.MALFORMED_ENVELOPE,
            "the Amazon SNS message has no string MessageId",
        ),
        ({"Subject": ["x"]}, IPNRefusal.MALFORMED_ENVELOPE, "the Subject is not a string"),
    ],
)
def test_malformed_envelope_fields_are_refused(change, reason, text) -> None:  # type: ignore[no-untyped-def]
    ipn_signer = signer()
    ipn = signed(ipn_signer)
    error = refusal(verifier(Fetcher(ipn_signer)), body_with(dict(ipn.envelope), **change))
    assert (error.reason, error.message) == (reason, text)


@pytest.mark.parametrize(
    ("body", "text"),
    [
        (b"", "the body is not a JSON Amazon SNS message"),
        (b"{not json", "the body is not a JSON Amazon SNS message"),
        (b"\xff\xfe{}", "the body is not a JSON Amazon SNS message"),
        (b"[" * 100_000 + b"]" * 100_000, "the body is not a JSON Amazon SNS message"),
        (b"[]", "the body is not a JSON object"),
        (
            b"{}",
            "the Amazon SNS message has no string Type, MessageId, TopicArn, Message, "
            "Timestamp, SignatureVersion, Signature, SigningCertURL",
        ),
        (
            '{"Type": "Notification"}',
            "the Amazon SNS message has no string MessageId, TopicArn, "
            "Message, Timestamp, SignatureVersion, Signature, SigningCertURL",
        ),
    ],
)
def test_bodies_that_are_no_sns_message_are_refused(body: bytes | str, text: str) -> None:
    error = refusal(verifier(Fetcher()), body)
    assert (error.reason, error.message) == (IPNRefusal.MALFORMED_ENVELOPE, text)


@pytest.mark.parametrize("body", [b" " * (1024 * 1024 + 1), " " * (1024 * 1024 + 1), "é" * 600_000])
def test_a_huge_body_is_refused_before_parsing(body: bytes | str) -> None:
    error = refusal(verifier(Fetcher()), body)
    assert (error.reason, error.message) == (
        IPNRefusal.BODY_TOO_LARGE,
        "the body is larger than 1048576 bytes",
    )


def test_errors_pickle_with_their_reason() -> None:
    error = refusal(verifier(Fetcher()), b"[]")
    copy = pickle.loads(pickle.dumps(error))
    assert (type(copy), copy.reason, str(copy)) == (
        IPNVerificationError,
        IPNRefusal.MALFORMED_ENVELOPE,
        "IPNVerificationError: the body is not a JSON object",
    )


@pytest.mark.parametrize(
    ("options", "text"),
    [
        ({"topic_arns": TOPIC}, "topic_arns must be an iterable of topic ARNs, not one string"),
        (
            {"max_age": timedelta(seconds=-1)},
            "max_age must be a timedelta of zero or more; got datetime.timedelta(days=-1, seconds=86399)",
        ),
        ({"max_clock_skew": 5}, "max_clock_skew must be a timedelta of zero or more; got 5"),
        (
            {"certificate_cache_size": 0},
            "certificate_cache_size must be a whole number of at least 1; got 0",
        ),
        ({"max_body_bytes": True}, "max_body_bytes must be a whole number of at least 1; got True"),
        ({"max_xml_nodes": 1.5}, "max_xml_nodes must be a whole number of at least 1; got 1.5"),
        ({"replay_capacity": 0}, "capacity must be a whole number of at least 1; got 0"),
    ],
)
def test_bad_options_are_refused_naming_them(options: dict[str, object], text: str) -> None:
    with pytest.raises((TypeError, ValueError)) as caught:
        IPNVerifier(**options)  # type: ignore[arg-type]
    assert str(caught.value) == text


def test_a_given_message_id_store_is_the_one_used() -> None:
    ipn_signer = signer()
    store = MemoryMessageIdStore(capacity=5)
    check = verifier(Fetcher(ipn_signer), message_ids=store)
    check.verify(signed(ipn_signer, message_id="kept").body)
    assert len(store) == 1
    assert store.remember("kept", NOW + timedelta(hours=1), NOW) is False


CERT_URL = "https://sns.us-east-1.amazonaws.com/SimpleNotificationService-abc.pem"


def mock_client(handler: Callable[[httpx.Request], httpx.Response]) -> httpx.Client:
    return httpx.Client(transport=httpx.MockTransport(handler))


def test_the_https_fetcher_gets_the_pem_without_decoding_or_redirects() -> None:
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, stream=httpx.ByteStream(b"PEM"))

    with mock_client(answer) as client:
        assert fetch_certificate_https(CERT_URL, client=client) == b"PEM"
    assert [(str(item.url), item.headers["accept-encoding"]) for item in seen] == [
        (CERT_URL, "identity")
    ]


@pytest.mark.parametrize(
    ("answer", "text"),
    [
        (httpx.Response(404), f"fetching the signing certificate {CERT_URL} answered HTTP 404"),
        (
            httpx.Response(301, headers={"Location": "https://evil.example/cert.pem"}),
            f"fetching the signing certificate {CERT_URL} answered HTTP 301",
        ),
        (
            httpx.Response(200, stream=httpx.ByteStream(b"x" * (64 * 1024 + 1))),
            f"the signing certificate {CERT_URL} is larger than 65536 bytes",
        ),
    ],
)
def test_the_https_fetcher_refuses_what_is_no_certificate(
    answer: httpx.Response, text: str
) -> None:
    with (
        mock_client(lambda request: answer) as client,
        pytest.raises(IPNVerificationError) as caught,
    ):
        fetch_certificate_https(CERT_URL, client=client)
    assert (caught.value.reason, caught.value.message) == (
        IPNRefusal.CERTIFICATE_UNAVAILABLE,
        text,
    )


def test_the_https_fetcher_turns_transport_errors_into_refusals() -> None:
    def fail(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectTimeout("timed out", request=request)

    with mock_client(fail) as client, pytest.raises(IPNVerificationError) as caught:
        fetch_certificate_https(CERT_URL, client=client)
    assert caught.value.message == (
        f"fetching the signing certificate {CERT_URL} failed: ConnectTimeout"
    )


def test_the_https_fetcher_never_inflates_a_compressed_answer() -> None:
    packed = gzip.compress(b"\0" * 10_000_000)

    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            200, headers={"Content-Encoding": "gzip"}, stream=httpx.ByteStream(packed)
        )

    with mock_client(answer) as client:
        assert fetch_certificate_https(CERT_URL, client=client) == packed


def test_the_https_fetcher_uses_a_client_of_its_own_by_default() -> None:
    url = "https://127.0.0.1:1/SimpleNotificationService-abc.pem"  # nothing listens on port 1
    with pytest.raises(IPNVerificationError) as caught:
        fetch_certificate_https(url)
    assert caught.value.message == f"fetching the signing certificate {url} failed: ConnectError"


@pytest.mark.parametrize(
    ("body", "headers", "text"),
    [
        (
            {"Type": "Notification"},
            None,
            "body must be the request body as bytes or str; got <class 'dict'>",
        ),
        (
            memoryview(b"{}"),
            None,
            "body must be the request body as bytes or str; got <class 'memoryview'>",
        ),
        (
            b"{}",
            [("x-amz-sns-message-id", "m")],
            "headers must be a mapping of names to values; got <class 'list'>",
        ),
    ],
)
def test_wrong_arguments_are_refused_before_anything_else(
    body: object, headers: object, text: str
) -> None:
    fetcher = Fetcher()
    with pytest.raises(TypeError) as caught:
        verifier(fetcher).verify(body, headers=headers)  # type: ignore[arg-type]
    assert str(caught.value) == text


def test_header_values_must_be_text() -> None:
    ipn_signer = signer()
    ipn = signed(ipn_signer)
    headers = {**ipn.headers, "x-amz-sns-message-id": ipn.envelope["MessageId"].encode()}
    with pytest.raises(TypeError) as caught:
        verifier(Fetcher(ipn_signer)).verify(ipn.body, headers=headers)  # type: ignore[arg-type]
    assert str(caught.value) == "header values must be str; x-amz-sns-message-id is <class 'bytes'>"


def test_a_bytearray_body_is_read_like_bytes() -> None:
    ipn_signer = signer()
    ipn = signed(ipn_signer)
    notification = verifier(Fetcher(ipn_signer)).verify(bytearray(ipn.body))
    assert notification.message_id == ipn.envelope["MessageId"]
