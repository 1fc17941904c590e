"""Hostile answers: DTDs, entities and bombs refused in bounded time and memory; huge numbers."""

from __future__ import annotations

import dataclasses
import resource
import time
import tracemalloc

import pytest
from lxml import etree
from runtime_helpers.answers import (
    DOCTYPE_ALONE,
    XXE,
    _libxml_message,
    answering,
    catch,
    list_orders,
)

from mwskit import MWSError, ResponseParseError

# --- Hostile XML ---------------------------------------------------------------------------

REFUSED = "the response declares a DTD or entities, which MWS never sends; refused"


def _bomb(levels: int = 10) -> str:
    lines = ['<!ENTITY ha "haha">']
    for level in range(1, levels):
        previous = f"&ha{level - 1};" if level > 1 else "&ha;"
        lines.append(f'<!ENTITY ha{level} "{previous * 10}">')
    return (
        f"<!DOCTYPE ListOrdersResponse [\n{chr(10).join(lines)}\n]>\n"
        f"<ListOrdersResponse><ListOrdersResult><NextToken>&ha{levels - 1};</NextToken>"
        f"</ListOrdersResult></ListOrdersResponse>"
    )


BILLION_LAUGHS = ('<?xml version="1.0"?>\n' + _bomb()).encode()
PARAMETER_ENTITY = (
    b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY % fetch SYSTEM "http://127.0.0.1:9/evil.dtd">'
    b" %fetch;]><ListOrdersResponse/>"
)
PARAMETER_ENTITY_INLINE = (
    b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY % inner "<!ENTITY boom \'kaboom\'>"> %inner;]>'
    b"<ListOrdersResponse><ListOrdersResult><NextToken>&boom;</NextToken></ListOrdersResult>"
    b"</ListOrdersResponse>"
)
UTF16_XXE = (
    '<?xml version="1.0" encoding="UTF-16"?>'
    '<!DOCTYPE ListOrdersResponse [<!ENTITY leak SYSTEM "file:///etc/passwd">]>'
    "<ListOrdersResponse><ListOrdersResult><NextToken>&leak;</NextToken></ListOrdersResult>"
    "</ListOrdersResponse>"
).encode("utf-16")
UTF16_DTD_ALONE = (
    '<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE ListOrdersResponse><ListOrdersResponse/>'
).encode("utf-16")


@pytest.mark.parametrize(
    "body",
    [
        XXE,
        BILLION_LAUGHS,
        DOCTYPE_ALONE,
        PARAMETER_ENTITY,
        PARAMETER_ENTITY_INLINE,
        UTF16_XXE,
        UTF16_DTD_ALONE,
    ],
    ids=[
        "external entity",
        "billion laughs",
        "doctype alone",
        "external parameter entity",
        "inline parameter entity",
        "utf-16 external entity",
        "utf-16 doctype",
    ],
)
def test_hostile_xml_is_refused(body: bytes) -> None:
    error = catch(ResponseParseError, lambda: list_orders(answering(200, body)()))
    assert error.message == REFUSED
    assert error.code is None
    assert error.status_code == 200
    assert str(error) == f"ResponseParseError: {REFUSED} (HTTP 200)"
    assert "root:" not in str(error)


def test_utf16_billion_laughs_is_a_response_parse_error() -> None:
    # The byte scan cannot see a UTF-16 DTD; libxml2's amplification limit stops the bomb.
    body = ('<?xml version="1.0" encoding="UTF-16"?>\n' + _bomb()).encode("utf-16")
    error = catch(ResponseParseError, lambda: list_orders(answering(200, body)()))
    assert error.status_code == 200
    preview = body[:200].decode("utf-8", errors="replace") + "..."
    expected = f"the response is not well-formed XML ({_libxml_message(body)}): {preview!r}"
    assert error.message == expected
    assert "haha" * 100 not in str(error)


@pytest.mark.parametrize(
    "body",
    [
        XXE,
        BILLION_LAUGHS,
        PARAMETER_ENTITY,
        UTF16_XXE,
        ('<?xml version="1.0" encoding="UTF-16"?>\n' + _bomb()).encode("utf-16"),
        ('<?xml version="1.0"?>\n' + _bomb(12)).encode(),
    ],
    ids=[
        "external entity",
        "billion laughs",
        "parameter entity",
        "utf-16 xxe",
        "utf-16 bomb",
        "deeper bomb",
    ],
)
def test_hostile_xml_uses_bounded_memory_and_time(body: bytes) -> None:
    mws = answering(200, body)()
    max_rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    tracemalloc.start()
    started = time.perf_counter()
    try:
        with pytest.raises(ResponseParseError):
            list_orders(mws)
        elapsed = time.perf_counter() - started
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    grown = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - max_rss_before
    assert peak < 2 * 1024 * 1024, peak  # Python allocations
    assert grown < 32 * 1024, grown  # the whole process (libxml2 included): an expansion is GBs
    assert elapsed < 1.0, elapsed


def test_hostile_xml_in_an_error_status_is_not_parsed() -> None:
    error = catch(MWSError, lambda: list_orders(answering(400, XXE)()))
    assert type(error) is MWSError
    shown = XXE[:200].decode() + "..."
    assert str(error) == f"MWSError: unexpected non-XML error body: {shown!r} (HTTP 400)"
    assert "root:" not in str(error)


def test_hostile_long_numbers_are_refused_quickly() -> None:
    """int(Decimal("1e1000000")) would build a million-digit integer; the parser refuses first."""
    import time

    from mwskit._runtime.results import ResultField, ResultShapeSpec, read_shape

    @dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
    class Count:
        count: int | None = None

    spec = ResultShapeSpec(Count, (ResultField("count", "Count", "integer"),))
    started = time.perf_counter()
    for text in ("1e1000000", "9" * 5000):
        element = etree.fromstring(f"<R><Count>{text}</Count></R>".encode())
        with pytest.raises(ResponseParseError):
            read_shape(element, spec)
    assert time.perf_counter() - started < 0.5
