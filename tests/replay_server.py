"""A local HTTP server that replays recorded API answers, so no test touches the network.

Routes map a request path to a queue of ``(status, body, headers)``; each request takes
the next answer from its path's queue (the last one repeats). A route whose key holds a
query string (``/drug/label.json?search=...``) answers only that exact request, before any
route of its path alone. Every request is logged.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

__all__ = ["Answer", "ReplayServer", "replay_server"]

Answer = tuple[int, bytes, dict[str, str]]


@dataclass
class ReplayServer:
    """What the server answers and what it was asked."""

    routes: dict[str, list[Answer]]
    base_url: str = ""
    requests: list[str] = field(default_factory=list)

    def hits(self, path: str) -> int:
        """How many requests asked for ``path`` (query string ignored)."""
        return sum(1 for request in self.requests if request.split("?")[0] == path)


@contextmanager
def replay_server(routes: dict[str, list[Answer]]) -> Iterator[ReplayServer]:
    """Serve ``routes`` on a free loopback port for the length of the ``with`` block."""
    replay = ReplayServer(routes)

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (http.server's name)
            replay.requests.append(self.path)
            queue = replay.routes.get(self.path) or replay.routes.get(self.path.split("?")[0])
            if not queue:
                status, body, headers = 404, b'{"error": "not recorded"}', {}
            else:
                status, body, headers = queue.pop(0) if len(queue) > 1 else queue[0]
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    replay.base_url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield replay
    finally:
        server.shutdown()
        server.server_close()
