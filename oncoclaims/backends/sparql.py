"""A backend that speaks only the SPARQL 1.1 Query, Update and Graph Store protocols (httpx).

Servers differ; :class:`SparqlEndpoints` says which one is at the other end
(``server``: ``oxigraph``, ``virtuoso`` or ``generic``) and this module handles the
differences documented in ``docs/deployment.md``:

* **union default graph**: a query with ``union=True`` sends Oxigraph's
  ``union-default-graph`` flag; Virtuoso's default graph is already the union; a generic
  server must be configured for it (Fuseki ``unionDefaultGraph``).
* **row caps**: Virtuoso answers at most ``ResultSetMaxRows`` rows (10,000 by default) and
  says so in an ``X-SPARQL-MaxRows`` header. A page that is capped (that header, or as many
  rows as ``page_size``) is fetched again in pages of ``LIMIT``/``OFFSET`` over an
  ``ORDER BY`` of every variable, the sort inside a sub-select so that Virtuoso does not
  refuse large offsets (its error SR353). The answer is complete.
* **system graphs**: Virtuoso shows about 2,500 quads of its own under ``GRAPH ?g``;
  :meth:`SparqlBackend.named_graphs`, :meth:`~SparqlBackend.count` and
  :meth:`~SparqlBackend.quads` keep to graphs under ``graph_prefix`` (the project's
  graph namespace by default).
* **time limits**: the HTTP client gives up after ``timeout`` seconds; Virtuoso is also
  sent its ``timeout`` parameter, and its answer "incomplete results" (200 with
  ``X-SQL-State: S1TAT``) is refused with :class:`QueryTimeoutError`, never used.
* **bulk loads**: Oxigraph's ``POST /store?no_transaction`` with N-Quads; Virtuoso's own
  loader when a :class:`~oncoclaims.backends.virtuoso_loader.VirtuosoLoader` is given
  (one N-Quads file per batch, ``ld_add`` + ``rdf_loader_run`` through ``isql``); elsewhere a
  Graph Store ``POST`` per graph (Virtuoso answers 200 or 201, Oxigraph 204: all are success).
  A batch that fails takes back the graphs it created (:class:`BackendWriteError` otherwise).

Parameters become a ``VALUES`` block of terms serialised by pyoxigraph
(:mod:`oncoclaims.backends.terms`). A query using ``SERVICE`` is refused before it is sent
unless ``allow_service`` is set.

The paging wrapper is the one place query text is put together here: it wraps the
caller's query, unchanged, in a sub-select with integers of our own.
"""

from __future__ import annotations

import json
import re
import time
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import islice
from typing import IO, Literal

import httpx
import pyoxigraph as ox

from oncoclaims import queries
from oncoclaims.backends.base import (
    EachCall,
    GraphName,
    Object,
    Params,
    Position,
    Rows,
    Subject,
)
from oncoclaims.backends.errors import BackendAuthError, BackendWriteError
from oncoclaims.backends.protocol import raise_for_answer, translate_transport_errors
from oncoclaims.backends.terms import Term, bind_rows, bind_table, bind_values, split_prologue
from oncoclaims.backends.virtuoso_loader import VirtuosoLoader
from oncoclaims.errors import (
    OncoclaimsError,
    QueryError,
    QueryParameterError,
    QueryTimeoutError,
    StoreError,
)
from oncoclaims.query_guard import check_nesting, inspect_sparql
from oncoclaims.vocab import GRAPH_BASE

__all__ = [
    "BULK_CHUNK",
    "EACH_CHUNK",
    "LOADER_SETTLE",
    "REMOVE_CHUNK",
    "ServerKind",
    "SparqlBackend",
    "SparqlEndpoints",
    "refuse_service",
]

ServerKind = Literal["oxigraph", "virtuoso", "generic"]
#: The SPARQL Protocol's dataset: default graph IRIs, named graph IRIs.
Dataset = tuple[tuple[str, ...], tuple[str, ...]]

#: Seconds to watch for late quads of a failed load by Virtuoso's loader.
LOADER_SETTLE = 10.0
#: Quads per request of a bulk load.
BULK_CHUNK = 100_000
#: Terms per request of :meth:`SparqlBackend.select_each` (rows of its ``VALUES`` block).
EACH_CHUNK = 500
#: Quads per update that removes quads (each one a ``VALUES`` row of the update's text).
REMOVE_CHUNK = 1_000

_JSON = "application/sparql-results+json"
_TSV = "text/tab-separated-values"
_SPARQL_QUERY = "application/sparql-query; charset=utf-8"
#: The form of a query: its first keyword after the prologue (spaces, comments, BASE, PREFIX).
#: Only the Accept header hangs on it; the server parses the query.
_QUERY_FORM = re.compile(
    r"(?:\s+|#[^\n]*(?:\n|$)|BASE\s*<[^>]*>|PREFIX\s*[^\s:]*:\s*<[^>]*>)*"
    r"(SELECT|ASK|CONSTRUCT|DESCRIBE)\b",
    re.IGNORECASE,
)
_RESULT_MEDIA = ("application/sparql-results+json", "application/json")
#: The one column Virtuoso 7.2 may answer an ASK query with.
_VIRTUOSO_ASK = "__ASK_RETVAL"
_NTRIPLES = "application/n-triples"
_NQUADS = "application/n-quads"
_CAP_HEADER = "X-SPARQL-MaxRows"
#: Virtuoso's header and state for "incomplete results: the query ran out of time".
_SQL_STATE, _INCOMPLETE = "X-SQL-State", "S1TAT"
_VIRTUOSO_BNODE = re.compile(rb'("type"\s*:\s*"bnode"\s*,\s*"value"\s*:\s*")nodeID://')
#: The column that tells the queries of one :meth:`SparqlBackend.select_each_together` apart.
_PART = "oncoclaimsPart"
_PREFIX_DECLARATION = re.compile(r"PREFIX\s+([^\s:]*):\s*<([^>]*)>", re.IGNORECASE)
_BASE = re.compile(r"(?:^|\s)BASE\s*<", re.IGNORECASE)
_DEFAULT_CAPS: dict[str, int | None] = {"virtuoso": 10_000, "oxigraph": None, "generic": None}


def refuse_service(text: str, *, update: bool = False) -> None:
    """Raise :class:`QueryError` when the query (or update) ``text`` uses ``SERVICE`` (or ``LOAD``),
    which would make the SPARQL server send requests where the text says. Decided by the
    project's guard (:mod:`oncoclaims.query_guard`) from the parse tree, after bounding nesting.
    """
    what = _sends_requests(text, update)
    if what is not None:
        raise QueryError(
            f"{what} would make the SPARQL server send requests where the text says; it is "
            "refused before the text is forwarded (start with --allow-service to permit it)"
        )


@lru_cache(maxsize=512)
def _sends_requests(text: str, update: bool) -> str | None:
    """``SERVICE`` or ``LOAD`` when ``text`` uses it, else ``None``; kept per text, since
    the named queries are sent again and again (parsing one took 0.3 ms, request by request)."""
    check_nesting(text, what="update" if update else "query")  # QueryRefusedError, a QueryError
    verdict = inspect_sparql(text, update=update)
    if verdict.service or verdict.load:
        return "SERVICE" if verdict.service else "LOAD"
    return None


@dataclass(frozen=True, slots=True)
class SparqlEndpoints:
    """Where a SPARQL server answers, and which server it is.

    ``update_url`` and ``gsp_url`` default to ``query_url``'s server conventions being
    unknown, so writes need them given. ``store_url`` is Oxigraph's ``/store`` for its fast
    bulk load (defaults to ``gsp_url`` for ``server="oxigraph"``).
    """

    query_url: str
    update_url: str | None = None
    gsp_url: str | None = None
    server: ServerKind = "generic"
    store_url: str | None = None

    @classmethod
    def oxigraph(cls, base: str) -> SparqlEndpoints:
        """The endpoints of ``oxigraph serve`` at ``base`` (``http://host:port``)."""
        base = base.rstrip("/")
        return cls(f"{base}/query", f"{base}/update", f"{base}/store", "oxigraph", f"{base}/store")

    @classmethod
    def virtuoso(cls, base: str) -> SparqlEndpoints:
        """Virtuoso's endpoints at ``base``: queries on ``/sparql``, writes on the digest-protected
        ``/sparql-auth`` and ``/sparql-graph-crud-auth``."""
        base = base.rstrip("/")
        return cls(
            f"{base}/sparql", f"{base}/sparql-auth", f"{base}/sparql-graph-crud-auth", "virtuoso"
        )


class SparqlBackend:
    """A :class:`~oncoclaims.backends.base.Backend` on a SPARQL 1.1 server."""

    def __init__(
        self,
        endpoints: SparqlEndpoints,
        *,
        auth: httpx.Auth | None = None,
        timeout: float = 30.0,
        write_timeout: float = 300.0,
        page_size: int | None = None,
        graph_prefix: str = GRAPH_BASE,
        allow_service: bool = False,
        server_timeout: float | None = None,
        loader: VirtuosoLoader | None = None,
    ) -> None:
        self.endpoints = endpoints
        #: Virtuoso's bulk loader, the fast path of :meth:`bulk_load` when given.
        self.loader = loader
        self.timeout = timeout
        #: The time limit Virtuoso is asked to keep itself (``timeout`` unless given).
        self.server_timeout = server_timeout if server_timeout is not None else timeout
        self.write_timeout = write_timeout
        self.page_size = page_size if page_size is not None else _DEFAULT_CAPS[endpoints.server]
        self.graph_prefix = graph_prefix
        self.allow_service = allow_service
        self._client = httpx.Client(
            auth=auth, timeout=httpx.Timeout(timeout, connect=min(timeout, 10.0))
        )

    # -- protocol plumbing ---------------------------------------------------------------

    def _post(
        self, url: str | None, what: str, *, timeout: float, **kwargs: object
    ) -> httpx.Response:
        if url is None:
            raise StoreError(f"{what}: no URL for it was given (--update-url / --gsp-url)")
        with translate_transport_errors(url, what=what, timeout=timeout):
            response = self._client.post(url, timeout=timeout, **kwargs)  # type: ignore[arg-type]
        raise_for_answer(response, what=what, limit=timeout)
        return response

    def _query(
        self, query: str, accept: str, union: bool, dataset: Dataset = ((), ())
    ) -> httpx.Response:
        defaults, named = dataset
        params: list[tuple[str, str]] = (
            [("union-default-graph", "")]
            if union and not (defaults or named) and self.endpoints.server == "oxigraph"
            else []
        )
        params += [("default-graph-uri", g) for g in defaults]
        params += [("named-graph-uri", g) for g in named]
        body: dict[str, object]
        if self.endpoints.server == "virtuoso":
            # a form (Virtuoso 7.2 left a query sent as the body unanswered), with its own
            # time limit in milliseconds
            timeout = str(max(1, int(self.server_timeout * 1000)))
            body = {"data": {"query": query, "timeout": timeout}}
        else:
            # the query as the body ("query via POST directly", SPARQL 1.1 Protocol 2.1.3):
            # no percent-encoding of a query of kilobytes in Python, request by request
            body = {"content": query.encode("utf-8")}
        response = self._post(
            self.endpoints.query_url,
            "query",
            timeout=self.timeout,
            params=params,
            headers={"Accept": accept, "Content-Type": _SPARQL_QUERY}
            if "content" in body
            else {"Accept": accept},
            **body,
        )
        if response.headers.get(_SQL_STATE) == _INCOMPLETE:
            # Virtuoso stopped at its time limit and answers 200 with what it had: refused
            raise QueryTimeoutError(
                f"query: the SPARQL server at {self.endpoints.query_url} stopped at the time "
                f"limit of {self.server_timeout:g} s and sent incomplete results, which are not "
                f"used ({response.headers.get('X-SQL-Message', '').strip()[:200]}). Raise the "
                "time limit or simplify the query.",
                self.server_timeout,
            )
        return response

    def _prepare(self, query: str, params: Params | None) -> str:
        if not self.allow_service:
            refuse_service(query)
        return bind_values(query, params or {}, every_group=self._every_group)

    @property
    def _every_group(self) -> bool:
        # Virtuoso 7.2 fails to compile a block in some nested groups (SP031, claim_statuses.rq):
        # the WHERE group only there (docs/deployment.md)
        return self.endpoints.server != "virtuoso"

    # -- queries -------------------------------------------------------------------------

    def _pages(
        self,
        query: str,
        union: bool,
        dataset: Dataset = ((), ()),
        first: httpx.Response | None = None,
    ) -> list[bytes]:
        """The JSON answer of ``query``: one page, or every page when the server caps rows
        (``first``: the first page's answer, when the caller has it already)."""
        response = first if first is not None else self._query(query, _JSON, union, dataset)
        if _CAP_HEADER not in response.headers and self.page_size is None:
            return [response.content]  # no cap: no need to count the rows (a JSON parse)
        size = _count_results(response.content)
        capped = _CAP_HEADER in response.headers or (
            self.page_size is not None and size >= self.page_size
        )
        if not capped or size == 0:
            return [response.content]
        order = " ".join(f"?{v}" for v in _variables(response.content))
        prologue, body = split_prologue(query)
        pages: list[bytes] = []
        offset = 0
        while True:
            paged = _paged(prologue, body, order, offset, size)
            page = self._query(paged, _JSON, union, dataset).content
            pages.append(page)
            if _count_results(page) < size:
                return pages
            offset += size

    def _solutions(self, query: str, union: bool) -> Iterator[ox.QuerySolutions]:
        for page in self._pages(query, union):
            yield _parse_results(page)

    def select(self, query: str, params: Params | None = None, *, union: bool = False) -> Rows:
        """Run a SELECT query on the server; every row, paged past a row cap."""
        return self._select_text(self._prepare(query, params), union)

    def _select_text(self, text: str, union: bool) -> Rows:
        if self.endpoints.server == "oxigraph" and self.page_size is None:
            # no cap to page past: the server's TSV, parsed by the same library in about half
            # the time of its JSON (0.17 against 0.32 ms for a neighbourhood's 159 quads)
            pages = [_parse_tsv(self._query(text, _TSV, union).content)]
        else:
            pages = list(self._solutions(text, union))
        variables: tuple[str, ...] = ()
        rows: list[tuple[ox.NamedNode | ox.BlankNode | ox.Literal | None, ...]] = []
        for solutions in pages:
            variables = tuple(v.value for v in solutions.variables)
            # a solution iterates over its values in the order of the variables, None where
            # unbound: a third of the time of looking each one up by name
            rows.extend(tuple(s) for s in solutions)  # type: ignore[misc]
        return Rows(variables, rows)

    def select_dicts(
        self, query: str, params: Params | None = None, *, union: bool = False
    ) -> list[dict[str, ox.NamedNode | ox.BlankNode | ox.Literal]]:
        """Run a SELECT query; its rows as ``{variable: term}``, unbound ones left out."""
        return self.select(query, params, union=union).dicts()

    def select_tsv(self, query: str, params: Params | None = None, *, union: bool = False) -> bytes:
        """Run a SELECT query; its whole answer as SPARQL TSV written by pyoxigraph (by the
        Oxigraph server itself, the same writer, when it serves the query uncapped)."""
        text = self._prepare(query, params)
        if self.endpoints.server == "oxigraph" and self.page_size is None:
            # no JSON written by the server, parsed and written again as TSV by the client
            return self._query(text, _TSV, union).content
        parts: list[bytes] = []
        for solutions in self._solutions(text, union):
            tsv = solutions.serialize(format=ox.QueryResultsFormat.TSV)
            parts.append(tsv if not parts else tsv.split(b"\n", 1)[1])
        return b"".join(parts)

    def select_each(
        self,
        query: str,
        name: str,
        terms: Sequence[Term],
        params: Params | None = None,
        *,
        union: bool = False,
    ) -> list[Rows]:
        """The answer of ``query`` for each of ``terms`` bound to ``$name``: one request per
        :data:`EACH_CHUNK` distinct terms, ``$name`` a ``VALUES`` block of them, the rows
        handed back to the term they carry (so the query must project ``$name``).

        :raises QueryParameterError: the query does not project ``$name``.
        """
        if not self.allow_service:
            refuse_service(query)
        fixed = dict(params or {})
        fixed.pop(name, None)
        names = (name, *fixed)
        unique = list(dict.fromkeys(terms))
        variables: tuple[str, ...] = ()
        every: list[tuple[ox.NamedNode | ox.BlankNode | ox.Literal | None, ...]] = []
        for start in range(0, len(unique), EACH_CHUNK):
            table = [(term, *fixed.values()) for term in unique[start : start + EACH_CHUNK]]
            text = bind_table(query, names, table, every_group=self._every_group)
            rows = self._select_text(text, union)
            variables = rows.variables
            _projects(variables, name)
            every.extend(rows.rows)
        return _by_term(variables, every, name, terms) if every else [Rows(variables, []) for _ in terms]

    def select_each_together(self, calls: Sequence[EachCall]) -> list[list[Rows]]:
        """:meth:`select_each` of several queries in one request on an uncapped Oxigraph
        server, when they share their dataset (``union``; ``None`` goes with either) and
        prefixes and each has at most :data:`EACH_CHUNK` terms:
        ``SELECT * { { { Q1 } BIND(0 AS ?part) } UNION ... }``, each
        query bound as :meth:`select_each` binds it and left unchanged in its sub-select
        (its variables stay its own; the rows of a sub-select come in its order, as the
        server gives a ``UNION``'s branches one after the other). Elsewhere one request each.

        :raises QueryParameterError: a query does not project the parameter that varies.
        """
        live = [i for i, call in enumerate(calls) if call[2]]
        text = self._together([calls[i] for i in live]) if len(live) > 1 else None
        if text is None:
            return [self.select_each(q, name, terms, params, union=union is not False)
                    for q, name, terms, params, union in calls]
        rows = self._select_text(text, any(calls[i][4] for i in live))
        part = rows.variables.index(_PART)
        keep = [i for i in range(len(rows.variables)) if i != part]
        variables = tuple(rows.variables[i] for i in keep)
        by_part: dict[int, list[tuple[ox.NamedNode | ox.BlankNode | ox.Literal | None, ...]]] = {}
        for row in rows.rows:
            by_part.setdefault(int(row[part].value), []).append(tuple(row[i] for i in keep))  # type: ignore[union-attr]
        answers: list[list[Rows]] = [[Rows(variables, []) for _ in call[2]] for call in calls]
        for branch, index in enumerate(live):
            _, name, terms, _, _ = calls[index]
            answers[index] = _by_term(variables, by_part.get(branch, []), name, terms)
        return answers

    def _together(self, calls: Sequence[EachCall]) -> str | None:
        """The text of :meth:`select_each_together`'s one request, or ``None`` when the calls
        cannot go together here."""
        if (self.endpoints.server != "oxigraph" or self.page_size is not None
                or len({call[4] for call in calls} - {None}) > 1
                or any(len(set(call[2])) > EACH_CHUNK for call in calls)):
            return None
        prefixes: dict[str, str] = {}
        branches = []
        for branch, (query, name, terms, params, _) in enumerate(calls):
            if not self.allow_service:
                refuse_service(query)
            fixed = dict(params or {})
            fixed.pop(name, None)
            table = [(term, *fixed.values()) for term in dict.fromkeys(terms)]
            bound = bind_table(query, (name, *fixed), table, every_group=self._every_group)
            prologue, body = split_prologue(bound)
            if _BASE.search(prologue):
                return None
            for prefix, iri in _PREFIX_DECLARATION.findall(prologue):
                if prefixes.setdefault(prefix, iri) != iri:
                    return None  # one name for two namespaces: not in one prologue
            branches.append((body, branch))
        return _union_of(prefixes, branches)

    def quads_each(
        self,
        position: Position,
        terms: Sequence[Object],
        subject: Subject | None = None,
        predicate: ox.NamedNode | None = None,
        obj: Object | None = None,
    ) -> list[list[ox.Quad]]:
        """The quads matching the pattern for each of ``terms`` in ``position``, from the
        graphs :meth:`quads` reads (one request per :data:`EACH_CHUNK` terms).

        :raises QueryParameterError: a term or a pattern place is a blank node.
        """
        places = (("s", subject), ("p", predicate), ("o", obj))
        fixed = {k: v for k, v in places if v is not None and k != position}
        fixed["prefix"] = ox.Literal(self.graph_prefix)
        # Virtuoso's default graph is the union of the others: its named graphs only
        name = "backend_quads" if self.endpoints.server == "virtuoso" else "backend_dataset_quads"
        answers = self.select_each(queries.load_query(name).text, position, terms, fixed)  # type: ignore[arg-type]
        return [
            [ox.Quad(s, p, o, g if g is not None else ox.DefaultGraph())  # type: ignore[arg-type]
             for s, p, o, g, _ in answer.rows]
            for answer in answers
        ]

    def ask(self, query: str, params: Params | None = None, *, union: bool = False) -> bool:
        """Run an ASK query on the server."""
        response = self._query(self._prepare(query, params), _JSON, union)
        answer = _parse_results(response.content)
        if isinstance(answer, ox.QuerySolutions):
            # Virtuoso 7.2 may write an ASK answer as a table: no row, or one row ``__ASK_RETVAL 1``
            return any(row[0] is not None and row[0].value != "0" for row in answer)
        return bool(answer)

    def construct(
        self, query: str, params: Params | None = None, *, union: bool = False
    ) -> list[ox.Triple]:
        """Run a CONSTRUCT or DESCRIBE query (not paged: raise a server's row cap for big ones)."""
        response = self._query(self._prepare(query, params), _NTRIPLES, union)
        return _triples(response.content, "the CONSTRUCT answer")

    def query_any(
        self,
        query: str,
        *,
        union: bool = False,
        default_graphs: tuple[str, ...] = (),
        named_graphs: tuple[str, ...] = (),
    ) -> ox.QuerySolutions | ox.QueryBoolean | list[ox.Triple]:
        """Run a query of any form as the SPARQL Protocol passes it on (the API's ``/sparql``):
        SELECT solutions (every page past a row cap), an ASK boolean, or CONSTRUCT / DESCRIBE
        triples. ``default_graphs`` and ``named_graphs`` are the protocol's dataset
        parameters; without them ``union`` asks for the union default graph.
        """
        if not self.allow_service:
            refuse_service(query)
        dataset = (default_graphs, named_graphs)
        form = _QUERY_FORM.match(query)
        graph = form is not None and form[1].upper() in ("CONSTRUCT", "DESCRIBE")
        response = self._query(query, _NTRIPLES if graph else _JSON, union, dataset)
        media = response.headers.get("content-type", "").split(";")[0].strip().lower()
        if graph or media not in _RESULT_MEDIA:
            return _triples(response.content, "the CONSTRUCT answer")
        answer = _parse_results(response.content)
        if isinstance(answer, ox.QueryBoolean):
            return answer
        if [v.value for v in answer.variables] == [_VIRTUOSO_ASK]:  # Virtuoso's table for ASK
            truth = any(row[0] is not None and row[0].value != "0" for row in answer)
            return _parse_results(b'{"head": {}, "boolean": %s}' % (b"true" if truth else b"false"))
        pages = self._pages(query, union, dataset, first=response)
        if len(pages) == 1:
            return _parse_results(pages[0])
        return _parse_results(_joined(pages))

    def update(self, update: str) -> None:
        """Send one SPARQL Update request."""
        if not self.allow_service:
            refuse_service(update, update=True)
        self._post(
            self.endpoints.update_url, "update", timeout=self.write_timeout, data={"update": update}
        )

    # -- graph store -----------------------------------------------------------------------

    def _gsp(
        self, method: str, graph: GraphName, what: str, body: bytes | None = None
    ) -> httpx.Response:
        url = self.endpoints.gsp_url
        if url is None:
            raise StoreError(f"{what}: no Graph Store URL was given (--gsp-url)")
        params = {"default": ""} if isinstance(graph, ox.DefaultGraph) else {"graph": graph.value}
        if self.endpoints.server == "virtuoso" and not isinstance(graph, ox.DefaultGraph):
            params = {"graph-uri": graph.value}
        headers = {"Accept": _NTRIPLES if method == "GET" else "*/*"}
        if body is not None:
            headers["Content-Type"] = _NTRIPLES + "; charset=utf-8"  # else Virtuoso reads Latin-1
        with translate_transport_errors(url, what=what, timeout=self.write_timeout):
            response = self._client.request(
                method,
                url,
                params=params,
                content=body,
                headers=headers,
                timeout=self.write_timeout,
            )
        raise_for_answer(response, what=what, limit=self.write_timeout)
        return response

    def graph_get(self, graph: GraphName) -> list[ox.Triple]:
        """Graph Store GET of one graph."""
        return _triples(self._gsp("GET", graph, f"reading graph {graph}").content, f"graph {graph}")

    def graph_put(self, graph: GraphName, triples: Iterable[ox.Triple]) -> None:
        """Graph Store PUT: the graph becomes ``triples`` (one request)."""
        self._gsp("PUT", graph, f"replacing graph {graph}", _ntriples(triples))

    def graph_post(self, graph: GraphName, triples: Iterable[ox.Triple]) -> None:
        """Graph Store POST: ``triples`` are added to the graph (one request)."""
        self._gsp("POST", graph, f"adding to graph {graph}", _ntriples(triples))

    def graph_delete(self, graph: GraphName) -> None:
        """Graph Store DELETE of one graph."""
        self._gsp("DELETE", graph, f"deleting graph {graph}")

    def bulk_load(self, quads: Iterable[ox.Quad]) -> None:
        """Load a batch in requests of :data:`BULK_CHUNK` quads, or as one file through
        Virtuoso's loader when :attr:`loader` is set; a failure takes back new graphs.

        :raises BackendWriteError: the server failed or went away; ``taken_back`` says whether
            every graph the batch wrote to was new and is removed again.
        :raises OncoclaimsError: the iterable raised it (bad input); the batch is taken back.
        :raises ConfigError: the loader's ``isql`` is missing or its account refused
            (nothing was written).
        """
        if self.loader is not None:
            self._load_by_loader(self.loader, quads)
            return
        existing: set[ox.NamedNode] = set()  # graphs that held data before the batch
        touched: set[ox.NamedNode] = set()
        iterator = iter(quads)
        sent = written = False
        try:
            while chunk := list(islice(iterator, BULK_CHUNK)):
                new = {
                    q.graph_name for q in chunk if isinstance(q.graph_name, ox.NamedNode)
                } - touched
                existing |= self._present(sorted(new, key=lambda g: g.value))
                touched |= new
                sent = True
                self._load_chunk(chunk)
                written = True
        except BaseException as exc:
            if not sent or (isinstance(exc, BackendAuthError) and not written):
                raise  # nothing was sent, or the first write was refused: nothing written
            self._fail_batch(exc, touched, existing)
            raise

    def _load_by_loader(self, loader: VirtuosoLoader, quads: Iterable[ox.Quad]) -> None:
        """The whole batch as one file through Virtuoso's loader (bad input stops the
        writing of the file, before the server sees any of it)."""
        with loader.staged(quads) as (path, touched):
            existing = self._present(sorted(touched, key=lambda g: g.value))
            try:
                loader.load_file(path)
            except BaseException as exc:
                if isinstance(exc, OncoclaimsError) and not isinstance(exc, StoreError):
                    raise  # isql missing or its login refused: nothing was loaded
                self._settle(touched - existing)
                self._fail_batch(exc, touched, existing)
                raise

    def _settle(self, created: set[ox.NamedNode]) -> None:
        """Wait until what a failed load of Virtuoso's loader wrote is visible, deleting
        the batch's new graphs as they appear: the quads read before a syntax error show in
        queries up to a second after the loader has reported the error, and a Graph Store
        DELETE before that finds nothing (docs/deployment.md, "Bulk loads into Virtuoso")."""
        graphs = sorted(created, key=lambda g: g.value)
        quiet = 0
        deadline = time.monotonic() + LOADER_SETTLE
        while quiet < 2 and time.monotonic() < deadline:
            time.sleep(0.5)
            present = self._present(graphs)
            quiet = 0 if present else quiet + 1
            self._take_back(present)

    def _fail_batch(
        self, exc: BaseException, touched: set[ox.NamedNode], existing: set[ox.NamedNode]
    ) -> None:
        """Take back the graphs a failed batch created; raise what the caller must hear
        (returns only when ``exc`` is bad input and nothing of it is left)."""
        created = touched - existing
        kept = touched & existing
        removed = self._take_back(created)
        names = tuple(sorted(g.value for g in touched))
        if (
            removed
            and not kept
            and isinstance(exc, OncoclaimsError)
            and not isinstance(exc, StoreError)
        ):
            return  # bad input, nothing of it left on the server: the caller re-raises it
        whole = removed and not kept
        detail = (
            "nothing of it is left on the server"
            if whole
            else "the server may hold part of it in "
            + ", ".join(names)
            + "; load the batch again (stable IRIs make that safe) or delete those graphs"
        )
        raise BackendWriteError(
            f"the batch was not written ({exc}); {detail}", taken_back=whole, graphs=names
        ) from exc

    def _load_chunk(self, chunk: list[ox.Quad]) -> None:
        if self.endpoints.server == "oxigraph" and self.endpoints.store_url:
            body = ox.serialize(chunk, format=ox.RdfFormat.N_QUADS)
            self._post(
                self.endpoints.store_url,
                "bulk load",
                timeout=self.write_timeout,
                params={"no_transaction": ""},
                content=body,
                headers={"Content-Type": _NQUADS + "; charset=utf-8"},
            )
            return
        by_graph: dict[GraphName, list[ox.Triple]] = defaultdict(list)
        for quad in chunk:
            by_graph[quad.graph_name].append(quad.triple)
        for graph, triples in by_graph.items():
            self._gsp("POST", graph, f"bulk load into graph {graph}", _ntriples(triples))

    def _present(self, graphs: list[ox.NamedNode]) -> set[ox.NamedNode]:
        """Which of ``graphs`` hold data now (one query per thousand graphs)."""
        text = queries.load_query("backend_graphs_present").text
        found: set[ox.NamedNode] = set()
        for start in range(0, len(graphs), 1000):
            rows = self._select_text(
                bind_rows(text, "g", list(graphs[start : start + 1000])), False
            )
            found.update(row[0] for row in rows.rows if isinstance(row[0], ox.NamedNode))
        return found

    def _take_back(self, graphs: set[ox.NamedNode]) -> bool:
        """Delete ``graphs``; whether every one is gone."""
        for graph in graphs:
            try:
                self.graph_delete(graph)
            except OncoclaimsError as exc:
                if "HTTP 404" not in str(exc):
                    return False
        return True

    def remove_quads(self, quads: Iterable[ox.Quad]) -> None:
        """Remove these quads: one update per :data:`REMOVE_CHUNK` of them (``VALUES`` rows).

        :raises QueryParameterError: a quad with a blank node (its label means nothing on
            the server; docs/deployment.md).
        """
        named: list[tuple[ox.NamedNode | ox.Literal, ...]] = []
        default: list[tuple[ox.NamedNode | ox.Literal, ...]] = []
        for quad in quads:
            row = (quad.subject, quad.predicate, quad.object)
            if isinstance(quad.graph_name, ox.DefaultGraph):
                default.append(row)  # type: ignore[arg-type]
            else:
                named.append((*row, quad.graph_name))  # type: ignore[arg-type]
        for name, names, rows in (
            ("backend_remove_quads", ("s", "p", "o", "g"), named),
            ("backend_remove_default_quads", ("s", "p", "o"), default),
        ):
            text = queries.load_update(name)
            for start in range(0, len(rows), REMOVE_CHUNK):
                self.update(bind_table(text, names, rows[start : start + REMOVE_CHUNK]))

    def contains_graph(self, graph: ox.NamedNode) -> bool:
        """Whether the named graph holds a quad."""
        return bool(self._present([graph]))

    def dump(self, out: IO[bytes], rdf_format: ox.RdfFormat) -> None:
        """Write the project's quads (and the default graph's, except on Virtuoso) to ``out``,
        read in pages (:meth:`quads`)."""
        if rdf_format.supports_datasets:
            ox.serialize(self.quads(), out, rdf_format)
        else:
            ox.serialize((q.triple for q in self.quads()), out, rdf_format)

    # -- whole-store views -------------------------------------------------------------------

    def quads(
        self,
        subject: Subject | None = None,
        predicate: ox.NamedNode | None = None,
        obj: Object | None = None,
        graph: GraphName | None = None,
    ) -> Iterator[ox.Quad]:
        """The quads matching a pattern, from the project's graphs (and the default graph,
        except on Virtuoso, whose default graph is the union)."""
        pattern = {k: v for k, v in (("s", subject), ("p", predicate), ("o", obj)) if v is not None}
        if graph is None and self.endpoints.server != "virtuoso":
            # the named graphs and the default graph in one request
            whole = dict(pattern, prefix=ox.Literal(self.graph_prefix))
            rows = self.select(queries.load_query("backend_dataset_quads").text, whole)
            for s, p, o, g, _ in rows.rows:
                yield ox.Quad(s, p, o, g if g is not None else ox.DefaultGraph())  # type: ignore[arg-type]
            return
        if not isinstance(graph, ox.DefaultGraph):
            named = dict(pattern, prefix=ox.Literal(self.graph_prefix))
            if graph is not None:
                named["g"] = graph
            rows = self.select(queries.load_query("backend_quads").text, named)
            for s, p, o, g, _ in rows.rows:
                yield ox.Quad(s, p, o, g)  # type: ignore[arg-type]
        if graph is None and self.endpoints.server == "virtuoso":
            return
        if graph is None or isinstance(graph, ox.DefaultGraph):
            rows = self.select(queries.load_query("backend_default_quads").text, pattern)
            for s, p, o in rows.rows:
                yield ox.Quad(s, p, o, ox.DefaultGraph())  # type: ignore[arg-type]

    def named_graphs(self) -> list[ox.NamedNode]:
        """The named graphs under ``graph_prefix`` that hold a quad, sorted."""
        rows = self.select(
            queries.load_query("backend_named_graphs").text,
            {"prefix": ox.Literal(self.graph_prefix)},
        )
        return [row[0] for row in rows.rows if isinstance(row[0], ox.NamedNode)]

    def count(self, graph: GraphName | None = None) -> int:
        """Quads in one graph, or in the graphs under ``graph_prefix`` plus the default graph
        (not on Virtuoso, whose default graph is the union of the others)."""
        if isinstance(graph, ox.NamedNode):
            return self._count("backend_graph_count", {"graph": graph})
        if isinstance(graph, ox.DefaultGraph):
            return self._count("backend_default_count", {})
        total = self._count("backend_quad_count", {"prefix": ox.Literal(self.graph_prefix)})
        if self.endpoints.server != "virtuoso":
            total += self._count("backend_default_count", {})
        return total

    def _count(self, name: str, params: Params) -> int:
        rows = self.select(queries.load_query(name).text, params)
        return int(rows.rows[0][0].value) if rows.rows else 0  # type: ignore[union-attr]

    def close(self) -> None:
        """Close the HTTP connections."""
        self._client.close()


def _projects(variables: tuple[str, ...], name: str) -> None:
    if name not in variables:
        raise QueryParameterError(
            f"parameter {name}: the query does not project ${name}, so its rows cannot "
            "be told apart by term; add it to the SELECT clause"
        )


def _by_term(
    variables: tuple[str, ...],
    rows: list[tuple[ox.NamedNode | ox.BlankNode | ox.Literal | None, ...]],
    name: str,
    terms: Sequence[Term],
) -> list[Rows]:
    """The rows of a ``VALUES`` block's answer handed back to the term of ``$name`` they
    carry, in the order of ``terms`` (a term's rows in the answer's order)."""
    _projects(variables, name)
    column = variables.index(name)
    found: dict[object, list[tuple[ox.NamedNode | ox.BlankNode | ox.Literal | None, ...]]] = {}
    for row in rows:
        found.setdefault(row[column], []).append(row)
    return [Rows(variables, found.get(term, [])) for term in terms]


def _union_of(prefixes: dict[str, str], branches: list[tuple[str, int]]) -> str:
    """``SELECT * { { { Q0 } BIND(0 AS ?part) } UNION ... }`` with one prologue: the second
    place (after :func:`_paged`) where query text is put together here, around the bound
    named queries, unchanged, with integers of our own."""
    prologue = "".join(f"PREFIX {prefix}: <{iri}>\n" for prefix, iri in prefixes.items())
    parts = "\nUNION\n".join(
        "{ {\n" + body + "\n} BIND(" + str(int(branch)) + " AS ?" + _PART + ") }"
        for body, branch in branches
    )
    return prologue + "SELECT * WHERE {\n" + parts + "\n}"


def _paged(prologue: str, body: str, order: str, offset: int, size: int) -> str:
    """One page of ``body`` in a total order; the sort sits in a sub-select (Virtuoso SR353)."""
    return (
        prologue
        + "SELECT * WHERE { { SELECT * WHERE { {\n"
        + body
        + "\n} } ORDER BY "
        + order
        + " } } OFFSET "
        + str(int(offset))
        + " LIMIT "
        + str(int(size))
    )


def _parse_results(data: bytes) -> ox.QuerySolutions | ox.QueryBoolean:
    """Parse SPARQL JSON results; Virtuoso's blank nodes (``nodeID://b1``) get plain labels.

    JSON, not XML: pyoxigraph 0.5's XML results parser trims the spaces and line breaks at
    the ends of a literal (measured on Virtuoso's indented XML), JSON keeps them.
    """
    try:
        return ox.parse_query_results(
            _VIRTUOSO_BNODE.sub(rb"\1", data), format=ox.QueryResultsFormat.JSON
        )
    except SyntaxError as exc:
        raise StoreError(f"the SPARQL server sent results that do not parse: {exc}") from exc


def _parse_tsv(data: bytes) -> ox.QuerySolutions:
    """Parse SPARQL TSV results (the Oxigraph server's own, for SELECT only)."""
    try:
        answer = ox.parse_query_results(data, format=ox.QueryResultsFormat.TSV)
    except SyntaxError as exc:
        raise StoreError(f"the SPARQL server sent TSV results that do not parse: {exc}") from exc
    if not isinstance(answer, ox.QuerySolutions):
        raise StoreError("the SPARQL server answered a SELECT query with a boolean")
    return answer


def _joined(pages: list[bytes]) -> bytes:
    """One SPARQL JSON answer holding the rows of every page."""
    try:
        first = json.loads(pages[0])
        for page in pages[1:]:
            first["results"]["bindings"].extend(json.loads(page)["results"]["bindings"])
    except (ValueError, KeyError, TypeError) as exc:
        raise StoreError(f"the SPARQL server sent JSON results that do not parse: {exc}") from exc
    return json.dumps(first).encode()


def _count_results(data: bytes) -> int:
    try:
        return len(json.loads(data)["results"]["bindings"])
    except (ValueError, KeyError, TypeError) as exc:
        raise StoreError(f"the SPARQL server sent JSON results that do not parse: {exc}") from exc


def _variables(data: bytes) -> list[str]:
    solutions = _parse_results(data)
    assert isinstance(solutions, ox.QuerySolutions)
    return [v.value for v in solutions.variables]


def _ntriples(triples: Iterable[ox.Triple]) -> bytes:
    return ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b""


def _triples(data: bytes, what: str) -> list[ox.Triple]:
    try:
        return [q.triple for q in ox.parse(data, format=ox.RdfFormat.N_TRIPLES)]
    except SyntaxError as exc:
        raise StoreError(f"{what}: the server sent N-Triples that do not parse: {exc}") from exc
