"""A therapy with 10,000 records: candidates are bounded and paged; an unknown therapy finds nothing."""

from __future__ import annotations

import pyoxigraph as ox

from oncoclaims.discover import discover_claims, find_candidates
from oncoclaims.discover.candidates import MAX_RECORDS, MAX_STORED, candidate_graph_iri
from oncoclaims.discover.report import candidate_entries, explain_candidates
from oncoclaims.graph.confirmation import find_claim
from oncoclaims.graph.store import ClaimStore
from oncoclaims.iris import mint_iri
from oncoclaims.vocab import OC, RDF

SYNTHETIC = "https://example.org/synthetic/"


def test_ten_thousand_records_of_one_therapy_are_bounded_and_paged(records_store: ClaimStore) -> None:
    # load-shape records only (made up, never bundled): 10,000 trials of the therapy node
    # the real Toca 511 record names
    therapy = mint_iri("therapy", "Toca 511")
    assert any(records_store.inner.quads_for_pattern(mint_iri("trial", "NCT02576665"), OC.intervention, therapy, None))
    graph = ox.NamedNode(SYNTHETIC + "graph")
    records_store.inner.extend(
        quad for i in range(10_000) for quad in (
            ox.Quad(ox.NamedNode(f"{SYNTHETIC}trial/{i}"), RDF.type, OC.Evidence, graph),
            ox.Quad(ox.NamedNode(f"{SYNTHETIC}trial/{i}"), OC.intervention, therapy, graph),
        ))
    claim = find_claim(records_store, "Toca 511 helps")
    first = find_candidates(records_store, claim, limit=20)
    assert first.truncated and first.total == MAX_RECORDS and len(first.candidates) == 20
    second = find_candidates(records_store, claim, limit=20, offset=20)
    assert not {c.record.iri for c in first.candidates} & {c.record.iri for c in second.candidates}
    report = discover_claims(records_store, [claim])
    assert report.truncated == [claim]
    stored = {q.subject for q in records_store.inner.quads_for_pattern(None, OC.candidateRecord, None,
                                                                        candidate_graph_iri(claim))}
    assert len(stored) == MAX_STORED
    entries, total = candidate_entries(records_store, claim)
    assert total == MAX_RECORDS and len(entries) == 20
    assert f"({MAX_RECORDS} in all; the best 20 shown)" in explain_candidates(entries, total)
    scores = [e["score"] for e in entries]
    assert scores == sorted(scores, reverse=True)


def test_a_claim_about_a_therapy_no_record_names_has_no_candidates(records_store: ClaimStore, tmp_path) -> None:
    from oncoclaims.ingest import ingest

    table = tmp_path / "claims.csv"
    table.write_text("claim_text,therapy,source_url,source_type\n"
                     "Enteromix cures every cancer,Enteromix,https://example.org/e,news-article\n", encoding="utf-8")
    ingest(table, records_store)
    claim = find_claim(records_store, "Enteromix cures")
    assert find_candidates(records_store, claim).candidates == []
    assert candidate_entries(records_store, claim, live=True) == ([], 0)
