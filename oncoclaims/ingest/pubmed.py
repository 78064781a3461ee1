"""PubMed / MEDLINE XML: ``<PubmedArticleSet>`` (E-utilities efetch, PubMed downloads)
and ``<MedlineCitationSet>`` (MEDLINE update files).

Each citation becomes a source (``mint_iri("pubmed", PMID)``: the same node a
ClinicalTrials.gov reference to that PMID points at) in a named graph of its own:

- the article: type (peer-reviewed article; preprint or conference abstract when its
  publication types say so), title, journal (an institution of kind journal, keyed by
  ISSN when given), date as precise as the record gives it, PMID, DOI, PMC id, links to
  pubmed.ncbi.nlm.nih.gov and doi.org, MeSH headings;
- authors as persons (keyed by ORCID when given, else by name and PMID: two articles'
  "J Smith" are not assumed to be one person), with their affiliations as institutions;
- grants: each agency an institution, ``oc:funder`` of the article, award in ``oc:grantId``;
- the study it reports, when its publication types name a design: an evidence node with
  the study type of the strongest design named (a randomised controlled trial outranks
  its phase), reported in the article;
- DataBank ClinicalTrials.gov numbers: the trial (``mint_iri("trial", NCT)``) is reported
  in the article;
- corrections: RetractionIn / "Retracted Publication" mark it retracted (with the notice),
  RetractionOf marks the retracted article, ErratumIn gives ``oc:correctedBy``, CommentIn
  a citing comment.

DTDs and entities are never loaded or expanded (see :mod:`oncoclaims.ingest.safe_xml`); the file
is streamed one article at a time.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import ClassVar

from lxml import etree
from pyoxigraph import Literal, NamedNode, Quad

from oncoclaims.errors import RecordError, SourceLocation
from oncoclaims.ingest.base import SourceRecord
from oncoclaims.ingest.ctgov_values import clean_text
from oncoclaims.ingest.institutions import IDENTIFIER_SCHEMES, institution_quads
from oncoclaims.ingest.safe_xml import iter_safe_xml
from oncoclaims.iris import canonical_iri, mint_graph_iri, mint_iri
from oncoclaims.vocab import CITO, DCTERMS, OC, RDF, RDFS, SCHEMA, XSD

__all__ = ["STUDY_TYPES", "PubmedIngester", "pubmed_quads"]

#: Publication type -> study type, strongest design first (the first one found wins).
STUDY_TYPES: tuple[tuple[str, str], ...] = (
    ("Meta-Analysis", "study-meta-analysis"),
    ("Systematic Review", "study-systematic-review"),
    ("Randomized Controlled Trial", "study-randomised-controlled"),
    ("Clinical Trial, Phase III", "study-phase-3"),
    ("Clinical Trial, Phase IV", "study-phase-4"),
    ("Controlled Clinical Trial", "study-non-randomised-controlled"),
    ("Clinical Trial, Phase II", "study-phase-2"),
    ("Clinical Trial, Phase I", "study-phase-1"),
    ("Observational Study", "study-observational"),
    ("Case Reports", "study-case-report"),
    ("Clinical Trial", "study-other"),
    ("Review", "study-narrative-review"),
)
_SOURCE_TYPES = {"Preprint": "source-preprint", "Congress": "source-conference-abstract"}
_MONTHS = {m: i for i, m in enumerate(
    ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], start=1)}
_ROOTS = (b"<PubmedArticleSet", b"<MedlineCitationSet", b"<PubmedArticle", b"<MedlineCitation")
_NCT = re.compile(r"^NCT\d{8}$")
_RECORD_TAGS = ("PubmedArticle", "MedlineCitation", "PubmedBookArticle")


def _text(element: etree._Element | None, path: str) -> str | None:
    if element is None:
        return None
    found = element.find(path)
    if found is None:
        return None
    text = found.text if len(found) == 0 else "".join(found.itertext())
    return " ".join(text.split()) or None if text else None


def _date(pub_date: etree._Element | None) -> Literal | None:
    year = _text(pub_date, "Year")
    if not year or not year.isdigit():
        return None
    month_text = (_text(pub_date, "Month") or "").lower()[:3]
    month = int(month_text) if month_text.isdigit() else _MONTHS.get(month_text)
    day = _text(pub_date, "Day")
    if month and day and day.isdigit():
        return Literal(f"{year}-{month:02d}-{int(day):02d}", datatype=XSD.date)
    if month:
        return Literal(f"{year}-{month:02d}", datatype=XSD.gYearMonth)
    return Literal(year, datatype=XSD.gYear)


def _name_key(text: str) -> str:
    return " ".join(re.sub(r"[^\w\s]", " ", text.lower()).split())


def pubmed_quads(citation: etree._Element, article_ids: dict[str, str], location: SourceLocation) -> Iterator[Quad]:
    """Map one ``MedlineCitation`` (and the ``PubmedData`` ids) to quads; pure.

    :raises RecordError: when the citation has no PMID.
    """
    pmid = _text(citation, "PMID")
    if not pmid or not pmid.isdigit():
        raise RecordError(location, "the citation has no PMID; every PubMed record needs one")
    graph = mint_graph_iri("pubmed", pmid)
    source = mint_iri("pubmed", pmid)
    scope = "pubmed:" + pmid

    def q(subject: NamedNode, predicate: NamedNode, obj: NamedNode | Literal) -> Quad:
        return Quad(subject, predicate, obj, graph)

    article = citation.find("Article")
    types = [clean_text(t.text) or "" for t in citation.iterfind("Article/PublicationTypeList/PublicationType")]
    yield q(source, RDF.type, OC.Source)
    source_type = next((_SOURCE_TYPES[t] for t in types if t in _SOURCE_TYPES), "source-peer-reviewed-article")
    yield q(source, OC.sourceType, OC[source_type])
    yield q(source, OC.pmid, Literal(pmid))
    yield q(source, RDFS.seeAlso, canonical_iri("pmid", pmid))
    if title := _text(article, "ArticleTitle"):
        yield q(source, DCTERMS.title, Literal(title))
    if (language := _text(article, "Language")) is not None:
        yield q(source, DCTERMS.language, Literal(language))
    date = _date(article.find("Journal/JournalIssue/PubDate")) if article is not None else None
    if date is not None:
        yield q(source, DCTERMS.date, date)
    journal_title = _text(article, "Journal/Title")
    issn = _text(article, "Journal/ISSN")
    if journal_title or issn:
        journal, described = institution_quads(
            journal_title or issn or "", graph, scope=scope, identifier=("issn", issn) if issn else None,
            country=_text(citation, "MedlineJournalInfo/Country"),
        )
        yield q(source, DCTERMS.publisher, journal)
        yield from described
        yield q(journal, OC.institutionKind, OC["kind-journal"])
    for kind, value in article_ids.items():
        if kind == "doi":
            yield q(source, OC.doi, Literal(value.lower()))
            yield q(source, RDFS.seeAlso, canonical_iri("doi", value))
        elif kind == "pmc":
            yield q(source, OC.pmcid, Literal(value.upper()))
    for term in citation.iterfind("MeshHeadingList/MeshHeading/DescriptorName"):
        if text := clean_text(term.text):
            yield q(source, OC.meshTerm, Literal(text))
    yield from _authors(citation, pmid, source, q, graph)
    yield from _grants(citation, source, q, graph, scope)
    if "Retracted Publication" in types:
        yield q(source, OC.retracted, Literal(True))
    yield from _corrections(citation, source, q)
    study = next((study for name, study in STUDY_TYPES if name in types), None)
    if study is not None:
        evidence = mint_iri("evidence", "pubmed-" + pmid)
        yield q(evidence, RDF.type, OC.Evidence)
        yield q(evidence, RDFS.label, Literal(title or f"PubMed {pmid}"))
        yield q(evidence, OC.studyType, OC[study])
        yield q(evidence, OC.reportedIn, source)
        for funder in {quad.object for quad in _grants(citation, source, q, graph, scope) if quad.predicate == OC.funder}:
            yield q(evidence, OC.funder, funder)
    for bank in citation.iterfind("Article/DataBankList/DataBank"):
        if _text(bank, "DataBankName") != "ClinicalTrials.gov":
            continue
        for number in bank.iterfind("AccessionNumberList/AccessionNumber"):
            nct = (clean_text(number.text) or "").upper()
            if _NCT.match(nct):
                yield q(source, OC.nctId, Literal(nct))
                yield q(mint_iri("trial", nct), OC.reportedIn, source)


def _affiliation_identifier(info: etree._Element) -> tuple[str, str] | None:
    for identifier in info.iterfind("Identifier"):
        scheme = (identifier.get("Source") or "").lower()
        if scheme in IDENTIFIER_SCHEMES and (value := clean_text(identifier.text)):
            return scheme, value
    return None


def _authors(citation: etree._Element, pmid: str, source: NamedNode, q, graph: NamedNode) -> Iterator[Quad]:
    for author in citation.iterfind("Article/AuthorList/Author"):
        family, given = _text(author, "LastName"), _text(author, "ForeName")
        name = " ".join(p for p in (given, family) if p) or _text(author, "CollectiveName")
        if not name:
            continue
        orcid = next((clean_text(i.text) for i in author.iterfind("Identifier") if i.get("Source") == "ORCID"), None)
        if orcid:
            orcid = orcid.rsplit("/", 1)[-1]
            person = mint_iri("person", "orcid", orcid)
        else:
            person = mint_iri("person", _name_key(name), "pubmed", pmid)
        yield q(source, DCTERMS.creator, person)
        yield q(person, RDF.type, OC.Person)
        yield q(person, RDFS.label, Literal(name))
        if family:
            yield q(person, SCHEMA.familyName, Literal(family))
        if given:
            yield q(person, SCHEMA.givenName, Literal(given))
        if orcid:
            yield q(person, OC.orcid, Literal(orcid))
        for info in author.iterfind("AffiliationInfo"):
            if text := _text(info, "Affiliation"):
                institution, described = institution_quads(
                    text, graph, scope="pubmed:" + pmid, identifier=_affiliation_identifier(info)
                )
                yield q(person, SCHEMA.affiliation, institution)
                yield from described


def _grants(citation: etree._Element, source: NamedNode, q, graph: NamedNode, scope: str) -> Iterator[Quad]:
    for grant in citation.iterfind("Article/GrantList/Grant"):
        agency = _text(grant, "Agency")
        if not agency:
            continue
        funder, described = institution_quads(agency, graph, scope=scope, country=_text(grant, "Country"))
        yield q(source, OC.funder, funder)
        yield from described
        if grant_id := _text(grant, "GrantID"):
            yield q(source, OC.grantId, Literal(grant_id))


def _corrections(citation: etree._Element, source: NamedNode, q) -> Iterator[Quad]:
    for item in citation.iterfind("CommentsCorrectionsList/CommentsCorrections"):
        ref = _text(item, "PMID")
        if not ref or not ref.isdigit():
            continue
        other = mint_iri("pubmed", ref)
        kind = item.get("RefType")
        if kind == "RetractionIn":
            yield q(source, OC.retracted, Literal(True))
            yield q(source, OC.retractedBy, other)
            yield q(other, RDF.type, OC.Source)
        elif kind == "RetractionOf":
            yield q(other, OC.retracted, Literal(True))
            yield q(other, OC.retractedBy, source)
            yield q(other, RDF.type, OC.Source)
        elif kind == "ErratumIn":
            yield q(source, OC.correctedBy, other)
            yield q(other, RDF.type, OC.Source)
        elif kind == "CommentIn":
            yield q(other, CITO.cites, source)
            yield q(other, RDF.type, OC.Source)


class PubmedIngester:
    """PubMed / MEDLINE citation XML (``PubmedArticleSet``, ``MedlineCitationSet``)."""

    name: ClassVar[str] = "pubmed-xml"
    suffixes: ClassVar[tuple[str, ...]] = (".xml",)

    def sniff(self, data: bytes, origin: str) -> bool:
        """A document whose root is one of PubMed's citation elements."""
        head = data[:4096]
        return any(root in head for root in _ROOTS)

    def records(self, data: bytes, origin: str) -> Iterator[SourceRecord]:
        """One record per ``MedlineCitation``, located by line and PMID.

        The document is streamed (:func:`iter_safe_xml`): each article is freed once it
        is mapped, so memory does not grow with the number of articles.
        """
        items = iter_safe_xml(data, origin, _RECORD_TAGS)
        for index, item in enumerate(items, start=1):
            citation = item if item.tag == "MedlineCitation" else item.find("MedlineCitation")
            pmid = _text(citation, "PMID") if citation is not None else None
            location = SourceLocation(origin, item.sourceline, None, pmid or f"#{index}")
            if citation is None:
                raise RecordError(location, f"{item.tag} #{index} has no MedlineCitation; is this a book record?")
            ids = {
                article_id.get("IdType", ""): clean_text(article_id.text) or ""
                for article_id in item.iterfind("PubmedData/ArticleIdList/ArticleId")
                if clean_text(article_id.text)
            }
            if not ids.get("doi"):
                for eloc in citation.iterfind("Article/ELocationID"):
                    if eloc.get("EIdType") == "doi" and clean_text(eloc.text):
                        ids["doi"] = clean_text(eloc.text) or ""
            yield SourceRecord(
                location=location,
                kind="pubmed-citation",
                data={"citation": citation, "ids": ids},
                graph=mint_graph_iri("pubmed", pmid or f"missing-{index}"),
            )

    def to_quads(self, record: SourceRecord) -> Iterator[Quad]:
        """Map one citation to quads (pure, see :func:`pubmed_quads`)."""
        return pubmed_quads(record.data["citation"], record.data["ids"], record.location)
