"""The Amazon Pay reference's documented example requests, byte for byte.

The cases are those of tests/protocol/cases/off_amazon_payments.yaml that hold an `example`.
The docs print each request's access key, seller id, MWS auth token, time and parameter lines,
but no secret key (their signatures are placeholders ending in EXAMPLE), so the signature here
is the one this suite's SECRET_KEY gives. For each example:

- the pinned string to sign is POST, the documented host and path, and the documented lines
  (after the case's recorded `differences`) joined in canonical order, and the pinned
  signature is its HmacSHA256 signature, recomputed here independently of the runtime;
- the case's wire pairs plus the common parameters are exactly the documented lines, so the
  fragment that the client and sandbox wire tests run is the docs' request too;
- the installed client, made with the example's credentials and clock, sends exactly that
  body (the documented lines and the pinned signature) to the documented URL.
"""

from __future__ import annotations

import importlib
from typing import Any
from urllib.parse import parse_qsl

import httpx
import pytest
import wire_cases as wc

import mwskit

EXAMPLES = [case for case in wc.all_cases() if case.example is not None]
# The documented paths (reference/off_amazon_payments/reference.yaml service.paths): the docs
# examples and the official SDKs write them without a trailing slash.
PATHS = {False: "/OffAmazonPayments/2013-01-01", True: "/OffAmazonPayments_Sandbox/2013-01-01"}
# Operations whose documented example request was found (see the case file's header for the
# others and why).
DOCUMENTED = {
    "AuthorizeOnBillingAgreement",
    "CancelOrderReference",
    "Capture",
    "CloseAuthorization",
    "CloseBillingAgreement",
    "CloseOrderReference",
    "ConfirmBillingAgreement",
    "ConfirmOrderReference",
    "CreateOrderReferenceForId",
    "GetAuthorizationDetails",
    "GetBillingAgreementDetails",
    "GetOrderReferenceDetails",
    "GetServiceStatus",
    "Refund",
    "SetBillingAgreementDetails",
    "SetOrderReferenceDetails",
    "ValidateBillingAgreement",
}


def example(case: wc.Case) -> wc.Example:
    assert case.example is not None
    return case.example


class Recorder:
    """A MockTransport handler: records each request, answers the action's empty response."""

    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        action = dict(parse_qsl(request.content.decode("ascii")))["Action"]
        return httpx.Response(200, content=f"<{action}Response/>".encode())


def test_each_documented_example_is_one_case() -> None:
    actions = [case.action for case in EXAMPLES]
    assert sorted(actions) == sorted(DOCUMENTED)
    assert all(case.file == "off_amazon_payments" for case in EXAMPLES)


@pytest.mark.parametrize("case", EXAMPLES, ids=wc.case_ids(EXAMPLES))
def test_the_pinned_string_to_sign_and_signature(case: wc.Case) -> None:
    documented = example(case)
    assert documented.string_to_sign.split("\n") == [
        "POST",
        wc.HOST,
        PATHS[documented.sandbox],
        "&".join(documented.expected_lines()),
    ]
    assert wc.signature(documented.string_to_sign) == documented.signature


@pytest.mark.parametrize("case", EXAMPLES, ids=wc.case_ids(EXAMPLES))
def test_the_case_wire_is_the_documented_request(case: wc.Case) -> None:
    documented = example(case)
    assert case.wire is not None
    common = [
        ("AWSAccessKeyId", documented.access_key),
        ("Action", case.action),
        ("SellerId", documented.seller_id),
        ("SignatureMethod", "HmacSHA256"),
        ("SignatureVersion", "2"),
        ("Timestamp", documented.timestamp.strftime("%Y-%m-%dT%H:%M:%SZ")),
        ("Version", "2013-01-01"),
    ]
    if documented.auth_token is not None:
        common.append(("MWSAuthToken", documented.auth_token))
    assert wc.canonical(common + list(case.wire)) == documented.expected_lines()


def sent(case: wc.Case) -> httpx.Request:
    documented = example(case)
    assert case.real_operation is not None
    module, method = case.real_operation.split(".")
    recorder = Recorder()
    options: dict[str, Any] = {"amazon_pay_sandbox": True} if documented.sandbox else {}
    mws = mwskit.MWS(
        access_key=documented.access_key,
        secret_key=wc.SECRET_KEY,
        seller_id=documented.seller_id,
        auth_token=documented.auth_token,
        transport=httpx.MockTransport(recorder),
        clock=lambda: documented.timestamp,
        throttle="off",
        **options,
    )
    models = importlib.import_module(f"mwskit.{module}.models")
    try:
        getattr(getattr(mws, module), method)(**wc.arguments(case, models))
    finally:
        mws.close()
    assert len(recorder.requests) == 1, recorder.requests
    return recorder.requests[0]


@pytest.mark.parametrize("case", EXAMPLES, ids=wc.case_ids(EXAMPLES))
def test_the_client_sends_the_documented_request(case: wc.Case) -> None:
    documented = example(case)
    request = sent(case)
    assert request.method == "POST"
    assert str(request.url) == f"https://{wc.HOST}{PATHS[documented.sandbox]}"
    assert request.url.query == b""
    assert request.headers["content-type"] == wc.FORM
    body = "&".join(documented.expected_lines()) + "&Signature=" + wc.enc(documented.signature)
    assert request.content.decode("ascii") == body
