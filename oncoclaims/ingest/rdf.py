"""RDF files in any syntax pyoxigraph reads: Turtle, TriG, N-Triples, N-Quads, JSON-LD, RDF/XML.

The whole file is one record. Triples outside a named graph go to a graph minted from the
file's content hash, so each loaded file keeps its statements apart and loading the same
file twice changes nothing. Blank nodes become IRIs named after the file's content hash and
the order in which they first appear (Skolem IRIs,
:func:`~oncoclaims.graph.blank_nodes.skolem_iris`): pyoxigraph gives an anonymous node
(``[ ]`` in Turtle, a nested description in RDF/XML or JSON-LD) a random name on every
parse, and keeps a label such as ``_:b0`` as it is, so without renaming a second load of
the same file would add its anonymous nodes again, and two files that both say ``_:b0``
would share one node; and a SPARQL server mints new blank nodes for every request, so only
an IRI is the same node on every backend.

Files of up to :data:`VALIDATE_UP_TO` quads are checked against the SHACL shapes; each
violation becomes a warning of the ingest report (the data is still loaded: a curator
may be adding the missing facts in the next file). ``oncoclaims validate`` checks any size.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

import pyoxigraph as ox

from oncoclaims.errors import FormatError, SourceLocation
from oncoclaims.graph.blank_nodes import skolem_iris
from oncoclaims.graph.store import RDF_FORMATS, parse_rdf
from oncoclaims.ingest.base import SourceRecord
from oncoclaims.iris import mint_graph_iri

__all__ = ["VALIDATE_UP_TO", "RdfIngester"]

#: Larger files are loaded without the (slow, in-memory) SHACL check.
VALIDATE_UP_TO = 20_000

_RDF_SUFFIXES = (".ttl", ".trig", ".nt", ".nq", ".jsonld", ".rdf", ".owl", ".n3")


def _guess_format(data: bytes, origin: str) -> ox.RdfFormat | None:
    suffix = Path(origin).suffix.lower()
    if suffix in _RDF_SUFFIXES:
        return RDF_FORMATS[suffix]
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith((b"@prefix", b"PREFIX", b"@base", b"BASE", b"prefix")):
        return ox.RdfFormat.TRIG
    if head.startswith(b"<?xml") and b"rdf:RDF" in head or head.startswith(b"<rdf:RDF"):
        return ox.RdfFormat.RDF_XML
    return None


class RdfIngester:
    """Reads an RDF file of any syntax pyoxigraph parses."""

    name: ClassVar[str] = "rdf"
    suffixes: ClassVar[tuple[str, ...]] = _RDF_SUFFIXES

    def sniff(self, data: bytes, origin: str) -> bool:
        """Whether ``data`` starts like Turtle/TriG or RDF/XML, or has an RDF suffix and is not JSON or XML of another kind."""
        if _guess_format(data, "") is not None:
            return True
        head = data[:64].lstrip(b"\xef\xbb\xbf \t\r\n")
        if Path(origin).suffix.lower() == ".jsonld":
            return head.startswith((b"{", b"["))
        return Path(origin).suffix.lower() in _RDF_SUFFIXES and not head.startswith((b"{", b"[", b"<?xml"))

    def records(self, data: bytes, origin: str) -> Iterator[SourceRecord]:
        """Parse the whole file; its triples become one record."""
        fmt = _guess_format(data, origin)
        if fmt is None:
            raise FormatError(
                f"{origin}: cannot tell which RDF syntax this is; give the file a suffix "
                f"({', '.join(_RDF_SUFFIXES)})"
            )
        digest = hashlib.sha256(data).hexdigest()
        graph = mint_graph_iri("rdf", Path(origin).name, digest[:16])
        quads = tuple(skolem_iris(parse_rdf(data, fmt, origin, graph=graph), digest[:24]))
        warnings = []
        if len(quads) <= VALIDATE_UP_TO:
            from oncoclaims.ontology import ontology_quads, validate_quads

            report = validate_quads([*quads, *ontology_quads()])
            warnings = list(dict.fromkeys(f"shape {v}" for v in report.violations if v.severity == "Violation"))
        yield SourceRecord(
            location=SourceLocation(origin, record_id=Path(origin).name),
            kind="rdf-document",
            data=quads,
            graph=graph,
            warnings=tuple(warnings),
        )

    def to_quads(self, record: SourceRecord) -> Iterator[ox.Quad]:
        """Return the parsed quads as they are."""
        yield from record.data
