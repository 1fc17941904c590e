"""The sandbox sends signed IPNs to a merchant's endpoint over real HTTP, and the client's
verifier accepts them when it trusts the sandbox's certificate."""

from __future__ import annotations

import subprocess
import sys
import threading
from collections.abc import Iterator
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

import mwskit
from mwskit.off_amazon_payments.ipn import (
    AuthorizationNotification,
    BillingAgreementNotification,
    CaptureNotification,
    IPNVerificationError,
    IPNVerifier,
    OrderReferenceNotification,
    RefundNotification,
)
from mwskit.off_amazon_payments.models import OrderReferenceAttributesInput, PriceInput
from mwskit.sandbox import Sandbox, SandboxServer, start
from mwskit.sandbox.__main__ import main

AK, SK, SELLER = "AKIPN", "ipn-secret", "A1IPNSELLER"


class Receiver(ThreadingHTTPServer):
    """A merchant's IPN endpoint: keeps each POST's body and headers."""

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.received: list[tuple[bytes, dict[str, str]]] = []

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/ipn"


class _Handler(BaseHTTPRequestHandler):
    server: Receiver

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.server.received.append((body, dict(self.headers.items())))
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def receiver() -> Iterator[Receiver]:
    server = Receiver()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    thread.join()
    server.server_close()


@pytest.fixture(scope="module")
def sandbox(receiver: Receiver) -> Sandbox:
    return Sandbox({AK: SK}, throttling=False, ipn_url=receiver.url)


@pytest.fixture(scope="module")
def server(sandbox: Sandbox) -> Iterator[SandboxServer]:
    with start(sandbox) as running:
        yield running


@pytest.fixture(scope="module")
def pay(server: SandboxServer) -> Any:
    mws = mwskit.MWS(
        access_key=AK,
        secret_key=SK,
        seller_id=SELLER,
        endpoint=server.url,
        retries=mwskit.RetryPolicy(max_attempts=1),
        throttle="off",
    )
    return mws.off_amazon_payments


def usd(amount: str) -> PriceInput:
    return PriceInput(amount=Decimal(amount), currency_code="USD")


def test_each_change_of_state_is_delivered_signed_and_verifies(
    sandbox: Sandbox, receiver: Receiver, pay: Any
) -> None:
    assert sandbox.ipn is not None
    verifier = IPNVerifier(
        trusted_certificates=sandbox.ipn.trusted_certificates, topic_arns=[sandbox.ipn.topic_arn]
    )
    oid = "S01-7000001-0000001"
    attributes = OrderReferenceAttributesInput(order_total=usd("30.00"))
    pay.set_order_reference_details(
        amazon_order_reference_id=oid, order_reference_attributes=attributes
    )
    pay.confirm_order_reference(amazon_order_reference_id=oid)
    authorization = pay.authorize(
        amazon_order_reference_id=oid,
        authorization_reference_id="ipn-auth",
        authorization_amount=usd("30.00"),
    ).authorization_details
    capture = pay.capture(
        amazon_authorization_id=authorization.amazon_authorization_id,
        capture_reference_id="ipn-cap",
        capture_amount=usd("30.00"),
    ).capture_details
    pay.refund(
        amazon_capture_id=capture.amazon_capture_id,
        refund_reference_id="ipn-ref",
        refund_amount=usd("10.00"),
    )
    seen = [verifier.verify(body, headers=headers) for body, headers in receiver.received]
    kinds = [(type(note).__name__, _state(note)) for note in seen]
    assert kinds == [
        ("OrderReferenceNotification", "Open"),
        ("AuthorizationNotification", "Pending"),
        ("AuthorizationNotification", "Open"),
        ("CaptureNotification", "Completed"),
        ("AuthorizationNotification", "Closed"),
        ("RefundNotification", "Pending"),
        ("RefundNotification", "Completed"),
    ]
    assert all(note.seller_id == SELLER for note in seen)
    assert sandbox.ipn.delivered == 7 and sandbox.ipn.failed == 0
    closed = seen[4]
    assert isinstance(closed, AuthorizationNotification)
    assert closed.details.id_list == [capture.amazon_capture_id]


def test_billing_agreement_changes_are_delivered(
    sandbox: Sandbox, receiver: Receiver, pay: Any
) -> None:
    assert sandbox.ipn is not None
    verifier = IPNVerifier(
        trusted_certificates=sandbox.ipn.trusted_certificates, topic_arns=[sandbox.ipn.topic_arn]
    )
    receiver.received.clear()
    bid = "C01-7000003-0000001"
    pay.get_billing_agreement_details(amazon_billing_agreement_id=bid)
    pay.confirm_billing_agreement(amazon_billing_agreement_id=bid)
    pay.close_billing_agreement(amazon_billing_agreement_id=bid, closure_reason="done")
    seen = [verifier.verify(body, headers=headers) for body, headers in receiver.received]
    assert all(isinstance(note, BillingAgreementNotification) for note in seen)
    states = [str(note.details.billing_agreement_status.state) for note in seen]
    assert states == ["Open", "Closed"]
    assert seen[0].details.amazon_billing_agreement_id == bid


def _state(note: Any) -> str:
    if isinstance(note, OrderReferenceNotification):
        return str(note.details.order_reference_status.state)
    if isinstance(note, AuthorizationNotification):
        return str(note.details.authorization_status.state)
    if isinstance(note, CaptureNotification):
        return str(note.details.capture_status.state)
    if isinstance(note, RefundNotification):
        return str(note.details.refund_status.state)
    raise AssertionError(f"unexpected notification {note!r}")


def test_a_verifier_that_does_not_trust_the_sandbox_refuses_its_ipns(
    receiver: Receiver, pay: Any
) -> None:
    bid = "C01-7000004-0000001"
    pay.get_billing_agreement_details(amazon_billing_agreement_id=bid)
    pay.confirm_billing_agreement(amazon_billing_agreement_id=bid)  # one IPN: Open
    body, headers = receiver.received[-1]
    stranger = Sandbox({AK: SK}, ipn_url=receiver.url).ipn
    assert stranger is not None
    verifier = IPNVerifier(
        trusted_certificates=stranger.trusted_certificates, topic_arns=[stranger.topic_arn]
    )
    with pytest.raises(IPNVerificationError):
        verifier.verify(body, headers=headers)


def test_an_unreachable_endpoint_counts_as_failed() -> None:
    sandbox = Sandbox({AK: SK}, throttling=False, ipn_url="http://127.0.0.1:9/ipn")
    with start(sandbox) as running:
        mws = mwskit.MWS(access_key=AK, secret_key=SK, seller_id=SELLER, endpoint=running.url)
        oid = "S01-7000002-0000001"
        mws.off_amazon_payments.set_order_reference_details(
            amazon_order_reference_id=oid,
            order_reference_attributes=OrderReferenceAttributesInput(order_total=usd("1.00")),
        )
        mws.off_amazon_payments.confirm_order_reference(amazon_order_reference_id=oid)
        mws.close()
    assert sandbox.ipn is not None
    assert (sandbox.ipn.delivered, sandbox.ipn.failed) == (0, 1)


def test_ipn_url_must_be_http() -> None:
    with pytest.raises(ValueError, match="ipn_url must be an http:// or https:// URL"):
        Sandbox({AK: SK}, ipn_url="ftp://example.com/ipn")


@pytest.mark.slow  # a Python process starting and making its key: about 3 s
def test_the_command_writes_the_certificate_it_signs_with(
    tmp_path: Path, receiver: Receiver
) -> None:
    pem = tmp_path / "ipn-cert.pem"
    command = [
        sys.executable,
        "-m",
        "mwskit.sandbox",
        "--port",
        "0",
        "--access-key",
        AK,
        "--secret-key",
        SK,
        "--ipn-url",
        receiver.url,
        "--ipn-certificate",
        str(pem),
    ]
    process = subprocess.Popen(command, stderr=subprocess.PIPE, text=True)
    try:
        line = process.stderr.readline() if process.stderr else ""
    finally:
        process.terminate()
        process.wait(timeout=10)
    assert line.startswith(
        f"mwskit sandbox: IPNs to {receiver.url}, signed by the certificate at https://sns."
    )
    assert pem.read_bytes().startswith(b"-----BEGIN CERTIFICATE-----\n")


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--ipn-certificate", "cert.pem"], "--ipn-certificate needs --ipn-url"),
        (["--ipn-url", "ftp://example.com/ipn"], "ipn_url must be an http:// or https:// URL"),
    ],
)
def test_the_command_refuses_ipn_options_that_cannot_work(
    options: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["--port", "0", "--access-key", AK, "--secret-key", SK, *options])
    assert exited.value.code == 2
    assert message in capsys.readouterr().err
