"""Results as plain data, merged pages, --query, and the four output formats."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

FORMATS = ("json", "yaml", "table", "text")
_NOT_DATA = frozenset({"headers", "body"})  # the raw answer: not part of the result's data
_PAGING = ("next_token", "has_next")


def plain(value: Any) -> Any:
    """JSON-ready data: dataclasses as dicts (absent fields left out), Decimal and times as
    strings, enums as their values."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        found = {}
        for item in dataclasses.fields(value):
            if item.name in _NOT_DATA:
                continue
            inner = getattr(value, item.name)
            if inner is not None:
                found[item.name] = plain(inner)
        return found
    if isinstance(value, (list, tuple)):
        return [plain(item) for item in value]
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    return value


def merge_pages(pages: Iterable[Any]) -> dict[str, Any]:
    """Every page as one result: the lists of later pages appended to the first page's, the
    paging fields dropped (as aws-cli's --all-pages does)."""
    merged: dict[str, Any] = {}
    for page in pages:
        data = plain(page)
        for key, value in data.items():
            if key not in merged:
                merged[key] = value
            elif isinstance(value, list) and isinstance(merged[key], list):
                merged[key].extend(value)
    for key in _PAGING:
        merged.pop(key, None)
    return merged


def query(data: Any, expression: str) -> Any:
    """JMESPath, as aws-cli's --query (needs the `cli` extra: pip install 'mwskit[cli]')."""
    import jmespath  # an optional dependency, imported only when asked for

    return jmespath.search(expression, data)


def render(data: Any, output: str) -> str:
    if output == "yaml":
        import yaml  # an optional dependency, imported only when asked for

        return str(yaml.safe_dump(data, sort_keys=False, allow_unicode=True)).rstrip("\n")
    if output == "table":
        return _table(data)
    if output == "text":
        return "\n".join(_text_lines(data))
    return json.dumps(data, indent=2, ensure_ascii=False)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _grid(header: list[str], rows: list[list[str]]) -> list[str]:
    lines = [header, *rows] if header else rows
    widths = [max(len(line[i]) for line in lines) for i in range(len(lines[0]))]
    rule = "+" + "+".join("-" * (width + 2) for width in widths) + "+"

    def row(cells: list[str]) -> str:
        return (
            "| "
            + " | ".join(cell.ljust(width) for cell, width in zip(cells, widths, strict=True))
            + " |"
        )

    out = [rule]
    if header:
        out += [row(header), rule]
    return [*out, *(row(cells) for cells in rows), rule]


def _records(data: Any) -> bool:
    return isinstance(data, list) and bool(data) and all(isinstance(item, dict) for item in data)


def _table(data: Any, title: str = "") -> str:
    """A record as key | value rows, its nested records and lists of records as tables of
    their own under their names; a list of records as rows under their keys."""
    blocks: list[str] = []
    if isinstance(data, dict):
        scalars = [[key, _cell(value)] for key, value in data.items() if not _nested(value)]
        if scalars:
            blocks.append("\n".join(([title] if title else []) + _grid([], scalars)))
        for key, value in data.items():
            if _nested(value):
                blocks.append(_table(value, f"{title}.{key}" if title else key))
    elif _records(data):
        header = list(dict.fromkeys(key for item in data for key in item))
        rows = [[_cell(item.get(key)) for key in header] for item in data]
        blocks.append("\n".join(([title] if title else []) + _grid(header, rows)))
    else:
        items = data if isinstance(data, list) else [data]
        if items:
            blocks.append(
                "\n".join(([title] if title else []) + _grid([], [[_cell(i)] for i in items]))
            )
    return "\n\n".join(blocks)


def _nested(value: Any) -> bool:
    """A dict, or a list of records: shown as a table of its own."""
    return isinstance(value, dict) or _records(value)


def _text_lines(data: Any) -> list[str]:
    """Tab-separated values, as aws-cli's text output: one line per record or scalar list."""
    if isinstance(data, list):
        if data and all(isinstance(item, dict) for item in data):
            return ["\t".join(_cell(value) for value in item.values()) for item in data]
        if all(not isinstance(item, (dict, list)) for item in data):
            return ["\t".join(_cell(item) for item in data)]
        return [line for item in data for line in _text_lines(item)]
    if isinstance(data, dict):
        lines = []
        for key, value in data.items():
            if isinstance(value, (dict, list)):
                lines += [f"{key}\t{line}" for line in _text_lines(value)]
            else:
                lines.append(f"{key}\t{_cell(value)}")
        return lines
    return [_cell(data)]
