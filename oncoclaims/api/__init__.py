"""The HTTP service: the web view, the SPARQL endpoint and the REST API over one store."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from starlette.concurrency import run_in_threadpool

from oncoclaims import __version__
from oncoclaims.api.errors import install_error_handlers
from oncoclaims.api.export import create_export_router
from oncoclaims.api.graph_store import create_graph_store_router
from oncoclaims.api.rest import create_rest_router
from oncoclaims.api.settings import ServerSettings
from oncoclaims.api.status import create_status_router
from oncoclaims.api.state import ServerState, close_sandbox, query_runner_for, sandbox_for
from oncoclaims.api.sparql import create_sparql_router
from oncoclaims.api.web import install_web_view
from oncoclaims.discover.names import load_names_dictionary
from oncoclaims.graph.store import ClaimStore

__all__ = ["ServerSettings", "create_app"]


def create_app(store: ClaimStore, settings: ServerSettings | None = None, *,
               close_store: bool = False) -> FastAPI:
    """Build the FastAPI application serving ``store`` (read-only unless ``settings`` say so).

    ``store`` may live on a SPARQL server (``store.backend``, :mod:`oncoclaims.api.backend_access`):
    queries, updates and Graph Store requests then go to that server. ``close_store``: close
    the store when the server stops (an app that opened its own, :mod:`oncoclaims.api.launch`).
    """
    state = ServerState(settings or ServerSettings())

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        # The /sparql query workers start with the server and stop with it.
        runner = query_runner_for(store, state)
        await run_in_threadpool(runner.start)
        if store.path is None or state.settings.update_token:  # the sandbox will be needed at once
            await run_in_threadpool(sandbox_for(state).start)
        if state.settings.update_token:  # stories may come: their candidates need the drug names
            await run_in_threadpool(load_names_dictionary)
        try:
            yield
        finally:
            await run_in_threadpool(runner.close)
            await run_in_threadpool(close_sandbox, state)
            if close_store:
                await run_in_threadpool(store.close)

    app = FastAPI(title="oncoclaims", version=__version__, lifespan=lifespan)
    app.state.store = store
    app.state.server = state
    if state.settings.cors_origins:
        app.add_middleware(CORSMiddleware, allow_origins=list(state.settings.cors_origins),
                           allow_methods=["GET", "HEAD", "POST", "PUT", "DELETE"], allow_headers=["*"])

    install_error_handlers(app)
    app.include_router(create_sparql_router(store, state))
    app.include_router(create_graph_store_router(store, state))
    app.include_router(create_rest_router(store, state))
    app.include_router(create_export_router(store))
    app.include_router(create_status_router(store, state))
    install_web_view(app)
    return app
