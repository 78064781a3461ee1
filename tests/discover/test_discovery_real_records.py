"""Candidate evidence on real records: the right trials first, unrelated ones absent, sponsors named."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox

from oncoclaims.discover import discover_claims, find_candidates, touched_claims
from oncoclaims.discover.candidates import claim_graphs, claim_profile
from oncoclaims.discover.names import resolve_drug
from oncoclaims.discover.report import candidate_entries
from oncoclaims.graph.confirmation import confirmation_report, find_claim
from oncoclaims.graph.store import ClaimStore
from oncoclaims.ingest import ingest
from oncoclaims.iris import mint_iri
from oncoclaims.vocab import OC


def _ncts(store: ClaimStore, claim: str) -> list[str]:
    found = find_candidates(store, claim)
    return [i.removeprefix("NCT:") for c in found.candidates for i in c.record.identifiers if i.startswith("NCT:")]


def test_the_two_nivolumab_trials_rank_by_condition(records_store: ClaimStore) -> None:
    squamous = find_claim(records_store, "Opdivo extends survival")
    small_cell = find_claim(records_store, "Nivolumab extends survival in small-cell")
    legacy = ("NCT01642004", "NCT02481830")  # squamous NSCLC; small-cell lung cancer
    assert [n for n in _ncts(records_store, squamous) if n in legacy] == ["NCT01642004", "NCT02481830"]
    assert [n for n in _ncts(records_store, small_cell) if n in legacy] == ["NCT02481830", "NCT01642004"]
    assert _ncts(records_store, squamous)[0] == "NCT01642004"
    assert _ncts(records_store, small_cell)[0] == "NCT02481830"
    # NCT04114136 ("Nivolumab or Pembrolizumab", a basket including NSCLC) is a nivolumab trial too
    for claim in (squamous, small_cell):
        assert set(_ncts(records_store, claim)) == {"NCT01642004", "NCT02481830", "NCT04114136"}


def test_a_claim_naming_only_the_brand_reaches_the_pembrolizumab_studies(records_store: ClaimStore) -> None:
    claim = find_claim(records_store, "Keytruda shrinks")
    found = _ncts(records_store, claim)
    # every study of the /studies page for Keytruda, one only through "Pembrolizumab + Carboplatin + Pemetrexed"
    assert {"NCT05431270", "NCT03590054", "NCT04795661"} <= set(found)
    assert "NCT04318717" in found  # pembrolizumab in the melanoma page
    # unrelated: exercise, BL-B01D1, EGFR TKIs, nivolumab alone, blinatumomab
    assert not {"NCT06970236", "NCT06382129", "NCT06604689", "NCT01642004", "NCT01207388"} & set(found)
    # the NSCLC studies rank above the ones on other conditions
    assert set(found[:3]) == {"NCT05431270", "NCT03590054", "NCT04114136"}


def test_the_toca_511_trial_is_found_and_the_makers_own_trial_is_not_independent(records_store: ClaimStore) -> None:
    claim = find_claim(records_store, "Toca 511 helps")
    discover_claims(records_store, [claim])
    entries, total = candidate_entries(records_store, claim)
    assert total == 1
    (entry,) = entries
    assert entry["identifiers"] == ["NCT:NCT02576665"]
    assert entry["sponsors"] == ["Tocagen Inc."]
    assert entry["independent"] is False
    assert "Tocagen" in entry["reason"] and entry["reason"].startswith("not independent")


def test_sponsors_are_named_and_an_industry_trial_is_not_called_independent_without_the_maker(
    records_store: ClaimStore,
) -> None:
    squamous = find_claim(records_store, "Opdivo extends survival")
    small_cell = find_claim(records_store, "Nivolumab extends survival in small-cell")
    discover_claims(records_store, [squamous, small_cell])
    by_claim = {claim: {e["record"]: e for e in candidate_entries(records_store, claim)[0]}
                for claim in (squamous, small_cell)}
    trial = mint_iri("trial", "NCT01642004").value
    # claimed by BMS itself: the BMS trial is tied to the claimant
    assert by_claim[squamous][trial]["independent"] is False
    assert "Bristol-Myers Squibb" in by_claim[squamous][trial]["sponsors"]
    # a news claim; nivolumab's developer is not in the graph and BMS is a company: unknown, not true
    assert by_claim[small_cell][trial]["independent"] is None
    assert "may be its maker" in by_claim[small_cell][trial]["reason"]


def test_a_record_with_no_known_sponsor_gives_null_with_the_reason(records_store: ClaimStore) -> None:
    claim = find_claim(records_store, "Toca 511 helps")
    trial = mint_iri("trial", "NCT02576665")
    for predicate in (OC.sponsor, OC.leadSponsor):
        for quad in list(records_store.inner.quads_for_pattern(trial, predicate, None, None)):
            records_store.inner.remove(quad)
    (entry,), _ = candidate_entries(records_store, claim, live=True)
    assert entry["independent"] is None
    assert entry["sponsors"] == []
    assert "unknown is not independent" in entry["reason"]


def test_t_vec_stories_before_and_after_approval_name_one_therapy_and_get_no_unrelated_record(
    records_store: ClaimStore, data_dir: Path
) -> None:
    before = set(touched_claims(records_store, [s.value for s in _news_sources(records_store)]))
    for story in ("story_reviews_00612.json", "story_reviews_00521.json"):  # 2015-05, before; 2015-10, approval
        ingest(data_dir / "news" / story, records_store)
    t_vec = resolve_drug("talimogene laherparepvec")
    assert t_vec is not None
    claims = set(touched_claims(records_store, [s.value for s in _news_sources(records_store)])) - before
    assert len(claims) > 5
    names = set()
    for claim in claims:
        profile, _ = claim_profile(records_store, claim)
        for part in profile.therapy_parts:
            drug = resolve_drug(part[0])
            names.add(drug.key if drug else part[0])
        # no T-VEC or ipilimumab record is in the store: no candidate, rather than an unrelated one
        assert find_candidates(records_store, claim).candidates == []
    # "Imlygic" (the approval story) and "T-VEC" (the story before it) are one therapy
    assert t_vec.key in names and "Imlygic" not in names and "T-VEC" not in names


def _news_sources(store: ClaimStore) -> list[ox.NamedNode]:
    rows = store.inner.query(
        "SELECT DISTINCT ?s WHERE { GRAPH ?g { ?s <https://w3id.org/oncoclaims/vocab#sourceType> "
        "<https://w3id.org/oncoclaims/vocab#source-news-article> } }")
    return [row[0] for row in rows]


def test_rediscovering_unchanged_records_writes_nothing(records_store: ClaimStore) -> None:
    claims = [find_claim(records_store, w) for w in ("Opdivo extends", "Keytruda shrinks", "Toca 511 helps")]
    first = discover_claims(records_store, claims)
    assert first.written == 3
    size = len(records_store)
    again = discover_claims(records_store, claims)
    assert (again.written, again.unchanged) == (0, 3)
    assert len(records_store) == size
    # candidates are never supports
    assert not [q for graph in claim_graphs(records_store, claims[0]) for q in records_store.inner.quads_for_pattern(
        None, ox.NamedNode("http://purl.org/spar/cito/supports"), None, graph)]


def test_a_new_trial_touches_only_the_claims_about_its_therapy(records_store: ClaimStore, data_dir: Path) -> None:
    ingest(data_dir / "ctgov/xml/NCT03424005.xml", records_store)  # atezolizumab, TNBC
    assert touched_claims(records_store, [mint_iri("trial", "NCT03424005").value]) == []
    touched = touched_claims(records_store, [mint_iri("trial", "NCT01642004").value])
    assert touched == sorted([find_claim(records_store, "Opdivo extends"),
                              find_claim(records_store, "Nivolumab extends survival in small-cell")])


def test_the_report_lists_candidates_and_says_whose_they_are(records_store: ClaimStore) -> None:
    claim = find_claim(records_store, "Toca 511 helps")
    assert confirmation_report(records_store, claim).candidates == []  # discovery has not run
    discover_claims(records_store, [claim])
    report = confirmation_report(records_store, claim).to_dict()
    assert [c["identifiers"] for c in report["candidates"]] == [["NCT:NCT02576665"]]
    assert set(report["candidates"][0]) >= {"record", "identifiers", "title", "matched_on", "score",
                                            "evidence_level", "sponsors", "funders", "independent", "reason"}
    assert "1 trial of this therapy is in the graph; it is tied to the claim's interested parties; " \
           "none is independent; none has been reviewed." in report["explanation"]


def test_a_paper_is_found_by_the_substance_pubmed_indexes_it_with(records_store: ClaimStore, data_dir: Path,
                                                                  tmp_path: Path) -> None:
    # METRIC (NEJM 2012): trametinib is in its ChemicalList only, not among its MeSH headings
    table = tmp_path / "mekinist.csv"
    table.write_text("claim_text,therapy,population,indication,source_url,source_type\n"
                     "Mekinist improves survival in BRAF-mutated melanoma,Mekinist,humans,metastatic melanoma,"
                     "https://example.org/mekinist,news-article\n", encoding="utf-8")
    ingest(table, records_store)
    claim = find_claim(records_store, "Mekinist improves")
    assert find_candidates(records_store, claim).candidates == []
    ingest(data_dir / "pubmed/biomcp-efetch_citation_22663011.xml", records_store)
    (candidate,) = find_candidates(records_store, claim).candidates
    assert candidate.record.identifiers == ("PMID:22663011",)
    assert "therapy: Mekinist = MeSH trametinib" in candidate.matched_on
    assert any(m.startswith("condition: Melanoma") for m in candidate.matched_on)
    evidence = candidate.record.iri
    assert touched_claims(records_store, [evidence]) == [claim]
