"""Metrics on igraph give networkx's numbers: betweenness exact and sampled, PageRank."""

from __future__ import annotations

import random
import warnings

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


def test_sampled_betweenness_split_over_two_processes_gives_the_same_numbers(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Half the samples counted in a worker process: networkx's numbers for the same sample,
    also for nodes no edge names (the edge-list file ends before them)."""
    monkeypatch.setattr(metrics, "EXACT_BETWEENNESS_NODES", 100)
    graph = nx.gnm_random_graph(600, 1800, seed=5)
    graph.add_nodes_from(range(600, 610))  # isolated, last
    network = _as_igraph(graph)
    calls = []
    real = metrics.split_betweenness
    monkeypatch.setattr(metrics, "split_betweenness", lambda *a: calls.append(1) or real(*a))
    monkeypatch.setattr(metrics, "SPLIT_BETWEENNESS_NODES", 500)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the worker's half came from the worker
        split = metrics.betweenness(network, seed=9)
    assert calls  # the split path ran
    monkeypatch.setattr(metrics, "SPLIT_BETWEENNESS_NODES", 10**9)
    assert split == pytest.approx(metrics.betweenness(network, seed=9), rel=1e-9, abs=1e-12)
    reference = nx.betweenness_centrality(graph, k=metrics.BETWEENNESS_SAMPLES, seed=random.Random(9))
    assert split == pytest.approx([reference[n] for n in graph], rel=1e-9, abs=1e-12)


def test_network_links_are_the_ontologys_links_between_network_nodes() -> None:
    links = metrics.network_links()
    assert {"dcterms:publisher", "oc:partOf", "prov:wasDerivedFrom", "cito:supports", "oc:sponsor"} <= set(links)
    assert not {"oc:sourceType", "oa:hasBody", "oc:candidateIn", "oc:claimType"} & set(links)
