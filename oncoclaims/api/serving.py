"""How the HTTP service runs under uvicorn: one place for ``oncoclaims serve``, the tests'
server and ``bench/http.py``, so that what is measured is what is served.

uvicorn's default pure-Python stack (h11 on asyncio's loop) costs about a fifth of the
throughput of httptools (a C HTTP parser) on uvloop (libuv); both are dependencies of the
package, and :func:`server_config` asks for them by name. Where one is missing (uvloop has no
Windows build) the pure-Python one stands in.

Both parsers run as the subclasses in :mod:`oncoclaims.api.http_limits`, which refuse a request
head (request line and header fields) over 64 KiB or 100 fields with 431 before buffering it.

The access log is off unless asked for: uvicorn formats and writes one line per request in
the event loop, which is the busy part of the server under load.
"""

from __future__ import annotations

import importlib.util
from typing import TYPE_CHECKING, Any

import uvicorn

from oncoclaims.api.http_limits import LimitedH11Protocol, LimitedHttpToolsProtocol

if TYPE_CHECKING:
    import asyncio

    from starlette.types import ASGIApp

__all__ = ["http_implementation", "http_protocol", "loop_implementation", "server_config", "server_options"]


def loop_implementation() -> str:
    """uvicorn's name of the event loop the server runs on: ``uvloop`` when installed."""
    return "uvloop" if importlib.util.find_spec("uvloop") is not None else "asyncio"


def http_implementation() -> str:
    """uvicorn's name of the HTTP/1.1 parser the server uses: ``httptools`` when installed."""
    return "httptools" if importlib.util.find_spec("httptools") is not None else "h11"


def http_protocol() -> type[asyncio.Protocol]:
    """uvicorn's protocol class for :func:`http_implementation`, with the head limits."""
    return LimitedHttpToolsProtocol if http_implementation() == "httptools" else LimitedH11Protocol


def server_options(*, log_level: str = "info", access_log: bool = False) -> dict[str, Any]:
    """uvicorn's options besides the app, host and port for uvicorn.run or uvicorn.Config."""
    return {"loop": loop_implementation(), "http": http_protocol(), "ws": "none",
            "log_level": log_level, "access_log": access_log}


def server_config(app: ASGIApp, host: str, port: int, *, log_level: str = "info",
                  access_log: bool = False) -> uvicorn.Config:
    """uvicorn's configuration for ``app`` on ``host:port``: one process, httptools, uvloop."""
    options = server_options(log_level=log_level, access_log=access_log)
    return uvicorn.Config(app, host=host, port=port, **options)
