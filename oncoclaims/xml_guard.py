"""The one check every XML input goes through before any XML parser sees it.

oncoclaims parses XML with lxml (PubMed, ClinicalTrials.gov XML) and with pyoxigraph
(RDF/XML, in ``ingest``, ``load``, ``validate FILE`` and the Graph Store). pyoxigraph
expands internal entities without limit (a 944-byte file can give a 3-billion-character
literal) and reads a document type declaration even after the root element starts, so
entities are refused here, before either parser runs, by :func:`refuse_xml_entities`:

1. The prolog is read with expat (the standard library's XML parser), which detects the
   encoding as the XML specification says (byte order mark, UTF-16/32 without one, the
   encoding declaration). An encoding expat cannot decode (any multi-byte encoding but
   UTF-8 and UTF-16) is refused: what cannot be read
   cannot be checked. A document type declaration with an internal subset, and any entity
   declaration (general or parameter, internal or external), is refused. A document type
   declaration with an external identifier only (the ``<!DOCTYPE PubmedArticleSet PUBLIC
   ...>`` of every real PubMed file) is let through: no parser oncoclaims uses loads it.
2. The rest of the document, after the start of the root element, is searched for
   ``<!DOCTYPE`` or ``<!ENTITY`` (any case) in UTF-8 and in UTF-16/32 of either byte
   order: such markup is not XML there, but pyoxigraph would read it.

``defusedxml`` was weighed and not used: it guards the standard library's parsers, which
oncoclaims does not parse with, and would parse every document twice in full; expat,
which ``defusedxml`` itself drives, reads only the prolog here.
"""

from __future__ import annotations

from xml.parsers import expat

from oncoclaims.errors import ParseError, SourceLocation

__all__ = ["refuse_xml_entities"]

_FEED = 1 << 16
_CONVERT = (
    "(oncoclaims reads XML in UTF-8, UTF-16 or a one-byte encoding such as ISO-8859-1 "
    "only: it cannot check other encodings for entities); convert the file to UTF-8"
)
_MARKUP = ("doctype", "entity")


_CODECS = ("utf-8", "utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be")


def _late_markup(data: bytes, start: int) -> int | None:
    """The offset of the first ``<!DOCTYPE`` or ``<!ENTITY`` (any case, in any of
    :data:`_CODECS`) at or after ``start``, or ``None``.

    Each ``!`` is found with ``bytes.find`` (a C scan), and after a ``<`` the word after it
    is decoded.
    Every UTF-16/32 form of ``<!`` holds a zero byte, which text in UTF-8 never does:
    without one, only the UTF-8 form is looked for. (197 MiB of MEDLINE: 0.1 s; one
    case-insensitive regular expression over the five encodings took 15 s.)
    """
    wide = data.find(b"\x00", start) >= 0
    for codec in _CODECS if wide else _CODECS[:1]:
        bang, less = "!".encode(codec), "<".encode(codec)
        at = data.find(bang, start)  # "!" is rare in XML, "<" everywhere: memchr finds it fast
        while at >= 0:
            if data[at - len(less):at] == less and at - len(less) >= start:
                word = data[at + len(bang): at + len(bang) + 7 * len(bang)]
                if word.decode(codec, errors="replace").lower().startswith(_MARKUP):
                    return at - len(less)
            at = data.find(bang, at + 1)
    return None


class _PrologDone(Exception):
    """The root element started: the prolog, where a DTD may be, is over."""


class _Refused(Exception):
    def __init__(self, reason: str) -> None:
        self.reason = reason


def _prolog_end(data: bytes, origin: str) -> int:
    """Read the prolog of ``data`` with expat; return the byte offset of the root element."""
    parser = expat.ParserCreate()
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)

    internal_subset = False

    def doctype(name: str, system_id: str | None, public_id: str | None, has_subset: int) -> None:
        nonlocal internal_subset
        internal_subset = bool(has_subset)

    def doctype_end() -> None:
        if internal_subset:
            raise _Refused(
                "the document type declaration has an internal subset, where entities are "
                "declared (an XML bomb or an external entity?)"
            )

    def entity(name: str, is_parameter: int, *_rest: object) -> None:
        kind = "parameter entity" if is_parameter else "entity"
        raise _Refused(
            f"the document type declares entities (the {kind} {name!r}): an XML bomb or an "
            "external entity?"
        )

    def start(*_args: object) -> None:
        raise _PrologDone

    parser.StartDoctypeDeclHandler = doctype
    parser.EndDoctypeDeclHandler = doctype_end
    parser.EntityDeclHandler = entity
    parser.UnparsedEntityDeclHandler = lambda name, *_rest: entity(name, 0)
    parser.StartElementHandler = start
    try:
        for offset in range(0, len(data), _FEED):
            parser.Parse(data[offset:offset + _FEED], False)
        parser.Parse(b"", True)
    except _PrologDone:
        return parser.CurrentByteIndex
    except _Refused as refused:
        raise ParseError(
            SourceLocation(origin, parser.CurrentLineNumber),
            f"{refused.reason}; oncoclaims never reads a DTD or expands entities: "
            "remove the <!DOCTYPE ...> block",
        ) from None
    except (ValueError, LookupError) as exc:  # a multi-byte encoding; a name Python lacks
        raise ParseError(SourceLocation(origin, 1), f"{exc} {_CONVERT}") from None
    except expat.ExpatError as exc:
        where = SourceLocation(origin, exc.lineno, exc.offset + 1)
        if exc.code in (expat.errors.codes[expat.errors.XML_ERROR_UNKNOWN_ENCODING],
                        expat.errors.codes[expat.errors.XML_ERROR_INCORRECT_ENCODING]):
            raise ParseError(
                where,
                f"{expat.errors.messages[exc.code]}: {_CONVERT}",
            ) from None
        if exc.code == expat.errors.codes[expat.errors.XML_ERROR_NO_ELEMENTS] or exc.offset is None:
            raise ParseError(
                where, "the XML ends before it is complete; is the file truncated?"
            ) from None
        raise ParseError(where, f"invalid XML: {expat.errors.messages[exc.code]}") from None
    raise ParseError(SourceLocation(origin), "no XML element found")


def refuse_xml_entities(data: bytes, origin: str) -> None:
    """Refuse ``data`` if any XML parser could expand an entity in it (module docstring).

    Call before handing ``data`` to any XML parser; costs one read of the prolog and a
    byte search of the rest.

    :raises ParseError: naming the file and line, for a DTD with an internal subset, an
        entity declaration anywhere, an encoding that cannot be checked, or a prolog that
        is not XML.
    """
    late = _late_markup(data, _prolog_end(data, origin))
    if late is not None:
        raise ParseError(
            SourceLocation(origin, data.count(b"\n", 0, late) + 1),
            "a <!DOCTYPE or <!ENTITY declaration after the root element starts (not XML, "
            "and a way to declare entities); oncoclaims never expands entities: remove it",
        )
