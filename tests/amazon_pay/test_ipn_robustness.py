"""The verifier under damaged input and concurrent use: nothing but IPNVerificationError escapes,
a damaged signed field never passes, and one message is accepted once across threads."""

from __future__ import annotations

import json
import threading

from ipn_support import Fetcher, signed, signer, verifier

from mwskit.off_amazon_payments.ipn import IPNReplayed, IPNVerificationError

SIGNED = ("Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type", "Signature")


def test_every_damaged_byte_is_refused_or_leaves_the_signed_fields_as_they_were() -> None:
    ipn_signer = signer()
    ipn = signed(ipn_signer)
    body = ipn.body
    check = verifier(Fetcher(ipn_signer), topic_arns=None)
    check.verify(body)  # the original is accepted once; equivalent copies are then replays
    passed = refused = 0
    for position in range(len(body)):
        damaged = body[:position] + bytes([body[position] ^ 0x20]) + body[position + 1 :]
        try:
            check.verify(damaged)
        except IPNReplayed:
            passed += 1
            envelope = json.loads(damaged)
            assert {name: envelope.get(name) for name in SIGNED} == {
                name: ipn.envelope.get(name) for name in SIGNED
            }, position
        except IPNVerificationError:
            refused += 1
    assert refused > len(body) * 9 // 10
    assert passed + refused == len(body)


def test_every_truncation_is_refused() -> None:
    ipn_signer = signer()
    body = signed(ipn_signer).body
    check = verifier(Fetcher(ipn_signer))
    refused = 0
    for end in range(len(body)):
        try:
            check.verify(body[:end])
        except IPNVerificationError:
            refused += 1
    assert refused == len(body)


def test_one_message_is_accepted_once_across_threads() -> None:
    ipn_signer = signer()
    body = signed(ipn_signer, message_id="raced").body
    check = verifier(Fetcher(ipn_signer))
    start = threading.Barrier(8)
    outcomes: list[str] = []

    def receive() -> None:
        start.wait()
        try:
            check.verify(body)
            outcomes.append("accepted")
        except IPNReplayed:
            outcomes.append("replayed")

    threads = [threading.Thread(target=receive) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["accepted"] + ["replayed"] * 7
