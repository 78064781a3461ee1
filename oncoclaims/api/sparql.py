"""``/sparql``: run a SPARQL query given by GET ``query=`` or POST (form or sparql-query body).

Results come back as SPARQL JSON (SELECT, ASK) or N-Triples (CONSTRUCT, DESCRIBE).
"""

from __future__ import annotations

from urllib.parse import parse_qs

import pyoxigraph as ox
from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse

from oncoclaims.graph.store import ClaimStore

__all__ = ["create_sparql_router"]


def _error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status)


def _execute(store: ClaimStore, query: str | None) -> Response:
    if not query:
        return _error(400, "missing the query parameter: send ?query=... or a POST body")
    try:
        result = store.inner.query(query)
    except SyntaxError as exc:
        return _error(400, f"malformed query: {exc}")
    if isinstance(result, ox.QueryTriples):
        body = result.serialize(format=ox.RdfFormat.N_TRIPLES)
        return Response(body, media_type="application/n-triples")
    body = result.serialize(format=ox.QueryResultsFormat.JSON)
    return Response(body, media_type="application/sparql-results+json")


def create_sparql_router(store: ClaimStore) -> APIRouter:
    """Return the router serving ``/sparql`` over ``store``."""
    router = APIRouter()

    @router.get("/sparql")
    def sparql_get(query: str | None = None) -> Response:
        return _execute(store, query)

    @router.post("/sparql")
    async def sparql_post(request: Request) -> Response:
        body = await request.body()
        content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if content_type == "application/sparql-query":
            return _execute(store, body.decode("utf-8", errors="replace"))
        if content_type == "application/x-www-form-urlencoded":
            form = parse_qs(body.decode("utf-8", errors="replace"))
            return _execute(store, (form.get("query") or [None])[0])
        return _error(415, f"unsupported content type {content_type or '(none)'}")

    return router
