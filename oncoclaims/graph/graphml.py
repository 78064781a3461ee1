"""GraphML for Gephi, Cytoscape, yEd and graphology, written in one streaming pass.

Memory does not grow with the graph. The writer keeps no map from nodes to GraphML ids:
a node's id is derived from its IRI (:func:`graphml_id`), so an edge names its ends
without looking anything up. It walks the store's quads once, in the store's order
(named graph by named graph, each subject's quads together), and writes each node when it
meets the subject's quads, followed by its outgoing edges. Two cases need care, and both
are settled by point lookups in the store rather than by remembering what was written:

* a subject described in several named graphs is declared once, in the first of those
  graphs the walk reaches, with the facts of all of them (:class:`_GraphIndex`);
* an object that is never a subject (a DOI URL, a licence) has no quads of its own to
  meet: it is declared just before the one edge into it that comes first in the
  store's object index (:class:`_LeafIndex`). Which objects are described is cached
  for the most recently used 65,536 objects, so hubs (institutions, therapies,
  concepts) cost one lookup each.

The output is built as text, not element objects, and handed to ``out`` in chunks. Node
and edge attributes are typed GraphML keys, declared before the graph: ``iri``,
``kind`` and ``label`` (shown by Gephi, Cytoscape and yEd), ``types``, ``rank``
(int: the evidence level), ``retracted`` and ``confirmatory`` (boolean), ``date``, and
for edges ``predicate`` and ``label``.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Iterator
from functools import lru_cache
from typing import IO

import networkx as nx
import pyoxigraph as ox

from oncoclaims.graph.projection import compact, node_id, to_networkx
from oncoclaims.graph.store import ClaimStore
from oncoclaims.vocab import PREFIXES

__all__ = ["GRAPHML_KEYS", "GRAPHML_NS", "graphml_id", "write_graphml"]

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
_NODE_KEYS = tuple(key for key, scope, _, _ in GRAPHML_KEYS if scope == "node")

#: Up to this many graphs holding quads, a subject's other graphs are probed one by one.
FEW_GRAPHS = 16
#: How many objects :class:`_LeafIndex` remembers (as described, or as a leaf and its first edge).
OBJECT_CACHE = 65_536
#: Characters of text handed to ``out`` at a time.
_CHUNK = 1 << 16

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
# Characters XML 1.0 cannot carry at all (they become U+FFFD), and those it must escape.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_ESCAPES = {"&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#13;"}
_NEEDS_ESCAPE = re.compile("[&<>\r\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def graphml_id(node: str) -> str:
    """The GraphML id of a node (an IRI, or ``_:id`` for a blank node): ``n`` and 16 URL-safe base64 characters.

    A 96-bit BLAKE2b digest of the IRI, so every export names a node the same way and no
    map is needed; XSD ``NMTOKEN`` allows letters, digits, ``-`` and ``_``. Two of ten
    million nodes share an id with a probability below 10^-15.

    >>> graphml_id("https://w3id.org/oncoclaims/vocab#Claim") == graphml_id("https://w3id.org/oncoclaims/vocab#Claim")
    True
    >>> len(graphml_id("_:b0"))
    17
    """
    digest = hashlib.blake2b(node.encode("utf-8"), digest_size=12).digest()
    return "n" + base64.urlsafe_b64encode(digest).decode("ascii")


def _text(value: str) -> str:
    if _NEEDS_ESCAPE.search(value) is None:
        return value
    return "".join(_ESCAPES.get(c, c) for c in _NOT_XML.sub("\ufffd", value))


class _Output:
    """Text handed to a binary stream as UTF-8 in chunks."""

    def __init__(self, out: IO[bytes]) -> None:
        self._out = out
        self._parts: list[str] = []
        self._size = 0

    def write(self, text: str) -> None:
        self._parts.append(text)
        self._size += len(text)
        if self._size >= _CHUNK:
            self.flush()

    def flush(self) -> None:
        self._out.write("".join(self._parts).encode("utf-8"))
        self._parts.clear()
        self._size = 0


def _node_element(out: _Output, node: str, data: dict[str, object]) -> None:
    parts = [f'<node id="{graphml_id(node)}"><data key="iri">{_text(node)}</data>']
    for key in _NODE_KEYS[1:]:
        value = data.get(key)
        if value is None or value == "":
            continue
        text = ("true" if value else "false") if isinstance(value, bool) else _text(str(value))
        parts.append(f'<data key="{key}">{text}</data>')
    parts.append("</node>\n")
    out.write("".join(parts))


@lru_cache(maxsize=1024)
def _edge_data(predicate: str) -> str:
    """The end of an edge element for a predicate IRI (or compact name): its ``predicate`` and ``label`` data."""
    short = compact(predicate)
    return (f'<data key="predicate">{_text(short)}</data>'
            f'<data key="elabel">{_text(short.rsplit(":", 1)[-1])}</data></edge>\n')


def _facts(quads: list[ox.Quad]) -> dict[str, object]:
    data: dict[str, object] = {}
    types = []
    for quad in quads:
        predicate = quad.predicate.value
        if predicate == _TYPE:
            types.append(compact(quad.object.value))
        elif predicate in _NODE_FACTS and isinstance(quad.object, ox.Literal):
            key = _NODE_FACTS[predicate]
            if key in data:
                continue
            value: object = quad.object.value
            if key == "rank":
                try:
                    value = int(quad.object.value)
                except ValueError:
                    continue  # not an integer: leave the typed key out rather than break it
            elif key in ("retracted", "confirmatory"):
                value = quad.object.value in ("true", "1")
            data[key] = value
    types = sorted(set(types))
    own = sorted(t[3:] for t in types if t.startswith("oc:"))
    data["kind"] = own[0] if own else (types[0] if types else "node")
    data["types"] = " ".join(types)
    return data


def _subject_runs(inner: ox.Store) -> Iterator[list[ox.Quad]]:
    """The store's quads, cut where the subject changes (on disk: each subject's quads in one graph)."""
    run: list[ox.Quad] = []
    for quad in inner.quads_for_pattern(None, None, None, None):
        if run and quad.subject != run[0].subject:
            yield run
            run = []
        run.append(quad)
    if run:
        yield run


def _declaration(inner: ox.Store, run: list[ox.Quad]) -> list[ox.Quad] | None:
    """All the quads of the run's subject if its node is declared with this run, else ``None``.

    The node goes with the run holding the first quad of the subject's index entry, so it
    is declared once however the walk orders the quads and whatever graphs hold them.
    """
    everything = inner.quads_for_pattern(run[0].subject, None, None, None)
    first = next(iter(everything))
    if first not in run:
        return None
    return [first, *everything]


class _Targets:
    """What the writer needs about an edge's target: its GraphML id, and whether it is a leaf.

    A leaf (an object that is never a subject) is declared just before the edge into it
    that comes first in the store's object index. Answers are cached for the
    :data:`OBJECT_CACHE` most recently used targets.
    """

    def __init__(self, inner: ox.Store) -> None:
        self._inner = inner
        self.lookup = lru_cache(maxsize=OBJECT_CACHE)(self._lookup)

    def _lookup(self, target: ox.NamedNode | ox.BlankNode) -> tuple[str, str, ox.Quad | None]:
        """The target's node name and GraphML id, and ``None`` if it is a subject somewhere, else its first edge."""
        name = node_id(target)
        first = None
        if next(iter(self._inner.quads_for_pattern(target, None, None, None)), None) is None:
            first = next((quad for quad in self._inner.quads_for_pattern(None, None, target, None)
                          if quad.predicate.value != _TYPE), None)
        return name, graphml_id(name), first


def write_graphml(store: ClaimStore, out: IO[bytes], *, claim: str | None = None, depth: int = 2) -> tuple[int, int]:
    """Write the store (or a claim's neighbourhood) as GraphML to the binary stream ``out``.

    :param claim: a claim IRI: only nodes within ``depth`` hops of it (either direction).
    :returns: the numbers of nodes and edges written.
    """
    output = _Output(out)
    output.write(f'<?xml version="1.0" encoding="utf-8"?>\n<graphml xmlns="{GRAPHML_NS}">\n')
    for key, scope, name, kind in GRAPHML_KEYS:
        output.write(f'<key id="{key}" for="{scope}" attr.name="{name}" attr.type="{kind}"/>\n')
    output.write('<graph id="oncoclaims" edgedefault="directed">\n')
    counts = _write_all(store, output) if claim is None else _write_neighbourhood(store, output, claim, depth)
    output.write("</graph>\n</graphml>\n")
    output.flush()
    return counts


def _write_all(store: ClaimStore, out: _Output) -> tuple[int, int]:
    inner = store.inner
    targets = _Targets(inner).lookup
    literal = ox.Literal
    write = out.write
    nodes = edges = 0
    for run in _subject_runs(inner):
        subject = node_id(run[0].subject)
        facts = _declaration(inner, run)
        if facts is not None:
            nodes += 1
            _node_element(out, subject, _facts(facts))
        start = f'" source="{graphml_id(subject)}" target="'
        for quad in run:
            target = quad.object
            if type(target) is literal:
                continue
            predicate = quad.predicate.value
            if predicate == _TYPE:
                continue
            name, target_id, first = targets(target)
            if first is not None and first == quad:
                nodes += 1
                _node_element(out, name, _facts([]))
            edges += 1
            write(f'<edge id="e{edges}{start}{target_id}">{_edge_data(predicate)}')
    return nodes, edges


def _write_neighbourhood(store: ClaimStore, out: _Output, claim: str, depth: int) -> tuple[int, int]:
    graph = to_networkx(store, claim)
    undirected = graph.to_undirected(as_view=True)
    keep = set(nx.single_source_shortest_path_length(undirected, claim, cutoff=depth)) if claim in graph else set()
    for node in sorted(keep):
        data = dict(graph.nodes[node])
        data["types"] = " ".join(data.get("types", []))
        _node_element(out, node, data)
    edges = 0
    for source, target, predicate in sorted(graph.edges(data="predicate")):
        if source in keep and target in keep and predicate != "rdf:type":
            edges += 1
            out.write(f'<edge id="e{edges}" source="{graphml_id(source)}" target="{graphml_id(target)}">'
                      f'{_edge_data(predicate)}')
    return len(keep), edges
