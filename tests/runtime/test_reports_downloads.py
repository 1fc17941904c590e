"""Downloads of reports and feed results: streamed with their MD5, retried, charset rules."""

from __future__ import annotations

import asyncio
import io
from pathlib import Path
from typing import Any

import httpx
import pytest
from runtime_helpers.documents import (
    NS,
    REPORT,
    chunks,
    document_handler,
    make,
    make_async,
    md5,
    params,
)

import mwskit
from mwskit import Marketplace
from mwskit._runtime.documents import charset_of, codec_name

# --- Streaming downloads and their MD5 -------------------------------------------------------


def test_streams_to_a_path_with_md5_size_and_declared_encoding(tmp_path: Path) -> None:
    headers = {"Content-MD5": md5(REPORT), "Content-Type": "text/plain;charset=Cp1252"}
    handler, seen = document_handler([REPORT], headers)
    target = tmp_path / "report.txt"
    document = make(handler).reports.get_report(report_id="42", destination=target)
    assert target.read_bytes() == REPORT
    assert (document.content_md5, document.md5_verified) == (md5(REPORT), True)
    assert (document.size, document.encoding, document.path) == (len(REPORT), "cp1252", str(target))
    assert document.streamed is True and document.body == b""
    assert len(seen) == 1 and params(seen[0])["ReportId"] == "42"
    with pytest.raises(ValueError, match="streamed to its destination"):
        _ = document.content


def test_streams_to_a_file_object_from_its_position() -> None:
    handler, _ = document_handler([REPORT], {"Content-MD5": md5(REPORT)})
    buffer = io.BytesIO()
    buffer.write(b"KEEP")
    document = make(handler).reports.get_report(report_id="42", destination=buffer)
    assert buffer.getvalue() == b"KEEP" + REPORT
    assert (document.size, document.md5_verified, document.path) == (len(REPORT), True, None)


def test_mismatch_is_retried_three_more_times_then_raised(tmp_path: Path) -> None:
    wrong = md5(b"something else")
    handler, seen = document_handler([REPORT], {"Content-MD5": wrong, "x-mws-request-id": "r-9"})
    target = tmp_path / "report.txt"
    with pytest.raises(mwskit.ContentMD5Mismatch) as caught:
        make(handler).reports.get_report(report_id="42", destination=target)
    assert len(seen) == 4
    assert isinstance(caught.value, mwskit.MWSError)
    assert str(caught.value) == (
        f"ContentMD5Mismatch: GetReport document MD5 {md5(REPORT)} does not match Content-MD5 "
        f"{wrong} (HTTP 200, request id r-9)"
    )


def test_a_retry_after_a_mismatch_rewrites_the_destination(tmp_path: Path) -> None:
    corrupt = REPORT[:-3] + b"XYZ" + b"trailing garbage"
    handler, seen = document_handler([corrupt, REPORT], {"Content-MD5": md5(REPORT)})
    buffer = io.BytesIO(b"HEAD")
    buffer.seek(4)
    document = make(handler).feeds.get_feed_submission_result(
        feed_submission_id="7", destination=buffer
    )
    assert len(seen) == 2
    assert buffer.getvalue() == b"HEAD" + REPORT  # the corrupt attempt was truncated away
    assert (document.size, document.md5_verified) == (len(REPORT), True)
    path = tmp_path / "result.xml"
    handler, seen = document_handler([corrupt, REPORT], {"Content-MD5": md5(REPORT)})
    make(handler).reports.get_report(report_id="1", destination=path)
    assert path.read_bytes() == REPORT and len(seen) == 2


def test_without_destination_the_whole_document_is_returned_with_size_and_encoding() -> None:
    handler, _ = document_handler([REPORT], {"Content-MD5": md5(REPORT)})
    document = make(handler).reports.get_report(report_id="42", marketplace=Marketplace.DE)
    assert (document.content, document.size, document.encoding) == (REPORT, len(REPORT), "cp1252")
    assert document.streamed is False and document.text() == REPORT.decode("cp1252")


def test_async_streaming_match_and_mismatch(tmp_path: Path) -> None:
    async def run() -> None:
        handler, seen = document_handler([REPORT], {"Content-MD5": md5(REPORT)}, streaming="async")
        target = tmp_path / "a.txt"
        document = await make_async(handler).reports.get_report(
            report_id="42", destination=target, marketplace="JP"
        )
        assert target.read_bytes() == REPORT
        assert (document.size, document.md5_verified, document.encoding) == (
            len(REPORT),
            True,
            "cp932",
        )
        handler, seen = document_handler([REPORT], {"Content-MD5": md5(b"x")}, streaming="async")
        with pytest.raises(mwskit.ContentMD5Mismatch):
            await make_async(handler).reports.get_report(report_id="42", destination=target)
        assert len(seen) == 4

    asyncio.run(run())


def test_error_status_while_streaming_raises_the_mws_error(tmp_path: Path) -> None:
    error = (
        f'<ErrorResponse xmlns="{NS}"><Error><Type>Sender</Type><Code>InvalidParameterValue</Code>'
        "<Message>bad report id</Message></Error><RequestID>e-1</RequestID></ErrorResponse>"
    ).encode()
    handler = lambda request: httpx.Response(400, content=error)  # noqa: E731
    with pytest.raises(mwskit.MWSError) as caught:
        make(handler).reports.get_report(report_id="x", destination=tmp_path / "r")
    assert caught.value.code == "InvalidParameterValue"
    assert str(caught.value).startswith("InvalidParameterValue: bad report id")


class Pipe(io.RawIOBase):
    """A write-only destination that cannot seek (a pipe, a socket)."""

    def __init__(self) -> None:
        self.data = b""

    def writable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return False

    def write(self, b: Any) -> int:
        self.data += bytes(b)
        return len(b)


THROTTLED = (
    b"<ErrorResponse><Error><Type>Sender</Type><Code>RequestThrottled</Code>"
    b"<Message>slow down</Message></Error><RequestId>t-1</RequestId></ErrorResponse>"
)


def test_a_non_seekable_destination_is_retried_when_nothing_was_written() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if len(seen) == 1:
            return httpx.Response(503, content=THROTTLED)
        return httpx.Response(200, headers={"Content-MD5": md5(REPORT)}, content=chunks(REPORT))

    pipe = Pipe()
    document = make(handler).reports.get_report(report_id="1", destination=pipe)
    assert (len(seen), pipe.data, document.size, document.md5_verified) == (
        2,
        REPORT,
        len(REPORT),
        True,
    )


def test_a_non_seekable_destination_is_not_rewritten_after_it_got_bytes() -> None:
    corrupt = REPORT[:-1] + b"X"
    handler, seen = document_handler([corrupt, REPORT], {"Content-MD5": md5(REPORT)})
    pipe = Pipe()
    with pytest.raises(ValueError) as caught:
        make(handler).reports.get_report(report_id="1", destination=pipe)
    assert str(caught.value) == (
        f"destination {pipe!r} cannot seek and already holds {len(corrupt)} bytes of a failed "
        f"attempt, so the download cannot be written to it again; pass a path or a seekable "
        f"file object"
    )
    assert (len(seen), pipe.data) == (1, corrupt)


def _error_body(code: str) -> bytes:
    return (
        f'<ErrorResponse xmlns="{NS}"><Error><Type>Sender</Type><Code>{code}</Code>'
        f"<Message>no</Message></Error><RequestID>e-2</RequestID></ErrorResponse>"
    ).encode()


@pytest.mark.parametrize("failure", ["status", "md5", "error_body"])
def test_a_failed_download_leaves_an_existing_file_untouched(tmp_path: Path, failure: str) -> None:
    target = tmp_path / "report.txt"
    target.write_bytes(b"yesterday's report")
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if failure == "status":
            return httpx.Response(400, content=_error_body("InvalidParameterValue"))
        if failure == "md5":
            return httpx.Response(200, headers={"Content-MD5": md5(b"x")}, content=chunks(REPORT))
        return httpx.Response(200, content=chunks(_error_body("InvalidReportId")))

    with pytest.raises(mwskit.MWSError) as caught:
        make(handler).reports.get_report(report_id="1", destination=target)
    expected = {"status": "InvalidParameterValue", "md5": "ContentMD5Mismatch"}
    assert caught.value.code == expected.get(failure, "InvalidReportId")
    assert len(seen) == (4 if failure == "md5" else 1)
    assert target.read_bytes() == b"yesterday's report"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.txt"]  # no temporary file left


def test_a_path_is_replaced_only_on_success_keeping_its_mode(tmp_path: Path) -> None:
    target = tmp_path / "report.txt"
    target.write_bytes(b"old")
    target.chmod(0o640)
    corrupt = REPORT[:-1] + b"X"
    handler, seen = document_handler([corrupt, REPORT], {"Content-MD5": md5(REPORT)})
    document = make(handler).reports.get_report(report_id="1", destination=target)
    assert (target.read_bytes(), len(seen), document.path) == (REPORT, 2, str(target))
    assert target.stat().st_mode & 0o777 == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.txt"]


def test_async_failed_download_leaves_an_existing_file_untouched(tmp_path: Path) -> None:
    target = tmp_path / "report.txt"
    target.write_bytes(b"old")

    async def run() -> None:
        handler, _ = document_handler([REPORT], {"Content-MD5": md5(b"x")}, streaming="async")
        with pytest.raises(mwskit.ContentMD5Mismatch):
            await make_async(handler).reports.get_report(report_id="1", destination=target)

    asyncio.run(run())
    assert target.read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.txt"]


# --- Charset rules ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content_type", "marketplace", "expected"),
    [
        ("text/plain;charset=Cp1252", None, "cp1252"),  # rule 1: declared
        ("text/plain; charset=Windows-31J", None, "cp932"),  # Java's name for cp932
        ('text/plain; charset="UTF-8"', Marketplace.JP, "utf-8"),  # declared beats marketplace
        ("text/plain", Marketplace.JP, "cp932"),  # rule 2: marketplace report encoding
        ("text/plain", "A1PA6795UKMFR9", "cp1252"),  # by marketplace ID (DE: windows-1252)
        ("text/plain", "us", "cp1252"),  # by country code
        ("text/plain", Marketplace.CN, "utf-8"),
        ("text/plain", None, None),  # never guessed
        ("text/plain; charset=x-unknown-thing", None, "x-unknown-thing"),  # kept as declared
    ],
)
def test_charset_rules(content_type: str, marketplace: Any, expected: str | None) -> None:
    handler, _ = document_handler([REPORT], {"Content-Type": content_type})
    document = make(handler).reports.get_report(report_id="1", marketplace=marketplace)
    assert document.encoding == expected


def test_charset_helpers_and_unknown_marketplace() -> None:
    assert charset_of("text/xml") is None
    assert charset_of("text/plain;charset=Cp1252") == "Cp1252"
    assert codec_name("Shift_JIS") == "shift_jis"
    handler, _ = document_handler([REPORT], {})
    with pytest.raises(ValueError, match="unknown marketplace 'XX'"):
        make(handler).reports.get_report(report_id="1", marketplace="XX")
