"""Stage 5: format generated Python with black, in process, with settings fixed here."""

from __future__ import annotations

import black

from .render import RenderedFile

# Fixed in code so output never depends on a user's black configuration.
MODE = black.Mode(
    target_versions={black.TargetVersion.PY311},
    line_length=100,
    string_normalization=True,
    is_pyi=False,
)


class FormatError(RuntimeError):
    """black refused a rendered file: a template produced invalid Python."""


def format_files(files: dict[str, RenderedFile]) -> dict[str, RenderedFile]:
    formatted: dict[str, RenderedFile] = {}
    for path, rendered in files.items():
        if path.endswith(".py") and not rendered.verbatim:
            try:
                text = black.format_str(rendered.text, mode=MODE)
            except black.InvalidInput as error:
                raise FormatError(f"{path} (from {rendered.source}) is not valid Python: {error}") from None
            rendered = RenderedFile(text, rendered.source, rendered.verbatim)
        formatted[path] = rendered
    return formatted
