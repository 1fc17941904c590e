"""The handwritten runtime shared by every generated mwskit client.

Generated modules reach it only through the names exported here. The sessions (and with them
httpx) load when first asked for, which is when a client is made: `import mwskit` stays light.
"""

from typing import TYPE_CHECKING

from .credentials import resolve_credentials
from .dataclass_source import DEFAULT_FACTORY, source_dataclass
from .descriptors import (
    BodySpec,
    Constraint,
    Operation,
    Param,
    ReferenceIdSpec,
    ReferenceLookup,
    SectionSpec,
    ShapeSpec,
    ThrottlingSpec,
)
from .documents import EncodingProblem, PreflightReport
from .errors import (
    ContentMD5Mismatch,
    MissingCredentials,
    MWSError,
    OutcomeUnknown,
    ResponseParseError,
    ThrottledError,
    ThrottleStoreError,
    ThrottleWouldWait,
)
from .planner import QuotaPlan
from .policy import Event, RetryPolicy
from .redis_store import RedisThrottleStore
from .request import ClientConfig
from .response import Document
from .results import (
    ATTRIBUTE,
    NO_EXTRA,
    SAME_SHAPE,
    TEXT,
    MWSResult,
    ResultField,
    ResultShapeSpec,
    attribute_text,
    convert_text,
    enum_member,
    refuse_missing,
    tag_slot,
)
from .throttle import SYSTEM_TIMER, ThrottleStore, Timer
from .xml import local_tag

if TYPE_CHECKING:
    from .client import AsyncSession, SyncSession

__all__ = [
    "ATTRIBUTE",
    "DEFAULT_FACTORY",
    "NO_EXTRA",
    "SAME_SHAPE",
    "SYSTEM_TIMER",
    "TEXT",
    "AsyncSession",
    "BodySpec",
    "ClientConfig",
    "Constraint",
    "ContentMD5Mismatch",
    "Document",
    "EncodingProblem",
    "Event",
    "MWSError",
    "MWSResult",
    "MissingCredentials",
    "Operation",
    "OutcomeUnknown",
    "Param",
    "PreflightReport",
    "QuotaPlan",
    "RedisThrottleStore",
    "ReferenceIdSpec",
    "ReferenceLookup",
    "ResponseParseError",
    "ResultField",
    "ResultShapeSpec",
    "RetryPolicy",
    "SectionSpec",
    "ShapeSpec",
    "SyncSession",
    "ThrottleStore",
    "ThrottleStoreError",
    "ThrottleWouldWait",
    "ThrottledError",
    "ThrottlingSpec",
    "Timer",
    "attribute_text",
    "convert_text",
    "enum_member",
    "local_tag",
    "refuse_missing",
    "resolve_credentials",
    "source_dataclass",
    "tag_slot",
]


def __getattr__(name: str) -> object:
    if name in ("AsyncSession", "SyncSession"):
        from . import client

        return getattr(client, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
