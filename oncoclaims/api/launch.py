"""From serve options to a running HTTP service: the backend, the store over it, the app, and
uvicorn with one or several worker processes.

:func:`app_from_options` is what ``oncoclaims serve`` calls (with the options of the command
line on top of the environment's, :meth:`ServeOptions.from_environment`); :func:`run` serves
it. ``--workers N`` runs N uvicorn worker processes, each building its own app from the same
options (:func:`app_from_environment`, the factory uvicorn imports): that needs a backend on
a SPARQL server, since an embedded store is locked by the one process that opens it.

With several workers every answer names its worker process in an ``X-Oncoclaims-Pid`` header.

``python -m oncoclaims.api.launch --port 8000 --workers 2`` serves from the environment's
``ONCOCLAIMS_*`` variables (docs/deployment.md), for tests and deployments without the CLI.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import uvicorn
from fastapi import FastAPI
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from oncoclaims.api.serving import server_options
from oncoclaims.api.settings import ServerSettings, parse_whole_number
from oncoclaims.backends import Backend, BackendSettings
from oncoclaims.errors import ConfigError
from oncoclaims.graph.store import ClaimStore

__all__ = [
    "OPTIONS_VARIABLE",
    "ServeOptions",
    "WorkerHeader",
    "app_from_environment",
    "app_from_options",
    "check_workers",
    "open_served_store",
    "parse_workers",
    "run",
    "store_over",
]

#: The variable :func:`run` hands the options to uvicorn's worker processes in (JSON).
OPTIONS_VARIABLE = "ONCOCLAIMS_SERVE_OPTIONS"


def parse_workers(text: str | int, source: str = "--workers") -> int:
    """A number of uvicorn worker processes: a whole number from 1 to 64.

    :raises ConfigError: naming ``source`` when ``text`` is not such a number.
    """
    return parse_whole_number(text, source, "a number of workers", 64, 2)


@dataclass(frozen=True, slots=True)
class ServeOptions:
    """Everything ``oncoclaims serve`` needs: the service's settings, where the graph lives,
    and how uvicorn runs."""

    server: ServerSettings = field(default_factory=ServerSettings)
    backend: BackendSettings = field(default_factory=BackendSettings)
    host: str = "127.0.0.1"
    port: int = 8000
    workers: int = 1
    access_log: bool = False

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] | None = None, **overrides: Any) -> ServeOptions:
        """The ``ONCOCLAIMS_*`` variables' settings, with ``overrides`` (command-line options) on top.

        :raises ConfigError: naming the variable whose value cannot be used.
        """
        env = os.environ if environ is None else environ
        return cls(server=ServerSettings.from_environment(env), backend=BackendSettings.from_env(env), **overrides)

    def to_json(self) -> str:
        """The options as JSON, for :data:`OPTIONS_VARIABLE` (credentials included: the workers
        need them; the variable lives only in this process and its children)."""
        return json.dumps(dataclasses.asdict(self), default=str)

    @classmethod
    def from_json(cls, text: str) -> ServeOptions:
        """The options :meth:`to_json` wrote."""
        raw = json.loads(text)
        server = raw["server"]
        server["cors_origins"] = tuple(server["cors_origins"])
        backend = raw["backend"]
        if backend.get("store_path"):
            backend["store_path"] = Path(backend["store_path"])
        return cls(server=ServerSettings(**server), backend=BackendSettings(**backend),
                   **{k: v for k, v in raw.items() if k not in ("server", "backend")})


def check_workers(options: ServeOptions) -> None:
    """Refuse several workers on the embedded store.

    :raises ConfigError: ``workers > 1`` with ``backend.kind == "embedded"``.
    """
    if options.workers > 1 and options.backend.kind == "embedded":
        raise ConfigError(
            f"--workers {options.workers}: the embedded store is locked by the one process that opens it, "
            "so it is served by one worker (queries still run in --query-workers processes). To run several, "
            "keep the graph on a SPARQL server: --backend sparql --query-url ... (docs/deployment.md)")


def open_served_store(settings: BackendSettings, *, prepare: bool = True) -> ClaimStore:
    """The store to serve, opened as every CLI command opens it
    (:func:`oncoclaims.graph.bootstrap.open_store`: the ontology loaded, the reference graph
    in an empty store): the embedded one at ``settings.store_path`` (the default path when
    none), or one over the SPARQL server the settings name.

    :raises ConfigError: unusable settings.
    :raises StoreError: the store cannot be opened or the server cannot be reached.
    """
    from oncoclaims.graph.bootstrap import open_store

    if not prepare and settings.kind != "embedded":
        return ClaimStore.from_settings(settings)
    return open_store(settings=settings)


def store_over(backend: Backend) -> ClaimStore:
    """A store over ``backend`` as it is (nothing loaded into it)."""
    return ClaimStore(backend)


def app_from_options(options: ServeOptions, *, prepared: bool = False) -> FastAPI:
    """The application ``options`` describe, over a store it opens (and closes when it stops).

    ``prepared``: the ontology and reference graph are already in place (a worker process of
    :func:`run`, whose parent prepared the server once before starting them all).

    :raises ConfigError: unusable options (several workers on the embedded store, a bad backend).
    :raises StoreError: the embedded store cannot be opened.
    """
    from oncoclaims.api import create_app

    check_workers(options)
    backend = options.backend
    if backend.kind == "sparql":
        # The service's time limit is the HTTP client's too; SERVICE is the service's decision.
        backend = dataclasses.replace(backend, timeout=options.server.query_timeout,
                                      allow_service=options.server.allow_service)
    app = create_app(open_served_store(backend, prepare=not prepared), options.server, close_store=True)
    if options.workers > 1:
        app.add_middleware(WorkerHeader)
    return app


class WorkerHeader:
    """ASGI middleware: every answer names the worker process that made it (``X-Oncoclaims-Pid``),
    when several serve one port (:func:`app_from_options` with ``workers > 1``)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self._header = (b"x-oncoclaims-pid", str(os.getpid()).encode())

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def named(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), self._header]
            await send(message)

        await self.app(scope, receive, named)


def app_from_environment() -> FastAPI:
    """The app of the options in :data:`OPTIONS_VARIABLE`, else of the ``ONCOCLAIMS_*`` variables
    (the factory each uvicorn worker process calls)."""
    text = os.environ.get(OPTIONS_VARIABLE)
    if text:
        return app_from_options(ServeOptions.from_json(text), prepared=True)
    return app_from_options(ServeOptions.from_environment())


def run(options: ServeOptions) -> None:
    """Serve ``options`` until stopped: in this process, or in ``options.workers`` uvicorn
    worker processes sharing the listening socket.

    :raises ConfigError: as :func:`app_from_options`, before anything starts.
    """
    check_workers(options)
    uvicorn_options = server_options(access_log=options.access_log)
    if options.workers == 1:
        uvicorn.run(app_from_options(options), host=options.host, port=options.port, **uvicorn_options)
        return
    open_served_store(options.backend).close()  # the ontology and reference graph, once, before the workers
    os.environ[OPTIONS_VARIABLE] = options.to_json()
    uvicorn.run(f"{__name__}:app_from_environment", factory=True, host=options.host, port=options.port,
                workers=options.workers, **uvicorn_options)


def main(argv: list[str] | None = None) -> None:
    """``python -m oncoclaims.api.launch``: serve from the environment (module docstring)."""
    parser = argparse.ArgumentParser(prog="python -m oncoclaims.api.launch", description=__doc__.split("\n")[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--workers", default="1", help="uvicorn worker processes (a SPARQL server backend only)")
    parser.add_argument("--access-log", action="store_true")
    args = parser.parse_args(argv)
    try:
        options = ServeOptions.from_environment(host=args.host, port=args.port, workers=parse_workers(args.workers),
                                                access_log=args.access_log)
        run(options)
    except ConfigError as exc:
        raise SystemExit(f"oncoclaims: {exc}") from exc


if __name__ == "__main__":
    main()
