"""Errors raised by mwskit clients. Messages never contain credentials or request bodies.

Every error pickles and copies as it is (`__reduce__` below), so it crosses a process pool.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "AccessDenied",
    "ConnectionFailed",
    "ContentMD5Mismatch",
    "InputStreamDisconnected",
    "InternalError",
    "InvalidAccessKeyId",
    "InvalidAddress",
    "InvalidClientTokenId",
    "InvalidParameterValue",
    "InvalidRequest",
    "MWSError",
    "MissingCredentials",
    "MissingParameter",
    "OutcomeUnknown",
    "ProtocolError",
    "QuotaExceeded",
    "ReportCancelled",
    "RequestExpired",
    "RequestThrottled",
    "RequestTimeout",
    "ResponseParseError",
    "ServerError",
    "ServiceUnavailable",
    "SignatureDoesNotMatch",
    "ThrottleStoreError",
    "ThrottleWouldWait",
    "ThrottledError",
    "TransportError",
    "WorkflowTimeout",
    "error_class_for",
]


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
        head = self.code or type(self).__name__
        suffix = f" ({', '.join(context)})" if context else ""
        return f"{head}: {self.message}{suffix}"

    def __reduce__(self) -> tuple[Any, ...]:
        # Exception's own reduction calls cls(*args): args hold the described text, so the
        # text would be described again (doubled), and classes with other required arguments
        # (ThrottleWouldWait's retry_after) could not be rebuilt at all.
        return (_restore, (type(self), self.args, self.__dict__.copy()))


def _restore(cls: type[MWSError], args: tuple[Any, ...], state: dict[str, Any]) -> MWSError:
    """An MWSError as it was pickled or copied: its args and attributes, no __init__ run."""
    error = cls.__new__(cls)
    error.args = args
    error.__dict__.update(state)
    return error


class ThrottledError(MWSError):
    """The service refused the request for its rate (`RequestThrottled`) or hourly quota."""


class RequestThrottled(ThrottledError):
    """HTTP 503: the request rate exceeded the restore rate of the action's bucket."""


class QuotaExceeded(ThrottledError):
    """HTTP 503: the hourly request quota of the action is used up."""


class ServerError(MWSError):
    """The service failed on its side; trying again later may succeed."""


class InternalError(ServerError):
    """HTTP 500: an internal service failure."""


class ServiceUnavailable(ServerError):
    """HTTP 503: the service is temporarily unavailable."""


class InputStreamDisconnected(MWSError):
    """HTTP 400: the service could not read the request body."""


class InvalidParameterValue(MWSError):
    """HTTP 400: a parameter value is invalid, the request is too large, or it expired."""


class MissingParameter(MWSError):
    """HTTP 400: a required parameter is missing."""


class InvalidRequest(MWSError):
    """HTTP 400: the request is not valid for this action."""


class RequestExpired(MWSError):
    """HTTP 400: the request's Timestamp is too far from the service's clock (or it Expired)."""


class AccessDenied(MWSError):
    """HTTP 401: the credentials may not call this action for this seller."""


class InvalidAccessKeyId(MWSError):
    """HTTP 403: the AWSAccessKeyId is unknown."""


class InvalidClientTokenId(MWSError):
    """HTTP 403: the AWSAccessKeyId is not registered for MWS."""


class SignatureDoesNotMatch(MWSError):
    """HTTP 403: the signature differs from the one the service computed."""


class InvalidAddress(MWSError):
    """HTTP 404: the section, path or action does not exist."""


class ThrottleWouldWait(MWSError):
    """throttle="raise": the call would have to wait for its bucket; nothing was sent.

    `retry_after` is how many seconds the bucket needs.
    """

    def __init__(self, message: str, *, retry_after: float) -> None:
        self.retry_after = retry_after
        super().__init__(message, code="ThrottleWouldWait")


class ThrottleStoreError(MWSError):
    """The shared throttle store (Redis) could not be reached in time or failed, and its
    `on_store_error` policy is "raise"; nothing was sent."""


class OutcomeUnknown(MWSError):
    """A call that is unsafe to repeat failed after its request may have reached the service.

    mwskit does not send it again, because the service may have acted on it (a feed submitted
    twice, a report requested twice). Check with the matching list action before retrying.
    """


class MissingCredentials(MWSError):
    """No access key, secret key or seller id was given or found (the message names every place
    looked), or a profile asked for by name does not exist. Nothing was sent."""


class WorkflowTimeout(MWSError):
    """A report or feed was not done within the workflow's timeout (it may still finish)."""


class ReportCancelled(MWSError):
    """The report request or feed submission was cancelled before it finished."""


class ContentMD5Mismatch(MWSError):
    """A document does not match its MD5.

    Raised for a download whose body differs from its `Content-MD5` header, and for the
    service's `ContentMD5DoesNotMatch` answer to a feed whose body differs from ContentMD5Value.
    """


class ResponseParseError(MWSError):
    """The response body is not usable (malformed XML, an undecodable encoding) or was refused
    by a limit: more bytes, decoded bytes or XML elements than the client allows."""


class TransportError(MWSError):
    """The request or its answer did not travel: raised once the retries are used up.

    `maybe_sent` is False when the failure came before any byte of the request left (safe to
    send again), True when the service may have received it. `__cause__` is the httpx
    exception of the same kind, with its message only: the request it carried (URL, body,
    signature, MWSAuthToken) and its traceback are dropped.
    """

    def __init__(self, message: str, *, maybe_sent: bool = True) -> None:
        self.maybe_sent = maybe_sent
        super().__init__(message)


class ConnectionFailed(TransportError):
    """No connection could be made, or it broke (refused, reset, DNS failure, TLS failure)."""


class RequestTimeout(TransportError):
    """A connect, read, write or pool timeout passed, or the attempt took longer than the
    client's `attempt_timeout`. Not the builtin TimeoutError (nor a subclass of it)."""


class ProtocolError(TransportError):
    """The server broke HTTP: it closed without an answer, or sent something not HTTP."""


_ERROR_CLASSES: dict[str, type[MWSError]] = {
    cls.__name__: cls
    for cls in (
        RequestThrottled,
        QuotaExceeded,
        InternalError,
        ServiceUnavailable,
        InputStreamDisconnected,
        InvalidParameterValue,
        MissingParameter,
        InvalidRequest,
        RequestExpired,
        AccessDenied,
        InvalidAccessKeyId,
        InvalidClientTokenId,
        SignatureDoesNotMatch,
        InvalidAddress,
    )
}
# The feeds section names its MD5 error after the parameter; both mean the same thing.
_ERROR_CLASSES["ContentMD5DoesNotMatch"] = ContentMD5Mismatch


def error_class_for(code: str | None) -> type[MWSError]:
    """The exception class for an MWS error code (MWSError for codes without their own)."""
    return _ERROR_CLASSES.get(code or "", MWSError)

