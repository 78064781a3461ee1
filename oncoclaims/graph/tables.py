"""Edge tables: the links of one predicate, read once from pyoxigraph into plain dictionaries.

Whole-store computations (every claim's status, the institution metrics) need a handful of
predicates over millions of nodes; reading just those into ``{subject: [objects]}``
dictionaries costs far less than a networkx projection of every triple.
Nodes are named as in the projection (:func:`oncoclaims.graph.projection.node_id`).

Reading is bound by the on-disk store: each term pyoxigraph hands over is looked up in
its string table (about 1.3 µs each at 100k claims, 2.6 µs at 1M; docs/scale.md), so a
table costs about its number of triples times the terms read. (Reading several predicates at once on threads gained nothing
measurable: the iteration holds the GIL.)
"""

from __future__ import annotations

import pyoxigraph as ox

from oncoclaims import queries
from oncoclaims.graph.projection import node_id
from oncoclaims.vocab import PREFIXES

__all__ = ["EdgeTables", "Edges", "claim_iris", "iri_of", "true_subjects"]

#: ``{subject: [objects]}`` for one predicate.
Edges = dict[str, list[str]]


def iri_of(compact: str) -> ox.NamedNode:
    """``oc:partOf`` -> the NamedNode of its full IRI."""
    prefix, local = compact.split(":", 1)
    return ox.NamedNode(PREFIXES[prefix] + local)


class EdgeTables:
    """Out-edges by predicate, read on demand and kept (one dictionary per predicate)."""

    def __init__(self, inner: ox.Store) -> None:
        self._inner = inner
        self._tables: dict[str, Edges] = {}

    def table(self, compact: str) -> Edges:
        """``{subject: [objects]}`` for one predicate (IRI and blank-node objects only)."""
        table = self._tables.get(compact)
        if table is None:
            table = self._tables[compact] = {}
            literal, named = ox.Literal, ox.NamedNode
            for quad in self._inner.quads_for_pattern(None, iri_of(compact), None, None):
                target = quad.object
                if type(target) is literal:
                    continue
                subject = quad.subject
                key = subject.value if type(subject) is named else node_id(subject)
                value = target.value if type(target) is named else node_id(target)
                table.setdefault(key, []).append(value)
        return table

    def joined(self, query: str) -> Edges:
        """``{first: [second]}`` from the two-column named query ``query`` (a join done in
        the store: two terms per row instead of four per triple of each table joined)."""
        key = "query:" + query
        table = self._tables.get(key)
        if table is None:
            table = self._tables[key] = {}
            named = ox.NamedNode  # node_id inlined for named nodes: millions of rows at 1M claims
            for first, second in queries.run(self._inner, query):
                key = first.value if type(first) is named else node_id(first)
                table.setdefault(key, []).append(
                    second.value if type(second) is named else node_id(second))
        return table

    def inverse(self, compact: str) -> Edges:
        """``{object: [subjects]}`` for one predicate."""
        key = "^" + compact
        table = self._tables.get(key)
        if table is None:
            table = {}
            for subject, targets in self.table(compact).items():
                for target in targets:
                    table.setdefault(target, []).append(subject)
            self._tables[key] = table
        return table


def claim_iris(inner: ox.Store) -> list[str]:
    """Every claim, sorted."""
    return sorted(node_id(claim) for (claim,) in queries.run(inner, "claim_iris"))


def true_subjects(inner: ox.Store, compact: str) -> set[str]:
    """Nodes with a true boolean value for ``compact`` (``oc:retracted``, ``oc:confirmatory``)."""
    return {
        node_id(quad.subject)
        for quad in inner.quads_for_pattern(None, iri_of(compact), None, None)
        if isinstance(quad.object, ox.Literal) and quad.object.value in ("true", "1")
    }
