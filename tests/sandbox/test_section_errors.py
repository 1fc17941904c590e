"""Section error codes raise their own MWSError subclasses, importable from their section and
from mwskit.errors: FeedProcessingResultNotReady from the sandbox, the inbound shipment codes."""

from __future__ import annotations

import httpx
import pytest

import mwskit
import mwskit.errors
from mwskit._runtime import register_error_codes
from mwskit.feeds import FeedProcessingResultNotReady
from mwskit.fulfillment_inbound_shipment import UnknownShipmentId


def test_a_feed_report_not_ready_raises_its_own_class(mws: mwskit.MWS) -> None:
    submitted = mws.feeds.submit_feed(feed_type="_POST_PRODUCT_DATA_", feed_content=b"<x/>")
    assert submitted.feed_submission_info is not None
    feed_id = submitted.feed_submission_info.feed_submission_id
    assert feed_id
    with pytest.raises(FeedProcessingResultNotReady) as caught:
        mws.feeds.get_feed_submission_result(feed_submission_id=feed_id)
    error = caught.value
    assert isinstance(error, mwskit.MWSError)
    assert error.code == "FeedProcessingResultNotReady"
    assert mwskit.errors.FeedProcessingResultNotReady is FeedProcessingResultNotReady
    assert mwskit.feeds.errors.FeedProcessingResultNotReady is FeedProcessingResultNotReady


def test_an_inbound_shipment_code_raises_its_own_class() -> None:
    body = (
        b'<ErrorResponse xmlns="http://mws.amazonaws.com/FulfillmentInboundShipment/2010-10-01/">'
        b"<Error><Type>Sender</Type><Code>UnknownShipmentId</Code><Message>No such shipment"
        b"</Message></Error><RequestId>rid-1</RequestId></ErrorResponse>"
    )
    transport = httpx.MockTransport(lambda request: httpx.Response(400, content=body))
    with mwskit.MWS(access_key="AK", secret_key="SK", seller_id="S", transport=transport) as mws:
        with pytest.raises(UnknownShipmentId) as caught:
            mws.fulfillment_inbound_shipment.list_inbound_shipment_items(shipment_id="FBA1")
    assert str(caught.value) == "UnknownShipmentId: No such shipment (HTTP 400, request id rid-1)"
    assert mwskit.errors.error_class_for("UnknownShipmentId") is UnknownShipmentId
    assert "UnknownShipmentId" in mwskit.errors.__all__


def test_a_code_cannot_be_mapped_twice() -> None:
    class InvalidRequest(mwskit.MWSError):
        pass

    with pytest.raises(RuntimeError) as caught:
        register_error_codes((InvalidRequest,))
    assert str(caught.value) == "error code InvalidRequest is mapped twice"
