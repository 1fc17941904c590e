"""The sandbox on a real socket: a threaded HTTP server on loopback, `start`ed in the background
(tests) or `serve`d until Ctrl-C or SIGTERM (the command), and the command's credentials.
"""

from __future__ import annotations

import signal
import socket
import struct
import sys
import threading
from socketserver import TCPServer, ThreadingMixIn
from types import FrameType, TracebackType
from typing import Any, TextIO
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer

from .app import RESET_KEY, SandboxApp


def parse_credentials(text: str) -> dict[str, str]:
    """`AK1:SK1,AK2:SK2` (the MWSKIT_SANDBOX_CREDENTIALS format) as {access key: secret key}."""
    found: dict[str, str] = {}
    for item in text.replace(";", ",").split(","):
        item = item.strip()
        if not item:
            continue
        access, sep, secret = item.partition(":")
        if not sep or not access or not secret:
            raise ValueError(
                f"credentials must be ACCESS_KEY:SECRET_KEY pairs; got {item[:4]!r}..."
            )
        found[access] = secret
    return found


class _Handler(WSGIRequestHandler):
    """Quiet unless verbose; can drop its connection with a TCP reset (an injected fault)."""

    server: _Server

    def get_environ(self) -> dict[str, Any]:
        environ = super().get_environ()
        environ[RESET_KEY] = self._reset
        return environ

    def _reset(self) -> None:
        # SO_LINGER with a zero timeout makes close() send RST instead of FIN.
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.server.mark_reset(self.connection)

    def log_message(self, format: str, *args: Any) -> None:
        if self.server.verbose:
            super().log_message(format, *args)


class _Server(ThreadingMixIn, WSGIServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(self, address: tuple[str, int], verbose: bool) -> None:
        self.verbose = verbose
        self._resets: set[int] = set()
        self._resets_lock = threading.Lock()
        super().__init__(address, _Handler)

    def server_bind(self) -> None:
        # HTTPServer.server_bind calls socket.getfqdn, which may wait on DNS: skip it.
        TCPServer.server_bind(self)
        host, port = self.server_address[:2]
        self.server_name = str(host)
        self.server_port = int(port)
        self.setup_environ()

    def mark_reset(self, connection: socket.socket) -> None:
        with self._resets_lock:
            self._resets.add(id(connection))

    def shutdown_request(self, request: Any) -> None:
        with self._resets_lock:
            reset = id(request) in self._resets
            self._resets.discard(id(request))
        if reset:
            request.close()  # no shutdown(SHUT_WR): that would send FIN before the RST
        else:
            super().shutdown_request(request)

    def handle_error(self, request: Any, client_address: Any) -> None:
        if self.verbose:
            super().handle_error(request, client_address)


class SandboxServer:
    """The sandbox on a loopback socket, one thread per connection.

    `start()` serves from a background thread (tests); `serve_forever()` blocks (the command).
    Port 0 picks a free port; `url` is what clients pass as `endpoint`.
    """

    def __init__(
        self, app: SandboxApp, host: str = "127.0.0.1", port: int = 0, *, verbose: bool = False
    ) -> None:
        self.app = app
        self._server = _Server((host, port), verbose)
        self._server.set_app(app)
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
) -> None:
    """Serve `app` on host:port until Ctrl-C or SIGTERM, printing the URL first."""
    out = out or sys.stdout
    server = SandboxServer(app, host, port, verbose=verbose)
    actions = len(app.operations())
    print(
        f"mwskit sandbox on {server.url} ({len(app.sections)} sections, {actions} actions); "
        "Ctrl-C to stop",
        file=out,
        flush=True,
    )
    server.serve_forever()
    print("mwskit sandbox stopped", file=out, flush=True)
