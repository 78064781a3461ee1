"""Ingest on a server in few requests: the lookups of a batch are one query per kind.

Real records (tests/data/README.md) ingested on the three backends give the embedded
store's quads; on a server the number of HTTP requests of a batch does not grow with its
records; a bad record late in a many-record batch leaves every backend as it was.
"""

from __future__ import annotations

import collections
from pathlib import Path

import httpx
import pytest
from test_claimstore_everywhere import canonical

from oncoclaims.backends import Backend, SparqlBackend
from oncoclaims.errors import RecordError
from oncoclaims.graph.store import ClaimStore
from oncoclaims.ingest import ingest, ingest_bytes

DATA = Path(__file__).parents[1] / "data"
MEDLINE = DATA / "pubmed" / "medline16n0902-oncology-subset.xml"  # 10 citations
#: A many-record batch of each kind ingest reads: PubMed XML (with a retraction notice and
#: a Crossref work the PubMed set names), ClinicalTrials.gov API v2 and legacy XML.
RECORDS = [
    MEDLINE,
    DATA / "pubmed" / "biopython-pubmed1.xml",
    DATA / "pubmed" / "neilfws-retracted-example.xml",
    DATA / "crossref" / "10.1371_journal.pone.0033693.json",
    DATA / "crossref" / "10.3892_ijo_00000353.json",
    DATA / "pubmed" / "biomcp-efetch_citation_22663011.xml",
    DATA / "ctgov" / "v2" / "ctrdata-demo.jsonl",
    DATA / "ctgov" / "xml" / "NCT00734539.xml",
]


def _requests(backend: SparqlBackend) -> collections.Counter[str]:
    """Count the HTTP requests ``backend`` sends from now on, by path."""
    seen: collections.Counter[str] = collections.Counter()

    def hook(request: httpx.Request) -> None:
        seen[request.url.path] += 1

    backend._client.event_hooks["request"] = [hook]
    return seen


def test_many_records_give_the_same_quads_on_every_backend_and_again_nothing(
    backend: Backend,
) -> None:
    store, expected = ClaimStore(backend), ClaimStore.in_memory()
    for path in RECORDS:
        wanted = ingest(path, expected)
        got = ingest(path, store)
        assert (got.records, got.quads_added) == (wanted.records, wanted.quads_added), path.name
    assert sum(ingest(p, ClaimStore.in_memory()).records for p in RECORDS) > 20
    assert canonical(store) == canonical(expected)
    for path in RECORDS:
        again = ingest(path, store)
        assert (again.quads_added, again.values_replaced) == (0, 0), path.name
    assert canonical(store) == canonical(expected)


def _copies(records: int, first: int) -> bytes:
    """A MedlineCitationSet of ``records`` copies of a real citation (with authors'
    affiliations and a DOI), each with a PMID and DOI of its own (as bench/ingest.py)."""
    text = MEDLINE.read_text(encoding="utf-8")
    open_tag, close_tag = "<MedlineCitation ", "</MedlineCitation>"
    start, end = text.index(open_tag), text.index(close_tag) + len(close_tag)
    citation = text[start:end]
    assert "<Affiliation>" in citation and 'EIdType="doi"' in citation
    pmid = citation[citation.index("<PMID") : citation.index("</PMID>")].rsplit(">", 1)[1]
    doi_at = citation.index('EIdType="doi"')
    doi = citation[citation.index(">", doi_at) + 1 : citation.index("</ELocationID>", doi_at)]
    copies = [
        citation.replace(pmid, str(first + n)).replace(doi, f"{doi}.copy{first + n}")
        for n in range(records)
    ]
    rest = text[text.rindex(close_tag) + len(close_tag):]
    return (text[:start] + "\n".join(copies) + rest).encode()


def test_a_batch_costs_the_same_requests_whatever_its_records(backend: Backend) -> None:
    if not isinstance(backend, SparqlBackend):
        pytest.skip("requests are counted on a server")
    store = ClaimStore(backend)
    query_path = httpx.URL(backend.endpoints.query_url).path
    queries, writes = [], []
    for records, first in ((3, 90_000_001), (30, 91_000_001), (30, 91_000_001)):  # the last again
        seen = _requests(backend)
        report = ingest_bytes(_copies(records, first), f"copies-{first}.xml", store)
        assert report.records == records
        queries.append(seen[query_path])
        writes.append(sum(seen.values()) - seen[query_path])
    assert report.quads_added == 0
    # the lookups: a constant number of queries (about 11 a record before batching)
    assert queries[0] == queries[1] <= 8, queries
    assert queries[2] <= 9, queries  # and one for the stale values of records seen before
    if backend.endpoints.server == "oxigraph":
        assert writes == [1, 1, 1]  # one POST /store?no_transaction for the batch
    else:  # a Graph Store POST per graph: each record's, the provenance's, the matches'
        assert writes[1] <= 30 + 2, writes


def test_a_bad_record_late_in_a_batch_leaves_the_store_as_it_was(backend: Backend) -> None:
    store = ClaimStore(backend)
    ingest(DATA / "ctgov" / "v2" / "ctrdata-demo.jsonl", store)
    before = canonical(store)
    text = MEDLINE.read_text(encoding="utf-8")
    last = text.rindex("<PMID")
    damaged = text[:last] + text[text.index("</PMID>", last) + len("</PMID>"):]
    with pytest.raises(RecordError, match="PMID"):
        ingest_bytes(damaged.encode(), "damaged.xml", store)
    assert canonical(store) == before


def test_rdf_with_blank_nodes_is_ingested_once_on_every_backend(backend: Backend) -> None:
    """A real Turtle file of anonymous nodes (a W3C SPARQL 1.1 test's orders and their items):
    its blank nodes become IRIs (graph/blank_nodes.skolem_iris), so a server holds the same
    quads as the embedded store and a second ingest adds nothing (it added them again on a
    server when they were blank nodes)."""
    manifest = DATA / "w3c" / "subquery" / "sq11.ttl"
    store, expected = ClaimStore(backend), ClaimStore.in_memory()
    wanted = ingest(manifest, expected)
    assert ingest(manifest, store).quads_added == wanted.quads_added > 0
    assert ingest(manifest, store).quads_added == 0
    named, blank = canonical(store)
    assert blank == 0 and named == canonical(expected)[0]
