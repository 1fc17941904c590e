"""The sandbox's answers: its XML writer read back by the client parser, and every action."""

from __future__ import annotations

import dataclasses
import enum
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from lxml import etree
from sandbox_helpers import ALL_OPERATIONS, make_client, text

import mwskit
from mwskit._runtime import SAME_SHAPE, Operation, Param, ResultField, ResultShapeSpec
from mwskit._runtime.descriptors import STRUCTURE, ThrottlingSpec
from mwskit._runtime.response import parse_response
from mwskit._runtime.results import ATTRIBUTE, TEXT, MWSResult
from mwskit.sandbox import SECTIONS, SandboxServer, amazon_pay
from mwskit.sandbox.answers import response_document

# ---------------------------------------------------------------- the XML writer


class Colour(enum.Enum):
    RED = "Red"
    BLUE = "Blue"


@dataclasses.dataclass(frozen=True, kw_only=True)
class Money:
    currency: str | None = None
    amount: Decimal | None = None


@dataclasses.dataclass(frozen=True, kw_only=True)
class Node:
    name: str = ""
    parent: Node | None = None


@dataclasses.dataclass(frozen=True, kw_only=True)
class Thing(MWSResult):
    count: int | None = None
    price: Money | None = None
    when: datetime | None = None
    day: date | None = None
    flag: bool | None = None
    colour: Colour | str = ""
    tags: list[str] = dataclasses.field(default_factory=list)
    prices: list[Money] = dataclasses.field(default_factory=list)
    node: Node | None = None


MONEY = ResultShapeSpec(
    Money,
    (
        ResultField("currency", "currency", "string", source=ATTRIBUTE),
        ResultField("amount", "Amount", "decimal", source=TEXT),
    ),
)
NODE = ResultShapeSpec(
    Node,
    (
        ResultField("name", "Name", "string"),
        ResultField("parent", "Parent", "structure", shape=SAME_SHAPE),
    ),
)
THING = ResultShapeSpec(
    Thing,
    (
        ResultField("count", "Count", "integer"),
        ResultField("price", "Price", "structure", shape=MONEY),
        ResultField("when", "When", "datetime"),
        ResultField("day", "Day", "date"),
        ResultField("flag", "Flag", "boolean"),
        ResultField("colour", "Colour", "string", enum=Colour),
        ResultField("tags", "Tags", "string", is_list=True, item="member"),
        ResultField("prices", "Prices", "structure", shape=MONEY, is_list=True),
        ResultField("node", "Node", "structure", shape=NODE),
    ),
)


def thing_operation(shape: ResultShapeSpec, *, root: bool = False) -> Operation[Any]:
    return Operation(
        "GetThing",
        "get_thing",
        (),
        ThrottlingSpec(1, 1.0, "GetThing"),
        True,
        "GetThingResult",
        shape.cls,
        result_shape=shape,
        result_is_root=root,
    )


def test_xml_writer_reads_back_through_the_client_parser() -> None:
    import random

    body = response_document(
        "GetThing", "urn:x", "req-1", "GetThingResult", THING, random.Random(3)
    )
    result = parse_response(thing_operation(THING), 200, {}, body)
    assert isinstance(result, Thing)
    assert result.request_id == "req-1"
    assert isinstance(result.count, int)
    assert result.price is not None and isinstance(result.price.amount, Decimal)
    assert result.price.currency == "USD"
    assert result.when is not None and result.when.tzinfo is not None
    assert isinstance(result.day, date) and isinstance(result.flag, bool)
    assert result.colour is Colour.RED
    assert len(result.tags) == 2 and all(isinstance(tag, str) and tag for tag in result.tags)
    assert len(result.prices) == 2
    assert result.node is not None and result.node.parent is not None
    assert result.node.parent.parent is None  # a self-reference is written once
    again = response_document(
        "GetThing", "urn:x", "req-1", "GetThingResult", THING, random.Random(3)
    )
    assert again == body
    overridden = response_document(
        "GetThing",
        "urn:x",
        "req-1",
        "GetThingResult",
        THING,
        random.Random(3),
        {"Count": 7, "Colour": Colour.BLUE, "Prices": [{"Amount": Decimal("1.50")}], "Node": None},
    )
    parsed = parse_response(thing_operation(THING), 200, {}, overridden)
    assert (parsed.count, parsed.colour, parsed.node) == (7, Colour.BLUE, None)
    assert [price.amount for price in parsed.prices] == [Decimal("1.50")]


def test_xml_writer_repeated_results() -> None:
    import random

    @dataclasses.dataclass(frozen=True, kw_only=True)
    class Many(MWSResult):
        results: list[Money] = dataclasses.field(default_factory=list)

    many = ResultShapeSpec(
        Many, (ResultField("results", "GetThingResult", "structure", shape=MONEY, is_list=True),)
    )
    body = response_document(
        "GetThing", "urn:x", "r", "GetThingResult", many, random.Random(0), result_is_root=True
    )
    result = parse_response(thing_operation(many, root=True), 200, {}, body)
    assert len(result.results) == 2 and all(
        isinstance(item.amount, Decimal) for item in result.results
    )


# ---------------------------------------------------------------- every action of every section


MARKETPLACE = "ATVPDKIKX0DER"


def sample_argument(param: Param, now: datetime) -> Any:
    if param.kind == STRUCTURE:
        assert param.shape is not None
        fields = [field for field in param.shape.fields if field.required]
        value: Any = {
            field.python_name: sample_argument(field, now)
            for field in fields or param.shape.fields[:1]
        }
    elif param.values is not None:
        value = sorted(param.values)[0]
    elif param.kind == "integer":
        value = int(param.min_value) if param.min_value is not None else 1
        if param.max_value is not None:
            value = min(value, int(param.max_value))
    elif param.kind == "decimal":
        value = Decimal(str(param.min_value)) if param.min_value is not None else Decimal("9.99")
    elif param.kind == "boolean":
        value = True
    elif param.kind == "datetime":
        value = now - timedelta(days=1)
    elif param.kind == "date":
        value = (now - timedelta(days=1)).date()
    elif "marketplace" in param.name.lower():
        value = MARKETPLACE
    else:
        value = f"{param.name}1"
        if param.min_length is not None and len(value) < param.min_length:
            value = value.ljust(param.min_length, "0")
        if param.max_length is not None:
            value = value[: param.max_length]
    return [value] if param.is_list else value


def sample_arguments(operation: Operation[Any], now: datetime) -> dict[str, Any]:
    wanted = {param.python_name for param in operation.params if param.required}
    for rule in operation.constraints:
        if rule.kind == "exactly_one_of" and not wanted & set(rule.parameters):
            wanted.add(rule.parameters[0])
    arguments = {
        param.python_name: sample_argument(param, now)
        for param in operation.params
        if param.python_name in wanted
    }
    if operation.body is not None:
        arguments[operation.body.python_name] = b"sku\tquantity\r\nSKU-1\t3\r\n"
    return arguments


def test_sections_cover_every_generated_operation() -> None:
    modules = [name for name in mwskit.__all__ if hasattr(getattr(mwskit, name), "client")]
    count = 0
    for module in modules:
        ops = __import__(f"mwskit.{module}._operations", fromlist=["_operations"])
        count += sum(isinstance(value, Operation) for value in vars(ops).values())
    assert len(ALL_OPERATIONS) == count
    assert len(SECTIONS) == len(modules)


def test_every_action_answers(server: SandboxServer) -> None:
    now = datetime.now(UTC)
    mws = make_client(server.url, seller_id="A1SMOKE")
    # State for the stateful lists: two feeds, two finished reports; lists then ask for one item
    # per page, so each has a NextToken for its ByNextToken companion.
    for _ in range(2):
        mws.feeds.submit_feed(feed_type="_POST_PRODUCT_DATA_", feed_content=b"a\n")
        mws.reports.request_report(report_type="_GET_FLAT_FILE_OPEN_LISTINGS_DATA_")
    for _ in range(3):
        mws.reports.get_report_request_list()
        feeds = mws.feeds.get_feed_submission_list()
    # The document actions answer only for IDs this seller got: a finished feed and report.
    real_ids = {
        "GetFeedSubmissionResult": {
            "feed_submission_id": feeds.feed_submission_info[0].feed_submission_id
        },
        "GetReport": {"report_id": mws.reports.get_report_list().report_info[0].report_id},
    }
    modules = {
        getattr(mwskit, name)._operations.SECTION.name: name
        for name in mwskit.__all__
        if hasattr(getattr(mwskit, name), "_operations")
    }
    tokens: dict[str, str] = {}
    companions = {op.next_token_action: op.name for _, op in ALL_OPERATIONS if op.next_token_action}
    failures = []
    ordered = sorted(ALL_OPERATIONS, key=lambda pair: pair[1].name in companions)
    for section, operation in ordered:
        if section.name == amazon_pay.SECTION and operation.name in amazon_pay.HANDLERS:
            continue  # state machines: tests/amazon_pay/test_sandbox_payments.py calls each one
        client = getattr(mws, modules[section.name])
        arguments = sample_arguments(operation, now)
        if operation.next_token_action and any(p.name == "MaxCount" for p in operation.params):
            arguments["max_count"] = 1
        if operation.name in companions:
            token = next(p for p in operation.params if p.name == section.next_token)
            arguments[token.python_name] = tokens[f"{section.name}.{companions[operation.name]}"]
        arguments.update(real_ids.get(operation.name, {}))
        try:
            result = getattr(client, operation.method)(**arguments)
        except Exception as error:  # collect every failure, then report them all
            failures.append(f"{section.name}.{operation.name}: {error!r}")
            continue
        if operation.document:
            assert isinstance(result, mwskit.Document) and result.md5_verified
            continue
        assert isinstance(result, MWSResult)
        root = etree.fromstring(result.body)
        assert etree.QName(root).localname == f"{operation.name}Response"
        assert etree.QName(root).namespace == section.namespace
        if operation.next_token_action:
            tokens[f"{section.name}.{operation.name}"] = text(result, section.next_token)
    mws.close()
    assert "\n".join(failures) == ""
