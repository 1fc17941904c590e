"""Every exception mwskit raises: `MWSError` and one subclass per documented MWS error code.

try:
    mws.orders.get_order(amazon_order_id=["902-3159896-1390916"])
except mwskit.errors.RequestThrottled:
    ...

A section's own error codes (Amazon Pay's DuplicateReferenceId, ...) are classes of that
section, re-exported here: `mwskit.errors.DuplicateReferenceId` is
`mwskit.off_amazon_payments.DuplicateReferenceId`.
"""

from ._runtime.errors import *  # noqa: F403
from ._runtime.errors import __all__ as _runtime_all
from ._section_errors import *  # noqa: F403
from ._section_errors import __all__ as _section_all

__all__ = [*_runtime_all, *_section_all]
