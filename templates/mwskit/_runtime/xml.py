"""Hardened XML parsing and the local names of parsed elements.

MWS responses never carry a DTD, so any document type declaration or entity declaration is
refused before parsing: this stops external entities and entity-expansion bombs outright.
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
