"""Graph metrics: per institution (claims, confirmation share, PageRank, betweenness,
amplification) and echo chambers (communities of sources that copy or cite each other).

Heavy metrics run on networkx with explicit settings, because the defaults mislead on
large graphs: networkx's PageRank stops when the summed change falls below
``len(G) * tol``, so with the default ``tol`` a graph of millions of nodes "converges"
after almost no iterations. Here ``tol`` is divided by the node count, so the summed
change must fall below :data:`PAGERANK_TOLERANCE` whatever the size. Betweenness is exact
up to :data:`EXACT_BETWEENNESS_NODES` nodes and estimated from
:data:`BETWEENNESS_SAMPLES` sampled sources (fixed seed) above it: each sample is a full
breadth-first search, so the estimate costs samples x (nodes + edges).
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import networkx as nx

from oncoclaims.graph import analysis
from oncoclaims.graph.confirmation import claim_statuses
from oncoclaims.graph.projection import to_networkx
from oncoclaims.graph.store import ClaimStore

__all__ = [
    "BETWEENNESS_SAMPLES",
    "EXACT_BETWEENNESS_NODES",
    "PAGERANK_TOLERANCE",
    "echo_chambers",
    "institution_metrics",
    "pagerank",
]

PAGERANK_TOLERANCE = 1e-10
EXACT_BETWEENNESS_NODES = 2_000
BETWEENNESS_SAMPLES = 64
_NETWORK_KINDS = {"Claim", "Source", "Review", "Institution", "Person", "Evidence", "Therapy"}
_CONFIRMED = analysis.STATUS_PREFIX + "independently-confirmed"


def pagerank(graph: nx.Graph) -> dict[str, float]:
    """PageRank with a tolerance that does not grow with the graph (module docstring)."""
    if graph.number_of_nodes() == 0:
        return {}
    return nx.pagerank(graph, tol=PAGERANK_TOLERANCE / graph.number_of_nodes(), max_iter=1000)


def _network(graph: nx.MultiDiGraph) -> nx.Graph:
    keep = [n for n, d in graph.nodes(data=True) if d["kind"] in _NETWORK_KINDS]
    network = nx.Graph()
    network.add_nodes_from(keep)
    sub = graph.subgraph(keep)
    network.add_edges_from((a, b) for a, b in sub.edges() if a != b)
    return network


def institution_metrics(store: ClaimStore, *, statuses: dict[str, str] | None = None) -> list[dict[str, Any]]:
    """One row per institution: claims made, share independently confirmed, PageRank,
    betweenness and amplification (sources derived from the sources it published).
    """
    graph = to_networkx(store)
    statuses = statuses if statuses is not None else claim_statuses(store)
    institutions = sorted(n for n, d in graph.nodes(data=True) if d["kind"] == "Institution")
    claims_made: dict[str, set[str]] = defaultdict(set)
    for claim, _ in statuses.items():
        for party, roles in analysis.interested_parties(graph, claim).items():
            if "claimant" in roles or "named as the claim's source" in roles:
                claims_made[party].add(claim)
    network = _network(graph)
    ranks = pagerank(network)
    if network.number_of_nodes() <= EXACT_BETWEENNESS_NODES:
        between = nx.betweenness_centrality(network)
    else:
        between = nx.betweenness_centrality(network, k=BETWEENNESS_SAMPLES, seed=42)
    derived_into: dict[str, set[str]] = defaultdict(set)
    for source, earlier, key in graph.edges(keys=True):
        if key in analysis.DERIVATION:
            derived_into[earlier].add(source)
    rows = []
    for institution in institutions:
        made = claims_made.get(institution, set())
        published = {s for s, _, k in graph.in_edges(institution, keys=True) if k == "dcterms:publisher"}
        amplified: set[str] = set()
        frontier = list(published)
        while frontier:
            for follower in derived_into.get(frontier.pop(), ()):
                if follower not in amplified and follower not in published:
                    amplified.add(follower)
                    frontier.append(follower)
        confirmed = sum(1 for c in made if statuses.get(c) == _CONFIRMED)
        rows.append({
            "institution": institution,
            "label": analysis._label(graph, institution),
            "claims_made": len(made),
            "share_independently_confirmed": confirmed / len(made) if made else None,
            "pagerank": ranks.get(institution, 0.0),
            "betweenness": between.get(institution, 0.0),
            "amplification": len(amplified),
        })
    return rows


def echo_chambers(store: ClaimStore, *, seed: int = 42) -> list[list[str]]:
    """Communities (Louvain, fixed seed) of sources linked by derivation or citation, largest first."""
    graph = to_networkx(store)
    kinds = {"Source", "Review"}
    sources = nx.Graph()
    for a, b, key in graph.edges(keys=True):
        if (key in (*analysis.DERIVATION, "cito:cites") and a != b
                and graph.nodes[a]["kind"] in kinds and graph.nodes[b]["kind"] in kinds):
            sources.add_edge(a, b)
    if sources.number_of_edges() == 0:
        return []
    communities = nx.community.louvain_communities(sources, seed=seed)
    return sorted((sorted(c) for c in communities if len(c) > 1), key=lambda c: (-len(c), c))
