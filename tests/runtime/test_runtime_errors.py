"""MWS error responses: one class per documented code, and non-XML or malformed bodies."""

from __future__ import annotations

import pytest
from runtime_helpers.answers import (
    HTML_503,
    _libxml_message,
    answering,
    catch,
    error_body,
    feed_list,
    list_orders,
)

import mwskit
from mwskit import MWSError, ResponseParseError, ThrottledError, errors

# --- MWS errors: one class per documented code ------------------------------------------

DOCUMENTED_CODES = [
    ("InputStreamDisconnected", errors.InputStreamDisconnected, 400, MWSError),
    ("InvalidParameterValue", errors.InvalidParameterValue, 400, MWSError),
    ("MissingParameter", errors.MissingParameter, 400, MWSError),
    ("InvalidRequest", errors.InvalidRequest, 400, MWSError),
    ("RequestExpired", errors.RequestExpired, 400, MWSError),
    ("ContentMD5DoesNotMatch", errors.ContentMD5Mismatch, 400, MWSError),
    ("AccessDenied", errors.AccessDenied, 401, MWSError),
    ("InvalidAccessKeyId", errors.InvalidAccessKeyId, 403, MWSError),
    ("InvalidClientTokenId", errors.InvalidClientTokenId, 403, MWSError),
    ("SignatureDoesNotMatch", errors.SignatureDoesNotMatch, 403, MWSError),
    ("InvalidAddress", errors.InvalidAddress, 404, MWSError),
    ("InternalError", errors.InternalError, 500, errors.ServerError),
    ("QuotaExceeded", errors.QuotaExceeded, 503, ThrottledError),
    ("RequestThrottled", errors.RequestThrottled, 503, ThrottledError),
    ("ServiceUnavailable", errors.ServiceUnavailable, 503, errors.ServerError),
]


@pytest.mark.parametrize("request_id_tag", ["RequestId", "RequestID"])
@pytest.mark.parametrize(
    ("code", "cls", "status", "family"),
    DOCUMENTED_CODES,
    ids=[code for code, *_ in DOCUMENTED_CODES],
)
def test_documented_code_raises_its_own_class(
    code: str, cls: type[MWSError], status: int, family: type[MWSError], request_id_tag: str
) -> None:
    request_id = f"rid-{code.lower()}"
    body = error_body(code, f"Explaining {code} in our words", request_id_tag, request_id)
    error = catch(
        MWSError, lambda: list_orders(answering(status, body, {"x-mws-request-id": "hdr"})())
    )
    assert type(error) is cls
    assert isinstance(error, family)
    assert isinstance(error, MWSError)
    assert error.code == code
    assert error.message == f"Explaining {code} in our words"
    assert error.error_type == "Sender"
    assert error.request_id == request_id  # the body's id wins over the header's
    assert error.status_code == status
    assert error.detail is None
    assert str(error) == (
        f"{code}: Explaining {code} in our words (HTTP {status}, request id {request_id})"
    )
    assert errors.error_class_for(code) is cls


def test_error_classes_are_exported_once() -> None:
    assert issubclass(errors.RequestThrottled, ThrottledError)
    assert issubclass(ThrottledError, MWSError)
    assert mwskit.ThrottledError is errors.ThrottledError
    assert mwskit.MWSError is errors.MWSError
    assert mwskit.ResponseParseError is errors.ResponseParseError
    assert mwskit.ContentMD5Mismatch is errors.ContentMD5Mismatch
    for _code, cls, _, _ in DOCUMENTED_CODES:
        assert getattr(errors, cls.__name__) is cls
        assert cls.__name__ in errors.__all__
    assert errors.error_class_for(None) is MWSError
    assert errors.error_class_for("") is MWSError


@pytest.mark.parametrize("code", ["InvalidGizmoId", "SomethingBrandNew", "requestthrottled"])
def test_unknown_code_is_a_plain_mws_error(code: str) -> None:
    body = error_body(code, "Not one of ours", "RequestID", "rid-unknown")
    error = catch(MWSError, lambda: feed_list(answering(400, body)()))
    assert type(error) is MWSError
    assert error.code == code
    assert error.error_type == "Sender"
    assert error.status_code == 400
    assert str(error) == f"{code}: Not one of ours (HTTP 400, request id rid-unknown)"


def test_error_details_from_the_documented_example_layout() -> None:
    body = b"""<?xml version="1.0"?>
<ErrorResponse xmlns="http://mws.amazonservices.com/doc/2009-01-01/">
    <Error>
        <Type>Sender</Type>
        <Code>InvalidClientTokenId</Code>
        <Message> This access key is not known to us. </Message>
        <Detail>com.example.Detail@1a2b3c</Detail>
    </Error>
    <RequestID>0f0e0d0c-token-example</RequestID>
</ErrorResponse>"""
    error = catch(errors.InvalidClientTokenId, lambda: feed_list(answering(403, body)()))
    assert error.message == " This access key is not known to us. "
    assert error.detail == "com.example.Detail@1a2b3c"
    assert error.request_id == "0f0e0d0c-token-example"
    assert error.status_code == 403


def test_error_without_request_id_uses_the_header() -> None:
    body = b"<ErrorResponse><Error><Code>InternalError</Code><Message>Oops</Message></Error></ErrorResponse>"
    error = catch(
        errors.InternalError,
        lambda: feed_list(answering(500, body, {"x-mws-request-id": "hdr-7"})()),
    )
    assert error.request_id == "hdr-7"
    assert error.error_type is None
    assert str(error) == "InternalError: Oops (HTTP 500, request id hdr-7)"


def test_error_response_without_error_element() -> None:
    error = catch(
        MWSError,
        lambda: feed_list(
            answering(500, b"<ErrorResponse><RequestId>r</RequestId></ErrorResponse>")()
        ),
    )
    assert type(error) is MWSError
    assert error.code is None
    assert str(error) == "MWSError: ErrorResponse without an Error element (HTTP 500, request id r)"


def test_error_response_with_status_200_still_raises() -> None:
    body = error_body("InvalidParameterValue", "Bad MarketplaceId", "RequestId", "r200")
    error = catch(errors.InvalidParameterValue, lambda: list_orders(answering(200, body)()))
    assert error.status_code == 200
    assert str(error) == "InvalidParameterValue: Bad MarketplaceId (HTTP 200, request id r200)"


# --- Non-XML and malformed error bodies ---------------------------------------------------


def test_html_error_body_becomes_mws_error_with_truncated_body() -> None:
    assert len(HTML_503) > 200
    error = catch(
        MWSError, lambda: list_orders(answering(503, HTML_503, {"x-mws-request-id": "h1"})())
    )
    assert type(error) is MWSError
    assert error.code is None
    assert error.error_type is None
    assert error.status_code == 503
    assert error.request_id == "h1"
    shown = HTML_503[:200].decode() + "..."
    assert error.message == f"unexpected non-XML error body: {shown!r}"
    assert str(error) == (
        f"MWSError: unexpected non-XML error body: {shown!r} (HTTP 503, request id h1)"
    )
    assert HTML_503[200:].decode() not in str(error)


@pytest.mark.parametrize(
    ("status", "body", "message"),
    [
        (502, b"Bad Gateway", "unexpected non-XML error body: 'Bad Gateway'"),
        (500, b"", "unexpected non-XML error body: ''"),
        (
            400,
            b"<ErrorResponse><Error><Code>Throttled",
            "unexpected non-XML error body: '<ErrorResponse><Error><Code>Throttled'",
        ),
        (
            403,
            b"\xff\xfe broken \xc3",
            "unexpected non-XML error body: '\ufffd\ufffd broken \ufffd'",
        ),
        (
            500,
            b"<html><body>down</body></html>",
            "unexpected error body <html>: '<html><body>down</body></html>'",
        ),
    ],
    ids=["text", "empty", "truncated xml", "invalid utf-8", "other xml"],
)
def test_unusable_error_body_gives_mws_error_with_status(
    status: int, body: bytes, message: str
) -> None:
    error = catch(MWSError, lambda: feed_list(answering(status, body)()))
    assert type(error) is MWSError
    assert error.code is None
    assert error.status_code == status
    assert error.message == message
    assert str(error) == f"MWSError: {message} (HTTP {status})"


def test_long_garbage_error_body_is_truncated_to_200_characters() -> None:
    body = b"x" * 5000
    error = catch(MWSError, lambda: feed_list(answering(500, body)()))
    assert error.message == f"unexpected non-XML error body: {'x' * 200 + '...'!r}"


@pytest.mark.parametrize(
    "body",
    [b"<ListOrdersResponse><ListOrdersResult>", b"", b"not xml at all", b"<a></b>"],
    ids=["unterminated", "empty", "text", "mismatched"],
)
def test_malformed_xml_200_is_a_response_parse_error(body: bytes) -> None:
    error = catch(ResponseParseError, lambda: list_orders(answering(200, body)()))
    assert isinstance(error, MWSError)
    assert error.status_code == 200
    assert error.code is None
    expected = f"the response is not well-formed XML ({_libxml_message(body)}): {body.decode()!r}"
    assert error.message == expected
    assert str(error) == f"ResponseParseError: {expected} (HTTP 200)"
