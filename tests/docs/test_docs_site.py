"""The documentation site builds with `mkdocs build --strict`, and everything it must have is there.

The site is mkdocs.yml + the guides in docs_src/pages/ + the reference pages in generated/docs/
(added by docs_src/hooks.py). The build goes to a temporary folder (tests/docs/conftest.py); then every section has its
page in the navigation, every action its anchor (with throttling, parameters, response, errors
and an example), every internal link and anchor of every built page resolves, search has an
index, and the errors guide describes every name mwskit.errors exports.
"""

from __future__ import annotations

import importlib.util
import json
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
import yaml
from docs_browser import SITE_PREFIX, SITE_URL
from mkdocs.config import load_config
from mkdocs.exceptions import PluginError
from mkdocs.utils.yaml import yaml_load

import mwskit.errors
from conftest import ROOT
from generator.model import Api
from generator.pipeline import build_model
from generator.render import render
from generator.wings import with_helpers

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
def pages(site: Path) -> dict[Path, _Page]:
    return {path: _parse(path) for path in sorted(site.rglob("*.html"))}


def test_config_is_strict_and_pins_the_theme() -> None:
    with (ROOT / "mkdocs.yml").open("rb") as file:
        config = yaml_load(file)  # MkDocs' own loader: it reads the !ENV tag of site_url
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
    """Every method has its own entry, and an action's entry holds each of its parameters'
    Python and wire names, so search finds them all."""
    index = json.loads((site / "search" / "search_index.json").read_text(encoding="utf-8"))
    texts = {doc["location"]: doc["text"] for doc in index["docs"]}
    api = with_helpers(API, (ROOT / "templates").joinpath)
    for section in api.sections:
        page = f"reference/{section.module}/"
        for action in section.actions:
            text = texts[f"{page}#{action.name.lower()}"]
            names = [action.python_name, *(a.python_name for a in action.extra_arguments)]
            names += [name for p in action.parameters for name in (p.python_name, p.wire)]
            missing = [name for name in names if name not in text]
            assert missing == [], f"{section.module}#{action.name}: not in its search entry"
            if action.next_token_action:
                assert f"{page}#iter_{action.python_name}" in texts
        for helper in section.helpers:
            text = texts[f"{page}#{helper.name}"]
            assert all(p.name in text for p in helper.parameters), helper.name
    helpers = {helper.name for section in api.sections for helper in section.helpers}
    assert {"request_and_get_report", "iter_report_rows", "submit_feed_and_wait"} <= helpers
    assert "preflight" in helpers


def test_errors_guide_describes_every_error_class() -> None:
    text = (ROOT / "docs_src" / "pages" / "concepts" / "errors.md").read_text(encoding="utf-8")
    # A section's own error codes are listed on its reference page instead.
    own = set(mwskit._section_errors.__all__)
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

    listing = page[page.index("\n## ListWidgets\n") : page.index("\n## iter_list_widgets\n")]
    assert "returns [`ListWidgetsResult`](#result-listwidgetsresult)" in listing
    assert "[`ListWidgetsResult`](#result-listwidgetsresult), read from `<ListWidgetsResult>`:" in (
        listing
    )
    assert (
        "<code>widgets</code> · XML <code>Widgets/<wbr>Widget</code>\n"
        ":   *[list of Widget](#result-widget)*. The widgets found.\n"
    ) in listing
    assert "for widget in result.widgets:\n    print(widget.widget_id)\n" in listing
    assert '### <a id="result-widget"></a>Widget' in page
    color = "<code>color</code> · XML <code>Color</code>\n:   *[WidgetColor (enum)](#widgetcolor)*."
    assert color in page
    assert "### WidgetColor" in page  # the enum's heading, whose anchor the link uses


# How contributor notes read: where a value comes from and what the spec follows. They belong
# in `notes:` (a collapsed "Spec notes" block on the site), never in a user-facing description.
SOURCE_TALK = re.compile(
    r"seeded|the reference (keeps|says|adds|places)|sources disagree|kept because|docs snapshot"
    r"|mws-advanced|\bboto\b|ScaleLeap|python-amazon-mws|peddler|official (PHP|Java|client)"
    r"|the spec (follows|uses|keeps|records)",
    re.IGNORECASE,
)


def _descriptions(node: object, path: str) -> list[tuple[str, str]]:
    """Every `description` text of a spec, with its path; `notes` are not descended into."""
    found: list[tuple[str, str]] = []
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "description" and isinstance(value, str):
                found.append((f"{path}.{key}", value))
            elif key != "notes":
                found += _descriptions(value, f"{path}.{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found += _descriptions(value, f"{path}[{index}]")
    return found


def test_descriptions_hold_no_contributor_notes() -> None:
    mixed = [
        f"{spec.name}: {path}: {text}"
        for spec in sorted((ROOT / "specs").glob("*.yaml"))
        for path, text in _descriptions(yaml.safe_load(spec.read_text(encoding="utf-8")), "$")
        if SOURCE_TALK.search(text)
    ]
    assert mixed == [], "move these to notes: (shown as Spec notes)"


def test_spec_notes_are_collapsed_apart_from_the_description(
    site: Path, pages: dict[Path, _Page]
) -> None:
    html = (site / "reference" / "orders" / "index.html").read_text(encoding="utf-8")
    listing = html[html.index('<h2 id="listorders"') : html.index('<h2 id="iter_list_orders"')]
    note = "the docs page does not state this as a rule, so the spec does not encode it"
    assert listing.count(note) == 1
    block = listing[listing.rindex("<details", 0, listing.index(note)) :]
    assert block.startswith('<details class="note">\n<summary>Spec notes</summary>')
    assert "</details>" not in block[: block.index(note)]
    assert SOURCE_TALK.search(listing[: listing.index("<details")]) is None


def test_sitemap_and_404_page_use_the_published_address(site: Path) -> None:
    sitemap = (site / "sitemap.xml").read_text(encoding="utf-8")
    assert f"<loc>{SITE_URL}reference/orders/</loc>" in sitemap
    not_found = _parse(site / "404.html")
    local = [link for link in not_found.links if not urlsplit(link).scheme]
    assert local and all(link.startswith(SITE_PREFIX) for link in local), local


def test_a_build_without_the_published_address_is_refused() -> None:
    spec = importlib.util.spec_from_file_location("docs_hooks", ROOT / "docs_src" / "hooks.py")
    assert spec is not None and spec.loader is not None
    hooks = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(hooks)
    config = load_config(str(ROOT / "mkdocs.yml"), site_url="")
    with pytest.raises(PluginError, match="set MWSKIT_SITE_URL"):
        hooks.on_config(config)
