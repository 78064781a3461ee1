"""A networkx projection of the store: typed nodes, edges named by predicate.

Nodes are IRIs (and blank-node ids as ``_:id``) with attributes: ``kind`` (the local name
of an oncoclaims class, or ``node``), ``types``, ``label`` and the literal facts the
analysis reads (``retracted``, ``confirmatory``, ``rank``, ``text``, ``title``). Edges are
the object-valued triples, with ``key`` and ``predicate`` the compact predicate name
(``oc:partOf``, ``oa:hasBody``...); literals other than those facts are left out.

:func:`to_networkx` projects the whole store, or only what one claim's confirmation
report needs (its neighbourhood, found by point lookups; never the whole graph).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from functools import lru_cache

import networkx as nx
import pyoxigraph as ox

from oncoclaims.graph.store import ClaimStore
from oncoclaims.vocab import PREFIXES

__all__ = ["MAX_NEIGHBOURHOOD", "compact", "neighbourhoods", "node_id", "quads_graph", "to_networkx"]

#: The most nodes a one-claim projection visits before it stops growing.
MAX_NEIGHBOURHOOD = 20_000

_RDF_TYPE = PREFIXES["rdf"] + "type"
_OC = PREFIXES["oc"]
_LITERAL_FACTS = {
    PREFIXES["rdfs"] + "label": "label",
    PREFIXES["skos"] + "prefLabel": "label",
    PREFIXES["dcterms"] + "title": "title",
    PREFIXES["schema"] + "text": "text",
    _OC + "retracted": "retracted",
    _OC + "confirmatory": "confirmatory",
    _OC + "rank": "rank",
}
#: Edges into a claim that belong to its neighbourhood: statements and evidence.
_INTO_CLAIM = [
    ox.NamedNode(PREFIXES["oa"] + "hasBody"),
    ox.NamedNode(PREFIXES["cito"] + "supports"),
    ox.NamedNode(PREFIXES["cito"] + "disputes"),
    ox.NamedNode(_OC + "inconclusiveFor"),
]
_SKIP_OUT = {PREFIXES["skos"] + "inScheme", PREFIXES["skos"] + "narrower", PREFIXES["skos"] + "hasTopConcept",
             PREFIXES["skos"] + "topConceptOf", PREFIXES["skos"] + "broader", PREFIXES["rdfs"] + "isDefinedBy",
             # a candidate match may name thousands of institutions; a tie needs only the way in
             _OC + "candidate"}
#: The links that chain institutions into ties (``analysis.TIE_LINKS``, as full IRIs).
_TIE_LINKS = {_OC + "partOf", _OC + "controlledBy", _OC + "fundedBy", _OC + "candidateIn"}


@lru_cache(maxsize=4096)
def compact(iri: str) -> str:
    """``https://w3id.org/oncoclaims/vocab#partOf`` -> ``oc:partOf`` (IRI unchanged if no prefix fits)."""
    for prefix, namespace in PREFIXES.items():
        if iri.startswith(namespace) and len(iri) > len(namespace):
            return f"{prefix}:{iri[len(namespace):]}"
    return iri


def node_id(term: ox.NamedNode | ox.BlankNode) -> str:
    """The networkx node id of an RDF node: its IRI, or ``_:id`` for a blank node."""
    return term.value if isinstance(term, ox.NamedNode) else f"_:{term.value}"


def _literal_value(literal: ox.Literal) -> object:
    datatype = literal.datatype.value
    if datatype.endswith("#boolean"):
        return literal.value in ("true", "1")
    if datatype.endswith("#integer"):
        return int(literal.value)
    return literal.value


def _add(graph: nx.MultiDiGraph, quad: ox.Quad) -> None:
    _add_parts(graph, node_id(quad.subject), quad.predicate.value, quad.object)


def _add_parts(graph: nx.MultiDiGraph, subject: str, predicate: str, obj: ox.Term) -> None:
    """:func:`_add` of a quad given as its subject's node id, its predicate's IRI and its
    object (a pyoxigraph quad makes a new object at each attribute read: the walk reads
    each once)."""
    nodes = graph._node  # networkx's own node table: the walk's hot path (graph.nodes is a view)
    data = nodes.get(subject)
    if data is None:
        graph.add_node(subject, kind="node", types=set())
        data = nodes[subject]
    if predicate == _RDF_TYPE:
        types = data["types"]
        types.add(compact(obj.value))
        own = sorted(t[3:] for t in types if t.startswith("oc:"))
        if own:
            data["kind"] = own[0] if len(own) == 1 else _preferred_kind(own)
        return
    if isinstance(obj, ox.Literal):
        name = _LITERAL_FACTS.get(predicate)
        if name is not None:
            data.setdefault(name, _literal_value(obj))
        return
    target = node_id(obj)  # type: ignore[arg-type]
    if target not in nodes:
        graph.add_node(target, kind="node", types=set())
    key = compact(predicate)
    graph.add_edge(subject, target, key=key, predicate=key)


def _preferred_kind(kinds: list[str]) -> str:
    for kind in ("Review", "Institution", "Person", "Claim", "Source", "Evidence", "Therapy"):
        if kind in kinds:
            return kind
    return kinds[0]


def _finish(graph: nx.MultiDiGraph) -> nx.MultiDiGraph:
    for _, data in graph.nodes(data=True):
        data["types"] = sorted(data["types"])
        data.setdefault("label", data.get("title") or "")
    return graph


def to_networkx(
    store: ClaimStore,
    claim: str | None = None,
    *,
    max_nodes: int = MAX_NEIGHBOURHOOD,
    tie_depth: int | None = None,
) -> nx.MultiDiGraph:
    """Project the store (or one claim's neighbourhood) into a ``networkx.MultiDiGraph``.

    The neighbourhood of a claim is everything reachable from it along outgoing edges
    (its therapy and developers, its parties and their part-of / controlled-by / funded-by
    chains) plus the statements and evidence pointing at it, and everything reachable
    from those: enough to compute its origins, ties, independence and status.

    Classes (the objects of ``rdf:type``) are not followed: a node's own types are all
    the analysis reads of them.

    :param claim: the claim IRI; ``None`` projects the whole store.
    :param max_nodes: a neighbourhood stops growing at this many nodes.
    :param tie_depth: follow part-of / controlled-by / funded-by / candidate-match chains
        only this many steps from where they start (a party, an affiliation); ties need no
        more than the tie-chain depth. ``None`` follows them to their end.
    """
    graph = nx.MultiDiGraph()
    if claim is None:
        for quad in store.quads():
            _add(graph, quad)
        return _finish(graph)
    _walk(store, [ox.NamedNode(claim)], graph, max_nodes, tie_depth)
    return _finish(graph)


def neighbourhoods(
    store: ClaimStore,
    starts: Iterable[str],
    *,
    max_nodes: int = MAX_NEIGHBOURHOOD,
    tie_depth: int | None = None,
) -> nx.MultiDiGraph:
    """The neighbourhoods of several nodes (as :func:`to_networkx` walks from one), walked
    together: on a SPARQL server one read per level for all of them. Holds at least what
    each one's own projection holds (a node reached from two starts is walked with the
    fewer tie steps); ``max_nodes`` bounds the whole walk."""
    graph = nx.MultiDiGraph()
    _walk(store, [ox.NamedNode(start) for start in dict.fromkeys(starts)], graph, max_nodes, tie_depth)
    return _finish(graph)


def _walk(
    store: ClaimStore,
    starts: list[ox.NamedNode],
    graph: nx.MultiDiGraph,
    max_nodes: int,
    tie_depth: int | None,
) -> None:
    queue: deque[ox.NamedNode | ox.BlankNode] = deque(starts)
    # steps along tie links since the chain started, for each node reached (0 elsewhere)
    chain: dict[ox.NamedNode | ox.BlankNode, int] = dict.fromkeys(starts, 0)
    if len(starts) == 1:
        into = store.quads_each("p", _INTO_CLAIM, obj=starts[0])
    else:  # every quad into each start in one read, those of the statement and evidence links kept
        into = [[q for q in quads if q.predicate in _INTO_CLAIM] for quads in store.quads_each("o", starts)]
    for quads in into:
        for quad in quads:
            _add(graph, quad)
            if quad.subject not in chain:
                chain[quad.subject] = 0
                queue.append(quad.subject)
    outgoing = _outgoing if store.is_embedded else _Frontier(store, queue).outgoing
    limit = tie_depth if tie_depth is not None else max_nodes
    while queue and len(chain) < max_nodes:
        node = queue.popleft()
        steps = chain[node]
        subject = node_id(node)
        for predicate, target in outgoing(store, node):
            if steps >= limit and predicate in _TIE_LINKS:
                continue
            _add_parts(graph, subject, predicate, target)
            if predicate == _RDF_TYPE or not isinstance(target, (ox.NamedNode, ox.BlankNode)):
                continue
            reached = steps + 1 if predicate in _TIE_LINKS else 0
            if target not in chain or (tie_depth is not None and reached < chain[target]):
                # first seen, or now fewer steps from a chain's start: (re)visit it
                chain[target] = reached
                queue.append(target)


#: What a node states that the walk follows: (predicate IRI, object) pairs.
_Out = list[tuple[str, ox.NamedNode | ox.BlankNode | ox.Literal]]


def _parts(quads: Iterable[ox.Quad]) -> _Out:
    return [(p, q.object) for q in quads if (p := q.predicate.value) not in _SKIP_OUT]


def _outgoing(store: ClaimStore, node: ox.NamedNode | ox.BlankNode) -> _Out:
    return _parts(store.quads(node, None, None, None))


class _Frontier:
    """Outgoing quads on a SPARQL server, read a level of the walk at a time: a node not read
    yet is read with every node waiting in the queue behind it, in one request (per
    ``EACH_CHUNK`` nodes), so a report costs about one request per level, not per node.
    The walk visits the same nodes in the same order as with one lookup each."""

    def __init__(self, store: ClaimStore, queue: deque[ox.NamedNode | ox.BlankNode]) -> None:
        self._store = store
        self._queue = queue
        self._read: dict[ox.NamedNode | ox.BlankNode, _Out] = {}

    def outgoing(self, store: ClaimStore, node: ox.NamedNode | ox.BlankNode) -> _Out:
        if node not in self._read:
            level = [n for n in dict.fromkeys([node, *self._queue]) if n not in self._read]
            for read, quads in zip(level, store.quads_each("s", level), strict=True):
                self._read[read] = _parts(quads)
        return self._read[node]


def quads_graph(quads: Iterable[ox.Quad]) -> nx.MultiDiGraph:
    """A projection of exactly ``quads``, followed no further (a record's own links to its
    parties and reports, without their neighbourhoods)."""
    graph = nx.MultiDiGraph()
    for quad in quads:
        _add(graph, quad)
    return _finish(graph)
