"""A fake Amazon Pay that honours the documented reference-id rule and counts every charge.

The rule (docs:authorize, docs:capture, docs:error-codes): a request with a reference id already
used for the same action and the same parameters answers the object the first request made,
without acting again; the same id with other parameters is 400 DuplicateRequest, the same id in
another action 400 DuplicateReferenceId. Every object's details carry its reference id and its
parent's IdList lists it, which is how a client can find it without resending.

`executions[reference id]` counts how many times a money-moving request was carried out: the
number every test holds to at most one. Faults (the kinds of tests/faults/fault_kinds.py) are
injected per attempt; each kind says whether the request was carried out before it struck.
"""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from urllib.parse import parse_qsl

import httpx
from fault_kinds import FAR_OFF_TIMES, GATEWAY_503, XHTML_PAGE, DripStream, FakeTimer, gzip_bomb

NS = "http://mws.amazonservices.com/schema/OffAmazonPayments/2013-01-01"
UNSIGNED = ("Signature", "Timestamp")  # what differs between two sendings of one request
# action -> (reference-id parameter, parent-id parameter, amount parameter, kind of what it makes)
MONEY = {
    "Authorize": ("AuthorizationReferenceId", "AmazonOrderReferenceId", "AuthorizationAmount", "A"),
    "Capture": ("CaptureReferenceId", "AmazonAuthorizationId", "CaptureAmount", "C"),
    "Refund": ("RefundReferenceId", "AmazonCaptureId", "RefundAmount", "R"),
    "ReverseProviderCredit": (
        "CreditReversalReferenceId",
        "AmazonProviderCreditId",
        "CreditReversalAmount",
        "Q",
    ),
    "AuthorizeOnBillingAgreement": (
        "AuthorizationReferenceId",
        "AmazonBillingAgreementId",
        "AuthorizationAmount",
        "A",
    ),
}
# kind letter -> (details element, id element, reference-id element, amount element, state element)
DETAILS = {
    "A": (
        "AuthorizationDetails",
        "AmazonAuthorizationId",
        "AuthorizationReferenceId",
        "AuthorizationAmount",
        "AuthorizationStatus",
    ),
    "C": (
        "CaptureDetails",
        "AmazonCaptureId",
        "CaptureReferenceId",
        "CaptureAmount",
        "CaptureStatus",
    ),
    "R": ("RefundDetails", "AmazonRefundId", "RefundReferenceId", "RefundAmount", "RefundStatus"),
    "Q": (
        "ProviderCreditReversalDetails",
        "AmazonProviderCreditReversalId",
        "CreditReversalReferenceId",
        "CreditReversalAmount",
        "CreditReversalStatus",
    ),
}
# read action -> (id parameter, details element, child list element)
CREATED = "2024-03-01T10:00:00Z"
# What an answer always holds besides the ids (the result fields the spec marks required).
ALWAYS_SENT = {
    "OrderReferenceDetails": (
        "<OrderReferenceStatus><State>Open</State></OrderReferenceStatus>"
        f"<CreationTimestamp>{CREATED}</CreationTimestamp>"
    ),
}
READS = {
    "GetOrderReferenceDetails": ("AmazonOrderReferenceId", "OrderReferenceDetails", "IdList"),
    "GetAuthorizationDetails": ("AmazonAuthorizationId", "AuthorizationDetails", "IdList"),
    "GetCaptureDetails": ("AmazonCaptureId", "CaptureDetails", "IdList"),
    "GetRefundDetails": ("AmazonRefundId", "RefundDetails", None),
    "GetProviderCreditDetails": (
        "AmazonProviderCreditId",
        "ProviderCreditDetails",
        "CreditReversalIdList",
    ),
    "GetProviderCreditReversalDetails": (
        "AmazonProviderCreditReversalId",
        "ProviderCreditReversalDetails",
        None,
    ),
}
# What a fault kind did to the request: "refused" (never carried out), "lost" (nothing arrived)
# or "after" (carried out, then the answer went wrong).
BEFORE = {"error503_unavailable", "throttled", "quota_exceeded"}


@dataclass
class Thing:
    """An object the fake holds: its id, its reference id, its children's ids, its amount."""

    id: str
    kind: str  # O (order reference), B (billing agreement), P (provider credit), or DETAILS key
    reference: str = ""
    amount: str = "0"
    children: list[str] = field(default_factory=list)


@dataclass
class Remembered:
    action: str
    params: frozenset[tuple[str, str]]
    thing: Thing


class FakeAmazonPay:
    """An httpx.MockTransport handler. `fault(action, form) -> kind name | None` decides which
    requests meet which fault; the fake's own rule decides everything else."""

    def __init__(
        self, timer: FakeTimer, fault: Callable[[str, dict[str, str]], str | None]
    ) -> None:
        self.timer = timer
        self.fault = fault
        self.things: dict[str, Thing] = {}
        self.remembered: dict[str, Remembered] = {}
        self.executions: Counter[str] = Counter()
        self.sendings: defaultdict[str, set[frozenset[tuple[str, str]]]] = defaultdict(set)
        self.requests: list[str] = []
        self._serial = 0

    # --------------------------------------------------------------- fixtures
    def add(self, kind: str, thing_id: str, parent: str | None = None) -> str:
        self.things[thing_id] = Thing(thing_id, kind)
        if parent is not None:
            self.things[parent].children.append(thing_id)
        return thing_id

    # --------------------------------------------------------------- transport
    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self)

    def __call__(self, request: httpx.Request) -> httpx.Response:
        form = dict(parse_qsl(request.read().decode()))
        action = form["Action"]
        self.requests.append(action)
        kind = self.fault(action, form)
        if action in MONEY:
            params = frozenset((k, v) for k, v in form.items() if k not in UNSIGNED)
            self.sendings[form[MONEY[action][0]]].add(params)
        if kind in BEFORE:
            return self._refusal(kind)
        if kind == "connection_refused":
            raise httpx.ConnectError("[Errno 111] Connection refused")
        if kind == "clock_far_off" and self._coin() < 0.5:
            return self._error(400, "RequestExpired", "Request has expired.", FAR_OFF_TIMES[0])
        status, body = self._act(action, form)
        return self._answer(kind, action, status, body)

    # --------------------------------------------------------------- the rule
    def _act(self, action: str, form: dict[str, str]) -> tuple[int, bytes]:
        if action in READS:
            return self._read(action, form)
        reference_param, parent_param, amount, letter = MONEY[action]
        reference = form[reference_param]
        params = frozenset((k, v) for k, v in form.items() if k not in UNSIGNED)
        seen = self.remembered.get(reference)
        if seen is not None:
            if seen.action != action:
                return self._error_body(400, "DuplicateReferenceId", f"{reference} was used")
            if seen.params != params:
                return self._error_body(400, "DuplicateRequest", f"{reference} differs")
            return 200, self._money_answer(action, seen.thing)  # the same object, nothing done
        parent = self.things.get(form[parent_param])
        if parent is None:
            return self._error_body(404, "InvalidTransactionId", "unknown id")
        self._serial += 1
        thing = Thing(
            f"{parent.id}-{letter}{self._serial:07d}",
            letter,
            reference,
            form[f"{amount}.Amount"],
        )
        if action == "AuthorizeOnBillingAgreement":  # a new order reference holds it
            order = self.add("O", f"S01-{self._serial:07d}-0000000", None)
            self.things[order].children.append(thing.id)
        else:
            parent.children.append(thing.id)
        self.things[thing.id] = thing
        self.remembered[reference] = Remembered(action, params, thing)
        self.executions[reference] += 1
        return 200, self._money_answer(action, thing)

    def _read(self, action: str, form: dict[str, str]) -> tuple[int, bytes]:
        id_param, element, children = READS[action]
        thing = self.things.get(form[id_param])
        if thing is None:
            return self._error_body(404, "InvalidTransactionId", "unknown id")
        members = "".join(f"<member>{child}</member>" for child in thing.children)
        listed = f"<{children}>{members}</{children}>" if children else ""
        if thing.kind in DETAILS:
            return 200, self._envelope(action, self._details(thing, listed))
        always = ALWAYS_SENT.get(element, "")
        inner = f"<{element}><{id_param}>{thing.id}</{id_param}>{listed}{always}</{element}>"
        return 200, self._envelope(action, inner)

    def _details(self, thing: Thing, listed: str = "") -> str:
        element, id_element, reference_element, amount, state = DETAILS[thing.kind]
        return (
            f"<{element}><{id_element}>{thing.id}</{id_element}>"
            f"<{reference_element}>{thing.reference}</{reference_element}>"
            f"<{amount}><Amount>{thing.amount}</Amount><CurrencyCode>USD</CurrencyCode></{amount}>"
            f"<{state}><State>Open</State></{state}>{listed}"
            f"<CreationTimestamp>{CREATED}</CreationTimestamp></{element}>"
        )

    def _money_answer(self, action: str, thing: Thing) -> bytes:
        inner = self._details(thing)
        if action == "AuthorizeOnBillingAgreement":
            order = next(
                t.id for t in self.things.values() if thing.id in t.children and t.kind == "O"
            )
            inner = f"<AmazonOrderReferenceId>{order}</AmazonOrderReferenceId>{inner}"
        return self._envelope(action, inner)

    # --------------------------------------------------------------- answers
    def _envelope(self, action: str, inner: str) -> bytes:
        self._serial += 1
        return (
            f'<{action}Response xmlns="{NS}"><{action}Result>{inner}</{action}Result>'
            f"<ResponseMetadata><RequestId>fake-{self._serial}</RequestId></ResponseMetadata>"
            f"</{action}Response>"
        ).encode()

    def _headers(self, stamp: str | None = None) -> dict[str, str]:
        now = self.timer.wall().strftime("%Y-%m-%dT%H:%M:%S.000Z")
        return {"content-type": "text/xml", "x-mws-timestamp": stamp or now}

    def _error_body(self, status: int, code: str, message: str) -> tuple[int, bytes]:
        body = (
            f'<ErrorResponse xmlns="{NS}"><Error><Type>Sender</Type><Code>{code}</Code>'
            f"<Message>{message}</Message></Error><RequestID>fake-error</RequestID></ErrorResponse>"
        )
        return status, body.encode()

    def _error(
        self, status: int, code: str, message: str, stamp: str | None = None
    ) -> httpx.Response:
        status, body = self._error_body(status, code, message)
        return httpx.Response(status, content=body, headers=self._headers(stamp))

    def _refusal(self, kind: str) -> httpx.Response:
        if kind == "error503_unavailable":
            return self._error(503, "ServiceUnavailable", "Service is temporarily unavailable.")
        if kind == "throttled":
            return self._error(503, "RequestThrottled", "Request is throttled")
        resets = (self.timer.wall() + timedelta(seconds=90)).strftime("%Y-%m-%dT%H:%M:%S.000Z")
        response = self._error(503, "QuotaExceeded", "You exceeded your quota.")
        response.headers.update({"x-mws-quota-remaining": "0", "x-mws-quota-resetsOn": resets})
        return response

    def _coin(self) -> float:
        return random.Random(f"coin/{len(self.requests)}").random()

    def _answer(self, kind: str | None, action: str, status: int, body: bytes) -> httpx.Response:
        """The answer after the request was carried out: sound, or spoilt by `kind`."""
        headers = self._headers()
        if kind is None or status != 200:
            return httpx.Response(status, content=body, headers=headers)
        if kind == "error500_internal":
            return self._error(500, "InternalError", "We encountered an internal error.")
        if kind == "error503_gateway":
            return httpx.Response(503, content=GATEWAY_503, headers={"content-type": "text/plain"})
        if kind == "reset_after_body":
            raise httpx.ReadError("[Errno 104] Connection reset by peer")
        if kind == "read_timeout":
            raise httpx.ReadTimeout("The read operation timed out")
        if kind == "ok_truncated":
            return httpx.Response(200, content=body[: len(body) // 2], headers=headers)
        if kind == "ok_malformed":
            return httpx.Response(200, content=body.replace(b"</", b"<", 2), headers=headers)
        if kind == "ok_wrong_root":
            return httpx.Response(200, content=XHTML_PAGE, headers=headers)
        if kind == "ok_undecodable":
            headers["content-encoding"] = "gzip"
            return httpx.Response(200, content=b"\x1f\x8b not gzip " + body[:40], headers=headers)
        if kind == "slow_drip":
            return httpx.Response(200, stream=DripStream(body, self.timer), headers=headers)
        if kind == "huge_elements":
            huge = body.replace(
                f"</{action}Result>".encode(), b"<Junk/>" * 5_000 + f"</{action}Result>".encode()
            )
            return httpx.Response(200, content=huge, headers=headers)
        if kind == "gzip_bomb":
            headers["content-encoding"] = "gzip"
            return httpx.Response(200, content=gzip_bomb(), headers=headers)
        if kind == "clock_far_off":
            return httpx.Response(200, content=body, headers=self._headers(FAR_OFF_TIMES[1]))
        raise AssertionError(f"unknown fault kind {kind}")
