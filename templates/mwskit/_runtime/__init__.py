"""The handwritten runtime shared by every generated mwskit client.

Generated modules reach it only through the names exported here.
"""

from .calls import Event, RetryPolicy
from .client import AsyncSession, ClientConfig, SyncSession
from .throttle import SYSTEM_TIMER, Timer
from .descriptors import (
    BodySpec,
    Constraint,
    Operation,
    Param,
    SectionSpec,
    ShapeSpec,
    ThrottlingSpec,
)
from .errors import (
    ContentMD5Mismatch,
    MWSError,
    OutcomeUnknown,
    ResponseParseError,
    ThrottledError,
    ThrottleWouldWait,
)
from .documents import EncodingProblem, PreflightReport
from .response import Document
from .results import ATTRIBUTE, SAME_SHAPE, TEXT, MWSResult, ResultField, ResultShapeSpec

__all__ = [
    "EncodingProblem",
    "PreflightReport",
    "Event",
    "OutcomeUnknown",
    "RetryPolicy",
    "SYSTEM_TIMER",
    "ThrottleWouldWait",
    "Timer",
    "ATTRIBUTE",
    "Document",
    "ResultField",
    "ResultShapeSpec",
    "SAME_SHAPE",
    "TEXT",
    "AsyncSession",
    "BodySpec",
    "ClientConfig",
    "Constraint",
    "ContentMD5Mismatch",
    "MWSError",
    "MWSResult",
    "Operation",
    "Param",
    "ResponseParseError",
    "SectionSpec",
    "ShapeSpec",
    "SyncSession",
    "ThrottledError",
    "ThrottlingSpec",
]
