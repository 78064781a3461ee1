"""The default backend: one pyoxigraph ``Store`` in this process (behaviour and speed of today).

Parameters are pyoxigraph ``substitutions``; ``union`` is pyoxigraph's
``use_default_graph_as_union``. Writes of a batch are one pyoxigraph transaction
(``Store.extend`` is all or nothing even when the iterable raises); batches over
:data:`oncoclaims.graph.store.SPILL_THRESHOLD` quads keep going through
:class:`~oncoclaims.graph.store.ClaimStore` when the caller holds one.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import IO, Any

import pyoxigraph as ox

from oncoclaims.backends.base import EachCall, GraphName, Object, Params, Position, Rows, Subject
from oncoclaims.backends.terms import Term
from oncoclaims.errors import NotFoundError, QuerySyntaxError, StoreError

__all__ = ["EmbeddedBackend"]


class EmbeddedBackend:
    """A :class:`~oncoclaims.backends.base.Backend` over a pyoxigraph ``Store``.

    >>> backend = EmbeddedBackend(ox.Store())
    >>> backend.count()
    0
    """

    def __init__(self, store: ox.Store, *, allow_service: bool = True) -> None:
        self._store = store
        #: ``SERVICE`` is the caller's business in process (the API guards /sparql itself).
        self.allow_service = allow_service

    @property
    def inner(self) -> ox.Store:
        """The wrapped pyoxigraph store."""
        return self._store

    def _query(self, query: str, params: Params | None, union: bool) -> Any:
        if not self.allow_service:
            from oncoclaims.backends.sparql import refuse_service

            refuse_service(query)
        substitutions = {ox.Variable(k): v for k, v in (params or {}).items()}
        try:
            return self._store.query(
                query, substitutions=substitutions, use_default_graph_as_union=union
            )
        except SyntaxError as exc:
            raise QuerySyntaxError(f"the query does not parse: {exc}") from exc
        except (OSError, RuntimeError) as exc:
            raise StoreError(f"the store could not answer the query: {exc}") from exc

    def select(self, query: str, params: Params | None = None, *, union: bool = False) -> Rows:
        """Run a SELECT query and return all its rows."""
        solutions = self._query(query, params, union)
        variables = tuple(v.value for v in solutions.variables)
        # a solution iterates over its values in the variables' order (None where unbound)
        return Rows(variables, [tuple(s) for s in solutions])

    def select_dicts(
        self, query: str, params: Params | None = None, *, union: bool = False
    ) -> list[dict[str, ox.NamedNode | ox.BlankNode | ox.Literal]]:
        """Run a SELECT query; its rows as ``{variable: term}``, unbound ones left out (one
        pass over pyoxigraph's solutions: the named queries' common case)."""
        solutions = self._query(query, params, union)
        variables = [v.value for v in solutions.variables]
        return [
            {var: term for var, term in zip(variables, solution) if term is not None}  # type: ignore[call-overload]
            for solution in solutions
        ]

    def select_tsv(self, query: str, params: Params | None = None, *, union: bool = False) -> bytes:
        """Run a SELECT query and return SPARQL TSV written by pyoxigraph (no Python per row)."""
        solutions = self._query(query, params, union)
        return solutions.serialize(format=ox.QueryResultsFormat.TSV)

    def select_each(
        self,
        query: str,
        name: str,
        terms: Sequence[Term],
        params: Params | None = None,
        *,
        union: bool = False,
    ) -> list[Rows]:
        """The answer of ``query`` for each of ``terms`` bound to ``$name``: one query each
        (in process a substitution costs nothing; a ``VALUES`` block would not be faster)."""
        return [self.select(query, {**(params or {}), name: term}, union=union) for term in terms]

    def select_each_together(self, calls: Sequence[EachCall]) -> list[list[Rows]]:
        """:meth:`select_each` of each call, one after the other (nothing to gain in process)."""
        return [self.select_each(q, name, terms, params, union=union is not False)
                for q, name, terms, params, union in calls]

    def quads_each(
        self,
        position: Position,
        terms: Sequence[Object],
        subject: Subject | None = None,
        predicate: ox.NamedNode | None = None,
        obj: Object | None = None,
    ) -> list[list[ox.Quad]]:
        """The quads matching the pattern for each of ``terms`` in ``position``: one index
        lookup each."""
        found = []
        for term in terms:
            pattern = {"s": subject, "p": predicate, "o": obj, position: term}
            lookup = self._store.quads_for_pattern(pattern["s"], pattern["p"], pattern["o"], None)
            found.append(list(lookup))
        return found

    def ask(self, query: str, params: Params | None = None, *, union: bool = False) -> bool:
        """Run an ASK query."""
        return bool(self._query(query, params, union))

    def construct(
        self, query: str, params: Params | None = None, *, union: bool = False
    ) -> list[ox.Triple]:
        """Run a CONSTRUCT or DESCRIBE query and return its triples."""
        return list(self._query(query, params, union))

    def update(self, update: str) -> None:
        """Run a SPARQL Update (one pyoxigraph transaction)."""
        try:
            self._store.update(update)
        except SyntaxError as exc:
            raise QuerySyntaxError(f"the update does not parse: {exc}") from exc
        except (OSError, RuntimeError) as exc:
            raise StoreError(f"the store could not run the update: {exc}") from exc

    def _has_graph(self, graph: GraphName) -> bool:
        return isinstance(graph, ox.DefaultGraph) or self._store.contains_named_graph(graph)

    def graph_get(self, graph: GraphName) -> list[ox.Triple]:
        """The triples of one graph."""
        if not self._has_graph(graph):
            raise NotFoundError(f"no graph {graph} in the store")
        return [q.triple for q in self._store.quads_for_pattern(None, None, None, graph)]

    def graph_put(self, graph: GraphName, triples: Iterable[ox.Triple]) -> None:
        """Replace one graph's content, in one transaction."""
        quads = [ox.Quad(t.subject, t.predicate, t.object, graph) for t in triples]
        old = list(self._store.quads_for_pattern(None, None, None, graph))
        self._store.clear_graph(graph)
        try:
            self._store.extend(quads)
        except BaseException:
            self._store.extend(old)  # put back what was there: PUT is all or nothing
            raise
        if not isinstance(graph, ox.DefaultGraph):
            self._store.add_graph(graph)

    def graph_post(self, graph: GraphName, triples: Iterable[ox.Triple]) -> None:
        """Add triples to one graph (all or none)."""
        self._store.extend(ox.Quad(t.subject, t.predicate, t.object, graph) for t in triples)
        if not isinstance(graph, ox.DefaultGraph):
            self._store.add_graph(graph)

    def graph_delete(self, graph: GraphName) -> None:
        """Remove one graph."""
        if isinstance(graph, ox.DefaultGraph):
            self._store.clear_graph(graph)
            return
        if not self._has_graph(graph):
            raise NotFoundError(f"no graph {graph} in the store")
        self._store.remove_graph(graph)

    def bulk_load(self, quads: Iterable[ox.Quad]) -> None:
        """Add a batch in one transaction: all of it, or none if the iterable raises."""
        self._store.extend(quads)

    def quads(
        self,
        subject: Subject | None = None,
        predicate: ox.NamedNode | None = None,
        obj: Object | None = None,
        graph: GraphName | None = None,
    ) -> Iterator[ox.Quad]:
        """The quads matching a pattern."""
        return iter(self._store.quads_for_pattern(subject, predicate, obj, graph))

    def remove_quads(self, quads: Iterable[ox.Quad]) -> None:
        """Remove these quads, one at a time (those absent are ignored)."""
        for quad in quads:
            self._store.remove(quad)

    def contains_graph(self, graph: ox.NamedNode) -> bool:
        """Whether the named graph holds a quad (an empty named graph does not count)."""
        return next(iter(self._store.quads_for_pattern(None, None, None, graph)), None) is not None

    def dump(self, out: IO[bytes], rdf_format: ox.RdfFormat) -> None:
        """Write the store, by pyoxigraph (triple-only formats get every graph's triples)."""
        if rdf_format.supports_datasets:
            self._store.dump(out, rdf_format)
            return
        quads = self._store.quads_for_pattern(None, None, None, None)
        ox.serialize((q.triple for q in quads), out, rdf_format)

    def named_graphs(self) -> list[ox.NamedNode]:
        """The named graphs of the store, sorted by IRI."""
        graphs = [g for g in self._store.named_graphs() if isinstance(g, ox.NamedNode)]
        return sorted(graphs, key=lambda g: g.value)

    def count(self, graph: GraphName | None = None) -> int:
        """Quads in one graph, or in the whole store (``len``: default graph included)."""
        if graph is None:
            return len(self._store)
        return sum(1 for _ in self._store.quads_for_pattern(None, None, None, graph))

    def close(self) -> None:
        """Flush an on-disk store and drop this backend's reference to it: the on-disk lock
        goes with the last reference, and a traceback that still holds this backend must
        not keep it."""
        if self._store is None:
            return
        try:
            self._store.flush()
        except (OSError, RuntimeError):  # an in-memory store has nothing to flush
            pass
        self._store = None  # type: ignore[assignment]
