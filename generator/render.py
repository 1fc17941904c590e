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

The built-in tree ships inside the package (`generator/_templates/` in a wheel, `templates/` in a
checkout). A user's template directory overrides it path by path: its file replaces the built-in
one of the same relative path (and a new path adds a file); every other file comes from the
built-in tree.

Before rendering, the wings' public methods are read from their source into the model
(`generator/wings.py`), so the reference documents them as written, and each shape gets the
source of its dataclass (`generator/classes.py`, which reads the runtime's result base).
"""

from __future__ import annotations

import html
import re
import textwrap
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import jinja2

from .classes import with_classes
from .errors import EXIT_IO, ToolError
from .model import Api, Section
from .naming import cli_option, constant_name, kebab_case, snake_case
from .python.readers import enum_members
from .wings import with_helpers

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


def builtin_templates() -> Path:
    """The built-in template tree: packaged beside this module in a wheel, else the checkout's."""
    packaged = Path(__file__).resolve().parent / "_templates"
    return packaged if packaged.is_dir() else Path(__file__).resolve().parent.parent / "templates"


@dataclass(frozen=True, slots=True)
class TemplateTree:
    """Template directories searched in order: a user's overrides first, then the built-ins."""

    roots: tuple[Path, ...]

    @classmethod
    def with_overrides(cls, overrides: Path | None = None) -> TemplateTree:
        builtin = builtin_templates()
        if overrides is None or overrides.resolve() == builtin:
            return cls((builtin,))
        if not overrides.is_dir():
            raise ToolError(f"templates directory {overrides} does not exist")
        return cls((overrides, builtin))

    def path(self, *parts: str) -> Path:
        """Where a template file is read from: the first root that has it."""
        for root in self.roots:
            if root.joinpath(*parts).is_file():
                return root.joinpath(*parts)
        return self.roots[-1].joinpath(*parts)

    def is_dir(self, *parts: str) -> bool:
        return any(root.joinpath(*parts).is_dir() for root in self.roots)

    def is_file(self, *parts: str) -> bool:
        return any(root.joinpath(*parts).is_file() for root in self.roots)

    def files(self) -> list[TemplateFile]:
        """Every file of the merged tree that produces output, in sorted order."""
        found: set[str] = set()
        for root in self.roots:
            for path in root.rglob("*"):
                relative = path.relative_to(root)
                if path.is_file() and not any(
                    part in _NOT_OUTPUT or part.startswith(".") for part in relative.parts
                ):
                    found.add(relative.as_posix())
        return [
            TemplateFile(template=template, output=template.removesuffix(TEMPLATE_SUFFIX))
            for template in sorted(found)
        ]


_BREAK_AFTER = re.compile(r"([./]|(?<=\w)_(?=\w))")


def _code_breakable(text: str) -> str:
    """Inline HTML code that may wrap only after a `.`, a `/` or a `_` inside a name (never
    mid-word), for long names: `InboundShipmentPlanRequestItems.member.N.PrepDetailsList...`,
    `terms_and_conditions_not_accepted_carrier_list`."""
    escaped = html.escape(text, quote=False)
    return "<code>" + _BREAK_AFTER.sub(r"\1<wbr>", escaped) + "</code>"


def _outdent(text: str) -> str:
    """A macro's method-argument lines (indented for a class body) indented once, for a
    signature shown on its own."""
    return textwrap.indent(textwrap.dedent(text), "    ")


def _environment(tree: TemplateTree) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader([jinja2.FileSystemLoader(str(root)) for root in tree.roots]),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        autoescape=False,
    )
    env.filters["docstring"] = _docstring
    env.filters["cell"] = _markdown_cell
    env.filters["code_list"] = _code_list
    env.filters["code_breakable"] = _code_breakable
    env.filters["outdent"] = _outdent
    env.filters["constant"] = constant_name
    env.filters["enum_members"] = enum_members
    env.filters["snake"] = snake_case
    env.filters["kebab"] = kebab_case
    env.filters["cli_option"] = cli_option
    return env


def _render(env: jinja2.Environment, api: Api, template: str, **context: object) -> str:
    try:
        return env.get_template(template).render(version=api.version, api=api, **context)
    except (jinja2.TemplateError, UnicodeDecodeError, OSError) as error:
        subject = context.get("section")
        where = f" for section {subject.name}" if isinstance(subject, Section) else ""
        raise ToolError(f"template {template}{where}: {_reason(error)}", EXIT_IO) from None


def _reason(error: Exception) -> str:
    if isinstance(error, jinja2.TemplateSyntaxError):
        return f"line {error.lineno}: {error.message}"
    if isinstance(error, jinja2.TemplateNotFound):
        return f"template {error.name} not found"
    if isinstance(error, UnicodeDecodeError):
        return "not UTF-8 text"
    if isinstance(error, OSError):
        return f"cannot read: {error.strerror}"
    return str(error)


def _read(tree: TemplateTree, template: str) -> str:
    path = tree.path(template)
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise ToolError(f"template {path}: {_reason(error)}", EXIT_IO) from None


def _section_wing(tree: TemplateTree, file: TemplateFile) -> str | None:
    """The section module a file belongs to when it sits in a section's wing folder."""
    parts = file.template.split("/")
    for depth in range(1, len(parts) - 1):
        folder = parts[:depth]
        own = parts[: depth + 1]
        if not tree.is_dir(*folder, SECTION_PART) or parts[depth] == SECTION_PART:
            continue
        if not any(tree.is_file(*own, name) for name in ("__init__.py", "__init__.py.j2")):
            return parts[depth]
    return None


def _source(api: Api, file: TemplateFile) -> str:
    """The origin a whole-api file's header names (`{section}` files name their own spec)."""
    spec = api.marketplaces.spec_file
    if Path(file.output).stem == Path(spec).stem:
        return spec
    return f"templates/{file.template}"


def _outputs(
    env: jinja2.Environment, api: Api, tree: TemplateTree, file: TemplateFile
) -> Iterator[tuple[str, RenderedFile]]:
    source = _source(api, file)
    wing = _section_wing(tree, file)
    if wing is not None and wing not in {section.module for section in api.sections}:
        return
    if not file.rendered:
        text = _read(tree, file.template)
        targets = [section.module for section in api.sections] if file.per_section else [""]
        for module in targets:
            yield file.output.replace(SECTION_PART, module), RenderedFile(text, source, True)
        return
    if not file.per_section:
        yield file.output, RenderedFile(_render(env, api, file.template), source)
        return
    for section in api.sections:
        text = _render(env, api, file.template, section=section)
        yield (
            file.output.replace(SECTION_PART, section.module),
            RenderedFile(text, section.spec_file),
        )


def render(api: Api, templates: Path | None = None) -> dict[str, RenderedFile]:
    """Every output file of the generated tree, keyed by its path relative to generated/.

    `templates` overrides built-in templates path by path (see the module docstring).
    """
    tree = TemplateTree.with_overrides(templates)
    env = _environment(tree)
    api = with_classes(with_helpers(api, tree.path), tree.path)
    files: dict[str, RenderedFile] = {}
    for file in tree.files():
        files.update(_outputs(env, api, tree, file))
    return dict(sorted(files.items()))
