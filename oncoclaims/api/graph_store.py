"""``/rdf-graphs``: the SPARQL 1.1 Graph Store HTTP Protocol over the store.

Which graph a request means:

- ``/rdf-graphs?graph=IRI`` (indirect identification): the named graph ``IRI``, which must
  be an absolute IRI. Percent-encoding in the query string is decoded once.
- ``/rdf-graphs/any/path`` (direct identification): the named graph whose IRI is the
  request URL itself (scheme, host and port as the client sent them, no query string).
- ``/rdf-graphs?default``: the store's own default graph, the one unnamed graph of the
  Oxigraph dataset. It is *not* the union of the named graphs that ``/sparql`` queries
  see as their default graph; it is one part of that union (whatever is written here
  shows up in ``/sparql`` queries without ``GRAPH``). oncoclaims itself puts every batch
  in a named graph, so it is normally empty; it always exists, so GET answers 200 and
  DELETE empties it.

Methods:

- GET / HEAD: the graph, negotiated on ``Accept`` as Turtle, N-Triples, JSON-LD or
  RDF/XML (406 otherwise); 404 for a named graph that is not in the store.
- PUT: replace the graph with the body; 201 when the graph is new, 204 when it existed.
- POST: add the body to the graph (RDF merge: blank nodes of the body stay distinct);
  201 when that creates the graph, 204 otherwise. A ``multipart/form-data`` body merges
  every part, each parsed by its own ``Content-Type``. POST to ``/rdf-graphs`` itself
  (neither ``graph`` nor ``default``) creates a new graph under ``/rdf-graphs/`` and
  answers 201 with its IRI in ``Location``.
- DELETE: remove the graph, 204; 404 when it is not in the store.

PUT, POST and DELETE write, so they follow :mod:`oncoclaims.api.write_access`: 403 when
the server has no update token, 401 without the right bearer token, 413 over 1 MiB.
Bodies are Turtle, N-Triples, RDF/XML or JSON-LD (415 for any other ``Content-Type``);
a body is parsed completely before anything is written, so a syntax error answers 400
with its line and column and leaves the store as it was. A body naming graphs of its own
(JSON-LD ``@graph`` with an ``@id``) is refused with 400. Every accepted write bumps
:attr:`ServerState.generation`, so the REST caches refresh.

Writes through ``/rdf-graphs`` run one at a time, and each step is one store transaction.
A PUT over an existing graph is two of them (empty the graph, then add the new triples):
a reader can, for that moment, see the graph empty. pyoxigraph 0.5 offers no transaction
spanning both without building SPARQL Update text, which oncoclaims keeps out of Python.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass

import pyoxigraph as ox
from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import Headers, UploadFile
from starlette.formparsers import MultiPartException, MultiPartParser

from oncoclaims import queries
from oncoclaims.api.backend_access import backend_of
from oncoclaims.api.errors import error_response
from oncoclaims.api.paths import GRAPH_STORE_PATH
from oncoclaims.api.state import ServerState
from oncoclaims.api.sparql import GRAPH_TYPES, negotiate
from oncoclaims.api.write_access import BodyTooLarge, read_limited_body, too_large, write_refusal
from oncoclaims.backends import EmbeddedBackend
from oncoclaims.errors import NotFoundError, ParseError
from oncoclaims.graph.store import ClaimStore, parse_rdf

__all__ = ["BODY_TYPES", "GRAPH_STORE_PATH", "create_graph_store_router"]

#: Request body types and how they are parsed (``text/plain`` is read as N-Triples).
BODY_TYPES: dict[str, ox.RdfFormat] = {**GRAPH_TYPES, "application/x-turtle": ox.RdfFormat.TURTLE}


_Term = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple


@dataclass(frozen=True, slots=True)
class _Target:
    """The graph a request addresses and the base IRI for relative IRIs in its body."""

    graph: ox.NamedNode | ox.DefaultGraph
    base_iri: str

    @property
    def label(self) -> str:
        return "the default graph" if isinstance(self.graph, ox.DefaultGraph) else f"graph <{self.graph.value}>"


class _BadRequest(Exception):
    """A request the Graph Store cannot serve; carries the error answer."""

    def __init__(self, response: JSONResponse) -> None:
        self.response = response


def _service_url(request: Request) -> str:
    return str(request.base_url).rstrip("/") + GRAPH_STORE_PATH


def _target(request: Request, path: str) -> _Target | None:
    """The graph ``request`` names, or ``None`` for the service itself (POST creates a graph).

    :raises _BadRequest: when it names none, two, or not an absolute IRI.
    """
    params = request.query_params
    graphs = params.getlist("graph")
    default = "default" in params
    if path:
        if graphs or default:
            raise _BadRequest(error_response(400, "Ambiguous graph",
                                             "a graph URL under the service takes neither ?graph nor ?default"))
        # The path as the client sent it, percent-encoding kept (Starlette's URL decodes it).
        raw_path = request.scope.get("raw_path") or request.url.path.encode()
        iri = f"{request.url.scheme}://{request.url.netloc}{raw_path.decode('latin-1')}"
        try:
            return _Target(ox.NamedNode(iri), iri)
        except ValueError as exc:
            raise _BadRequest(error_response(400, "Invalid graph URL", f"{iri} is not an IRI: {exc}")) from exc
    if len(graphs) > 1 or (graphs and default):
        raise _BadRequest(error_response(400, "Ambiguous graph", "name exactly one graph: ?graph=IRI or ?default"))
    if default:
        return _Target(ox.DefaultGraph(), _service_url(request))
    if not graphs:
        return None
    try:
        node = ox.NamedNode(graphs[0])
    except ValueError as exc:
        raise _BadRequest(error_response(400, "Invalid graph IRI",
                                         f"?graph must be an absolute IRI: {exc}")) from exc
    return _Target(node, node.value)


def _no_default_graph(store: ClaimStore, target: _Target | None) -> JSONResponse | None:
    """501 for ``?default`` on a server whose default graph is the union of the others (Virtuoso):
    it has no graph of its own to read or write, and Virtuoso answers such requests with errors."""
    if target is None or not isinstance(target.graph, ox.DefaultGraph):
        return None
    endpoints = getattr(backend_of(store), "endpoints", None)
    if getattr(endpoints, "server", None) != "virtuoso":
        return None
    return error_response(501, "No default graph of its own",
                          "this server keeps its graph on Virtuoso, whose default graph is the union of all the "
                          f"named graphs: name a graph instead, {GRAPH_STORE_PATH}?graph=IRI (docs/deployment.md)")


def _no_graph() -> JSONResponse:
    return error_response(400, "No graph named",
                          f"name a graph: {GRAPH_STORE_PATH}?graph=IRI or {GRAPH_STORE_PATH}?default")


def _exists(store: ClaimStore, target: _Target) -> bool:
    if isinstance(target.graph, ox.DefaultGraph):
        return True
    backend = backend_of(store)
    if isinstance(backend, EmbeddedBackend):
        return backend.inner.contains_named_graph(target.graph)
    # A SPARQL server's named graph exists while it holds a triple (Virtuoso keeps no empty ones).
    return bool(backend.select(queries.load_query("backend_graphs_present").text, {"g": target.graph}).rows)


def _media_type(content_type: str) -> tuple[str, str | None]:
    fields = [f.strip() for f in content_type.split(";")]
    charset = None
    for parameter in fields[1:]:
        name, _, value = parameter.partition("=")
        if name.strip().lower() == "charset":
            charset = value.strip().strip('"').lower()
    return fields[0].lower(), charset


def _parse_triples(data: bytes, content_type: str, target: _Target, origin: str) -> list[ox.Quad]:
    """Parse one body (or multipart part) fully into quads in ``target``'s graph.

    :raises _BadRequest: 415 for a type we do not read, 400 for a syntax error (with line
        and column) or a body that names graphs of its own.
    """
    media, charset = _media_type(content_type)
    fmt = BODY_TYPES.get(media)
    if fmt is None:
        raise _BadRequest(error_response(
            415, "Unsupported media type",
            f"{media or '(no content type)'}: send {', '.join(t for t in BODY_TYPES if t != 'text/plain')}"))
    if charset not in (None, "utf-8", "utf8"):
        raise _BadRequest(error_response(415, "Unsupported charset", f"{charset}: send the body as UTF-8"))
    try:
        quads = parse_rdf(data, fmt, origin, None, target.base_iri)
    except ParseError as exc:
        raise _BadRequest(error_response(400, "Malformed RDF", str(exc))) from exc
    named = next((q.graph_name for q in quads if not isinstance(q.graph_name, ox.DefaultGraph)), None)
    if named is not None:
        raise _BadRequest(error_response(
            400, "Body names a graph",
            f"{origin} puts triples in {named}; send the triples only, the URL names the graph"))
    fresh: dict[ox.BlankNode, ox.BlankNode] = {}

    def renamed(term: _Term) -> _Term:
        # The parser keeps labels like _:b1; RDF merge wants them distinct from any already stored.
        if isinstance(term, ox.BlankNode):
            return fresh.setdefault(term, ox.BlankNode())
        if isinstance(term, ox.Triple):
            return ox.Triple(renamed(term.subject), term.predicate, renamed(term.object))
        return term

    return [ox.Quad(renamed(q.subject), q.predicate, renamed(q.object), target.graph) for q in quads]


async def _single(data: bytes) -> AsyncIterator[bytes]:
    yield data


async def _parse_body(request: Request, target: _Target) -> list[ox.Quad]:
    """Every triple of the request body, in ``target``'s graph; nothing is written yet."""
    try:
        body = await read_limited_body(request)
    except BodyTooLarge as exc:
        raise _BadRequest(too_large()) from exc
    content_type = request.headers.get("content-type", "")
    if _media_type(content_type)[0] != "multipart/form-data":
        return await run_in_threadpool(_parse_triples, body, content_type, target, "request body")
    parser = MultiPartParser(Headers(raw=[(b"content-type", content_type.encode("latin-1"))]), _single(body))
    try:
        form = await parser.parse()
    except MultiPartException as exc:
        raise _BadRequest(error_response(400, "Malformed multipart body", exc.message)) from exc
    quads: list[ox.Quad] = []
    for name, part in form.multi_items():
        if not isinstance(part, UploadFile):
            raise _BadRequest(error_response(
                400, "Multipart part without a type",
                f"part {name!r} is a plain field; send each part as a file with its Content-Type"))
        data = await part.read()
        quads.extend(await run_in_threadpool(_parse_triples, data, part.content_type or "",
                                             target, f"part {part.filename or name}"))
    return quads


def _replace(store: ClaimStore, target: _Target, quads: list[ox.Quad]) -> bool:
    """Make the graph hold exactly ``quads``; return whether it existed before."""
    existed = _exists(store, target)
    backend = backend_of(store)
    if not isinstance(backend, EmbeddedBackend):  # one Graph Store PUT: the server's transaction
        backend.graph_put(target.graph, [q.triple for q in quads])
        return existed
    if existed:
        store.inner.clear_graph(target.graph)
    elif isinstance(target.graph, ox.NamedNode):
        store.inner.add_graph(target.graph)
    store.inner.extend(quads)
    return existed


def _merge(store: ClaimStore, target: _Target, quads: list[ox.Quad]) -> bool:
    """Add ``quads`` to the graph (creating it); return whether it existed before."""
    existed = _exists(store, target)
    backend = backend_of(store)
    if not isinstance(backend, EmbeddedBackend):  # one Graph Store POST
        backend.graph_post(target.graph, [q.triple for q in quads])
        return existed
    if not existed and isinstance(target.graph, ox.NamedNode):
        store.inner.add_graph(target.graph)
    store.inner.extend(quads)
    return existed


def _dump(store: ClaimStore, target: _Target, media: str) -> bytes:
    """The graph serialised as ``media`` (one of :data:`GRAPH_TYPES`)."""
    backend = backend_of(store)
    if isinstance(backend, EmbeddedBackend):
        return backend.inner.dump(format=GRAPH_TYPES[media], from_graph=target.graph) or b""
    return ox.serialize(backend.graph_get(target.graph), format=GRAPH_TYPES[media]) or b""


def _remove(store: ClaimStore, target: _Target) -> None:
    backend = backend_of(store)
    if isinstance(backend, EmbeddedBackend):
        backend.inner.remove_graph(target.graph)
    else:
        backend.graph_delete(target.graph)


def create_graph_store_router(store: ClaimStore, state: ServerState | None = None) -> APIRouter:
    """Return the router serving the Graph Store HTTP Protocol at :data:`GRAPH_STORE_PATH`."""
    router = APIRouter(tags=["Graph Store"])
    state = state or ServerState()
    writing = state.write_lock  # the server's single writer (stories and updates hold it too)

    def read(request: Request, path: str) -> Response:
        try:
            target = _target(request, path)
        except _BadRequest as bad:
            return bad.response
        if target is None:
            return _no_graph()
        if (refusal := _no_default_graph(store, target)) is not None:
            return refusal
        if not _exists(store, target):
            return error_response(404, "Not found", f"{target.label} is not in the store")
        media = negotiate(request.headers.get("accept"), list(GRAPH_TYPES))
        if media is None:
            return error_response(406, "Not acceptable", f"a graph is available as {', '.join(GRAPH_TYPES)}")
        try:
            body = _dump(store, target, media)
        except NotFoundError:  # deleted meanwhile, or on the server an empty graph
            return error_response(404, "Not found", f"{target.label} is not in the store")
        return Response(body, media_type=media)

    async def write(request: Request, path: str) -> Response:
        refusal = write_refusal(state, request)
        if refusal is not None:
            return refusal
        try:
            target = _target(request, path)
            if (refusal := _no_default_graph(store, target)) is not None:
                return refusal
            if request.method == "DELETE":
                return await run_in_threadpool(delete, target)
            if target is None:
                if request.method != "POST":
                    return _no_graph()
                iri = f"{_service_url(request)}/{uuid.uuid4().hex}"
                target = _Target(ox.NamedNode(iri), iri)
            quads = await _parse_body(request, target)
        except _BadRequest as bad:
            return bad.response
        existed = await run_in_threadpool(change, _replace if request.method == "PUT" else _merge, target, quads)
        if existed:
            return Response(status_code=204)
        headers = {"Location": target.graph.value} if isinstance(target.graph, ox.NamedNode) else {}
        return Response(status_code=201, headers=headers)

    def change(step: Callable[[ClaimStore, _Target, list[ox.Quad]], bool], target: _Target,
               quads: list[ox.Quad]) -> bool:
        with writing:  # one Graph Store write at a time, so two PUTs cannot interleave
            existed = step(store, target, quads)
            state.generation += 1
        return existed

    def delete(target: _Target | None) -> Response:
        if target is None:
            return _no_graph()
        with writing:
            if not _exists(store, target):
                return error_response(404, "Not found", f"{target.label} is not in the store")
            try:
                _remove(store, target)
            except NotFoundError:
                return error_response(404, "Not found", f"{target.label} is not in the store")
            finally:
                state.generation += 1
        return Response(status_code=204)

    @router.api_route(GRAPH_STORE_PATH, methods=["GET", "HEAD"], include_in_schema=False)
    def graph_store_read(request: Request) -> Response:
        return read(request, "")

    @router.api_route(GRAPH_STORE_PATH + "/{path:path}", methods=["GET", "HEAD"], include_in_schema=False)
    def graph_read(request: Request, path: str) -> Response:
        return read(request, path)

    @router.api_route(GRAPH_STORE_PATH, methods=["PUT", "POST", "DELETE"], include_in_schema=False)
    async def graph_store_write(request: Request) -> Response:
        return await write(request, "")

    @router.api_route(GRAPH_STORE_PATH + "/{path:path}", methods=["PUT", "POST", "DELETE"],
                      include_in_schema=False)
    async def graph_write(request: Request, path: str) -> Response:
        return await write(request, path)

    return router
