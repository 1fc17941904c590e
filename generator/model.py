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
    batch: bool  # a longer list is split into requests of max_items entries
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
class ClassField:
    """One field of a generated dataclass, as its source declares it."""

    name: str
    annotation: str  # as the class annotates it ("| None" included)
    default: str | None  # Python source of the default; None when required or made by `factory`
    factory: str | None  # what makes a fresh default for each instance ("list"), if anything


@dataclass(frozen=True, slots=True)
class DataClass:
    """A frozen, slotted, keyword-only dataclass whose fields and __init__ are generated as source.

    What `@dataclass(frozen=True, slots=True, kw_only=True)` would build from the same fields
    (generator/classes.py; the runtime's `source_dataclass` attaches the field objects).
    """

    name: str
    base: str | None  # the runtime class it derives from (MWSResult), or None
    fields: tuple[ClassField, ...]  # its own, in order: annotated and slotted
    init_fields: tuple[ClassField, ...]  # the base's first, then its own: __init__, fields()
    factory_fields: tuple[ClassField, ...]  # of its own fields, those with a default factory
    self_name: str  # what __init__ calls the instance: "self", unless a field is named so


@dataclass(frozen=True, slots=True)
class Shape:
    name: str  # also the Python dataclass name
    descriptor: str  # name of its runtime descriptor constant
    description: str | None
    fields: tuple[Parameter, ...]
    notes: tuple[str, ...]
    source: SourceRef
    dataclass: DataClass | None = None  # filled by the render stage (generator/classes.py)


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
class ReaderStep:
    """How a generated reader fills one field (the local variable `python_name`).

    `how`: `one` (assign), `repeated` (append each element), `wrapped` (append each `item` child
    of the element). `value` is the Python expression of one value, read from `_child` (an
    element field), `_entry` (a wrapped item), the local itself (an attribute's raw text) or
    `_element.text` (the text field).
    """

    python_name: str
    slot: int  # the field's index in its shape: the number its tag is dispatched to
    how: str
    value: str
    item: str | None
    xml_name: str  # the attribute name, for attributes


@dataclass(frozen=True, slots=True)
class ReaderBranch:
    """A node of a reader's dispatch tree: slots below `below` go `low`, the others `high`."""

    below: int
    low: ReaderBranch | ReaderStep
    high: ReaderBranch | ReaderStep


@dataclass(frozen=True, slots=True)
class RequiredCheck:
    python_name: str
    suffix: str  # where below the element: "/Name", "/@name" or "" (the text)


@dataclass(frozen=True, slots=True)
class Reader:
    """A shape's generated reader (<section>/_readers.py), specialised from its fields."""

    function: str  # read_order
    slots: str  # name of its tag -> slot dict
    class_name: str
    takes_extra: bool  # a result: the response metadata is passed in
    tag_slots: tuple[tuple[str, int], ...]  # element fields' local names and slots
    lists: tuple[str, ...]  # locals starting as []
    scalars: tuple[str, ...]  # locals starting as None
    attributes: tuple[ReaderStep, ...]
    text: ReaderStep | None
    dispatch: ReaderBranch | ReaderStep | None
    required: tuple[RequiredCheck, ...]
    arguments: tuple[str, ...]  # every field, in order: the constructor's keywords


@dataclass(frozen=True, slots=True)
class ResultShape:
    name: str  # also the Python dataclass name
    descriptor: str  # name of its runtime descriptor constant
    description: str | None
    fields: tuple[ResultField, ...]
    notes: tuple[str, ...]
    is_result: bool  # some action returns it: it carries the response metadata too
    source: SourceRef
    reader: Reader
    dataclass: DataClass | None = None  # filled by the render stage (generator/classes.py)


@dataclass(frozen=True, slots=True)
class Throttling:
    max_request_quota: int
    restore_seconds: float
    restore_unit: str  # request | item
    hourly_request_quota: int | None
    bucket: str  # name of the action whose bucket this action draws from
    notes: tuple[str, ...]
    summary: str  # e.g. "30 requests, one more every 2 seconds, 1800 per hour"
    sandbox: SandboxThrottling | None  # its bucket on the section's sandbox_path


@dataclass(frozen=True, slots=True)
class SandboxThrottling:
    """An action's own bucket on the section's sandbox path (same unit, no hourly quota)."""

    max_request_quota: int
    restore_seconds: float
    notes: tuple[str, ...]
    summary: str


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
class ExtraArgument:
    """A keyword argument of an action's method that is no MWS parameter (`destination=`)."""

    python_name: str
    annotation: str  # its Python type, as the method declares it
    default: str | None  # Python source of the default; None when the argument is required
    type_label: str  # human-readable type for docs
    sent_as: str  # what it becomes, for docs: "the HTTP body", "the Content-Type header", ...
    description: str


@dataclass(frozen=True, slots=True)
class ReferenceLookup:
    """How to find the object a reference-id call created, from its parent, without resending."""

    parent: str  # action reading the parent object, e.g. GetOrderReferenceDetails
    parent_descriptor: str
    parent_argument: str  # python name of the argument both actions take (the parent's id)
    parent_argument_index: int  # its index among the money-moving action's parameters
    parent_index: int  # ... and among the parent's
    id_list: tuple[str, ...]  # python attribute path in the parent's result to the child ids
    child: str  # action reading one child object by id, e.g. GetAuthorizationDetails
    child_descriptor: str
    child_argument: str  # python name of the child action's id argument
    child_index: int  # its index among the child's parameters
    match: tuple[str, ...]  # python attribute path in the child's result to its reference id


@dataclass(frozen=True, slots=True)
class ReferenceId:
    """The caller-chosen id that makes a money-moving action safe to resend unchanged."""

    parameter: str  # wire name, e.g. AuthorizationReferenceId
    python_name: str
    index: int  # its index among the action's parameters
    result_field: str  # python name of the result field holding the created object
    lookup: ReferenceLookup | None
    notes: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ErrorCode:
    """One error code of the section with its own MWSError subclass (or the runtime's)."""

    code: str  # also the class name
    http_status: int | None
    description: str
    notes: tuple[str, ...]
    in_runtime: bool  # the runtime already has the class (RequestThrottled, ...): not generated


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
    reference_id: ReferenceId | None  # money-moving: resent only with the same reference id
    parameters: tuple[Parameter, ...]
    constraints: tuple[Constraint, ...]
    request_body: RequestBody | None
    extra_arguments: tuple[ExtraArgument, ...]  # after the parameters: body, download options
    result_element: str
    document: bool
    result_class: str  # what the method returns: a generated class, "Document" or "MWSResult"
    result_class_in_runtime: bool  # result_class is the runtime's (Document, MWSResult)
    result_shape: str | None  # descriptor-bearing shape the runtime reads the answer with
    result_is_root: bool  # the shape reads the whole response element (repeated results)
    notes: tuple[str, ...]
    example: str  # a short Python call with the required arguments filled in, using its result
    iterator_example: str | None  # the same for its iter_ method, when it pages
    source: SourceRef


@dataclass(frozen=True, slots=True)
class HelperParameter:
    """One argument of a handwritten helper method, as its source declares and documents it."""

    name: str
    annotation: str
    default: str | None  # Python source of the default; None when required
    keyword_only: bool
    description: str


@dataclass(frozen=True, slots=True)
class Helper:
    """A public method of a section's handwritten wing (its `client_mixin`), read from source."""

    name: str
    signature: str  # `def name(self, *, ...) -> Result: ...`, as the source declares it
    returns: str  # the return annotation
    async_form: str  # on the async client: "await" it, "async for" over it, or "call" it as is
    description: str  # the docstring without its Args: section
    parameters: tuple[HelperParameter, ...]
    source: str  # `templates/mwskit/reports/workflows.py:123`


@dataclass(frozen=True, slots=True)
class Section:
    name: str
    module: str  # Python module and MWS attribute name, e.g. fulfillment_inbound_shipment
    client_class: str
    async_client_class: str
    spec_file: str
    version: str
    path: str
    sandbox_path: str | None  # where the section is served in the sandbox (Amazon Pay)
    next_token: str  # wire name of the paging token (NextToken, or NextPageToken)
    next_token_field: str  # python name of the token field in a page's result
    namespace: str
    seller_parameter: str
    seller_parameter_alternatives: tuple[str, ...]
    description: str
    docs_url: str | None
    notes: tuple[str, ...]
    errors: tuple[ErrorCode, ...]  # sorted by code
    error_base: str  # the section's MWSError subclass its generated error classes derive from
    own_error_classes: tuple[str, ...]  # the error classes its models.py defines, sorted
    enums: tuple[EnumType, ...]
    shapes: tuple[Shape, ...]  # dependencies first
    result_shapes: tuple[ResultShape, ...]  # dependencies first
    actions: tuple[Action, ...]  # sorted by name
    models_needs: tuple[tuple[str, str], ...]  # (module, name) its fields' types import
    models_runtime_names: tuple[str, ...]  # what models.py imports from the runtime
    client_imports: tuple[str, ...]  # standard-library import lines client.py needs
    client_package_imports: tuple[str, ...]  # its imports from elsewhere in mwskit
    client_model_names: tuple[str, ...]  # enums and shapes client.py uses from .models
    client_runtime_names: tuple[str, ...]  # what client.py imports from the runtime
    client_type_runtime_names: tuple[str, ...]  # ... for its annotations only
    client_mixin: str | None  # workflows class the sync client inherits (async: Async...)
    package_exports: tuple[PackageExport, ...]  # handwritten names mwskit exports at top level
    example_imports: tuple[str, ...]  # import lines the docs page's examples need
    # The wing's public methods: read from templates/ by the render stage (generator/wings.py),
    # which is the stage that knows the template tree; empty until then.
    helpers: tuple[Helper, ...] = ()
    # models.py's import lines: its fields' types and what the classes' source uses, which the
    # render stage knows (generator/classes.py reads the result base from the runtime).
    models_imports: tuple[str, ...] = ()


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
    version: str  # the generated package's version (`package_version` in marketplaces.yaml)
