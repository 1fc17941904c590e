"""Helpers for the call tests: clients answered by a Script on a fake clock, scripted answers."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs

import httpx

from mwskit import MWS, AsyncMWS, Event
from runtime_helpers import NOW, FakeTimer
from runtime_helpers.answers import with_required

SECRET = "wJalrXUtnFEMI-CALLS-SECRET-5a4b3c"
TOKEN = "amzn.mws.CALLS-TOKEN-77aa88bb"
ORDERS_NS = "https://mws.amazonservices.com/Orders/2013-09-01"
MARKETPLACE = ["ATVPDKIKX0DER"]


def xml_response(status: int, body: str, **headers: str) -> httpx.Response:
    return httpx.Response(status, content=body.encode(), headers=headers)


def error_xml(code: str, message: str = "nope", kind: str = "Sender") -> str:
    return (
        f'<ErrorResponse xmlns="{ORDERS_NS}"><Error><Type>{kind}</Type><Code>{code}</Code>'
        f"<Message>{message}</Message></Error><RequestID>req-{code}</RequestID></ErrorResponse>"
    )


def status_ok() -> str:
    return (
        f'<GetServiceStatusResponse xmlns="{ORDERS_NS}"><GetServiceStatusResult>'
        "<Status>GREEN</Status></GetServiceStatusResult>"
        "<ResponseMetadata><RequestId>ok</RequestId></ResponseMetadata></GetServiceStatusResponse>"
    )


def orders_page(action: str, ids: list[str], token: str | None) -> str:
    orders = "".join(
        f"<Order>{with_required(f'<AmazonOrderId>{i}</AmazonOrderId>')}</Order>" for i in ids
    )
    next_token = f"<NextToken>{token}</NextToken>" if token else ""
    return (
        f'<{action}Response xmlns="{ORDERS_NS}"><{action}Result>{next_token}'
        f"<Orders>{orders}</Orders></{action}Result>"
        f"<ResponseMetadata><RequestId>rid-{action}</RequestId></ResponseMetadata></{action}Response>"
    )


class Script:
    """A transport answering from a list, recording each request and the fake time it came."""

    def __init__(self, timer: FakeTimer, answers: list[Any]) -> None:
        self.timer = timer
        self.answers = list(answers)
        self.requests: list[httpx.Request] = []
        self.times: list[float] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        self.times.append(self.timer.now)
        answer = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        if isinstance(answer, Exception):
            raise answer
        if callable(answer):
            return answer(request)
        assert isinstance(answer, httpx.Response)
        return answer

    def params(self, index: int) -> dict[str, str]:
        request = self.requests[index]
        text = request.content.decode() or request.url.query.decode()
        return {key: values[0] for key, values in parse_qs(text).items()}


_seller_counter = iter(range(1_000_000))


def make(
    timer: FakeTimer,
    script: Script,
    *,
    seller_id: str | None = None,
    events: list[Event] | None = None,
    **options: Any,
) -> MWS:
    return MWS(
        access_key="AKIAEXAMPLEACCESSKEY",
        secret_key=SECRET,
        seller_id=seller_id or f"SELLER{next(_seller_counter)}",
        auth_token=TOKEN,
        transport=httpx.MockTransport(script),
        clock=lambda: NOW,
        timer=timer,
        on_event=events.append if events is not None else None,
        **options,
    )


def make_async(
    timer: FakeTimer, script: Script, *, seller_id: str | None = None, **options: Any
) -> AsyncMWS:
    return AsyncMWS(
        access_key="AKIAEXAMPLEACCESSKEY",
        secret_key=SECRET,
        seller_id=seller_id or f"SELLER{next(_seller_counter)}",
        auth_token=TOKEN,
        transport=httpx.MockTransport(script),
        clock=lambda: NOW,
        timer=timer,
        **options,
    )
