"""Stage 4: the model rendered through the template tree into {relative path: file}.

The template tree mirrors the output tree path for path. Walking it:
- a `*.j2` file is rendered (the suffix dropped); any other file is copied verbatim;
- `{section}` in a path is expanded once per section of the model (its Python module name),
  and those templates see `section`; every template sees `api` and `version`;
- the header names where the content came from: a `{section}` file its section's spec, a file
  named after another spec (`marketplaces.py.j2` for `specs/marketplaces.yaml`) that spec, and
  any other file its template;
- a folder that holds no `__init__.py[.j2]` of its own beside a `{section}` folder (e.g.
  `mwskit/reports/`) is that section's handwritten wing: output only when the model has it;
- `_macros/` holds fragments that templates import; it produces no output.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import jinja2

from .model import Api, Section
from .naming import cli_option, constant_name, kebab_case, snake_case

PACKAGE_VERSION = "0.1.0"
TEMPLATE_SUFFIX = ".j2"
SECTION_PART = "{section}"
_NOT_OUTPUT = ("_macros", "__pycache__")


@dataclass(frozen=True, slots=True)
class RenderedFile:
    """One output file before formatting; `source` is what the header names as its origin."""

    text: str
    source: str
    verbatim: bool = False  # copied as written (handwritten code), never reformatted


@dataclass(frozen=True, slots=True)
class TemplateFile:
    """One file of the template tree: where it is and where its output goes."""

    template: str  # path relative to the template root, posix
    output: str  # output path relative to generated/, still holding `{section}` if any

    @property
    def rendered(self) -> bool:
        return self.template.endswith(TEMPLATE_SUFFIX)

    @property
    def per_section(self) -> bool:
        return SECTION_PART in self.output


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
    env.filters["kebab"] = kebab_case
    env.filters["cli_option"] = cli_option
    return env


def template_files(templates: Path) -> list[TemplateFile]:
    """Every file of the template tree that produces output, in sorted order."""
    found: list[TemplateFile] = []
    for path in sorted(templates.rglob("*")):
        relative = path.relative_to(templates)
        if not path.is_file() or any(
            part in _NOT_OUTPUT or part.startswith(".") for part in relative.parts
        ):
            continue
        template = relative.as_posix()
        output = template.removesuffix(TEMPLATE_SUFFIX)
        found.append(TemplateFile(template=template, output=output))
    return found


def _render(env: jinja2.Environment, template: str, **context: object) -> str:
    try:
        return env.get_template(template).render(version=PACKAGE_VERSION, **context)
    except jinja2.TemplateError as error:
        subject = context.get("section")
        where = f" for section {subject.name}" if isinstance(subject, Section) else ""
        raise RuntimeError(f"template {template}{where}: {error}") from error


def _section_wing(templates: Path, file: TemplateFile) -> str | None:
    """The section module a file belongs to when it sits in a section's wing folder."""
    parts = file.template.split("/")
    for depth in range(1, len(parts) - 1):
        folder = templates.joinpath(*parts[:depth])
        own = templates.joinpath(*parts[: depth + 1])
        if not (folder / SECTION_PART).is_dir() or parts[depth] == SECTION_PART:
            continue
        if not any((own / name).is_file() for name in ("__init__.py", "__init__.py.j2")):
            return parts[depth]
    return None


def _source(api: Api, file: TemplateFile) -> str:
    """The origin a whole-api file's header names (`{section}` files name their own spec)."""
    spec = api.marketplaces.spec_file
    if Path(file.output).stem == Path(spec).stem:
        return spec
    return f"templates/{file.template}"


def _outputs(
    env: jinja2.Environment, api: Api, templates: Path, file: TemplateFile
) -> Iterator[tuple[str, RenderedFile]]:
    source = _source(api, file)
    wing = _section_wing(templates, file)
    if wing is not None and wing not in {section.module for section in api.sections}:
        return
    if not file.rendered:
        text = (templates / file.template).read_text(encoding="utf-8")
        targets = [section.module for section in api.sections] if file.per_section else [""]
        for module in targets:
            yield file.output.replace(SECTION_PART, module), RenderedFile(text, source, True)
        return
    if not file.per_section:
        yield file.output, RenderedFile(_render(env, file.template, api=api), source)
        return
    for section in api.sections:
        text = _render(env, file.template, api=api, section=section)
        yield file.output.replace(SECTION_PART, section.module), RenderedFile(
            text, section.spec_file
        )


def render(api: Api, templates: Path) -> dict[str, RenderedFile]:
    """Every output file of the generated tree, keyed by its path relative to generated/."""
    env = _environment(templates)
    files: dict[str, RenderedFile] = {}
    for file in template_files(templates):
        files.update(_outputs(env, api, templates, file))
    return dict(sorted(files.items()))
