"""Section error codes raise their own MWSError subclasses, importable from their section and
from mwskit.errors: FeedProcessingResultNotReady from the sandbox, the inbound shipment codes."""

from __future__ import annotations

import httpx
import pytest

import mwskit
import mwskit.errors
from mwskit.feeds import FeedProcessingResultNotReady
from mwskit.fulfillment_inbound_shipment import FulfillmentInboundShipmentError, UnknownShipmentId


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
    assert mwskit.feeds.FeedProcessingResultNotReady is FeedProcessingResultNotReady


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
    assert isinstance(caught.value, FulfillmentInboundShipmentError)
    assert "UnknownShipmentId" in mwskit.errors.__all__


def test_a_section_code_answered_by_another_section_stays_a_plain_mws_error() -> None:
    """Codes belong to their section: the same code from Orders is not the inbound class."""
    body = (
        b'<ErrorResponse xmlns="https://mws.amazonservices.com/Orders/2013-09-01">'
        b"<Error><Type>Sender</Type><Code>UnknownShipmentId</Code><Message>No such shipment"
        b"</Message></Error><RequestId>rid-2</RequestId></ErrorResponse>"
    )
    transport = httpx.MockTransport(lambda request: httpx.Response(400, content=body))
    with mwskit.MWS(access_key="AK", secret_key="SK", seller_id="S", transport=transport) as mws:
        with pytest.raises(mwskit.MWSError) as caught:
            mws.orders.get_order(amazon_order_id=["902-3159896-1390916"])
    assert type(caught.value) is mwskit.MWSError
    assert caught.value.code == "UnknownShipmentId"
