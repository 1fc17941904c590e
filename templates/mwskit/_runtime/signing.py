"""Signature Version 2, as MWS specifies it (docs: DG_QueryString, DG_SigningQueryRequest).

Names and values are percent-encoded per RFC 3986 over UTF-8 (only `A-Z a-z 0-9 - _ . ~`
stay as they are; a space is `%20`), pairs are sorted by encoded name in byte order and joined
with `&`, and the string to sign is `METHOD\\nhost\\npath\\ncanonical query`.

This module is the only place that rule is written. The request builder uses its fast path:
pairs encoded once (`encode_pairs`; `encode_values` for spec wire names, which never need
encoding), the request head computed once per operation (`request_head`), and
`Signer.signed_query`, which sorts, joins and signs them by the same rule.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from collections.abc import Iterable, Mapping
from urllib.parse import quote

SIGNATURE_METHODS = {"HmacSHA256": hashlib.sha256, "HmacSHA1": hashlib.sha1}

Params = Mapping[str, str] | Iterable[tuple[str, str]]
EncodedPairs = list[tuple[str, str]]

_UNRESERVED = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~"
_RESERVED = re.compile(r"[^A-Za-z0-9\-_.~]")
_NEEDS_ENCODING = _RESERVED.search
_ASCII_ESCAPES = {chr(code): f"%{code:02X}" for code in range(128) if chr(code) not in _UNRESERVED}


def _escape(found: re.Match[str]) -> str:
    return _ASCII_ESCAPES[found.group()]


def percent_encode(value: str) -> str:
    """RFC 3986 percent-encoding of UTF-8 text: `a b/c~` -> `a%20b%2Fc~`."""
    if _NEEDS_ENCODING(value) is None:
        return value
    if value.isascii():  # a timestamp's colons, a signature's `+/=`: escaped where they are
        return _RESERVED.sub(_escape, value)
    return quote(value, safe="-_.~")


def encode_pairs(params: Params) -> EncodedPairs:
    """Each name and value percent-encoded, in the given order."""
    pairs = params.items() if isinstance(params, Mapping) else params
    return [(percent_encode(name), percent_encode(value)) for name, value in pairs]


def encode_values(pairs: Iterable[tuple[str, str]]) -> EncodedPairs:
    """The fast path of `encode_pairs` for names that need no encoding: only values are encoded.

    For wire names from the specs, which are letters, digits and dots (spec.schema.json), so
    `percent_encode(name) == name`; tests/runtime check this for every generated parameter.
    """
    return [(name, percent_encode(value)) for name, value in pairs]


def join_encoded(encoded: EncodedPairs) -> str:
    """The canonical query of encoded pairs: sorted in byte order (in place), joined with `&`."""
    encoded.sort()
    return "&".join([f"{name}={value}" for name, value in encoded])


def canonical_query(params: Params) -> str:
    """`name=value` pairs, encoded, sorted by encoded name in byte order, joined with `&`."""
    return join_encoded(encode_pairs(params))


def request_head(method: str, host: str, path: str) -> str:
    """The lines signed before the query: `METHOD\\nlowercase host\\npath\\n` (empty path: `/`)."""
    return f"{method.upper()}\n{host.lower()}\n{path or '/'}\n"


def string_to_sign(method: str, host: str, path: str, params: Params) -> str:
    """`METHOD\\nlowercase host\\npath\\ncanonical query` (an empty path signs as `/`)."""
    return request_head(method, host, path) + canonical_query(params)


def sign(string_to_sign: str, secret_key: str, method: str = "HmacSHA256") -> str:
    """Base64 of the HMAC of `string_to_sign` under `secret_key` (HmacSHA256 or HmacSHA1)."""
    return Signer(secret_key, method).sign(string_to_sign)


class Signer:
    """Signs many strings with one key; the key is prepared once and never shown."""

    __slots__ = ("_prepared", "method")

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

    def signed_query(self, head: str, encoded: EncodedPairs) -> str:
        """The canonical query of encoded pairs, then `&Signature=<encoded signature>`.

        `head` is `request_head(method, host, path)`; `encoded` is sorted in place. Equals
        `canonical_query(raw) + "&Signature=" + percent_encode(sign(string_to_sign(method,
        host, path, raw)))` for the raw pairs.
        """
        query = join_encoded(encoded)
        signature = self.sign(head + query)
        return f"{query}&Signature={percent_encode(signature)}"

    def __repr__(self) -> str:
        return f"Signer(method={self.method!r}, secret_key=<hidden>)"
