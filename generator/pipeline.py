"""The stages in order: load -> validate -> include -> normalize -> render -> format -> (write | check)."""

from __future__ import annotations

from pathlib import Path

from .errors import SpecErrors
from .format import FormatCache, format_files
from .include import resolve_includes
from .load import load_specs
from .model import Api
from .normalize import normalize
from .render import render
from .validate import validate_spec
from .write import with_headers


def build_model(spec_files: list[Path], root: Path) -> Api:
    """Load, schema-check and normalize; raise SpecErrors with every problem found."""
    specs = load_specs(spec_files, root)
    errors = [error for spec in specs for error in validate_spec(spec)]
    if errors:
        raise SpecErrors(errors)
    sections = resolve_includes(specs)
    # An included definition with some keys replaced is checked again as a whole (once per
    # location: the same shared definition in two sections is one problem).
    merged = {error for spec in sections if spec.origins for error in validate_spec(spec)}
    if merged:
        raise SpecErrors(list(merged))
    return normalize(sections)


CACHE_DIR = ".cache/mwsgen"


def build_tree(
    spec_files: list[Path],
    root: Path,
    templates: Path | None = None,
    *,
    cache: bool = True,
    cache_root: Path | None = None,
) -> dict[str, str]:
    """Every generated file with its header, in memory.

    Spec paths are shown relative to `root`; `templates` overrides built-in templates by path;
    black's output is cached under `cache_root` (default: root).
    """
    api = build_model(spec_files, root)
    format_cache = FormatCache((cache_root or root) / CACHE_DIR / "black") if cache else None
    return with_headers(format_files(render(api, templates), format_cache))
