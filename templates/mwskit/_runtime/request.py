"""Build and sign requests: (section, operation, argument values) -> PreparedRequest. No I/O.

A request is built as MWS documents it: parameters form-encoded in a POST body (never the URL),
or, for an operation whose document is the body (SubmitFeed), in the query string with the
body's base64 MD5 among the signed parameters. Encoding and signing follow `signing.py`.
"""

from __future__ import annotations

import math
import platform
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from .descriptors import Operation, SectionSpec
from .documents import FeedBody, content_md5, feed_content_type
from .encoding import encode_parameters, format_datetime
from .policy import Event, RetryPolicy, ThrottleMode
from .signing import EncodedPairs, Signer, encode_pairs, encode_values, percent_encode, request_head
from .throttle import SYSTEM_TIMER, ThrottleStore, Timer

if TYPE_CHECKING:
    import httpx

FORM_CONTENT_TYPE = "application/x-www-form-urlencoded; charset=utf-8"

Headers = tuple[tuple[str, str], ...]


def _ua_escape(text: str) -> str:
    """User-Agent attribute values escape `\\`, `)` and `;` (docs: DG_UserAgentHeader)."""
    return text.replace("\\", "\\\\").replace(")", "\\)").replace(";", "\\;")


def user_agent(version: str) -> str:
    """`mwskit/<version> (Language=Python/<x.y.z>; Platform=<os>)`."""
    python = _ua_escape(platform.python_version())
    system = _ua_escape(platform.system() or "unknown")
    return f"mwskit/{version} (Language=Python/{python}; Platform={system})"


def utc_now() -> datetime:
    """The system clock, timezone-aware (UTC)."""
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class PreparedRequest:
    """Everything that goes on the wire for one call."""

    method: str
    url: str = field(repr=False)  # SubmitFeed's query holds the MWSAuthToken
    headers: Headers
    body: bytes | FeedBody = field(repr=False)  # streamed from its file when a FeedBody


# What one answer may build: the most XML nodes (elements, attributes, comments, processing
# instructions). A realistic MWS page is 30-40 bytes of XML per element, so this allows about
# 35 MB of XML (a ListOrders page of 100 orders holds about 5,000), while a flood of tiny
# elements (up to ~750 bytes of objects each, read into dataclasses) stays below ~0.75 GB.
DEFAULT_MAX_ELEMENTS = 1_000_000
# The largest document (report, feed processing report) written to its destination, counted
# after any Content-Encoding is decoded.
DEFAULT_MAX_DOCUMENT_BYTES = 4 * 1024**3
# Seconds one attempt of a call that is not a document download may take in all.
DEFAULT_ATTEMPT_TIMEOUT = 120.0


def _positive_int(name: str, value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"{name} must be a positive integer; got {value!r}")


@dataclass(frozen=True)
class ClientConfig:
    """Credentials and options of one client. The secret key and auth token are never shown.

    `timeout` (seconds, or an httpx.Timeout) bounds each connect, read and write;
    `amazon_pay_sandbox` sends the sections that have a sandbox path (Amazon Pay) there;
    `attempt_timeout` (seconds, None for no bound) bounds one whole attempt of a call that is
    not a document download, from connecting to the answer's last byte; a document's body is
    bounded by `timeout` per read only. `max_elements` and `max_document_bytes` bound what
    one answer may build and the size of a document (see mwskit.MWS).
    """

    access_key: str
    secret_key: str = field(repr=False)
    seller_id: str
    auth_token: str | None = field(default=None, repr=False)
    region: str = "NA"
    endpoint: str | None = None
    amazon_pay_sandbox: bool = False  # sections with a sandbox path are sent there
    signature_method: str = "HmacSHA256"
    seller_parameter: str | None = None
    expires_in: timedelta | None = None
    timeout: float | httpx.Timeout = 30.0
    attempt_timeout: float | None = DEFAULT_ATTEMPT_TIMEOUT
    max_elements: int = DEFAULT_MAX_ELEMENTS
    max_document_bytes: int = DEFAULT_MAX_DOCUMENT_BYTES
    clock: Callable[[], datetime] | None = field(default=None, repr=False)
    version: str = "0"
    region_hosts: Mapping[str, str] = field(default_factory=dict, repr=False)
    retries: RetryPolicy = field(default_factory=RetryPolicy)
    throttle: ThrottleMode = "wait"
    # None: the process's own buckets; a redis:// URL or a store: shared ones (its URL may
    # hold a password, so it is never shown).
    throttle_store: ThrottleStore | str | None = field(default=None, repr=False)
    timer: Timer = field(default=SYSTEM_TIMER, repr=False)
    on_event: Callable[[Event], None] | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        limit = self.attempt_timeout
        if limit is not None and (
            isinstance(limit, bool)
            or not isinstance(limit, (int, float))
            or not math.isfinite(limit)
            or limit <= 0
        ):
            raise ValueError(
                f"attempt_timeout must be a positive number of seconds or None; got {limit!r}"
            )
        _positive_int("max_elements", self.max_elements)
        _positive_int("max_document_bytes", self.max_document_bytes)

    def base_url(self) -> str:
        if self.endpoint is not None:
            return self.endpoint.rstrip("/")
        host = self.region_hosts.get(self.region.upper())
        if host is None:
            raise ValueError(
                f"region must be one of {', '.join(sorted(self.region_hosts))}; got {self.region!r} "
                "(or pass endpoint=...)"
            )
        return f"https://{host}"


def _host_and_path(config: ClientConfig, base_url: str) -> tuple[str, str]:
    """The Host header (lowercase, a non-default port kept) and the path prefix of the endpoint."""
    parts = urlsplit(base_url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"endpoint must be an http(s) URL; got {config.endpoint!r}")
    if parts.query or parts.fragment or parts.username or parts.password:
        # Not echoed: user info may hold a password.
        raise ValueError("endpoint must be a base URL without query, fragment or user info")
    default_port = 443 if parts.scheme == "https" else 80
    host = parts.hostname.lower()
    if ":" in host:  # an IPv6 literal keeps its brackets in the Host header
        host = f"[{host}]"
    return (host if parts.port in (None, default_port) else f"{host}:{parts.port}"), parts.path


class RequestBuilder:
    """Turns (section, operation, argument values) into a signed PreparedRequest. No I/O.

    `clock_offset` (server time minus ours) is learnt by the call engine from responses and
    added to every timestamp signed afterwards.
    """

    def __init__(self, config: ClientConfig) -> None:
        if config.seller_parameter not in (None, "SellerId", "Merchant"):
            raise ValueError(
                f"seller_parameter must be 'SellerId' or 'Merchant'; got {config.seller_parameter!r}"
            )
        if config.expires_in is not None and config.expires_in <= timedelta(0):
            raise ValueError(f"expires_in must be a positive timedelta; got {config.expires_in!r}")
        self._config = config
        self._clock = config.clock or utc_now
        self._expires_in = config.expires_in
        self.clock_offset = timedelta(0)
        self._signer = Signer(config.secret_key, config.signature_method)
        self._base_url = config.base_url()
        self._host, self._path_prefix = _host_and_path(config, self._base_url)
        self._headers: Headers = (("User-Agent", user_agent(config.version)),)
        self._form_headers: Headers = (*self._headers, ("Content-Type", FORM_CONTENT_TYPE))
        self._fixed: dict[tuple[str, str], tuple[str, str, EncodedPairs]] = {}

    def _fixed_pairs(
        self, section: SectionSpec, operation: Operation[Any]
    ) -> tuple[str, str, EncodedPairs]:
        """The URL, the signed request head and the parameters every call of this operation
        sends, encoded."""
        key = (section.name, operation.name)
        cached = self._fixed.get(key)
        if cached is None:
            config = self._config
            seller_name = section.seller_parameter
            if config.seller_parameter in section.seller_parameter_alternatives:
                seller_name = config.seller_parameter
            pairs = [
                ("AWSAccessKeyId", config.access_key),
                ("Action", operation.name),
                (seller_name, config.seller_id),
                ("SignatureMethod", config.signature_method),
                ("SignatureVersion", "2"),
                ("Version", section.version),
            ]
            if config.auth_token:
                pairs.append(("MWSAuthToken", config.auth_token))
            path = section.path_for(config.amazon_pay_sandbox)
            head = request_head("POST", self._host, self._path_prefix + path)
            cached = (self._base_url + path, head, encode_pairs(pairs))
            self._fixed[key] = cached
        return cached

    def local_now(self) -> datetime:
        return self._clock()

    def _time_pair(self) -> tuple[str, str]:
        """The signed time, encoded: Timestamp (now), or Expires (now + expires_in)."""
        now = self._clock()
        if self.clock_offset:
            now += self.clock_offset
        if self._expires_in is not None:
            return ("Expires", percent_encode(format_datetime(now + self._expires_in)))
        return ("Timestamp", percent_encode(format_datetime(now)))

    def build(
        self,
        section: SectionSpec,
        operation: Operation[Any],
        values: tuple[Any, ...],
        body: bytes | FeedBody | None = None,
        content_type: str | None = None,
    ) -> PreparedRequest:
        pairs = encode_values(encode_parameters(operation, values))  # wire names: no encoding
        url, head, fixed = self._fixed_pairs(section, operation)
        pairs += fixed
        pairs.append(self._time_pair())
        if operation.body is None:
            signed = self._signer.signed_query(head, pairs)
            return PreparedRequest("POST", url, self._form_headers, signed.encode("ascii"))
        if body is None:
            raise ValueError(f"{operation.method}(): {operation.body.python_name} is required")
        md5 = body.md5 if isinstance(body, FeedBody) else content_md5(body)
        pairs.append((operation.body.md5_parameter, percent_encode(md5)))  # a wire name
        signed = self._signer.signed_query(head, pairs)
        return self._with_document(f"{url}?{signed}", body, content_type)

    def _with_document(
        self, url: str, body: bytes | FeedBody, content_type: str | None
    ) -> PreparedRequest:
        """A request whose body is its document (the parameters are signed in `url`)."""
        if isinstance(body, FeedBody):
            content_type = content_type or feed_content_type(body.head, None)
            if body.data is None:  # streamed from its file: say its length up front
                headers: Headers = (
                    *self._headers,
                    ("Content-Type", content_type),
                    ("Content-Length", str(body.size)),
                )
                return PreparedRequest("POST", url, headers, body)
            body = body.data
        headers = (
            *self._headers,
            ("Content-Type", content_type or feed_content_type(body[:64], None)),
        )
        return PreparedRequest("POST", url, headers, body)
