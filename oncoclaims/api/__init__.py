"""The HTTP service: a landing page, the SPARQL endpoint and the REST API over one store."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import HTMLResponse

from oncoclaims import __version__
from oncoclaims.api.errors import install_error_handlers
from oncoclaims.api.export import create_export_router
from oncoclaims.api.rest import create_rest_router
from oncoclaims.api.settings import ServerSettings, ServerState
from oncoclaims.api.sparql import create_sparql_router
from oncoclaims.graph.store import ClaimStore

__all__ = ["ServerSettings", "create_app"]

_LANDING = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>oncoclaims</title></head>
<body>
<h1>oncoclaims</h1>
<p>A knowledge graph of cancer-therapy claims: for every claim, who said it, in which
source, and whether anyone without a tie to the claimant confirmed it.</p>
<p>SPARQL endpoint: <a href="sparql?query=SELECT%20%3Fclaim%20%3Ftext%20WHERE%20%7BGRAPH%20%3Fg%20%7B%3Fclaim%20a%20%3Chttps%3A%2F%2Fw3id.org%2Foncoclaims%2Fvocab%23Claim%3E%20%3B%20%3Chttps%3A%2F%2Fschema.org%2Ftext%3E%20%3Ftext%7D%7D">/sparql</a>
(SPARQL 1.1 Protocol: GET or POST; JSON, XML, CSV, TSV, Turtle, N-Triples, JSON-LD, RDF/XML).</p>
<p>REST API: <a href="claims">/claims</a>, <a href="therapies">/therapies</a>,
<a href="institutions">/institutions</a>, <a href="sources">/sources</a>,
<a href="metrics">/metrics</a>; documented at <a href="docs">/docs</a>.</p>
<p>GraphML for Gephi, Cytoscape and yEd: <a href="export.graphml">/export.graphml</a>
(<code>?claim=...&amp;depth=2</code> for one claim's neighbourhood).</p>
</body></html>
"""


def create_app(store: ClaimStore, settings: ServerSettings | None = None) -> FastAPI:
    """Build the FastAPI application serving ``store`` (read-only unless ``settings`` say so)."""
    app = FastAPI(title="oncoclaims", version=__version__)
    state = ServerState(settings or ServerSettings())
    app.state.store = store
    app.state.server = state
    if state.settings.cors_origins:
        app.add_middleware(CORSMiddleware, allow_origins=list(state.settings.cors_origins),
                           allow_methods=["GET", "POST"], allow_headers=["*"])

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def landing() -> str:
        return _LANDING

    install_error_handlers(app)
    app.include_router(create_sparql_router(store, state))
    app.include_router(create_rest_router(store, state))
    app.include_router(create_export_router(store))
    return app
