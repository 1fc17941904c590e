"""Signature Version 2, as MWS specifies it (docs: DG_QueryString, DG_SigningQueryRequest).

Names and values are percent-encoded per RFC 3986 over UTF-8 (only `A-Z a-z 0-9 - _ . ~`
stay as they are; a space is `%20`), pairs are sorted by encoded name in byte order and joined
with `&`, and the string to sign is `METHOD\\nhost\\npath\\ncanonical query`.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from collections.abc import Iterable, Mapping
from urllib.parse import quote

SIGNATURE_METHODS = {"HmacSHA256": hashlib.sha256, "HmacSHA1": hashlib.sha1}

_NEEDS_ENCODING = re.compile(r"[^A-Za-z0-9\-_.~]").search


def percent_encode(value: str) -> str:
    """RFC 3986 percent-encoding of UTF-8 text: `a b/c~` -> `a%20b%2Fc~`."""
    if _NEEDS_ENCODING(value) is None:
        return value
    return quote(value, safe="-_.~")


def canonical_query(params: Mapping[str, str] | Iterable[tuple[str, str]]) -> str:
    """`name=value` pairs, encoded, sorted by encoded name in byte order, joined with `&`."""
    pairs = params.items() if isinstance(params, Mapping) else params
    encoded = sorted((percent_encode(name), percent_encode(value)) for name, value in pairs)
    return "&".join(f"{name}={value}" for name, value in encoded)


def string_to_sign(
    method: str, host: str, path: str, params: Mapping[str, str] | Iterable[tuple[str, str]]
) -> str:
    """`METHOD\\nlowercase host\\npath\\ncanonical query` (an empty path signs as `/`)."""
    return f"{method.upper()}\n{host.lower()}\n{path or '/'}\n{canonical_query(params)}"


def sign(string_to_sign: str, secret_key: str, method: str = "HmacSHA256") -> str:
    """Base64 of the HMAC of `string_to_sign` under `secret_key` (HmacSHA256 or HmacSHA1)."""
    return Signer(secret_key, method).sign(string_to_sign)


class Signer:
    """Signs many strings with one key; the key is prepared once and never shown."""

    __slots__ = ("method", "_prepared")

    def __init__(self, secret_key: str, method: str = "HmacSHA256") -> None:
        if method not in SIGNATURE_METHODS:
            raise ValueError(
                f"signature_method must be one of {', '.join(SIGNATURE_METHODS)}; got {method!r}"
            )
        self.method = method
        self._prepared = hmac.new(secret_key.encode("utf-8"), digestmod=SIGNATURE_METHODS[method])

    def sign(self, string_to_sign: str) -> str:
        mac = self._prepared.copy()
        mac.update(string_to_sign.encode("utf-8"))
        return base64.b64encode(mac.digest()).decode("ascii")

    def __repr__(self) -> str:
        return f"Signer(method={self.method!r}, secret_key=<hidden>)"
