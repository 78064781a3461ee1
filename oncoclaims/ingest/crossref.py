"""Crossref REST API works (``/works/{doi}``): one work, a ``message.items`` list, or a bare work.

Each work becomes a source (``mint_iri("doi", DOI)``) in a named graph of its own: its
type (journal articles are peer-reviewed articles, posted content preprints), title,
journal (an institution of kind journal keyed by its first ISSN, as PubMed records key
theirs), issued date, DOI and its doi.org link, authors (keyed by ORCID when given), and
funders with their award numbers (``oc:funder``, ``oc:grantId``). Update relations:
``update-to`` on a notice marks the work it updates as retracted or corrected;
``updated-by`` on a work does the same from the other side.

A work that PubMed also holds is a separate node here (keyed by DOI rather than PMID);
both carry the same ``rdfs:seeAlso`` doi.org IRI.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any, ClassVar

from pyoxigraph import Literal, NamedNode, Quad

from oncoclaims.errors import RecordError, SourceLocation
from oncoclaims.ingest.base import SourceRecord
from oncoclaims.ingest.institutions import IDENTIFIER_SCHEMES, institution_quads
from oncoclaims.ingest.json_input import decode_text, load_json
from oncoclaims.iris import canonical_iri, mint_graph_iri, mint_iri
from oncoclaims.vocab import DCTERMS, OC, RDF, RDFS, SCHEMA, XSD

__all__ = ["CrossrefIngester", "work_quads"]

_SOURCE_TYPES = {"journal-article": "source-peer-reviewed-article", "posted-content": "source-preprint",
                 "proceedings-article": "source-conference-abstract"}
_RETRACTION = {"retraction", "removal", "withdrawal"}
_CORRECTION = {"correction", "erratum", "corrigendum", "addendum", "clarification"}


def _first(values: object) -> str | None:
    if isinstance(values, list) and values and isinstance(values[0], str):
        return values[0].strip() or None
    return values.strip() or None if isinstance(values, str) else None


def _key(text: str) -> str:
    return " ".join(re.sub(r"[^\w\s]", " ", text.lower()).split())


def _affiliation_identifier(affiliation: dict[str, Any]) -> tuple[str, str] | None:
    """A ROR (or other registry) id from a Crossref affiliation's ``id`` list."""
    for entry in affiliation.get("id") or []:
        if isinstance(entry, dict) and isinstance(entry.get("id"), str):
            scheme = str(entry.get("id-type", "")).lower()
            if scheme in IDENTIFIER_SCHEMES:
                return scheme, entry["id"]
    return None


def _issued(work: dict[str, Any]) -> Literal | None:
    parts = ((work.get("issued") or {}).get("date-parts") or [[None]])[0]
    if not parts or not isinstance(parts[0], int):
        return None
    if len(parts) >= 3:
        return Literal(f"{parts[0]:04d}-{parts[1]:02d}-{parts[2]:02d}", datatype=XSD.date)
    if len(parts) == 2:
        return Literal(f"{parts[0]:04d}-{parts[1]:02d}", datatype=XSD.gYearMonth)
    return Literal(f"{parts[0]:04d}", datatype=XSD.gYear)


def work_quads(work: dict[str, Any], location: SourceLocation) -> Iterator[Quad]:
    """Map one Crossref work to quads; pure.

    :raises RecordError: when the work has no DOI.
    """
    doi = work.get("DOI")
    if not isinstance(doi, str) or not doi.strip():
        raise RecordError(location, "the work has no DOI; every Crossref work needs one")
    doi = doi.strip().lower()
    graph = mint_graph_iri("doi", doi)
    source = mint_iri("doi", doi)
    scope = "doi:" + doi

    def q(subject: NamedNode, predicate: NamedNode, obj: NamedNode | Literal) -> Quad:
        return Quad(subject, predicate, obj, graph)

    yield q(source, RDF.type, OC.Source)
    yield q(source, OC.sourceType, OC[_SOURCE_TYPES.get(work.get("type", ""), "source-peer-reviewed-article")])
    yield q(source, OC.doi, Literal(doi))
    yield q(source, RDFS.seeAlso, canonical_iri("doi", doi))
    if title := _first(work.get("title")):
        yield q(source, DCTERMS.title, Literal(title))
    if (issued := _issued(work)) is not None:
        yield q(source, DCTERMS.date, issued)
    journal_title = _first(work.get("container-title"))
    issn = _first(work.get("ISSN"))
    if journal_title or issn:
        journal, described = institution_quads(
            journal_title or issn or "", graph, scope=scope, identifier=("issn", issn) if issn else None
        )
        yield q(source, DCTERMS.publisher, journal)
        yield from described
        yield q(journal, OC.institutionKind, OC["kind-journal"])
    for author in work.get("author") or []:
        name = " ".join(p for p in (author.get("given"), author.get("family")) if p) or author.get("name")
        if not name:
            continue
        orcid = (author.get("ORCID") or "").rsplit("/", 1)[-1] or None
        person = mint_iri("person", "orcid", orcid) if orcid else mint_iri("person", _key(name), "doi", doi)
        yield q(source, DCTERMS.creator, person)
        yield q(person, RDF.type, OC.Person)
        yield q(person, RDFS.label, Literal(name))
        if orcid:
            yield q(person, OC.orcid, Literal(orcid))
        for affiliation in author.get("affiliation") or []:
            if isinstance(affiliation, dict) and (text := (affiliation.get("name") or "").strip()):
                institution, described = institution_quads(
                    text, graph, scope=scope, identifier=_affiliation_identifier(affiliation)
                )
                yield q(person, SCHEMA.affiliation, institution)
                yield from described
    for funder in work.get("funder") or []:
        name = (funder.get("name") or "").strip()
        if not name:
            continue
        funder_doi = funder.get("DOI") if isinstance(funder.get("DOI"), str) else None
        node, described = institution_quads(
            name, graph, scope=scope, identifier=("funder-doi", funder_doi) if funder_doi else None
        )
        yield q(source, OC.funder, node)
        yield from described
        for award in funder.get("award") or []:
            yield q(source, OC.grantId, Literal(str(award)))
    for update in work.get("update-to") or []:
        yield from _update(q, target=mint_iri("doi", str(update.get("DOI", "")).lower()), notice=source, kind=update.get("type"))
    for update in work.get("updated-by") or []:
        yield from _update(q, target=source, notice=mint_iri("doi", str(update.get("DOI", "")).lower()), kind=update.get("type"))


def _update(q, *, target: NamedNode, notice: NamedNode, kind: object) -> Iterator[Quad]:
    if not isinstance(kind, str) or target == notice:
        return
    if kind.lower() in _RETRACTION:
        yield q(target, OC.retracted, Literal(True))
        yield q(target, OC.retractedBy, notice)
    elif kind.lower() in _CORRECTION:
        yield q(target, OC.correctedBy, notice)
    else:
        return
    for node in (target, notice):
        yield q(node, RDF.type, OC.Source)


class CrossrefIngester:
    """Crossref REST API work records (JSON)."""

    name: ClassVar[str] = "crossref-json"
    suffixes: ClassVar[tuple[str, ...]] = (".json",)

    def sniff(self, data: bytes, origin: str) -> bool:
        """A JSON object with Crossref's ``message-type`` or a bare work with DOI and ``reference-count``."""
        head = data[:2048]
        return head.lstrip().startswith(b"{") and (b'"message-type"' in head or (b'"DOI"' in data[:65536] and b'"reference-count"' in data[:65536]))

    def records(self, data: bytes, origin: str) -> Iterator[SourceRecord]:
        """One record per work."""
        body = load_json(decode_text(data, origin), origin)
        if not isinstance(body, dict):
            raise RecordError(SourceLocation(origin, 1), "expected a Crossref JSON object")
        message = body.get("message", body)
        works = message.get("items") if isinstance(message, dict) and "items" in message else [message]
        for index, work in enumerate(works or [], start=1):
            doi = work.get("DOI") if isinstance(work, dict) else None
            location = SourceLocation(origin, None, None, doi or f"#{index}")
            if not isinstance(work, dict):
                raise RecordError(location, "a Crossref work must be a JSON object")
            yield SourceRecord(location=location, kind="crossref-work", data=work,
                               graph=mint_graph_iri("doi", (doi or f"missing-{index}").lower()))

    def to_quads(self, record: SourceRecord) -> Iterator[Quad]:
        """Map one work to quads (pure, see :func:`work_quads`)."""
        return work_quads(record.data, record.location)
