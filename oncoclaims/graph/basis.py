"""The basis of every curated link: stated (the quote it rests on) or inferred (a reason).

A link a person typed (in the reference graph or a claims table) rests either on words of
a document that state it, or on the curator's inference, which gives its reason and the
quotes it joins (DESIGN.md, "Basis of every curated link"). Each basis is a node of its
own, an ``rdf:Statement`` that names the link it is about::

    [] a oc:StatedLink ; rdf:subject S ; rdf:predicate P ; rdf:object O ;
       oc:quote "the words" ; dcterms:source "path/of/the/document" .
    [] a oc:InferredLink ; rdf:subject S ; rdf:predicate P ; rdf:object O ;
       oc:basisReason "why the curator reads it so" ; oc:quote "one quote", "another" .

:func:`basis_quads` makes one; :func:`bases_of` reads those of some links from the store;
:func:`verdict_links` names the curated links a confirmation verdict rests on (pure, over
the projection); :func:`unbased_links` finds curated links with no basis (``validate``).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import networkx as nx
import pyoxigraph as ox

from oncoclaims.graph import analysis
from oncoclaims.graph.store import ClaimStore
from oncoclaims.iris import mint_iri
from oncoclaims.vocab import DCTERMS, GRAPH_BASE, OC, PREFIXES, RDF

__all__ = [
    "CURATED_LINKS",
    "Basis",
    "bases_of",
    "basis_quads",
    "claim_links",
    "describe_inference",
    "is_curated_graph",
    "unbased_links",
    "verdict_links",
]

#: The links the confirmation definitions read, which need a basis when a person typed them.
CURATED_LINKS = (
    "oc:claimedBy", "oc:attributedTo", "oc:developedBy", "oc:sponsoredBy", "oa:hasSource",
    "dcterms:publisher", "dcterms:creator", "schema:affiliation", "oc:partOf", "oc:controlledBy",
    "oc:fundedBy", "oc:reportsOn", "prov:wasDerivedFrom", "prov:wasQuotedFrom", "oc:reportedIn",
    "cito:supports", "cito:disputes", "oc:inconclusiveFor", "oc:sponsor", "oc:leadSponsor", "oc:funder",
)
#: Graphs a person writes: the bundled reference graph and every claims table.
CURATED_GRAPH_PREFIXES = (GRAPH_BASE + "reference/", GRAPH_BASE + "table/")

_WORDS = {
    "oc:claimedBy": "is claimed by", "oc:attributedTo": "is attributed to", "oc:developedBy": "is developed by",
    "oc:sponsoredBy": "is sponsored by", "oa:hasSource": "is a statement in", "dcterms:publisher": "is published by",
    "dcterms:creator": "is written by", "schema:affiliation": "is affiliated with", "oc:partOf": "is part of",
    "oc:controlledBy": "is controlled by", "oc:fundedBy": "is funded by", "oc:reportsOn": "reports on",
    "prov:wasDerivedFrom": "derives from", "prov:wasQuotedFrom": "quotes", "oc:reportedIn": "is reported in",
    "cito:supports": "supports", "cito:disputes": "disputes", "oc:inconclusiveFor": "is inconclusive for",
    "oc:sponsor": "is sponsored by", "oc:leadSponsor": "is sponsored by", "oc:funder": "is funded by",
}


def _full(compact: str) -> str:
    prefix, local = compact.split(":", 1)
    return PREFIXES[prefix] + local


_COMPACT = {_full(c): c for c in CURATED_LINKS}

#: A link as ``(subject IRI, compact predicate, object IRI)``, as the projection names it.
Link = tuple[str, str, str]


@dataclass(frozen=True, slots=True)
class Basis:
    """What one curated link rests on."""

    link: Link
    kind: str  # "stated" or "inferred"
    quotes: tuple[str, ...]
    reason: str | None = None
    document: str | None = None


def basis_quads(
    link: tuple[ox.NamedNode, ox.NamedNode, ox.NamedNode],
    graph: ox.NamedNode,
    *,
    quotes: Iterable[str],
    reason: str | None = None,
    document: str | None = None,
) -> list[ox.Quad]:
    """The quads of one basis: stated by ``quotes`` or, with ``reason``, inferred from them."""
    subject, predicate, obj = link
    node = mint_iri("basis", subject.value, predicate.value, obj.value)
    quads = [
        ox.Quad(node, RDF.type, OC.InferredLink if reason else OC.StatedLink, graph),
        ox.Quad(node, RDF.subject, subject, graph),
        ox.Quad(node, RDF.predicate, predicate, graph),
        ox.Quad(node, RDF.object, obj, graph),
    ]
    quads += [ox.Quad(node, OC.quote, ox.Literal(quote), graph) for quote in quotes]
    if reason:
        quads.append(ox.Quad(node, OC.basisReason, ox.Literal(reason), graph))
    if document:
        quads.append(ox.Quad(node, DCTERMS.source, ox.Literal(document), graph))
    return quads


def _basis(quads: Iterable[ox.Quad], link: Link) -> Basis:
    kind, quotes, reason, document = "stated", [], None, None
    for quad in quads:
        if quad.predicate == RDF.type and quad.object == OC.InferredLink:
            kind = "inferred"
        elif quad.predicate == OC.quote:
            quotes.append(quad.object.value)
        elif quad.predicate == OC.basisReason:
            reason = quad.object.value
        elif quad.predicate == DCTERMS.source:
            document = quad.object.value
    return Basis(link, kind, tuple(sorted(quotes)), reason, document)


def bases_of(store: ClaimStore, links: Iterable[Link]) -> dict[Link, Basis]:
    """The basis of each of ``links`` that has one: the basis nodes of every link subject,
    then every quad of those nodes (two batched reads: two requests on a SPARQL server)."""
    wanted: dict[str, set[Link]] = {}
    for link in links:
        if not link[0].startswith("_:"):
            wanted.setdefault(link[0], set()).add(link)
    subjects = list(wanted)
    about = store.quads_each("o", [ox.NamedNode(s) for s in subjects], predicate=RDF.subject)
    nodes = list(dict.fromkeys(quad.subject for quads in about for quad in quads))
    of_node = dict(zip(nodes, store.quads_each("s", nodes), strict=True))
    found: dict[Link, Basis] = {}
    for subject, quads in zip(subjects, about, strict=True):
        for quad in quads:
            node_quads = of_node[quad.subject]
            predicate = next((q.object for q in node_quads if q.predicate == RDF.predicate), None)
            obj = next((q.object for q in node_quads if q.predicate == RDF.object), None)
            if predicate is None or obj is None:
                continue
            link = (subject, _COMPACT.get(predicate.value, ""), obj.value)
            if link in wanted[subject] and link not in found:
                found[link] = _basis(node_quads, link)
    return found


def verdict_links(graph: nx.MultiDiGraph, claim: str, evidence: str, relation: str, verdict: analysis.Verdict) -> set[Link]:
    """The curated links one evidence verdict rests on: the evidence's relation to the claim,
    the sources that report it, and, when a tie breaks independence, every link of the tie
    (how each party is responsible or interested, and each step of the chain)."""
    out = analysis._out
    predicate = {"supports": "cito:supports", "disputes": "cito:disputes", "inconclusive": "oc:inconclusiveFor"}
    links: set[Link] = {(evidence, predicate[relation], claim)}
    reports = out(graph, evidence, ["oc:reportedIn"])
    links.update((evidence, "oc:reportedIn", report) for report in reports)
    found = verdict.tie
    if found is None:
        return links
    for compact in ("oc:sponsor", "oc:leadSponsor", "oc:funder"):
        if found.first in out(graph, evidence, [compact]):
            links.add((evidence, compact, found.first))
    for report in reports:
        for compact in ("dcterms:publisher", "dcterms:creator"):
            if found.first in out(graph, report, [compact]):
                links.add((report, compact, found.first))
    for start, chain in ((found.first, found.first_chain), (found.second, found.second_chain)):
        previous = start
        for step, node in chain:
            links.add((previous, step, node))
            previous = node
    links.update(_interest_links(graph, claim, found.second))
    return links


def _interest_links(graph: nx.MultiDiGraph, claim: str, party: str) -> Iterator[Link]:
    out, into = analysis._out, analysis._in
    if party in out(graph, claim, ["oc:claimedBy"]):
        yield (claim, "oc:claimedBy", party)
    for statement in into(graph, claim, ["oa:hasBody"]):
        if party in out(graph, statement, ["oc:attributedTo"]):
            yield (statement, "oc:attributedTo", party)
    for therapy in out(graph, claim, ["oc:about"]):
        for compact in ("oc:developedBy", "oc:sponsoredBy"):
            if party in out(graph, therapy, [compact]):
                yield (therapy, compact, party)
    for origin in analysis.origins(graph, claim):
        for compact in ("dcterms:publisher", "dcterms:creator"):
            if party in out(graph, origin, [compact]):
                yield (origin, compact, party)


def claim_links(graph: nx.MultiDiGraph, claim: str, depth: int = analysis.DEFAULT_DEPTH) -> set[Link]:
    """The curated links that make sources state ``claim`` and derive from each other
    (which sources are its origins rests on them), and, when its origins are tied to each
    other (circular reporting), the links of those ties."""
    out, into = analysis._out, analysis._in
    links: set[Link] = set()
    stating = set(analysis.stating_sources(graph, claim))
    for statement in into(graph, claim, ["oa:hasBody"]):
        for target in out(graph, statement, ["oa:hasTarget"]):
            links.update((target, "oa:hasSource", source) for source in out(graph, target, ["oa:hasSource"]))
    for source in stating:
        for compact in analysis.DERIVATION:
            links.update((source, compact, earlier) for earlier in out(graph, source, [compact]) if earlier in stating)
    origins = analysis.origins(graph, claim)
    if len(stating) > 1 and analysis.circular_reporting(graph, claim, depth):
        for first in origins:
            for second in origins:
                if first < second and (found := analysis.origin_tie(graph, first, second, depth)) is not None:
                    links.update(_tie_links(graph, found, [first, second]))
    return links


def _tie_links(graph: nx.MultiDiGraph, found: analysis.Tie, sources: list[str]) -> Iterator[Link]:
    for source in sources:
        for compact in ("dcterms:publisher", "dcterms:creator"):
            for party in (found.first, found.second):
                if party in analysis._out(graph, source, [compact]):
                    yield (source, compact, party)
    for start, chain in ((found.first, found.first_chain), (found.second, found.second_chain)):
        previous = start
        for step, node in chain:
            yield (previous, step, node)
            previous = node


def describe_inference(graph: nx.MultiDiGraph, basis: Basis) -> str:
    """One inferred link in words: "Very early trials is reported in Official statements"."""
    subject, predicate, obj = basis.link
    label = analysis._label
    if predicate == "oa:hasSource":  # the subject is a statement's target, which has no name
        return f"the claim is stated in {label(graph, obj)}"
    return f"{label(graph, subject)} {_WORDS.get(predicate, predicate)} {label(graph, obj)}"


def is_curated_graph(name: str) -> bool:
    """Whether a named graph holds links a person typed (reference graph, claims tables)."""
    return name.startswith(CURATED_GRAPH_PREFIXES)


def unbased_links(quads: Iterable[ox.Quad]) -> list[ox.Quad]:
    """Curated links with no stated or inferred basis, in a curated graph or a graph where
    some link has a basis (a curator who gives bases gives them all)."""
    quads = list(quads)
    based = set()
    parts: dict[ox.Term, dict[str, ox.Term]] = {}
    for quad in quads:
        if quad.predicate in (RDF.subject, RDF.predicate, RDF.object):
            parts.setdefault(quad.subject, {})[quad.predicate.value] = quad.object
    for part in parts.values():
        if len(part) == 3:
            based.add((part[RDF.subject.value], part[RDF.predicate.value], part[RDF.object.value]))
    graphs_with_bases = {quad.graph_name for quad in quads if quad.predicate == RDF.subject}
    return [
        quad for quad in quads
        if quad.predicate.value in _COMPACT
        and (quad.graph_name in graphs_with_bases
             or (isinstance(quad.graph_name, ox.NamedNode) and is_curated_graph(quad.graph_name.value)))
        and (quad.subject, quad.predicate, quad.object) not in based
    ]
