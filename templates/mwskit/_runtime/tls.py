"""One TLS context per verification setting, shared by every session that makes its own client.

httpx builds a new `ssl.SSLContext` for each client (loading the certifi bundle costs a few
milliseconds and about a megabyte each); mwskit builds one per setting, on first need, with
httpx's own `create_ssl_context`, so it trusts exactly what httpx would have trusted
(SSL_CERT_FILE and SSL_CERT_DIR included: they are part of the key). A context the caller
passes (`verify=ssl_context`) is used as given.
"""

from __future__ import annotations

import os
import ssl
import threading

import httpx

__all__ = ["shared_ssl_context"]

_LOCK = threading.Lock()
_CONTEXTS: dict[tuple[bool | str, str | None, str | None], ssl.SSLContext] = {}


def shared_ssl_context(verify: bool | str | ssl.SSLContext) -> ssl.SSLContext:
    """The context for `verify` (True, False or a CA bundle path), built once per process."""
    if isinstance(verify, ssl.SSLContext):
        return verify
    key = (verify, os.environ.get("SSL_CERT_FILE"), os.environ.get("SSL_CERT_DIR"))
    with _LOCK:
        context = _CONTEXTS.get(key)
        if context is None:
            context = _CONTEXTS[key] = httpx.create_ssl_context(verify=verify)
    return context
