"""A real uvicorn server in a thread on a free loopback port, for tests over a socket."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import uvicorn
from fastapi import FastAPI

from oncoclaims.api.serving import server_config


@contextmanager
def serving(app: FastAPI, *, start_timeout: float = 20, **options: Any) -> Iterator[str]:
    """Run ``app`` until the block ends; yield its base URL (``http://127.0.0.1:PORT``).
    ``options`` override uvicorn's (``http=`` a protocol class, for instance).

    :raises RuntimeError: when the server has not started within ``start_timeout`` seconds.
    """
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    # As `oncoclaims serve` runs it: httptools on uvloop.
    config = server_config(app, "127.0.0.1", port, log_level="warning")
    for name, value in options.items():
        setattr(config, name, value)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + start_timeout
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("the test server did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@contextmanager
def serving_bytes(body: bytes, content_type: str) -> Iterator[str]:
    """A plain web server on a free loopback port answering every GET with ``body``; yields its base URL."""

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    web = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=web.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{web.server_address[1]}"
    finally:
        web.shutdown()
        web.server_close()


@contextmanager
def listening(timeout: float = 0.1) -> Iterator[socket.socket]:
    """A socket on a free loopback port that a server could be made to connect to."""
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        server.settimeout(timeout)
        yield server


def connected(listener: socket.socket) -> bool:
    """Whether anything connected to ``listener`` (within its timeout)."""
    try:
        connection, _ = listener.accept()
    except TimeoutError:
        return False
    connection.close()
    return True
