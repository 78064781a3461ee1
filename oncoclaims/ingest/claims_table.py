"""The curated claims table: how a journalist or curator records claims by hand.

A CSV file (or YAML, a list of mappings with the same keys) with one row per claim
statement, evidence link or party tie. Columns are documented one by one, with a worked
example, in ``docs/claims-table.md``; a blank cell means "not stated". Every row is
checked before anything is written: an unknown source type, study type, claim type or
relation, or a sample size that is not a whole number, is an error naming the file, the
line and the column, with the allowed values.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from typing import Any, ClassVar

import yaml
from pyoxigraph import Literal, NamedNode, Quad

from oncoclaims.errors import ParseError, RecordError, SourceLocation
from oncoclaims.graph.basis import CURATED_LINKS, basis_quads
from oncoclaims.ingest.base import SourceRecord
from oncoclaims.ingest.institutions import CURATED, institution_quads
from oncoclaims.ingest.json_input import decode_text
from oncoclaims.iris import mint_graph_iri, mint_iri, normalise_key
from oncoclaims.vocab import CITO, DCTERMS, OA, OC, PREFIXES, PROV, RDF, RDFS, SCHEMA, XSD

__all__ = ["CLAIM_TYPES", "COLUMNS", "LIST_SEPARATOR", "QUOTE_SEPARATOR", "RELATIONS", "SOURCE_TYPES", "STUDY_TYPES", "ClaimsTableIngester", "row_quads"]

COLUMNS = (
    "claim_text", "claim_type", "therapy", "population", "indication", "claimant",
    "source_url", "source_type", "source_title", "source_publisher", "source_date", "quote", "derived_from",
    "evidence_label", "evidence_study_type", "evidence_sample_size", "evidence_relation", "evidence_reported_in",
    "evidence_sponsors", "evidence_funders", "evidence_authors", "evidence_author_institutions",
    "party", "party_part_of", "party_funded_by", "party_controlled_by",
    "basis_quote", "basis_reason",
)
#: Separates the names in one cell of the columns that take several (``evidence_authors``...).
LIST_SEPARATOR = ";"
#: Separates the quotes of ``basis_quote`` when a row rests on several.
QUOTE_SEPARATOR = " | "
CLAIM_TYPES = ("efficacy", "safety", "availability", "regulatory", "mechanism", "trial-status", "absence-of-evidence")
SOURCE_TYPES = ("news-article", "press-release", "official-statement", "peer-reviewed-article", "preprint",
                "trial-registration", "trial-results", "regulatory-decision", "conference-abstract",
                "social-media-post", "fact-check")
STUDY_TYPES = ("in-vitro", "animal", "case-report", "early-human-trial", "phase-1", "observational", "phase-2",
               "non-randomised-controlled", "phase-3", "phase-4", "randomised-controlled", "systematic-review",
               "meta-analysis", "narrative-review", "regulatory-decision", "other")
POPULATIONS = ("humans", "animals", "mice", "cells")
RELATIONS = {"supports": CITO.supports, "disputes": CITO.disputes, "inconclusive": OC.inconclusiveFor}
_CURATED = {PREFIXES[c.split(":", 1)[0]] + c.split(":", 1)[1] for c in CURATED_LINKS}
_CHOICES = {"claim_type": CLAIM_TYPES, "source_type": SOURCE_TYPES, "evidence_study_type": STUDY_TYPES,
            "evidence_relation": tuple(RELATIONS), "population": POPULATIONS}


def _check(row: dict[str, str], location: SourceLocation) -> None:
    unknown = [key for key in row if key not in COLUMNS]
    if unknown:
        raise RecordError(location, f"unknown column(s) {', '.join(unknown)}; the columns are {', '.join(COLUMNS)}")
    for column, allowed in _CHOICES.items():
        value = row.get(column, "")
        if value and value not in allowed:
            raise RecordError(location, f"column {column}: {value!r} is not one of {', '.join(allowed)}")
    size = row.get("evidence_sample_size", "")
    if size and not size.isdigit():
        raise RecordError(location, f"column evidence_sample_size: {size!r} is not a whole number")
    date = row.get("source_date", "")
    if date and not re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", date):
        raise RecordError(location, f"column source_date: {date!r} is not YYYY, YYYY-MM or YYYY-MM-DD")
    if row.get("claim_text") and not row.get("therapy"):
        raise RecordError(location, "column therapy: a claim needs the therapy it is about")
    if row.get("evidence_label") and not (row.get("evidence_relation") and row.get("claim_text")):
        raise RecordError(location, "an evidence row needs evidence_relation and the claim_text it bears on")
    study = [k for k in ("evidence_sponsors", "evidence_funders", "evidence_authors") if row.get(k)]
    if study and not row.get("evidence_label"):
        raise RecordError(location, f"column {study[0]}: who did a study goes on the row of its evidence_label")
    if row.get("evidence_authors") and not row.get("evidence_reported_in"):
        raise RecordError(location, "column evidence_authors: authors are the authors of evidence_reported_in; name it")
    if row.get("evidence_author_institutions") and not row.get("evidence_authors"):
        raise RecordError(location, "column evidence_author_institutions: the institutions of evidence_authors; name them")
    if row.get("basis_reason") and not (row.get("basis_quote") or row.get("quote")):
        raise RecordError(location, "column basis_reason: an inference joins quotes; give them in basis_quote")
    if not any(row.get(k) for k in ("claim_text", "evidence_label", "party")):
        raise RecordError(location, "the row names no claim, evidence or party")


def _institution(name: str, graph: NamedNode) -> tuple[NamedNode, list[Quad]]:
    # A curator's name is one node across curated inputs (see ingest.institutions).
    return institution_quads(name, graph, scope=CURATED)


def _names(cell: str) -> list[str]:
    """The names in a cell, separated by ``;``."""
    return [name.strip() for name in cell.split(LIST_SEPARATOR) if name.strip()]


def _person(name: str, graph: NamedNode) -> tuple[NamedNode, list[Quad]]:
    # A curator's name is one person across curated inputs, as institutions are.
    person = mint_iri("person", CURATED, normalise_key(name))
    return person, [Quad(person, RDF.type, OC.Person, graph), Quad(person, RDFS.label, Literal(name), graph)]


def _date(value: str) -> Literal:
    kind = {4: XSD.gYear, 7: XSD.gYearMonth}.get(len(value), XSD.date)
    return Literal(value, datatype=kind)


def row_quads(row: dict[str, str], graph: NamedNode, location: SourceLocation) -> Iterator[Quad]:
    """Map one checked row to quads; pure.

    Every link the row makes that the confirmation engine reads gets the row's basis:
    stated by ``basis_quote`` (else ``quote``), or inferred when ``basis_reason`` is given
    (oncoclaims/graph/basis.py). A row with neither gets none, and ``validate`` warns.
    """
    _check(row, location)
    quads = list(_row_links(row, graph))
    yield from quads
    quotes = [q.strip() for q in (row.get("basis_quote") or row.get("quote", "")).split(QUOTE_SEPARATOR) if q.strip()]
    if not quotes:
        return
    document = row.get("source_url") or row.get("source_title") or row.get("evidence_reported_in")
    for quad in quads:
        if quad.predicate.value in _CURATED and isinstance(quad.object, NamedNode):
            yield from basis_quads((quad.subject, quad.predicate, quad.object), graph, quotes=quotes,
                                   reason=row.get("basis_reason"), document=document)


def _row_links(row: dict[str, str], graph: NamedNode) -> Iterator[Quad]:

    def q(s: NamedNode, p: NamedNode, o: NamedNode | Literal) -> Quad:
        return Quad(s, p, o, graph)

    claim = None
    if text := row.get("claim_text"):
        therapy = mint_iri("therapy", normalise_key(row["therapy"]))
        claim = mint_iri("claim", normalise_key(row["therapy"], text))
        yield from (q(therapy, RDF.type, OC.Therapy), q(therapy, RDFS.label, Literal(row["therapy"])))
        yield from (q(claim, RDF.type, OC.Claim), q(claim, SCHEMA.text, Literal(text)), q(claim, OC.about, therapy),
                    q(claim, RDFS.label, Literal(text)))
        if row.get("claim_type"):
            yield q(claim, OC.claimType, OC["claim-" + row["claim_type"]])
        if row.get("population"):
            yield q(claim, OC.population, OC["population-" + row["population"]])
        if row.get("indication"):
            yield q(claim, OC.indication, Literal(row["indication"]))
        if row.get("claimant"):
            party, quads = _institution(row["claimant"], graph)
            yield from quads
            yield q(claim, OC.claimedBy, party)
    if url := row.get("source_url") or row.get("source_title"):
        source = mint_iri("source", url)  # a source without a URL is known by its title
        yield q(source, RDF.type, OC.Source)
        if row.get("source_url"):
            yield q(source, SCHEMA.url, Literal(row["source_url"]))
        if row.get("source_type"):
            yield q(source, OC.sourceType, OC["source-" + row["source_type"]])
        if row.get("source_title"):
            yield q(source, DCTERMS.title, Literal(row["source_title"]))
        if row.get("source_date"):
            yield q(source, DCTERMS.date, _date(row["source_date"]))
        if row.get("source_publisher"):
            publisher, quads = _institution(row["source_publisher"], graph)
            yield from quads
            yield q(source, DCTERMS.publisher, publisher)
        if row.get("derived_from"):
            earlier = mint_iri("source", row["derived_from"])
            yield from (q(earlier, RDF.type, OC.Source), q(source, PROV.wasDerivedFrom, earlier))
            if not row["derived_from"].startswith(("http://", "https://")):
                yield q(earlier, DCTERMS.title, Literal(row["derived_from"]))
        if claim is not None and not row.get("evidence_label"):
            statement = mint_iri("statement", claim.value, url)
            target = mint_iri("statement", claim.value, url, "target")
            yield from (q(statement, RDF.type, OC.ClaimStatement), q(statement, OA.hasBody, claim),
                        q(statement, OA.hasTarget, target), q(target, RDF.type, OA.SpecificResource),
                        q(target, OA.hasSource, source))
            if quote := row.get("quote"):
                selector = mint_iri("statement", claim.value, url, "quote")
                yield from (q(target, OA.hasSelector, selector), q(selector, RDF.type, OA.TextQuoteSelector),
                            q(selector, OA.exact, Literal(quote)))
    if (label := row.get("evidence_label")) and claim is not None:
        evidence = mint_iri("evidence", normalise_key(label))
        yield from (q(evidence, RDF.type, OC.Evidence), q(evidence, RDFS.label, Literal(label)))
        yield q(evidence, RELATIONS[row["evidence_relation"]], claim)
        if row.get("evidence_study_type"):
            yield q(evidence, OC.studyType, OC["study-" + row["evidence_study_type"]])
        if row.get("evidence_sample_size"):
            yield q(evidence, OC.sampleSize, Literal(int(row["evidence_sample_size"])))
        for column, predicate in (("evidence_sponsors", OC.sponsor), ("evidence_funders", OC.funder)):
            for name in _names(row.get(column, "")):
                party, quads = _institution(name, graph)
                yield from quads
                yield q(evidence, predicate, party)
        if row.get("evidence_reported_in"):
            report = mint_iri("source", row["evidence_reported_in"])
            yield from (q(report, RDF.type, OC.Source), q(evidence, OC.reportedIn, report))
            affiliations = []
            for name in _names(row.get("evidence_author_institutions", "")):
                institution, quads = _institution(name, graph)
                yield from quads
                affiliations.append(institution)
            for name in _names(row.get("evidence_authors", "")):
                person, quads = _person(name, graph)
                yield from quads
                yield q(report, DCTERMS.creator, person)
                yield from (q(person, SCHEMA.affiliation, institution) for institution in affiliations)
    if name := row.get("party"):
        party, quads = _institution(name, graph)
        yield from quads
        for column, predicate in (("party_part_of", OC.partOf), ("party_funded_by", OC.fundedBy),
                                  ("party_controlled_by", OC.controlledBy)):
            if other_name := row.get(column):
                other, quads = _institution(other_name, graph)
                yield from quads
                yield q(party, predicate, other)


def _delimiter(header: str) -> str | None:
    """The delimiter of a claims-table CSV, read from its header line: a comma, or the
    semicolon or tab that spreadsheets write in many locales; ``None`` if it is no such header.

    >>> _delimiter("claim_text;therapy;claimant")
    ';'
    """
    fields = header.lstrip("\ufeff").strip()
    for delimiter in (",", ";", "\t"):
        if "claim_text" in (name.strip().strip('"') for name in fields.split(delimiter)):
            return delimiter
    return None


class ClaimsTableIngester:
    """The curated claims table, as CSV or YAML (columns in ``docs/claims-table.md``)."""

    name: ClassVar[str] = "claims-table"
    suffixes: ClassVar[tuple[str, ...]] = (".csv", ".yaml", ".yml")

    def sniff(self, data: bytes, origin: str) -> bool:
        """A CSV header or YAML keys from the claims-table columns."""
        head = data[:4096].decode("utf-8", errors="replace")
        if _delimiter(head.split("\n", 1)[0]) is not None:
            return True
        return bool(re.search(r"^\s*-\s*(claim_text|party|evidence_label)\s*:", head, re.M))

    def records(self, data: bytes, origin: str) -> Iterator[SourceRecord]:
        """One record per row (CSV) or list item (YAML), located by line."""
        text = decode_text(data, origin)
        graph = mint_graph_iri("table", origin.rsplit("/", 1)[-1])
        if text.lstrip().startswith("-") or origin.endswith((".yaml", ".yml")):
            yield from self._yaml(text, origin, graph)
            return
        delimiter = _delimiter(text.split("\n", 1)[0]) or ","
        reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter)
        for index, row in enumerate(reader, start=1):
            cleaned = {k.strip(): (v or "").strip() for k, v in row.items() if k is not None}
            yield SourceRecord(location=SourceLocation(origin, reader.line_num, None, f"row {index}"),
                               kind="claims-table-row", data={k: v for k, v in cleaned.items() if v}, graph=graph)

    def _yaml(self, text: str, origin: str, graph: NamedNode) -> Iterator[SourceRecord]:
        try:
            node = yaml.compose(text, Loader=yaml.SafeLoader)
            items = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            where = SourceLocation(origin, mark.line + 1, mark.column + 1) if mark else SourceLocation(origin)
            raise ParseError(where, f"invalid YAML: {getattr(exc, 'problem', exc)}") from exc
        if not isinstance(items, list):
            raise ParseError(SourceLocation(origin, 1), "a claims table in YAML is a list of rows (- claim_text: ...)")
        for index, (item, item_node) in enumerate(zip(items, node.value, strict=True), start=1):
            location = SourceLocation(origin, item_node.start_mark.line + 1, None, f"row {index}")
            if not isinstance(item, dict):
                raise RecordError(location, "each row is a mapping of column: value")
            row: dict[str, Any] = {str(k): str(v).strip() for k, v in item.items() if v is not None and str(v).strip()}
            yield SourceRecord(location=location, kind="claims-table-row", data=row, graph=graph)

    def to_quads(self, record: SourceRecord) -> Iterator[Quad]:
        """Map one row (pure, see :func:`row_quads`)."""
        return row_quads(record.data, record.graph, record.location)
