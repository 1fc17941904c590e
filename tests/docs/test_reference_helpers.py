"""The helpers of a section's wing are documented from their source (generator/wings.py): the
signature as written, the description and the `Args:` lines of the docstring; a helper that
cannot be documented that way stops the generator, naming the file and line."""

from __future__ import annotations

import textwrap
from dataclasses import replace
from pathlib import Path

import pytest
from test_docs_examples import RUN, code_blocks

from conftest import ROOT
from generator.model import Section
from generator.pipeline import build_model
from generator.wings import WingError, section_helpers, with_helpers

REPORTS: Section = next(
    section
    for section in build_model(sorted((ROOT / "specs").glob("*.yaml")), ROOT).sections
    if section.module == "reports"
)

WING = '''
class _Base:
    def preview(self, text: str, *, strict: bool = False) -> str:
        """Show the text.

        Args:
            text: What to show.
            strict: Refuse odd characters.
        """


class GizmoWorkflows(_Base):
    def fetch_all(self, *, gizmo_id: str, timeout: float = 30.0) -> list[int]:
        """Fetch every gizmo part,
        in order.

        Args:
            gizmo_id: The gizmo.
            timeout: Seconds before
                giving up.
        """

    def _private(self) -> None: ...


class AsyncGizmoWorkflows(_Base):
    async def fetch_all(self, *, gizmo_id: str, timeout: float = 30.0) -> list[int]:
        """See GizmoWorkflows.fetch_all."""
'''


def _wing(tmp_path: Path, source: str) -> tuple[Section, Path]:
    templates = tmp_path / "templates"
    folder = templates / "mwskit" / "gizmos"
    folder.mkdir(parents=True)
    (folder / "workflows.py").write_text(textwrap.dedent(source), encoding="utf-8")
    return replace(REPORTS, module="gizmos", client_mixin="GizmoWorkflows"), templates


def test_helpers_are_read_from_source(tmp_path: Path) -> None:
    section, templates = _wing(tmp_path, WING)
    preview, fetch_all = section_helpers(section, templates.joinpath)
    assert preview.name == "preview" and preview.async_form == "call"
    assert [(p.name, p.keyword_only, p.default) for p in preview.parameters] == [
        ("text", False, None),
        ("strict", True, "False"),
    ]
    assert fetch_all.description == "Fetch every gizmo part, in order."
    assert fetch_all.parameters[1].description == "Seconds before giving up."
    assert fetch_all.async_form == "await"
    assert fetch_all.source == "templates/mwskit/gizmos/workflows.py:13"
    assert fetch_all.signature == (
        "def fetch_all(\n    self,\n    *,\n    gizmo_id: str,\n    timeout: float = 30.0,\n"
        ") -> list[int]: ..."
    )


def test_an_undocumented_argument_is_refused(tmp_path: Path) -> None:
    undocumented = WING.replace(
        "            timeout: Seconds before\n                giving up.\n", ""
    )
    section, templates = _wing(tmp_path, undocumented)
    with pytest.raises(WingError, match=r"workflows.py:13: fetch_all: argument 'timeout'"):
        section_helpers(section, templates.joinpath)


def test_async_class_must_take_the_same_arguments(tmp_path: Path) -> None:
    broken = WING.replace(
        "    async def fetch_all(self, *, gizmo_id: str, timeout: float = 30.0)",
        "    async def fetch_all(self, *, gizmo_id: str)",
    )
    section, templates = _wing(tmp_path, broken)
    with pytest.raises(WingError, match=r"AsyncGizmoWorkflows\.fetch_all must take the same"):
        section_helpers(section, templates.joinpath)


def test_the_reports_and_feeds_helpers_are_documented() -> None:
    page = (ROOT / "generated" / "docs" / "reports.md").read_text(encoding="utf-8")
    assert "\n## request_and_get_report\n" in page and "\n## iter_report_rows\n" in page
    assert "    destination: Destination | None = None,\n" in page
    feeds = (ROOT / "generated" / "docs" / "feeds.md").read_text(encoding="utf-8")
    assert "\n## submit_feed_and_wait\n" in feeds and "\n## preflight\n" in feeds
    assert (
        "<code>feed_<wbr>content</code> · the HTTP body\n:   *bytes, a path or a binary file*" in feeds
    )


def test_every_helper_has_a_running_example_in_the_guide() -> None:
    """A helper runs a whole workflow, which the reference's stand-in cannot play; its page
    links to the Reports and feeds guide, whose ```python examples run it on the sandbox."""
    guide = ROOT / "docs_src" / "pages" / "concepts" / "reports-and-feeds.md"
    code = "".join(block.code for block in code_blocks(guide) if block.info == RUN)
    api = with_helpers(
        build_model(sorted((ROOT / "specs").glob("*.yaml")), ROOT), (ROOT / "templates").joinpath
    )
    names = [helper.name for section in api.sections for helper in section.helpers]
    assert len(names) == 5
    assert [name for name in names if f".{name}(" not in code] == []
