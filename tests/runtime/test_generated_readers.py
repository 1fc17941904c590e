"""The generated per-shape readers (<section>/_readers.py) read every answer exactly as the
generic `read_shape` reads the same shape's `ResultShapeSpec` table: same results, same errors."""

from __future__ import annotations

import dataclasses
import random
from typing import Any

import pytest
from lxml import etree

from mwskit._runtime import Operation
from mwskit._runtime.errors import MWSError
from mwskit._runtime.response import parse_response
from mwskit._runtime.results import _MAX_REMEMBERED_TAGS
from mwskit.orders import _operations as orders_ops
from mwskit.orders import _readers as orders_readers
from mwskit.sandbox import SECTIONS
from mwskit.sandbox.answers import response_document

READ = [
    (section, operation)
    for section, operations in SECTIONS
    for operation in operations
    if operation.reader is not None
]


def outcome(operation: Operation[Any], body: bytes) -> Any:
    try:
        return parse_response(operation, 200, {"x-mws-request-id": "r"}, body)
    except MWSError as error:
        return (type(error), str(error))


def both(operation: Operation[Any], body: bytes) -> tuple[Any, Any]:
    return outcome(operation, body), outcome(dataclasses.replace(operation, reader=None), body)


def test_every_shape_with_a_result_has_a_generated_reader() -> None:
    with_shape = [op for _, ops in SECTIONS for op in ops if op.result_shape is not None]
    assert with_shape and all(op.reader is not None for op in with_shape)


@pytest.mark.parametrize(
    ("section", "operation"), READ, ids=[f"{s.name}.{op.name}" for s, op in READ]
)
def test_generated_reader_reads_as_the_table(section: Any, operation: Operation[Any]) -> None:
    for seed in range(3):
        for generate in (True, False):
            body = response_document(
                operation.name,
                section.namespace,
                "req-1",
                operation.result_element,
                operation.result_shape,
                random.Random(f"{seed}/{operation.name}"),
                result_is_root=operation.result_is_root,
                generate=generate,
            )
            generated, generic = both(operation, body)
            assert generated == generic


def _renamed(body: bytes, namespace: str | None) -> bytes:
    """Every element below the root in `namespace`, with a comment and a PI beside each."""
    root = etree.fromstring(body)
    for element in list(root.iter())[1:]:
        if not isinstance(element.tag, str):
            continue
        local = etree.QName(element).localname
        element.tag = local if namespace is None else f"{{{namespace}}}{local}"
        element.addprevious(etree.Comment("note"))
        element.addprevious(etree.ProcessingInstruction("pi", "x"))
    return etree.tostring(root)


def test_children_in_any_namespace_are_read_by_local_name() -> None:
    body = response_document(
        "ListOrders",
        orders_ops.SECTION.namespace,
        "req-1",
        "ListOrdersResult",
        orders_ops.LIST_ORDERS.result_shape,
        random.Random(7),
    )
    plain = outcome(orders_ops.LIST_ORDERS, body)
    assert not isinstance(plain, tuple) and plain.orders
    for namespace in ("urn:other", None):
        renamed = _renamed(body, namespace)
        generated, generic = both(orders_ops.LIST_ORDERS, renamed)
        assert generated == generic == plain


def test_a_missing_required_value_is_refused_as_before() -> None:
    body = (
        b'<ListOrdersResponse xmlns="urn:x"><ListOrdersResult><Orders><Order>'
        b"<PurchaseDate>2017-02-20T19:49:35Z</PurchaseDate></Order></Orders>"
        b"</ListOrdersResult></ListOrdersResponse>"
    )
    generated, generic = both(orders_ops.LIST_ORDERS, body)
    assert generated == generic
    assert generated[1] == (
        "ResponseParseError: ListOrdersResponse/ListOrdersResult/Orders/Order/AmazonOrderId is "
        "missing or empty: Order.amazon_order_id is always sent by MWS (the docs mark it required)"
    )


def test_a_bad_value_is_refused_as_before() -> None:
    body = (
        b"<ListOrdersResponse><ListOrdersResult><Orders><Order>"
        b"<AmazonOrderId>1</AmazonOrderId><NumberOfItemsShipped>two</NumberOfItemsShipped>"
        b"</Order></Orders></ListOrdersResult></ListOrdersResponse>"
    )
    generated, generic = both(orders_ops.LIST_ORDERS, body)
    assert generated == generic
    assert "Order.number_of_items_shipped (NumberOfItemsShipped) should be an integer" in (
        generated[1]
    )


def test_the_readers_tag_memo_is_bounded() -> None:
    slots = orders_readers._GET_SERVICE_STATUS_RESULT_SLOTS
    noise = "".join(f"<Noise{i}/><n:Noise{i} xmlns:n='urn:n'/>" for i in range(3000))
    body = (
        "<GetServiceStatusResponse><GetServiceStatusResult>"
        f"<Status>GREEN</Status>{noise}</GetServiceStatusResult></GetServiceStatusResponse>"
    ).encode()
    result = parse_response(orders_ops.GET_SERVICE_STATUS, 200, {}, body)
    assert result.status == "GREEN"
    assert len(slots) <= _MAX_REMEMBERED_TAGS
    assert slots["Status"] >= 0


def test_the_collector_is_paused_while_reading_and_restored_after() -> None:
    import gc

    seen: list[bool] = []
    reader = orders_ops.LIST_ORDERS.reader
    assert reader is not None

    def spying(element: Any, extra: Any) -> Any:
        seen.append(gc.isenabled())
        return reader(element, extra)

    spy = dataclasses.replace(orders_ops.LIST_ORDERS, reader=spying)
    body = b"<ListOrdersResponse><ListOrdersResult/></ListOrdersResponse>"
    assert gc.isenabled()
    parse_response(spy, 200, {}, body)
    assert seen == [False] and gc.isenabled()
    with pytest.raises(MWSError):
        parse_response(spy, 200, {}, b"<ListOrdersResponse><ListOrdersResult>")
    assert gc.isenabled()
    gc.disable()
    try:
        parse_response(spy, 200, {}, body)
        assert not gc.isenabled()  # a program that turned it off keeps it off
    finally:
        gc.enable()
