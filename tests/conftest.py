"""Shared fixtures: stores, the test data folder, a live server."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from app_server import serving

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
