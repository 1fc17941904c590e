"""Stage 3: schema-valid spec data -> the intermediate model, with the semantic checks.

By topic: `enums`, `requests` (parameters and request shapes), `responses` (result shapes),
`actions`, `pagination` (companions and shared buckets), `ordering` (dependency order of
shapes), `sections` (one spec -> one Section) and `marketplaces`.
"""

from __future__ import annotations

from ..errors import SourceRef, SpecError, SpecErrors
from ..load import LoadedSpec
from ..model import Api, Section
from ..validate import MARKETPLACES_FILE, MARKETPLACES_SCHEMA, SECTION_SCHEMA, schema_name
from .marketplaces import marketplaces_of
from .sections import build_section

__all__ = ["normalize"]


def _duplicate_paths(specs: list[LoadedSpec]) -> list[SpecError]:
    """Two sections may not share an endpoint path (one client each for the same endpoint)."""
    errors: list[SpecError] = []
    first: dict[str, LoadedSpec] = {}
    for spec in specs:
        path = spec.data["path"]
        if path in first:
            other = first[path]
            errors.append(
                SpecError(
                    spec.ref(("path",)),
                    f"path {path!r} is already the path of section {other.data['section']!r} "
                    f"in {other.file}",
                )
            )
        else:
            first[path] = spec
    return errors


def normalize(specs: list[LoadedSpec]) -> Api:
    """Build the model for every spec; raise SpecErrors listing every semantic problem."""
    marketplace_specs = [spec for spec in specs if schema_name(spec) == MARKETPLACES_SCHEMA]
    section_specs = [spec for spec in specs if schema_name(spec) == SECTION_SCHEMA]
    if len(marketplace_specs) != 1:
        where = (
            section_specs[0].ref(()) if section_specs else SourceRef(MARKETPLACES_FILE, 1, 1, "$")
        )
        raise SpecErrors(
            [SpecError(where, f"expected exactly one {MARKETPLACES_FILE} beside the section specs")]
        )
    marketplaces, errors = marketplaces_of(marketplace_specs[0])
    sections: list[Section] = []
    seen: dict[str, str] = {}
    errors.extend(_duplicate_paths(section_specs))
    for spec in section_specs:
        section, section_errors = build_section(spec)
        errors.extend(section_errors)
        if section is None:
            continue
        if section.module in seen:
            errors.append(
                SpecError(
                    spec.ref(("section",)),
                    f"section {section.name!r} is already defined in {seen[section.module]}",
                )
            )
            continue
        seen[section.module] = spec.file
        sections.append(section)
    if errors:
        raise SpecErrors(errors)
    return Api(
        tuple(sorted(sections, key=lambda section: section.name)),
        marketplaces,
        version=marketplace_specs[0].data["package_version"],
    )
