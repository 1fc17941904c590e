"""SubmitFeed bodies from bytes, paths and files: streamed MD5, Content-Type, encoding preflight."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from runtime_helpers.documents import FLAT_FEED, SUBMIT_ANSWER, make, md5, params

from mwskit import Marketplace
from mwskit._runtime.documents import EncodingProblem, FeedBody

# --- Feeds: bodies from files, Content-Type, preflight ---------------------------------------


def recording() -> (
    tuple[Callable[[httpx.Request], httpx.Response], list[tuple[httpx.Request, bytes]]]
):
    seen: list[tuple[httpx.Request, bytes]] = []

    def handle(request: httpx.Request) -> httpx.Response:
        seen.append((request, request.read()))
        return httpx.Response(200, content=SUBMIT_ANSWER)

    return handle, seen


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
