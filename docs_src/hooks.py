"""MkDocs hook: publish the generated reference pages (generated/docs/) as reference/.

The generator owns generated/docs/ and the guides live in docs_src/pages/, so the site is built
from both without copying: the generated pages are added to MkDocs' file list, the Reference
entry of the navigation lists each of them (overview, regions and marketplaces, then one page
per section), and links from a reference page to a guide, written as repository paths
(`../../docs_src/pages/...`, which also resolve when browsing generated/docs/ in the
repository), are turned into site paths.

A build needs the published address (`MWSKIT_SITE_URL`, read by mkdocs.yml's `site_url`):
without it the sitemap would be empty and the 404 page's links would only work at the root of
a host, so the build stops and says what to set. After the build, the search index is tuned
so that an exact name ranks first (`on_post_build`).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page

REFERENCE = "reference"
GUIDE_PREFIX = "](../../docs_src/pages/"  # a guide, seen from generated/docs/<page>.md
FIRST_PAGES = {"index.md": "Overview", "marketplaces.md": "Regions and marketplaces"}


def _generated_docs(config: MkDocsConfig) -> Path:
    return Path(config.config_file_path).resolve().parent / "generated" / "docs"


def _heading(path: Path) -> str:
    """The page's title: its first `# ` heading (the section name on a section page)."""
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("# "):
            return line[2:].strip()
    return path.stem


def _reference_nav(config: MkDocsConfig) -> list[Any]:
    pages = {path.name: path for path in sorted(_generated_docs(config).glob("*.md"))}
    nav: list[Any] = [
        {title: f"{REFERENCE}/{name}"} for name, title in FIRST_PAGES.items() if name in pages
    ]
    nav += [
        {_heading(path): f"{REFERENCE}/{name}"}
        for name, path in pages.items()
        if name not in FIRST_PAGES
    ]
    return nav


def on_config(config: MkDocsConfig) -> MkDocsConfig:
    if not config.site_url:
        raise PluginError(
            "set MWSKIT_SITE_URL to the address the site will be published at, such as "
            "https://example.org/mwskit/ (the sitemap lists it; the 404 page links by its path)"
        )
    for entry in config.nav or []:
        if isinstance(entry, dict) and "Reference" in entry:
            entry["Reference"] = _reference_nav(config)
    return config


def on_files(files: Files, config: MkDocsConfig) -> Files:
    for path in sorted(_generated_docs(config).glob("*.md")):
        files.append(File.generated(config, f"{REFERENCE}/{path.name}", abs_src_path=str(path)))
    return files


def on_page_markdown(markdown: str, page: Page, config: MkDocsConfig, files: Files) -> str:
    if page.file.src_uri.startswith(f"{REFERENCE}/"):
        return markdown.replace(GUIDE_PREFIX, "](../")
    return markdown


def on_serve(server: Any, config: MkDocsConfig, builder: Any) -> Any:
    server.watch(str(_generated_docs(config)))
    return server


NAMED_ENTRY = re.compile(r"\w+")  # a reference heading that is a name: GetReport, iter_list_orders
NAME_BOOST = 100.0  # divided by the name's length


def on_post_build(config: MkDocsConfig) -> None:
    """Rank an exact name first in search. Search widens the last word typed to a prefix
    (GetReport finds GetReport*), and a longer name that starts with it is a rarer word, so
    GetReportScheduleCount would outrank GetReport. Each reference entry titled by a name is
    boosted by NAME_BOOST / len(name): among names sharing the prefix, the shortest (the exact
    one) wins, and other pages still rank by their text."""
    path = Path(config.site_dir) / "search" / "search_index.json"
    index = json.loads(path.read_text(encoding="utf-8"))
    for doc in index["docs"]:
        location, title = doc["location"], doc["title"]
        if (
            location.startswith(f"{REFERENCE}/")
            and "#" in location
            and NAMED_ENTRY.fullmatch(title)
        ):
            doc["boost"] = NAME_BOOST / len(title)
    path.write_text(json.dumps(index, separators=(",", ":")), encoding="utf-8")
