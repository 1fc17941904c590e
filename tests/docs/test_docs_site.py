"""The documentation site builds with `mkdocs build --strict`, and everything it must have is there.

The site is mkdocs.yml + the guides in docs_src/pages/ + the reference pages in generated/docs/
(added by docs_src/hooks.py). The build goes to a temporary folder; then every section has its
page in the navigation, every action its anchor (with throttling, parameters, response, errors
and an example), every internal link and anchor of every built page resolves, search has an
index, and the errors guide describes every name mwskit.errors exports.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
import yaml

import mwskit.errors
from conftest import ROOT
from generator.model import Api
from generator.pipeline import build_model
from generator.render import render

API: Api = build_model(sorted((ROOT / "specs").glob("*.yaml")), ROOT)


class _Page(HTMLParser):
    """The ids and the link targets (href, src) of one HTML page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if values.get("id"):
            self.ids.add(values["id"] or "")
        if tag == "a" and values.get("name"):
            self.ids.add(values["name"] or "")
        for name in ("href", "src"):
            value = values.get(name)
            if value is not None and not (tag == "link" and values.get("rel") == "canonical"):
                self.links.append(value)


def _parse(path: Path) -> _Page:
    page = _Page()
    page.feed(path.read_text(encoding="utf-8"))
    return page


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("site")
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(out)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    log = result.stdout + result.stderr
    assert result.returncode == 0, f"mkdocs build --strict failed:\n{log}"
    assert not re.search(r"^(WARNING|ERROR)\b", log, re.M), log
    return out


@pytest.fixture(scope="module")
def pages(site: Path) -> dict[Path, _Page]:
    return {path: _parse(path) for path in sorted(site.rglob("*.html"))}


def test_config_is_strict_and_pins_the_theme() -> None:
    config = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))
    assert config["strict"] is True
    assert config["theme"]["name"] == "material"
    assert config["validation"]["anchors"] == "warn"
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert re.search(r'"mkdocs==1\.6\.1"', pyproject)
    assert re.search(r'"mkdocs-material==\d+\.\d+\.\d+"', pyproject)


def test_every_section_has_a_page_in_the_navigation(site: Path, pages: dict[Path, _Page]) -> None:
    home = pages[site / "index.html"]
    for section in API.sections:
        assert (site / "reference" / section.module / "index.html").is_file(), section.module
        assert f"reference/{section.module}/" in home.links, f"{section.module} not in the nav"
    for guide in ("getting-started", "concepts/errors", "concepts/throttling", "regenerating"):
        assert f"{guide}/" in home.links, guide
    assert "reference/marketplaces/" in home.links


def test_every_action_has_an_anchor_with_its_documentation(
    site: Path, pages: dict[Path, _Page]
) -> None:
    for section in API.sections:
        path = site / "reference" / section.module / "index.html"
        page = pages[path]
        html = path.read_text(encoding="utf-8")
        parts = re.split(r'<h2 id="([^"]+)"', html)
        bodies = dict(zip(parts[1::2], parts[2::2], strict=True))
        for action in section.actions:
            anchor = action.name.lower()
            assert anchor in page.ids, f"{section.module}: no anchor #{anchor}"
            body = bodies[anchor]
            assert f"{section.module}/#{anchor}" in pages[site / "reference" / "index.html"].links
            for label in ("Throttling:", "Parameters", "Response", "Errors", "Example"):
                assert label in body, f"{section.module}#{anchor}: no {label}"
            assert "../../concepts/errors/" in body, f"{section.module}#{anchor}: no errors link"
            if action.next_token_action:
                assert f'href="#{action.next_token_action.lower()}"' in body
            if action.result_shape and not action.result_is_root:
                assert f'href="#result-{action.result_shape.lower()}"' in body
        for shape in section.result_shapes:
            assert f"result-{shape.name.lower()}" in page.ids, f"{section.module}: {shape.name}"


def test_internal_links_and_anchors_resolve(site: Path, pages: dict[Path, _Page]) -> None:
    broken: list[str] = []
    for path, page in pages.items():
        if path == site / "404.html":
            continue  # served at any depth, so its links are absolute (site_url's path)
        for link in page.links:
            parts = urlsplit(link)
            if parts.scheme or parts.netloc or link.startswith(("mailto:", "javascript:")):
                continue
            target = (path.parent / unquote(parts.path)).resolve() if parts.path else path
            if target.is_dir() or parts.path.endswith("/"):
                target = target / "index.html"
            where = f"{path.relative_to(site)}: {link}"
            if not target.is_file():
                broken.append(f"{where} (no {target})")
            elif parts.fragment and target.suffix == ".html":
                ids = pages[target].ids if target in pages else _parse(target).ids
                if unquote(parts.fragment) not in ids:
                    broken.append(f"{where} (no anchor)")
    assert broken == []


def test_search_index_covers_the_reference(site: Path) -> None:
    index = json.loads((site / "search" / "search_index.json").read_text(encoding="utf-8"))
    locations = {doc["location"] for doc in index["docs"]}
    for section in API.sections:
        for action in section.actions:
            assert f"reference/{section.module}/#{action.name.lower()}" in locations


def _section_errors(name: str) -> list[type]:
    """The error classes of section `name`; none for other names mwskit exports."""
    section = getattr(mwskit, name)
    if not hasattr(section, "client"):
        return []
    return [getattr(section.errors, code) for code in section.errors.__all__]


def test_errors_guide_describes_every_error_class() -> None:
    text = (ROOT / "docs_src" / "pages" / "concepts" / "errors.md").read_text(encoding="utf-8")
    # A section's own error codes are listed on its reference page instead.
    own = {error.__name__ for name in mwskit.__all__ for error in _section_errors(name)}
    missing = [name for name in mwskit.errors.__all__ if name not in own and f"`{name}" not in text]
    assert missing == [], f"document these in docs_src/pages/concepts/errors.md: {missing}"


def test_section_page_shows_response_shapes(tmp_path: Path) -> None:
    """Response shapes render as field tables with anchors, nested shapes and enums linked."""
    golden = ROOT / "tests" / "golden" / "specs"
    spec = yaml.safe_load((golden / "widgets.yaml").read_text(encoding="utf-8"))
    spec["response_shapes"] = {
        "Widget": {
            "description": "One widget.",
            "fields": [
                {"element": "WidgetId", "type": "string", "required": True},
                {"element": "Color", "type": "string", "enum": "WidgetColor"},
            ],
        },
        "ListWidgetsResult": {
            "fields": [
                {"element": "NextToken", "type": "string"},
                {
                    "element": "Widgets",
                    "shape": "Widget",
                    "list": "Widget",
                    "description": "The widgets found.",
                },
            ],
        },
    }
    spec["actions"]["ListWidgets"]["response"]["shape"] = "ListWidgetsResult"
    specs = tmp_path / "specs"
    specs.mkdir()
    (specs / "widgets.yaml").write_text(yaml.safe_dump(spec, sort_keys=False), encoding="utf-8")
    (specs / "marketplaces.yaml").write_bytes((golden / "marketplaces.yaml").read_bytes())
    api = build_model(sorted(specs.glob("*.yaml")), tmp_path)
    page = render(api, ROOT / "templates")["docs/widgets.md"].text

    listing = page[page.index("\n## ListWidgets\n") : page.index("\n## ListWidgetsByNextToken\n")]
    assert "returns `ListWidgetsResult`" in listing
    assert "[`ListWidgetsResult`](#result-listwidgetsresult), read from `<ListWidgetsResult>`:" in (
        listing
    )
    assert (
        "| `widgets` | `Widgets/Widget` | [list of Widget](#result-widget) | The widgets found. |"
        in (listing)
    )
    assert '### <a id="result-widget"></a>Widget' in page
    assert "| `color` | `Color` | [WidgetColor (enum)](#widgetcolor) |" in page
    assert "### WidgetColor" in page  # the enum's heading, whose anchor the link uses
