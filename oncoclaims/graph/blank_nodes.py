"""Names for a document's blank nodes that depend on the document only, so that reading it
again changes nothing, on the embedded store and on a SPARQL server alike.

pyoxigraph gives an anonymous node (``[ ]`` in Turtle) a random name on every parse. Two
namings, one walk over the quads (:func:`_renamed`):

- :func:`skolem_iris` (the RDF ingester, :mod:`oncoclaims.ingest.rdf`): each blank node
  becomes an IRI (a Skolem IRI, RDF 1.1 Concepts 3.5) under :data:`GENID_BASE`, named
  after the document's content hash and the order of first appearance. A server can match
  and remove it (a blank node's label means nothing there, and each request mints new
  ones), so re-ingest is a no-op and a changed value can be replaced on every backend. A
  blank node naming a graph (TriG ``_:g { }``) becomes a graph IRI under
  :data:`GENID_GRAPH_BASE`, so a server lists it with the project's graphs.
- :func:`document_blank_nodes` (the bundled ontology, :mod:`oncoclaims.ontology`): blank
  nodes stay blank nodes with labels ``d<digest>n<k>``. The ontology's blank nodes are OWL
  class expressions (``owl:unionOf`` lists as ``rdfs:domain``), which OWL 2's mapping to
  RDF wants anonymous; its graph is written whole and replaced whole
  (``graph.bootstrap.ensure_ontology``), never matched node by node.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import pyoxigraph as ox

from oncoclaims.vocab import GRAPH_BASE, ID_BASE

__all__ = ["GENID_BASE", "GENID_GRAPH_BASE", "document_blank_nodes", "skolem_iris"]

#: Where the Skolem IRIs of ingested documents' blank nodes live (RDF 1.1's ``/.well-known/genid/``
#: sits at a host's root, which w3id.org is not ours to use).
GENID_BASE = ID_BASE + "genid/"
#: Where a blank node naming a graph goes (under the project's graphs, which a server lists).
GENID_GRAPH_BASE = GRAPH_BASE + "genid/"

_Term = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple | ox.DefaultGraph


def _renamed(
    quads: Iterable[ox.Quad], name: Callable[[str, bool], ox.NamedNode | ox.BlankNode]
) -> list[ox.Quad]:
    """``quads`` with the ``k``-th blank node (in order of first appearance) replaced by
    ``name("n<k>", as_graph)``; one node keeps one name wherever it appears."""
    numbers: dict[ox.BlankNode, str] = {}

    def renamed(term: _Term, as_graph: bool = False) -> _Term:
        if isinstance(term, ox.BlankNode):
            number = numbers.get(term)
            if number is None:
                number = numbers[term] = f"n{len(numbers)}"
            return name(number, as_graph)
        if isinstance(term, ox.Triple):  # RDF-star: a quoted triple's blank nodes too
            return ox.Triple(renamed(term.subject), term.predicate, renamed(term.object))
        return term

    return [
        ox.Quad(renamed(q.subject), q.predicate, renamed(q.object), renamed(q.graph_name, True))  # type: ignore[arg-type]
        for q in quads
    ]


def document_blank_nodes(quads: Iterable[ox.Quad], digest: str) -> list[ox.Quad]:
    """``quads`` with each blank node renamed ``d<digest>n<k>``, ``k`` counting blank nodes in
    order of first appearance: the same document (``digest`` of its bytes) always gives the
    same names, and no two documents share one.

    >>> ex = ox.NamedNode("http://example.org/p")
    >>> quads = [ox.Quad(ox.BlankNode(), ex, ox.BlankNode("b0")),
    ...          ox.Quad(ox.BlankNode("b0"), ex, ex)]
    >>> [str(q.subject) for q in document_blank_nodes(quads, "ab12")]
    ['_:dab12n0', '_:dab12n1']
    """
    return _renamed(quads, lambda number, _: ox.BlankNode(f"d{digest}{number}"))


def skolem_iris(quads: Iterable[ox.Quad], digest: str) -> list[ox.Quad]:
    """``quads`` with each blank node replaced by the IRI ``GENID_BASE + "d<digest>n<k>"``
    (``GENID_GRAPH_BASE`` for one that names a graph), ``k`` counting blank nodes in order of
    first appearance: the same document always gives the same IRIs, no two documents share one.

    >>> ex = ox.NamedNode("http://example.org/p")
    >>> quads = [ox.Quad(ox.BlankNode(), ex, ox.BlankNode("b0")),
    ...          ox.Quad(ox.BlankNode("b0"), ex, ex)]
    >>> [q.subject.value.removeprefix(GENID_BASE) for q in skolem_iris(quads, "ab12")]
    ['dab12n0', 'dab12n1']
    """
    return _renamed(
        quads,
        lambda number, as_graph: ox.NamedNode(
            (GENID_GRAPH_BASE if as_graph else GENID_BASE) + f"d{digest}{number}"
        ),
    )
