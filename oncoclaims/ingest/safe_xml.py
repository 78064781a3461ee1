"""XML parsing that never expands entities, loads a DTD or touches the network.

Two entry points share the same guarantees and error messages:

- :func:`parse_safe_xml` parses a whole document into a tree (small inputs);
- :func:`iter_safe_xml` streams the record elements of a large document one at a time
  and frees each one after the caller is done with it, so memory stays bounded by one
  record, not by the file.

Either refuses a DTD that could declare entities (an XML bomb or an external entity)
before parsing anything (:func:`oncoclaims.xml_guard.refuse_xml_entities`, the check every
XML input goes through), and names a truncated file as truncated.
"""

from __future__ import annotations

import io
from collections.abc import Iterator

from lxml import etree

from oncoclaims.errors import ParseError, SourceLocation
from oncoclaims.xml_guard import refuse_xml_entities

__all__ = ["iter_safe_xml", "parse_safe_xml"]

_OPTIONS = {
    "resolve_entities": False,
    "no_network": True,
    "load_dtd": False,
    "huge_tree": False,
    "remove_comments": True,
}


def _syntax_error(exc: etree.XMLSyntaxError, data: bytes, origin: str) -> ParseError:
    where = SourceLocation(origin, *exc.position) if exc.position else SourceLocation(origin)
    message = str(exc).lower()
    at_end = bool(exc.position) and exc.position[0] >= data.rstrip().count(b"\n") + 1
    truncated = at_end or "premature end" in message or "end of data" in message
    hint = "invalid XML"
    if truncated:
        hint = "the XML ends before it is complete; is the file truncated?"
    return ParseError(where, f"{hint}: {exc.msg}")


def parse_safe_xml(data: bytes, origin: str) -> etree._Element:
    """Parse ``data`` as XML without expanding entities or touching the network.

    :returns: the root element.
    :raises ParseError: for a document type that declares entities (XML bomb, external
        entity), or XML that does not parse, with the line and column.
    """
    refuse_xml_entities(data, origin)
    try:
        root = etree.fromstring(data, etree.XMLParser(**_OPTIONS))
    except etree.XMLSyntaxError as exc:
        raise _syntax_error(exc, data, origin) from exc
    if root is None:
        raise ParseError(SourceLocation(origin, 1), "no XML element found")
    return root


def iter_safe_xml(data: bytes, origin: str, tags: tuple[str, ...]) -> Iterator[etree._Element]:
    """Yield each element named in ``tags`` (at any depth, outermost only) as it is parsed.

    The element is complete when yielded; once the caller asks for the next one it is
    cleared and detached, with everything parsed before it. The root element is yielded
    itself when its name is one of ``tags`` (a file holding a single record).

    :raises ParseError: as :func:`parse_safe_xml`; a syntax error surfaces when the
        parser reaches it, after the records before it were yielded.
    """
    refuse_xml_entities(data, origin)
    events = etree.iterparse(io.BytesIO(data), events=("start", "end"), tag=tags, **_OPTIONS)
    depth_inside = 0
    try:
        for event, element in events:
            if event == "start":
                depth_inside += 1
                continue
            depth_inside -= 1
            if depth_inside:
                continue
            yield element
            parent = element.getparent()
            element.clear(keep_tail=False)
            if parent is not None:
                while element.getprevious() is not None:
                    del parent[0]
                del parent[0]
    except etree.XMLSyntaxError as exc:
        raise _syntax_error(exc, data, origin) from exc
