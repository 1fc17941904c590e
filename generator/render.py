"""Stage 4: the model rendered through the Jinja2 templates into {relative path: file}."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import jinja2

from .model import Api, Section
from .naming import constant_name, snake_case

PACKAGE_VERSION = "0.1.0"
RUNTIME_DIR = "runtime"


@dataclass(frozen=True, slots=True)
class RenderedFile:
    """One output file before formatting; `source` is what the header names as its origin."""

    text: str
    source: str
    verbatim: bool = False  # copied as written (the handwritten runtime), never reformatted


def _docstring(text: str) -> str:
    """Text safe inside a triple-quoted docstring."""
    return text.replace("\\", "\\\\").replace('"', '\\"')


def _markdown_cell(text: str) -> str:
    """Text safe inside a Markdown table cell."""
    return " ".join(text.split()).replace("|", "\\|")


def _code_list(values: tuple[str, ...]) -> str:
    """`a`, `b`: values as inline code, so `_DONE_` is not read as emphasis."""
    return ", ".join(f"`{value}`" for value in values)


def _environment(templates: Path) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates)),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        autoescape=False,
    )
    env.filters["docstring"] = _docstring
    env.filters["cell"] = _markdown_cell
    env.filters["code_list"] = _code_list
    env.filters["constant"] = constant_name
    env.filters["snake"] = snake_case
    return env


def _render(env: jinja2.Environment, template: str, **context: object) -> str:
    try:
        return env.get_template(template).render(version=PACKAGE_VERSION, **context)
    except jinja2.TemplateError as error:
        subject = context.get("section")
        where = f" for section {subject.name}" if isinstance(subject, Section) else ""
        raise RuntimeError(f"template {template}{where}: {error}") from error


def render(api: Api, templates: Path) -> dict[str, RenderedFile]:
    """Every output file of the generated tree, keyed by its path relative to generated/."""
    env = _environment(templates)
    files: dict[str, RenderedFile] = {}

    def add(path: str, template: str, source: str, **context: object) -> None:
        files[path] = RenderedFile(_render(env, template, api=api, **context), source)

    package = "package/"
    for name in ("__init__.py", "_client.py", "_version.py", "errors.py", "signing.py", "py.typed"):
        add(f"mwskit/{name}", f"{package}{name}.j2", f"templates/{package}{name}.j2")
    for name in ("sandbox/__init__.py", "sandbox/__main__.py"):
        add(f"mwskit/{name}", f"{package}{name}.j2", f"templates/{package}{name}.j2")
    marketplaces_spec = api.marketplaces.spec_file
    add("mwskit/marketplaces.py", "package/marketplaces.py.j2", marketplaces_spec)
    add("docs/marketplaces.md", "docs/marketplaces.md.j2", marketplaces_spec)
    add("pyproject.toml", "pyproject.toml.j2", "templates/pyproject.toml.j2")
    add("README.md", "README.md.j2", "templates/README.md.j2")
    add("docs/index.md", "docs/index.md.j2", "templates/docs/index.md.j2")
    for section in api.sections:
        for name in ("__init__.py", "models.py", "_operations.py", "client.py"):
            add(
                f"mwskit/{section.module}/{name}",
                f"section/{name}.j2",
                section.spec_file,
                section=section,
            )
        add(f"docs/{section.module}.md", "docs/section.md.j2", section.spec_file, section=section)
    for runtime_file in sorted((templates / RUNTIME_DIR).glob("*.py")):
        relative = f"templates/{RUNTIME_DIR}/{runtime_file.name}"
        files[f"mwskit/_runtime/{runtime_file.name}"] = RenderedFile(
            runtime_file.read_text(encoding="utf-8"), relative, verbatim=True
        )
    return dict(sorted(files.items()))
