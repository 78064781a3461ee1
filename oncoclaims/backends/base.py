"""The one interface every store backend offers, and the shapes of its answers.

Callers speak SPARQL text plus parameters (``{name: term}``); each backend decides how a
parameter reaches its engine (pyoxigraph substitutions in process, a ``VALUES`` block on a
remote server). ``union=True`` asks for the default graph as the union of the named
graphs, which the named queries with ``#+ dataset: union`` need.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import IO, Literal, Protocol, runtime_checkable

import pyoxigraph as ox

from oncoclaims.backends.terms import Term

__all__ = ["Backend", "EachCall", "GraphName", "Object", "Params", "Position", "Rows", "Subject"]

#: Parameters of a query: variable name (without ``$``) -> term.
Params = Mapping[str, Term]
GraphName = ox.NamedNode | ox.DefaultGraph
Subject = ox.NamedNode | ox.BlankNode
Object = ox.NamedNode | ox.BlankNode | ox.Literal
#: One query of :meth:`Backend.select_each_together`: its text, the parameter that varies,
#: its terms, the other parameters and whether it runs on the union default graph (``None``:
#: the same rows either way, so it may go with queries of either kind).
EachCall = tuple[str, str, Sequence[Term], Params | None, bool | None]
#: Which place of a pattern varies in :meth:`Backend.quads_each`.
Position = Literal["s", "p", "o"]


@dataclass(frozen=True, slots=True)
class Rows:
    """A SELECT answer: the projected variable names and one tuple of terms per solution.

    An unbound variable is ``None`` in its row.
    """

    variables: tuple[str, ...]
    rows: list[tuple[ox.NamedNode | ox.BlankNode | ox.Literal | None, ...]]

    def json(self) -> str:
        """The rows as SPARQL 1.1 Query Results JSON."""
        return json.dumps(
            {
                "head": {"vars": list(self.variables)},
                "results": {
                    "bindings": [
                        {
                            var: _json_term(term)
                            for var, term in zip(self.variables, row, strict=True)
                            if term is not None
                        }
                        for row in self.rows
                    ]
                },
            },
            ensure_ascii=False,
            separators=(",", ":"),
        )

    def dicts(self) -> list[dict[str, ox.NamedNode | ox.BlankNode | ox.Literal]]:
        """The rows as ``{variable: term}``, unbound variables left out (as ``queries.select``)."""
        return [
            {var: term for var, term in zip(self.variables, row, strict=True) if term is not None}
            for row in self.rows
        ]


def _json_term(term: ox.NamedNode | ox.BlankNode | ox.Literal) -> dict[str, str]:
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    found = {"type": "literal", "value": term.value}
    if term.language:
        found["xml:lang"] = term.language
    elif term.datatype.value != _XSD_STRING:
        found["datatype"] = term.datatype.value
    return found


_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


@runtime_checkable
class Backend(Protocol):
    """A quad store reached in process or over the SPARQL 1.1 protocols."""

    def select(self, query: str, params: Params | None = None, *, union: bool = False) -> Rows:
        """Run a SELECT query; every row, however many the server pages them in."""
        ...

    def select_dicts(
        self, query: str, params: Params | None = None, *, union: bool = False
    ) -> list[dict[str, ox.NamedNode | ox.BlankNode | ox.Literal]]:
        """Run a SELECT query; its rows as ``{variable: term}``, unbound variables left out."""
        ...

    def select_tsv(self, query: str, params: Params | None = None, *, union: bool = False) -> bytes:
        """Run a SELECT query and return its whole answer as SPARQL TSV (for whole tables)."""
        ...

    def select_each(
        self,
        query: str,
        name: str,
        terms: Sequence[Term],
        params: Params | None = None,
        *,
        union: bool = False,
    ) -> list[Rows]:
        """The answer of ``query`` for each of ``terms`` bound to ``$name`` (with ``params``
        as well), in the order of ``terms``: as many queries in process, one request per
        :data:`~oncoclaims.backends.sparql.EACH_CHUNK` terms (a ``VALUES`` block) on a
        server. The query must project ``$name``; within one term's rows the order is the
        query's own."""
        ...

    def select_each_together(self, calls: Sequence[EachCall]) -> list[list[Rows]]:
        """:meth:`select_each` of several queries, each ``(query, name, terms, params,
        union)``, their answers in the order of ``calls``: in one request where the server
        can take them together (the Oxigraph server uncapped: a ``UNION`` of the queries,
        unchanged, as sub-selects, their rows told apart by a column of their own), else
        one after the other."""
        ...

    def quads_each(
        self,
        position: Position,
        terms: Sequence[Object],
        subject: Subject | None = None,
        predicate: ox.NamedNode | None = None,
        obj: Object | None = None,
    ) -> list[list[ox.Quad]]:
        """The quads matching a pattern (any graph) for each of ``terms`` in the pattern's
        ``position`` (``"s"``, ``"p"`` or ``"o"``), in the order of ``terms``: one request
        per chunk of terms on a server, one lookup each in process."""
        ...

    def ask(self, query: str, params: Params | None = None, *, union: bool = False) -> bool:
        """Run an ASK query."""
        ...

    def construct(
        self, query: str, params: Params | None = None, *, union: bool = False
    ) -> list[ox.Triple]:
        """Run a CONSTRUCT or DESCRIBE query and return its triples."""
        ...

    def update(self, update: str) -> None:
        """Run a SPARQL Update (one request: the server's atomicity applies, docs/deployment.md)."""
        ...

    def graph_get(self, graph: GraphName) -> list[ox.Triple]:
        """The triples of one graph (Graph Store GET); :class:`NotFoundError` if it is absent."""
        ...

    def graph_put(self, graph: GraphName, triples: Iterable[ox.Triple]) -> None:
        """Replace one graph's content with ``triples`` (Graph Store PUT)."""
        ...

    def graph_post(self, graph: GraphName, triples: Iterable[ox.Triple]) -> None:
        """Add ``triples`` to one graph (Graph Store POST)."""
        ...

    def graph_delete(self, graph: GraphName) -> None:
        """Remove one graph (Graph Store DELETE); :class:`NotFoundError` if it is absent."""
        ...

    def bulk_load(self, quads: Iterable[ox.Quad]) -> None:
        """Add a batch of quads, all or none: a failing batch takes back the graphs it created."""
        ...

    def quads(
        self,
        subject: Subject | None = None,
        predicate: ox.NamedNode | None = None,
        obj: Object | None = None,
        graph: GraphName | None = None,
    ) -> Iterator[ox.Quad]:
        """The quads matching a pattern (``None`` matches anything)."""
        ...

    def remove_quads(self, quads: Iterable[ox.Quad]) -> None:
        """Remove these quads (those absent are ignored)."""
        ...

    def contains_graph(self, graph: ox.NamedNode) -> bool:
        """Whether the named graph ``graph`` holds a quad."""
        ...

    def dump(self, out: IO[bytes], rdf_format: ox.RdfFormat) -> None:
        """Write every quad (every triple, for a triple-only format) to ``out``."""
        ...

    def named_graphs(self) -> list[ox.NamedNode]:
        """The named graphs that hold data (a server's own system graphs left out)."""
        ...

    def count(self, graph: GraphName | None = None) -> int:
        """How many quads: in one graph, or in all the named graphs and the default graph."""
        ...

    def close(self) -> None:
        """Release the connection or the store."""
        ...
