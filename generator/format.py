"""Stage 5: format generated Python with black, settings fixed here, output cached.

black is by far the slowest stage, so each formatted file is cached under a key made of the
unformatted text, black's version and the mode: after a spec edit only the files that changed
are formatted again, on every core. The cache only ever returns what black returned for the
same input, so output is the same with or without it.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from concurrent.futures import ProcessPoolExecutor
from importlib.metadata import version
from pathlib import Path

import black
from black.mode import TargetVersion
from black.parsing import InvalidInput

from .render import RenderedFile

# Fixed in code so output never depends on a user's black configuration.
MODE = black.Mode(
    target_versions={TargetVersion.PY311},
    line_length=100,
    string_normalization=True,
    is_pyi=False,
)
_CACHE_SALT = f"black {version('black')}\n{MODE!r}\n".encode()
# Below this many files, starting worker processes costs more than it saves.
_PARALLEL_THRESHOLD = 8


class FormatError(RuntimeError):
    """black refused a rendered file: a template produced invalid Python."""


def _format(text: str) -> tuple[str, str | None]:
    """(black's output, None), or ("", black's complaint) for invalid Python. Runs in workers."""
    try:
        return black.format_str(text, mode=MODE), None
    except InvalidInput as error:
        return "", str(error)


class FormatCache:
    """Formatted files on disk, one per key; a missing or unreadable entry is a miss."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    @staticmethod
    def key(text: str) -> str:
        return hashlib.sha256(_CACHE_SALT + text.encode("utf-8")).hexdigest()

    def get(self, key: str) -> str | None:
        try:
            return (self.directory / key).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            return None

    def put(self, key: str, text: str) -> None:
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile(
                "w", encoding="utf-8", dir=self.directory, delete=False, suffix=".tmp"
            ) as handle:
                handle.write(text)
            os.replace(handle.name, self.directory / key)
        except OSError:
            pass  # a cache that cannot be written only costs time


def _format_all(texts: list[str]) -> list[tuple[str, str | None]]:
    workers = min(os.cpu_count() or 1, len(texts))
    if workers < 2 or len(texts) < _PARALLEL_THRESHOLD:
        return [_format(text) for text in texts]
    with ProcessPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(_format, texts, chunksize=max(1, len(texts) // (workers * 4))))


def format_files(
    files: dict[str, RenderedFile], cache: FormatCache | None = None
) -> dict[str, RenderedFile]:
    """Every rendered Python file through black (verbatim files and others unchanged)."""
    to_format = [path for path, file in files.items() if path.endswith(".py") and not file.verbatim]
    results: dict[str, str] = {}
    keys = {path: FormatCache.key(files[path].text) for path in to_format} if cache else {}
    missing = []
    for path in to_format:
        cached = cache.get(keys[path]) if cache else None
        if cached is None:
            missing.append(path)
        else:
            results[path] = cached
    formatted = _format_all([files[path].text for path in missing]) if missing else []
    for path, (text, problem) in zip(missing, formatted, strict=True):
        if problem is not None:
            raise FormatError(f"{path} (from {files[path].source}) is not valid Python: {problem}")
        results[path] = text
        if cache:
            cache.put(keys[path], text)
    return {
        path: RenderedFile(results[path], file.source, file.verbatim) if path in results else file
        for path, file in files.items()
    }
