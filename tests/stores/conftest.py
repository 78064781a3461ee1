"""The three backends under one fixture: embedded, a real Oxigraph server and a real Virtuoso.

Servers start once per session on free loopback ports and are stopped by PID; a backend
whose server program is missing is skipped with the command that installs it.
"""

from __future__ import annotations

from collections.abc import Iterator

import pyoxigraph as ox
import pytest
from backend_servers import (
    Server,
    oxigraph_backend,
    oxigraph_binary,
    run_oxigraph,
    run_virtuoso,
    virtuoso_backend,
    virtuoso_binary,
)

from oncoclaims.backends import Backend, EmbeddedBackend

BACKENDS = ["embedded", "oxigraph", "virtuoso"]


@pytest.fixture(scope="session")
def oxigraph_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A real ``oxigraph serve`` (the binary of the ``oxigraph`` wheel)."""
    if oxigraph_binary() is None:
        pytest.skip("no oxigraph program: pip install 'oncoclaims[test]' (the oxigraph wheel)")
    with run_oxigraph(tmp_path_factory.mktemp("oxigraph")) as server:
        yield server


@pytest.fixture(scope="session")
def virtuoso_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A real Virtuoso (Debian's virtuoso-t) on a fresh database, 10,000-row cap as shipped."""
    if virtuoso_binary() is None:
        pytest.skip("no virtuoso-t program: run `make virtuoso` (Debian virtuoso-opensource-7-bin)")
    with run_virtuoso(tmp_path_factory.mktemp("virtuoso")) as server:
        yield server


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
