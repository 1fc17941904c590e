"""Naming rules: every Python name the generator derives from an MWS name (generator/naming.py)."""

from __future__ import annotations

import pytest

from generator import naming


@pytest.mark.parametrize(
    ("mws_name", "python_name"),
    [
        # MWS names
        ("SellerSKU", "seller_sku"),
        ("ASINList", "asin_list"),
        ("AmazonOrderId", "amazon_order_id"),
        ("ShipFromAddress", "ship_from_address"),
        ("FeedSubmissionId", "feed_submission_id"),
        ("ContentMD5Value", "content_md5_value"),
        ("MWSAuthToken", "mws_auth_token"),
        ("AddressLine1", "address_line1"),
        ("ListInboundShipmentItemsByNextToken", "list_inbound_shipment_items_by_next_token"),
        ("GetServiceStatus", "get_service_status"),
        ("ASIN", "asin"),
        ("Id", "id"),
        # botocore's xform_name test cases
        ("UpperCamelCase", "upper_camel_case"),
        ("lowerCamelCase", "lower_camel_case"),
        ("HTTPHeaders", "http_headers"),
        ("MainHTTPHeaders", "main_http_headers"),
        ("S3BucketName", "s3_bucket_name"),
        ("leave_alone", "leave_alone"),
        ("s3_bucket_name", "s3_bucket_name"),
        ("bucket_s3_name", "bucket_s3_name"),
        ("CreateCachediSCSIVolume", "create_cachedi_scsi_volume"),
        ("DescribeStorediSCSIVolumes", "describe_storedi_scsi_volumes"),
        ("DescribeDBInstances", "describe_db_instances"),
        ("ListObjectsV2", "list_objects_v2"),
        ("IPV6", "ipv6"),
        ("GetHLSStreamingSessionURL", "get_hls_streaming_session_url"),
    ],
)
def test_snake_case(mws_name: str, python_name: str) -> None:
    assert naming.snake_case(mws_name) == python_name


@pytest.mark.parametrize(
    ("mws_name", "python_name"),
    [
        # an acronym with a plural "s" stays one word (botocore special-cases this too)
        ("GatewayARNs", "gateway_arns"),
        ("SwapEnvironmentCNAMEs", "swap_environment_cnames"),
        ("SellerSKUs", "seller_skus"),
        ("ShipmentIDs", "shipment_ids"),
        ("ASINs", "asins"),
    ],
)
def test_snake_case_plural_acronym(mws_name: str, python_name: str) -> None:
    assert naming.snake_case(mws_name) == python_name


@pytest.mark.parametrize(
    ("wire", "python_name"),
    [
        ("FeedTypeList.Type.N", "feed_type_list"),
        ("MarketplaceId.Id.N", "marketplace_id"),
        ("MarketplaceIdList.Id.N", "marketplace_id_list"),
        ("InboundShipmentPlanRequestItems.member.N", "inbound_shipment_plan_request_items"),
        ("PaymentMethod.N", "payment_method"),
        ("SellerSKU", "seller_sku"),
        ("ShipFromAddress", "ship_from_address"),
        # reserved words get a trailing underscore: keywords and the soft keywords of Python 3.11
        ("Class", "class_"),
        ("From", "from_"),
        ("Import", "import_"),
        ("Match", "match"),
        ("Case", "case"),
        ("None", "none"),  # lower-case "none" is not a keyword
        ("Id.N", "id"),
        ("Type", "type"),  # a builtin, not a keyword in Python 3.11
    ],
)
def test_parameter_name(wire: str, python_name: str) -> None:
    assert naming.parameter_name(wire) == python_name


@pytest.mark.parametrize(
    ("name", "identifier"),
    [
        ("class", "class_"),
        ("async", "async_"),
        ("await", "await_"),
        ("lambda", "lambda_"),
        ("match", "match"),
        ("case", "case"),
        ("seller_sku", "seller_sku"),
        ("print", "print"),
    ],
)
def test_python_identifier(name: str, identifier: str) -> None:
    assert naming.python_identifier(name) == identifier


@pytest.mark.parametrize(
    ("wire", "segment"),
    [
        ("FeedTypeList.Type.N", "FeedTypeList"),
        ("PaymentMethod.N", "PaymentMethod"),
        ("SellerId", "SellerId"),
    ],
)
def test_first_segment(wire: str, segment: str) -> None:
    assert naming.first_segment(wire) == segment


@pytest.mark.parametrize(
    ("section", "module"),
    [
        ("FulfillmentInboundShipment", "fulfillment_inbound_shipment"),
        ("Orders", "orders"),
        ("Feeds", "feeds"),
        ("MerchantFulfillment", "merchant_fulfillment"),
    ],
)
def test_module_name(section: str, module: str) -> None:
    assert naming.module_name(section) == module


@pytest.mark.parametrize(
    ("action", "constant"),
    [
        ("ListOrders", "LIST_ORDERS"),
        ("GetReportRequestCount", "GET_REPORT_REQUEST_COUNT"),
        ("SubmitFeed", "SUBMIT_FEED"),
        ("ListOrderItemsByNextToken", "LIST_ORDER_ITEMS_BY_NEXT_TOKEN"),
        ("GetFBAInventoryAge", "GET_FBA_INVENTORY_AGE"),
    ],
)
def test_constant_name(action: str, constant: str) -> None:
    assert naming.constant_name(action) == constant


@pytest.mark.parametrize(
    ("value", "member"),
    [
        ("_POST_PRODUCT_DATA_", "POST_PRODUCT_DATA"),
        ("_GET_FLAT_FILE_OPEN_LISTINGS_DATA_", "GET_FLAT_FILE_OPEN_LISTINGS_DATA"),
        ("PendingAvailability", "PENDING_AVAILABILITY"),
        ("PartiallyShipped", "PARTIALLY_SHIPPED"),
        ("AFN", "AFN"),
        ("COD", "COD"),
        ("AtDestinationFC", "AT_DESTINATION_FC"),
        ("SELLER_LABEL", "SELLER_LABEL"),
        ("2D Barcode", None),
        ("text/xml", "TEXT_XML"),
        ("Pre-Order", "PRE_ORDER"),
        ("ItemLabel_A4", "ITEM_LABEL_A4"),
        ("A--B", "A_B"),
        ("None", "NONE"),
        # no identifier: digits first, or nothing left
        ("_15_MINUTES_", None),
        ("77.5", None),
        ("1", None),
        ("___", None),
        ("-", None),
    ],
)
def test_enum_member_name(value: str, member: str | None) -> None:
    assert naming.enum_member_name(value) == member
