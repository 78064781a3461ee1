"""Every status and every tie kind, each on a hand-built scenario with its expected report;
SPARQL (claim_statuses.rq, independent_evidence.rq) and Python agree on each."""

from __future__ import annotations

import pytest
from scenarios import CLAIM, evidence, scenario_store, sparql_circular, stating

from oncoclaims import queries
from oncoclaims.graph.confirmation import claim_statuses, confirmation_report

S = "https://w3id.org/oncoclaims/vocab#status-"

SCENARIOS = {
    "nothing but statements": ([], "unconfirmed", None),
    "independent peer-reviewed trial": ([evidence("trial")], "independently-confirmed", "independent: reported in trial paper"),
    "same institution": ([evidence("trial", sponsor="developer")], "self-confirmed",
                         "sponsor Developer Inc is also claimant and the therapy's developer"),
    "part-of chain": ([evidence("trial", sponsor="lab", extra="""
        ex:lab a oc:Institution ; rdfs:label "Lab" ; oc:partOf ex:faculty .
        ex:faculty a oc:Institution ; rdfs:label "Faculty" ; oc:partOf ex:group .
        ex:group a oc:Institution ; rdfs:label "Holding Group" .
        ex:developer oc:partOf ex:group .""")], "self-confirmed",
        "sponsor Lab is part of Faculty, which is part of Holding Group; claimant and the therapy's developer Developer Inc is part of Holding Group"),
    "controlled-by": ([evidence("trial", publisher="captive", extra="""
        ex:captive a oc:Institution ; rdfs:label "Captive Journal" ; oc:controlledBy ex:developer .""")],
        "self-confirmed", "publisher Captive Journal is controlled by Developer Inc, claimant and the therapy's developer"),
    "funded-by": ([evidence("trial", sponsor="foundation", extra="""
        ex:foundation a oc:Institution ; rdfs:label "Foundation" ; oc:fundedBy ex:developer .""")],
        "self-confirmed", "sponsor Foundation is funded by Developer Inc"),
    "funded by the developer": ([evidence("trial", extra="ex:trial oc:funder ex:developer .")], "self-confirmed",
                                "funder Developer Inc is also claimant and the therapy's developer"),
    "attributed party sponsors the trial": ([evidence("trial", sponsor="institute", extra="""
        ex:institute a oc:Institution ; rdfs:label "Institute" .
        ex:st-news oc:attributedTo ex:institute .""")], "self-confirmed",
        "sponsor Institute is also named as the claim's source"),
    "shared author": ([evidence("trial", extra="""
        ex:alice a oc:Person ; rdfs:label "Alice" .
        ex:trial-paper dcterms:creator ex:alice .
        ex:news dcterms:creator ex:alice .""")], "self-confirmed",
        "author Alice is also author of an origin of the claim"),
    "person affiliated with a tied institution": ([evidence("trial", extra="""
        ex:bob a oc:Person ; rdfs:label "Bob" ; schema:affiliation ex:subsidiary .
        ex:subsidiary a oc:Institution ; rdfs:label "Subsidiary" ; oc:controlledBy ex:developer .
        ex:trial-paper dcterms:creator ex:bob .""")], "self-confirmed",
        "author Bob is affiliated with Subsidiary, which is controlled by Developer Inc"),
    "candidate match (same name, no identifier)": ([evidence("trial", sponsor="namesake", extra="""
        ex:namesake a oc:Institution ; rdfs:label "Developer Inc" ; oc:candidateIn ex:match .
        ex:developer oc:candidateIn ex:match .
        ex:match a oc:CandidateMatch ; rdfs:label "candidate match 'developer inc'" ;
            oc:candidate ex:namesake, ex:developer .""")], "self-confirmed",
        "sponsor Developer Inc may be the same institution as the others in candidate match 'developer inc'"),
    "independent disputing evidence only": ([evidence("trial", relation="disputes")], "contradicted", "independent"),
    "independent evidence both ways": ([evidence("trial"), evidence("other", relation="disputes")], "contested", None),
    "retracted confirmation": ([evidence("trial", retracted=True)], "retracted-support",
                               "reported in trial paper, which is retracted"),
    "press release supports": ([evidence("release", report_type="press-release", publisher="university")],
                               "self-confirmed", "(press release), not a confirmatory source type"),
    "report derived from a stating source": ([evidence("trial", extra="ex:trial-paper prov:wasDerivedFrom ex:news .")],
                                             "self-confirmed", "which derives from News story, a source stating the claim"),
    # unknown is not independent (docs/confirmation.md): no sponsor, funder or author known
    "no one who did the study is known": ([evidence("trial", sponsor=None)], "independence-unknown",
        "independence unknown: reported in trial paper, a confirmatory source, but who did the study is not in "
        "the graph: the authors of trial paper, its sponsors and its funders are all unknown"),
    "unknown team, but its journal is tied": ([evidence("trial", sponsor=None, publisher="captive", extra="""
        ex:captive a oc:Institution ; rdfs:label "Captive Journal" ; oc:controlledBy ex:developer .""")],
        "self-confirmed", "not independent: publisher Captive Journal is controlled by Developer Inc"),
    "one known author, untied": ([evidence("trial", sponsor=None, extra="""
        ex:carol a oc:Person ; rdfs:label "Carol" .
        ex:trial-paper dcterms:creator ex:carol .""")], "independently-confirmed", "independent: reported in trial paper"),
    "one known funder, tied": ([evidence("trial", sponsor=None, extra="ex:trial oc:funder ex:developer .")],
        "self-confirmed", "funder Developer Inc is also claimant and the therapy's developer"),
    "unknown and tied support": ([evidence("trial", sponsor=None), evidence("other", sponsor="developer")],
        "independence-unknown", "sponsor Developer Inc is also claimant"),
    "unknown support, independent dispute": ([evidence("trial", sponsor=None), evidence("other", relation="disputes")],
        "contradicted", "independence unknown"),
    "unknown dispute only": ([evidence("trial", relation="disputes", sponsor=None)], "unconfirmed", "independence unknown"),
}


@pytest.mark.parametrize("name", SCENARIOS)
def test_scenario_report_and_both_engines(name: str) -> None:
    parts, expected, reason = SCENARIOS[name]
    store = scenario_store(*parts)
    report = confirmation_report(store, CLAIM)
    assert report.status["iri"] == S + expected, report.explanation
    if reason is not None:
        reasons = " | ".join(e["reason"] for e in report.evidence)
        assert reason in reasons
    assert claim_statuses(store, engine="sparql") == {CLAIM: S + expected}
    assert claim_statuses(store, engine="python") == {CLAIM: S + expected}
    sparql = {(r["evidence"].value, r["relation"].value) for r in queries.select(store, "independent_evidence", claim=CLAIM, depth=3)}
    python = {(e["iri"], e["relation"]) for e in report.evidence if e["independent"]}
    assert sparql == python
    assert report.independent_confirmations == sorted(i for i, r in python if r == "supports")


def test_circular_reporting_traces_every_echo_to_one_origin() -> None:
    store = scenario_store(stating("echo1", derived_from="news"), stating("echo2", derived_from="echo1"))
    report = confirmation_report(store, CLAIM)
    assert report.origins == ["https://example.org/scenario/news"]
    assert report.echo_factor == 3 and report.circular_reporting
    assert "trace back to one origin (circular reporting)" in report.explanation
    rows = queries.select(store, "echo_factors", claim=CLAIM)
    assert (int(rows[0]["sources"].value), int(rows[0]["origins"].value)) == (3, 1)


def test_two_truly_independent_origins_are_not_circular() -> None:
    store = scenario_store(stating("wire", publisher="university"), stating("echo", derived_from="wire"))
    report = confirmation_report(store, CLAIM)
    assert sorted(report.origins) == ["https://example.org/scenario/news", "https://example.org/scenario/wire"]
    assert report.echo_factor == 1.5 and not report.circular_reporting
    sparql = sorted(r["origin"].value for r in queries.select(store, "claim_origins", claim=CLAIM))
    assert sparql == report.origins


def test_origins_tied_to_each_other_are_circular_reporting() -> None:
    store = scenario_store(stating("wire", publisher="agency"), """
        ex:agency a oc:Institution ; rdfs:label "State Agency" ; oc:controlledBy ex:state .
        ex:outlet oc:controlledBy ex:state .
        ex:state a oc:Institution ; rdfs:label "The State" .""")
    report = confirmation_report(store, CLAIM)
    assert len(report.origins) == 2 and report.circular_reporting
    assert "2 origins whose publishers or authors are tied to each other" in report.explanation
    assert sparql_circular(store, CLAIM)
    # the tie is one controlled-by step on each side: gone at depth 0
    assert not confirmation_report(store, CLAIM, depth=0).circular_reporting
    assert not sparql_circular(store, CLAIM, depth=0)


def test_circular_reporting_agrees_in_sparql_for_the_other_scenarios() -> None:
    one_origin = scenario_store(stating("echo1", derived_from="news"))
    independent = scenario_store(stating("wire", publisher="university"))
    assert sparql_circular(one_origin, CLAIM) and confirmation_report(one_origin, CLAIM).circular_reporting
    assert not sparql_circular(independent, CLAIM)
    assert not confirmation_report(independent, CLAIM).circular_reporting


@pytest.mark.parametrize("depth, tied", [(1, False), (2, False), (3, True), (4, True)])
def test_tie_chain_depth_is_a_parameter_in_both_engines(depth: int, tied: bool) -> None:
    chain = """
        ex:a a oc:Institution ; rdfs:label "A" ; oc:partOf ex:b .
        ex:b a oc:Institution ; rdfs:label "B" ; oc:partOf ex:c .
        ex:c a oc:Institution ; rdfs:label "C" ; oc:fundedBy ex:developer ."""
    store = scenario_store(evidence("trial", sponsor="a", extra=chain))
    expected = S + ("self-confirmed" if tied else "independently-confirmed")
    assert confirmation_report(store, CLAIM, depth=depth).status["iri"] == expected
    assert claim_statuses(store, engine="sparql", depth=depth) == {CLAIM: expected}
    assert claim_statuses(store, engine="python", depth=depth) == {CLAIM: expected}
    ties = queries.select(store, "party_ties", a="https://example.org/scenario/a",
                          b="https://example.org/scenario/developer", depth=depth)
    assert bool(ties) == tied


def test_confirmatory_types_are_a_parameter() -> None:
    store = scenario_store(evidence("release", report_type="press-release"))
    press = {"https://w3id.org/oncoclaims/vocab#source-press-release"}
    assert claim_statuses(store, engine="sparql") == {CLAIM: S + "self-confirmed"}
    assert claim_statuses(store, engine="sparql", confirmatory=press) == {CLAIM: S + "independently-confirmed"}
    assert claim_statuses(store, engine="python", confirmatory=press) == {CLAIM: S + "independently-confirmed"}
