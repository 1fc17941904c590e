"""A section's own error codes: one MWSError subclass each, unless the runtime has the class."""

from __future__ import annotations

from ..model import ErrorCode
from ..python.runtime_symbols import RUNTIME_ERROR_CODES
from .context import SpecContext, notes


def error_base(section: str) -> str:
    """The class every generated error class of the section derives from."""
    return f"{section}Error"


def build_error_codes(ctx: SpecContext, taken: dict[str, str]) -> tuple[ErrorCode, ...]:
    """The section's error codes by code; `taken`: other generated class names -> what they are."""
    codes: list[ErrorCode] = []
    base = error_base(ctx.data["section"])
    for code, data in sorted(ctx.data.get("errors", {}).items()):
        clash = taken.get(code) or ("the section's error base class" if code == base else None)
        if clash is not None:
            ctx.error(
                ("errors", code),
                f"error code {code!r} would be a class of the same name as {clash}",
                at_key=True,
            )
            continue
        codes.append(
            ErrorCode(
                code=code,
                http_status=data.get("http_status"),
                description=data["description"],
                notes=notes(data),
                in_runtime=code in RUNTIME_ERROR_CODES,
            )
        )
    return tuple(codes)
