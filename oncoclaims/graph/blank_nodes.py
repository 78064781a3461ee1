"""Blank node names that depend on the document only, so that reading it again changes nothing.

pyoxigraph gives an anonymous node (``[ ]`` in Turtle) a random name on every parse. The
RDF ingester (:mod:`oncoclaims.ingest.rdf`) and the bundled ontology
(:mod:`oncoclaims.ontology`) rename them after the document's content hash instead.
"""

from __future__ import annotations

from collections.abc import Iterable

import pyoxigraph as ox

__all__ = ["document_blank_nodes"]


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
    names: dict[ox.BlankNode, ox.BlankNode] = {}

    def renamed(term):  # type: ignore[no-untyped-def]
        if isinstance(term, ox.BlankNode):
            name = names.get(term)
            if name is None:
                name = names[term] = ox.BlankNode(f"d{digest}n{len(names)}")
            return name
        if isinstance(term, ox.Triple):  # RDF-star: a quoted triple's blank nodes too
            return ox.Triple(renamed(term.subject), term.predicate, renamed(term.object))
        return term

    return [
        ox.Quad(renamed(q.subject), q.predicate, renamed(q.object), renamed(q.graph_name))
        for q in quads
    ]
