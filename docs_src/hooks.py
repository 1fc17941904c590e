"""MkDocs hook: publish the generated reference pages (generated/docs/) as reference/.

The generator owns generated/docs/ and the guides live in docs_src/pages/, so the site is built
from both without copying: the generated pages are added to MkDocs' file list, the Reference
entry of the navigation lists each of them (overview, regions and marketplaces, then one page
per section), and links from a reference page to a guide, written as repository paths
(`../../docs_src/pages/...`, which also resolve when browsing generated/docs/ in the
repository), are turned into site paths.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from mkdocs.config.defaults import MkDocsConfig
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
    for entry in config.nav or []:
        if isinstance(entry, dict) and "Reference" in entry:
            entry["Reference"] = _reference_nav(config)
    return config


def on_files(files: Files, config: MkDocsConfig) -> Files:
    for path in sorted(_generated_docs(config).glob("*.md")):
        files.append(
            File.generated(config, f"{REFERENCE}/{path.name}", abs_src_path=str(path))
        )
    return files


def on_page_markdown(markdown: str, page: Page, config: MkDocsConfig, files: Files) -> str:
    if page.file.src_uri.startswith(f"{REFERENCE}/"):
        return markdown.replace(GUIDE_PREFIX, "](../")
    return markdown


def on_serve(server: Any, config: MkDocsConfig, builder: Any) -> Any:
    server.watch(str(_generated_docs(config)))
    return server
