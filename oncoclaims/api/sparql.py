"""``/sparql``: the SPARQL 1.1 Protocol over the store.

- Query by GET ``query=``, by POST form-encoded ``query=``, or by POST with an
  ``application/sparql-query`` body; ``default-graph-uri`` and ``named-graph-uri`` choose
  the dataset. Without them the default graph is the union of all named graphs, so that
  ``SELECT * WHERE { ?s ?p ?o }`` sees everything; ``GRAPH ?g`` still names graphs.
- Content negotiation on ``Accept`` (q-values, ``*/*``): SELECT and ASK as SPARQL JSON,
  XML, CSV or TSV; CONSTRUCT and DESCRIBE as Turtle, N-Triples, JSON-LD or RDF/XML.
  406 when nothing acceptable is offered, 415 for a body type the protocol does not
  define, 400 with the parser's message for a malformed query, 413 for a body over
  :data:`MAX_BODY_BYTES`.
- Queries run through :mod:`oncoclaims.api.query_runner` under the server's time limit
  (503 past it: the server is temporarily unable to answer *this* query, as Apache Jena
  Fuseki answers; 503 with ``Retry-After`` when it is refused at once because too many
  queries wait or run long, :mod:`oncoclaims.api.admission`) and result-size limit (500: the request is valid, the refusal is the
  server's own limit; 413 would tell the client that its *request* body was too large,
  which this endpoint already says for exactly that).
- ``GET /sparql`` without a query answers the service description (Turtle).
- SPARQL Update (``application/sparql-update`` body or form ``update=``) is refused with
  403 unless the server was started with an update token, and then needs
  ``Authorization: Bearer TOKEN`` (401 otherwise). An accepted update is one transaction.
  It is first checked in the sandbox process (:mod:`oncoclaims.api.preflight`: parsed, LOAD
  and SERVICE refused unless ``--allow-service``), then run in a thread under the server's
  write lock, so the event loop goes on serving reads while it runs.
- Every query and update is refused with 400 when its brackets nest deeper than
  ``--max-nesting``, or when it uses ``SERVICE`` (``LOAD``) without ``--allow-service``; both are
  decided by :mod:`oncoclaims.query_guard`, from the parse tree, not the text.
  ``using-graph-uri`` / ``using-named-graph-uri`` are refused with 400 (pyoxigraph's update
  takes no dataset; write ``USING`` in the update instead).
- Relative IRIs in queries and updates resolve against the endpoint URL. A request with
  more than one ``query`` or ``update``, or a body in a charset other than UTF-8, is a 400
  (415 for a declared non-UTF-8 charset).
- The service description names the Graph Store HTTP Protocol endpoint
  (:mod:`oncoclaims.api.graph_store`).
"""

from __future__ import annotations

from functools import lru_cache
from urllib.parse import parse_qs

import pyoxigraph as ox
from fastapi import APIRouter, Request, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import URL

from oncoclaims.api.backend_access import backend_of
from oncoclaims.api.errors import error_response
from oncoclaims.api.paths import GRAPH_STORE_PATH
from oncoclaims.api.preflight import PreflightJob
from oncoclaims.query_guard import check_nesting, may_hold_keyword
from oncoclaims.api.query_execution import with_base
from oncoclaims.api.query_runner import BackendRunner, InProcessRunner, QueryJob, QueryRunner
from oncoclaims.api.state import ServerState, query_runner_for, sandbox_for
from oncoclaims.api.write_access import (
    MAX_BODY_BYTES,
    BodyTooLarge,
    read_limited_body,
    too_large,
    write_refusal,
)
from oncoclaims.backends import BackendAuthError, BackendUnavailableError, EmbeddedBackend
from oncoclaims.errors import (
    QueryError,
    QueryRefusedError,
    QuerySyntaxError,
    QueryTimeoutError,
    ResultTooLargeError,
    ServerBusyError,
    StoreError,
)
from oncoclaims.graph.store import ClaimStore

__all__ = ["GRAPH_TYPES", "MAX_BODY_BYTES", "RESULT_TYPES", "create_sparql_router", "negotiate"]

#: Media types for SELECT / ASK results, preferred first.
RESULT_TYPES: dict[str, ox.QueryResultsFormat] = {
    "application/sparql-results+json": ox.QueryResultsFormat.JSON,
    "application/sparql-results+xml": ox.QueryResultsFormat.XML,
    "text/csv": ox.QueryResultsFormat.CSV,
    "text/tab-separated-values": ox.QueryResultsFormat.TSV,
    "application/json": ox.QueryResultsFormat.JSON,
    "application/xml": ox.QueryResultsFormat.XML,
}
#: Media types for CONSTRUCT / DESCRIBE results, preferred first.
GRAPH_TYPES: dict[str, ox.RdfFormat] = {
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "application/ld+json": ox.RdfFormat.JSON_LD,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
    "text/plain": ox.RdfFormat.N_TRIPLES,
}

_SERVICE_DESCRIPTION = """@prefix sd: <http://www.w3.org/ns/sparql-service-description#> .
@prefix formats: <http://www.w3.org/ns/formats/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix dcterms: <http://purl.org/dc/terms/> .

[] a sd:Service ;
    sd:endpoint <{endpoint}> ;
    sd:supportedLanguage {languages} ;
    sd:feature sd:UnionDefaultGraph{federation} ;
    sd:resultFormat formats:SPARQL_Results_JSON, formats:SPARQL_Results_XML,
        formats:SPARQL_Results_CSV, formats:SPARQL_Results_TSV,
        formats:Turtle, formats:N-Triples, formats:JSON-LD, formats:RDF_XML ;
    rdfs:seeAlso <{graph_store}> .

<{graph_store}> rdfs:label "Graph Store HTTP Protocol endpoint" ;
    dcterms:conformsTo <http://www.w3.org/TR/sparql11-http-rdf-update/> .
"""


def _accepted(header: str) -> list[tuple[str, float]]:
    ranges = []
    for index, part in enumerate(header.split(",")):
        fields = [f.strip() for f in part.split(";")]
        media = fields[0].lower()
        if not media:
            continue
        quality = 1.0
        for parameter in fields[1:]:
            if parameter.startswith("q="):
                try:
                    quality = float(parameter[2:])
                except ValueError:
                    quality = 0.0
        ranges.append((media, quality, index))
    return [(m, q) for m, q, _ in sorted(ranges, key=lambda r: (-r[1], r[2]))]


def negotiate(accept: str | None, offered: list[str]) -> str | None:
    """The offered media type the ``Accept`` header prefers most, or ``None`` (406).

    >>> negotiate("text/csv;q=0.5, application/sparql-results+xml", list(RESULT_TYPES))
    'application/sparql-results+xml'
    >>> negotiate("*/*", list(GRAPH_TYPES))
    'text/turtle'
    """
    if not accept or not accept.strip():
        return offered[0]
    scored: list[tuple[float, int, int, str]] = []
    for media, quality in _accepted(accept):
        if quality <= 0:
            continue
        for rank, candidate in enumerate(offered):
            kind = candidate.split("/")[0]
            if media == candidate:
                scored.append((quality, 2, -rank, candidate))
            elif media == f"{kind}/*":
                scored.append((quality, 1, -rank, candidate))
            elif media == "*/*":
                scored.append((quality, 0, -rank, candidate))
    return max(scored)[3] if scored else None


@lru_cache(maxsize=256)
def _negotiated(accept: str | None) -> tuple[str | None, str | None]:
    """The result and graph media types for ``accept`` (clients send the same few headers)."""
    return negotiate(accept, list(RESULT_TYPES)), negotiate(accept, list(GRAPH_TYPES))


#: Texts up to this long have their nesting counted in the event loop (a few microseconds).
_COUNT_IN_LOOP_CHARS = 4096


async def _guard(state: ServerState, kind: str, text: str, base_iri: str | None, *,
                 parse_here: bool) -> None:
    """Refuse ``text`` if it nests too deep or uses SERVICE / LOAD when they are off.

    The nesting is counted here; the parse tree is looked at in the sandbox, which also makes
    pyoxigraph parse the text first when ``parse_here`` (the server itself would parse it next).

    :raises QueryRefusedError: with the reason.
    :raises QuerySyntaxError: when the sandbox's pyoxigraph cannot parse it.
    :raises QueryTimeoutError: when the check ran past the time limit.
    """
    settings = state.settings
    if len(text) <= _COUNT_IN_LOOP_CHARS:
        check_nesting(text, settings.max_nesting, what=kind)
    else:  # about 1 ms per KiB: a long text is counted off the event loop
        await run_in_threadpool(check_nesting, text, settings.max_nesting, what=kind)
    refuse_remote = not settings.allow_service
    if parse_here or (refuse_remote and may_hold_keyword(text, update=kind == "update")):
        job: PreflightJob = (kind, text, base_iri, refuse_remote)
        await run_in_threadpool(sandbox_for(state).check, job, settings.query_timeout)


async def _execute(runner: QueryRunner, state: ServerState, request: Request, query: str | None,
                   defaults: list[str], named: list[str]) -> Response:
    if not query or not query.strip():
        return error_response(400, "Missing query", "send ?query=... or a POST body with the SPARQL query")
    results_media, graph_media = _negotiated(request.headers.get("accept"))
    job = QueryJob(query, tuple(defaults), tuple(named), RESULT_TYPES.get(results_media or ""),
                   GRAPH_TYPES.get(graph_media or ""), base_iri=_endpoint(request))
    client = request.client
    try:
        # an in-memory store's queries run in the server process, and a SPARQL server's parser
        # words its errors its own way: parsed in the sandbox first
        await _guard(state, "query", query, job.base_iri,
                     parse_here=isinstance(runner, (InProcessRunner, BackendRunner)))
        answer = await runner.answer(job, client.host if client else None)
    except QueryRefusedError as exc:
        return error_response(400, exc.title, str(exc))
    except QuerySyntaxError as exc:
        return error_response(400, "Malformed query", str(exc))
    except ServerBusyError as exc:
        busy = error_response(503, "Server busy", str(exc))
        busy.headers["Retry-After"] = str(exc.retry_after)
        return busy
    except QueryTimeoutError as exc:
        return error_response(503, "Query time limit reached", str(exc))
    except ResultTooLargeError as exc:
        return error_response(500, "Result too large", str(exc))
    except QueryError as exc:
        return error_response(400, "Query failed", str(exc))
    except (BackendUnavailableError, BackendAuthError) as exc:
        return _backend_failure(exc)
    except StoreError as exc:
        return error_response(500, "Query not answered", str(exc))
    if answer.is_graph:
        if answer.body is None:
            return error_response(406, "Not acceptable", f"a graph result is available as {', '.join(GRAPH_TYPES)}")
        return Response(answer.body, media_type=graph_media)
    if answer.body is None:
        return error_response(406, "Not acceptable", f"query results are available as {', '.join(RESULT_TYPES)}")
    return Response(answer.body, media_type=results_media)


def _endpoint(request: Request) -> str:
    """The endpoint's URL (the base IRI of queries), from what decides it: scheme, host, path."""
    scope = request.scope
    server = scope.get("server")
    return _endpoint_url(scope["type"], scope.get("scheme", "http"), tuple(server) if server else None,
                         scope.get("root_path", ""), scope["path"], request.headers.get("host"))


@lru_cache(maxsize=256)
def _endpoint_url(kind: str, scheme: str, server: tuple[str, int] | None, root_path: str, path: str,
                  host: str | None) -> str:
    scope = {"type": kind, "scheme": scheme, "server": server, "root_path": root_path, "path": path,
             "query_string": b"", "headers": [(b"host", host.encode("latin-1"))] if host is not None else []}
    return str(URL(scope=scope))


def _backend_failure(exc: BackendUnavailableError | BackendAuthError) -> Response:
    """503 when the SPARQL server behind the store cannot be reached, 502 when it refuses the
    server's credentials (the client can do nothing about either; the message names the URL)."""
    if isinstance(exc, BackendAuthError):
        return error_response(502, "SPARQL server refused the credentials", str(exc))
    return error_response(503, "SPARQL server unavailable", str(exc))


def _apply_update(store: ClaimStore, state: ServerState, update: str, base_iri: str) -> None:
    """Run ``update`` on the store under the write lock (in a thread: it can take long); on a
    SPARQL server as one Update request, relative IRIs resolved against ``base_iri`` there too."""
    backend = backend_of(store)
    with state.write_lock:
        try:
            if isinstance(backend, EmbeddedBackend):
                backend.inner.update(update, base_iri=base_iri)
            else:
                backend.update(with_base(update, base_iri))
        finally:  # a failed request may still have written part of it on some servers
            state.generation += 1


async def _update(store: ClaimStore, state: ServerState, request: Request, update: str,
                  using: list[str]) -> Response:
    refusal = write_refusal(state, request)
    if refusal is not None:
        return refusal
    if using:
        return error_response(400, "Update dataset not supported",
                              f"{', '.join(sorted(set(using)))}: write USING / USING NAMED in the update instead")
    base_iri = _endpoint(request)
    try:
        await _guard(state, "update", update, base_iri, parse_here=True)
    except QueryRefusedError as exc:
        return error_response(400, exc.title, str(exc))
    except QuerySyntaxError as exc:
        return error_response(400, "Malformed update", str(exc))
    except QueryTimeoutError as exc:
        return error_response(503, "Update not checked in time", str(exc))
    # No time limit from here: pyoxigraph cannot stop an update, and an answer of "failed" for
    # an update that then applies would be a lie (docs/query-guard.md).
    try:
        await run_in_threadpool(_apply_update, store, state, update, base_iri)
    except (BackendUnavailableError, BackendAuthError) as exc:  # a StoreError is an OSError: first
        return _backend_failure(exc)
    except QueryTimeoutError as exc:  # no answer in time from a SPARQL server: it may have applied it
        return error_response(504, "Update not confirmed", f"{exc} The update may have been applied; "
                              "check before sending it again.")
    except StoreError as exc:
        return error_response(502, "Update failed on the SPARQL server", str(exc))
    except SyntaxError as exc:
        return error_response(400, "Malformed update", str(exc))
    except (ValueError, OSError) as exc:  # a SPARQL server's 400 too (QuerySyntaxError)
        return error_response(400, "Update failed", str(exc))
    return Response(status_code=204)


def create_sparql_router(store: ClaimStore, state: ServerState | None = None) -> APIRouter:
    """Return the router serving ``/sparql`` over ``store``."""
    router = APIRouter(tags=["SPARQL"])
    state = state or ServerState()
    runner = query_runner_for(store, state)

    # Plain Starlette routes, not FastAPI's: they take the request as it is, so FastAPI's
    # per-request parameter resolution (nothing to resolve here) is not paid on every query.
    @router.route("/sparql", methods=["GET"], include_in_schema=False)
    async def sparql_get(request: Request) -> Response:
        params = request.query_params
        if "update" in params:
            return error_response(405, "Method not allowed", "send updates by POST")
        if len(params.getlist("query")) > 1:
            return error_response(400, "More than one query", "send exactly one query parameter")
        query = params.get("query")
        if query is None:
            # SPARQL Update is announced only where it is on (started with an update token).
            languages = "sd:SPARQL11Query"
            if state.settings.update_token:
                languages += ", sd:SPARQL11Update"
            description = _SERVICE_DESCRIPTION.format(
                endpoint=_endpoint(request), languages=languages,
                federation=", sd:BasicFederatedQuery" if state.settings.allow_service else "",
                graph_store=str(request.base_url).rstrip("/") + GRAPH_STORE_PATH)
            return Response(description, media_type="text/turtle")
        return await _execute(runner, state, request, query, params.getlist("default-graph-uri"),
                              params.getlist("named-graph-uri"))

    @router.route("/sparql", methods=["POST"], include_in_schema=False)
    async def sparql_post(request: Request) -> Response:
        try:
            body = await read_limited_body(request)
        except BodyTooLarge:
            return too_large()
        content_type, _, parameters = request.headers.get("content-type", "").partition(";")
        content_type = content_type.strip().lower()
        charset = parse_qs(parameters.replace(" ", ""), separator=";").get("charset", ["utf-8"])[0].strip('"').lower()
        if charset not in ("utf-8", "utf8"):
            return error_response(415, "Unsupported charset", f"{charset}: send the body as UTF-8")
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError as exc:
            return error_response(400, "Body is not UTF-8", str(exc))
        params = request.query_params
        using = params.getlist("using-graph-uri") + params.getlist("using-named-graph-uri")
        if content_type == "application/sparql-query":
            return await _execute(runner, state, request, text,
                                  params.getlist("default-graph-uri"),
                                  params.getlist("named-graph-uri"))
        if content_type == "application/x-www-form-urlencoded":
            form = parse_qs(text)
            if len(form.get("query", [])) + len(form.get("update", [])) > 1:
                return error_response(400, "More than one operation", "send exactly one query or one update")
            if "update" in form:
                return await _update(store, state, request, form["update"][0],
                               using + form.get("using-graph-uri", []) + form.get("using-named-graph-uri", []))
            return await _execute(runner, state, request, (form.get("query") or [None])[0],
                                  form.get("default-graph-uri", []),
                                  form.get("named-graph-uri", []))
        if content_type == "application/sparql-update":
            return await _update(store, state, request, text, using)
        return error_response(
            415, "Unsupported media type",
            f"{content_type or '(no content type)'}: send application/sparql-query or a form",
        )

    return router
