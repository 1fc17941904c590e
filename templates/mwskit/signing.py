"""Signature Version 2 helpers: canonical query, string to sign, and the signature itself."""

from ._runtime.signing import (
    SIGNATURE_METHODS,
    Signer,
    canonical_query,
    percent_encode,
    sign,
    string_to_sign,
)

__all__ = [
    "SIGNATURE_METHODS",
    "Signer",
    "canonical_query",
    "percent_encode",
    "sign",
    "string_to_sign",
]
