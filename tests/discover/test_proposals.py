"""A record's own stated result for a claim's exact comparison is proposed, never judged.

Real ClinicalTrials.gov API v2 records with posted results (tests/data/ctgov/v2, origins
in its README): NCT02552212 (certolizumab pegol against placebo in axial
spondyloarthritis; primary outcomes ASDAS-MI and ASAS40, p < 0.001), NCT00567567 (single
against tandem transplant in neuroblastoma, both arms given the same drugs) and
NCT03275402 (one arm, no analysis). The claims are a curator's, typed here.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from oncoclaims.discover import discover_claims, find_candidates
from oncoclaims.discover.candidates import claim_graphs
from oncoclaims.discover.report import candidate_entries, explain_candidates
from oncoclaims.graph.confirmation import find_claim
from oncoclaims.graph.store import ClaimStore
from oncoclaims.ingest import ingest
from oncoclaims.ontology import ontology_quads
from oncoclaims.vocab import CITO, OC

RECORDS = ["aact/NCT02552212.json", "ctrdata-demo/NCT00567567.json", "ctrdata-demo/NCT03275402.json"]
CLAIMS = """claim_text,claim_type,therapy,population,indication,source_url,source_type
Certolizumab pegol improves disease activity in axial spondyloarthritis,efficacy,certolizumab pegol,humans,axial spondyloarthritis,https://example.org/a,news-article
Certolizumab pegol is safe in axial spondyloarthritis,safety,certolizumab pegol,humans,axial spondyloarthritis,https://example.org/b,news-article
Certolizumab pegol improves Crohn's disease,efficacy,certolizumab pegol,humans,Crohn's disease,https://example.org/c,news-article
Carboplatin improves event-free survival in neuroblastoma,efficacy,carboplatin,humans,neuroblastoma,https://example.org/d,news-article
Omburtamab improves survival in neuroblastoma,efficacy,131I-omburtamab,humans,neuroblastoma,https://example.org/e,news-article
"""


@pytest.fixture
def results_store(data_dir: Path, tmp_path: Path) -> ClaimStore:
    store = ClaimStore.in_memory()
    store.extend(ontology_quads())
    for name in RECORDS:
        ingest(data_dir / "ctgov" / "v2" / name, store)
    table = tmp_path / "claims.csv"
    table.write_text(CLAIMS, encoding="utf-8")
    ingest(table, store)
    return store


def _proposals(store: ClaimStore, words: str) -> dict[str, tuple[str, str]]:
    found = find_candidates(store, find_claim(store, words))
    assert found.candidates, f"{words}: the record should be a candidate"
    return found.proposals


def test_a_trial_that_states_the_claims_comparison_is_proposed_as_supporting(results_store: ClaimStore) -> None:
    (record, (verdict, reason)), = _proposals(results_store, "improves disease activity in axial").items()
    assert record.endswith("/trial/NCT02552212") and verdict == "supports"
    # the reason quotes the record: outcome, groups with their values, estimate, p-value
    assert 'primary outcome "Percentage of Subjects With' in reason
    assert "CZP 200 mg Q2W (FAS) 47.2 vs Placebo (FAS) 7.0" in reason
    assert "Odds Ratio (OR) 15.231 (95% CI 7.336 to 31.623); p <0.001 (Regression, Logistic)" in reason
    assert "(and 1 more primary analyses agree)" in reason


def test_the_proposal_is_stored_and_reported_as_a_candidate_never_as_support(results_store: ClaimStore) -> None:
    claim = find_claim(results_store, "improves disease activity in axial")
    discover_claims(results_store, [claim])
    assert [q.object.value for graph in claim_graphs(results_store, claim)
            for q in results_store.quads(None, OC.proposedJudgement, None, graph)] == ["supports"]
    assert not any(results_store.quads(None, CITO.supports, None, None))  # no judged link anywhere
    entries, _ = candidate_entries(results_store, claim)
    (entry,) = [e for e in entries if e["record"].endswith("NCT02552212")]
    assert entry["proposed"]["verdict"] == "supports" and "47.2 vs Placebo" in entry["proposed"]["reason"]
    assert entry["review"] is None
    assert "1 is proposed as supporting or disputing by its own stated result" in explain_candidates(entries, 1)


@pytest.mark.parametrize("words", [
    "Certolizumab pegol is safe",  # a safety claim: the primary outcomes are efficacy outcomes
    "improves Crohn's disease",  # another condition than the trial's
    "Carboplatin improves event-free",  # single against tandem transplant: neither group is the claim's therapy
    "Omburtamab improves survival",  # one arm, no analysis
])
def test_no_proposal_when_the_comparison_is_not_the_claims(results_store: ClaimStore, words: str) -> None:
    assert _proposals(results_store, words) == {}
