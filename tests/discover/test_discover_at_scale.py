"""Discovery over many claims: the same result as claim by claim, written in one step, no work twice.

The store holds real trial records and papers, the curated claims (two with a claimant,
so the maker's own trials are tied) and the claims of real news stories (statements,
origins, publishers). A run over all of them reads each table once
(``Lookups(tables=True)``); a run over one claim asks the store per claim. Both must
write the same candidate graphs.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
from conftest import build_records_store

from oncoclaims import queries
from oncoclaims.backends.embedded import EmbeddedBackend
from oncoclaims.discover import discover_claims
from oncoclaims.discover.candidates import claim_graphs
from oncoclaims.discover.report import candidate_entries
from oncoclaims.errors import StoreError
from oncoclaims.graph.confirmation import find_claim
from oncoclaims.graph.store import ClaimStore
from oncoclaims.ingest import ingest
from oncoclaims.vocab import OC

STORIES = ["story_reviews_00349.json", "news_reviews_00311.json", "story_reviews_00612.json",
           "story_reviews_00521.json", "story_reviews_00030.json"]


class CountingStore:
    """A pyoxigraph store that counts the calls that write (and can refuse an update)."""

    def __init__(self, inner: ox.Store) -> None:
        self._inner = inner
        self.writes: list[str] = []
        self.refuse_update = False

    def __getattr__(self, name: str) -> Any:
        if name in ("add", "extend", "bulk_extend", "remove", "update", "remove_graph", "clear_graph",
                    "load", "bulk_load"):
            self.writes.append(name)
            if name == "update" and self.refuse_update:
                raise OSError("disk full (simulated)")
        return getattr(self._inner, name)

    def __contains__(self, quad: ox.Quad) -> bool:
        return quad in self._inner

    def __len__(self) -> int:
        return len(self._inner)

    def __iter__(self) -> Any:
        return iter(self._inner)


def _store(data_dir: Path, tmp_path: Path, inner: Any = None) -> ClaimStore:
    store = build_records_store(data_dir, tmp_path, ClaimStore(EmbeddedBackend(inner)) if inner is not None else None)
    for story in STORIES:
        ingest(data_dir / "news" / story, store)
    return store


def _claims(store: ClaimStore) -> list[str]:
    return [row["claim"].value for row in queries.select(store, "claim_iris")]


def _candidates(store: ClaimStore, claim: str) -> set[ox.Quad]:
    """What discovery stored for ``claim``: its links, its candidate set, its tie verdicts."""
    return {quad for graph in claim_graphs(store, claim) for quad in store.quads(graph=graph)}


def _candidate_graphs(store: ClaimStore, claims: list[str]) -> dict[str, set[ox.Quad]]:
    return {claim: _candidates(store, claim) for claim in claims}


def test_a_run_over_all_claims_writes_what_claim_by_claim_writes(data_dir: Path, tmp_path: Path) -> None:
    whole, one_by_one = _store(data_dir, tmp_path), _store(data_dir, tmp_path)
    claims = _claims(whole)
    assert len(claims) > 20 and claims == _claims(one_by_one)
    report = discover_claims(whole, claims, tables=True)
    for claim in claims:
        discover_claims(one_by_one, [claim], tables=False)
    expected = _candidate_graphs(one_by_one, claims)
    assert _candidate_graphs(whole, claims) == expected
    assert report.written == sum(1 for quads in expected.values() if quads) and report.quads_added > 0
    # the run did find the maker's own trial, tied, and the tie verdicts are in what was compared
    opdivo = find_claim(whole, "Opdivo extends survival")
    tied = [q for q in expected[opdivo] if q.predicate == OC.independent and q.object.value == "false"]
    assert tied


@pytest.mark.parametrize("tables", [True, False])
def test_rediscovery_on_unchanged_records_writes_nothing(data_dir: Path, tmp_path: Path, tables: bool) -> None:
    inner = CountingStore(ox.Store())
    store = _store(data_dir, tmp_path, inner)
    claims = _claims(store)
    first = discover_claims(store, claims, tables=tables)
    assert first.written > 0 and inner.writes.count("load") >= 1
    inner.writes.clear()
    again = discover_claims(store, claims, tables=tables)
    assert (again.written, again.quads_added, again.quads_removed) == (0, 0, 0)
    assert again.unchanged == len(claims)
    assert inner.writes == []


def _make_stale(store: ClaimStore, claim: str) -> tuple[set[ox.Quad], ox.NamedNode]:
    """Take one candidate record's therapy away: its candidate must go at the next run."""
    before = _candidates(store, claim)
    record = next(q.object for q in before if q.predicate == OC.candidateRecord)
    for quad in list(store.quads(record, OC.intervention)):
        store.inner.remove(quad)
    for quad in list(store.quads(None, None, None, None)):
        if quad.predicate in (OC.meshTerm, OC.substance) and any(store.quads(record, OC.reportedIn, quad.subject)):
            store.inner.remove(quad)
    return before, record  # type: ignore[return-value]


def test_a_claims_candidates_are_replaced_in_one_step(data_dir: Path, tmp_path: Path) -> None:
    inner = CountingStore(ox.Store())
    store = _store(data_dir, tmp_path, inner)
    claim = find_claim(store, "Nivolumab extends survival in small-cell")
    discover_claims(store, [claim])
    before, gone = _make_stale(store, claim)
    inner.writes.clear()
    report = discover_claims(store, [claim])
    assert report.written == 1 and report.quads_removed > 0
    assert inner.writes == ["update"]  # stale quads out and new ones in: one transaction
    after = _candidates(store, claim)
    assert gone not in {q.object for q in after if q.predicate == OC.candidateRecord}
    assert before != after


def test_a_refused_replacement_leaves_the_old_candidates_whole(data_dir: Path, tmp_path: Path) -> None:
    inner = CountingStore(ox.Store())
    store = _store(data_dir, tmp_path, inner)
    claim = find_claim(store, "Nivolumab extends survival in small-cell")
    discover_claims(store, [claim])
    before, _ = _make_stale(store, claim)
    inner.refuse_update = True
    # its candidate set and its tie verdicts: both or neither
    with pytest.raises(StoreError, match="could not replace 2 candidate graphs"):
        discover_claims(store, [claim])
    assert _candidates(store, claim) == before  # nothing half-written


def test_claims_that_say_the_same_share_one_candidate_set_but_not_their_tie_verdicts(
        data_dir: Path, tmp_path: Path) -> None:
    store = _store(data_dir, tmp_path)
    table = tmp_path / "same.csv"  # what the curated Opdivo claim says, with no claimant
    table.write_text("claim_text,claim_type,therapy,population,indication,source_url,source_type\n"
                     "Opdivo prolongs life in squamous non-small-cell lung cancer,efficacy,Opdivo,humans,"
                     "squamous non-small-cell lung cancer,https://example.org/other,news-article\n", encoding="utf-8")
    ingest(table, store)
    maker, other = find_claim(store, "Opdivo extends survival"), find_claim(store, "Opdivo prolongs life")
    report = discover_claims(store, [maker, other])
    assert report.written == 2
    (maker_set,), (other_set,) = ([q.object for q in store.quads(ox.NamedNode(c), OC.candidateSet)]
                                  for c in (maker, other))
    assert maker_set == other_set  # one set, written once
    maker_entries, other_entries = candidate_entries(store, maker)[0], candidate_entries(store, other)[0]
    assert len({q.subject for q in store.quads(None, OC.inCandidateSet, maker_set)}) == len(maker_entries) >= 2
    keys = ("record", "score", "matched_on")
    assert [[e[k] for k in keys] for e in maker_entries] == [[e[k] for k in keys] for e in other_entries]
    # the tie verdicts are the claim's own: the maker's trial is tied to the maker's claim only
    stored = {c: {q.object.value for g in claim_graphs(store, c) for q in store.quads(None, OC.independent, None, g)}
              for c in (maker, other)}
    assert "false" in stored[maker] and "false" not in stored[other]


def test_a_set_no_claim_links_to_any_more_is_dropped(data_dir: Path, tmp_path: Path) -> None:
    store = _store(data_dir, tmp_path)
    claims = [find_claim(store, "Opdivo extends survival"), find_claim(store, "Keytruda shrinks")]
    discover_claims(store, claims)
    old = claim_graphs(store, claims[1])
    assert all(any(store.quads(graph=g)) for g in old)
    for quad in list(store.quads(ox.NamedNode(claims[1]), OC.indication)):  # the claim now says something else
        store.inner.remove(quad)
    report = discover_claims(store, [claims[1]])
    assert report.written == 1
    new = claim_graphs(store, claims[1])
    assert new[1] != old[1] and any(store.quads(graph=new[1]))
    assert not any(store.quads(graph=old[1])) and not any(store.quads(graph=old[2]))  # nobody's: gone
    assert all(any(store.quads(graph=g)) for g in claim_graphs(store, claims[0]))  # another claim's: kept
