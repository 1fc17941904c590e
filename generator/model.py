"""The intermediate model: frozen, fully resolved data that templates only format."""

from __future__ import annotations

from dataclasses import dataclass

from .errors import SourceRef

DOCS_ROOT = "https://docs.developer.amazonservices.com/en_US/"


@dataclass(frozen=True, slots=True)
class EnumValue:
    value: str
    member: str  # Python enum member name
    description: str | None


@dataclass(frozen=True, slots=True)
class EnumType:
    name: str  # also the Python class name
    literal_alias: str  # name of the Literal[...] alias of its values
    description: str | None
    open: bool  # other strings are accepted too
    values: tuple[EnumValue, ...]
    notes: tuple[str, ...]
    source: SourceRef


@dataclass(frozen=True, slots=True)
class Parameter:
    """One request parameter or one field of a request structure."""

    wire: str  # pattern relative to the enclosing structure, e.g. "MarketplaceId.Id.N"
    name: str  # first wire segment, e.g. "MarketplaceId"; what constraints refer to
    python_name: str
    kind: str  # string | integer | decimal | boolean | datetime | date | structure
    is_list: bool
    wire_prefix: str  # list: text before the index ("MarketplaceId.Id."); else the wire name
    shape: str | None
    enum: str | None  # name of a section enum
    values: tuple[str, ...]  # allowed values (from the enum or inline); empty when free
    open_values: bool  # values are known ones, other strings allowed
    required: bool
    required_rule: str | None
    description: str | None
    default: str | None
    max_items: int | None
    max_length: int | None
    min_length: int | None
    min_value: int | float | None
    max_value: int | float | None
    wire_alternatives: tuple[str, ...]
    notes: tuple[str, ...]
    annotation: str  # Python type of the argument (without "| None")
    field_annotation: str  # the same as a dataclass field: lists are Sequence, not Iterable
    type_label: str  # human-readable type for docs
    source: SourceRef


@dataclass(frozen=True, slots=True)
class Shape:
    name: str  # also the Python dataclass name
    descriptor: str  # name of its runtime descriptor constant
    description: str | None
    fields: tuple[Parameter, ...]
    notes: tuple[str, ...]
    source: SourceRef


@dataclass(frozen=True, slots=True)
class ResultField:
    """One value of a response structure: a child element, an attribute, or the text."""

    source: str  # element | attribute | text
    xml_name: str  # element or attribute name ("" for text)
    python_name: str
    kind: str  # string | integer | decimal | boolean | datetime | date | structure
    shape: str | None
    enum: str | None
    is_list: bool
    item: str | None  # a list wrapped in the element: the name of each item element
    xml_label: str  # where it is read, for docs: "Orders/Order", "@status", "(text)"
    required: bool  # documented as always present (documentation only)
    description: str | None
    notes: tuple[str, ...]
    annotation: str  # Python type of the dataclass field (lists without "| None")
    type_label: str  # human-readable type for docs
    source_ref: SourceRef


@dataclass(frozen=True, slots=True)
class ResultShape:
    name: str  # also the Python dataclass name
    descriptor: str  # name of its runtime descriptor constant
    description: str | None
    fields: tuple[ResultField, ...]
    notes: tuple[str, ...]
    is_result: bool  # some action returns it: it carries the response metadata too
    source: SourceRef


@dataclass(frozen=True, slots=True)
class Throttling:
    max_request_quota: int
    restore_seconds: float
    restore_unit: str  # request | item
    hourly_request_quota: int | None
    bucket: str  # name of the action whose bucket this action draws from
    notes: tuple[str, ...]
    summary: str  # e.g. "30 requests, one more every 2 seconds, 1800 per hour"


@dataclass(frozen=True, slots=True)
class Constraint:
    kind: str  # exactly_one_of | at_most_one_of | excludes
    parameter: str | None  # python name of the excluding parameter ("excludes" only)
    parameters: tuple[str, ...]  # python names


@dataclass(frozen=True, slots=True)
class RequestBody:
    python_name: str
    name: str
    description: str
    md5_parameter: str


@dataclass(frozen=True, slots=True)
class Action:
    name: str
    python_name: str
    descriptor: str
    description: str
    docs_url: str | None
    availability: str | None
    idempotent: bool
    next_token_of: str | None  # parent action when this is a ...ByNextToken companion
    next_token_action: str | None  # companion when this action pages
    next_token_descriptor: str | None  # the companion's descriptor name
    page_annotation: str | None  # what its iter_ method yields: "ListOrdersResult"
    items_field: str | None  # the list of records each page holds ("orders"), when it pages
    items_class: str | None  # the class of those records ("Order"): iter_..._items yields them
    throttling: Throttling
    parameters: tuple[Parameter, ...]
    constraints: tuple[Constraint, ...]
    request_body: RequestBody | None
    result_element: str
    document: bool
    result_class: str  # what the method returns: a generated class, "Document" or "MWSResult"
    result_class_in_runtime: bool  # result_class is the runtime's (Document, MWSResult)
    result_shape: str | None  # descriptor-bearing shape the runtime reads the answer with
    result_is_root: bool  # the shape reads the whole response element (repeated results)
    notes: tuple[str, ...]
    example: str  # a short Python call with the required arguments filled in
    source: SourceRef


@dataclass(frozen=True, slots=True)
class SectionError:
    """An error code only one section answers with: an MWSError subclass named after it."""

    code: str  # also the Python class name
    http_status: int | None  # when the docs give it
    description: str


@dataclass(frozen=True, slots=True)
class Section:
    name: str
    module: str  # Python module and MWS attribute name, e.g. fulfillment_inbound_shipment
    client_class: str
    async_client_class: str
    spec_file: str
    version: str
    path: str
    namespace: str
    seller_parameter: str
    seller_parameter_alternatives: tuple[str, ...]
    description: str
    docs_url: str | None
    notes: tuple[str, ...]
    enums: tuple[EnumType, ...]
    shapes: tuple[Shape, ...]  # dependencies first
    result_shapes: tuple[ResultShape, ...]  # dependencies first
    actions: tuple[Action, ...]  # sorted by name
    errors: tuple[SectionError, ...]  # the section's own error codes, sorted by code
    models_imports: tuple[str, ...]  # import lines models.py needs
    models_runtime_names: tuple[str, ...]  # what models.py imports from the runtime
    client_imports: tuple[str, ...]  # standard-library import lines client.py needs
    client_package_imports: tuple[str, ...]  # its imports from elsewhere in mwskit
    client_model_names: tuple[str, ...]  # enums and shapes client.py uses from .models
    client_runtime_names: tuple[str, ...]  # what client.py imports from the runtime
    client_mixin: str | None  # workflows class the sync client inherits (async: Async...)
    package_exports: tuple[PackageExport, ...]  # handwritten names mwskit exports at top level
    example_imports: tuple[str, ...]  # import lines the docs page's examples need


@dataclass(frozen=True, slots=True)
class PackageExport:
    """Names that `mwskit` re-exports from one handwritten module of a section (`rows`)."""

    module: str
    names: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Region:
    code: str
    description: str
    host: str
    notes: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Marketplace:
    code: str  # country code, also the Python enum member name
    country: str
    id: str
    region: str
    host: str
    flat_file_encoding: str
    report_encoding: str
    notes: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Marketplaces:
    spec_file: str
    description: str
    notes: tuple[str, ...]
    regions: tuple[Region, ...]
    marketplaces: tuple[Marketplace, ...]
    hosts: tuple[tuple[str, str], ...]  # every region or marketplace code -> host, sorted


@dataclass(frozen=True, slots=True)
class Api:
    sections: tuple[Section, ...]  # sorted by name
    marketplaces: Marketplaces
