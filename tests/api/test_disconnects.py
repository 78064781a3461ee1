"""A client that goes away in the middle of its request body (issue 18): the server logs one
plain line, not an ERROR with a traceback, and goes on serving."""

from __future__ import annotations

import logging
import socket
import time
from collections.abc import Iterator

import httpx
import pytest
from app_server import serving

from oncoclaims.api import ServerSettings, create_app
from oncoclaims.api.http_limits import LimitedH11Protocol, LimitedHttpToolsProtocol
from oncoclaims.graph.store import ClaimStore

TOKEN = "disconnect-token"


class _Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture
def log() -> Iterator[_Records]:
    """What the server's loggers (uvicorn's and ours) write meanwhile."""
    handler = _Records()
    loggers = [logging.getLogger(name) for name in ("uvicorn", "uvicorn.error", "oncoclaims")]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.addHandler(handler)
        logger.setLevel(logging.DEBUG)
    yield handler
    for logger, level in zip(loggers, levels, strict=True):
        logger.removeHandler(handler)
        logger.setLevel(level)


@pytest.mark.parametrize("protocol", [LimitedHttpToolsProtocol, LimitedH11Protocol], ids=["httptools", "h11"])
@pytest.mark.parametrize(("method", "path", "content_type"), [
    ("POST", "/sparql", "application/sparql-query"),
    ("POST", "/sparql", "application/x-www-form-urlencoded"),
    ("PUT", "/rdf-graphs?graph=https://example.org/g", "text/turtle"),
])
def test_a_client_gone_mid_body_leaves_no_error_in_the_log(log: _Records, protocol: type, method: str,
                                                            path: str, content_type: str) -> None:
    app = create_app(ClaimStore.in_memory(), ServerSettings(update_token=TOKEN))
    with serving(app, http=protocol) as base:
        port = int(base.rsplit(":", 1)[1])
        log.records.clear()
        for _ in range(3):
            with socket.create_connection(("127.0.0.1", port)) as sock:
                sock.sendall(f"{method} {path} HTTP/1.1\r\nHost: t\r\nContent-Type: {content_type}\r\n"
                             f"Authorization: Bearer {TOKEN}\r\nContent-Length: 100000\r\n\r\n".encode()
                             + b"#" * 1000)
                time.sleep(0.1)  # the route is reading the body
        deadline = time.monotonic() + 5
        while sum("disconnected" in r.getMessage() for r in log.records) < 3 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert httpx.get(f"{base}/sparql").status_code == 200, "the server goes on serving"
    errors = [r for r in log.records if r.levelno >= logging.ERROR or r.exc_info]
    assert not errors, [r.getMessage() for r in errors]
    gone = [r for r in log.records if "disconnected" in r.getMessage()]
    assert len(gone) == 3 and all(r.levelno == logging.INFO for r in gone), [r.getMessage() for r in log.records]
    assert method in gone[0].getMessage() and path.split("?")[0] in gone[0].getMessage()
