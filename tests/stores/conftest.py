"""The three backends under one fixture: embedded, a real Oxigraph server and a real Virtuoso.

Servers start once per session on free loopback ports and are stopped by PID
(``oxigraph_server`` and ``virtuoso_server`` in tests/conftest.py, shared with the API
tests); a backend whose server program is missing is skipped with the command that installs it.
"""

from __future__ import annotations

from collections.abc import Iterator

import pyoxigraph as ox
import pytest
from backend_servers import oxigraph_backend, virtuoso_backend

from oncoclaims.backends import Backend, EmbeddedBackend

BACKENDS = ["embedded", "oxigraph", "virtuoso"]


def _empty(backend: Backend) -> None:
    for graph in backend.named_graphs():
        backend.graph_delete(graph)


def _open(request: pytest.FixtureRequest) -> Iterator[Backend]:
    if request.param == "embedded":
        yield EmbeddedBackend(ox.Store())
        return
    if request.param == "oxigraph":
        remote = oxigraph_backend(request.getfixturevalue("oxigraph_server"))
    else:
        remote = virtuoso_backend(request.getfixturevalue("virtuoso_server"))
    _empty(remote)
    try:
        yield remote
    finally:
        _empty(remote)
        remote.close()


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> Iterator[Backend]:
    """An empty backend of each kind (the servers' project graphs are removed before and after)."""
    yield from _open(request)


@pytest.fixture(scope="module", params=BACKENDS)
def module_backend(request: pytest.FixtureRequest) -> Iterator[Backend]:
    """An empty backend of each kind, shared by one test module (which must only read)."""
    yield from _open(request)
