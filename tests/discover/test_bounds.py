"""A therapy with 10,000 records: the best are ranked first, bounded and paged; an unknown therapy finds nothing."""

from __future__ import annotations

import pyoxigraph as ox

from oncoclaims.discover import candidates, discover_claims, find_candidates
from oncoclaims.discover.candidates import MAX_STORED, claim_graphs
from oncoclaims.discover.report import candidate_entries, explain_candidates
from oncoclaims.graph.confirmation import find_claim
from oncoclaims.graph.store import ClaimStore
from oncoclaims.iris import mint_iri
from oncoclaims.vocab import OC

SYNTHETIC = "https://example.org/synthetic/"


def _copies(store: ClaimStore, real: ox.NamedNode, count: int, full: set[int]) -> None:
    """``count`` load-shape records (made up, never bundled) with the real record's quads:
    the ones in ``full`` with all of them, the others without its conditions and study type."""
    graph = ox.NamedNode(SYNTHETIC + "graph")
    shape = [q for q in store.inner.quads_for_pattern(real, None, None, None) if q.predicate != OC.nctId]
    lean = [q for q in shape if q.predicate not in (OC.condition, OC.studyType)]
    store.inner.extend(
        ox.Quad(ox.NamedNode(f"{SYNTHETIC}trial/{i:05d}"), q.predicate, q.object, graph)
        for i in range(count) for q in (shape if i in full else lean))


def test_ten_thousand_records_of_one_therapy_are_ranked_best_first_bounded_and_paged(
        records_store: ClaimStore) -> None:
    # 10,000 trials of the therapy the real Toca 511 record names, in the record's shape; the
    # three that match the claim's condition as well as the real one does come last in IRI order
    real = mint_iri("trial", "NCT02576665")
    therapy = mint_iri("therapy", "Toca 511")
    assert any(records_store.inner.quads_for_pattern(real, OC.intervention, therapy, None))
    best = {9_997, 9_998, 9_999}
    _copies(records_store, real, 10_000, best)
    claim = find_claim(records_store, "Toca 511 helps")
    first = find_candidates(records_store, claim, limit=20)
    assert not first.truncated and first.total == 10_001 and len(first.candidates) == 20
    top = {c.record.iri for c in first.candidates[:4]}
    assert top == {real.value} | {f"{SYNTHETIC}trial/{i:05d}" for i in best}
    assert first.candidates[4].score < first.candidates[3].score
    second = find_candidates(records_store, claim, limit=20, offset=20)
    assert len(second.candidates) == 20
    assert not {c.record.iri for c in first.candidates} & {c.record.iri for c in second.candidates}
    assert second.candidates[0].score <= first.candidates[-1].score
    report = discover_claims(records_store, [claim])
    assert report.truncated == []
    stored = {q.subject for graph in claim_graphs(records_store, claim)
              for q in records_store.inner.quads_for_pattern(None, OC.candidateRecord, None, graph)}
    assert len(stored) == MAX_STORED
    entries, total = candidate_entries(records_store, claim)
    assert total == 10_001 and len(entries) == 20
    assert {e["record"] for e in entries[:4]} == top
    assert "(10001 in all; the best 20 shown)" in explain_candidates(entries, total)
    scores = [e["score"] for e in entries]
    assert scores == sorted(scores, reverse=True)


def test_more_records_than_can_be_ranked_are_cut_and_said(records_store: ClaimStore, monkeypatch) -> None:
    monkeypatch.setattr(candidates, "MAX_RECORDS", 500)
    _copies(records_store, mint_iri("trial", "NCT02576665"), 600, set())
    claim = find_claim(records_store, "Toca 511 helps")
    found = find_candidates(records_store, claim, limit=5)
    assert found.truncated and found.total == 500
    assert discover_claims(records_store, [claim]).truncated == [claim]


def test_a_claim_about_a_therapy_no_record_names_has_no_candidates(records_store: ClaimStore, tmp_path) -> None:
    from oncoclaims.ingest import ingest

    table = tmp_path / "claims.csv"
    table.write_text("claim_text,therapy,source_url,source_type\n"
                     "Enteromix cures every cancer,Enteromix,https://example.org/e,news-article\n", encoding="utf-8")
    ingest(table, records_store)
    claim = find_claim(records_store, "Enteromix cures")
    assert find_candidates(records_store, claim).candidates == []
    assert candidate_entries(records_store, claim, live=True) == ([], 0)
