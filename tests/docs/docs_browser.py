"""A headless Chromium driven over the DevTools protocol, and a static server for a built site.

Chromium is Debian's `chromium` package (`.ci/run` installs it in CI). It is started with
`--remote-debugging-port=0` and a fresh profile; the port it chose is read from the profile's
`DevToolsActivePort` file, and one WebSocket (websocket-client, synchronous) carries every
command. One page target is attached in flat mode, so commands and events are plain JSON
messages with a session ID: no browser download, no driver binary, no async framework.
"""

from __future__ import annotations

import base64
import contextlib
import http.server
import json
import shutil
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import websocket

CHROMIUM = "chromium"
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--remote-debugging-port=0",
)
TIMEOUT = 20.0  # seconds for any one step: start, a command, a page load
SITE_PREFIX = "/mwskit/"  # the sub-path the test site is built for and served under
SITE_URL = f"https://docs.example.org{SITE_PREFIX}"  # its published address (MWSKIT_SITE_URL)


def chromium_path() -> str | None:
    return shutil.which(CHROMIUM)


@dataclass
class PageProblems:
    """What went wrong while pages loaded: console errors, exceptions, failed requests."""

    console: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)


class Browser:
    """One headless Chromium with one page; `navigate`, `evaluate`, `screenshot`."""

    def __init__(self, executable: str) -> None:
        # Chromium's helper processes may still write into the profile for a moment after the
        # browser exits; a leftover file there must not fail the test.
        self._profile = tempfile.TemporaryDirectory(
            prefix="mwskit-chromium-", ignore_cleanup_errors=True
        )
        self._process = subprocess.Popen(
            [executable, *FLAGS, f"--user-data-dir={self._profile.name}", "about:blank"],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self._next_id = 0
        self._events: list[dict[str, Any]] = []
        self.problems = PageProblems()
        try:
            self._socket = websocket.create_connection(self._browser_url(), timeout=TIMEOUT)
            target = self._command("Target.createTarget", url="about:blank")["targetId"]
            self._session = self._command("Target.attachToTarget", targetId=target, flatten=True)[
                "sessionId"
            ]
            for domain in ("Page", "Runtime", "Log", "Network"):
                self.send(f"{domain}.enable")
        except BaseException:
            self.close()
            raise

    def _browser_url(self) -> str:
        active_port = Path(self._profile.name) / "DevToolsActivePort"
        deadline = time.monotonic() + TIMEOUT
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise RuntimeError(f"chromium exited with {self._process.returncode}")
            lines = active_port.read_text().split() if active_port.is_file() else []
            if len(lines) == 2:
                return f"ws://127.0.0.1:{lines[0]}{lines[1]}"
            time.sleep(0.05)
        raise TimeoutError("chromium did not open its DevTools port")

    def _command(self, method: str, session: str | None = None, **params: Any) -> Any:
        self._next_id += 1
        message: dict[str, Any] = {"id": self._next_id, "method": method, "params": params}
        if session is not None:
            message["sessionId"] = session
        self._socket.send(json.dumps(message))
        while True:
            reply = self._receive()
            if reply.get("id") == self._next_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})

    def _receive(self) -> dict[str, Any]:
        reply: dict[str, Any] = json.loads(self._socket.recv())
        if "method" in reply:
            self._record(reply)
        return reply

    def _record(self, event: dict[str, Any]) -> None:
        self._events.append(event)
        method, params = event["method"], event.get("params", {})
        if method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
            texts = [str(arg.get("value", arg.get("description", ""))) for arg in params["args"]]
            self.problems.console.append(" ".join(texts))
        elif method == "Runtime.exceptionThrown":
            self.problems.console.append(params["exceptionDetails"].get("text", "exception"))
        elif method == "Log.entryAdded" and params["entry"]["level"] == "error":
            entry = params["entry"]
            self.problems.console.append(f"{entry.get('text')} ({entry.get('url', '')})")
        elif method == "Network.loadingFailed" and not params.get("canceled"):
            self.problems.failed.append(f"{params.get('errorText')} ({params['requestId']})")
        elif method == "Network.responseReceived" and params["response"]["status"] >= 400:
            response = params["response"]
            self.problems.failed.append(f"{response['status']} {response['url']}")

    def send(self, method: str, **params: Any) -> Any:
        """A command to the page."""
        return self._command(method, self._session, **params)

    def navigate(self, url: str, *, width: int = 1280, height: int = 900) -> None:
        """Load `url` (no fragment: a fragment-only change fires no load event) at a viewport
        of `width` CSS pixels (a phone's when narrow) and wait for its load event."""
        assert "#" not in url, url
        self.send(
            "Emulation.setDeviceMetricsOverride",
            width=width,
            height=height,
            deviceScaleFactor=1,
            mobile=width < 600,
        )
        self._events.clear()
        self.send("Page.navigate", url=url)
        deadline = time.monotonic() + TIMEOUT
        while not any(event["method"] == "Page.loadEventFired" for event in self._events):
            if time.monotonic() > deadline:
                raise TimeoutError(f"{url} did not load")
            self._receive()

    def evaluate(self, expression: str) -> Any:
        """The value of a JavaScript expression in the page (promises awaited)."""
        result = self.send(
            "Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True
        )
        if "exceptionDetails" in result:
            raise RuntimeError(f"{expression}: {result['exceptionDetails']}")
        return result["result"].get("value")

    def wait_for(self, expression: str) -> Any:
        """The first truthy value of `expression`, polled."""
        deadline = time.monotonic() + TIMEOUT
        while time.monotonic() < deadline:
            value = self.evaluate(expression)
            if value:
                return value
            time.sleep(0.05)
        raise TimeoutError(f"never true: {expression}")

    def set_color_scheme(self, scheme: str, origin: str) -> None:
        """Emulate the system's light or dark preference; the site's stored palette choice
        (local storage of `origin`) is cleared, with no page of the site open to write it back,
        so that the site follows it."""
        self.navigate("about:blank")
        self.send("Storage.clearDataForOrigin", origin=origin, storageTypes="local_storage")
        self.send(
            "Emulation.setEmulatedMedia",
            features=[{"name": "prefers-color-scheme", "value": scheme}],
        )

    def screenshot(self, path: Path, area: dict[str, float] | None = None) -> None:
        """A PNG of the viewport, or of `area` (x, y, width, height in page coordinates)."""
        path.parent.mkdir(parents=True, exist_ok=True)
        options: dict[str, Any] = {"format": "png"}
        if area is not None:
            options |= {"clip": {**area, "scale": 1}, "captureBeyondViewport": True}
        data = self.send("Page.captureScreenshot", **options)["data"]
        path.write_bytes(base64.b64decode(data))

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self._socket.close()
        self._process.terminate()
        try:
            self._process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
        self._profile.cleanup()


class _SiteHandler(http.server.SimpleHTTPRequestHandler):
    """Files of the site under the server's prefix; anything else answers 404.html, with 404,
    as a static host configured with the site's 404 page does."""

    prefix = "/"

    def translate_path(self, path: str) -> str:
        if not path.startswith(self.prefix):
            return str(Path(self.directory) / "\0no-such-file")
        return super().translate_path("/" + path[len(self.prefix) :])

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        page = Path(self.directory) / "404.html"
        if code != 404 or not page.is_file():
            super().send_error(code, message, explain)
            return
        body = page.read_bytes()
        self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass  # quiet: the test reports what matters


@contextlib.contextmanager
def serve(site: Path, prefix: str) -> Iterator[str]:
    """Serve `site` at http://127.0.0.1:<free port><prefix>; yields that base URL."""
    handler = type("Handler", (_SiteHandler,), {"prefix": prefix})
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), lambda *args: handler(*args, directory=str(site))
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}{prefix}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
