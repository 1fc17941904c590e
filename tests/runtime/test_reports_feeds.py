"""Reports and feeds at real sizes and in real encodings (issue 6).

Streaming downloads with their MD5 (sync and async, match, mismatch, retry), the charset rules,
feeds from files with a streamed MD5 and the marketplace's Content-Type, the encoding preflight,
the flat-file row iterator on quirky files, and the report and feed workflows on a fake clock.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import io
from collections.abc import AsyncIterator, Callable, Iterator
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import httpx
import pytest

import mwskit
from mwskit import MWS, AsyncMWS, Marketplace
from mwskit._runtime.documents import EncodingProblem, FeedBody, charset_of, codec_name
from mwskit.errors import ReportCancelled, WorkflowTimeout
from mwskit.feeds.workflows import parse_processing_report
from mwskit.reports.rows import (
    REPORT_RECORDS,
    InventoryReportRow,
    OrderReportRow,
    ReportFormatError,
    SettlementReportRow,
    iter_records,
    iter_rows,
)

NS = "http://mws.amazonaws.com/doc/2009-01-01/"
NOW = datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)
REPORT = "sku\tasin\tprice\tquantity\r\nTEE-R\u00e9d\tB0TEST0001\t19.90\t12\r\n".encode("cp1252")


def md5(data: bytes) -> str:
    return base64.b64encode(hashlib.md5(data).digest()).decode()


class FakeTimer(mwskit.Timer):
    """Monotonic time that only moves when the client sleeps."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds

    async def _async_sleep(self, seconds: float) -> None:
        self.sleep(seconds)

    def async_sleep(self, seconds: float) -> Any:
        return self._async_sleep(seconds)


_sellers = iter(range(1_000_000))


def options(handler: Callable[[httpx.Request], httpx.Response], timer: FakeTimer) -> dict[str, Any]:
    return {
        "access_key": "AKIAEXAMPLEACCESSKEY",
        "secret_key": "secret",
        "seller_id": f"RFSELLER{next(_sellers)}",
        "transport": httpx.MockTransport(handler),
        "clock": lambda: NOW,
        "timer": timer,
        "retries": mwskit.RetryPolicy(max_attempts=5),
    }


def make(handler: Callable[[httpx.Request], httpx.Response], timer: FakeTimer | None = None) -> MWS:
    return MWS(**options(handler, timer or FakeTimer()))


def make_async(
    handler: Callable[[httpx.Request], httpx.Response], timer: FakeTimer | None = None
) -> AsyncMWS:
    return AsyncMWS(**options(handler, timer or FakeTimer()))


def params(request: httpx.Request) -> dict[str, str]:
    text = (
        request.content.decode()
        if request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded")
        else request.url.query.decode()
    )
    return {key: values[0] for key, values in parse_qs(text).items()}


def chunks(data: bytes, size: int = 7) -> Iterator[bytes]:
    for start in range(0, len(data), size):
        yield data[start : start + size]


async def achunks(data: bytes, size: int = 7) -> AsyncIterator[bytes]:
    for chunk in chunks(data, size):
        yield chunk


def document_handler(
    bodies: list[bytes], headers: dict[str, str], *, streaming: str = "sync"
) -> tuple[Callable[[httpx.Request], httpx.Response], list[httpx.Request]]:
    """Answers the n-th request with bodies[n] (the last one repeats), streamed in 7-byte chunks."""
    seen: list[httpx.Request] = []

    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        body = bodies[min(len(seen), len(bodies)) - 1]
        content: Any = chunks(body) if streaming == "sync" else achunks(body)
        return httpx.Response(200, headers=headers, content=content)

    return handle, seen


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


# --- Feeds: bodies from files, Content-Type, preflight ---------------------------------------

SUBMIT_ANSWER = (
    f'<SubmitFeedResponse xmlns="{NS}"><SubmitFeedResult><FeedSubmissionInfo>'
    "<FeedSubmissionId>2291326430</FeedSubmissionId><FeedType>_POST_FLAT_FILE_LISTINGS_DATA_</FeedType>"
    "<FeedProcessingStatus>_SUBMITTED_</FeedProcessingStatus></FeedSubmissionInfo>"
    "</SubmitFeedResult><ResponseMetadata><RequestId>s-1</RequestId></ResponseMetadata>"
    "</SubmitFeedResponse>"
).encode()


def recording() -> (
    tuple[Callable[[httpx.Request], httpx.Response], list[tuple[httpx.Request, bytes]]]
):
    seen: list[tuple[httpx.Request, bytes]] = []

    def handle(request: httpx.Request) -> httpx.Response:
        seen.append((request, request.read()))
        return httpx.Response(200, content=SUBMIT_ANSWER)

    return handle, seen


FLAT_FEED = "sku\tprice\r\n\u65e5\u672c-1\t19.90\r\n".encode("shift_jis")


@pytest.mark.parametrize("kind", ["bytes", "path", "file"])
def test_submit_feed_from_bytes_path_or_file(kind: str, tmp_path: Path) -> None:
    path = tmp_path / "feed.txt"
    path.write_bytes(FLAT_FEED)
    source: Any = {"bytes": FLAT_FEED, "path": path, "file": None}[kind]
    handle, seen = recording()
    mws = make(handle)
    if kind == "file":
        with open(path, "rb") as file:
            result = mws.feeds.submit_feed(
                feed_type="_POST_FLAT_FILE_LISTINGS_DATA_", feed_content=file, marketplace="JP"
            )
    else:
        result = mws.feeds.submit_feed(
            feed_type="_POST_FLAT_FILE_LISTINGS_DATA_", feed_content=source, marketplace="JP"
        )
    assert result.feed_submission_info is not None
    assert result.feed_submission_info.feed_submission_id == "2291326430"
    request, body = seen[0]
    assert body == FLAT_FEED
    assert params(request)["ContentMD5Value"] == md5(FLAT_FEED)
    assert request.headers["content-type"] == "text/tab-separated-values; charset=Shift_JIS"
    assert request.headers["content-length"] == str(len(FLAT_FEED))
    assert "transfer-encoding" not in request.headers


def test_feed_content_types() -> None:
    handle, seen = recording()
    mws = make(handle)
    mws.feeds.submit_feed(feed_type="_POST_PRODUCT_DATA_", feed_content=b"\xef\xbb\xbf <?xml?>")
    mws.feeds.submit_feed(feed_type="_POST_FLAT_FILE_LISTINGS_DATA_", feed_content=b"sku\n")
    mws.feeds.submit_feed(
        feed_type="_POST_FLAT_FILE_LISTINGS_DATA_", feed_content=b"sku\n", marketplace="CN"
    )
    mws.feeds.submit_feed(
        feed_type="_POST_FLAT_FILE_LISTINGS_DATA_", feed_content=b"sku\n", content_type="text/csv"
    )
    assert [request.headers["content-type"] for request, _ in seen] == [
        "text/xml",
        "text/tab-separated-values; charset=iso-8859-1",
        "text/tab-separated-values; charset=UTF-8",
        "text/csv",
    ]


def test_feed_body_md5_is_read_in_chunks_and_reread_for_each_attempt(tmp_path: Path) -> None:
    path = tmp_path / "big.txt"
    data = b"0123456789" * 300_000  # 3 MB: several 1 MiB chunks
    path.write_bytes(data)
    body = FeedBody(path)
    assert (body.md5, body.size) == (md5(data), len(data))
    parts = list(body.chunks())
    assert [len(part) for part in parts] == [1048576, 1048576, 902848]
    assert b"".join(body.chunks()) == data  # a retry reads it again from the start
    with pytest.raises(TypeError, match="bytes, a path or a binary file object"):
        FeedBody(12)  # type: ignore[arg-type]


def test_preflight_flat_file_reports_line_and_column() -> None:
    mws = make(lambda request: httpx.Response(500))
    report = mws.feeds.preflight(
        "sku\ttitle\nA-1\tZ\u0142oty \u0141\u00f3d\u017a\n", marketplace="DE"
    )
    assert report.encoding == "iso8859-1"
    assert report.problems == (
        EncodingProblem(2, 6, "\u0142"),
        EncodingProblem(2, 11, "\u0141"),
        EncodingProblem(2, 14, "\u017a"),
    )
    assert not report.ok
    assert str(report).splitlines() == [
        "3 character(s) cannot be encoded in iso8859-1:",
        "  line 2, column 6: 'ł' (U+0142)",
        "  line 2, column 11: 'Ł' (U+0141)",
        "  line 2, column 14: 'ź' (U+017A)",
    ]


def test_preflight_japanese_xml_and_paths(tmp_path: Path) -> None:
    mws = make(lambda request: httpx.Response(500))
    # Shift_JIS (the JP flat-file charset) has no circled digits; cp932 would.
    report = mws.feeds.preflight("sku\tname\nA\t\u2460\u65e5\u672c\n", marketplace=Marketplace.JP)
    assert (report.encoding, report.problems) == ("shift_jis", (EncodingProblem(2, 3, "\u2460"),))
    assert mws.feeds.preflight('<?xml version="1.0"?>\n<a>\u20ac\u2460</a>').ok  # UTF-8
    latin = mws.feeds.preflight('<?xml version="1.0" encoding="iso-8859-1"?>\n<a>\u20ac</a>')
    assert latin.problems == (EncodingProblem(2, 4, "\u20ac"),)
    path = tmp_path / "feed.txt"
    path.write_text("\ufeffsku\n\u20ac1\n", encoding="utf-8")
    from_file = mws.feeds.preflight(path, marketplace="US")
    assert from_file.problems == (EncodingProblem(2, 1, "\u20ac"),)
    assert mws.feeds.preflight(path, encoding="cp1252").ok  # € is in windows-1252


def test_preflight_refuses_a_str_naming_no_file(tmp_path: Path) -> None:
    mws = make(lambda request: httpx.Response(500))
    missing = str(tmp_path / "no_such_feed.txt")
    with pytest.raises(FileNotFoundError) as caught:
        mws.feeds.preflight(missing, marketplace="US")
    assert caught.value.filename == missing
    assert str(caught.value) == (
        "[Errno 2] preflight: no such feed file (a str without a line break, tab or '<' is "
        f"read as a path): {missing!r}"
    )
    with pytest.raises(FileNotFoundError):
        mws.feeds.preflight(tmp_path / "sku\tprice", marketplace="US")  # a Path is always a file
    assert mws.feeds.preflight("sku\tprice\n\u2603\t1\n", marketplace="US").problems == (
        EncodingProblem(2, 1, "\u2603"),
    )


# --- The row iterator ---------------------------------------------------------------------------


def rows(data: bytes, encoding: str | None) -> list[dict[str, str]]:
    return list(iter_rows(io.BytesIO(data), encoding))


def test_rows_bom_crlf_and_empty_trailing_fields() -> None:
    data = b"\xef\xbb\xbfsku\tasin\tprice\tnote\t\r\nA\tB01\t1.00\r\nB\tB02\t\t\t\r\n\r\n\r\n"
    assert rows(data, "cp1252") == [  # the UTF-8 BOM names the encoding it belongs to
        {"sku": "A", "asin": "B01", "price": "1.00", "note": ""},
        {"sku": "B", "asin": "B02", "price": "", "note": ""},
    ]
    assert rows("a\tb\n\u00e9\t\u00fc\n".encode("utf-16"), None) == [{"a": "\u00e9", "b": "\u00fc"}]


def test_rows_windows_1252_and_cp932() -> None:
    cp1252 = "sku\ttitle\nM\u00dcSLI\t\u20ac 5 \u2013 caf\u00e9\n".encode("cp1252")
    assert rows(cp1252, "windows-1252") == [
        {"sku": "M\u00dcSLI", "title": "\u20ac 5 \u2013 caf\u00e9"}
    ]
    cp932 = "sku\t\u5546\u54c1\u540d\nJ-1\t\u2460\u30c6\u30b9\u30c8\uff5e\n".encode("cp932")
    assert rows(cp932, "Windows-31J") == [
        {"sku": "J-1", "\u5546\u54c1\u540d": "\u2460\u30c6\u30b9\u30c8\uff5e"}
    ]


def test_rows_refuse_unknown_encoding_and_extra_fields() -> None:
    with pytest.raises(ValueError, match=r"pass marketplace=..."):
        rows(b"a\tb\n1\t2\n", None)
    with pytest.raises(ReportFormatError, match="line 3: 3 fields, but the header names 2"):
        rows(b"a\tb\n1\t2\n1\t2\t3\n", "ascii")


def test_rows_keep_a_lone_cr_inside_a_field() -> None:
    data = "sku\tname\tqty\r\nS1\tMug\rRed\t2\r\nS2\tA\u2028B\t3\n".encode("utf-8")
    assert rows(data, "utf-8") == [
        {"sku": "S1", "name": "Mug\rRed", "qty": "2"},
        {"sku": "S2", "name": "A\u2028B", "qty": "3"},
    ]


def test_row_errors_name_the_real_line_after_blank_lines() -> None:
    data = b"settlement-id\tamount\n\n1\t2.00\n\n\n2\tabc\n"
    with pytest.raises(
        ReportFormatError, match=r"^line 6, column 'amount': 'abc' is not a valid decimal$"
    ):
        list(iter_records(io.BytesIO(data), "cp1252", SettlementReportRow))
    with pytest.raises(ReportFormatError, match=r"^line 4: 3 fields, but the header names 2$"):
        rows(b"a\tb\n\n1\t2\n1\t2\t3\n", "ascii")


def test_undecodable_bytes_raise_report_format_error_naming_the_line() -> None:
    data = b"sku\tname\n" + b"A\tok\n" * 20000 + b"B\tcaf\xe9\n"  # beyond the first chunk
    with pytest.raises(ReportFormatError) as caught:
        rows(data, "utf-8")
    assert (
        str(caught.value)
        == "line 20002: bytes that are not valid utf-8 (invalid continuation byte)"
    )
    assert isinstance(caught.value.__cause__, UnicodeDecodeError)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("1,234.56", Decimal("1234.56")),
        ("1.234,56", Decimal("1234.56")),
        ("1,23", Decimal("1.23")),
        ("-3,50", Decimal("-3.50")),
        ("12,345,678.9", Decimal("12345678.9")),
        ("19.90", Decimal("19.90")),
        ("7", Decimal("7")),
    ],
)
def test_decimals_take_the_last_separator_as_the_decimal_point(text: str, value: Decimal) -> None:
    (row,) = rows(f"sku\tprice\nS\t{text}\n".encode(), "ascii")
    assert InventoryReportRow.from_row(row).price == value


@pytest.mark.parametrize("text", ["NaN", "Infinity", "-inf", "sNaN", "1e5", "1_000", "1.2.3"])
def test_decimals_refuse_non_numbers(text: str) -> None:
    with pytest.raises(
        ReportFormatError, match=f"^line 2, column 'price': '{text}' is not a valid decimal$"
    ):
        list(
            iter_records(
                io.BytesIO(f"sku\tprice\nS\t{text}\n".encode()), "ascii", InventoryReportRow
            )
        )


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("09.02.2011 02:46:57+01:00", datetime(2011, 2, 9, 1, 46, 57, tzinfo=UTC)),
        ("09.02.2011 02:46:57 -0130", datetime(2011, 2, 9, 4, 16, 57, tzinfo=UTC)),
        ("19.07.2017 13:30:02 UTC", datetime(2017, 7, 19, 13, 30, 2, tzinfo=UTC)),
        ("19.07.2017 13:30:02", datetime(2017, 7, 19, 13, 30, 2, tzinfo=UTC)),
        ("2017-07-20", datetime(2017, 7, 20, tzinfo=UTC)),
        ("2017-07-21 10:00:00", datetime(2017, 7, 21, 10, tzinfo=UTC)),
        ("2011-02-09T02:46:57-08:00", datetime(2011, 2, 9, 10, 46, 57, tzinfo=UTC)),
        ("2011-02-09T02:46:57Z", datetime(2011, 2, 9, 2, 46, 57, tzinfo=UTC)),
    ],
)
def test_dates_are_always_timezone_aware(text: str, value: datetime) -> None:
    (row,) = rows(f"settlement-id\tposted-date\n1\t{text}\n".encode(), "ascii")
    parsed = SettlementReportRow.from_row(row).posted_date
    assert parsed is not None and parsed.utcoffset() is not None
    assert parsed == value
    if "+01:00" in text:
        assert parsed.isoformat() == "2011-02-09T02:46:57+01:00"  # the offset is kept


def test_iter_report_rows_downloads_then_reads_typed_records() -> None:
    inventory = "sku\tasin\tprice\tquantity\tbusiness-price\r\nT\u00c9E\tB0X\t19,90\t\r\n".encode(
        "cp1252"
    )
    handler, _seen = document_handler([inventory], {"Content-MD5": md5(inventory)})
    mws = make(handler)
    assert list(mws.reports.iter_report_rows(report_id="5", marketplace="FR")) == [
        {"sku": "T\u00c9E", "asin": "B0X", "price": "19,90", "quantity": "", "business-price": ""}
    ]
    records = list(
        mws.reports.iter_report_rows(report_id="5", marketplace="FR", record=InventoryReportRow)
    )
    assert records == [
        InventoryReportRow(
            sku="T\u00c9E",
            asin="B0X",
            price=Decimal("19.90"),
            quantity=None,
            extra={"business-price": ""},
        )
    ]
    assert REPORT_RECORDS["_GET_FLAT_FILE_OPEN_LISTINGS_DATA_"] is InventoryReportRow


def test_async_iter_report_rows_with_cp932() -> None:
    data = "sku\tquantity\n\u65e5-1\t3\n".encode("cp932")

    async def run() -> list[dict[str, str]]:
        handler, _ = document_handler([data], {"Content-MD5": md5(data)}, streaming="async")
        mws = make_async(handler)
        return [row async for row in mws.reports.iter_report_rows(report_id="5", marketplace="JP")]

    assert asyncio.run(run()) == [{"sku": "\u65e5-1", "quantity": "3"}]


def test_order_and_settlement_records() -> None:
    order = (
        b"order-id\torder-item-id\tpurchase-date\tsku\tquantity-purchased\tcurrency\titem-price\t"
        b"delivery-Instructions\n103-26010-55904\t394929210114\t2011-02-09T02:46:57-08:00\tJW-RT1\t1\t"
        b"USD\t19.49\n"
    )
    (row,) = [OrderReportRow.from_row(item) for item in iter_rows(io.BytesIO(order), "cp1252")]
    assert (row.order_id, row.quantity_purchased, row.item_price, row.delivery_instructions) == (
        "103-26010-55904",
        1,
        Decimal("19.49"),
        "",
    )
    assert row.purchase_date == datetime.fromisoformat("2011-02-09T02:46:57-08:00")
    assert (row.payments_date, row.ship_city, row.extra) == (None, "", {})
    settlement = (
        b"settlement-id\tsettlement-start-date\tdeposit-date\ttotal-amount\tamount\tposted-date\n"
        b"111\t19.07.2017 13:30:02 UTC\t2017-07-21 10:00:00 UTC\t1.234,56\t\t\n"
        b"111\t\t\t\t-3,50\t2017-07-20\n"
    )
    first, second = [
        SettlementReportRow.from_row(item) for item in iter_rows(io.BytesIO(settlement), "cp1252")
    ]
    assert first.settlement_start_date == datetime(2017, 7, 19, 13, 30, 2, tzinfo=UTC)
    assert first.deposit_date == datetime(2017, 7, 21, 10, 0, tzinfo=UTC)
    assert (first.total_amount, first.amount) == (Decimal("1234.56"), None)
    assert (second.amount, second.posted_date) == (
        Decimal("-3.50"),
        datetime(2017, 7, 20, tzinfo=UTC),
    )
    with pytest.raises(
        ReportFormatError, match="line 7, column 'amount': 'abc' is not a valid decimal"
    ):
        SettlementReportRow.from_row({"amount": "abc"}, 7)


# --- Workflows on a fake clock -----------------------------------------------------------------


def envelope(action: str, inner: str) -> bytes:
    return (
        f'<{action}Response xmlns="{NS}"><{action}Result>{inner}</{action}Result>'
        f"<ResponseMetadata><RequestId>q</RequestId></ResponseMetadata></{action}Response>"
    ).encode()


def report_service(
    statuses: list[str], generated: str | None = "9001"
) -> tuple[Callable[[httpx.Request], httpx.Response], list[str]]:
    calls: list[str] = []

    def handle(request: httpx.Request) -> httpx.Response:
        values = params(request)
        action = values["Action"]
        calls.append(action)
        if action == "RequestReport":
            inner = (
                "<ReportRequestInfo><ReportRequestId>77</ReportRequestId>"
                f"<ReportType>{values['ReportType']}</ReportType>"
                "<ReportProcessingStatus>_SUBMITTED_</ReportProcessingStatus></ReportRequestInfo>"
            )
            return httpx.Response(200, content=envelope(action, inner))
        if action == "GetReportRequestList":
            assert values["ReportRequestIdList.Id.1"] == "77"
            status = statuses.pop(0)
            report = f"<GeneratedReportId>{generated}</GeneratedReportId>" if generated else ""
            inner = (
                "<HasNext>false</HasNext><ReportRequestInfo><ReportRequestId>77</ReportRequestId>"
                f"<ReportProcessingStatus>{status}</ReportProcessingStatus>{report}"
                "</ReportRequestInfo>"
            )
            return httpx.Response(200, content=envelope(action, inner))
        if action == "GetReportList":
            inner = (
                "<HasNext>false</HasNext><ReportInfo><ReportId>8002</ReportId>"
                "<ReportType>_GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE_V2_</ReportType>"
                "<ReportRequestId>76</ReportRequestId>"
                "<AvailableDate>2024-01-01T00:00:00+00:00</AvailableDate></ReportInfo>"
            )
            if statuses and statuses.pop(0) == "none":
                inner = "<HasNext>false</HasNext>"
            return httpx.Response(200, content=envelope(action, inner))
        assert action == "GetReport"
        headers = {
            "Content-MD5": md5(REPORT),
            "Content-Type": f"text/plain;charset=Cp1252;id={values['ReportId']}",
        }
        return httpx.Response(200, content=REPORT, headers=headers)

    return handle, calls


def test_request_and_get_report_polls_on_the_fake_clock(tmp_path: Path) -> None:
    timer = FakeTimer()
    handler, calls = report_service(["_SUBMITTED_", "_IN_PROGRESS_", "_DONE_"])
    outcome = make(handler, timer).reports.request_and_get_report(
        report_type="_GET_FLAT_FILE_OPEN_LISTINGS_DATA_", destination=tmp_path / "r.txt"
    )
    assert calls == [
        "RequestReport",
        "GetReportRequestList",
        "GetReportRequestList",
        "GetReportRequestList",
        "GetReport",
    ]
    assert timer.sleeps == [45.0, 45.0]
    assert (outcome.status, outcome.report_request_id, outcome.report_id, outcome.polls) == (
        "_DONE_",
        "77",
        "9001",
        3,
    )
    assert outcome.document is not None and outcome.document.size == len(REPORT)
    assert (tmp_path / "r.txt").read_bytes() == REPORT


def test_report_workflow_no_data_cancelled_timeout_and_missing_generated_id() -> None:
    handler, calls = report_service(["_DONE_NO_DATA_"])
    outcome = make(handler).reports.request_and_get_report(report_type="_GET_ORDERS_DATA_")
    assert (outcome.status, outcome.document, calls[-1]) == (
        "_DONE_NO_DATA_",
        None,
        "GetReportRequestList",
    )
    handler, _ = report_service(["_IN_PROGRESS_", "_CANCELLED_"])
    with pytest.raises(ReportCancelled, match="report request 77 was cancelled"):
        make(handler).reports.request_and_get_report(report_type="_GET_ORDERS_DATA_")
    timer = FakeTimer()
    handler, calls = report_service(["_IN_PROGRESS_"] * 10)
    with pytest.raises(WorkflowTimeout, match="report request 77 was not done within 100 s"):
        make(handler, timer).reports.request_and_get_report(
            report_type="_GET_ORDERS_DATA_", poll_interval=30, timeout=100
        )
    assert (timer.sleeps, calls.count("GetReportRequestList")) == ([30, 30, 30], 4)
    handler, calls = report_service(["_DONE_"], generated=None)
    outcome = make(handler).reports.request_and_get_report(report_type="_GET_ORDERS_DATA_")
    assert (calls[-2:], outcome.report_id) == (["GetReportList", "GetReport"], "8002")


def test_wait_for_scheduled_report() -> None:
    timer = FakeTimer()
    handler, calls = report_service(["none", "none", "found"])
    outcome = make(handler, timer).reports.wait_for_scheduled_report(
        report_type="_GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE_V2_",
        available_from_date=datetime(2024, 1, 1, tzinfo=UTC),
        marketplace="DE",
    )
    assert calls == ["GetReportList", "GetReportList", "GetReportList", "GetReport"]
    assert timer.sleeps == [45.0, 45.0]
    assert (outcome.report_id, outcome.report_request_id, outcome.polls) == ("8002", "76", 3)
    assert outcome.document is not None and outcome.document.content == REPORT


PROCESSING = b"""<?xml version="1.0" encoding="UTF-8"?>
<AmazonEnvelope xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<Header><DocumentVersion>1.02</DocumentVersion><MerchantIdentifier>M</MerchantIdentifier></Header>
<MessageType>ProcessingReport</MessageType>
<Message><MessageID>1</MessageID><ProcessingReport>
<DocumentTransactionID>2291326430</DocumentTransactionID><StatusCode>Complete</StatusCode>
<ProcessingSummary><MessagesProcessed>3</MessagesProcessed><MessagesSuccessful>1</MessagesSuccessful>
<MessagesWithError>1</MessagesWithError><MessagesWithWarning>1</MessagesWithWarning></ProcessingSummary>
<Result><MessageID>2</MessageID><ResultCode>Error</ResultCode><ResultMessageCode>8560</ResultMessageCode>
<ResultDescription>SKU T-2: missing title</ResultDescription><AdditionalInfo><SKU>T-2</SKU></AdditionalInfo></Result>
<Result><MessageID>3</MessageID><ResultCode>Warning</ResultCode><ResultMessageCode>90057</ResultMessageCode>
<ResultDescription>price looks low</ResultDescription></Result>
</ProcessingReport></Message></AmazonEnvelope>"""


def feed_service(
    statuses: list[str],
    result: bytes = PROCESSING,
    result_headers: dict[str, str] | None = None,
) -> tuple[Callable[[httpx.Request], httpx.Response], list[str]]:
    calls: list[str] = []

    def handle(request: httpx.Request) -> httpx.Response:
        values = params(request)
        action = values["Action"]
        calls.append(action)
        if action == "SubmitFeed":
            assert request.read() == FLAT_FEED
            return httpx.Response(200, content=SUBMIT_ANSWER)
        if action == "GetFeedSubmissionList":
            assert values["FeedSubmissionIdList.Id.1"] == "2291326430"
            inner = (
                "<HasNext>false</HasNext><FeedSubmissionInfo><FeedSubmissionId>2291326430"
                f"</FeedSubmissionId><FeedProcessingStatus>{statuses.pop(0)}</FeedProcessingStatus>"
                "</FeedSubmissionInfo>"
            )
            return httpx.Response(200, content=envelope(action, inner))
        assert action == "GetFeedSubmissionResult"
        headers = {"Content-MD5": md5(result), **(result_headers or {})}
        return httpx.Response(200, content=result, headers=headers)

    return handle, calls


def test_submit_feed_and_wait_parses_the_processing_report(tmp_path: Path) -> None:
    timer = FakeTimer()
    path = tmp_path / "feed.txt"
    path.write_bytes(FLAT_FEED)
    handler, calls = feed_service(["_SUBMITTED_", "_IN_PROGRESS_", "_DONE_"])
    outcome = make(handler, timer).feeds.submit_feed_and_wait(
        feed_type="_POST_FLAT_FILE_LISTINGS_DATA_", feed_content=path, marketplace="JP"
    )
    assert calls == ["SubmitFeed"] + ["GetFeedSubmissionList"] * 3 + ["GetFeedSubmissionResult"]
    assert timer.sleeps == [45.0, 45.0, 45.0]
    report = outcome.report
    assert (outcome.feed_submission_id, outcome.status, outcome.polls) == (
        "2291326430",
        "_DONE_",
        3,
    )
    assert (report.document_transaction_id, report.status_code) == ("2291326430", "Complete")
    assert (
        report.messages_processed,
        report.messages_successful,
        report.messages_with_error,
        report.messages_with_warning,
    ) == (3, 1, 1, 1)
    assert [
        (m.message_id, m.result_code, m.message_code, m.description) for m in report.messages
    ] == [
        ("2", "Error", "8560", "SKU T-2: missing title"),
        ("3", "Warning", "90057", "price looks low"),
    ]
    assert report.errors[0].additional_info == {"SKU": "T-2"}
    assert [m.message_id for m in report.warnings] == ["3"]


def test_async_feed_workflow_cancelled_and_timeout() -> None:
    async def run() -> None:
        handler, _ = feed_service(["_IN_PROGRESS_", "_CANCELLED_"])
        with pytest.raises(ReportCancelled, match="feed submission 2291326430 was cancelled"):
            await make_async(handler).feeds.submit_feed_and_wait(
                feed_type="_POST_FLAT_FILE_LISTINGS_DATA_", feed_content=FLAT_FEED
            )
        timer = FakeTimer()
        handler, calls = feed_service(["_IN_PROGRESS_"] * 5)
        with pytest.raises(WorkflowTimeout):
            await make_async(handler, timer).feeds.submit_feed_and_wait(
                feed_type="_POST_FLAT_FILE_LISTINGS_DATA_",
                feed_content=FLAT_FEED,
                poll_interval=60,
                timeout=150,
            )
        assert (timer.sleeps, calls.count("GetFeedSubmissionList")) == ([60, 60], 2)
        handler, _ = feed_service(["_DONE_"])
        outcome = await make_async(handler).feeds.submit_feed_and_wait(
            feed_type="_POST_FLAT_FILE_LISTINGS_DATA_", feed_content=io.BytesIO(FLAT_FEED)
        )
        assert outcome.report.messages_with_error == 1

    asyncio.run(run())


def test_flat_file_processing_report() -> None:
    body = (
        b"Feed Processing Summary:\n\tNumber of records processed\t\t2\n"
        b"\tNumber of records successful\t\t1\n\n"
        b"original-record-number\tsku\terror-code\terror-type\terror-message\n"
        b"2\tT-2\t8560\tError\tmissing title\n"
    )
    report = parse_processing_report(body, "windows-1252")
    assert (report.messages_processed, report.messages_successful, report.messages_with_error) == (
        2,
        1,
        1,
    )
    assert report.messages[0].additional_info == {"sku": "T-2"}
    assert (report.messages[0].message_id, report.messages[0].message_code) == ("2", "8560")


FLAT_RESULT_TEXT = (
    "Feed Processing Summary:\r\n\tNumber of records processed\t\t1\r\n"
    "\tNumber of records successful\t\t0\r\n\r\n"
    "original-record-number\tsku\terror-code\terror-type\terror-message\r\n"
    "1\tCAF\u00c9-1\t8560\tError\tSKU CAF\u00c9-1 r\u00e9f\u00e9rence\u2028inconnue\r\n"
)


@pytest.mark.parametrize(
    ("marketplace", "headers", "encoding", "sku"),
    [
        ("US", {}, "windows-1252", "CAF\u00c9-\u20ac"),  # no charset: the marketplace's
        (None, {"Content-Type": "text/plain;charset=Cp1252"}, "cp1252", "CAF\u00c9-\u20ac"),
        ("JP", {}, "cp932", "\u65e5\u672c-\u2460"),
    ],
)
def test_flat_processing_report_is_decoded_in_its_charset(
    marketplace: str | None, headers: dict[str, str], encoding: str, sku: str
) -> None:
    text = FLAT_RESULT_TEXT.replace("\u2028", " ").replace("r\u00e9f\u00e9rence", "unknown")
    body = text.replace("CAF\u00c9-1", sku).encode(encoding)
    handler, _calls = feed_service(["_DONE_"], body, headers)
    outcome = make(handler).feeds.submit_feed_and_wait(
        feed_type="_POST_FLAT_FILE_LISTINGS_DATA_", feed_content=FLAT_FEED, marketplace=marketplace
    )
    report = outcome.report
    assert (report.messages_processed, report.messages_successful, len(report.messages)) == (
        1,
        0,
        1,
    )
    (message,) = report.messages
    assert (message.description, message.additional_info) == (
        f"SKU {sku} unknown inconnue",
        {"sku": sku},
    )
    assert outcome.document.encoding == codec_name(encoding)


def test_flat_processing_report_without_charset_or_marketplace_is_refused() -> None:
    body = FLAT_RESULT_TEXT.replace("\u2028", " ").encode("cp1252")
    handler, calls = feed_service(["_DONE_"], body)
    with pytest.raises(ValueError) as caught:
        make(handler).feeds.submit_feed_and_wait(
            feed_type="_POST_FLAT_FILE_LISTINGS_DATA_", feed_content=FLAT_FEED
        )
    assert str(caught.value) == (
        "feed submission 2291326430 is done, but its processing report cannot be read: the "
        "flat-file processing report declares no charset and no marketplace was given: pass "
        "marketplace=... to decode it with the marketplace's encoding"
    )
    assert calls[-1] == "GetFeedSubmissionResult"
    with pytest.raises(UnicodeDecodeError):  # strict: a wrong charset is not papered over
        parse_processing_report(body, "utf-8")


def test_flat_processing_report_lines_end_only_at_lf() -> None:
    report = parse_processing_report(FLAT_RESULT_TEXT.encode("utf-8"), "utf-8")
    assert [m.description for m in report.messages] == [
        "SKU CAF\u00c9-1 r\u00e9f\u00e9rence\u2028inconnue"
    ]
    assert report.messages_processed == 1


@pytest.mark.parametrize(
    ("poll_interval", "timeout", "message"),
    [
        (-5, 3600, "poll_interval must be a finite number of seconds >= 0; got -5"),
        (float("nan"), 3600, "poll_interval must be a finite number of seconds >= 0; got nan"),
        (float("inf"), 3600, "poll_interval must be a finite number of seconds >= 0; got inf"),
        (45, 0, "timeout must be a finite number of seconds > 0; got 0"),
        (45, -1.5, "timeout must be a finite number of seconds > 0; got -1.5"),
        (45, float("inf"), "timeout must be a finite number of seconds > 0; got inf"),
    ],
)
def test_workflow_timing_is_checked_before_anything_is_sent(
    poll_interval: float, timeout: float, message: str
) -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(500)

    mws = make(handler)
    calls: list[Callable[[], Any]] = [
        lambda: mws.feeds.submit_feed_and_wait(
            feed_type="_POST_FLAT_FILE_LISTINGS_DATA_",
            feed_content=FLAT_FEED,
            poll_interval=poll_interval,
            timeout=timeout,
        ),
        lambda: mws.reports.request_and_get_report(
            report_type="_GET_ORDERS_DATA_", poll_interval=poll_interval, timeout=timeout
        ),
        lambda: mws.reports.wait_for_scheduled_report(
            report_type="_GET_ORDERS_DATA_", poll_interval=poll_interval, timeout=timeout
        ),
    ]
    for call in calls:
        with pytest.raises(ValueError) as caught:
            call()
        assert str(caught.value) == message
    assert seen == []


def test_scheduled_report_is_the_newest_one_available_after_since() -> None:
    from datetime import timedelta

    from mwskit.errors import WorkflowTimeout
    from mwskit.sandbox import Sandbox, transport

    sandbox = Sandbox({"AK": "SK"}, throttling=False)
    timer = FakeTimer()
    mws = MWS(
        access_key="AK",
        secret_key="SK",
        seller_id="A1",
        endpoint="http://sandbox.local",
        transport=transport(sandbox),
        throttle="off",
        timer=timer,
    )
    kind = "_GET_FLAT_FILE_OPEN_LISTINGS_DATA_"
    older = mws.reports.request_and_get_report(report_type=kind, poll_interval=0)
    newer = mws.reports.request_and_get_report(report_type=kind, poll_interval=0)
    assert older.report_id != newer.report_id
    found = mws.reports.wait_for_scheduled_report(report_type=kind, poll_interval=0)
    assert found.report_id == newer.report_id
    with pytest.raises(WorkflowTimeout):
        mws.reports.wait_for_scheduled_report(
            report_type=kind,
            poll_interval=60,
            timeout=300,
            available_from_date=sandbox.clock() + timedelta(days=1),
        )
    assert sum(timer.sleeps) >= 240
