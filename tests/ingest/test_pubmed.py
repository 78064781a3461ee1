"""PubMed / MEDLINE XML: every sample, facts checked against an independent lxml read."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree
from pyoxigraph import Literal, NamedNode

from oncoclaims.errors import FormatError, ParseError, RecordError
from oncoclaims.graph.store import ClaimStore
from oncoclaims.ingest import ingest
from oncoclaims.iris import mint_iri
from oncoclaims.ontology import ontology_quads, validate_quads
from oncoclaims.vocab import DCTERMS, OC

DATA = Path(__file__).parents[1] / "data"
SAMPLES = sorted((DATA / "pubmed").glob("*.xml"))
BAD = DATA / "bad" / "pubmed"


def independent_read(path: Path) -> list[dict]:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    root = etree.parse(str(path), parser).getroot()
    citations = root.iter("MedlineCitation")
    facts = []
    for citation in citations:
        facts.append({
            "pmid": citation.findtext("PMID"),
            "authors": {" ".join(filter(None, (a.findtext("ForeName"), a.findtext("LastName"))))
                        for a in citation.iterfind("Article/AuthorList/Author") if a.findtext("LastName")},
            "nct": {n.text for b in citation.iterfind("Article/DataBankList/DataBank")
                    if b.findtext("DataBankName") == "ClinicalTrials.gov"
                    for n in b.iterfind("AccessionNumberList/AccessionNumber")},
            "agencies": {g.findtext("Agency") for g in citation.iterfind("Article/GrantList/Grant") if g.findtext("Agency")},
            "retracted": any(c.get("RefType") == "RetractionIn" for c in citation.iterfind("CommentsCorrectionsList/CommentsCorrections"))
            or "Retracted Publication" in [t.text for t in citation.iterfind("Article/PublicationTypeList/PublicationType")],
        })
    return facts


def objects(store: ClaimStore, subject: NamedNode, predicate: NamedNode) -> set:
    return {q.object for q in store.inner.quads_for_pattern(subject, predicate, None, None)}


def labels(store: ClaimStore, nodes: set) -> set[str]:
    return {q.object.value for n in nodes for q in store.inner.quads_for_pattern(n, NamedNode("http://www.w3.org/2000/01/rdf-schema#label"), None, None)}


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.name)
def test_every_sample_matches_an_independent_read(path: Path, empty_store: ClaimStore) -> None:
    report = ingest(path, empty_store)
    assert report.format == "pubmed-xml"
    facts = independent_read(path)
    assert report.records == len(facts)
    for fact in facts:
        article = mint_iri("pubmed", fact["pmid"])
        assert objects(empty_store, article, OC.pmid) == {Literal(fact["pmid"])}
        assert objects(empty_store, article, OC.sourceType)
        assert labels(empty_store, objects(empty_store, article, DCTERMS.creator)) >= fact["authors"]
        assert {q.object.value for q in empty_store.inner.quads_for_pattern(article, OC.nctId, None, None)} == fact["nct"]
        for nct in fact["nct"]:
            assert article in objects(empty_store, mint_iri("trial", nct), OC.reportedIn)
        assert labels(empty_store, objects(empty_store, article, OC.funder)) == fact["agencies"]
        retracted = objects(empty_store, article, OC.retracted)
        assert (Literal(True) in retracted) == fact["retracted"]
    before = len(empty_store)
    assert ingest(path, empty_store).quads_added == 0
    assert len(empty_store) == before


def test_pmid_993_comes_out_retracted_with_its_notice(empty_store: ClaimStore) -> None:
    ingest(DATA / "pubmed" / "neilfws-retracted-example.xml", empty_store)
    article = mint_iri("pubmed", "993")
    assert objects(empty_store, article, OC.retracted) == {Literal(True)}
    assert objects(empty_store, article, OC.retractedBy)


def test_metric_trial_publication_links_its_trial_and_study_type(empty_store: ClaimStore) -> None:
    ingest(DATA / "pubmed" / "biomcp-efetch_citation_22663011.xml", empty_store)
    article = mint_iri("pubmed", "22663011")
    assert article in objects(empty_store, mint_iri("trial", "NCT01245062"), OC.reportedIn)
    evidence = mint_iri("evidence", "pubmed-22663011")
    assert objects(empty_store, evidence, OC.studyType) == {OC["study-randomised-controlled"]}
    assert objects(empty_store, evidence, OC.reportedIn) == {article}


def test_ingested_articles_conform_to_the_shapes(empty_store: ClaimStore) -> None:
    for path in SAMPLES[:3]:
        ingest(path, empty_store)
    report = validate_quads([*empty_store, *ontology_quads()])
    assert report.conforms, report.text()


@pytest.mark.parametrize(
    "name, error, where",
    [
        ("billion-laughs.xml", ParseError, ".xml:3: the document type declares entities"),
        ("external-entity.xml", ParseError, ".xml:2: the document type declares entities"),
        ("truncated.xml", ParseError, "the XML ends before it is complete"),
        ("missing-pmid.xml", RecordError, "#1"),
        ("not-utf8.xml", ParseError, ":"),
        ("empty.xml", FormatError, "empty"),
    ],
)
def test_bad_input_is_located_and_changes_nothing(name: str, error: type, where: str, store: ClaimStore) -> None:
    before = len(store)
    with pytest.raises(error) as caught:
        ingest(BAD / name, store, fmt=None if name == "empty.xml" else "pubmed-xml")
    assert name in str(caught.value) and where in str(caught.value)
    assert len(store) == before
