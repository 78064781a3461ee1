"""One node per article across PubMed and Crossref, whichever record arrives first.

No Crossref record in reach shares a DOI with a PubMed record, so the Crossref side is the
real ESMO Open record (tests/data/crossref/) with only its DOI set to the real METRIC
PubMed record's DOI: a made-up pairing, to test identity only.
"""

from __future__ import annotations

import json
from pathlib import Path

from lxml import etree

from oncoclaims.graph.store import ClaimStore
from oncoclaims.ingest import ingest, ingest_bytes
from oncoclaims.iris import mint_iri
from oncoclaims.vocab import OC

DATA = Path(__file__).resolve().parents[1] / "data"
PUBMED = DATA / "pubmed" / "biomcp-efetch_citation_22663011.xml"
CROSSREF = DATA / "crossref" / "10.1136_esmoopen-2020-000776.json"


def _doi_and_pmid() -> tuple[str, str]:
    root = etree.parse(str(PUBMED)).getroot()
    doi = root.find(".//ArticleIdList/ArticleId[@IdType='doi']").text.lower()
    return doi, root.findtext(".//MedlineCitation/PMID")


def _crossref_bytes(doi: str) -> bytes:
    work = json.loads(CROSSREF.read_text())
    work["message"]["DOI"] = doi
    return json.dumps(work).encode()


def _ingest(store: ClaimStore, order: list[str], doi: str) -> None:
    for name in order:
        if name == "pubmed":
            ingest(PUBMED, store)
        else:
            ingest_bytes(_crossref_bytes(doi), "crossref-same-doi.json", store)


def _triples(store: ClaimStore) -> set:
    return {(q.subject, q.predicate, q.object, q.graph_name) for q in store}


def test_pubmed_and_crossref_describe_one_node_in_either_order() -> None:
    doi, pmid = _doi_and_pmid()
    article, doi_node = mint_iri("pubmed", pmid), mint_iri("doi", doi)
    stores = {}
    for order in (["pubmed", "crossref"], ["crossref", "pubmed"]):
        store = ClaimStore.in_memory()
        _ingest(store, order, doi)
        assert not list(store.quads(doi_node, None, None, None)), order
        assert not list(store.quads(None, None, doi_node, None)), order
        funders = {q.object for q in store.quads(article, OC.funder, None, None)}
        # the Crossref record's funder (Funder Registry DOI) now funds the PubMed node
        assert mint_iri("institution", "funder-doi", "10.13039/100009619") in funders, order
        stores[tuple(order)] = store
    first, second = stores.values()
    assert _triples(first) == _triples(second)


def test_ingesting_either_record_again_changes_nothing() -> None:
    doi, _ = _doi_and_pmid()
    store = ClaimStore.in_memory()
    _ingest(store, ["crossref", "pubmed"], doi)
    size = len(store)
    _ingest(store, ["pubmed", "crossref", "pubmed"], doi)
    assert len(store) == size
