"""Stage 2: check each spec against the JSON Schema contract, every error located."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError, best_match

from .errors import SpecError
from .load import LoadedSpec


MARKETPLACES_FILE = "marketplaces.yaml"


def schema_name(spec: LoadedSpec) -> str:
    """Section specs follow spec.schema.json; specs/marketplaces.yaml has its own contract."""
    if spec.file.rsplit("/", 1)[-1] == MARKETPLACES_FILE:
        return "marketplaces.schema.json"
    return "spec.schema.json"


@cache
def schema(name: str = "spec.schema.json") -> dict[str, Any]:
    text = resources.files("generator").joinpath(name).read_text(encoding="utf-8")
    loaded: dict[str, Any] = json.loads(text)
    return loaded


@cache
def _validator(name: str) -> Draft202012Validator:
    Draft202012Validator.check_schema(schema(name))
    return Draft202012Validator(schema(name))


def _most_specific(error: ValidationError) -> ValidationError:
    """For oneOf/anyOf failures, report the branch that came closest rather than all of them."""
    return best_match([error]) if error.context else error


def _errors_for(spec: LoadedSpec, error: ValidationError) -> list[SpecError]:
    error = _most_specific(error)
    path = tuple(error.absolute_path)
    if "propertyNames" in error.schema_path and isinstance(error.instance, str):
        return [SpecError(spec.ref((*path, error.instance), at_key=True), error.message)]
    if error.validator == "additionalProperties" and isinstance(error.instance, dict):
        allowed = sorted(error.schema.get("properties", {}))
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
