"""Request checks of the sandbox over HTTP: signatures, timestamps, paths, parameters, MD5."""

from __future__ import annotations

import base64
import hashlib
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from sandbox_helpers import AK, CREDS, FEEDS, SELLER, SK, error_of, feeds, make_client, signed_post

from mwskit import errors
from mwskit._runtime.encoding import format_datetime
from mwskit._runtime.results import MWSResult
from mwskit.feeds import _operations as feeds_ops
from mwskit.sandbox import Sandbox, SandboxServer, start
from mwskit.signing import canonical_query, sign

# ---------------------------------------------------------------- signatures and time


@pytest.mark.parametrize("method", ["HmacSHA256", "HmacSHA1"])
def test_both_signature_methods_are_accepted(server: SandboxServer, method: str) -> None:
    with make_client(server.url, signature_method=method) as client:
        result = client.orders.get_service_status()
    assert isinstance(result, MWSResult)
    assert result.request_id is not None and len(result.request_id) == 36
    assert result.server_time is not None


def test_wrong_secret_is_refused(server: SandboxServer) -> None:
    with make_client(server.url, secret_key="not-the-secret") as client:
        with pytest.raises(errors.SignatureDoesNotMatch) as caught:
            client.orders.get_service_status()
    assert caught.value.status_code == 403
    assert caught.value.code == "SignatureDoesNotMatch"
    assert caught.value.message == (
        "The request signature we calculated does not match the signature you provided. "
        "Check your AWS Secret Access Key and signing method. Consult the service "
        "documentation for details."
    )


def test_unknown_access_key_is_refused(server: SandboxServer) -> None:
    with make_client(server.url, access_key="AKUNKNOWN") as client:
        with pytest.raises(errors.InvalidAccessKeyId) as caught:
            client.orders.get_service_status()
    assert (caught.value.status_code, caught.value.message) == (
        403,
        "The AWS Access Key Id you provided does not exist in our records.",
    )


def test_second_key_pair_is_accepted(server: SandboxServer) -> None:
    with make_client(server.url, access_key="AKOTHER", secret_key="other-secret") as client:
        assert isinstance(client.sellers.get_service_status(), MWSResult)


def test_tampered_parameter_is_refused(server: SandboxServer) -> None:
    params = feeds(
        {"Action": "GetFeedSubmissionCount", "FeedTypeList.Type.1": "_POST_PRODUCT_DATA_"}
    )
    assert signed_post(server.url, FEEDS, params).status_code == 200
    tampered = signed_post(
        server.url,
        FEEDS,
        params,
        tamper=("FeedTypeList.Type.1", "_POST_INVENTORY_AVAILABILITY_DATA_"),
    )
    assert error_of(tampered)[:3] == (403, "Sender", "SignatureDoesNotMatch")


def test_hand_signed_sha1_request_is_accepted(server: SandboxServer) -> None:
    response = signed_post(
        server.url, FEEDS, feeds({"Action": "GetFeedSubmissionCount"}), method="HmacSHA1"
    )
    assert response.status_code == 200
    assert response.headers["x-mws-request-id"]


def test_old_timestamp_is_refused(server: SandboxServer) -> None:
    # Hand-signed: the client corrects its clock from x-mws-timestamp when it sees RequestExpired.
    then = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=16)
    response = signed_post(server.url, FEEDS, feeds({"Action": "GetFeedSubmissionCount"}), now=then)
    assert error_of(response) == (
        400,
        "Sender",
        "RequestExpired",
        f"Request has expired. Timestamp date is {format_datetime(then)}.",
    )
    assert abs(
        datetime.fromisoformat(response.headers["x-mws-timestamp"]) - datetime.now(UTC)
    ) < timedelta(seconds=5)


def test_timestamp_in_the_future_is_refused(server: SandboxServer) -> None:
    later = datetime.now(UTC) + timedelta(minutes=16)
    response = signed_post(
        server.url, FEEDS, feeds({"Action": "GetFeedSubmissionCount"}), now=later
    )
    assert error_of(response)[2] == "RequestExpired"
    within = datetime.now(UTC) + timedelta(minutes=14)
    response = signed_post(
        server.url, FEEDS, feeds({"Action": "GetFeedSubmissionCount"}), now=within
    )
    assert response.status_code == 200


def test_expires_is_checked(server: SandboxServer) -> None:
    past = datetime.now(UTC).replace(microsecond=0) - timedelta(seconds=5)
    params = feeds({"Action": "GetFeedSubmissionCount", "Expires": format_datetime(past)})
    response = signed_post(server.url, FEEDS, params, time_name="Expires")
    assert error_of(response) == (
        400,
        "Sender",
        "RequestExpired",
        f"Request has expired. Expires date is {format_datetime(past)}.",
    )
    with make_client(server.url, expires_in=timedelta(minutes=5)) as client:
        assert isinstance(client.orders.get_service_status(), MWSResult)
    both = signed_post(server.url, FEEDS, {**params, "Timestamp": format_datetime(past)})
    assert error_of(both) == (
        400,
        "Sender",
        "InvalidParameterValue",
        "Request cannot contain both Timestamp and Expires.",
    )


# ---------------------------------------------------------------- paths and parameters


@pytest.mark.parametrize(
    ("path", "params", "expected"),
    [
        (
            "/Nowhere/2009-01-01",
            feeds({"Action": "GetFeedSubmissionCount"}),
            (
                404,
                "Sender",
                "InvalidAddress",
                "The path /Nowhere/2009-01-01 is not a valid MWS path.",
            ),
        ),
        (
            FEEDS,
            feeds({"Action": "ListOrders"}),
            (
                404,
                "Sender",
                "InvalidAddress",
                "The action ListOrders is not valid for the path /Feeds/2009-01-01.",
            ),
        ),
        (
            FEEDS,
            {"Action": "GetFeedSubmissionCount", "Version": "2013-09-01"},
            (
                400,
                "Sender",
                "InvalidParameterValue",
                "Value '2013-09-01' for parameter Version is invalid. It must be 2009-01-01.",
            ),
        ),
        (
            FEEDS,
            {"Action": "GetFeedSubmissionCount"},
            (400, "Sender", "MissingParameter", "The request must contain the parameter Version."),
        ),
        (
            FEEDS,
            feeds({"Action": "GetFeedSubmissionResult"}),
            (
                400,
                "Sender",
                "MissingParameter",
                "The request must contain the parameter FeedSubmissionId.",
            ),
        ),
        (
            FEEDS,
            feeds({"Action": "GetFeedSubmissionList", "MaxCount": "101"}),
            (
                400,
                "Sender",
                "InvalidParameterValue",
                "Value '101' for parameter MaxCount is invalid. It must be at most 100.",
            ),
        ),
        (
            FEEDS,
            feeds({"Action": "GetFeedSubmissionList", "MaxCount": "ten"}),
            (
                400,
                "Sender",
                "InvalidParameterValue",
                "Value 'ten' for parameter MaxCount is invalid. It must be an integer.",
            ),
        ),
        (
            FEEDS,
            feeds(
                {"Action": "GetFeedSubmissionList", "FeedProcessingStatusList.Status.1": "_LOST_"}
            ),
            (
                400,
                "Sender",
                "InvalidParameterValue",
                "Value '_LOST_' for parameter FeedProcessingStatusList.Status.1 is invalid. It must "
                "be one of: _AWAITING_ASYNCHRONOUS_REPLY_, _CANCELLED_, _DONE_, _IN_PROGRESS_, "
                "_IN_SAFETY_NET_, _SUBMITTED_, _UNCONFIRMED_.",
            ),
        ),
        (
            FEEDS,
            feeds({"Action": "GetFeedSubmissionList", "SubmittedFromDate": "yesterday"}),
            (
                400,
                "Sender",
                "InvalidParameterValue",
                "Value 'yesterday' for parameter SubmittedFromDate is invalid. It must be an ISO "
                "8601 date and time.",
            ),
        ),
        (
            FEEDS,
            feeds(
                {
                    "Action": "GetFeedSubmissionList",
                    **{f"FeedSubmissionIdList.Id.{n}": str(n) for n in range(1, 102)},
                }
            ),
            (
                400,
                "Sender",
                "InvalidParameterValue",
                "Parameter FeedSubmissionIdList.Id.N accepts at most 100 values; got 101.",
            ),
        ),
    ],
)
def test_request_checks(
    server: SandboxServer, path: str, params: dict[str, str], expected: tuple[int, str, str, str]
) -> None:
    assert error_of(signed_post(server.url, path, params)) == expected


def test_feed_status_values_match_the_spec() -> None:
    # The expected message above lists the spec's values: keep them in step.
    param = next(
        p for p in feeds_ops.GET_FEED_SUBMISSION_LIST.params if p.name == "FeedProcessingStatusList"
    )
    assert param.values is not None and len(param.values) == 7


def test_unknown_parameters_are_ignored_unless_strict() -> None:
    params = feeds({"Action": "GetFeedSubmissionCount", "Colour": "blue"})
    with start(Sandbox(CREDS, throttling=False)) as lenient:
        assert signed_post(lenient.url, FEEDS, params).status_code == 200
    with start(Sandbox(CREDS, throttling=False, strict=True)) as strict:
        assert error_of(signed_post(strict.url, FEEDS, params)) == (
            400,
            "Sender",
            "InvalidParameterValue",
            "Parameter Colour is not valid for the action GetFeedSubmissionCount.",
        )
        # Everything the client sends is known to the strict sandbox.
        with make_client(strict.url) as client:
            client.feeds.get_feed_submission_count(feed_type_list=["_POST_PRODUCT_DATA_"])


def test_missing_timestamp_and_seller(server: SandboxServer) -> None:
    response = signed_post(server.url, FEEDS, feeds({"Action": "GetFeedSubmissionCount"}))
    assert response.status_code == 200
    host = server.url.split("://", 1)[1]
    pairs = {
        "AWSAccessKeyId": AK,
        "Action": "GetFeedSubmissionCount",
        "SignatureMethod": "HmacSHA256",
        "SignatureVersion": "2",
        "Timestamp": format_datetime(datetime.now(UTC)),
        "Version": "2009-01-01",
    }
    query = canonical_query(pairs)
    pairs["Signature"] = sign(f"POST\n{host}\n{FEEDS}\n{query}", SK)
    response = httpx.post(
        server.url + FEEDS,
        content=canonical_query(pairs).encode(),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert error_of(response) == (
        400,
        "Sender",
        "MissingParameter",
        "The request must contain the parameter SellerId.",
    )


def test_content_md5_must_match_the_feed(server: SandboxServer) -> None:
    host = server.url.split("://", 1)[1]
    feed = b"<AmazonEnvelope/>"
    wrong = base64.b64encode(hashlib.md5(b"other").digest()).decode()
    pairs = {
        "AWSAccessKeyId": AK,
        "Action": "SubmitFeed",
        "ContentMD5Value": wrong,
        "FeedType": "_POST_PRODUCT_DATA_",
        "SellerId": SELLER,
        "SignatureMethod": "HmacSHA256",
        "SignatureVersion": "2",
        "Timestamp": format_datetime(datetime.now(UTC)),
        "Version": "2009-01-01",
    }
    query = canonical_query(pairs)
    signature = sign(f"POST\n{host}\n{FEEDS}\n{query}", SK)
    response = httpx.post(
        f"{server.url}{FEEDS}?{canonical_query({**pairs, 'Signature': signature})}",
        content=feed,
        headers={"Content-Type": "text/xml"},
    )
    actual = base64.b64encode(hashlib.md5(feed).digest()).decode()
    assert error_of(response) == (
        400,
        "Sender",
        "ContentMD5DoesNotMatch",
        f"the Content-MD5 HTTP header you passed for your feed ({wrong}) did not match the "
        f"Content-MD5 we calculated for your feed ({actual})",
    )
