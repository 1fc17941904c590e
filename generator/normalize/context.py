"""What every normalizing step of one spec shares: the spec and the errors found so far."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..errors import SourceRef, SpecError
from ..load import JsonPath, LoadedSpec
from ..model import DOCS_ROOT


@dataclass
class SpecContext:
    """One spec being normalized; semantic errors are collected here, all of them."""

    spec: LoadedSpec
    errors: list[SpecError] = field(default_factory=list)

    @property
    def data(self) -> dict[str, Any]:
        data: dict[str, Any] = self.spec.data
        return data

    def ref(self, path: JsonPath, *, at_key: bool = False) -> SourceRef:
        return self.spec.ref(path, at_key=at_key)

    def error(self, path: JsonPath, message: str, *, at_key: bool = False) -> None:
        where = self.ref(path, at_key=at_key)
        if where.file != self.spec.file:  # in a definition the section includes
            message = f"{message} (included by {self.spec.file})"
        self.errors.append(SpecError(where, message))


def notes(data: dict[str, Any]) -> tuple[str, ...]:
    return tuple(data.get("notes", ()))


def docs_url(page: str | None) -> str | None:
    return DOCS_ROOT + page if page else None
