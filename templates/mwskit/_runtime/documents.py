"""Documents that travel as raw bodies: report downloads, feed uploads, their charsets.

Everything here is sans-I/O or plain file handling, shared by the sync and async sessions:

- `Download` / `DocumentSink`: where a streamed document goes, with its MD5 and size computed
  while the chunks pass through (one sink per attempt, so a retry starts from a clean slate; a
  path is written through a temporary file that replaces it only once the download succeeded);
- `FeedBody`: a feed given as bytes, a path or a binary file, with its MD5 computed by reading
  the file once in chunks (never all of it) and re-readable for a retry;
- charset rules: the charset a response declares, else the marketplace's documented encoding
  (`specs/marketplaces.yaml`), never a guess;
- `preflight_feed`: every character of a text feed its encoding cannot represent, with line
  and column, before anything is sent.
"""

from __future__ import annotations

import base64
import codecs
import contextlib
import errno
import hashlib
import io
import os
import re
import secrets
import stat
from collections.abc import AsyncIterator, Iterator, Mapping
from dataclasses import dataclass
from typing import IO, Any, BinaryIO, Protocol, Union

CHUNK_SIZE = 1024 * 1024
_HEAD_SIZE = 64 * 1024  # kept from a streamed body: enough to read an ErrorResponse

Destination = Union[str, "os.PathLike[str]", BinaryIO, IO[bytes]]
FeedSource = Union[bytes, bytearray, memoryview, str, "os.PathLike[str]", BinaryIO, IO[bytes]]

# Charset names Java services put in Content-Type that Python's codec registry spells otherwise.
_CHARSET_ALIASES = {
    "windows-31j": "cp932",
    "ms932": "cp932",
    "x-sjis": "shift_jis",
    "sjis": "shift_jis",
    "x-euc-jp": "euc_jp",
}
_CHARSET = re.compile(r"""charset\s*=\s*["']?([^"';\s]+)""", re.IGNORECASE)
_XML_ENCODING = re.compile(rb"""^\s*<\?xml[^>]*\bencoding\s*=\s*["']([A-Za-z0-9._:-]+)["']""")


class StreamingMD5:
    """The Content-MD5 text of bytes given chunk by chunk: `value()` equals `content_md5(all)`."""

    __slots__ = ("_digest",)

    def __init__(self, data: bytes = b"") -> None:
        self._digest = hashlib.md5(data)

    def update(self, chunk: bytes) -> None:
        self._digest.update(chunk)

    def value(self) -> str:
        return base64.b64encode(self._digest.digest()).decode("ascii")


def content_md5(data: bytes) -> str:
    """Base64 of the MD5 digest, as in Content-MD5 and ContentMD5Value."""
    return StreamingMD5(data).value()


def charset_of(content_type: str | None) -> str | None:
    """The `charset=` of a Content-Type header, as written (`text/plain;charset=Cp1252` → Cp1252)."""
    if not content_type:
        return None
    match = _CHARSET.search(content_type)
    return match.group(1) if match else None


def codec_name(charset: str) -> str:
    """The Python codec for a charset name (`Cp1252` → cp1252, `Windows-31J` → cp932).

    Raises LookupError for a charset Python does not know: the text cannot be decoded as declared.
    """
    name = _CHARSET_ALIASES.get(charset.strip().lower(), charset.strip())
    return codecs.lookup(name).name


class MarketplaceCharsets(Protocol):
    """What the document rules read of a marketplace (mwskit.marketplaces.MarketplaceInfo)."""

    @property
    def id(self) -> str: ...

    @property
    def report_encoding(self) -> str: ...

    @property
    def flat_file_encoding(self) -> str: ...


Marketplaces = Mapping[str, MarketplaceCharsets]


def marketplace_info(marketplaces: Marketplaces, marketplace: object) -> MarketplaceCharsets:
    """The MarketplaceInfo for a Marketplace member, a marketplace ID or a country code."""
    key = str(getattr(marketplace, "value", marketplace))
    info = marketplaces.get(key.upper())
    if info is not None:
        return info
    for info in marketplaces.values():
        if info.id == key:
            return info
    known = ", ".join(sorted(marketplaces))
    raise ValueError(
        f"unknown marketplace {marketplace!r}: use a Marketplace, its ID or one of {known}"
    )


def report_encoding_for(marketplaces: Marketplaces, marketplace: object | None) -> str | None:
    """The documented report encoding of a marketplace (None when no marketplace is given)."""
    if marketplace is None:
        return None
    return str(marketplace_info(marketplaces, marketplace).report_encoding)


def flat_file_encoding_for(marketplaces: Marketplaces, marketplace: object | None) -> str | None:
    """The documented flat-file feed encoding of a marketplace (None when none is given)."""
    if marketplace is None:
        return None
    return str(marketplace_info(marketplaces, marketplace).flat_file_encoding)


def document_encoding(headers: Mapping[str, str], fallback: str | None) -> str | None:
    """Rule 1: the charset the response declares. Rule 2: the marketplace's report encoding.

    The result is a Python codec name; a declared charset Python does not know is returned as
    declared (decoding it then fails loudly). None when neither rule applies: nothing is guessed.
    """
    declared = charset_of(headers.get("content-type"))
    if declared is not None:
        try:
            return codec_name(declared)
        except LookupError:
            return declared
    return None if fallback is None else codec_name(fallback)


# --- Downloads ---------------------------------------------------------------------------------


class _Tally:
    """Size, Content-MD5 and the first 64 KiB of the bytes that pass through `add`."""

    __slots__ = ("_digest", "_head", "size")

    def __init__(self) -> None:
        self._digest = StreamingMD5()
        self.size = 0
        self._head = bytearray()

    def add(self, chunk: bytes) -> None:
        self._digest.update(chunk)
        if self.size < _HEAD_SIZE:
            self._head += chunk[: _HEAD_SIZE - self.size]
        self.size += len(chunk)

    @property
    def head(self) -> bytes:
        return bytes(self._head)

    def md5(self) -> str:
        return self._digest.value()


class DocumentSink(_Tally):
    """One attempt's destination: counts, hashes and writes each chunk, keeps the first 64 KiB."""

    __slots__ = ("_close", "_file")

    def __init__(self, file: IO[bytes], close: bool) -> None:
        super().__init__()
        self._file = file
        self._close = close

    def write(self, chunk: bytes) -> None:
        if not chunk:
            return
        self.add(chunk)
        self._file.write(chunk)

    def finish(self) -> None:
        if self._close:
            self._file.close()
        else:
            self._file.flush()


@dataclass
class Download:
    """Where a document goes (None: into memory) and the encoding to report if none is declared.

    Used as a context manager around the call (the generated methods do). A path destination is
    written to a temporary file in the same directory, which replaces the destination only when
    the block ends without an exception: a failed download leaves an existing file as it was.
    """

    destination: Destination | None = None
    fallback_encoding: str | None = None
    _start: int | None = None
    _attempts: int = 0
    _sink: DocumentSink | None = None
    _temporary: str | None = None
    _entered: bool = False

    @property
    def path(self) -> str | None:
        if isinstance(self.destination, (str, os.PathLike)):
            return os.fspath(self.destination)
        return None

    def __enter__(self) -> Download:
        self._entered = True
        return self

    def __exit__(self, kind: object, error: object, traceback: object) -> None:
        self._entered = False
        if kind is None:
            self.commit()
        else:
            self.discard()

    def open_attempt(self) -> DocumentSink | None:
        """A fresh sink for the next attempt: a truncated temporary file for a path, or the file
        object rewound to where it started.

        A file object that cannot seek can be written once: a retry raises only if an earlier
        attempt wrote bytes to it.
        """
        target = self.destination
        if target is None:
            return None
        self._attempts += 1
        previous, self._sink = self._sink, None
        if isinstance(target, (str, os.PathLike)):
            if not self._entered:
                raise RuntimeError(
                    "Download to a path must be used as a context manager ('with Download(...)')"
                )
            self._sink = DocumentSink(self._open_temporary(os.fspath(target)), close=True)
            return self._sink
        if self._attempts == 1:
            self._start = target.tell() if _seekable(target) else None
        elif self._start is not None:
            target.seek(self._start)
            target.truncate()
        elif previous is not None and previous.size:
            raise ValueError(
                f"destination {target!r} cannot seek and already holds {previous.size} bytes of "
                f"a failed attempt, so the download cannot be written to it again; pass a path "
                f"or a seekable file object"
            )
        self._sink = DocumentSink(target, close=False)
        return self._sink

    def _open_temporary(self, path: str) -> IO[bytes]:
        if self._temporary is not None:
            return open(self._temporary, "wb")  # truncated: a retry starts from a clean slate
        directory, name = os.path.split(os.path.abspath(path))
        for _ in range(100):
            candidate = os.path.join(directory, f".{name}.{secrets.token_hex(6)}.part")
            try:
                fd = os.open(candidate, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
            except FileExistsError:
                continue
            self._temporary = candidate
            return os.fdopen(fd, "wb")
        raise FileExistsError(f"no free temporary file name next to {path!r}")

    def commit(self) -> None:
        """Move the finished temporary file onto the destination path (keeping its mode)."""
        temporary, self._temporary = self._temporary, None
        if temporary is None:
            return
        path = self.path
        assert path is not None
        try:
            with contextlib.suppress(FileNotFoundError):
                os.chmod(temporary, stat.S_IMODE(os.stat(path).st_mode))
            os.replace(temporary, path)
        except BaseException:
            _remove(temporary)
            raise

    def discard(self) -> None:
        """Delete the temporary file of a failed download; the destination is left untouched."""
        sink, self._sink = self._sink, None
        if sink is not None and sink._close:
            sink._file.close()  # an attempt cut short by an exception was never finished
        temporary, self._temporary = self._temporary, None
        if temporary is not None:
            _remove(temporary)


def _remove(path: str) -> None:
    with contextlib.suppress(FileNotFoundError):
        os.remove(path)


def _seekable(file: Any) -> bool:
    try:
        return bool(file.seekable())
    except (AttributeError, ValueError, OSError):
        return False


# --- Feed bodies -------------------------------------------------------------------------------


class FeedBody:
    """A feed to upload: its MD5 and size are read once, in chunks; `chunks()` re-reads it.

    Bytes stay in memory (they already are); a path is reopened for each attempt; a binary file
    object is read from its current position, and rewound there for a retry.
    """

    __slots__ = ("_data", "_file", "_path", "_start", "head", "md5", "size")

    def __init__(self, source: FeedSource) -> None:
        self._data: bytes | None = None
        self._path: str | None = None
        self._file: IO[bytes] | None = None
        self._start = 0
        if isinstance(source, (bytes, bytearray, memoryview)):
            self._data = bytes(source)
            self.md5 = content_md5(self._data)
            self.size = len(self._data)
            self.head = self._data[:_HEAD_SIZE]
            return
        if isinstance(source, (str, os.PathLike)):
            self._path = os.fspath(source)
        elif hasattr(source, "read"):
            self._file = source
            if not _seekable(source):
                raise ValueError(
                    "feed_content: a file object must be seekable (its MD5 is computed before "
                    "it is sent); pass a path or bytes instead"
                )
            self._start = source.tell()
        else:
            raise TypeError(
                f"feed_content must be bytes, a path or a binary file object; got "
                f"{type(source).__name__}"
            )
        tally = _Tally()
        for chunk in self.chunks():
            if not isinstance(chunk, bytes):
                raise TypeError("feed_content: the file must be opened in binary mode ('rb')")
            tally.add(chunk)
        self.md5 = tally.md5()
        self.size = tally.size
        self.head = tally.head

    @property
    def data(self) -> bytes | None:
        """The bytes, when the feed was given as bytes."""
        return self._data

    def chunks(self) -> Iterator[bytes]:
        if self._data is not None:
            yield self._data
            return
        if self._path is not None:
            with open(self._path, "rb") as file:
                while chunk := file.read(CHUNK_SIZE):
                    yield chunk
            return
        assert self._file is not None
        self._file.seek(self._start)
        while chunk := self._file.read(CHUNK_SIZE):
            yield chunk

    async def achunks(self) -> AsyncIterator[bytes]:
        for chunk in self.chunks():
            yield chunk


def feed_content_type(head: bytes, flat_file_encoding: str | None) -> str:
    """`text/xml` for XML feeds; flat files as tab-separated values in the marketplace's charset.

    Feeds_SubmitFeed: NA and Europe flat files in iso-8859-1, Japan in Shift_JIS, China UTF-8.
    Without a marketplace, flat files get the NA/EU charset (as before).
    """
    if looks_like_xml(head[:64]):
        return "text/xml"
    charset = flat_file_encoding or "iso-8859-1"
    if codec_name(charset) == "shift_jis":
        charset = "Shift_JIS"  # the spelling of the docs' table
    elif codec_name(charset) == "utf-8":
        charset = "UTF-8"
    return f"text/tab-separated-values; charset={charset}"


def looks_like_xml(data: bytes) -> bool:
    """An XML document (feed or processing report): `<` after any BOM bytes and whitespace."""
    return data.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<")


# --- Encoding preflight ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class EncodingProblem:
    """A character the feed's encoding cannot represent; line and column count from 1."""

    line: int
    column: int
    character: str

    @property
    def codepoint(self) -> str:
        return f"U+{ord(self.character):04X}"

    def __str__(self) -> str:
        return f"line {self.line}, column {self.column}: {self.character!r} ({self.codepoint})"


@dataclass(frozen=True, slots=True)
class PreflightReport:
    """What `preflight` found: the encoding checked and every unrepresentable character."""

    encoding: str
    problems: tuple[EncodingProblem, ...]

    @property
    def ok(self) -> bool:
        return not self.problems

    def __str__(self) -> str:
        if self.ok:
            return f"every character can be encoded in {self.encoding}"
        lines = [f"{len(self.problems)} character(s) cannot be encoded in {self.encoding}:"]
        lines.extend(f"  {problem}" for problem in self.problems)
        return "\n".join(lines)


def preflight_feed(
    source: str | os.PathLike[str],
    flat_file_encoding: str | None,
    *,
    encoding: str | None = None,
    source_encoding: str = "utf-8",
) -> PreflightReport:
    """Check a text feed against the encoding it will be sent in, line by line.

    `source` is the feed text or a path to a text file in `source_encoding`. A path-like object
    is always a file; a str is feed text when it holds a line break, a tab or a '<', and
    otherwise must name an existing file (FileNotFoundError if it does not: a mistyped path is
    not checked as if it were the feed). The encoding checked is `encoding` if given; for XML the
    declaration's (UTF-8 when there is none); for a flat file the marketplace's flat-file
    encoding (iso-8859-1 when no marketplace is given).
    """
    if isinstance(source, str) and _is_feed_text(source):
        return _preflight_lines(io.StringIO(source, newline=None), encoding, flat_file_encoding)
    if isinstance(source, str) and not os.path.isfile(source):
        raise FileNotFoundError(
            errno.ENOENT,
            "preflight: no such feed file (a str without a line break, tab or '<' is read as "
            "a path)",
            source,
        )
    with open(source, encoding=source_encoding, newline=None) as file:
        return _preflight_lines(file, encoding, flat_file_encoding)


def _is_feed_text(text: str) -> bool:
    # A str with a line break, a tab or a '<' is feed text; any other str names a file.
    return "\n" in text or "\r" in text or "\t" in text or "<" in text


def _preflight_lines(
    lines: IO[str], encoding: str | None, flat_file_encoding: str | None
) -> PreflightReport:
    problems: list[EncodingProblem] = []
    codec: str | None = None if encoding is None else codec_name(encoding)
    for number, line in enumerate(lines, start=1):
        if codec is None:
            codec = _feed_codec(line, flat_file_encoding)
        if number == 1 and line.startswith("\ufeff"):
            line = line[1:]  # a BOM is not content
        try:
            line.encode(codec)
            continue
        except UnicodeEncodeError:
            pass
        for column, character in enumerate(line, start=1):
            try:
                character.encode(codec)
            except UnicodeEncodeError:
                problems.append(EncodingProblem(number, column, character))
    return PreflightReport(codec or codec_name(flat_file_encoding or "iso-8859-1"), tuple(problems))


def _feed_codec(first_line: str, flat_file_encoding: str | None) -> str:
    head = first_line.lstrip("\ufeff \t\r\n")
    if head.startswith("<"):
        match = _XML_ENCODING.match(head.encode("utf-8", "replace"))
        return codec_name(match.group(1).decode("ascii") if match else "utf-8")
    return codec_name(flat_file_encoding or "iso-8859-1")
