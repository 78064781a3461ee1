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
_PUNCTUATION = re.compile(r"[^\w\s]")
_RECORD_TAGS = ("PubmedArticle", "MedlineCitation", "PubmedBookArticle")


def _text(element: etree._Element | None, path: str) -> str | None:
    if element is None:
        return None
    return _own_text(element.find(path))


def _own_text(element: etree._Element | None) -> str | None:
    """The text of ``element`` and its descendants, whitespace collapsed; ``None`` when empty."""
    if element is None:
        return None
    text = element.text if len(element) == 0 else "".join(element.itertext())
    return " ".join(text.split()) or None if text else None


def _children_by_tag(element: etree._Element) -> dict[str, etree._Element]:
    """The first child of each tag: one pass instead of a ``find`` per tag (authors are many)."""
    first: dict[str, etree._Element] = {}
    for child in element:
        first.setdefault(child.tag, child)
    return first


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
    return " ".join(_PUNCTUATION.sub(" ", text.lower()).split())


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

    article = citation.find("Article")
    types = [clean_text(t.text) or "" for t in citation.iterfind("Article/PublicationTypeList/PublicationType")]
    yield Quad(source, RDF.type, OC.Source, graph)
    source_type = next((_SOURCE_TYPES[t] for t in types if t in _SOURCE_TYPES), "source-peer-reviewed-article")
    yield Quad(source, OC.sourceType, OC[source_type], graph)
    yield Quad(source, OC.pmid, Literal(pmid), graph)
    yield Quad(source, RDFS.seeAlso, canonical_iri("pmid", pmid), graph)
    if title := _text(article, "ArticleTitle"):
        yield Quad(source, DCTERMS.title, Literal(title), graph)
    if (language := _text(article, "Language")) is not None:
        yield Quad(source, DCTERMS.language, Literal(language), graph)
    date = _date(article.find("Journal/JournalIssue/PubDate")) if article is not None else None
    if date is not None:
        yield Quad(source, DCTERMS.date, date, graph)
    journal_title = _text(article, "Journal/Title")
    issn = _text(article, "Journal/ISSN")
    if journal_title or issn:
        journal, described = institution_quads(
            journal_title or issn or "", graph, scope=scope, identifier=("issn", issn) if issn else None,
            country=_text(citation, "MedlineJournalInfo/Country"),
        )
        yield Quad(source, DCTERMS.publisher, journal, graph)
        yield from described
        yield Quad(journal, OC.institutionKind, OC["kind-journal"], graph)
    for kind, value in article_ids.items():
        if kind == "doi":
            yield Quad(source, OC.doi, Literal(value.lower()), graph)
            yield Quad(source, RDFS.seeAlso, canonical_iri("doi", value), graph)
        elif kind == "pmc":
            yield Quad(source, OC.pmcid, Literal(value.upper()), graph)
    for term in citation.iterfind("MeshHeadingList/MeshHeading/DescriptorName"):
        if text := clean_text(term.text):
            yield Quad(source, OC.meshTerm, Literal(text), graph)
    # the substances the article is indexed with: a drug too new for a MeSH heading
    # ("trametinib", 2012) is named here only, and evidence discovery finds papers by it
    for substance in citation.iterfind("ChemicalList/Chemical/NameOfSubstance"):
        if text := clean_text(substance.text):
            yield Quad(source, OC.substance, Literal(text), graph)
    yield from _authors(citation, pmid, source, graph)
    yield from _grants(citation, source, graph, scope)
    if "Retracted Publication" in types:
        yield Quad(source, OC.retracted, Literal(True), graph)
    yield from _corrections(citation, source, graph)
    study = next((study for name, study in STUDY_TYPES if name in types), None)
    if study is not None:
        evidence = mint_iri("evidence", "pubmed-" + pmid)
        yield Quad(evidence, RDF.type, OC.Evidence, graph)
        yield Quad(evidence, RDFS.label, Literal(title or f"PubMed {pmid}"), graph)
        yield Quad(evidence, OC.studyType, OC[study], graph)
        yield Quad(evidence, OC.reportedIn, source, graph)
        for funder in {quad.object for quad in _grants(citation, source, graph, scope) if quad.predicate == OC.funder}:
            yield Quad(evidence, OC.funder, funder, graph)
    for bank in citation.iterfind("Article/DataBankList/DataBank"):
        if _text(bank, "DataBankName") != "ClinicalTrials.gov":
            continue
        for number in bank.iterfind("AccessionNumberList/AccessionNumber"):
            nct = (clean_text(number.text) or "").upper()
            if _NCT.match(nct):
                yield Quad(source, OC.nctId, Literal(nct), graph)
                yield Quad(mint_iri("trial", nct), OC.reportedIn, source, graph)


def _affiliation_identifier(info: etree._Element) -> tuple[str, str] | None:
    for identifier in info.iterfind("Identifier"):
        scheme = (identifier.get("Source") or "").lower()
        if scheme in IDENTIFIER_SCHEMES and (value := clean_text(identifier.text)):
            return scheme, value
    return None


def _authors(citation: etree._Element, pmid: str, source: NamedNode, graph: NamedNode) -> Iterator[Quad]:
    for author in citation.iterfind("Article/AuthorList/Author"):
        parts = _children_by_tag(author)
        family, given = _own_text(parts.get("LastName")), _own_text(parts.get("ForeName"))
        name = " ".join(p for p in (given, family) if p) or _own_text(parts.get("CollectiveName"))
        if not name:
            continue
        orcid = None
        if "Identifier" in parts:
            orcid = next(
                (clean_text(i.text) for i in author.iterfind("Identifier") if i.get("Source") == "ORCID"), None
            )
        if orcid:
            orcid = orcid.rsplit("/", 1)[-1]
            person = mint_iri("person", "orcid", orcid)
        else:
            person = mint_iri("person", _name_key(name), "pubmed", pmid)
        yield Quad(source, DCTERMS.creator, person, graph)
        yield Quad(person, RDF.type, OC.Person, graph)
        yield Quad(person, RDFS.label, Literal(name), graph)
        if family:
            yield Quad(person, SCHEMA.familyName, Literal(family), graph)
        if given:
            yield Quad(person, SCHEMA.givenName, Literal(given), graph)
        if orcid:
            yield Quad(person, OC.orcid, Literal(orcid), graph)
        for info in author.iterfind("AffiliationInfo") if "AffiliationInfo" in parts else ():
            if text := _text(info, "Affiliation"):
                institution, described = institution_quads(
                    text, graph, scope="pubmed:" + pmid, identifier=_affiliation_identifier(info)
                )
                yield Quad(person, SCHEMA.affiliation, institution, graph)
                yield from described


def _grants(citation: etree._Element, source: NamedNode, graph: NamedNode, scope: str) -> Iterator[Quad]:
    for grant in citation.iterfind("Article/GrantList/Grant"):
        agency = _text(grant, "Agency")
        if not agency:
            continue
        funder, described = institution_quads(agency, graph, scope=scope, country=_text(grant, "Country"))
        yield Quad(source, OC.funder, funder, graph)
        yield from described
        if grant_id := _text(grant, "GrantID"):
            yield Quad(source, OC.grantId, Literal(grant_id), graph)


def _corrections(citation: etree._Element, source: NamedNode, graph: NamedNode) -> Iterator[Quad]:
    for item in citation.iterfind("CommentsCorrectionsList/CommentsCorrections"):
        ref = _text(item, "PMID")
        if not ref or not ref.isdigit():
            continue
        other = mint_iri("pubmed", ref)
        kind = item.get("RefType")
        if kind == "RetractionIn":
            yield Quad(source, OC.retracted, Literal(True), graph)
            yield Quad(source, OC.retractedBy, other, graph)
            yield Quad(other, RDF.type, OC.Source, graph)
        elif kind == "RetractionOf":
            yield Quad(other, OC.retracted, Literal(True), graph)
            yield Quad(other, OC.retractedBy, source, graph)
            yield Quad(other, RDF.type, OC.Source, graph)
        elif kind == "ErratumIn":
            yield Quad(source, OC.correctedBy, other, graph)
            yield Quad(other, RDF.type, OC.Source, graph)
        elif kind == "CommentIn":
            yield Quad(other, CITO.cites, source, graph)
            yield Quad(other, RDF.type, OC.Source, graph)


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
