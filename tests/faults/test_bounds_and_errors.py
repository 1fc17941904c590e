"""Issue 13, the client's own bounds and errors: objects bounded, decoded bytes capped, an overall
deadline per attempt, every failure an mwskit error without secrets, errors that survive pickle
and copy, and a repr that survives a half-built client.

Real sockets here are loopback only; every server thread has a bounded loop and stops by itself.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import gzip
import inspect
import os
import pickle
import socket
import subprocess
import sys
import threading
import time
import traceback
import tracemalloc
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import httpx
import pytest

import mwskit
import mwskit.errors as errors
from mwskit import MWS, AsyncMWS, OutcomeUnknown, RetryPolicy

ACCESS_KEY = "AKIABOUNDSACCESSKEY1"
SECRET_KEY = "wJalrXUtnFEMI-BOUNDS-SECRET-0d1e2f"
AUTH_TOKEN = "amzn.mws.BOUNDS-TOKEN-4c5d6e7f"
ORDERS_NS = "https://mws.amazonservices.com/Orders/2013-09-01"
FEEDS_NS = "http://mws.amazonaws.com/doc/2009-01-01/"
ONE_ATTEMPT = RetryPolicy(max_attempts=1)


def client(transport: httpx.BaseTransport | None = None, **options: Any) -> MWS:
    options.setdefault("retries", ONE_ATTEMPT)
    options.setdefault("endpoint", "https://mws.test")
    return MWS(
        access_key=ACCESS_KEY,
        secret_key=SECRET_KEY,
        seller_id="A1BOUNDSSELLER",
        auth_token=AUTH_TOKEN,
        transport=transport,
        throttle="off",
        **options,
    )


def async_client(transport: httpx.AsyncBaseTransport | None = None, **options: Any) -> AsyncMWS:
    options.setdefault("retries", ONE_ATTEMPT)
    options.setdefault("endpoint", "https://mws.test")
    return AsyncMWS(
        access_key=ACCESS_KEY,
        secret_key=SECRET_KEY,
        seller_id="A1BOUNDSSELLER",
        auth_token=AUTH_TOKEN,
        transport=transport,
        throttle="off",
        **options,
    )


def answering(body: bytes, status: int = 200, **headers: str) -> httpx.MockTransport:
    """A transport answering `body` as a stream (as the network does: httpx decodes a body given
    as `content=` at once, in the transport, before the client sees it)."""
    return httpx.MockTransport(
        lambda request: httpx.Response(status, stream=httpx.ByteStream(body), headers=headers)
    )


def status_body(inner: str = "") -> bytes:
    return (
        f'<GetServiceStatusResponse xmlns="{ORDERS_NS}"><GetServiceStatusResult>'
        f"<Status>GREEN</Status>{inner}</GetServiceStatusResult></GetServiceStatusResponse>"
    ).encode()


def orders_body(count: int) -> bytes:
    return (
        f'<ListOrdersResponse xmlns="{ORDERS_NS}"><ListOrdersResult><Orders>'.encode()
        + b"<Order/>" * count
        + b"</Orders></ListOrdersResult></ListOrdersResponse>"
    )


FEED_OK = (
    f'<SubmitFeedResponse xmlns="{FEEDS_NS}"><SubmitFeedResult><FeedSubmissionInfo>'
    "<FeedSubmissionId>50001</FeedSubmissionId></FeedSubmissionInfo></SubmitFeedResult>"
    "</SubmitFeedResponse>"
).encode()


def list_orders(mws: MWS) -> Any:
    from datetime import UTC, datetime

    return mws.orders.list_orders(
        marketplace_id=["ATVPDKIKX0DER"], created_after=datetime(2024, 1, 1, tzinfo=UTC)
    )


def submit_feed(mws: MWS) -> Any:
    return mws.feeds.submit_feed(feed_type="_POST_PRODUCT_DATA_", feed_content=b"<x/>")


# ------------------------------------------------------------------ 1. objects bounded


def test_max_elements_refuses_an_answer_with_too_many_elements() -> None:
    with client(answering(orders_body(5000)), max_elements=1000) as mws:
        with pytest.raises(mwskit.ResponseParseError) as caught:
            list_orders(mws)
    text = str(caught.value)
    assert "max_elements=1000" in text, text
    assert text.startswith("ResponseParseError: ListOrders: "), text


def test_max_elements_is_exact_at_the_limit() -> None:
    # 3 elements of their own (response, result, Status) plus `extra` empty ones.
    def body(extra: int) -> bytes:
        return status_body("<x/>" * extra)

    with client(answering(body(997)), max_elements=1000) as mws:
        assert mws.orders.get_service_status().status == "GREEN"
    with client(answering(body(998)), max_elements=1000) as mws:
        with pytest.raises(mwskit.ResponseParseError, match="max_elements=1000"):
            mws.orders.get_service_status()


def test_attributes_and_comments_count_against_max_elements() -> None:
    attributes = " ".join(f'a{i}=""' for i in range(2000))
    with client(answering(status_body(f"<x {attributes}/>")), max_elements=1000) as mws:
        with pytest.raises(mwskit.ResponseParseError, match="max_elements=1000"):
            mws.orders.get_service_status()
    with client(answering(status_body("<!---->" * 2000)), max_elements=1000) as mws:
        with pytest.raises(mwskit.ResponseParseError, match="max_elements=1000"):
            mws.orders.get_service_status()


def test_the_default_element_limit_refuses_a_flood_of_unknown_elements() -> None:
    # 1.1 million unknown empty elements (4.4 MB): far below the byte cap, above the default.
    with client(answering(status_body("<x/>" * 1_100_000))) as mws:
        with pytest.raises(mwskit.ResponseParseError, match="max_elements=1000000"):
            mws.orders.get_service_status()


def test_an_unsafe_action_whose_answer_is_refused_is_outcome_unknown() -> None:
    flood = FEED_OK.replace(b"</SubmitFeedResult>", b"<x/>" * 2000 + b"</SubmitFeedResult>")
    with client(answering(flood), max_elements=1000) as mws:
        with pytest.raises(OutcomeUnknown) as caught:
            submit_feed(mws)
    assert isinstance(caught.value.__cause__, mwskit.ResponseParseError)
    assert "max_elements=1000" in str(caught.value.__cause__)


@pytest.mark.parametrize("value", [0, -1, 1.5, True, "10"])
def test_max_elements_refuses_nonsense(value: Any) -> None:
    with pytest.raises(ValueError, match="max_elements"):
        client(max_elements=value)


_PEAK_PROBE = """
import resource, sys, httpx
from datetime import UTC, datetime
import mwskit
count = int(sys.argv[1])
NS = "https://mws.amazonservices.com/Orders/2013-09-01"
body = (f'<ListOrdersResponse xmlns="{NS}"><ListOrdersResult><Orders>'.encode()
        + b"<Order/>" * count + b"</Orders></ListOrdersResult></ListOrdersResponse>")
transport = httpx.MockTransport(lambda request: httpx.Response(200, content=body))
mws = mwskit.MWS(access_key="AK", secret_key="SK", seller_id="S", endpoint="https://mws.test",
                 transport=transport, throttle="off", retries=mwskit.RetryPolicy(max_attempts=1))
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
try:
    mws.orders.list_orders(marketplace_id=["ATVPDKIKX0DER"],
                           created_after=datetime(2024, 1, 1, tzinfo=UTC))
    outcome = "parsed"
except mwskit.ResponseParseError as error:
    outcome = "refused" if "max_elements" in str(error) else repr(error)
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(outcome, (after - before) * 1024, len(body))
"""


def test_peak_memory_of_a_refused_flood_stays_proportional_to_the_body() -> None:
    """1.2 million tiny <Order/> (9.6 MB): refused by the default limit before any tree is built,
    so the peak grows by a few copies of the body, not by ~700 bytes per element."""
    generated = Path(mwskit.__file__).resolve().parent.parent
    done = subprocess.run(
        [sys.executable, "-c", _PEAK_PROBE, "1200000"],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=generated,
        env={**os.environ, "PYTHONPATH": str(generated)},
        check=True,
    )
    outcome, grown, size = done.stdout.split()
    assert outcome == "refused", done.stdout + done.stderr
    assert int(grown) < 6 * int(size), (int(grown) / int(size), done.stdout)


# ------------------------------------------------------------------ 2. decoded bytes capped


@pytest.fixture(scope="module")
def zeros_bomb() -> bytes:
    """200 MB of zeros in about 200 KB of gzip."""
    compressor = zlib.compressobj(6, zlib.DEFLATED, zlib.MAX_WBITS | 16)
    block = bytes(1024 * 1024)
    return b"".join([*(compressor.compress(block) for _ in range(200)), compressor.flush()])


def test_a_gzip_answer_is_capped_on_its_decoded_bytes_while_decoding(
    monkeypatch: pytest.MonkeyPatch, zeros_bomb: bytes
) -> None:
    from mwskit._runtime import client as runtime_client

    monkeypatch.setattr(runtime_client, "MAX_RESPONSE_BYTES", 1024 * 1024)
    transport = answering(zeros_bomb, **{"content-encoding": "gzip"})
    with client(transport) as mws:
        tracemalloc.start()
        try:
            with pytest.raises(mwskit.ResponseParseError, match="exceeds 1048576 bytes"):
                mws.orders.get_service_status()
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
    assert peak < 16 * 1024 * 1024, peak  # never the 200 MB the body decodes to


def test_a_gzip_answer_within_the_caps_is_read() -> None:
    for encoding, data in (
        ("gzip", gzip.compress(status_body())),
        ("deflate", zlib.compress(status_body())),
        ("deflate", zlib.compress(status_body())[2:-4]),  # raw deflate, as some servers send
        ("identity", status_body()),
    ):
        with client(answering(data, **{"content-encoding": encoding})) as mws:
            assert mws.orders.get_service_status().status == "GREEN", encoding


def _report_transport(body: bytes, **headers: str) -> httpx.MockTransport:
    return answering(body, **{"content-type": "text/plain;charset=Cp1252", **headers})


def _leftovers(directory: Path) -> list[str]:
    return sorted(path.name for path in directory.iterdir())


def test_a_gzip_bomb_report_is_refused_and_leaves_no_file(
    tmp_path: Path, zeros_bomb: bytes
) -> None:
    target = tmp_path / "report.txt"
    with client(_report_transport(zeros_bomb, **{"content-encoding": "gzip"})) as mws:
        with pytest.raises(mwskit.ResponseParseError) as caught:
            mws.reports.get_report(report_id="1", destination=target)
    assert "compression" in str(caught.value), str(caught.value)
    assert _leftovers(tmp_path) == []
    # And a report file that was there before stays as it was.
    target.write_bytes(b"old report")
    with client(_report_transport(zeros_bomb, **{"content-encoding": "gzip"})) as mws:
        with pytest.raises(mwskit.ResponseParseError):
            mws.reports.get_report(report_id="1", destination=target)
    assert _leftovers(tmp_path) == ["report.txt"]
    assert target.read_bytes() == b"old report"


def test_max_document_bytes_caps_a_download(tmp_path: Path) -> None:
    target = tmp_path / "report.txt"
    document = b"sku\tqty\n" + b"A\t1\n" * 2000
    with client(_report_transport(document), max_document_bytes=1000) as mws:
        with pytest.raises(mwskit.ResponseParseError, match="max_document_bytes=1000"):
            mws.reports.get_report(report_id="1", destination=target)
        with pytest.raises(mwskit.ResponseParseError):
            mws.reports.get_report(report_id="1")  # into memory: the same cap
    assert _leftovers(tmp_path) == []
    with client(_report_transport(document), max_document_bytes=len(document)) as mws:
        assert mws.reports.get_report(report_id="1", destination=target).size == len(document)
    assert target.read_bytes() == document


def test_a_truncated_gzip_report_is_not_a_success(tmp_path: Path) -> None:
    document = os.urandom(300_000)  # incompressible: the gzip stream is as long as the data
    cut = gzip.compress(document)[:150_000]
    target = tmp_path / "report.bin"
    with client(_report_transport(cut, **{"content-encoding": "gzip"})) as mws:
        with pytest.raises(mwskit.ResponseParseError, match="ends before"):
            mws.reports.get_report(report_id="1", destination=target)
    assert _leftovers(tmp_path) == []


def test_an_encoding_that_was_not_asked_for_is_refused(tmp_path: Path) -> None:
    with client(_report_transport(b"\x8b\x00garbage", **{"content-encoding": "br"})) as mws:
        with pytest.raises(mwskit.ResponseParseError, match="'br'"):
            mws.reports.get_report(report_id="1", destination=tmp_path / "r.txt")
    assert _leftovers(tmp_path) == []


# ------------------------------------------------------------------ 3. an overall deadline


class DripServer:
    """Loopback HTTP: reads a request, then sends `head` and drips `body` one byte per `step`
    seconds (or drips the head itself with drip_head). Stops after one connection or `hold`."""

    def __init__(
        self,
        body: bytes,
        *,
        step: float = 0.1,
        hold: float = 8.0,
        drip_head: bool = False,
        content_type: str = "text/xml",
    ) -> None:
        self.body = body
        self.step = step
        self.hold = hold
        self.drip_head = drip_head
        self.head = (
            f"HTTP/1.1 200 OK\r\nContent-Type: {content_type}\r\n"
            f"Content-Length: {len(body)}\r\n\r\n"
        ).encode()
        self.sent = 0
        self._socket = socket.socket()
        self._socket.bind(("127.0.0.1", 0))
        self._socket.listen(4)
        self._socket.settimeout(hold)
        self._thread = threading.Thread(target=self._serve, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._socket.getsockname()[1]}"

    def __enter__(self) -> DripServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._thread.join(self.hold + 2)
        self._socket.close()

    def _serve(self) -> None:
        started = time.monotonic()
        try:
            connection, _ = self._socket.accept()
        except OSError:
            return
        with connection:
            connection.settimeout(self.hold)
            try:
                data = b""
                while b"\r\n\r\n" not in data:
                    chunk = connection.recv(65536)
                    if not chunk:
                        return
                    data += chunk
                head, _, rest = data.partition(b"\r\n\r\n")
                length = next(
                    (
                        int(line.split(b":")[1])
                        for line in head.split(b"\r\n")
                        if line.lower().startswith(b"content-length:")
                    ),
                    0,
                )
                while len(rest) < length:
                    chunk = connection.recv(65536)
                    if not chunk:
                        return
                    rest += chunk
                if self.drip_head:
                    dripped, whole = self.head + self.body, b""
                else:
                    dripped, whole = self.body, self.head
                connection.sendall(whole)
                for index in range(len(dripped)):
                    if time.monotonic() - started > self.hold:
                        return
                    connection.sendall(dripped[index : index + 1])
                    self.sent += 1
                    time.sleep(self.step)
            except OSError:
                return


def test_attempt_timeout_ends_a_dripping_answer() -> None:
    with DripServer(status_body(), step=0.1) as server:
        with client(endpoint=server.url, timeout=2.0, attempt_timeout=0.5) as mws:
            started = time.monotonic()
            with pytest.raises(errors.RequestTimeout) as caught:
                mws.orders.get_service_status()
            elapsed = time.monotonic() - started
    assert elapsed < 2.0, elapsed
    assert "attempt_timeout=0.5" in str(caught.value), str(caught.value)
    assert isinstance(caught.value, errors.TransportError)


def test_attempt_timeout_ends_dripping_headers() -> None:
    with DripServer(status_body(), step=0.1, drip_head=True) as server:
        with client(endpoint=server.url, timeout=2.0, attempt_timeout=0.5) as mws:
            started = time.monotonic()
            with pytest.raises(errors.RequestTimeout):
                mws.orders.get_service_status()
            elapsed = time.monotonic() - started
    assert elapsed < 2.0, elapsed


def test_attempt_timeout_of_an_unsafe_action_is_outcome_unknown() -> None:
    with DripServer(FEED_OK, step=0.1) as server:
        with client(endpoint=server.url, timeout=2.0, attempt_timeout=0.5) as mws:
            with pytest.raises(OutcomeUnknown) as caught:
                submit_feed(mws)
    assert isinstance(caught.value.__cause__, errors.RequestTimeout)


def test_a_document_stream_keeps_per_read_timeouts_only(tmp_path: Path) -> None:
    document = b"sku\tqty\n" + b"A\t1\n" * 5  # 28 bytes, dripped over about 1.4 s
    with DripServer(document, step=0.05, content_type="text/plain") as server:
        with client(endpoint=server.url, timeout=2.0, attempt_timeout=0.3) as mws:
            result = mws.reports.get_report(report_id="1", destination=tmp_path / "r.txt")
    assert result.size == len(document)
    assert (tmp_path / "r.txt").read_bytes() == document


def test_attempt_timeout_ends_a_dripping_answer_async() -> None:
    async def call(url: str) -> float:
        async with async_client(endpoint=url, timeout=2.0, attempt_timeout=0.5) as mws:
            started = time.monotonic()
            with pytest.raises(errors.RequestTimeout):
                await mws.orders.get_service_status()
            return time.monotonic() - started

    with DripServer(status_body(), step=0.1) as server:
        assert asyncio.run(call(server.url)) < 2.0
    with DripServer(status_body(), step=0.1, drip_head=True) as server:
        assert asyncio.run(call(server.url)) < 2.0


def test_timeout_accepts_an_httpx_timeout() -> None:
    with DripServer(status_body(), step=0.3) as server:
        with client(endpoint=server.url, timeout=httpx.Timeout(5.0, read=0.1)) as mws:
            with pytest.raises(errors.RequestTimeout):
                mws.orders.get_service_status()


@pytest.mark.parametrize("value", [0, -1.0, float("nan"), float("inf"), "5", True])
def test_attempt_timeout_refuses_nonsense(value: Any) -> None:
    with pytest.raises(ValueError, match="attempt_timeout"):
        client(attempt_timeout=value)


# ------------------------------------------------------------------ 4. mwskit errors, no secret


def _secrets_of(request: httpx.Request, found: set[str]) -> None:
    """The signed values of a request: its Signature, wherever it was sent."""
    for text in (request.url.query.decode(), request.content.decode("latin-1")):
        for key, value in parse_qsl(text):
            if key == "Signature":
                found.add(value)


def _texts(error: BaseException) -> Iterator[str]:
    """Every text an error and its chain can show: str, repr, args, pickle, a traceback with
    locals."""
    seen: BaseException | None = error
    while seen is not None:
        yield str(seen)
        yield repr(seen)
        yield repr(seen.args)
        yield repr(vars(seen))
        yield repr(pickle.dumps(seen))
        seen = seen.__cause__ or seen.__context__
    yield "".join(traceback.TracebackException.from_exception(error, capture_locals=True).format())


def _assert_no_secret(error: BaseException, signatures: set[str]) -> None:
    assert signatures, "the transport saw no signature"
    for text in _texts(error):
        for secret in (SECRET_KEY, AUTH_TOKEN, *signatures):
            assert secret not in text, (secret, text[:2000])


def failure_of(call: Callable[[], Any]) -> BaseException:
    """What `call` raised; its traceback starts here, so no test frame's locals are in it."""
    try:
        call()
    except BaseException as error:  # every failure is examined
        return error
    raise AssertionError("the call did not fail")


def _raising(kind: type[httpx.TransportError], signatures: set[str]) -> httpx.MockTransport:
    def handler(request: httpx.Request) -> httpx.Response:
        _secrets_of(request, signatures)
        # The message names the signed URL, as some transports' messages do.
        raise kind(f"failed: {request.url} {request.content!r}", request=request)

    return httpx.MockTransport(handler)


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        (httpx.ConnectError, "ConnectionFailed"),
        (httpx.ReadError, "ConnectionFailed"),
        (httpx.WriteError, "ConnectionFailed"),
        (httpx.ConnectTimeout, "RequestTimeout"),
        (httpx.ReadTimeout, "RequestTimeout"),
        (httpx.PoolTimeout, "RequestTimeout"),
        (httpx.RemoteProtocolError, "ProtocolError"),
        (httpx.UnsupportedProtocol, "TransportError"),
        (httpx.ProxyError, "TransportError"),
    ],
)
def test_transport_failures_are_typed_mwskit_errors_without_secrets(
    kind: type[httpx.TransportError], expected: str
) -> None:
    signatures: set[str] = set()
    with client(_raising(kind, signatures)) as mws:
        error = failure_of(mws.orders.get_service_status)
    assert isinstance(error, mwskit.MWSError)
    assert type(error).__name__ == expected
    assert isinstance(error, errors.TransportError)
    assert isinstance(error.__cause__, kind)  # the original kind, stripped of its request
    with pytest.raises(RuntimeError):
        error.__cause__.request  # noqa: B018
    assert error.__cause__.__traceback__ is None
    assert str(error).startswith(f"{expected}: GetServiceStatus: "), str(error)
    _assert_no_secret(error, signatures)


def test_an_unsafe_action_after_a_transport_failure_shows_no_secret() -> None:
    signatures: set[str] = set()
    with client(_raising(httpx.ReadError, signatures)) as mws:
        # SubmitFeed: MWSAuthToken and Signature are in the URL
        error = failure_of(lambda: submit_feed(mws))
    assert isinstance(error, OutcomeUnknown)
    assert isinstance(error.__cause__, errors.ConnectionFailed)
    assert isinstance(error.__cause__.__cause__, httpx.ReadError)
    _assert_no_secret(error, signatures)


def test_real_socket_failures_are_mwskit_errors() -> None:
    refused = socket.socket()
    refused.bind(("127.0.0.1", 0))
    port = refused.getsockname()[1]
    refused.close()  # nobody listens there now
    with client(endpoint=f"http://127.0.0.1:{port}", timeout=2.0) as mws:
        with pytest.raises(errors.ConnectionFailed) as caught:
            mws.orders.get_service_status()
    assert caught.value.maybe_sent is False

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    listener.settimeout(5.0)

    def hang_up() -> None:
        try:
            connection, _ = listener.accept()
        except OSError:
            return
        with connection:
            connection.settimeout(5.0)
            with contextlib.suppress(OSError):
                connection.recv(65536)

    thread = threading.Thread(target=hang_up, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{listener.getsockname()[1]}"
    try:
        with client(endpoint=url, timeout=2.0) as mws:
            with pytest.raises(errors.TransportError) as caught:
                mws.orders.get_service_status()
        assert isinstance(caught.value, errors.ProtocolError | errors.ConnectionFailed)
        assert caught.value.maybe_sent is True
        text = "".join(
            traceback.TracebackException.from_exception(caught.value, capture_locals=True).format()
        )
        assert SECRET_KEY not in text and AUTH_TOKEN not in text and "Signature=" not in text
    finally:
        thread.join(6)
        listener.close()


def test_async_transport_failures_are_mwskit_errors_without_secrets() -> None:
    signatures: set[str] = set()

    def handler(request: httpx.Request) -> httpx.Response:
        _secrets_of(request, signatures)
        raise httpx.ReadError(f"failed: {request.url}", request=request)

    async def run() -> tuple[BaseException, BaseException]:
        found = []
        async with async_client(httpx.MockTransport(handler)) as mws:
            for call in (
                lambda: mws.orders.get_service_status(),
                lambda: mws.feeds.submit_feed(feed_type="_POST_PRODUCT_DATA_", feed_content=b"x"),
            ):
                try:
                    await call()
                except mwskit.MWSError as error:
                    found.append(error)
        return found[0], found[1]

    plain, unsafe = asyncio.run(run())
    assert isinstance(plain, errors.ConnectionFailed)
    assert isinstance(unsafe, OutcomeUnknown)
    _assert_no_secret(plain, signatures)
    _assert_no_secret(unsafe, signatures)


# ------------------------------------------------------------------ 5. pickle and copy

_VALUES: dict[str, Any] = {
    "message": "the thing failed",
    "code": "SomeCode",
    "error_type": "Sender",
    "request_id": "rid-1",
    "status_code": 503,
    "detail": "more",
    "retry_after": 1.25,
    "maybe_sent": True,
}


def _error_classes() -> list[type[BaseException]]:
    names = [name for name in errors.__all__ if isinstance(getattr(errors, name), type)]
    return [getattr(errors, name) for name in names]


def _instance(cls: type[BaseException]) -> BaseException:
    parameters = inspect.signature(cls).parameters
    arguments = {}
    for name, parameter in parameters.items():
        if parameter.kind in (parameter.VAR_POSITIONAL, parameter.VAR_KEYWORD):
            continue
        assert name in _VALUES, f"{cls.__name__}: no test value for {name!r}"
        arguments[name] = _VALUES[name]
    message = arguments.pop("message")
    return cls(message, **arguments)


def _state(error: BaseException) -> tuple[Any, ...]:
    return (type(error), str(error), repr(error), error.args, vars(error))


def test_every_error_class_survives_pickle_and_copy() -> None:
    classes = _error_classes()
    assert len(classes) >= 23
    for cls in classes:
        error = _instance(cls)
        expected = _state(error)
        assert str(error).count("the thing failed") == 1
        pickled = pickle.loads(pickle.dumps(error))
        assert _state(pickled) == expected, cls
        assert _state(pickle.loads(pickle.dumps(pickled))) == expected, cls
        assert _state(copy.copy(error)) == expected, cls
        assert _state(copy.deepcopy(error)) == expected, cls


def _raise_in_worker(name: str) -> None:
    raise _instance(getattr(errors, name))


def test_errors_cross_a_process_pool() -> None:
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(max_workers=1) as pool:
        future = pool.submit(_raise_in_worker, "ThrottleWouldWait")
        with pytest.raises(mwskit.ThrottleWouldWait) as caught:
            future.result(timeout=60)
    assert caught.value.retry_after == 1.25
    assert str(caught.value) == str(_instance(mwskit.ThrottleWouldWait))


# ------------------------------------------------------------------ 6. repr of a half-built client


@pytest.mark.parametrize("cls", [MWS, AsyncMWS])
def test_repr_of_a_half_built_client(cls: type[Any]) -> None:
    blank = cls.__new__(cls)
    assert cls.__name__ in repr(blank)
    try:
        cls(access_key=ACCESS_KEY, secret_key=SECRET_KEY, seller_id="S", region="XX")
    except ValueError as error:
        frames = [frame for frame, _ in traceback.walk_tb(error.__traceback__)]
    else:
        raise AssertionError("region XX was accepted")
    built = [f.f_locals["self"] for f in frames if isinstance(f.f_locals.get("self"), cls)]
    assert built
    text = repr(built[0])
    assert cls.__name__ in text and SECRET_KEY not in text


def test_repr_after_a_section_failed_to_build(monkeypatch: pytest.MonkeyPatch) -> None:
    # A section's client is made on its first access (not in MWS.__init__): a failure there
    # leaves the client whole, its repr still free of secrets.
    import mwskit.orders.client as orders_client

    def broken(session: Any) -> None:
        raise RuntimeError("section failed")

    monkeypatch.setattr(orders_client, "OrdersClient", broken)
    half = [
        MWS(access_key=ACCESS_KEY, secret_key=SECRET_KEY, seller_id="S", endpoint="https://x.test")
    ]
    with pytest.raises(RuntimeError):
        half[0].orders  # noqa: B018
    text = repr(half[0])
    assert "access_key='AKIABOUNDSACCESSKEY1'" in text and SECRET_KEY not in text
    half[0].close()  # closing a half-built client does not raise either
