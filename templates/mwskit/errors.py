"""Every exception mwskit raises: `MWSError` and one subclass per documented MWS error code.

try:
    mws.orders.get_order(amazon_order_id=["902-3159896-1390916"])
except mwskit.errors.RequestThrottled:
    ...

A section's own error codes (Amazon Pay's DuplicateReferenceId, ...) are classes of that
section, re-exported here: `mwskit.errors.DuplicateReferenceId` is
`mwskit.off_amazon_payments.DuplicateReferenceId` (it loads that section on first access).
"""

from typing import TYPE_CHECKING

from . import _section_errors
from ._runtime.errors import *  # noqa: F403
from ._runtime.errors import __all__ as _runtime_all
from ._section_errors import __all__ as _section_all

if TYPE_CHECKING:
    from ._section_errors import *  # noqa: F403

__all__ = [*_runtime_all, *_section_all]


# Hidden from type checkers, which see every name imported above and flag any other.
if not TYPE_CHECKING:

    def __getattr__(name: str) -> object:
        if name not in _section_all:
            raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
        value: object = getattr(_section_errors, name)
        globals()[name] = value
        return value

    def __dir__() -> list[str]:
        return sorted({*globals(), *__all__})
