"""Exports: GraphML for Gephi, Cytoscape, yEd and graphology; RDF dumps.

:func:`write_graphml` streams: it walks the store's quads once, subject by subject (the
store yields each subject's quads together within a named graph), and writes each node
and its outgoing edges as it goes, through lxml's incremental writer. What it keeps in
memory is the map of node IRIs already written to their GraphML ids (``n0``, ``n1``...:
GraphML ids must be XML name tokens, so the IRI goes in the ``iri`` attribute), so that a
node seen in several named graphs, or first met as an object, is declared once; nothing
else: no quads, no
attributes, no graph object. Node and edge attributes are typed GraphML keys declared up
front: ``kind`` and ``label`` (shown by Gephi, Cytoscape and yEd), ``types``, ``rank``
(int), ``retracted`` and ``confirmatory`` (boolean), ``date`` (string), and for edges
``predicate`` and ``label``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import IO

import networkx as nx
import pyoxigraph as ox
from lxml import etree

from oncoclaims.graph.projection import compact, node_id, to_networkx
from oncoclaims.graph.store import ClaimStore
from oncoclaims.vocab import PREFIXES

__all__ = ["DUMP_FORMATS", "GRAPHML_KEYS", "dump", "write_graphml"]

GRAPHML_NS = "http://graphml.graphdrawing.org/xmlns"

#: (id, for, attr.name, attr.type)
GRAPHML_KEYS: tuple[tuple[str, str, str, str], ...] = (
    ("iri", "node", "iri", "string"),
    ("kind", "node", "kind", "string"),
    ("label", "node", "label", "string"),
    ("types", "node", "types", "string"),
    ("rank", "node", "rank", "int"),
    ("retracted", "node", "retracted", "boolean"),
    ("confirmatory", "node", "confirmatory", "boolean"),
    ("date", "node", "date", "string"),
    ("predicate", "edge", "predicate", "string"),
    ("elabel", "edge", "label", "string"),
)

#: ``oncoclaims export FORMAT``: the RDF dump formats.
DUMP_FORMATS: dict[str, ox.RdfFormat] = {
    "ttl": ox.RdfFormat.TURTLE,
    "trig": ox.RdfFormat.TRIG,
    "nq": ox.RdfFormat.N_QUADS,
    "nt": ox.RdfFormat.N_TRIPLES,
    "jsonld": ox.RdfFormat.JSON_LD,
}

_TYPE = PREFIXES["rdf"] + "type"
_NODE_FACTS = {
    PREFIXES["rdfs"] + "label": "label",
    PREFIXES["skos"] + "prefLabel": "label",
    PREFIXES["dcterms"] + "title": "label",
    PREFIXES["oc"] + "rank": "rank",
    PREFIXES["oc"] + "retracted": "retracted",
    PREFIXES["oc"] + "confirmatory": "confirmatory",
    PREFIXES["dcterms"] + "date": "date",
}


def _node_element(writer, number: int, node: str, data: dict[str, object]) -> None:
    element = etree.Element(f"{{{GRAPHML_NS}}}node", id=f"n{number}")
    data = {**data, "iri": node}
    for key in ("iri", "kind", "label", "types", "rank", "retracted", "confirmatory", "date"):
        value = data.get(key)
        if value is None or value == "":
            continue
        child = etree.SubElement(element, f"{{{GRAPHML_NS}}}data", key=key)
        child.text = str(value).lower() if isinstance(value, bool) else str(value)
    writer.write(element)


def _edge_element(writer, number: int, source: int, target: int, predicate: str) -> None:
    element = etree.Element(f"{{{GRAPHML_NS}}}edge", id=f"e{number}", source=f"n{source}", target=f"n{target}")
    for key, value in (("predicate", predicate), ("elabel", predicate.split(":")[-1])):
        child = etree.SubElement(element, f"{{{GRAPHML_NS}}}data", key=key)
        child.text = value
    writer.write(element)


def _subject_groups(store: ClaimStore) -> Iterator[tuple[ox.NamedNode | ox.BlankNode, list[ox.Quad]]]:
    current = None
    group: list[ox.Quad] = []
    for quad in store.inner.quads_for_pattern(None, None, None, None):
        if quad.subject != current:
            if group:
                yield current, group
            current, group = quad.subject, []
        group.append(quad)
    if group:
        yield current, group


def _facts(quads: list[ox.Quad]) -> dict[str, object]:
    data: dict[str, object] = {}
    types = []
    for quad in quads:
        predicate = quad.predicate.value
        if predicate == _TYPE:
            types.append(compact(quad.object.value))
        elif isinstance(quad.object, ox.Literal) and predicate in _NODE_FACTS:
            key = _NODE_FACTS[predicate]
            value: object = quad.object.value
            if key == "rank":
                value = int(quad.object.value)
            elif key in ("retracted", "confirmatory"):
                value = quad.object.value in ("true", "1")
            data.setdefault(key, value)
    own = sorted(t[3:] for t in types if t.startswith("oc:"))
    data["kind"] = own[0] if own else (types[0] if types else "node")
    data["types"] = " ".join(sorted(types))
    return data


def write_graphml(store: ClaimStore, out: IO[bytes], *, claim: str | None = None, depth: int = 2) -> tuple[int, int]:
    """Write the store (or a claim's neighbourhood) as GraphML to the binary stream ``out``.

    :param claim: a claim IRI: only nodes within ``depth`` hops of it (either direction).
    :returns: the numbers of nodes and edges written.
    """
    with etree.xmlfile(out, encoding="utf-8") as xml:
        xml.write_declaration()
        with xml.element(f"{{{GRAPHML_NS}}}graphml", nsmap={None: GRAPHML_NS}):
            for key, scope, name, kind in GRAPHML_KEYS:
                xml.write(etree.Element(f"{{{GRAPHML_NS}}}key", {"id": key, "for": scope, "attr.name": name, "attr.type": kind}))
            with xml.element(f"{{{GRAPHML_NS}}}graph", id="oncoclaims", edgedefault="directed"):
                if claim is not None:
                    return _write_neighbourhood(store, xml, claim, depth)
                return _write_all(store, xml)


def _write_all(store: ClaimStore, xml) -> tuple[int, int]:
    written: dict[str, int] = {}
    edges = 0
    for subject, quads in _subject_groups(store):
        source = node_id(subject)
        if source not in written:
            written[source] = len(written)
            _node_element(xml, written[source], source, _facts(quads))
        for quad in quads:
            if isinstance(quad.object, ox.Literal) or quad.predicate.value == _TYPE:
                continue
            target = node_id(quad.object)
            if target not in written:
                # an object first met here: its own quads (if any) follow later; declare it now
                written[target] = len(written)
                _node_element(xml, written[target], target,
                              _facts(list(store.inner.quads_for_pattern(quad.object, None, None, None))))
            edges += 1
            _edge_element(xml, edges, written[source], written[target], compact(quad.predicate.value))
    return len(written), edges


def _write_neighbourhood(store: ClaimStore, xml, claim: str, depth: int) -> tuple[int, int]:
    graph = to_networkx(store, claim)
    undirected = graph.to_undirected(as_view=True)
    keep = set(nx.single_source_shortest_path_length(undirected, claim, cutoff=depth)) if claim in graph else set()
    numbers = {node: index for index, node in enumerate(sorted(keep))}
    for node, index in numbers.items():
        data = dict(graph.nodes[node])
        data["types"] = " ".join(data.get("types", []))
        _node_element(xml, index, node, data)
    edges = 0
    for source, target, key in sorted(graph.edges(keys=True)):
        if source in keep and target in keep and key != "rdf:type":
            edges += 1
            _edge_element(xml, edges, numbers[source], numbers[target], key)
    return len(keep), edges


def dump(store: ClaimStore, out: IO[bytes], fmt: str) -> None:
    """Write every quad of the store to ``out`` in an RDF format of :data:`DUMP_FORMATS`.

    Triple-only formats (Turtle, N-Triples) get the union of all named graphs.
    """
    rdf_format = DUMP_FORMATS[fmt]
    if rdf_format.supports_datasets:
        store.inner.dump(out, rdf_format)
    else:
        triples = (ox.Triple(q.subject, q.predicate, q.object) for q in store.inner.quads_for_pattern(None, None, None, None))
        ox.serialize(triples, out, rdf_format)
