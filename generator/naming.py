"""Every Python name mwskit derives from an MWS name is computed here, and only here."""

from __future__ import annotations

import keyword
import re

# botocore's xform_name rules: an acronym run stays one word (SellerSKU -> seller_sku,
# ASINList -> asin_list), digits stick to the word before them (AddressLine1 -> address_line1).
_PARTIAL_RENAMES = re.compile(r"([A-Z]+)([A-Z][a-z])")
_WORD_BOUNDARY = re.compile(r"([a-z0-9])([A-Z])")
_NOT_IDENTIFIER = re.compile(r"[^0-9A-Za-z]+")
_PLURAL_ACRONYM = re.compile(r"[A-Z]{2,}s$")  # SellerSKUs -> seller_skus, not seller_sk_us


def snake_case(name: str) -> str:
    """`AmazonOrderId` -> `amazon_order_id`, `SellerSKU` -> `seller_sku`, `ASINList` -> `asin_list`."""
    plural = _PLURAL_ACRONYM.search(name)
    if plural:
        if plural.start() == 0:
            return name.lower()
        name = f"{name[: plural.start()]}_{plural.group().lower()}"
    words = _PARTIAL_RENAMES.sub(r"\1_\2", name)
    words = _WORD_BOUNDARY.sub(r"\1_\2", words)
    return words.lower()


def python_identifier(name: str) -> str:
    """A snake_case name that is safe as a Python identifier (keywords get a trailing `_`)."""
    # Soft keywords (match, case, type) are valid names; ignoring them keeps output the same
    # on every Python version.
    return name + "_" if keyword.iskeyword(name) else name


def first_segment(wire: str) -> str:
    """The parameter name of a wire pattern: `FeedTypeList.Type.N` -> `FeedTypeList`."""
    return wire.split(".", 1)[0]


def parameter_name(wire: str) -> str:
    """Python name of a parameter: the snake_case of its wire name's first segment."""
    return python_identifier(snake_case(first_segment(wire)))


def module_name(section: str) -> str:
    """`FulfillmentInboundShipment` -> `fulfillment_inbound_shipment` (module and attribute)."""
    return snake_case(section)


def enum_member_name(value: str) -> str | None:
    """`_POST_PRODUCT_DATA_` -> `POST_PRODUCT_DATA`, `PendingAvailability` -> `PENDING_AVAILABILITY`.

    Returns None when the value gives no identifier (the spec must then name the member).
    """
    words = _NOT_IDENTIFIER.sub("_", snake_case(value.strip("_"))).strip("_").upper()
    words = re.sub("_+", "_", words)
    if not words or not words.isidentifier() or words[0].isdigit() or keyword.iskeyword(words):
        return None
    return words


def constant_name(name: str) -> str:
    """`ListOrders` -> `LIST_ORDERS` (module-level operation descriptor names)."""
    return snake_case(name).upper()


# Options every `mwskit` command line action takes besides its parameters (mwskit/cli/_parser.py
# defines them; tests/cli checks the two lists agree). A parameter whose option would be one of
# them is offered as `--<name>-value` (Products' Query is `--query-value`).
CLI_RESERVED_OPTIONS = frozenset(
    {
        "all-pages",
        "cli-input-json",
        "content-type",
        "debug",
        "destination",
        "dry-run",
        "endpoint",
        "generate-cli-skeleton",
        "help",
        "marketplace",
        "max-attempts",
        "output",
        "profile",
        "query",
        "region",
    }
)


def kebab_case(python_name: str) -> str:
    """`list_orders` -> `list-orders`: command line names of sections, actions and options."""
    return python_name.rstrip("_").replace("_", "-")


def cli_option(python_name: str) -> str:
    """The command line option of a parameter: `created_after` -> `--created-after`."""
    name = kebab_case(python_name)
    return f"--{name}-value" if name in CLI_RESERVED_OPTIONS else f"--{name}"
