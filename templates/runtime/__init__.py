"""The handwritten runtime shared by every generated mwskit client.

Generated modules reach it only through the names exported here.
"""

from .client import AsyncSession, ClientConfig, SyncSession
from .descriptors import (
    BodySpec,
    Constraint,
    Operation,
    Param,
    SectionSpec,
    ShapeSpec,
    ThrottlingSpec,
)
from .errors import ContentMD5Mismatch, MWSError, ResponseParseError, ThrottledError
from .response import MWSResponse

__all__ = [
    "AsyncSession",
    "BodySpec",
    "ClientConfig",
    "Constraint",
    "ContentMD5Mismatch",
    "MWSError",
    "MWSResponse",
    "Operation",
    "Param",
    "ResponseParseError",
    "SectionSpec",
    "ShapeSpec",
    "SyncSession",
    "ThrottledError",
    "ThrottlingSpec",
]
