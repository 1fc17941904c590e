"""The sandbox on a real socket: an HTTP/1.1 server on loopback, `start`ed in the background
(tests) or `serve`d until Ctrl-C or SIGTERM (the command), and the command's credentials.

It is the standard library's `http.server` with limits (`ServerLimits`): a connection silent
for `timeout` seconds is closed; at most `max_connections` are served at once (one thread each)
and a connection past them gets an immediate 503 `ServiceUnavailable`; a body over `max_body`
bytes is refused (413) before it is read. Every answer, the HTTP layer's own refusals (400,
411, 413, 414, 431, 501, 505) included, is an MWS document with its Content-Length, and
connections are kept alive between requests. `--verbose` logs redact MWSAuthToken and
Signature (the client's rule, `RedactSecrets`) and every secret key.
"""

from __future__ import annotations

import contextlib
import logging
import math
import os
import queue
import signal
import socket
import struct
import sys
import threading
import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from socketserver import TCPServer, ThreadingMixIn
from types import FrameType, TracebackType
from typing import Any, TextIO
from urllib.parse import quote, quote_plus, unquote

from .._runtime.client import RedactSecrets
from .answers import DEFAULT_NAMESPACE, XML_HEADERS, echo, error_document
from .app import SandboxApp

_MIB = 1024 * 1024
_LINGER_SECONDS = 1.0  # how long a refused connection's unread input is drained before closing


@dataclass(frozen=True, slots=True)
class ServerLimits:
    """What one server allows its clients.

    `timeout`: seconds a connection may stay silent (in the middle of a request, or idle
    between keep-alive requests) before it is closed without an answer; `max_connections`:
    connections served at once, one thread each (a connection past them is answered 503
    ServiceUnavailable at once and closed; the client may retry); `max_body`: bytes a request
    body may have (a larger Content-Length is answered 413 InvalidRequest before reading it).
    """

    timeout: float = 30.0
    max_connections: int = 64
    max_body: int = 64 * _MIB

    def __post_init__(self) -> None:
        if not (math.isfinite(self.timeout) and self.timeout > 0):
            raise ValueError("ServerLimits.timeout must be a positive number of seconds")
        if self.max_connections < 1:
            raise ValueError("ServerLimits.max_connections must be at least 1")
        if self.max_body < 0:
            raise ValueError("ServerLimits.max_body must not be negative")


# ---------------------------------------------------------------- credentials


def parse_credentials(text: str) -> dict[str, str]:
    """`AK1:SK1,AK2:SK2` (the MWSKIT_SANDBOX_CREDENTIALS format) as {access key: secret key}."""
    found: dict[str, str] = {}
    for number, item in enumerate(text.replace(";", ",").split(","), 1):
        item = item.strip()
        if not item:
            continue
        access, sep, secret = item.partition(":")
        if not sep or not access or not secret:
            # The item is not quoted back: it may be a secret.
            raise ValueError(
                f"credentials must be ACCESS_KEY:SECRET_KEY pairs; item {number} is not"
            )
        found[access] = secret
    return found


def read_credentials_file(path: str | os.PathLike[str]) -> dict[str, str]:
    """Key pairs from a file, one `ACCESS_KEY:SECRET_KEY` a line (blank lines and lines starting
    with `#` are skipped). A ValueError names the file and line, never quoting it."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        reason = getattr(error, "strerror", None) or type(error).__name__
        raise ValueError(f"{path}: cannot read the credentials file ({reason})") from None
    found: dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        access, sep, secret = line.partition(":")
        if not sep or not access.strip() or not secret.strip():
            raise ValueError(f"{path}:{number}: expected ACCESS_KEY:SECRET_KEY")
        found[access.strip()] = secret.strip()
    if not found:
        raise ValueError(f"{path}: no ACCESS_KEY:SECRET_KEY line")
    return found


_REDACT = RedactSecrets()
# Control characters in a logged request line are written as escapes (as http.server does).
_CONTROLS = {code: f"\\x{code:02x}" for code in (*range(0x20), *range(0x7F, 0xA0))}


def redact(message: str, secrets: Iterable[str] = ()) -> str:
    """`message` without MWSAuthToken and Signature values (the client's `RedactSecrets` rule)
    and without any of `secrets`, as given or percent-encoded."""
    record = logging.LogRecord("mwskit.sandbox", logging.INFO, __file__, 0, message, None, None)
    _REDACT.filter(record)
    text = record.getMessage()
    for secret in secrets:
        for form in {secret, quote(secret, safe=""), quote_plus(secret)}:
            if form:
                text = text.replace(form, "[redacted]")
    return text


# ---------------------------------------------------------------- one connection


_REASONS: dict[int, str] = {
    HTTPStatus.REQUEST_URI_TOO_LONG: "The request line is longer than 65536 bytes.",
    HTTPStatus.REQUEST_HEADER_FIELDS_TOO_LARGE: "The request headers are too long or too many.",
    HTTPStatus.HTTP_VERSION_NOT_SUPPORTED: "The HTTP version is not supported.",
}


def _drain(connection: socket.socket, seconds: float, limit: int) -> None:
    """After answering, read and drop what the client still sends (at most `limit` bytes for
    `seconds`), so that closing does not reset the connection before it reads the answer."""
    try:
        connection.shutdown(socket.SHUT_WR)
        deadline = time.monotonic() + seconds
        while limit > 0:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return
            connection.settimeout(remaining)
            chunk = connection.recv(min(65536, limit))
            if not chunk:
                return
            limit -= len(chunk)
    except OSError:
        pass


class _Handler(BaseHTTPRequestHandler):
    """One connection's HTTP/1.1 requests, each answered by the app; quiet unless verbose."""

    server: _Server
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    _linger = False
    _length = 0

    def setup(self) -> None:
        super().setup()
        self.connection.settimeout(self.server.limits.timeout)  # idle and mid-request

    def finish(self) -> None:
        super().finish()
        if self._linger:
            limits = self.server.limits
            seconds = min(limits.timeout, _LINGER_SECONDS)
            _drain(self.connection, seconds, max(limits.max_body, _MIB))

    def do_GET(self) -> None:
        self._answer()

    def do_POST(self) -> None:
        self._answer()

    def do_HEAD(self) -> None:
        self._answer()

    def _answer(self) -> None:
        body = self._body()
        if body is None:
            return
        path, _, query = self.path.partition("?")
        reply = self.server.app.handle(
            self.command,
            self.headers.get("Host") or self.server.server_name,
            unquote(path, "iso-8859-1"),
            query,
            self.headers.get("Content-Type", ""),
            body,
        )
        if reply.delay > 0:
            time.sleep(reply.delay)
        if reply.reset:
            self._reset()
            return
        self._send(reply.status, reply.headers, reply.body)

    def _body(self) -> bytes | None:
        """The request body; None when it was refused (and answered) or the client left."""
        refusal = self._check_length()
        if refusal is not None:
            self._refuse(*refusal)
            return None
        if not self._length:
            return b""
        body = self.rfile.read(self._length)
        if len(body) < self._length:  # the client went away in the middle of the body
            self.close_connection = True
            return None
        return body

    def _check_length(self) -> tuple[int, str] | None:
        """The status and message refusing a body not read: chunked, or its Content-Length
        unreadable or over the limit; sets `_length` otherwise."""
        self._length = 0
        coding = self.headers.get("Transfer-Encoding")
        if coding is not None and coding.strip().lower() != "identity":
            return 411, "A request body must have a Content-Length (not Transfer-Encoding)."
        given = {text.strip() for text in self.headers.get_all("Content-Length") or []}
        if not given:
            return None
        text = given.pop()
        if given or not (text.isascii() and text.isdigit()):
            return 400, "The Content-Length header is not a number of bytes."
        limit = self.server.limits.max_body
        if len(text) > 20 or int(text) > limit:
            return 413, f"The request body is larger than the limit of {limit} bytes."
        self._length = int(text)
        return None

    def handle_expect_100(self) -> bool:
        refusal = self._check_length()
        if refusal is not None:  # refused instead of "100 Continue": the body is not sent
            self._refuse(*refusal)
            return False
        return super().handle_expect_100()

    def _send(
        self,
        status: int,
        headers: Iterable[tuple[str, str]],
        body: bytes,
        *,
        close: bool = False,
    ) -> None:
        if self.request_version == "HTTP/0.9":  # an unreadable request line: answer HTTP/1.1
            self.request_version = "HTTP/1.1"
            close = True
        self.send_response(status)
        for name, value in headers:
            if name.lower() not in ("content-length", "connection"):
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        if close:
            self.send_header("Connection", "close")  # sets close_connection
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _refuse(self, status: int, message: str) -> None:
        """Answer an MWS error document and close: the request may not have been read."""
        error_type = "Receiver" if status in (500, 503) else "Sender"
        body = error_document(
            DEFAULT_NAMESPACE, "InvalidRequest", message, str(uuid.uuid4()), error_type
        )
        self._linger = True
        self._send(status, XML_HEADERS, body, close=True)

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """The standard library's refusals (400, 414, 431, 501, 505) as MWS error documents."""
        self.log_error("code %d, message %s", code, message)
        if code == HTTPStatus.NOT_IMPLEMENTED:
            reason = f"The method {echo(self.command)} is not supported; use GET or POST."
        else:
            reason = _REASONS.get(code) or f"The request is not valid HTTP: {echo(message or '')}"
        self._refuse(code, reason)

    def _reset(self) -> None:
        # SO_LINGER with a zero timeout makes close() send RST instead of FIN.
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.close_connection = True
        self.server.mark_reset(self.connection)

    def log_message(self, format: str, *args: Any) -> None:
        if self.server.verbose:
            message = redact(format % args, self.server.app.credentials.values())
            sys.stderr.write(
                f"{self.address_string()} - - [{self.log_date_time_string()}] "
                f"{message.translate(_CONTROLS)}\n"
            )


# ---------------------------------------------------------------- the server


class _Server(ThreadingMixIn, HTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(
        self, address: tuple[str, int], app: SandboxApp, limits: ServerLimits, verbose: bool
    ) -> None:
        self.app = app
        self.limits = limits
        self.verbose = verbose
        self.refused = 0
        self._slots = threading.BoundedSemaphore(limits.max_connections)
        self._open: set[socket.socket] = set()
        self._resets: set[int] = set()
        self._lock = threading.Lock()
        self._overflow: queue.Queue[socket.socket | None] = queue.Queue(limits.max_connections)
        self._turner: threading.Thread | None = None
        self._closed = False
        super().__init__(address, _Handler)

    def server_bind(self) -> None:
        # HTTPServer.server_bind calls socket.getfqdn, which may wait on DNS: skip it.
        TCPServer.server_bind(self)
        host, port = self.server_address[:2]
        self.server_name = str(host)
        self.server_port = int(port)

    def process_request(self, request: Any, client_address: Any) -> None:
        if not self._slots.acquire(blocking=False):
            self._turn_away(request)
            return
        with self._lock:
            self._open.add(request)
        try:
            super().process_request(request, client_address)
        except BaseException:
            self._slots.release()
            raise

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        try:
            super().process_request_thread(request, client_address)
        finally:
            self._slots.release()

    def _turn_away(self, request: socket.socket) -> None:
        """A connection past the cap: answered 503 by one thread, or closed when it is busy."""
        self.refused += 1
        try:
            self._overflow.put_nowait(request)
        except queue.Full:
            self.shutdown_request(request)
            return
        if self._turner is None:
            self._turner = threading.Thread(
                target=self._answer_overflow, name="mwskit-sandbox-busy", daemon=True
            )
            self._turner.start()

    def _answer_overflow(self) -> None:
        while (request := self._overflow.get()) is not None:
            body = error_document(
                DEFAULT_NAMESPACE,
                "ServiceUnavailable",
                f"The sandbox is serving its limit of {self.limits.max_connections} "
                "connections. Please try again.",
                str(uuid.uuid4()),
                "Receiver",
            )
            head = (
                "HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/xml\r\n"
                f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
            )
            try:
                request.settimeout(_LINGER_SECONDS)
                request.sendall(head.encode("ascii") + body)
                _drain(request, min(self.limits.timeout, _LINGER_SECONDS), _MIB)
            except OSError:
                pass
            finally:
                self.shutdown_request(request)

    def mark_reset(self, connection: socket.socket) -> None:
        with self._lock:
            self._resets.add(id(connection))

    def shutdown_request(self, request: Any) -> None:
        with self._lock:
            reset = id(request) in self._resets
            self._resets.discard(id(request))
            self._open.discard(request)
        if reset:
            request.close()  # no shutdown(SHUT_WR): that would send FIN before the RST
        else:
            super().shutdown_request(request)

    def server_close(self) -> None:
        if self._closed:
            return
        self._closed = True
        super().server_close()
        with self._lock:
            still_open = list(self._open)
        for connection in still_open:  # keep-alive connections end with the server
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)
        if self._turner is not None:
            while True:
                try:
                    waiting = self._overflow.get_nowait()
                except queue.Empty:
                    break
                if waiting is not None:
                    waiting.close()
            self._overflow.put(None)

    def handle_error(self, request: Any, client_address: Any) -> None:
        if self.verbose:
            super().handle_error(request, client_address)


class SandboxServer:
    """The sandbox on a loopback socket, one thread per connection up to `limits`.

    `start()` serves from a background thread (tests); `serve_forever()` blocks (the command).
    Port 0 picks a free port; `url` is what clients pass as `endpoint`; `refused_connections`
    counts the connections answered 503 (or closed) past the cap.
    """

    def __init__(
        self,
        app: SandboxApp,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        verbose: bool = False,
        limits: ServerLimits | None = None,
    ) -> None:
        self.app = app
        self.limits = limits or ServerLimits()
        self._server = _Server((host, port), app, self.limits, verbose)
        self._thread: threading.Thread | None = None

    @property
    def host(self) -> str:
        return str(self._server.server_address[0])

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    @property
    def refused_connections(self) -> int:
        return self._server.refused

    def start(self) -> SandboxServer:
        thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="mwskit-sandbox",
            daemon=True,
        )
        thread.start()
        self._thread = thread
        return self

    def serve_forever(self) -> None:
        """Serve until Ctrl-C or SIGTERM, then close the socket."""
        previous = None
        if threading.current_thread() is threading.main_thread():
            previous = signal.signal(signal.SIGTERM, _interrupt)
        try:
            self._server.serve_forever(poll_interval=0.2)
        except KeyboardInterrupt:
            pass
        finally:
            if previous is not None:
                signal.signal(signal.SIGTERM, previous)
            self._server.server_close()

    def stop(self) -> None:
        if self._thread is not None:
            self._server.shutdown()
            self._thread.join()
            self._thread = None
        self._server.server_close()

    def __enter__(self) -> SandboxServer:
        return self if self._thread is not None else self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def serve(
    app: SandboxApp,
    host: str = "127.0.0.1",
    port: int = 8765,
    *,
    verbose: bool = False,
    out: TextIO | None = None,
    limits: ServerLimits | None = None,
) -> None:
    """Serve `app` on host:port until Ctrl-C or SIGTERM, printing the URL first."""
    out = out or sys.stdout
    server = SandboxServer(app, host, port, verbose=verbose, limits=limits)
    actions = len(app.operations())
    print(
        f"mwskit sandbox on {server.url} ({len(app.sections)} sections, {actions} actions); "
        "Ctrl-C to stop",
        file=out,
        flush=True,
    )
    server.serve_forever()
    print("mwskit sandbox stopped", file=out, flush=True)
