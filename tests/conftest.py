"""Shared fixtures: stores, the test data folder, a live server."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn

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
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(create_app(store), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("the test server did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)
