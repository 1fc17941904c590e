"""Stage 2: check each spec against the JSON Schema contract, every error located."""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import cache
from importlib import resources
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError, best_match
from referencing import Registry, Resource

from .errors import SpecError
from .load import LoadedSpec

MARKETPLACES_FILE = "marketplaces.yaml"
SECTION_SCHEMA = "spec.schema.json"
MARKETPLACES_SCHEMA = "marketplaces.schema.json"
SHARED_SCHEMA = "shared.schema.json"


def is_shared_file(name: str) -> bool:
    """Spec files whose name starts with `_` (specs/_shared.yaml) hold shared definitions that
    sections include; they are not sections."""
    return name.rsplit("/", 1)[-1].startswith("_")


def schema_name(spec: LoadedSpec) -> str:
    """Section specs follow spec.schema.json; specs/marketplaces.yaml and the shared files
    (specs/_shared.yaml) have their own contracts."""
    if spec.file.rsplit("/", 1)[-1] == MARKETPLACES_FILE:
        return MARKETPLACES_SCHEMA
    if is_shared_file(spec.file):
        return SHARED_SCHEMA
    return SECTION_SCHEMA


@cache
def schema(name: str = SECTION_SCHEMA) -> dict[str, Any]:
    text = resources.files("generator").joinpath(name).read_text(encoding="utf-8")
    loaded: dict[str, Any] = json.loads(text)
    return loaded


@cache
def _registry() -> Registry[Any]:
    """Every schema by its $id, so shared.schema.json can refer into spec.schema.json."""
    names = (SECTION_SCHEMA, MARKETPLACES_SCHEMA, SHARED_SCHEMA)
    return Registry().with_resources(
        (schema(name)["$id"], Resource.from_contents(schema(name))) for name in names
    )


@cache
def _validator(name: str) -> Draft202012Validator:
    Draft202012Validator.check_schema(schema(name))
    return Draft202012Validator(schema(name), registry=_registry())


def _most_specific(error: ValidationError) -> ValidationError:
    """For oneOf/anyOf failures, report the branch that came closest rather than all of them."""
    return best_match([error]) if error.context else error


def _errors_for(spec: LoadedSpec, error: ValidationError) -> list[SpecError]:
    error = _most_specific(error)
    path = tuple(error.absolute_path)
    if "propertyNames" in error.schema_path and isinstance(error.instance, str):
        return [SpecError(spec.ref((*path, error.instance), at_key=True), error.message)]
    if error.validator == "additionalProperties" and isinstance(error.instance, dict):
        schema_part = error.schema if isinstance(error.schema, Mapping) else {}
        allowed = sorted(schema_part.get("properties", {}))
        known = set(allowed)
        return [
            SpecError(
                spec.ref((*path, str(key)), at_key=True),
                f"unknown key {key!r}; expected one of {allowed}",
            )
            for key in error.instance
            if key not in known
        ]
    if error.validator == "enum":
        return [
            SpecError(spec.ref(path), f"{error.instance!r} is not one of {error.validator_value}")
        ]
    return [SpecError(spec.ref(path), error.message)]


def validate_spec(spec: LoadedSpec) -> list[SpecError]:
    """All schema errors of one spec, in document order."""
    errors: list[SpecError] = []
    for error in _validator(schema_name(spec)).iter_errors(spec.data):
        errors.extend(_errors_for(spec, error))
    return sorted(set(errors))
