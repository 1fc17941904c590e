"""Stream a large windows-1252 flat-file report through GetReport and read its rows.

The report is served by httpx.MockTransport as a streaming body (1 MiB chunks, never held whole)
with its Content-MD5 and `Content-Type: text/plain;charset=Cp1252`. get_report streams it into a
sink that decodes it incrementally with the document's declared encoding, so the figure covers
download + MD5 + decoding. Then iter_report_rows reads a (smaller, --rows-mb) report row by row.

    .venv/bin/python bench/bench_report_stream.py              # 1 GB; goal >= 300 MB/s, <= 64 MB RSS
    .venv/bin/python bench/bench_report_stream.py --size-mb 16 # quick run
"""

from __future__ import annotations

import argparse
import base64
import codecs
import hashlib
import resource
import sys
import time
from collections.abc import Iterator

import httpx

import mwskit

MIB = 1024 * 1024


def block() -> bytes:
    """1 MiB of tab-separated rows in windows-1252 (accents, euro signs, dashes)."""
    rows = []
    index = 0
    size = 0
    while size < MIB:
        row = f"SKU-{index:07d}\tB0{index:08d}\tCaf\u00e9 cr\u00e8me \u2013 {index}\t{index % 997}.99\t{index % 50}\t\u20ac\r\n"
        rows.append(row)
        size += len(row)
        index += 1
    data = "".join(rows).encode("cp1252")[:MIB]
    cut = data.rfind(b"\r\n") + 2
    body = data[:cut]
    return body + b"x" * (MIB - len(body) - 2) + b"\r\n"  # exactly 1 MiB


def report(size_mb: int) -> tuple[bytes, bytes, str]:
    """(first chunk with the header, repeated chunk, Content-MD5 of the whole report)."""
    rows = block()
    header = b"sku\tasin\tproduct-name\tprice\tquantity\tnote\r\n"
    first = header + rows[len(header) :]  # the first MiB starts with the header row
    digest = hashlib.md5(first)
    for _ in range(size_mb - 1):
        digest.update(rows)
    return first, rows, base64.b64encode(digest.digest()).decode()


class DecodingSink:
    """A binary destination that decodes what it is given (and keeps nothing)."""

    def __init__(self, encoding: str) -> None:
        self._decoder = codecs.getincrementaldecoder(encoding)()
        self.characters = 0
        self.bytes = 0

    def write(self, data: bytes) -> int:
        self.characters += len(self._decoder.decode(data))
        self.bytes += len(data)
        return len(data)

    def flush(self) -> None:
        self.characters += len(self._decoder.decode(b"", final=True))

    def tell(self) -> int:
        return self.bytes

    def seekable(self) -> bool:
        return False


def client(size_mb: int) -> mwskit.MWS:
    first, rows, md5 = report(size_mb)

    def body() -> Iterator[bytes]:
        yield first
        for _ in range(size_mb - 1):
            yield rows

    def handle(request: httpx.Request) -> httpx.Response:
        headers = {
            "Content-MD5": md5,
            "Content-Type": "text/plain;charset=Cp1252",
            "Content-Length": str(len(first) + len(rows) * (size_mb - 1)),
        }
        return httpx.Response(200, headers=headers, content=body())

    return mwskit.MWS(
        access_key="AKBENCH",
        secret_key="secret",
        seller_id="BENCH",
        endpoint="https://mws.invalid",
        transport=httpx.MockTransport(handle),
        throttle="off",
    )


def peak_rss_mb() -> float:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mb", type=int, default=1024, help="report size in MiB (1024)")
    parser.add_argument("--rows-mb", type=int, default=256, help="row iterator report in MiB")
    args = parser.parse_args()
    size = max(1, args.size_mb)
    rows_size = max(1, min(args.rows_mb, size))

    mws = client(size)
    sink = DecodingSink("cp1252")
    started = time.perf_counter()
    document = mws.reports.get_report(report_id="1", destination=sink)  # type: ignore[arg-type]
    elapsed = time.perf_counter() - started
    sink.flush()
    assert document.md5_verified and document.size == size * MIB, document
    assert document.encoding == "cp1252", document.encoding
    print(f"report: {size} MiB windows-1252, MD5 verified, decoded {sink.characters} characters")
    print(f"get_report stream + MD5 + decode: {size / elapsed:.0f} MB/s ({elapsed:.2f} s)")
    print(f"peak RSS after streaming: {peak_rss_mb():.1f} MB")

    mws = client(rows_size)
    count = 0
    started = time.perf_counter()
    for _ in mws.reports.iter_report_rows(report_id="1"):
        count += 1
    elapsed = time.perf_counter() - started
    print(
        f"iter_report_rows: {count} rows from {rows_size} MiB in {elapsed:.2f} s: "
        f"{count / elapsed:,.0f} rows/s ({rows_size / elapsed:.0f} MB/s incl. download)"
    )
    print(f"peak RSS: {peak_rss_mb():.1f} MB")


if __name__ == "__main__":
    main()
