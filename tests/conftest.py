"""Shared fixtures: stores, the test data folder, a live server, the SPARQL servers."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from app_server import serving

# tests/stores/backend_servers.py starts the SPARQL servers; the API tests use them too.
sys.path.insert(0, str(Path(__file__).parent / "stores"))
from backend_servers import Server, oxigraph_binary, run_oxigraph, run_virtuoso, virtuoso_binary

from oncoclaims.api import create_app
from oncoclaims.graph.store import ClaimStore
from oncoclaims.ontology import ontology_quads
from oncoclaims.reference import reference_quads

DATA = Path(__file__).parent / "data"


@pytest.fixture
def data_dir() -> Path:
    """The folder of real records copied for the tests (origins in its README)."""
    return DATA


@pytest.fixture
def empty_store() -> ClaimStore:
    """A fresh in-memory store with nothing in it."""
    return ClaimStore.in_memory()


@pytest.fixture
def store() -> ClaimStore:
    """A fresh in-memory store holding the ontology and the bundled Enteromix reference graph."""
    claim_store = ClaimStore.in_memory()
    claim_store.extend(ontology_quads())
    claim_store.extend(reference_quads())
    return claim_store


@pytest.fixture(scope="session")
def live_server() -> Iterator[str]:
    """The base URL of a real server (uvicorn in a thread) on the reference graph."""
    store = ClaimStore.in_memory()
    store.extend(ontology_quads())
    store.extend(reference_quads())
    with serving(create_app(store)) as base:
        yield base


@pytest.fixture(scope="session")
def oxigraph_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A real ``oxigraph serve`` (the binary of the ``oxigraph`` wheel), one per session."""
    if oxigraph_binary() is None:
        pytest.skip("no oxigraph program: pip install 'oncoclaims[test]' (the oxigraph wheel)")
    with run_oxigraph(tmp_path_factory.mktemp("oxigraph")) as server:
        yield server


@pytest.fixture(scope="session")
def virtuoso_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A real Virtuoso (Debian's virtuoso-t) on a fresh database, 10,000-row cap as shipped;
    one per session."""
    if virtuoso_binary() is None:
        pytest.skip("no virtuoso-t program: run `make virtuoso` (Debian virtuoso-opensource-7-bin)")
    with run_virtuoso(tmp_path_factory.mktemp("virtuoso")) as server:
        yield server
