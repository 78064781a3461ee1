"""The API served over each backend: the embedded store, a real Oxigraph server and a real
Virtuoso (the session's servers, tests/conftest.py), each behind a real uvicorn on a free
loopback port.

:func:`served` gives a running API and the backend it serves from; :func:`clear` empties
that backend between tests (every graph a test may write, the default graph too, and none of
Virtuoso's own).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import pyoxigraph as ox
import pytest
from app_server import serving
from backend_servers import oxigraph_backend, virtuoso_backend

from oncoclaims.api import ServerSettings, create_app
from oncoclaims.api.backend_access import backend_of
from oncoclaims.api.launch import store_over
from oncoclaims.backends import Backend, EmbeddedBackend
from oncoclaims.graph.store import ClaimStore

__all__ = ["BACKENDS", "Served", "clear", "load", "served"]

BACKENDS = ["embedded", "oxigraph", "virtuoso"]

_ALL_GRAPHS = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"


@dataclass
class Served:
    """A running API (``base``), what it serves from, and the graphs the server had before."""

    base: str
    kind: str
    backend: Backend
    store: object
    baseline: frozenset[str] = field(default_factory=frozenset)


def _graphs(backend: Backend) -> set[str]:
    return {row[0].value for row in backend.select(_ALL_GRAPHS).rows if row[0] is not None}


@contextmanager
def served(kind: str, request: pytest.FixtureRequest,
           settings: ServerSettings | None = None) -> Iterator[Served]:
    """The API over backend ``kind`` (one of :data:`BACKENDS`), emptied before and after."""
    if kind == "embedded":
        store: object = ClaimStore.in_memory()
    elif kind == "oxigraph":
        store = store_over(oxigraph_backend(request.getfixturevalue("oxigraph_server")))
    else:
        store = store_over(virtuoso_backend(request.getfixturevalue("virtuoso_server")))
    backend = backend_of(store)
    # What a fresh Virtuoso holds of its own; everything else is the tests'.
    baseline = frozenset() if kind != "virtuoso" else frozenset(
        g for g in _graphs(backend) if g.startswith(("http://www.openlinksw.com/", "http://www.w3.org/")))
    running = Served("", kind, backend, store, baseline)
    clear(running)
    try:
        with serving(create_app(store, settings or ServerSettings()),  # type: ignore[arg-type]
                     start_timeout=120) as base:
            running.base = base
            yield running
    finally:
        clear(running)
        if kind != "embedded":
            backend.close()


def clear(running: Served) -> None:
    """Remove every graph the tests wrote, and empty the default graph."""
    backend = running.backend
    if isinstance(backend, EmbeddedBackend):
        backend.inner.clear()
        return
    for graph in sorted(_graphs(backend) - running.baseline):
        backend.graph_delete(ox.NamedNode(graph))
    if running.kind != "virtuoso":  # Virtuoso's default graph is the union: nothing of its own
        backend.graph_put(ox.DefaultGraph(), [])


def load(running: Served, quads: Iterable[ox.Quad]) -> None:
    """Write ``quads`` into the backend directly (not through the API)."""
    running.backend.bulk_load(quads)
