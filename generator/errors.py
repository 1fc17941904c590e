"""Located spec errors, shared by every stage that reads a spec."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True, order=True)
class SourceRef:
    """Where something sits in a spec: file, 1-based line and column, and JSON path."""

    file: str
    line: int
    column: int
    json_path: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}: {self.json_path}"


@dataclass(frozen=True, slots=True, order=True)
class SpecError:
    """One problem in a spec, reported as `file:line:column: $.path: message`."""

    where: SourceRef
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


class SpecErrors(Exception):
    """Every problem found in the specs; nothing is written when this is raised."""

    def __init__(self, errors: list[SpecError]) -> None:
        self.errors = sorted(errors)
        super().__init__("\n".join(str(error) for error in self.errors))


EXIT_BAD_INPUT, EXIT_IO = 2, 3


class ToolError(Exception):
    """A failure of the tool itself, shown to the user as one line: bad input (exit 2), or an
    I/O or template problem (exit 3)."""

    def __init__(self, message: str, exit_code: int = EXIT_BAD_INPUT) -> None:
        super().__init__(message)
        self.exit_code = exit_code
