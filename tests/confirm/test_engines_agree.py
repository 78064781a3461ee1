"""Property: on random claim graphs, SPARQL and Python give the same origins, ties,
independent confirmations and statuses. The graphs often leave parties out (evidence with no
sponsor, funder or author: independence unknown), and the engines agree on those too."""

from __future__ import annotations

import pyoxigraph as ox
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scenarios import sparql_circular

from oncoclaims import queries
from oncoclaims.graph import analysis
from oncoclaims.graph.confirmation import claim_status, claim_statuses, confirmation_report
from oncoclaims.graph.projection import to_networkx
from oncoclaims.graph.store import ClaimStore
from oncoclaims.ontology import ontology_quads
from oncoclaims.vocab import CITO, DCTERMS, OA, OC, RDF, SCHEMA

EX = "https://example.org/random/"
GRAPH = ox.NamedNode(EX + "graph")
TRUE = ox.Literal("true", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#boolean"))
SOURCE_TYPES = ["news-article", "press-release", "peer-reviewed-article", "trial-results", "official-statement"]
LINKS = [OC.partOf, OC.controlledBy, OC.fundedBy, OC.candidateIn]


def n(kind: str, index: int) -> ox.NamedNode:
    return ox.NamedNode(f"{EX}{kind}{index}")


@st.composite
def claim_graphs(draw: st.DrawFn) -> list[ox.Quad]:
    institutions = draw(st.integers(2, 6))
    persons = draw(st.integers(0, 3))
    parties = [n("inst", i) for i in range(institutions)] + [n("person", i) for i in range(persons)]
    claims = draw(st.integers(1, 2))
    sources = draw(st.integers(1, 6))
    evidence_count = draw(st.integers(0, 4))
    triples = []
    add = triples.append
    for i in range(institutions):
        add((n("inst", i), RDF.type, OC.Institution))
        for j in draw(st.lists(st.integers(0, institutions - 1), max_size=2)):
            add((n("inst", i), draw(st.sampled_from(LINKS)), n("inst", j)))
    for i in range(persons):
        add((n("person", i), RDF.type, OC.Person))
        for j in draw(st.lists(st.integers(0, institutions - 1), max_size=2)):
            add((n("person", i), SCHEMA.affiliation, n("inst", j)))
    add((n("therapy", 0), RDF.type, OC.Therapy))
    add((n("therapy", 0), OC.developedBy, draw(st.sampled_from(parties))))
    for i in range(sources):
        source = n("source", i)
        add((source, RDF.type, OC.Source))
        add((source, OC.sourceType, OC["source-" + draw(st.sampled_from(SOURCE_TYPES))]))
        add((source, DCTERMS.publisher, draw(st.sampled_from(parties[:institutions]))))
        if persons and draw(st.booleans()):
            add((source, DCTERMS.creator, n("person", draw(st.integers(0, persons - 1)))))
        if draw(st.integers(0, 4)) == 0:
            add((source, OC.retracted, TRUE))
        for j in draw(st.lists(st.integers(0, sources - 1), max_size=2)):
            add((source, draw(st.sampled_from([OC.reportsOn, ox.NamedNode("http://www.w3.org/ns/prov#wasDerivedFrom")])), n("source", j)))
    for c in range(claims):
        claim = n("claim", c)
        add((claim, RDF.type, OC.Claim))
        add((claim, OC.about, n("therapy", 0)))
        if draw(st.booleans()):
            add((claim, OC.claimedBy, draw(st.sampled_from(parties))))
        for k, s in enumerate(draw(st.lists(st.integers(0, sources - 1), min_size=1, max_size=4, unique=True))):
            statement, target = n(f"st{c}-", k), n(f"t{c}-", k)
            add((statement, OA.hasBody, claim))
            add((statement, OA.hasTarget, target))
            add((target, OA.hasSource, n("source", s)))
            if draw(st.integers(0, 3)) == 0:
                add((statement, OC.attributedTo, draw(st.sampled_from(parties))))
    for e in range(evidence_count):
        item = n("evidence", e)
        add((item, RDF.type, OC.Evidence))
        add((item, draw(st.sampled_from([CITO.supports, CITO.disputes])), n("claim", draw(st.integers(0, claims - 1)))))
        for s in draw(st.lists(st.integers(0, sources - 1), max_size=2)):
            add((item, OC.reportedIn, n("source", s)))
        if draw(st.integers(0, 2)) == 0:  # often no one who did the study is known
            add((item, OC.sponsor, draw(st.sampled_from(parties))))
        if draw(st.integers(0, 3)) == 0:
            add((item, OC.funder, draw(st.sampled_from(parties))))
    return [ox.Quad(s, p, o, GRAPH) for s, p, o in triples]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(claim_graphs(), st.integers(0, 4))
def test_sparql_and_python_agree(quads: list[ox.Quad], depth: int) -> None:
    store = ClaimStore.in_memory()
    store.extend(ontology_quads())
    store.extend(quads)
    graph = to_networkx(store)
    claims = sorted(q.subject.value for q in quads if q.predicate == RDF.type and q.object == OC.Claim)
    for claim in claims:
        sparql_origins = sorted(r["origin"].value for r in queries.select(store, "claim_origins", claim=claim))
        assert sparql_origins == analysis.origins(graph, claim)
        sparql_independent = {
            (r["evidence"].value, r["relation"].value)
            for r in queries.select(store, "independent_evidence", claim=claim, depth=depth)
        }
        assert sparql_independent == set(analysis.independent_evidence(graph, claim, depth=depth))
        assert sparql_circular(store, claim, depth) == analysis.circular_reporting(graph, claim, depth)
    parties = sorted({q.subject.value for q in quads if q.object in (OC.Institution, OC.Person)})
    for a in parties[:4]:
        for b in parties[:4]:
            tied = bool(queries.select(store, "party_ties", a=a, b=b, depth=depth))
            assert tied == (analysis.tie(graph, a, b, depth) is not None), (a, b)
    per_claim = {claim: analysis.status(graph, claim, depth=depth) for claim in claims}
    assert claim_statuses(store, engine="python", depth=depth) == per_claim  # all at once (statuses.py)
    assert claim_statuses(store, engine="sparql", depth=depth) == per_claim
    for claim in claims:  # one report projects only the claim's neighbourhood, chains cut at depth
        report = confirmation_report(store, claim, depth=depth)
        assert report.status["iri"] == per_claim[claim]
        assert claim_status(store, claim, depth=depth) == per_claim[claim]  # as /claims pages get it
        assert report.origins == analysis.origins(graph, claim)
        assert report.circular_reporting == analysis.circular_reporting(graph, claim, depth)
        assert report.independent_confirmations == [
            e for e, relation in analysis.independent_evidence(graph, claim, depth=depth) if relation == "supports"
        ]
        for item in report.evidence:  # True, False or None (unknown) as on the whole graph
            whole = analysis.evidence_verdict(graph, claim, item["iri"], item["relation"], depth=depth)
            assert item["independent"] == whole.independent, item["reason"]
