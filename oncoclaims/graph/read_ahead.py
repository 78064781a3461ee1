"""A view of a store on a SPARQL server that keeps every pattern it has read, for one report.

A confirmation report reads a claim's neighbourhood, the bases of its links, the profiles of
its candidate records and their neighbourhoods: thousands of small pattern reads, each a
round trip on a server. :class:`ReadAhead` answers them from what it has read already:
everything a subject states is read at once (one request for many subjects,
:meth:`~oncoclaims.graph.store.ClaimStore.quads_each`), and :meth:`ReadAhead.walk` reads
the neighbourhoods of several nodes together before the code that needs them runs: the nodes
they can reach and what points at them in one query (``neighbourhood_nodes.rq``), then what
those nodes state, with the bases about them, in one more (``node_descriptions.rq``), and
with them what a report reads about the sources stating a start (its story origins and
statements: :meth:`ReadAhead.each_together` answers those from what was read).
:func:`concurrently` sends requests that do not wait on each other at once (on a server;
one after the other in process). What it holds is the server's answer to each pattern, read
during one report (a write meanwhile may or may not show, as with any two requests); the
embedded store needs no view (a lookup costs microseconds there).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pyoxigraph as ox

from oncoclaims import queries
from oncoclaims.backends.base import Object, Position
from oncoclaims.graph.projection import neighbourhoods
from oncoclaims.graph.store import ClaimStore
from oncoclaims.vocab import GRAPH_BASE, RDF

__all__ = ["READ_AT_ONCE", "ReadAhead", "concurrently", "read_ahead"]

#: Threads :func:`concurrently` sends requests from (a report sends at most four at once).
_THREADS = 4
#: Whether :func:`concurrently` sends its reads at once on a server. On a loaded 2-core
#: machine they were no faster than one after the other (bench/README.md, branch report10);
#: where the server has idle cores they overlap.
READ_AT_ONCE = True

_DEFAULT = ox.DefaultGraph()
_SUBJECT = RDF.subject

Pattern = tuple[ox.NamedNode | ox.BlankNode | None, ox.NamedNode | None, Object | None]


class ReadAhead(ClaimStore):
    """A :class:`ClaimStore` on the same backend whose pattern reads (without a graph) are
    answered from the patterns it has read: once a subject's whole description (or every
    quad into an object) is read, any pattern on that subject (object) is filtered from it."""

    def __init__(self, store: ClaimStore) -> None:
        super().__init__(store.backend, store.path)
        self._read: dict[Pattern, list[ox.Quad]] = {}
        self._walked: set[ox.NamedNode] = set()
        #: The answers of named queries read for one term each: (name, parameter, IRI) -> rows.
        self._answers: dict[tuple[str, str, str], list[dict[str, Any]]] = {}
        #: Whether each stating source a walk found may have a stored story origin.
        self._origins: dict[str, bool] = {}

    def _known(self, pattern: Pattern) -> list[ox.Quad] | None:
        found = self._read.get(pattern)
        if found is not None:
            return found
        subject, predicate, obj = pattern
        whole = self._read.get((subject, None, None)) if subject is not None else None
        if whole is None and obj is not None and subject is None:
            whole = self._read.get((None, None, obj))  # every quad into ``obj``
        if whole is None:
            return None
        return [q for q in whole if (predicate is None or q.predicate == predicate)
                and (obj is None or q.object == obj)]

    def quads(
        self,
        subject: ox.NamedNode | ox.BlankNode | None = None,
        predicate: ox.NamedNode | None = None,
        obj: Object | None = None,
        graph: ox.NamedNode | ox.DefaultGraph | None = None,
    ) -> Iterator[ox.Quad]:
        """The quads matching a pattern: from what was read when the pattern names no graph
        (a subject's whole description is read for a pattern on a subject), else from the server."""
        if graph is not None or (subject is None and (None, predicate, obj) not in self._read):
            return super().quads(subject, predicate, obj, graph)
        if subject is not None:
            self.quads_each("s", [subject])
        return iter(self._known((subject, predicate, obj)) or [])

    def quads_each(
        self,
        position: Position,
        terms: Sequence[Object],
        subject: ox.NamedNode | ox.BlankNode | None = None,
        predicate: ox.NamedNode | None = None,
        obj: Object | None = None,
    ) -> list[list[ox.Quad]]:
        """As :meth:`ClaimStore.quads_each`; only the patterns not read yet reach the server
        (in one batch)."""
        patterns = [_pattern(position, term, subject, predicate, obj) for term in terms]
        missing = [t for t, p in zip(terms, patterns, strict=True) if self._known(p) is None]
        if missing:
            answers = super().quads_each(position, missing, subject, predicate, obj)
            for term, quads in zip(missing, answers, strict=True):
                self._read[_pattern(position, term, subject, predicate, obj)] = quads
        return [self._known(p) or [] for p in patterns]

    def read_whole(self, subject: str) -> bool:
        """Whether everything ``subject`` (an IRI) states has been read already."""
        try:
            return (ox.NamedNode(subject), None, None) in self._read
        except ValueError:
            return False

    def states(self, subject: str, predicate: ox.NamedNode) -> bool:
        """Whether ``subject`` (an IRI) states anything with ``predicate`` (read if not yet)."""
        return next(self.quads(ox.NamedNode(subject), predicate), None) is not None

    @property
    def reads_neighbourhoods(self) -> bool:
        """Whether the server answers ``neighbourhood_nodes.rq`` (not Virtuoso 7.2: SR066,
        "incomplete RDF box", on its path of any length), so that :meth:`walk` takes two
        rounds of requests; else the walk reads a level per request."""
        return _server(self) != "virtuoso"

    def walk(
        self,
        starts: Iterable[str],
        tie_depth: int | None = None,
        *,
        about_sources: Sequence[tuple[str, str]] = (),
    ) -> None:
        """Read the neighbourhoods of ``starts`` (as ``to_networkx`` walks each) together,
        so that projecting each of them afterwards reads nothing more: every node they can
        reach (``neighbourhood_nodes``, any depth: a superset of the walk, whose tie-depth
        cut needs no server) and every quad into each start, in one request, then what each
        node states and the bases of its links (graph/basis.py) in one more.
        Two rounds of requests whatever the depth; a start that is not an IRI is left to
        the walk. ``tie_depth``: the walk's, on a server that cannot run the query
        (Virtuoso), where the walk itself reads a level per request. ``about_sources``:
        named queries ``(name, parameter)`` read in the second request for every source
        stating a start that may have a stored story origin (:meth:`may_have_origin`), as
        the first one names them (every graph: a superset of the walk's stating sources;
        the rows of the others are never asked for), kept for :meth:`each_together` (on
        the Oxigraph server still two requests)."""
        new = []
        for start in dict.fromkeys(starts):
            try:
                node = ox.NamedNode(start)
            except ValueError:
                continue
            if node not in self._walked:
                new.append(node)
        if not new:
            return
        if not self.reads_neighbourhoods:
            # the walk itself, a level per request
            neighbourhoods(self, [n.value for n in new], tie_depth=tie_depth)
            self._walked.update(new)
            return
        prefix = getattr(self.backend, "graph_prefix", GRAPH_BASE)
        reached = queries.select_each(self, "neighbourhood_nodes", "start", new, prefix=prefix)
        nodes: dict[ox.NamedNode, None] = {}
        sources: dict[str, bool] = {}
        for start, rows in zip(new, reached, strict=True):
            into = []  # what points at the start (statements, evidence): quads_each("o")
            for row in rows:
                if "node" in row:
                    nodes[row["node"]] = None
                elif "source" in row:
                    told = row.get("origin")
                    sources[row["source"].value] = told is None or told.value == "true"
                else:
                    into.append(ox.Quad(row["pointer"], row["p"], start, row.get("g", _DEFAULT)))
            self._read.setdefault((None, None, start), into)
        self._origins.update(sources)
        known = self._answers
        told = sorted(s for s, origin in sources.items() if origin)
        about = [(name, param, [s for s in told if (name, param, s) not in known])
                 for name, param in about_sources]
        self._describe([n for n in nodes if (n, None, None) not in self._read], prefix, about)
        self._walked.update(new)

    def _describe(
        self, nodes: list[ox.NamedNode], prefix: str, reads: list[tuple[str, str, list[str]]]
    ) -> None:
        """Read what each of ``nodes`` states and the bases about it (``node_descriptions``),
        and the named queries ``reads`` (``(name, parameter, IRIs)``), in one request where
        the server takes them together: the patterns ``quads_each("s")`` and ``bases_of``
        read, and the answers :meth:`each_together` gives, known after."""
        if not nodes and not any(terms for _, _, terms in reads):
            return
        answers, *others = queries.select_each_together(
            self, [("node_descriptions", "node", nodes, {"prefix": prefix}), *reads])
        self._keep(reads, others)
        for node, rows in zip(nodes, answers, strict=True):
            own: list[ox.Quad] = []
            bases: dict[ox.NamedNode | ox.BlankNode, list[ox.Quad]] = {}
            for row in rows:
                basis = row.get("basis")
                quad = ox.Quad(basis or node, row["p"], row["o"], row.get("g", _DEFAULT))
                (own if basis is None else bases.setdefault(basis, [])).append(quad)
            self._read.setdefault((node, None, None), own)
            about = []
            for basis, quads in bases.items():
                self._read.setdefault((basis, None, None), quads)
                about += [q for q in quads if q.predicate == _SUBJECT and q.object == node]
            self._read.setdefault((None, _SUBJECT, node), about)

    def _keep(
        self, calls: Sequence[tuple[str, str, list[str]]], answers: Sequence[list[Any]]
    ) -> None:
        """Hold the answers of named queries read for one term each, by (name, parameter, IRI)."""
        for (name, param, terms), each in zip(calls, answers, strict=True):
            for term, rows in zip(terms, each, strict=True):
                self._answers[(name, param, term)] = rows

    def may_have_origin(self, source: str) -> bool:
        """Whether a story origin may be stored for ``source`` (an IRI): ``False`` only when
        a walk's first request showed that it states a start, derives from no
        ``oc:StudyReference`` and holds no voice: ``story_origin.rq`` then reads no study
        and no voice for it, and :func:`~oncoclaims.graph.origins.with_origin` keeps none."""
        return self._origins.get(source, True)

    def each_together(
        self, calls: Sequence[tuple[str, str, list[str]]]
    ) -> list[list[list[dict[str, Any]]]]:
        """``queries.select_each_together`` of ``calls`` (``(name, parameter, IRIs)``): the
        answers :meth:`walk` read already, the others read together (one request on the
        Oxigraph server)."""
        known = self._answers
        missing = [(name, param, [t for t in dict.fromkeys(terms) if (name, param, t) not in known])
                   for name, param, terms in calls]
        if any(terms for _, _, terms in missing):
            self._keep(missing, queries.select_each_together(self, missing))
        return [[self._answers[(name, param, t)] for t in terms] for name, param, terms in calls]

    def close(self) -> None:
        """Nothing to release: the store this view reads through stays open."""


def concurrently(store: ClaimStore, *calls: Callable[[], Any]) -> list[Any]:
    """The results of ``calls``, in their order: on a SPARQL server at once (the first in
    this thread, the others on a few threads kept for it: their requests overlap, and the
    server answers several at a time), in process one after the other (a lookup costs
    microseconds there; threads would only add their own cost). A call no thread has
    taken up by the time the first ends runs in this thread, so calls made inside calls
    never wait for a free thread. An error of a call is raised here."""
    if store.is_embedded or len(calls) < 2 or not READ_AT_ONCE:
        return [call() for call in calls]
    others = [_pool().submit(call) for call in calls[1:]]
    try:
        first = calls[0]()
    except BaseException:
        for future in others:
            if not future.cancel():
                future.exception()  # let it end before the error goes up
        raise
    return [first, *(call() if future.cancel() else future.result()
                     for call, future in zip(calls[1:], others, strict=True))]


_POOL: list[ThreadPoolExecutor] = []


def _pool() -> ThreadPoolExecutor:
    """The threads :func:`concurrently` sends requests from (started once, as needed)."""
    if not _POOL:
        _POOL.append(ThreadPoolExecutor(max_workers=_THREADS, thread_name_prefix="oncoclaims-read"))
    return _POOL[0]


def _server(store: ClaimStore) -> str | None:
    endpoints = getattr(store.backend, "endpoints", None)
    return getattr(endpoints, "server", None)


def read_ahead(store: ClaimStore) -> ClaimStore:
    """``store`` itself in process; on a SPARQL server a :class:`ReadAhead` view of it (one
    for one report: it keeps what it reads)."""
    if store.is_embedded or isinstance(store, ReadAhead):
        return store
    return ReadAhead(store)


def _pattern(
    position: Position,
    term: Object,
    subject: ox.NamedNode | ox.BlankNode | None,
    predicate: ox.NamedNode | None,
    obj: Object | None,
) -> Pattern:
    if position == "s":
        return (term, predicate, obj)  # type: ignore[return-value]
    if position == "p":
        return (subject, term, obj)  # type: ignore[return-value]
    return (subject, predicate, term)
