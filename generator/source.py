"""Stage 1a: a spec file's bytes -> YAML text that is safe to compose, or located errors.

What a spec may not be, checked before any YAML node exists (a crash in libyaml's recursive C
composer cannot be caught, and an alias expands only once nodes are built into data):

- larger than MAX_BYTES (the largest spec is under 100 KB);
- anything but UTF-8 text: a UTF-16 or UTF-32 byte order mark, bytes that do not decode (located
  at the first bad byte), NUL or another character YAML does not allow;
- YAML with anchors or aliases (specs share definitions through `include:` and specs/_shared.yaml,
  so an alias is never needed, and refusing them bounds what a file can expand to: no "billion
  laughs", no recursive alias), nested more than MAX_DEPTH levels (specs use 6), or holding more
  than MAX_NODES values (the largest spec holds under 5,000).

The structure is read from the parser's event stream, which libyaml and PyYAML both produce
without recursion, and which is abandoned at the first problem.
"""

from __future__ import annotations

import codecs
import re
from pathlib import Path

import yaml

from .errors import SourceRef, SpecError, SpecErrors

MAX_BYTES = 1 << 20
MAX_DEPTH = 64
MAX_NODES = 100_000

# YAML 1.1's printable characters (as PyYAML's reader checks them); TAB, LF and CR are allowed.
_NOT_PRINTABLE = re.compile(
    "[^\x09\x0a\x0d\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]"
)
_LINE_BREAK = re.compile("\r\n|[\r\n\x85\u2028\u2029]")
_WIDE_BOMS = (
    (codecs.BOM_UTF32_LE, "UTF-32"),
    (codecs.BOM_UTF32_BE, "UTF-32"),
    (codecs.BOM_UTF16_LE, "UTF-16"),
    (codecs.BOM_UTF16_BE, "UTF-16"),
)
_UTF8 = "specs are UTF-8 text"


def _refuse(display: str, line: int, column: int, message: str) -> SpecErrors:
    return SpecErrors([SpecError(SourceRef(display, line, column, "$"), message)])


def _position(text: str, index: int) -> tuple[int, int]:
    """1-based line and column (in characters) of text[index], counting breaks as YAML does."""
    lines = _LINE_BREAK.split(text[:index])
    return len(lines), len(lines[-1]) + 1


def _character_problem(text: str, display: str) -> SpecErrors | None:
    found = _NOT_PRINTABLE.search(text)
    if found is None:
        return None
    line, column = _position(text, found.start())
    if found.group() == "\x00":
        return _refuse(display, line, column, f"NUL byte (a UTF-16 file?); {_UTF8}")
    code = f"U+{ord(found.group()):04X}"
    return _refuse(display, line, column, f"control character {code} is not allowed in YAML")


def decode_source(data: bytes, display: str) -> str:
    """The text of a spec's bytes; SpecErrors at the first byte or character that cannot be."""
    for bom, encoding in _WIDE_BOMS:
        if data.startswith(bom):
            raise _refuse(display, 1, 1, f"the file is {encoding} (byte order mark); {_UTF8}")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        before = data[: error.start].decode("utf-8")
        problem = _character_problem(before, display)  # a NUL before the bad byte comes first
        if problem is not None:
            raise problem from None
        line, column = _position(before, len(before))
        byte = data[error.start]
        raise _refuse(display, line, column, f"byte 0x{byte:02x} is not UTF-8; {_UTF8}") from None
    problem = _character_problem(text, display)
    if problem is not None:
        raise problem
    return text


def read_source(path: Path, display: str) -> str:
    """Read and decode one spec file, refusing one over MAX_BYTES without reading all of it."""
    try:
        with path.open("rb") as stream:
            data = stream.read(MAX_BYTES + 1)
    except OSError as error:  # missing, a directory, unreadable
        raise _refuse(display, 1, 1, f"cannot read the file: {error.strerror}") from None
    if len(data) > MAX_BYTES:
        raise _refuse(display, 1, 1, f"the file is larger than {MAX_BYTES >> 20} MiB")
    return decode_source(data, display)


def check_structure(text: str, display: str, loader_class: type[yaml.SafeLoader]) -> None:
    """Refuse anchors, aliases, deep nesting and too many values, reading only parser events.

    Raises SpecErrors for those, and yaml.MarkedYAMLError for a syntax error met first.
    """
    depth = nodes = 0
    for event in yaml.parse(text, Loader=loader_class):
        if not isinstance(event, yaml.NodeEvent):
            depth -= isinstance(event, yaml.CollectionEndEvent)
            continue
        nodes += 1
        depth += isinstance(event, yaml.CollectionStartEvent)
        problem = _event_problem(event, depth, nodes)
        if problem is not None:
            line, column = (
                (event.start_mark.line, event.start_mark.column) if event.start_mark else (0, 0)
            )
            raise _refuse(display, line + 1, column + 1, problem)


def _event_problem(event: yaml.NodeEvent, depth: int, nodes: int) -> str | None:
    if isinstance(event, yaml.AliasEvent) or event.anchor is not None:
        sign = "*" if isinstance(event, yaml.AliasEvent) else "&"
        return (
            f"{sign}{event.anchor}: anchors and aliases are not allowed in specs "
            "(share definitions with include: and specs/_shared.yaml)"
        )
    if depth > MAX_DEPTH:
        return f"nested more than {MAX_DEPTH} levels deep"
    if nodes > MAX_NODES:
        return f"more than {MAX_NODES} values in one file"
    return None
