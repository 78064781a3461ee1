"""Metrics on igraph give networkx's numbers: betweenness exact and sampled, PageRank."""

from __future__ import annotations

import random

import igraph as ig
import networkx as nx
import pytest

from oncoclaims.graph import metrics


def _as_igraph(graph: nx.Graph) -> ig.Graph:
    nodes = list(graph)
    index = {n: i for i, n in enumerate(nodes)}
    return ig.Graph(n=len(nodes), edges=[(index[a], index[b]) for a, b in graph.edges()])


def test_exact_betweenness_equals_networkx() -> None:
    graph = nx.gnm_random_graph(400, 1200, seed=3)
    ours = metrics.betweenness(_as_igraph(graph))
    reference = nx.betweenness_centrality(graph)
    assert ours == pytest.approx([reference[n] for n in graph], rel=1e-9, abs=1e-12)


def test_sampled_betweenness_equals_networkx_for_the_same_sample(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(metrics, "EXACT_BETWEENNESS_NODES", 100)
    graph = nx.gnm_random_graph(600, 1800, seed=5)
    ours = metrics.betweenness(_as_igraph(graph), seed=9)
    # networkx draws its k sources with random.Random(seed).sample(list(G), k): same sample
    reference = nx.betweenness_centrality(graph, k=metrics.BETWEENNESS_SAMPLES, seed=random.Random(9))
    assert ours == pytest.approx([reference[n] for n in graph], rel=1e-9, abs=1e-12)
    exact = nx.betweenness_centrality(graph)
    assert ours != pytest.approx([exact[n] for n in graph], rel=1e-3)  # it is an estimate


def test_network_links_are_the_ontologys_links_between_network_nodes() -> None:
    links = metrics.network_links()
    assert {"dcterms:publisher", "oc:partOf", "prov:wasDerivedFrom", "cito:supports", "oc:sponsor"} <= set(links)
    assert not {"oc:sourceType", "oa:hasBody", "oc:candidateIn", "oc:claimType"} & set(links)
