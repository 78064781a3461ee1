"""Ingest: the registry of input formats and :func:`ingest`, the one place that reads files.

Every format is an :class:`~oncoclaims.ingest.base.Ingester` registered in
:data:`INGESTERS`. :func:`ingest` reads a file, picks the format from its content (the
suffix is only a tie-breaker), parses every record, and writes all their quads plus a
provenance record in one atomic ``store.extend``: a file is ingested whole or not at all.
With ``keep_going=True`` a bad record is skipped with a warning instead.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from pyoxigraph import Literal, NamedNode, Quad

from oncoclaims.errors import FormatError, ParseError, RecordError, SourceLocation
from oncoclaims.graph.store import ClaimStore
from oncoclaims.ingest.articles import (
    DOI_BASE,
    adopt_known_articles,
    article_dois,
    doi_nodes,
    known_articles,
    moved_article_quads,
    remove_moved,
)
from oncoclaims.ingest.base import Ingester, SourceRecord
from oncoclaims.ingest.claims_table import ClaimsTableIngester
from oncoclaims.ingest.context import IngestContext, read_context
from oncoclaims.ingest.crossref import CrossrefIngester
from oncoclaims.ingest.ctgov_classic import ClinicalTrialsClassicIngester
from oncoclaims.ingest.ctgov_v2 import ClinicalTrialsJsonIngester
from oncoclaims.ingest.ctgov_xml import ClinicalTrialsXmlIngester
from oncoclaims.ingest.factchecks import ClaimReviewIngester, HealthFcIngester
from oncoclaims.ingest.institutions import MATCHES_GRAPH, NamedInstitution, candidate_match_quads
from oncoclaims.ingest.news import (
    FakeHealthNewsIngester,
    NewsHtmlIngester,
    NewsTextIngester,
    SubmittedStoryIngester,
)
from oncoclaims.ingest.openfda import OpenFdaIngester
from oncoclaims.ingest.pubmed import PubmedIngester
from oncoclaims.ingest.rdf import RdfIngester
from oncoclaims.ingest.reading import MAX_INPUT_BYTES, read_input, shown_path, too_large
from oncoclaims.ingest.updates import StaleValues
from oncoclaims.iris import mint_iri
from oncoclaims.reference import PROVENANCE_GRAPH
from oncoclaims.vocab import OC, PROV, RDF, SCHEMA

__all__ = [
    "INGESTERS",
    "MAX_INPUT_BYTES",
    "RECORD_WINDOW",
    "IngestContext",
    "IngestReport",
    "Ingester",
    "SourceRecord",
    "detect_format",
    "ingest",
    "ingest_bytes",
    "provenance_quads",
    "read_input",
    "shown_path",
]

#: Every input format, by the name a user types. Order matters for detection: the
#: first ingester whose ``sniff`` accepts the content wins. An ingester with
#: ``fallback = True`` (plain text) is tried only when no other one accepts it.
INGESTERS: dict[str, Ingester] = {
    ingester.name: ingester
    for ingester in (
        ClaimReviewIngester(),
        RdfIngester(),
        ClinicalTrialsJsonIngester(),
        ClinicalTrialsClassicIngester(),
        ClinicalTrialsXmlIngester(),
        PubmedIngester(),
        CrossrefIngester(),
        OpenFdaIngester(),
        HealthFcIngester(),
        ClaimsTableIngester(),
        NewsHtmlIngester(),
        FakeHealthNewsIngester(),
        SubmittedStoryIngester(),
        NewsTextIngester(),
    )
}


#: Records mapped before the store is asked what it knows of them (the graphs they write,
#: the DOIs they name): the lookups of a window are one query per kind, on a server one
#: request each, instead of one per record (docs/deployment.md, "Ingest on a server").
RECORD_WINDOW = 1_000


@dataclass(slots=True)
class IngestReport:
    """What one ingested input gave: its format, records, new quads and warnings.

    ``values_replaced``: old values of records ingested before that the new versions
    replaced (:mod:`oncoclaims.ingest.updates`).
    """

    origin: str
    format: str
    records: int = 0
    quads_added: int = 0
    skipped: int = 0
    warnings: list[str] = field(default_factory=list)
    values_replaced: int = 0


def detect_format(data: bytes, origin: str) -> Ingester:
    """Pick the ingester for ``data``: by content first, the file suffix breaking ties.

    :raises FormatError: when the input is empty or no ingester recognises it.
    """
    if not data.strip():
        raise FormatError(f"{origin}: the file is empty; nothing to ingest")
    suffix = Path(origin).suffix.lower()
    matches = [
        ing for ing in INGESTERS.values()
        if not getattr(ing, "fallback", False) and ing.sniff(data, origin)
    ] or [ing for ing in INGESTERS.values() if getattr(ing, "fallback", False) and ing.sniff(data, origin)]
    if not matches:
        names = ", ".join(INGESTERS)
        raise FormatError(
            f"{origin}: cannot tell what format this is; the formats oncoclaims reads are "
            f"{names}. Name one with --format if the content is one of them."
        )
    for ingester in matches:
        if suffix in ingester.suffixes:
            return ingester
    return matches[0]


def provenance_quads(graphs: set[NamedNode], data: bytes, origin: str) -> Iterator[Quad]:
    """Record, in the provenance graph, that each of ``graphs`` was derived from this input."""
    digest = hashlib.sha256(data).hexdigest()
    document = mint_iri("document", digest)
    yield Quad(document, RDF.type, OC.InputDocument, PROVENANCE_GRAPH)
    yield Quad(document, OC.sha256, Literal(digest), PROVENANCE_GRAPH)
    yield Quad(document, OC.path, Literal(origin), PROVENANCE_GRAPH)
    for graph in sorted(graphs, key=lambda g: g.value):
        yield Quad(graph, PROV.wasDerivedFrom, document, PROVENANCE_GRAPH)


def _named_institutions(quads: list[Quad]) -> Iterator[NamedInstitution]:
    """The name-keyed institutions among one record's quads (see ``ingest.institutions``)."""
    names: dict[NamedNode, str] = {}
    countries: dict[NamedNode, str] = {}
    normalised, country = OC.normalisedName, SCHEMA.addressCountry
    for quad in quads:
        predicate = quad.predicate
        if predicate == normalised:
            names[quad.subject] = quad.object.value
        elif predicate == country:
            countries[quad.subject] = quad.object.value
    for node, name in names.items():
        yield NamedInstitution(node, name, countries.get(node))


def ingest_bytes(
    data: bytes,
    origin: str,
    store: ClaimStore,
    *,
    fmt: str | None = None,
    keep_going: bool = False,
    on_record: Callable[[SourceRecord], None] | None = None,
    context: IngestContext | None = None,
) -> IngestReport:
    """Ingest ``data`` (read from ``origin``) into ``store`` as one atomic batch.

    :param fmt: the format name; detected from the content when ``None``.
    :param context: what an ingester with a ``with_context`` method may know of the
        store (therapy names); read from ``store`` when ``None``.
    :param keep_going: skip a bad record with a warning instead of failing the batch.
    :param on_record: called after each record is mapped (for progress bars).
    :returns: the report; ``quads_added`` is 0 when the same input was ingested before.
    :raises IngestError: (``FormatError``, ``ParseError``, ``RecordError``) with the
        location; nothing of the batch is written then.
    """
    try:
        return _ingest_bytes(data, origin, store, fmt, keep_going, on_record, context)
    except RecursionError:
        # Any parser (JSON in a sniffer, YAML, a mapping walking nested values) may recurse.
        raise ParseError(
            SourceLocation(origin),
            "the input is nested deeper than oncoclaims reads (past Python's recursion "
            "limit); no real record nests so deep: is the file damaged or hostile?",
        ) from None


def _ingest_bytes(
    data: bytes,
    origin: str,
    store: ClaimStore,
    fmt: str | None,
    keep_going: bool,
    on_record: Callable[[SourceRecord], None] | None,
    context: IngestContext | None,
) -> IngestReport:
    if len(data) > MAX_INPUT_BYTES:
        raise too_large(origin, len(data))
    if fmt is None:
        ingester = detect_format(data, origin)
    else:
        try:
            ingester = INGESTERS[fmt]
        except KeyError:
            raise FormatError(
                f"unknown format {fmt!r}; the formats oncoclaims reads are {', '.join(INGESTERS)}"
            ) from None
        if not data.strip():
            raise FormatError(f"{origin}: the file is empty; nothing to ingest")
    with_context = getattr(ingester, "with_context", None)
    if with_context is not None:
        ingester = with_context(context if context is not None else read_context(store))
    report = IngestReport(origin=origin, format=ingester.name)
    graphs: set[NamedNode] = set()
    institutions: list[NamedInstitution] = []
    # one node per article across PubMed and Crossref (ingest/articles.py)
    adopts_articles = isinstance(ingester, CrossrefIngester)
    moves_articles = isinstance(ingester, PubmedIngester)
    article_nodes: dict[str, NamedNode] = {}  # DOI -> PubMed node, for the PubMed articles in this batch
    stale = StaleValues(store, (PROVENANCE_GRAPH, MATCHES_GRAPH))  # values a new version replaces

    def window(mapped: list[tuple[SourceRecord, list[Quad]]]) -> Iterator[Quad]:
        # what the store knows of a window of records: one query per kind, not per record
        if adopts_articles:
            dois = (node.value.removeprefix(DOI_BASE) for _, q in mapped for node in doi_nodes(q))
            known = known_articles(store, dois)
            mapped = [(record, adopt_known_articles(quads, known)) for record, quads in mapped]
        stale.note((record.graph, quads) for record, quads in mapped)
        for _, quads in mapped:
            institutions.extend(_named_institutions(quads))
            if moves_articles:
                article_nodes.update(article_dois(quads))
            yield from quads

    def batch() -> Iterator[Quad]:
        records = ingester.records(data, origin)
        mapped: list[tuple[SourceRecord, list[Quad]]] = []
        while True:
            try:
                record = next(records)
                quads = list(ingester.to_quads(record))
            except StopIteration:
                break
            except RecordError as exc:
                if not keep_going:
                    raise
                report.skipped += 1
                report.warnings.append(f"skipped: {exc}")
                continue
            report.records += 1
            report.warnings.extend(f"{record.location}: {w}" for w in record.warnings)
            graphs.add(record.graph)
            mapped.append((record, quads))
            if on_record is not None:
                on_record(record)
            if len(mapped) >= RECORD_WINDOW:
                yield from window(mapped)
                mapped = []
        yield from window(mapped)
        if report.records == 0:
            raise RecordError(SourceLocation(origin), f"no usable {ingester.name} record found")
        # Not in the provenance record: a match depends on every input naming its members.
        yield from candidate_match_quads(institutions, store)
        yield from moved_article_quads(article_nodes, store)
        yield from provenance_quads(graphs, data, origin)

    report.quads_added = store.extend(batch(), origin)
    if article_nodes:
        report.quads_added -= remove_moved(article_nodes, store)
    report.values_replaced = stale.remove()
    return report


def ingest(
    path: str | Path,
    store: ClaimStore,
    *,
    fmt: str | None = None,
    keep_going: bool = False,
    on_record: Callable[[SourceRecord], None] | None = None,
) -> IngestReport:
    """Read the file at ``path`` and ingest it into ``store`` as one atomic batch.

    See :func:`ingest_bytes` for the parameters and errors.

    The file may be a FIFO or a special file: at most ``MAX_INPUT_BYTES`` + 1 bytes are
    read (:func:`~oncoclaims.ingest.reading.read_input`). Its name, as errors and the
    provenance record give it, shows bytes that are not UTF-8 as ``\\xNN``.

    :raises IngestError: also when the file cannot be read or is over the limit.
    """
    data = read_input(path)
    return ingest_bytes(
        data, shown_path(path), store, fmt=fmt, keep_going=keep_going, on_record=on_record
    )
