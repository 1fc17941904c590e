"""Hardened XML parsing and the local names of parsed elements.

MWS responses never carry a DTD, so any document type declaration or entity declaration is
refused before parsing: this stops external entities and entity-expansion bombs outright.
`exceeds_node_limit` bounds what a parse may build (elements, attributes, comments and
processing instructions: each costs a tree node and, read, a Python object) without building it.
"""

from __future__ import annotations

import re

from lxml import etree

from .errors import ResponseParseError

_PARSER = etree.XMLParser(
    resolve_entities=False,
    no_network=True,
    load_dtd=False,
    dtd_validation=False,
    huge_tree=False,
    remove_blank_text=True,
)

_BODY_PREVIEW = 200

# The default namespace declared on the root element. Every reader here matches local names,
# so dropping it before parsing changes no result, and every tag gets shorter to build and hash.
_ROOT_NAMESPACE = re.compile(rb'(\s*(?:<\?xml[^>]*\?>\s*)?<[A-Za-z_][\w.-]*)\s+xmlns="[^"]*"')


def _without_root_namespace(body: bytes) -> bytes:
    found = _ROOT_NAMESPACE.match(body)  # anchored: never scans the whole body
    return body if found is None else found.group(1) + body[found.end() :]


class _TooMany(Exception):
    pass


class _NodeCounter:
    """An lxml parser target that counts what a tree would hold and builds nothing."""

    __slots__ = ("count", "limit")

    def __init__(self, limit: int) -> None:
        self.count = 0
        self.limit = limit

    def _add(self, nodes: int) -> None:
        self.count += nodes
        if self.count > self.limit:
            raise _TooMany

    def start(self, tag: str | bytes, attrib: dict[str | bytes, str | bytes]) -> None:
        self._add(1 + len(attrib))

    def end(self, tag: str | bytes) -> None:
        pass

    def data(self, data: str | bytes) -> None:
        pass

    def comment(self, text: str | bytes) -> None:
        self._add(1)

    def pi(self, target: str | bytes, data: str | bytes | None = None) -> None:
        self._add(1)

    def close(self) -> int:
        return self.count


# The fewest bytes a node takes: `<a/>` for an element, ` a=""` for an attribute, `<!---->` or
# `<?a?>` for a comment or processing instruction.
_MIN_NODE_BYTES = 4


def exceeds_node_limit(body: bytes, limit: int) -> bool:
    """Whether parsing `body` would build more than `limit` nodes: elements, attributes,
    comments and processing instructions.

    Cheap first: a body too short to hold that many is fine unseen; otherwise one count of
    `<` (minus `</`) and `=` bytes bounds the nodes from above (each node has one of them, in
    any of UTF-8, UTF-16 or UTF-32). Only a body over that bound is counted exactly, by a
    parser target that builds nothing, and it stops at the first node over the limit.
    """
    if len(body) <= limit * _MIN_NODE_BYTES:
        return False
    if body.count(b"<") - body.count(b"</") + body.count(b"=") <= limit:
        return False
    counter = _NodeCounter(limit)
    parser = etree.XMLParser(
        target=counter, resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False
    )
    try:
        etree.fromstring(body, parser)
    except _TooMany:
        return True
    except etree.XMLSyntaxError:
        pass  # malformed: the parse proper says where; what came before it was counted
    return counter.count > limit


def preview(body: bytes) -> str:
    """The start of a body for an error message, decoded leniently."""
    text = body[:_BODY_PREVIEW].decode("utf-8", errors="replace")
    return text + ("..." if len(body) > _BODY_PREVIEW else "")


def parse_xml(body: bytes, *, status_code: int | None = None) -> etree._Element:
    """Parse a response body; ResponseParseError when it is malformed or declares a DTD."""
    if b"<!DOCTYPE" in body or b"<!ENTITY" in body:
        raise ResponseParseError(
            "the response declares a DTD or entities, which MWS never sends; refused",
            status_code=status_code,
        )
    try:
        root = etree.fromstring(_without_root_namespace(body), _PARSER)
    except etree.XMLSyntaxError as error:
        raise ResponseParseError(
            f"the response is not well-formed XML ({error.msg}): {preview(body)!r}",
            status_code=status_code,
        ) from None
    # The byte scan above misses declarations in other encodings (UTF-16); the parser does not.
    docinfo = root.getroottree().docinfo
    if docinfo.internalDTD is not None:
        raise ResponseParseError(
            "the response declares a DTD or entities, which MWS never sends; refused",
            status_code=status_code,
        )
    return root


def local_tag(tag: object) -> str:
    """`{namespace}Name` -> `Name`; "" for comments and processing instructions (no str tag)."""
    return tag[tag.rfind("}") + 1 :] if isinstance(tag, str) else ""


def local_name(element: etree._Element) -> str:
    return local_tag(element.tag)


def child_text(element: etree._Element, name: str) -> str | None:
    for child in element:
        if local_name(child) == name:
            return child.text or ""
    return None
