"""The sandbox's side of the wire cases (tests/protocol/cases/*.yaml).

One in-process sandbox (`mwskit.sandbox.Sandbox` through `mwskit.sandbox.transport`, strict, so
an unread parameter is refused) serves every case's generated section. For each valid case, a
request carrying exactly the case's wire pairs, encoded and signed here independently of the
client, is accepted and read back to the case's `read` values; the generated client's own
request is read back the same. For each invalid case with a wire form, the sandbox refuses
that form with the case's status, MWS error code and message, naming the same parameter as
the client's error. A case where the two sides disagree is marked xfail (strict) with the
case's `disagreement`.
"""

from __future__ import annotations

import functools
from collections import Counter
from typing import Any

import httpx
import pytest
import wire_cases as wc
from lxml import etree

from mwskit._runtime import ClientConfig, SyncSession
from mwskit.sandbox import Sandbox, SandboxRequest, transport

CASES = list(wc.all_cases())
VALID = [case for case in CASES if case.wire is not None]
REFUSED = [case for case in CASES if case.refused is not None]
COMMON = {
    "AWSAccessKeyId",
    "Action",
    "SellerId",
    "SignatureMethod",
    "SignatureVersion",
    "Timestamp",
    "Version",
    "Signature",
}


def params(cases: list[wc.Case]) -> list[Any]:
    return [
        pytest.param(
            case,
            id=case.name,
            marks=(
                [pytest.mark.xfail(strict=True, reason=case.disagreement)]
                if case.disagreement
                else []
            ),
        )
        for case in cases
    ]


class Served:
    """The sandbox for every case's section, and what its fixtures saw, by case name."""

    def __init__(self) -> None:
        generation = wc.generation()
        sections = [(built.section, (built.operation,)) for built in generation.built.values()]
        self.sandbox = Sandbox(
            {wc.ACCESS_KEY: wc.SECRET_KEY},
            strict=True,
            throttling=False,
            clock=lambda: wc.FIXED_NOW,
            sections=sections,
        )
        self.seen: dict[str, list[SandboxRequest]] = {}
        for name, built in generation.built.items():
            self.sandbox.add_fixture(
                f"{built.section.name}.{built.operation.name}", self._fixture(name)
            )

    def _fixture(self, name: str) -> Any:
        def answer(request: SandboxRequest) -> bytes:
            self.seen.setdefault(name, []).append(request)
            action, namespace = request.operation.name, request.section.namespace
            return (
                f'<?xml version="1.0"?><{action}Response xmlns="{namespace}">'
                f"<{action}Result/><ResponseMetadata><RequestId>{request.request_id}"
                f"</RequestId></ResponseMetadata></{action}Response>"
            ).encode()

        return answer

    def post(self, case: wc.Case, wire: tuple[tuple[str, str], ...]) -> httpx.Response:
        self.seen.pop(case.name, None)
        section = wc.built(case).section
        body = wc.signed_body(
            wc.common_pairs(case.action, section.version) + list(wire), section.path
        )
        with httpx.Client(transport=transport(self.sandbox), base_url=wc.ENDPOINT) as http:
            return http.post(section.path, content=body, headers={"Content-Type": wc.FORM})

    def only_request(self, case: wc.Case) -> SandboxRequest:
        seen = self.seen.get(case.name, [])
        assert len(seen) == 1, f"the sandbox answered {len(seen)} requests for {case.name}"
        return seen[0]


@functools.cache
def served() -> Served:
    return Served()


def error_of(response: httpx.Response) -> tuple[str, str]:
    root = etree.fromstring(response.content)
    code = root.findtext("{*}Error/{*}Code")
    message = root.findtext("{*}Error/{*}Message")
    assert code is not None and message is not None, response.text
    return code, message


def test_the_sandbox_serves_every_case_section() -> None:
    sandbox = served().sandbox
    served_names = sorted(section.name for section in sandbox.sections)
    assert served_names == sorted(case.section for case in CASES)
    assert Counter(case.file for case in REFUSED)["invalid"] == len(REFUSED) > 0
    assert len(VALID) > 0


@pytest.mark.parametrize("case", params(VALID))
def test_sandbox_reads_the_wire_pairs_back(case: wc.Case) -> None:
    assert case.wire is not None
    response = served().post(case, case.wire)
    assert response.status_code == 200, error_of(response)
    request = served().only_request(case)
    assert {name: value for name, value in request.params.items() if name not in COMMON} == dict(
        case.wire
    )
    assert dict(request.values) == case.read


@pytest.mark.parametrize("case", params(VALID))
def test_sandbox_reads_the_clients_request_back(case: wc.Case) -> None:
    built = wc.built(case)
    server = served()
    server.seen.pop(case.name, None)
    session = SyncSession(
        ClientConfig(
            access_key=wc.ACCESS_KEY,
            secret_key=wc.SECRET_KEY,
            seller_id=wc.SELLER_ID,
            endpoint=wc.ENDPOINT,
            clock=lambda: wc.FIXED_NOW,
            throttle="off",
        ),
        transport(server.sandbox),
    )
    try:
        getattr(built.client_class(session), built.operation.method)(
            **wc.arguments(case, built.models)
        )
    finally:
        session.close()
    assert dict(server.only_request(case).values) == case.read


@pytest.mark.parametrize("case", params(REFUSED))
def test_sandbox_refuses_the_wire_form(case: wc.Case) -> None:
    assert case.refused is not None and case.error is not None
    response = served().post(case, case.refused.wire)
    assert served().seen.get(case.name) is None, "a refused request reached its fixture"
    assert response.status_code == case.refused.status
    assert error_of(response) == (case.refused.code, case.refused.message)
    assert case.error.parameter in case.refused.message, "both sides name the same parameter"
