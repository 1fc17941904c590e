"""The sandbox as a server under hostile or careless clients (issue 13, "The sandbox as a server").

Slow and idle connections time out, concurrent connections are capped (the rest get a prompt
503), bodies and Content-Length are capped (413 before reading), the HTTP layer's own refusals
(414, 431, 501, bad requests) are MWS error documents, HEAD gets no body, it speaks HTTP/1.1 with
keep-alive, the state it keeps (NextTokens, feeds, reports) is bounded, `--verbose` logs no
secret, and credentials can come from a file.

Everything runs on 127.0.0.1, with bounded counts and timeouts, and stops by itself.
"""

from __future__ import annotations

import http.client
import inspect
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

import mwskit
import mwskit.sandbox as sandbox_package
from conftest import ROOT
from mwskit import errors
from mwskit.sandbox import Sandbox, SandboxServer, start, transport

AK, SK, SELLER = "AKFAULTS", "faults-secret-key", "A1FAULTS"
CREDS = {AK: SK}
FEEDS = "/Feeds/2009-01-01"
DEADLINE = 10.0  # no socket in this file waits longer than this


def make_client(endpoint: str, **kwargs: Any) -> mwskit.MWS:
    options: dict[str, Any] = {"access_key": AK, "secret_key": SK, "seller_id": SELLER}
    accepted = inspect.signature(mwskit.MWS).parameters
    if "retries" in accepted:
        options["retries"] = mwskit.RetryPolicy(max_attempts=1)
    if "throttle" in accepted:
        options["throttle"] = "off"
    options.update(kwargs)
    return mwskit.MWS(endpoint=endpoint, **options)


def connect(server: SandboxServer) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", server.port), timeout=DEADLINE)
    sock.settimeout(DEADLINE)
    return sock


def read_all(sock: socket.socket, deadline: float = DEADLINE) -> bytes:
    """Everything the server sends until it closes the connection (or `deadline` passes)."""
    chunks = []
    began = time.monotonic()
    sock.settimeout(deadline)
    while time.monotonic() - began < deadline:
        try:
            chunk = sock.recv(65536)
        except (ConnectionResetError, TimeoutError):
            break
        if not chunk:
            break
        chunks.append(chunk)
    return b"".join(chunks)


def read_answer(sock: socket.socket, deadline: float = DEADLINE) -> bytes:
    """One answer, read as a client does: its headers, then Content-Length bytes of body."""
    data = b""
    sock.settimeout(deadline)
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            return data
        data += chunk
    _, headers, body = split(data)
    while len(body) < int(headers.get("content-length", "0")):
        chunk = sock.recv(65536)
        if not chunk:
            break
        body += chunk
        data += chunk
    return data


def exchange(server: SandboxServer, data: bytes) -> tuple[int, dict[str, str], bytes]:
    """Send raw bytes on a new connection; the status, headers and body of the answer."""
    with connect(server) as sock:
        sock.sendall(data)
        answer = read_all(sock)
    return split(answer)


def split(answer: bytes) -> tuple[int, dict[str, str], bytes]:
    head, _, body = answer.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    assert lines[0].startswith("HTTP/1.1 "), lines[0]
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return int(lines[0].split()[1]), headers, body


def mws_error(body: bytes) -> tuple[str, str]:
    """The Type and Code of an MWS ErrorResponse document."""
    root = etree.fromstring(body)
    assert etree.QName(root).localname == "ErrorResponse"
    assert root.findtext("{*}RequestID")
    return root.findtext("{*}Error/{*}Type") or "", root.findtext("{*}Error/{*}Code") or ""


@pytest.fixture
def server() -> Iterator[SandboxServer]:
    with start(Sandbox(CREDS, throttling=False)) as running:
        yield running


# ---------------------------------------------------------------- slow clients, connection cap


def test_a_slow_connection_is_timed_out() -> None:
    limits = sandbox_package.ServerLimits(timeout=0.5)
    with start(Sandbox(CREDS), limits=limits) as running, connect(running) as sock:
        sock.sendall(b"POST /Feeds/2009-01-01 HT")  # and nothing more
        began = time.monotonic()
        assert read_all(sock) == b""  # closed without an answer: the request never ended
        assert 0.4 <= time.monotonic() - began < 3.0
    # An idle keep-alive connection is closed as well.
    with start(Sandbox(CREDS), limits=limits) as running:
        connection = http.client.HTTPConnection("127.0.0.1", running.port, timeout=DEADLINE)
        connection.request("GET", "/")
        connection.getresponse().read()
        assert connection.sock is not None
        began = time.monotonic()
        assert connection.sock.recv(1) == b""
        assert time.monotonic() - began < 3.0
        connection.close()


def test_connections_are_capped_and_threads_bounded() -> None:
    """With the default cap (64), 80 silent connections hold at most 64 threads; the others get
    a prompt MWS 503 and are closed; once they go, the server answers again."""
    cap = 64
    with start(Sandbox(CREDS, throttling=False)) as running:
        baseline = threading.active_count()
        sockets = [connect(running) for _ in range(cap + 16)]
        try:
            time.sleep(0.3)  # time for the server to take every connection
            assert threading.active_count() - baseline <= cap + 2
            began = time.monotonic()
            refused = []
            for sock in sockets[cap:]:
                status, headers, body = split(read_answer(sock, 3.0))
                refused.append((status, mws_error(body), headers.get("connection")))
                sock.close()  # as a client does on "Connection: close"
            assert time.monotonic() - began < 5.0
            assert refused == [(503, ("Receiver", "ServiceUnavailable"), "close")] * 16
        finally:
            for sock in sockets:
                sock.close()
        deadline = time.monotonic() + 5.0
        while threading.active_count() > baseline + 1 and time.monotonic() < deadline:
            time.sleep(0.05)
        with make_client(running.url) as client:
            assert client.sellers.get_service_status().status is not None


# ---------------------------------------------------------------- bodies


def test_huge_content_length_is_refused_before_reading(
    server: SandboxServer, capfd: pytest.CaptureFixture[str]
) -> None:
    """413 with an MWS error document, without waiting for (or reading) the body, and no
    traceback on stderr."""
    for length in (100 * 1024 * 1024, 10**18, 10**30):
        began = time.monotonic()
        status, headers, body = exchange(
            server,
            f"POST {FEEDS} HTTP/1.1\r\nHost: x\r\nContent-Length: {length}\r\n\r\n".encode(),
        )
        assert time.monotonic() - began < 3.0
        assert (status, mws_error(body)) == (413, ("Sender", "InvalidRequest")), length
        assert headers["content-type"] == "text/xml"
        assert headers["content-length"] == str(len(body))
    for length in ("-1", "12abc", "1, 2"):
        status, _, body = exchange(
            server, f"POST {FEEDS} HTTP/1.1\r\nHost: x\r\nContent-Length: {length}\r\n\r\n".encode()
        )
        assert (status, mws_error(body)) == (400, ("Sender", "InvalidRequest")), length
    # Expect: 100-continue is answered 413 instead of 100 Continue.
    status, _, body = exchange(
        server,
        f"POST {FEEDS} HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\n"
        f"Content-Length: {10**12}\r\n\r\n".encode(),
    )
    assert (status, mws_error(body)) == (413, ("Sender", "InvalidRequest"))
    captured = capfd.readouterr()
    assert "Traceback" not in captured.err
    assert captured.err == ""


def test_a_body_over_the_limit_is_refused_even_when_sent() -> None:
    limits = sandbox_package.ServerLimits(max_body=1024 * 1024)
    with start(Sandbox(CREDS), limits=limits) as running:
        import httpx

        response = httpx.post(running.url + FEEDS, content=b"x" * (2 * 1024 * 1024), timeout=10)
        assert (response.status_code, mws_error(response.content)) == (
            413,
            ("Sender", "InvalidRequest"),
        )
        # A body within the limit is read and checked as usual.
        response = httpx.post(running.url + FEEDS, content=b"x" * 1024, timeout=10)
        assert (response.status_code, mws_error(response.content)[1]) == (400, "MissingParameter")


# ---------------------------------------------------------------- the HTTP layer speaks MWS


def test_http_layer_refusals_are_mws_error_documents(server: SandboxServer) -> None:
    cases = {
        414: f"GET /{'a' * 70_000} HTTP/1.1\r\nHost: x\r\n\r\n".encode(),
        431: b"GET / HTTP/1.1\r\nHost: x\r\n"
        + b"".join(f"X-H{index}: v\r\n".encode() for index in range(120))
        + b"\r\n",
        501: b"BREW /Feeds/2009-01-01 HTTP/1.1\r\nHost: x\r\n\r\n",
        400: b"GET / HTTP/1.1 extra words\r\nHost: x\r\n\r\n",
        411: b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
    }
    for expected, request in cases.items():
        status, headers, body = exchange(server, request)
        assert status == expected
        assert headers["content-type"] == "text/xml", expected
        assert headers["content-length"] == str(len(body)), expected
        assert mws_error(body) == ("Sender", "InvalidRequest"), expected
    # A long header line is 431 too.
    status, _, body = exchange(
        server, b"GET / HTTP/1.1\r\nHost: x\r\nX-Long: " + b"v" * 70_000 + b"\r\n\r\n"
    )
    assert (status, mws_error(body)) == (431, ("Sender", "InvalidRequest"))


def test_head_gets_headers_and_no_body(server: SandboxServer) -> None:
    with connect(server) as sock:
        sock.sendall(f"HEAD {FEEDS} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode())
        answer = read_all(sock)
    status, headers, body = split(answer)
    assert status == 400
    assert body == b""
    assert int(headers["content-length"]) > 0  # the length a GET would get


def test_http_11_keep_alive_with_content_length_on_every_answer(server: SandboxServer) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=DEADLINE)
    try:
        sockets = []
        for path in ("/", FEEDS, "/nowhere"):
            connection.request("GET", path)
            response = connection.getresponse()
            body = response.read()
            assert response.version == 11
            assert response.getheader("Content-Length") == str(len(body))
            assert response.getheader("Connection", "keep-alive").lower() != "close"
            mws_error(body)
            sockets.append(connection.sock)
        assert sockets[0] is not None and sockets == [sockets[0]] * 3  # one connection, reused
    finally:
        connection.close()
    with make_client(server.url) as client:  # the client over the same server
        for _ in range(3):
            client.sellers.get_service_status()


# ---------------------------------------------------------------- state that grew forever


def in_process(box: Sandbox, seller: str = SELLER) -> mwskit.MWS:
    return make_client("http://sandbox.local", seller_id=seller, transport=transport(box))


def test_next_tokens_are_bounded_and_an_evicted_one_has_expired() -> None:
    box = Sandbox(CREDS, throttling=False, limits=sandbox_package.StateLimits(next_tokens=3))
    with in_process(box) as client:
        tokens = [
            client.orders.list_orders(
                marketplace_id=["ATVPDKIKX0DER"], created_after=datetime(2024, 1, 1, tzinfo=UTC)
            ).next_token
            for _ in range(5)
        ]
        for token in tokens[:2]:
            assert token
            with pytest.raises(errors.InvalidParameterValue) as caught:
                client.orders.list_orders_by_next_token(next_token=token)
            assert (caught.value.status_code, caught.value.message) == (
                400,
                f"Value '{token}' for parameter NextToken is invalid. It has expired.",
            )
        for token in tokens[2:]:
            assert token
            client.orders.list_orders_by_next_token(next_token=token)
        with pytest.raises(errors.InvalidParameterValue) as caught:
            client.orders.list_orders_by_next_token(next_token="bogus")
        assert caught.value.message.endswith("It is not a NextToken this service issued.")


def submit(client: mwskit.MWS, feed_type: str) -> str:
    info = client.feeds.submit_feed(feed_type=feed_type, feed_content=b"sku\tqty\nA\t1\n")
    return str(info.feed_submission_info.feed_submission_id)


def test_feeds_and_reports_are_bounded_oldest_first() -> None:
    box = Sandbox(CREDS, throttling=False, limits=sandbox_package.StateLimits(submissions=5))
    with in_process(box) as a, in_process(box, "A2OTHER") as b:
        kinds = ["_POST_PRODUCT_DATA_", "_POST_INVENTORY_AVAILABILITY_DATA_"]
        ids = [submit(a, kinds[index % 2]) for index in range(6)]
        other = submit(b, kinds[0])
        assert int(a.feeds.get_feed_submission_count().count) == 4  # 2 of A's 6 evicted
        assert int(b.feeds.get_feed_submission_count().count) == 1
        listed = a.feeds.get_feed_submission_list()
        assert [info.feed_submission_id for info in listed.feed_submission_info] == ids[2:]
        assert int(a.feeds.get_feed_submission_count(feed_type_list=[kinds[0]]).count) == 2
        with pytest.raises(errors.InvalidParameterValue):
            a.feeds.get_feed_submission_result(feed_submission_id=ids[0])
        assert other
        requests = [
            a.reports.request_report(
                report_type="_GET_FLAT_FILE_OPEN_LISTINGS_DATA_"
            ).report_request_info.report_request_id
            for _ in range(7)
        ]
        assert int(a.reports.get_report_request_count().count) == 5
        listed_reports = a.reports.get_report_request_list()
        found = [info.report_request_id for info in listed_reports.report_request_info]
        assert found == requests[2:]


def test_counting_feeds_keeps_counters_instead_of_scanning(monkeypatch: pytest.MonkeyPatch) -> None:
    from mwskit.sandbox import state

    box = Sandbox(CREDS, throttling=False)
    with in_process(box) as client:
        for index in range(30):
            submit(client, "_POST_PRODUCT_DATA_" if index % 3 else "_POST_FLAT_FILE_LISTINGS_DATA_")
        client.feeds.get_feed_submission_list(max_count=30)  # every one now _SUBMITTED_ -> polled
        looked_at = []
        original = state.Submission.status

        def counted(record: state.Submission) -> str:
            looked_at.append(record.id)
            return original(record)

        monkeypatch.setattr(state.Submission, "status", counted)
        assert int(client.feeds.get_feed_submission_count().count) == 30
        done = client.feeds.get_feed_submission_count(
            feed_type_list=["_POST_PRODUCT_DATA_"], feed_processing_status_list=["_SUBMITTED_"]
        )
        assert int(done.count) == 20
        assert looked_at == []


# ---------------------------------------------------------------- secrets


def test_verbose_log_redacts_token_signature_and_secret(capfd: pytest.CaptureFixture[str]) -> None:
    token = "amzn.mws.TOKEN-never-logged"
    with start(Sandbox(CREDS, throttling=False), verbose=True) as running:
        with make_client(running.url, auth_token=token) as client:
            client.feeds.submit_feed(feed_type="_POST_PRODUCT_DATA_", feed_content=b"a\tb\n")
        for raw in (
            f"GET {FEEDS}?Signature=SIGNATURE-never-logged&MWSAuthToken={token}&Note={SK} "
            "HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
            f"GET /{SK}?Signature=SIGNATURE-never-logged bad\r\n\r\n",
        ):
            with connect(running) as sock:
                sock.sendall(raw.encode())
                read_all(sock)
    err = capfd.readouterr().err
    assert "SubmitFeed" in err and "[redacted]" in err
    for secret in (token, "SIGNATURE-never-logged", SK):
        assert secret not in err


def run_command(*args: str, env: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "mwskit.sandbox", "--port", "0", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=ROOT,
    )


def test_credentials_from_a_file(tmp_path: Path) -> None:
    env = {key: value for key, value in os.environ.items() if key != "MWSKIT_SANDBOX_CREDENTIALS"}
    path = tmp_path / "credentials"
    path.write_text(f"# key pairs\n\n{AK}:{SK}\nAKTWO:second-secret\n", encoding="utf-8")
    process = run_command(
        "--credentials-file",
        str(path),
        "--timeout",
        "5",
        "--max-connections",
        "8",
        "--max-body",
        "1000000",
        env=env,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        assert line.startswith("mwskit sandbox on http://127.0.0.1:"), line
        url = line.split()[3]
        with make_client(url) as client:
            client.sellers.get_service_status()
        with make_client(url, access_key="AKTWO", secret_key="second-secret") as client:
            client.sellers.get_service_status()
        process.send_signal(signal.SIGTERM)
        _, err = process.communicate(timeout=10)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert process.returncode == 0, err
    assert SK not in err


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (f"{AK}:{SK}\nnot-a-pair-{SK}\n", "{path}:2: expected ACCESS_KEY:SECRET_KEY"),
        (None, "{path}: cannot read the credentials file"),
        ("# nothing\n", "{path}: no ACCESS_KEY:SECRET_KEY line"),
    ],
)
def test_a_bad_credentials_file_is_a_located_error(
    tmp_path: Path, content: str | None, message: str
) -> None:
    path = tmp_path / "credentials"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "mwskit.sandbox", "--port", "0", "--credentials-file", str(path)],
        capture_output=True,
        text=True,
        timeout=10,
        cwd=ROOT,
    )
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert SK not in done.stderr
    assert message.format(path=path) in done.stderr.splitlines()[-1]
