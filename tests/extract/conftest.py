"""Fixtures for extraction tests: the sample articles and a store with the seed ingested."""

from __future__ import annotations

from pathlib import Path

import pytest

from oncoclaims.graph.store import ClaimStore
from oncoclaims.ingest import IngestReport, ingest
from oncoclaims.reference import reference_quads

NEWS = Path(__file__).parents[1] / "data" / "news"
GOLD = Path(__file__).parents[1] / "data" / "gold"
SEED = NEWS / "enteromix-article.txt"
ARTICLES = sorted(NEWS.iterdir())


@pytest.fixture
def reference_store() -> ClaimStore:
    """An in-memory store holding the bundled reference graph (Enteromix is a known therapy)."""
    store = ClaimStore.in_memory()
    store.extend(reference_quads())
    return store


@pytest.fixture
def seed_store(reference_store: ClaimStore) -> tuple[ClaimStore, IngestReport]:
    """The reference store after ingesting the seed article as news text."""
    report = ingest(SEED, reference_store)
    return reference_store, report
