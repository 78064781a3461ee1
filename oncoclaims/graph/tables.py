"""Edge tables: the links of one predicate, read once from pyoxigraph into plain dictionaries.

Whole-store computations (every claim's status, the institution metrics) need a handful of
predicates over millions of nodes; reading just those into ``{subject: [objects]}``
dictionaries costs far less than a networkx projection of every triple.
Nodes are named as in the projection (:func:`oncoclaims.graph.projection.node_id`).

Reading is bound by the on-disk store: each term pyoxigraph hands over is looked up in
its string table (about 1.3 µs each at 100k claims, 2.6 µs at 1M; docs/scale.md), so a
table costs about its number of rows times the terms read. That work is pyoxigraph's, in
Rust: each table is a named query whose results pyoxigraph writes as SPARQL TSV, which it
does without holding Python's interpreter lock. So :meth:`EdgeTables.prefetch` reads
tables on two threads (both cores) while the caller's thread turns finished ones into
dictionaries. (Iterating query results or quads in Python holds the lock: threads gained
nothing that way.)
"""

from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from itertools import islice
from typing import Any

import pyoxigraph as ox

from oncoclaims import queries
from oncoclaims.graph.projection import node_id
from oncoclaims.graph.store import ClaimStore
from oncoclaims.vocab import PREFIXES

__all__ = [
    "EdgeTables",
    "Edges",
    "column_from_tsv",
    "edges_from_tsv",
    "iri_of",
    "true_subjects",
]

#: ``{subject: [objects]}`` for one predicate.
Edges = dict[str, list[str]]


def iri_of(compact: str) -> ox.NamedNode:
    """``oc:partOf`` -> the NamedNode of its full IRI."""
    prefix, local = compact.split(":", 1)
    return ox.NamedNode(PREFIXES[prefix] + local)


class EdgeTables:
    """Out-edges by predicate or named two-column query, read on demand and kept.

    Use it as a context manager when prefetching, so the reading threads end with it.
    """

    def __init__(self, store: ClaimStore) -> None:
        self._store = store
        self._tables: dict[str, Edges] = {}
        self._reads: dict[str, Future[bytes]] = {}
        self._column_reads: dict[str, Future[bytes]] = {}
        self._pool: ThreadPoolExecutor | None = None

    def prefetch(self, *names: str) -> None:
        """Start reading the tables ``names`` (``oc:partOf``, or ``query:stating_sources``
        for a named query), in this order, on two threads; put the largest first."""
        if self._pool is None:
            self._pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="oncoclaims-read")
        for name in names:
            if name not in self._reads and name not in self._tables:
                self._reads[name] = self._pool.submit(self._read, name)

    def prefetch_column(self, query: str, **params: Any) -> None:
        """Start reading the one-column named query ``query`` with ``params`` on the reading
        threads (for :meth:`column`), after the tables already asked for."""
        self.prefetch()
        assert self._pool is not None
        key = _column_key(query, params)
        if key not in self._column_reads:
            self._column_reads[key] = self._pool.submit(queries.tsv, self._store, query, **params)

    def column(self, query: str, **params: Any) -> list[str]:
        """The first column of the named query ``query`` with ``params`` (IRIs and blank
        nodes, named as :func:`~oncoclaims.graph.projection.node_id` names them), in the
        answer's order: read as TSV, so pyoxigraph writes it without Python objects per row."""
        read = self._column_reads.pop(_column_key(query, params), None)
        tsv = read.result() if read is not None else queries.tsv(self._store, query, **params)
        return column_from_tsv(tsv)

    def finish_prefetch(self, *names: str) -> None:
        """Turn every prefetched table (or those of ``names`` prefetched) into its
        dictionary, each as soon as it is read (while the threads read the others), instead
        of in the order the caller asks for them."""
        wanted = set(names) if names else None
        pending = {
            read: name
            for name, read in self._reads.items()
            if wanted is None or name in wanted
        }
        for read in as_completed(pending):
            self._edges(pending[read])

    def table(self, compact: str) -> Edges:
        """``{subject: [objects]}`` for one predicate (IRI and blank-node objects only)."""
        return self._edges(compact)

    def joined(self, query: str) -> Edges:
        """``{first: [second]}`` from the two-column named query ``query`` (a join done in
        the store: two terms per row instead of four per triple of each table joined)."""
        return self._edges("query:" + query)

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

    def close(self) -> None:
        """Wait for the reads started and end the reading threads."""
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def __enter__(self) -> EdgeTables:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _edges(self, name: str) -> Edges:
        table = self._tables.get(name)
        if table is None:
            read = self._reads.pop(name, None)
            tsv = read.result() if read is not None else self._read(name)
            table = self._tables[name] = edges_from_tsv(tsv)
        return table

    def _read(self, name: str) -> bytes:
        if name.startswith("query:"):
            return queries.tsv(self._store, name.removeprefix("query:"))
        return queries.tsv(self._store, "predicate_links", predicate=iri_of(name))


def _column_key(query: str, params: dict[str, Any]) -> str:
    return query + "".join(f" {key}={value}" for key, value in sorted(params.items()))


def edges_from_tsv(tsv: bytes) -> Edges:
    """``{first: [second]}`` from the first two columns of SPARQL TSV results, named as
    :func:`~oncoclaims.graph.projection.node_id` names them; rows whose second cell is a
    literal or unbound are left out (``predicate_links.rq`` leaves that to the reader).

    >>> edges_from_tsv(b'?s\\t?o\\n<urn:a>\\t<urn:b>\\n<urn:a>\\t"x"\\n<urn:a>\\t3\\n_:c\\t_:d\\n')
    {'urn:a': ['urn:b'], '_:c': ['_:d']}
    """
    table: Edges = {}
    lines = tsv.decode().split("\n")
    for line in islice(lines, 1, None):  # after the header
        first, _, rest = line.partition("\t")
        second = rest.partition("\t")[0]
        if not second or second[0] not in "<_":
            continue  # the empty last line, an unbound cell or a literal
        key = first[1:-1] if first[0] == "<" else first
        value = second[1:-1] if second[0] == "<" else second
        found = table.get(key)
        if found is None:
            table[key] = [value]
        else:
            found.append(value)
    return table


def column_from_tsv(tsv: bytes) -> list[str]:
    """The first column's IRIs and blank nodes of SPARQL TSV results, named as
    :func:`~oncoclaims.graph.projection.node_id` names them (unbound cells left out).

    >>> column_from_tsv(b'?claim\\n<https://example.org/c1>\\n_:b2\\n')
    ['https://example.org/c1', '_:b2']
    """
    cells = []
    for line in islice(tsv.decode().split("\n"), 1, None):  # after the header
        first = line.partition("\t")[0]
        if first:
            cells.append(first[1:-1] if first[0] == "<" else first)
    return cells


def true_subjects(store: ClaimStore, compact: str) -> set[str]:
    """Nodes with a true boolean value for ``compact`` (``oc:retracted``, ``oc:confirmatory``)."""
    return {
        node_id(quad.subject)
        for quad in store.quads(None, iri_of(compact), None, None)
        if isinstance(quad.object, ox.Literal) and quad.object.value in ("true", "1")
    }
