"""The Amazon Pay API reference's documented example answers, read by the installed client.

The 17 sample responses printed beside the sample requests of tests/protocol/cases/
off_amazon_payments.yaml (mikejan-amazon/amazonpay, the Slate copy of the Amazon Pay API
reference, "Payment APIs" and "Subscription APIs"), written here as printed except for layout:
the docs break some `xmlns` values over two lines, joined here. Each answer goes through the
client's whole receive path (httpx.MockTransport) and its typed result is checked field by field.
Where the printed answer has a slip, the test says what the client does with it:
GetAuthorizationDetails prints percent-encoded times (refused: not a datetime), the Refund
sample names the amount RefundedAmount where RefundDetails has RefundAmount (not read),
GetBillingAgreementDetails puts ConstraintID directly in Constraints without its Constraint
element (not read), and the namespaces vary (http/https, `OffAmazonPayments_Sandbox` inside
it), which the client accepts.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import httpx
import pytest

import mwskit
from mwskit.off_amazon_payments.models import Price

NS = "https://mws.amazonservices.com/schema/OffAmazonPayments/2013-01-01"
NS_HTTP = "http://mws.amazonservices.com/schema/OffAmazonPayments/2013-01-01"
NS_SANDBOX = "https://mws.amazonservices.com/schema/OffAmazonPayments_Sandbox/2013-01-01"
NS_SANDBOX_HTTP = "http://mws.amazonservices.com/schema/OffAmazonPayments_Sandbox/2013-01-01"
SENT: dict[str, Any] = {
    "amount": Decimal("1"),
    "currency_code": "USD",
}  # what is sent is not checked here


def answered(method: str, xml: str, **arguments: Any) -> Any:
    """The typed result of `method` when the service answers `xml`."""
    requests: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        requests.append(request)
        return httpx.Response(200, content=xml.encode(), headers={"Content-Type": "text/xml"})

    with mwskit.MWS(
        access_key="AKEXAMPLE",
        secret_key="example-secret",
        seller_id="YOUR_SELLER_ID_HERE",
        transport=httpx.MockTransport(handler),
        throttle="off",
        retries=mwskit.RetryPolicy(max_attempts=1),
    ) as mws:
        result = getattr(mws.off_amazon_payments, method)(**arguments)
    assert len(requests) == 1
    return result


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def usd(amount: str) -> Price:
    return Price(amount=Decimal(amount), currency_code="USD")


def metadata(request_id: str) -> str:
    return f"<ResponseMetadata><RequestId>{request_id}</RequestId></ResponseMetadata>"


# ------------------------------------------------------------------ answers without a result


@pytest.mark.parametrize(
    ("method", "namespace", "request_id", "arguments"),
    [
        (
            "cancel_order_reference",
            NS,
            "5f20169b-7ab2-11df-bcef-d35615e2b044",
            {"amazon_order_reference_id": "P01-1234567-1234567"},
        ),
        (
            "close_order_reference",
            NS_HTTP,
            "5f20169b-7ab2-11df-bcef-d35615e2b044",
            {"amazon_order_reference_id": "P01-1234567-1234567"},
        ),
        (
            "confirm_order_reference",
            NS,
            "f42df4b1-8047-11df-8d5c-bf56a38ef3b4",
            {"amazon_order_reference_id": "P01-1234567-1234567"},
        ),
        (
            "close_authorization",
            NS,
            "a9aedsd6-a10y-11t8-9a3d-67gggwd565c6",
            {"amazon_authorization_id": "P01-1234567-1234567-0000001"},
        ),
        (
            "close_billing_agreement",
            NS_SANDBOX,
            "2649e9a4-9a1e-4097-8ce5-bcbc307e5eb8",
            {"amazon_billing_agreement_id": "C01-8824045-7416542"},
        ),
        (
            "confirm_billing_agreement",
            NS_SANDBOX,
            "2649e9a4-9a1e-4097-8ce5-bcbc307e5eb8",
            {"amazon_billing_agreement_id": "C01-8824045-7416542"},
        ),
    ],
)
def test_answers_with_only_a_request_id(
    method: str, namespace: str, request_id: str, arguments: dict[str, Any]
) -> None:
    action = "".join(part.capitalize() for part in method.split("_"))
    xml = f'<{action}Response xmlns="{namespace}">{metadata(request_id)}</{action}Response>'
    assert answered(method, xml, **arguments).request_id == request_id


# ------------------------------------------------------------------ order references


DESTINATION_NEW_YORK = (
    "<Destination><DestinationType>Physical</DestinationType><PhysicalDestination>"
    "<City>New York</City><StateOrRegion>NY</StateOrRegion><PostalCode>10101-9876</PostalCode>"
    "<CountryCode>US</CountryCode></PhysicalDestination></Destination>"
)


def check_new_york(destination: Any) -> None:
    assert destination.destination_type == "Physical"
    address = destination.physical_destination
    assert (address.city, address.state_or_region) == ("New York", "NY")
    assert (address.postal_code, address.country_code) == ("10101-9876", "US")


def test_get_order_reference_details_example_answer() -> None:
    xml = (
        f'<GetOrderReferenceDetailsResponse xmlns="{NS_HTTP}"><GetOrderReferenceDetailsResult>'
        "<OrderReferenceDetails><AmazonOrderReferenceId>P01-1234567-1234567</AmazonOrderReferenceId>"
        "<CreationTimestamp>2012-11-05T20:21:19Z</CreationTimestamp>"
        "<ExpirationTimestamp>2013-05-07T23:21:19Z</ExpirationTimestamp>"
        f"<OrderReferenceStatus><State>Draft</State></OrderReferenceStatus>{DESTINATION_NEW_YORK}"
        "<ReleaseEnvironment>Live</ReleaseEnvironment></OrderReferenceDetails>"
        f"</GetOrderReferenceDetailsResult>{metadata('5f20169b-7ab2-11df-bcef-d35615e2b044')}"
        "</GetOrderReferenceDetailsResponse>"
    )
    result = answered(
        "get_order_reference_details",
        xml,
        amazon_order_reference_id="P01-1234567-1234567",
        address_consent_token="YOUR_ACCESS_TOKEN",
    )
    details = result.order_reference_details
    assert details.amazon_order_reference_id == "P01-1234567-1234567"
    assert (details.creation_timestamp, details.expiration_timestamp) == (
        utc("2012-11-05T20:21:19"),
        utc("2013-05-07T23:21:19"),
    )
    assert details.order_reference_status.state == "Draft"
    assert details.release_environment == "Live"
    check_new_york(details.destination)
    assert (details.order_total, details.buyer) == (None, None)


def test_set_order_reference_details_example_answer() -> None:
    xml = (
        f'<SetOrderReferenceDetailsResponse xmlns="{NS}"><SetOrderReferenceDetailsResult>'
        "<OrderReferenceDetails><AmazonOrderReferenceId>P01-1234567-1234567</AmazonOrderReferenceId>"
        "<OrderTotal><Amount>106</Amount><CurrencyCode>USD</CurrencyCode></OrderTotal>"
        "<SellerOrderAttributes><SellerOrderId>5678-23</SellerOrderId></SellerOrderAttributes>"
        "<SellerNote>Lorem ipsum</SellerNote>"
        "<CreationTimestamp>2012-11-05T20:21:19Z</CreationTimestamp>"
        "<ExpirationTimestamp>2013-05-07T23:21:19Z</ExpirationTimestamp>"
        f"<OrderReferenceStatus><State>Draft</State></OrderReferenceStatus>{DESTINATION_NEW_YORK}"
        "<ReleaseEnvironment>Live</ReleaseEnvironment></OrderReferenceDetails>"
        f"</SetOrderReferenceDetailsResult>{metadata('f42df4b1-8047-11df-8d5c-bf56a38ef3b4')}"
        "</SetOrderReferenceDetailsResponse>"
    )
    result = answered(
        "set_order_reference_details",
        xml,
        amazon_order_reference_id="P01-1234567-1234567",
        order_reference_attributes={"order_total": SENT},
    )
    details = result.order_reference_details
    assert details.order_total == usd("106")
    assert details.seller_order_attributes.seller_order_id == "5678-23"
    assert (details.seller_note, details.order_reference_status.state) == ("Lorem ipsum", "Draft")
    check_new_york(details.destination)
    assert result.request_id == "f42df4b1-8047-11df-8d5c-bf56a38ef3b4"


def test_create_order_reference_for_id_example_answer() -> None:
    xml = (
        f'<CreateOrderReferenceForIdResponse xmlns="{NS_SANDBOX_HTTP}">'
        "<CreateOrderReferenceForIdResult><OrderReferenceDetails>"
        "<AmazonOrderReferenceId>S01-1234567-1234567</AmazonOrderReferenceId>"
        "<CreationTimestamp>2013-12-05T00:21:19Z</CreationTimestamp>"
        "<ExpirationTimestamp>2014-05-05T00:21:19Z</ExpirationTimestamp>"
        f"<OrderReferenceStatus><State>Draft</State></OrderReferenceStatus>{DESTINATION_NEW_YORK}"
        "<ReleaseEnvironment>Live</ReleaseEnvironment></OrderReferenceDetails>"
        f"</CreateOrderReferenceForIdResult>{metadata('5f20169b-7ab2-11df-bcef-d35615e2b044')}"
        "</CreateOrderReferenceForIdResponse>"
    )
    result = answered(
        "create_order_reference_for_id", xml, id="C01-1234567-1234567", id_type="BillingAgreement"
    )
    details = result.order_reference_details
    assert details.amazon_order_reference_id == "S01-1234567-1234567"
    assert details.expiration_timestamp == utc("2014-05-05T00:21:19")
    check_new_york(details.destination)


# ------------------------------------------------------------------ authorizations, captures, refunds


def test_get_authorization_details_example_answer_prints_percent_encoded_times() -> None:
    """The docs print LastUpdateTimestamp and CreationTimestamp percent-encoded (a slip: the
    request's Timestamp form); the client refuses a time that is not ISO 8601."""
    xml = (
        f'<GetAuthorizationDetailsResponse xmlns="{NS}"><GetAuthorizationDetailsResult>'
        "<AuthorizationDetails><AmazonAuthorizationId>\n          P01-1234567-1234567-0000001\n"
        "        </AmazonAuthorizationId>"
        "<AuthorizationReferenceId>test_authorize_1</AuthorizationReferenceId>"
        "<SellerAuthorizationNote>Lorem ipsum</SellerAuthorizationNote>"
        "<AuthorizationAmount><CurrencyCode>USD</CurrencyCode><Amount>94.50</Amount></AuthorizationAmount>"
        "<AuthorizationFee><CurrencyCode>USD</CurrencyCode><Amount>0</Amount></AuthorizationFee>"
        "<AuthorizationStatus><State>Open</State>"
        "<LastUpdateTimestamp>2012-12-10T19%3A01%3A11Z</LastUpdateTimestamp></AuthorizationStatus>"
        "<CreationTimestamp>2012-12-10T19%3A01%3A11Z</CreationTimestamp>"
        "<ExpirationTimestamp>2013-01-10T19:10:16Z</ExpirationTimestamp></AuthorizationDetails>"
        f"</GetAuthorizationDetailsResult>{metadata('b4ab4bc3-c9ea-44f0-9a3d-67cccef565c6')}"
        "</GetAuthorizationDetailsResponse>"
    )
    arguments = {"amazon_authorization_id": "P01-1234567-1234567-0000001"}
    with pytest.raises(mwskit.ResponseParseError) as refused:
        answered("get_authorization_details", xml, **arguments)
    assert str(refused.value) == (
        "ResponseParseError: Status.last_update_timestamp (LastUpdateTimestamp) should be a "
        "datetime; got '2012-12-10T19%3A01%3A11Z'"
    )
    fixed = xml.replace("2012-12-10T19%3A01%3A11Z", "2012-12-10T19:01:11Z")
    details = answered("get_authorization_details", fixed, **arguments).authorization_details
    assert details.amazon_authorization_id == "P01-1234567-1234567-0000001"  # spaces dropped
    assert (details.authorization_reference_id, details.seller_authorization_note) == (
        "test_authorize_1",
        "Lorem ipsum",
    )
    assert (details.authorization_amount, details.authorization_fee) == (usd("94.50"), usd("0"))
    assert details.authorization_status.state == "Open"
    assert details.authorization_status.last_update_timestamp == utc("2012-12-10T19:01:11")
    assert details.expiration_timestamp == utc("2013-01-10T19:10:16")
    assert details.captured_amount is None  # not in the printed answer


def test_capture_example_answer() -> None:
    xml = (
        f'<CaptureResponse xmlns="{NS}"><CaptureResult><CaptureDetails>'
        "<AmazonCaptureId>P01-1234567-1234567-0000002</AmazonCaptureId>"
        "<CaptureReferenceId>test_capture_1</CaptureReferenceId>"
        "<SellerCaptureNote>Lorem ipsum</SellerCaptureNote>"
        "<CaptureAmount><CurrencyCode>USD</CurrencyCode><Amount>94.50</Amount></CaptureAmount>"
        "<CaptureStatus><State>Completed</State>"
        "<LastUpdateTimestamp>2012-11-03T19:10:16Z</LastUpdateTimestamp></CaptureStatus>"
        "<CreationTimestamp>2012-11-03T19:10:16Z</CreationTimestamp></CaptureDetails></CaptureResult>"
        f"{metadata('b4ab4bc3-c9ea-44f0-9a3d-67cccef565c6')}</CaptureResponse>"
    )
    result = answered(
        "capture",
        xml,
        amazon_authorization_id="P01-1234567-1234567-0000001",
        capture_reference_id="test_capture_1",
        capture_amount=SENT,
    )
    details = result.capture_details
    assert (details.amazon_capture_id, details.capture_reference_id) == (
        "P01-1234567-1234567-0000002",
        "test_capture_1",
    )
    assert (details.capture_amount, details.seller_capture_note) == (usd("94.50"), "Lorem ipsum")
    assert details.capture_status.state == "Completed"
    assert details.creation_timestamp == utc("2012-11-03T19:10:16")
    assert (details.refunded_amount, details.id_list) == (None, [])


def test_refund_example_answer_names_the_amount_refunded_amount() -> None:
    """The printed Refund answer writes <RefundedAmount>; RefundDetails' element is RefundAmount
    (docs:refunddetails, the SDK models), so the amount is not read from this answer."""
    xml = (
        f'<RefundResponse xmlns="{NS}"><RefundResult><RefundDetails>'
        "<AmazonRefundId>P01-1234567-1234567-0000003</AmazonRefundId>"
        "<RefundReferenceId>test_refund_1</RefundReferenceId>"
        "<SellerRefundNote>Lorem ipsum</SellerRefundNote><RefundType>SellerInitiated</RefundType>"
        "<RefundedAmount><CurrencyCode>USD</CurrencyCode><Amount>94.50</Amount></RefundedAmount>"
        "<FeeRefunded><CurrencyCode>USD</CurrencyCode><Amount>0</Amount></FeeRefunded>"
        "<RefundStatus><State>Pending</State>"
        "<LastUpdateTimestamp>2012-11-07T19:10:16Z</LastUpdateTimestamp></RefundStatus>"
        "<CreationTimestamp>2012-11-05T19:10:16Z</CreationTimestamp></RefundDetails></RefundResult>"
        f"{metadata('b4ab4bc3-c9ea-44f0-9a3d-67cccef565c6')}</RefundResponse>"
    )
    result = answered(
        "refund",
        xml,
        amazon_capture_id="P01-1234567-1234567-0000002",
        refund_reference_id="test_refund_1",
        refund_amount=SENT,
    )
    details = result.refund_details
    assert (details.amazon_refund_id, details.refund_reference_id) == (
        "P01-1234567-1234567-0000003",
        "test_refund_1",
    )
    assert (details.refund_type, details.fee_refunded) == ("SellerInitiated", usd("0"))
    assert details.refund_status.state == "Pending"
    assert details.refund_status.last_update_timestamp == utc("2012-11-07T19:10:16")
    assert details.refund_amount is None


def test_authorize_on_billing_agreement_example_answer() -> None:
    xml = (
        f'<AuthorizeOnBillingAgreementResponse xmlns="{NS_SANDBOX}">'
        "<AuthorizeOnBillingAgreementResult><AuthorizationDetails>"
        "<AmazonAuthorizationId>C01-1234567-1234567-A006334</AmazonAuthorizationId>"
        "<AuthorizationReferenceId>AuthReference4</AuthorizationReferenceId>"
        "<SellerAuthorizationNote>ForNovemberOrder</SellerAuthorizationNote>"
        "<AuthorizationAmount><Amount>20.00</Amount><CurrencyCode>USD</CurrencyCode></AuthorizationAmount>"
        "<CapturedAmount><Amount>0</Amount><CurrencyCode>USD</CurrencyCode></CapturedAmount>"
        "<AuthorizationFee><Amount>0.00</Amount><CurrencyCode>USD</CurrencyCode></AuthorizationFee>"
        "<SoftDecline>true</SoftDecline><AuthorizationStatus>"
        "<LastUpdateTimestamp>2013-12-05T00:21:19Z</LastUpdateTimestamp><State>Pending</State>"
        "</AuthorizationStatus><CreationTimestamp>2013-12-01T00:21:19Z</CreationTimestamp>"
        "<ExpirationTimestamp>2014-01-01T00:21:19Z</ExpirationTimestamp><CaptureNow>false</CaptureNow>"
        "</AuthorizationDetails><AmazonOrderReferenceId>S01-1234569-1234568</AmazonOrderReferenceId>"
        f"</AuthorizeOnBillingAgreementResult>{metadata('2649e9a4-9a1e-4097-8ce5-bcbc307e5eb8')}"
        "</AuthorizeOnBillingAgreementResponse>"
    )
    result = answered(
        "authorize_on_billing_agreement",
        xml,
        amazon_billing_agreement_id="C01-1234567-1234567",
        authorization_reference_id="AuthReference4",
        authorization_amount=SENT,
    )
    assert result.amazon_order_reference_id == "S01-1234569-1234568"
    details = result.authorization_details
    assert details.amazon_authorization_id == "C01-1234567-1234567-A006334"
    assert (details.authorization_amount, details.captured_amount, details.authorization_fee) == (
        usd("20.00"),
        usd("0"),
        usd("0.00"),
    )
    assert (details.soft_decline, details.capture_now) == (True, False)
    assert details.authorization_status.state == "Pending"
    assert details.creation_timestamp == utc("2013-12-01T00:21:19")


# ------------------------------------------------------------------ billing agreements


def check_seattle(destination: Any) -> None:
    address = destination.physical_destination
    assert (address.city, address.state_or_region, address.postal_code) == (
        "Seattle",
        "WA",
        "98104",
    )


LIMITS = (
    "<BillingAgreementLimits><AmountLimitPerTimePeriod><CurrencyCode>USD</CurrencyCode>"
    "<Amount>500</Amount></AmountLimitPerTimePeriod>"
    "<TimePeriodStartDate>2013-12-01T00:00:00Z</TimePeriodStartDate>"
    "<TimePeriodEndDate>{end}</TimePeriodEndDate><CurrentRemainingBalance>"
    "<CurrencyCode>USD</CurrencyCode><Amount>94.50</Amount></CurrentRemainingBalance>"
    "</BillingAgreementLimits>"
)
DESTINATION_SEATTLE = (
    "<Destination><DestinationType>Physical</DestinationType><PhysicalDestination>"
    "<City>Seattle</City><CountryCode>US</CountryCode><PostalCode>98104</PostalCode>"
    "<StateOrRegion>WA</StateOrRegion></PhysicalDestination></Destination>"
)


def test_get_billing_agreement_details_example_answer() -> None:
    xml = (
        f'<GetBillingAgreementDetailsResponse xmlns="{NS_SANDBOX}">'
        "<GetBillingAgreementDetailsResult><BillingAgreementDetails>"
        "<AmazonBillingAgreementId>C01-8824045-7416542</AmazonBillingAgreementId>"
        "<Constraints><ConstraintID>BuyerConsentNotSet</ConstraintID><Description>\n"
        "          Buyer has not given consent for this Billing Agreement.\n        </Description>"
        "</Constraints><CreationTimestamp>2013-12-05T00:21:19Z</CreationTimestamp>"
        f"{DESTINATION_SEATTLE}{LIMITS.format(end='2014-01-01T00:00:00Z')}"
        "<BillingAgreementStatus><State>Draft</State></BillingAgreementStatus>"
        "<ReleaseEnvironment>Sandbox</ReleaseEnvironment></BillingAgreementDetails>"
        f"</GetBillingAgreementDetailsResult>{metadata('4a08624e-fffa-4fe7-bc19-ef9330c42f6a')}"
        "</GetBillingAgreementDetailsResponse>"
    )
    result = answered(
        "get_billing_agreement_details", xml, amazon_billing_agreement_id="C01-8824045-7416542"
    )
    details = result.billing_agreement_details
    assert details.amazon_billing_agreement_id == "C01-8824045-7416542"
    # Printed without the <Constraint> wrapper that Constraints holds in the SDK fixtures
    # (GetBillingAgreementDetailsWithSCAResponse.xml): a slip, so no constraint is read.
    assert details.constraints == []
    limits = details.billing_agreement_limits
    assert (limits.amount_limit_per_time_period, limits.current_remaining_balance) == (
        usd("500"),
        usd("94.50"),
    )
    assert (limits.time_period_start_date, limits.time_period_end_date) == (
        utc("2013-12-01T00:00:00"),
        utc("2014-01-01T00:00:00"),
    )
    assert (details.billing_agreement_status.state, details.release_environment) == (
        "Draft",
        "Sandbox",
    )
    check_seattle(details.destination)


def test_set_billing_agreement_details_example_answer() -> None:
    xml = (
        f'<SetBillingAgreementDetailsResponse xmlns="{NS_SANDBOX}">'
        "<SetBillingAgreementDetailsResult><BillingAgreementDetails>"
        "<AmazonBillingAgreementId>C01-8824045-7416542</AmazonBillingAgreementId>"
        f"<CreationTimestamp>2013-12-05T00:21:19Z</CreationTimestamp>{DESTINATION_SEATTLE}"
        "<BillingAgreementConsent>true</BillingAgreementConsent>"
        "<BillingAgreementStatus><State>Draft</State></BillingAgreementStatus>"
        f"{LIMITS.format(end='2013-12-23T23:59:59Z')}"
        "<ReleaseEnvironment>Sandbox</ReleaseEnvironment>"
        "<SellerNote>APPROVE  LITE APPROVE HEAVY</SellerNote><SellerBillingAgreementAttributes>"
        "<CustomInformation>Example Customer Info</CustomInformation>"
        "<StoreName>Test Store Name</StoreName></SellerBillingAgreementAttributes>"
        "</BillingAgreementDetails></SetBillingAgreementDetailsResult>"
        f"{metadata('bab23c81-f7c9-4d1a-b76b-fbcec07e47f5')}</SetBillingAgreementDetailsResponse>"
    )
    result = answered(
        "set_billing_agreement_details",
        xml,
        amazon_billing_agreement_id="C01-8824045-7416542",
        billing_agreement_attributes={"seller_note": "APPROVE LITE APPROVE HEAVY"},
    )
    details = result.billing_agreement_details
    assert details.billing_agreement_consent is True
    assert details.seller_note == "APPROVE  LITE APPROVE HEAVY"  # as printed, two spaces
    attributes = details.seller_billing_agreement_attributes
    assert (attributes.custom_information, attributes.store_name) == (
        "Example Customer Info",
        "Test Store Name",
    )
    limits = details.billing_agreement_limits
    assert limits.time_period_end_date == utc("2013-12-23T23:59:59")
    check_seattle(details.destination)


def test_validate_billing_agreement_example_answer() -> None:
    xml = (
        f'<ValidateBillingAgreementResponse xmlns="{NS_SANDBOX}"><ValidateBillingAgreementResult>'
        "<ValidationResult>Failure</ValidationResult>"
        "<FailureReasonCode>InvalidPaymentMethod</FailureReasonCode><BillingAgreementStatus>"
        "<LastUpdateTimestamp>2013-12-05T00:21:19Z</LastUpdateTimestamp><State>Suspended</State>"
        "<ReasonCode>InvalidPaymentMethod</ReasonCode>"
        "<ReasonDescription>Payment method is not valid.</ReasonDescription>"
        "</BillingAgreementStatus></ValidateBillingAgreementResult>"
        f"{metadata('f42df4b1-8047-11df-8d5c-bf56a38ef3b4')}</ValidateBillingAgreementResponse>"
    )
    result = answered(
        "validate_billing_agreement", xml, amazon_billing_agreement_id="C01-8824045-7416542"
    )
    assert (result.validation_result, result.failure_reason_code) == (
        "Failure",
        "InvalidPaymentMethod",
    )
    status = result.billing_agreement_status
    assert (status.state, status.reason_code) == ("Suspended", "InvalidPaymentMethod")
    assert status.reason_description == "Payment method is not valid."


# ------------------------------------------------------------------ service status


def test_get_service_status_example_answer() -> None:
    xml = (
        f'<?xml version="1.0"?>\n<GetServiceStatusResponse xmlns="{NS_HTTP}">'
        "<GetServiceStatusResult><Status>GREEN</Status>"
        "<Timestamp>2013-07-25T18:17:45.167Z</Timestamp></GetServiceStatusResult>"
        f"{metadata('082c41fd-2f6b-4616-a518-7db14EXAMPLE')}</GetServiceStatusResponse>"
    )
    result = answered("get_service_status", xml)
    assert result.status == "GREEN"
    assert result.timestamp == datetime(2013, 7, 25, 18, 17, 45, 167000, tzinfo=UTC)
    assert result.request_id == "082c41fd-2f6b-4616-a518-7db14EXAMPLE"
