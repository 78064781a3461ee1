"""A real server (uvicorn in a thread) on a fresh in-memory store, with updates enabled."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import uvicorn

from oncoclaims.api import ServerSettings, create_app
from oncoclaims.graph.store import ClaimStore

TOKEN = "w3c-test-token"


@contextmanager
def writable_server(store: ClaimStore | None = None) -> Iterator[tuple[str, ClaimStore]]:
    """Yield the base URL and the store (fresh and empty by default) of a server that
    accepts writes with :data:`TOKEN`."""
    store = store if store is not None else ClaimStore.in_memory()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    app = create_app(store, ServerSettings(update_token=TOKEN))
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("the test server did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}", store
    finally:
        server.should_exit = True
        thread.join(timeout=10)
