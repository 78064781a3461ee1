"""A real server (uvicorn in a thread) on a fresh in-memory store, with updates enabled."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from app_server import serving

from oncoclaims.api import ServerSettings, create_app
from oncoclaims.graph.store import ClaimStore

TOKEN = "w3c-test-token"


@contextmanager
def writable_server(store: ClaimStore | None = None) -> Iterator[tuple[str, ClaimStore]]:
    """Yield the base URL and the store (fresh and empty by default) of a server that
    accepts writes with :data:`TOKEN`."""
    store = store if store is not None else ClaimStore.in_memory()
    with serving(create_app(store, ServerSettings(update_token=TOKEN))) as base:
        yield base, store
