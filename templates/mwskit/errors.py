"""Every exception mwskit raises: `MWSError` and one subclass per documented MWS error code.

try:
    mws.orders.get_order(amazon_order_id=["902-3159896-1390916"])
except mwskit.errors.RequestThrottled:
    ...
"""

from ._runtime.errors import *  # noqa: F403
from ._runtime.errors import __all__ as __all__
