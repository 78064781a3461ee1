"""Hand-built scenario graphs for the confirmation engine (made up for the tests, not data).

Every scenario starts from one claim "X works." about therapy X, developed by Developer
Inc (the claimant), stated by one news article; scenarios add evidence, sources and ties.
"""

from __future__ import annotations

import pyoxigraph as ox

from oncoclaims import queries
from oncoclaims.graph.store import ClaimStore
from oncoclaims.ontology import ontology_quads

PREFIXES = """
@prefix ex: <https://example.org/scenario/> .
@prefix oc: <https://w3id.org/oncoclaims/vocab#> .
@prefix oa: <http://www.w3.org/ns/oa#> .
@prefix schema: <https://schema.org/> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix cito: <http://purl.org/spar/cito/> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
"""

BASE = """
ex:claim a oc:Claim ; schema:text "X works." ; rdfs:label "X works" ; oc:about ex:therapy ;
    oc:claimType oc:claim-efficacy ; oc:claimedBy ex:developer .
ex:therapy a oc:Therapy ; rdfs:label "X" ; oc:developedBy ex:developer .
ex:developer a oc:Institution ; rdfs:label "Developer Inc" .
ex:outlet a oc:Institution ; rdfs:label "Daily Outlet" .
ex:news a oc:Source ; oc:sourceType oc:source-news-article ; dcterms:title "News story" ; dcterms:publisher ex:outlet .
ex:st-news a oc:ClaimStatement ; oa:hasBody ex:claim ; oa:hasTarget ex:t-news .
ex:t-news a oa:SpecificResource ; oa:hasSource ex:news .
ex:journal a oc:Institution ; rdfs:label "Journal of Oncology" .
ex:university a oc:Institution ; rdfs:label "Independent University" .
"""

CLAIM = "https://example.org/scenario/claim"


def evidence(name: str, relation: str = "supports", report_type: str = "peer-reviewed-article",
             publisher: str = "journal", sponsor: str | None = "university", retracted: bool = False,
             extra: str = "") -> str:
    """Turtle for one piece of evidence reported in its own source; ``sponsor=None`` leaves
    out who did the study (no sponsor, funder or author: independence unknown)."""
    flag = " ; oc:retracted true" if retracted else ""
    sponsored = f" oc:sponsor ex:{sponsor} ;" if sponsor else ""
    return f"""
ex:{name} a oc:Evidence ; rdfs:label "{name}" ; oc:studyType oc:study-randomised-controlled ;
    cito:{relation} ex:claim ;{sponsored} oc:reportedIn ex:{name}-paper .
ex:{name}-paper a oc:Source ; oc:sourceType oc:source-{report_type} ; dcterms:title "{name} paper" ;
    dcterms:publisher ex:{publisher}{flag} .
{extra}
"""


def stating(name: str, derived_from: str | None = None, publisher: str = "outlet") -> str:
    """Turtle for another source stating the claim, optionally reporting on an earlier one."""
    link = f" ; oc:reportsOn ex:{derived_from}" if derived_from else ""
    return f"""
ex:{name} a oc:Source ; oc:sourceType oc:source-news-article ; dcterms:title "{name}" ;
    dcterms:publisher ex:{publisher}{link} .
ex:st-{name} a oc:ClaimStatement ; oa:hasBody ex:claim ; oa:hasTarget ex:t-{name} .
ex:t-{name} a oa:SpecificResource ; oa:hasSource ex:{name} .
"""


def scenario_store(*parts: str) -> ClaimStore:
    """An in-memory store with the ontology and the base scenario plus ``parts``."""
    store = ClaimStore.in_memory()
    store.extend(ontology_quads())
    graph = ox.NamedNode("https://example.org/scenario/graph")
    text = PREFIXES + BASE + "".join(parts)
    store.extend(ox.Quad(t.subject, t.predicate, t.object, graph) for t in ox.parse(text, ox.RdfFormat.TURTLE))
    return store


def sparql_circular(store: ClaimStore, claim: str, depth: int = 3) -> bool:
    """Circular reporting from the named queries: sources, origins and the origin-pair ties."""
    sources = {r["source"].value for r in queries.select(store, "claim_sources", claim=claim)}
    origins = {r["origin"].value for r in queries.select(store, "claim_origins", claim=claim)}
    pairs = queries.select(store, "circular_reporting", claim=claim, depth=depth)
    return len(sources) >= 2 and (len(origins) == 1 or (len(origins) > 1 and all(
        r["tied"].value == "true" for r in pairs)))
