"""Graph metrics: per institution (claims, confirmation share, PageRank, betweenness,
amplification) and echo chambers (communities of sources that copy or cite each other).

The network is read straight from the store (:mod:`oncoclaims.graph.tables`): its nodes
are the claims, sources, reviews, institutions, persons, evidence and therapies; its edges
are the ontology's object properties between two such nodes (:func:`network_links`),
undirected. The heavy metrics run on python-igraph, whose C core is 10 to 100 times
faster than networkx on them:

- **PageRank**: igraph's PRPACK solver, which solves the linear system to machine
  precision. networkx's default stops when the summed change falls below
  ``len(G) * tol``, so on millions of nodes it "converges" after almost no iterations;
  :func:`pagerank` (for networkx graphs users hold) runs the same solver.
- **Betweenness**: exact up to :data:`EXACT_BETWEENNESS_NODES` nodes; above that
  estimated from :data:`BETWEENNESS_SAMPLES` source nodes drawn with a fixed seed, scaled
  as networkx scales its ``k``-sample estimate, so both give the same numbers for the
  same sample; on large networks half the samples are counted in a worker process
  (:mod:`oncoclaims.graph.betweenness_sources`). Values are normalised as in networkx.
"""

from __future__ import annotations

import os
import random
from collections import defaultdict
from collections.abc import Iterable, Sequence
from functools import lru_cache
from typing import Any

import igraph as ig
import networkx as nx

from oncoclaims import queries
from oncoclaims.graph import analysis
from oncoclaims.graph.betweenness_sources import split_betweenness
from oncoclaims.graph.projection import compact, node_id
from oncoclaims.graph.store import ClaimStore
from oncoclaims.graph.tables import EdgeTables, iri_of

__all__ = [
    "BETWEENNESS_SAMPLES",
    "EXACT_BETWEENNESS_NODES",
    "NETWORK_KINDS",
    "PAGERANK_TOLERANCE",
    "SPLIT_BETWEENNESS_NODES",
    "betweenness",
    "echo_chambers",
    "institution_metrics",
    "metrics_from_tables",
    "metrics_tables",
    "network_links",
    "pagerank",
]

#: The sum of absolute rank errors a PageRank result is held to (tests check it).
PAGERANK_TOLERANCE = 1e-10
EXACT_BETWEENNESS_NODES = 2_000
BETWEENNESS_SAMPLES = 64
#: Nodes from which sampled betweenness is counted on two cores (a worker process counts
#: half the samples): about 1 s to start it and hand the graph over, against 15.4 s for the
#: 64 samples on the 485,000-node network of 100k claims (under load).
SPLIT_BETWEENNESS_NODES = 50_000
#: The classes (``oc:`` local names) whose members are nodes of the metrics network.
NETWORK_KINDS = ("Claim", "Source", "Review", "Institution", "Person", "Evidence", "Therapy")
_CONFIRMED = analysis.STATUS_PREFIX + "independently-confirmed"
_OUTSIDE = ("skos:", "oa:", "rdf:")
_NOT_NETWORK_RANGES = {"skos:Concept", "oc:CandidateMatch", "oc:Quantity", "oc:ClaimStatement"}


@lru_cache(maxsize=1)
def network_links() -> tuple[str, ...]:
    """The predicates that make network edges: the ontology's object properties, except
    those leading to or from concepts, statements, quantities or candidate matches."""
    from oncoclaims.ontology import ontology_quads

    declared, ends = set(), defaultdict(set)
    for quad in ontology_quads():
        predicate, subject = quad.predicate.value, compact(quad.subject.value)
        if predicate.endswith("#type") and quad.object.value.endswith("#ObjectProperty"):
            declared.add(subject)
        elif predicate.endswith("rdf-schema#domain") or predicate.endswith("rdf-schema#range"):
            ends[subject].add(compact(quad.object.value))
    return tuple(sorted(
        p for p in declared
        if not p.startswith(_OUTSIDE) and not (ends[p] & _NOT_NETWORK_RANGES)
    ))


def pagerank(graph: nx.Graph) -> dict[Any, float]:
    """PageRank (damping 0.85) of a networkx graph, solved exactly with igraph's PRPACK."""
    nodes = list(graph)
    if not nodes:
        return {}
    index = {node: i for i, node in enumerate(nodes)}
    network = ig.Graph(n=len(nodes), edges=[(index[a], index[b]) for a, b in graph.edges()],
                       directed=graph.is_directed())
    return dict(zip(nodes, network.pagerank(damping=0.85, implementation="prpack"), strict=True))


def betweenness(network: ig.Graph, *, seed: int = 42) -> list[float]:
    """Normalised betweenness of an undirected igraph graph (module docstring)."""
    n = network.vcount()
    if n <= 2:
        return [0.0] * n
    if n <= EXACT_BETWEENNESS_NODES:
        scale = 2 / ((n - 1) * (n - 2))
        return [value * scale for value in network.betweenness(directed=False)]
    # igraph counts each undirected path once (hence 2x); networkx scales a k-sample
    # estimate by 1/(k (n-2)), and by 1/((k-1)(n-2)) on the sampled nodes themselves.
    k = BETWEENNESS_SAMPLES
    sources = random.Random(seed).sample(range(n), k)
    sampled = set(sources)
    if n >= SPLIT_BETWEENNESS_NODES and (os.cpu_count() or 1) > 1:
        values = split_betweenness(network, sources)  # two cores
    else:
        values = network.betweenness(directed=False, sources=sources)
    return [2 * value / ((k - 1 if i in sampled else k) * (n - 2)) for i, value in enumerate(values)]


def _members(store: ClaimStore, kinds: Sequence[str]) -> dict[str, set[str]]:
    members: dict[str, set[str]] = {}
    for kind in kinds:
        rows = queries.rows(store, "class_members", **{"class": iri_of("oc:" + kind).value}).rows
        members[kind] = {node_id(row[0]) for row in rows}  # type: ignore[arg-type]
    return members


def _undirected(nodes: Sequence[str], pairs: Iterable[tuple[str, str]]) -> ig.Graph:
    index = {node: i for i, node in enumerate(nodes)}
    get = index.get
    edges = []
    for a, b in pairs:
        i, j = get(a), get(b)
        if i is not None and j is not None:
            edges.append((i, j))
    network = ig.Graph(n=len(nodes), edges=edges)
    # loops and repeated edges dropped by igraph, in C: the same sorted edge list that a
    # Python set of pairs gave, 1.9 -> 0.27 s for 600,000 edges
    network.simplify(multiple=True, loops=True)
    return network


def _pairs(edges: EdgeTables, predicates: Iterable[str]) -> Iterable[tuple[str, str]]:
    for predicate in predicates:
        for subject, objects in edges.table(predicate).items():
            for obj in objects:
                yield subject, obj


def metrics_tables() -> tuple[str, ...]:
    """The edge tables :func:`metrics_from_tables` reads when it is given nothing computed."""
    return (*network_links(), "oc:claimedBy", "oc:attributedTo", "oa:hasBody",
            *analysis.DERIVATION, "dcterms:publisher")


def institution_metrics(store: ClaimStore, *, statuses: dict[str, str] | None = None) -> list[dict[str, Any]]:
    """One row per institution: claims made, share independently confirmed, PageRank,
    betweenness and amplification (sources derived from the sources it published).
    """
    # here, not at the top: wholestore imports this module for the metrics from tables
    from oncoclaims.graph.wholestore import compute_institution_metrics

    # from tables read into Python on every backend; without statuses given, the statuses'
    # tables and the metrics' are read once, on the same two threads
    return compute_institution_metrics(store.backend, engine="tables", statuses=statuses)


def metrics_from_tables(
    edges: EdgeTables,
    statuses: dict[str, str],
    members: dict[str, set[str]],
    labels: dict[str, str],
    *,
    claims_made: dict[str, set[str]] | None = None,
    amplification: dict[str, int] | None = None,
) -> list[dict[str, Any]]:
    """The rows of :func:`institution_metrics` from the network's edge tables, each claim's
    status, the members of :data:`NETWORK_KINDS` and the institutions' labels.

    :param claims_made: institution -> the claims it made (claimant or attributed), when a
        server joined them; else from the ``oc:claimedBy``, ``oc:attributedTo`` and
        ``oa:hasBody`` tables.
    :param amplification: institution -> sources derived (in any number of steps) from the
        sources it published, not its own, when a server counted them; else from the tables.
    """
    edges.finish_prefetch()
    institutions = sorted(members["Institution"])
    nodes = sorted(set().union(*members.values()))
    network = _undirected(nodes, _pairs(edges, network_links()))
    ranks = network.pagerank(damping=0.85, implementation="prpack") if nodes else []
    between = betweenness(network)
    position = {node: i for i, node in enumerate(nodes)}

    if claims_made is None:
        claims_made = defaultdict(set)
        for claim, parties in edges.table("oc:claimedBy").items():
            for party in parties:
                claims_made[party].add(claim)
        attributed = edges.table("oc:attributedTo")
        for statement, claims in edges.table("oa:hasBody").items():
            for party in attributed.get(statement, ()):
                claims_made[party].update(claims)
    if amplification is None:
        amplification = _amplification(edges, institutions)
    rows = []
    for institution in institutions:
        made = {c for c in claims_made.get(institution, ()) if c in statuses}
        confirmed = sum(1 for c in made if statuses.get(c) == _CONFIRMED)
        at = position[institution]
        rows.append({
            "institution": institution,
            "label": labels.get(institution) or institution.rsplit("/", 1)[-1],
            "claims_made": len(made),
            "share_independently_confirmed": confirmed / len(made) if made else None,
            "pagerank": ranks[at],
            "betweenness": between[at],
            "amplification": amplification.get(institution, 0),
        })
    return rows


def _amplification(edges: EdgeTables, institutions: list[str]) -> dict[str, int]:
    """Institution -> how many sources derive from those it published (not its own)."""
    derived_into: dict[str, set[str]] = defaultdict(set)
    for source, earlier in _pairs(edges, analysis.DERIVATION):
        derived_into[earlier].add(source)
    published_by = edges.inverse("dcterms:publisher")
    counts = {}
    for institution in institutions:
        published = set(published_by.get(institution, ()))
        amplified: set[str] = set()
        frontier = list(published)
        while frontier:
            for follower in derived_into.get(frontier.pop(), ()):
                if follower not in amplified and follower not in published:
                    amplified.add(follower)
                    frontier.append(follower)
        counts[institution] = len(amplified)
    return counts


def echo_chambers(store: ClaimStore, *, seed: int = 42) -> list[list[str]]:
    """Communities (Louvain, fixed seed) of sources linked by derivation or citation, largest first."""
    members = _members(store, ("Source", "Review"))
    kept = members["Source"] | members["Review"]
    edges = EdgeTables(store)
    linked = {(a, b) for a, b in _pairs(edges, (*analysis.DERIVATION, "cito:cites"))
              if a != b and a in kept and b in kept}
    if not linked:
        return []
    sources = nx.Graph()
    sources.add_edges_from(sorted(linked))
    communities = nx.community.louvain_communities(sources, seed=seed)
    return sorted((sorted(c) for c in communities if len(c) > 1), key=lambda c: (-len(c), c))
