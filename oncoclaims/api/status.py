"""``GET /status``: which process answered, what it serves from, and whether that answers.

It never fails for the store's sake: a SPARQL server that is down makes ``reachable``
false (with the reason), the answer is still 200. ``pid`` tells apart the uvicorn workers
of a server started with ``--workers N`` (each answers with its own).
"""

from __future__ import annotations

import os
from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from oncoclaims import __version__, queries
from oncoclaims.api.backend_access import backend_of
from oncoclaims.api.state import ServerState
from oncoclaims.backends import EmbeddedBackend
from oncoclaims.errors import OncoclaimsError

__all__ = ["ServiceStatus", "create_status_router"]


class ServiceStatus(BaseModel):
    """The answer of ``GET /status``."""

    version: str
    #: the process id of the worker that answered
    pid: int
    #: ``embedded`` or ``sparql``
    backend: str
    #: for ``sparql``: the query URL (never credentials)
    query_url: str | None = None
    reachable: bool
    detail: str | None = None
    #: writes through this process since it started
    generation: int


def _probe(store: Any) -> tuple[bool, str | None]:
    try:
        backend_of(store).select(queries.load_query("backend_probe").text)
    except OncoclaimsError as exc:
        return False, str(exc)
    return True, None


def create_status_router(store: Any, state: ServerState) -> APIRouter:
    """The router of ``GET /status``."""
    router = APIRouter()

    @router.get("/status", response_model=ServiceStatus, tags=["service"])
    async def status() -> ServiceStatus:
        """This process, its backend, and whether the backend answers a trivial query now."""
        backend = backend_of(store)
        remote = not isinstance(backend, EmbeddedBackend)
        reachable, detail = await run_in_threadpool(_probe, store) if remote else (True, None)
        endpoints = getattr(backend, "endpoints", None)
        return ServiceStatus(version=__version__, pid=os.getpid(), backend="sparql" if remote else "embedded",
                             query_url=getattr(endpoints, "query_url", None), reachable=reachable,
                             detail=detail, generation=state.generation)

    return router
