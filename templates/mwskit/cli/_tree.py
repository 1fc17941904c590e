"""The shapes of the generated command tree (`_commands.py`): sections, actions, options."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .._runtime.descriptors import Operation, SectionSpec


@dataclass(frozen=True, slots=True)
class Option:
    """One parameter's option: `--created-after` for `created_after`, with its help texts."""

    python_name: str
    flag: str
    type_label: str
    description: str


@dataclass(frozen=True, slots=True)
class Action:
    """`mwskit <section> <name>`: one action, sent by `operation`."""

    name: str
    operation: Operation[Any]
    description: str
    throttling: str
    options: tuple[Option, ...]
    body: Option | None = None  # the request document (SubmitFeed's feed_content), a file
    pages: str | None = None  # the client's page iterator (iter_list_orders) when it pages
    docs_url: str | None = None


@dataclass(frozen=True, slots=True)
class Section:
    """`mwskit <name>`: one MWS section (`module` is its client attribute)."""

    name: str
    module: str
    title: str
    description: str
    spec: SectionSpec
    actions: tuple[Action, ...]
