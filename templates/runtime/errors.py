"""Errors raised by mwskit clients. Messages never contain credentials or request bodies."""

from __future__ import annotations


class MWSError(Exception):
    """An error answered by MWS (or a response mwskit could not use).

    `code`, `message` and `error_type` come from the `ErrorResponse` XML when there is one.
    """

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        error_type: str | None = None,
        request_id: str | None = None,
        status_code: int | None = None,
        detail: str | None = None,
    ) -> None:
        self.code = code
        self.message = message
        self.error_type = error_type
        self.request_id = request_id
        self.status_code = status_code
        self.detail = detail
        super().__init__(self._describe())

    def _describe(self) -> str:
        context = []
        if self.status_code is not None:
            context.append(f"HTTP {self.status_code}")
        if self.request_id:
            context.append(f"request id {self.request_id}")
        head = self.code or "MWSError"
        suffix = f" ({', '.join(context)})" if context else ""
        return f"{head}: {self.message}{suffix}"


class ThrottledError(MWSError):
    """MWS answered `RequestThrottled`: the request rate exceeded the restore rate."""


class ContentMD5Mismatch(MWSError):
    """A downloaded document does not match the MD5 the service sent with it."""


class ResponseParseError(MWSError):
    """The response body is not usable XML (malformed, or refused as hostile)."""


_ERROR_CLASSES: dict[str, type[MWSError]] = {"RequestThrottled": ThrottledError}


def error_class_for(code: str | None) -> type[MWSError]:
    """The exception class for an MWS error code (MWSError for codes without their own)."""
    return _ERROR_CLASSES.get(code or "", MWSError)
