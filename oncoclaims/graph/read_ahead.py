"""A view of a store on a SPARQL server that keeps every pattern it has read, for one report.

A confirmation report reads a claim's neighbourhood, the bases of its links, the profiles of
its candidate records and their neighbourhoods: thousands of small pattern reads, each a
round trip on a server. :class:`ReadAhead` answers them from what it has read already:
everything a subject states is read at once (one request for many subjects,
:meth:`~oncoclaims.graph.store.ClaimStore.quads_each`), and :meth:`ReadAhead.walk` reads
the neighbourhoods of several nodes together, a level per request, before the code that
needs them runs. What it holds is the server's answer to each pattern, read during one report
(a write meanwhile may or may not show, as with any two requests); the embedded store needs
no view (a lookup costs microseconds there).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence

import pyoxigraph as ox

from oncoclaims.backends.base import Object, Position
from oncoclaims.graph.projection import neighbourhoods
from oncoclaims.graph.store import ClaimStore

__all__ = ["ReadAhead", "read_ahead"]

Pattern = tuple[ox.NamedNode | ox.BlankNode | None, ox.NamedNode | None, Object | None]


class ReadAhead(ClaimStore):
    """A :class:`ClaimStore` on the same backend whose pattern reads (without a graph) are
    answered from the patterns it has read: once a subject's whole description (or every
    quad into an object) is read, any pattern on that subject (object) is filtered from it."""

    def __init__(self, store: ClaimStore) -> None:
        super().__init__(store.backend, store.path)
        self._read: dict[Pattern, list[ox.Quad]] = {}

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

    def walk(self, starts: Iterable[str], tie_depth: int | None) -> None:
        """Read the neighbourhoods of ``starts`` (as ``to_networkx`` walks each) together,
        so that projecting each of them afterwards reads nothing more."""
        neighbourhoods(self, starts, tie_depth=tie_depth)

    def close(self) -> None:
        """Nothing to release: the store this view reads through stays open."""


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
