"""The client's side of the wire cases (tests/protocol/cases/*.yaml).

For each valid case, the generated method hands the runtime values that encode to exactly the
case's wire pairs, in order, and the request sent (sync and async) is exactly those pairs plus
the common ones, percent-encoded and signed as recomputed here; a case naming a
`real_operation` sends the same pairs through the installed `mwskit` client. For each invalid
case, the call raises the exact error, naming the wire parameter, before any request is sent.
"""

from __future__ import annotations

import asyncio
import importlib
from collections import Counter
from typing import Any
from urllib.parse import parse_qs

import httpx
import pytest
import wire_cases as wc
from minimal_answers import minimal_document

import mwskit
from mwskit._runtime import AsyncSession, ClientConfig, Operation, SyncSession
from mwskit._runtime.encoding import encode_parameters

CASES = list(wc.all_cases())
VALID = [case for case in CASES if case.wire is not None]
INVALID = [case for case in CASES if case.error is not None]
TOPICS = {
    "scalars",
    "lists",
    "member_lists",
    "nested_lists",
    "structures",
    "empty_lists",
    "repeated_values",
    "formatting",
    "percent_encoding",
    "invalid",
    "off_amazon_payments",
}


class Recorder:
    """A MockTransport handler: records each request, answers a minimal document."""

    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        action = parse_qs(request.content.decode()) | parse_qs(request.url.query.decode())
        body = minimal_document(request.url.path, action["Action"][0])
        return httpx.Response(200, content=body)

    @property
    def last(self) -> httpx.Request:
        assert len(self.requests) == 1, f"expected one request, got {len(self.requests)}"
        return self.requests[0]


class EncodingOnly:
    """A session stand-in: the generated method's values go to the runtime encoder, no I/O."""

    def call(
        self, section: Any, operation: Operation[Any], values: tuple[Any, ...], *_: Any
    ) -> Any:
        return encode_parameters(operation, values)


def config(**options: Any) -> ClientConfig:
    return ClientConfig(
        access_key=wc.ACCESS_KEY,
        secret_key=wc.SECRET_KEY,
        seller_id=wc.SELLER_ID,
        endpoint=wc.ENDPOINT,
        clock=lambda: wc.FIXED_NOW,
        throttle="off",
        **options,
    )


def encoded_pairs(case: wc.Case) -> list[tuple[str, str]]:
    built = wc.built(case)
    method = getattr(built.client_class(EncodingOnly()), built.operation.method)
    return list(method(**wc.arguments(case, built.models)))


def sent_sync(case: wc.Case) -> httpx.Request:
    built = wc.built(case)
    recorder = Recorder()
    session = SyncSession(config(), httpx.MockTransport(recorder))
    try:
        getattr(built.client_class(session), built.operation.method)(
            **wc.arguments(case, built.models)
        )
    finally:
        session.close()
    return recorder.last


def sent_async(case: wc.Case) -> httpx.Request:
    built = wc.built(case)
    recorder = Recorder()

    async def run() -> None:
        session = AsyncSession(config(), httpx.MockTransport(recorder))
        try:
            method = getattr(built.async_client_class(session), built.operation.method)
            await method(**wc.arguments(case, built.models))
        finally:
            await session.aclose()

    asyncio.run(run())
    return recorder.last


def expected_body(case: wc.Case, section: Any, action: str) -> bytes:
    assert case.wire is not None
    common = wc.common_pairs(action, section.version, section.seller_parameter)
    return wc.signed_body(common + list(case.wire), section.path)


# ------------------------------------------------------------------ the data itself


def test_every_topic_file_is_loaded_whole() -> None:
    declared = wc.declared_counts()
    loaded = Counter(case.file for case in CASES)
    assert set(declared) == TOPICS
    assert dict(loaded) == declared
    assert all(count > 0 for count in declared.values()), declared
    assert len(VALID) + len(INVALID) == len(CASES) == sum(declared.values())
    assert VALID and INVALID
    assert [
        case for case in CASES if case.real_operation is not None
    ], "no case checks a real action"


def test_one_generation_builds_every_case() -> None:
    generation = wc.generation()
    assert sorted(generation.built) == sorted(case.name for case in CASES)
    modules = {built.package.__name__ for built in generation.built.values()}
    assert len(modules) == len(CASES)
    assert all(name.startswith("mwskit._wire_") for name in modules), sorted(modules)[:3]
    for case in CASES:
        built = wc.built(case)
        assert built.operation.name == case.action
        assert built.section.name == case.section
        assert built.section.path == f"/{case.section}/{wc.VERSION}"


# ------------------------------------------------------------------ valid cases


@pytest.mark.parametrize("case", VALID, ids=wc.case_ids(VALID))
def test_encoder_gives_the_wire_pairs_in_order(case: wc.Case) -> None:
    assert case.wire is not None
    assert encoded_pairs(case) == list(case.wire)


@pytest.mark.parametrize("case", VALID, ids=wc.case_ids(VALID))
def test_request_carries_exactly_the_wire_pairs(case: wc.Case) -> None:
    built = wc.built(case)
    request = sent_sync(case)
    assert request.method == "POST"
    assert str(request.url) == wc.ENDPOINT + built.section.path
    assert request.url.query == b""
    assert request.headers["content-type"] == wc.FORM
    assert request.content == expected_body(case, built.section, case.action)
    if case.encoded is not None:
        texts = request.content.decode("ascii").split("&")
        assert [text for text in texts if text in case.encoded] == sorted(
            case.encoded, key=lambda text: text.split("=", 1)[0].encode("ascii")
        )
        assert set(case.encoded) <= set(texts)


@pytest.mark.parametrize("case", VALID, ids=wc.case_ids(VALID))
def test_async_client_sends_the_same_bytes(case: wc.Case) -> None:
    built = wc.built(case)
    request = sent_async(case)
    assert str(request.url) == wc.ENDPOINT + built.section.path
    assert request.content == expected_body(case, built.section, case.action)


REAL = [case for case in CASES if case.real_operation is not None]


def real_operation(case: wc.Case) -> tuple[str, Any, Operation[Any]]:
    assert case.real_operation is not None
    module, method = case.real_operation.split(".")
    operations = importlib.import_module(f"mwskit.{module}._operations")
    found = [
        value
        for value in vars(operations).values()
        if isinstance(value, Operation) and value.method == method
    ]
    assert len(found) == 1, case.real_operation
    return module, operations, found[0]


@pytest.mark.parametrize("case", REAL, ids=wc.case_ids(REAL))
def test_real_operation_sends_the_same(case: wc.Case) -> None:
    """The fragment stands for a real action: the installed client agrees with the case."""
    module, operations, operation = real_operation(case)
    assert operation.name == case.action
    recorder = Recorder()
    mws = mwskit.MWS(
        access_key=wc.ACCESS_KEY,
        secret_key=wc.SECRET_KEY,
        seller_id=wc.SELLER_ID,
        transport=httpx.MockTransport(recorder),
        clock=lambda: wc.FIXED_NOW,
        throttle="off",
    )
    models = importlib.import_module(f"mwskit.{module}.models")
    call = getattr(getattr(mws, module), operation.method)
    if case.error is not None:
        with pytest.raises(case.error.type) as caught:
            call(**wc.arguments(case, models))
        assert str(caught.value) == case.error.message
        assert recorder.requests == []
        return
    call(**wc.arguments(case, models))
    request = recorder.last
    section = operations.SECTION
    assert str(request.url) == f"https://{wc.HOST}{section.path}"
    assert request.url.query == b""
    assert request.content == expected_body(case, section, operation.name)


# ------------------------------------------------------------------ invalid cases


@pytest.mark.parametrize("case", INVALID, ids=wc.case_ids(INVALID))
def test_encoder_refuses_with_the_exact_error(case: wc.Case) -> None:
    assert case.error is not None
    with pytest.raises(case.error.type) as caught:
        encoded_pairs(case)
    assert type(caught.value) is case.error.type
    assert str(caught.value) == case.error.message
    assert case.error.parameter in str(caught.value)


@pytest.mark.parametrize("case", INVALID, ids=wc.case_ids(INVALID))
def test_nothing_is_sent_for_an_invalid_call(case: wc.Case) -> None:
    assert case.error is not None
    built = wc.built(case)
    recorder = Recorder()
    session = SyncSession(config(), httpx.MockTransport(recorder))
    method = getattr(built.client_class(session), built.operation.method)
    with pytest.raises(case.error.type) as caught:
        method(**wc.arguments(case, built.models))
    session.close()
    assert type(caught.value) is case.error.type
    assert str(caught.value) == case.error.message
    assert recorder.requests == [], "validation must fail before any request is sent"
