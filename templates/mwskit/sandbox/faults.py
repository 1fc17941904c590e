"""Faults the sandbox injects on request: errors, connection resets, malformed bodies, latency."""

from __future__ import annotations

import random
from dataclasses import dataclass, replace

from .._runtime.documents import content_md5
from .answers import Refusal, Reply, internal_error

RESET = "reset"
MALFORMED = "malformed"
LOST = "lost"


@dataclass(frozen=True, slots=True)
class FaultConfig:
    """Faults to inject, each a rate in 0..1 drawn from the sandbox's seeded generator.

    `error_503_code` is the code of injected 503s (`ServiceUnavailable` or `RequestThrottled`);
    `latency` seconds are added to every answer; `actions` limits faults to those actions.
    A reset drops the connection without an answer, before the action runs; a lost answer
    runs the action, then drops the connection (its effect stays: the unknown outcome a
    money-moving call must survive without moving money twice); a malformed body is cut in
    half (documents get a wrong Content-MD5 instead).
    """

    error_500_rate: float = 0.0
    error_503_rate: float = 0.0
    error_503_code: str = "ServiceUnavailable"
    reset_rate: float = 0.0
    malformed_rate: float = 0.0
    lost_answer_rate: float = 0.0
    latency: float = 0.0
    actions: frozenset[str] | None = None

    def apply_to(self, action: str) -> bool:
        return self.actions is None or action in self.actions


class FaultDraws:
    """The seeded draws of `config`'s faults, one per request (the caller holds the lock)."""

    def __init__(self, config: FaultConfig, seed: int) -> None:
        self.config = config
        self._rng = random.Random(f"faults/{seed}")

    def draw(self, action: str) -> str | None:
        """This request's fault: raise an injected error, or say RESET, MALFORMED or LOST (or
        None)."""
        faults = self.config
        if not faults.apply_to(action):
            return None
        rates = (
            faults.error_500_rate,
            faults.error_503_rate,
            faults.reset_rate,
            faults.malformed_rate,
            faults.lost_answer_rate,
        )
        if sum(rates) <= 0:
            return None
        draw = self._rng.random()
        if draw < rates[0]:
            raise internal_error()
        draw -= rates[0]
        if draw < rates[1]:
            code = faults.error_503_code
            if code == "RequestThrottled":
                raise Refusal(503, code, "Request is throttled")
            raise Refusal(
                503, code, "Service is temporarily unavailable. Please try again.", "Receiver"
            )
        draw -= rates[1]
        if draw < rates[2]:
            return RESET
        draw -= rates[2]
        if draw < rates[3]:
            return MALFORMED
        if draw - rates[3] < rates[4]:
            return LOST
        return None


def spoil(reply: Reply) -> Reply:
    """The injected malformed answer: XML cut in half, or a document under a wrong Content-MD5."""
    headers = dict(reply.headers)
    if "Content-MD5" in headers:
        headers["Content-MD5"] = content_md5(reply.body + b"\x00")
        return replace(reply, headers=tuple(headers.items()))
    return replace(reply, body=reply.body[: len(reply.body) // 2])
