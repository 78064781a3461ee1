"""Which backend to open, from command-line options or the environment.

The variables, so that scripts and deployments switch without code:

* ``ONCOCLAIMS_BACKEND``: ``embedded`` (default) or ``sparql``;
* ``ONCOCLAIMS_QUERY_URL``, ``ONCOCLAIMS_UPDATE_URL``, ``ONCOCLAIMS_GSP_URL``, and
  ``ONCOCLAIMS_SPARQL_SERVER`` (``oxigraph``, ``virtuoso`` or ``generic``);
* ``ONCOCLAIMS_SPARQL_AUTH`` (``none``, ``basic``, ``digest``, ``bearer``) with
  ``ONCOCLAIMS_SPARQL_USER`` and ``ONCOCLAIMS_SPARQL_PASSWORD`` or ``ONCOCLAIMS_SPARQL_TOKEN``;
* ``ONCOCLAIMS_SPARQL_TIMEOUT`` (seconds) and ``ONCOCLAIMS_SPARQL_PAGE_SIZE`` (a server's row cap);
* Virtuoso's bulk loader for bulk loads (docs/deployment.md, "Bulk loads into Virtuoso"):
  ``ONCOCLAIMS_VIRTUOSO_SQL`` (``host:port`` of its SQL port) and
  ``ONCOCLAIMS_VIRTUOSO_LOAD_DIR`` (a folder oncoclaims writes and the server may read, in
  its ``DirsAllowed``), optionally ``ONCOCLAIMS_VIRTUOSO_SERVER_DIR`` (that folder as the
  server sees it) and ``ONCOCLAIMS_VIRTUOSO_ISQL`` (the program, ``isql-vt`` by default);
  the account is ``ONCOCLAIMS_SPARQL_USER`` / ``ONCOCLAIMS_SPARQL_PASSWORD``.

The CLI's ``--backend``, ``--query-url``, ``--update-url`` and ``--gsp-url`` options fill
the same fields (TODO(lead): add them to every command; :meth:`BackendSettings.from_env`
then :func:`dataclasses.replace` with the options given).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import cast

import pyoxigraph as ox

from oncoclaims.backends.base import Backend
from oncoclaims.backends.embedded import EmbeddedBackend
from oncoclaims.backends.protocol import make_auth
from oncoclaims.backends.sparql import ServerKind, SparqlBackend, SparqlEndpoints
from oncoclaims.backends.virtuoso_loader import VirtuosoLoader
from oncoclaims.errors import ConfigError, StoreError

__all__ = ["BackendSettings", "open_backend"]

_SERVERS = ("oxigraph", "virtuoso", "generic")


@dataclass(frozen=True, slots=True)
class BackendSettings:
    """Everything needed to open a backend."""

    kind: str = "embedded"
    store_path: Path | None = None
    query_url: str | None = None
    update_url: str | None = None
    gsp_url: str | None = None
    server: str = "generic"
    auth: str | None = None
    user: str | None = None
    password: str | None = None
    token: str | None = None
    timeout: float = 30.0
    page_size: int | None = None
    allow_service: bool = False
    #: Virtuoso's SQL ``host:port`` and the folder for its bulk loader (both, or neither).
    virtuoso_sql: str | None = None
    virtuoso_load_dir: Path | None = None
    virtuoso_server_dir: str | None = None
    virtuoso_isql: str = "isql-vt"

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> BackendSettings:
        """Read the ``ONCOCLAIMS_*`` variables (module docstring).

        :raises ConfigError: a variable whose value cannot be used, named with its value.
        """
        env = os.environ if env is None else env

        def number(name: str, kind: type[int] | type[float]) -> float | int | None:
            raw = env.get(name, "").strip()
            if not raw:
                return None
            try:
                value = kind(raw)
            except ValueError:
                raise ConfigError(f"${name}: {raw!r} is not a number") from None
            if value <= 0:
                raise ConfigError(f"${name}: {raw!r} must be more than 0")
            return value

        timeout = number("ONCOCLAIMS_SPARQL_TIMEOUT", float)
        page_size = number("ONCOCLAIMS_SPARQL_PAGE_SIZE", int)
        store = env.get("ONCOCLAIMS_STORE")
        load_dir = env.get("ONCOCLAIMS_VIRTUOSO_LOAD_DIR")
        return cls(
            kind=env.get("ONCOCLAIMS_BACKEND", "embedded").strip().lower() or "embedded",
            store_path=Path(store).expanduser() if store else None,
            query_url=env.get("ONCOCLAIMS_QUERY_URL") or None,
            update_url=env.get("ONCOCLAIMS_UPDATE_URL") or None,
            gsp_url=env.get("ONCOCLAIMS_GSP_URL") or None,
            server=env.get("ONCOCLAIMS_SPARQL_SERVER", "generic").strip().lower() or "generic",
            auth=env.get("ONCOCLAIMS_SPARQL_AUTH") or None,
            user=env.get("ONCOCLAIMS_SPARQL_USER"),
            password=env.get("ONCOCLAIMS_SPARQL_PASSWORD"),
            token=env.get("ONCOCLAIMS_SPARQL_TOKEN"),
            timeout=float(timeout) if timeout is not None else 30.0,
            page_size=int(page_size) if page_size is not None else None,
            virtuoso_sql=env.get("ONCOCLAIMS_VIRTUOSO_SQL") or None,
            virtuoso_load_dir=Path(load_dir).expanduser() if load_dir else None,
            virtuoso_server_dir=env.get("ONCOCLAIMS_VIRTUOSO_SERVER_DIR") or None,
            virtuoso_isql=env.get("ONCOCLAIMS_VIRTUOSO_ISQL") or "isql-vt",
        )


def open_backend(settings: BackendSettings) -> Backend:
    """Open the backend ``settings`` describe.

    :raises ConfigError: an unknown kind or server, or ``sparql`` without a query URL.
    :raises StoreError: the embedded store cannot be opened.
    """
    if settings.kind == "embedded":
        if settings.store_path is None:
            return EmbeddedBackend(ox.Store(), allow_service=True)
        try:
            settings.store_path.mkdir(parents=True, exist_ok=True)
            return EmbeddedBackend(ox.Store(str(settings.store_path)))
        except OSError as exc:
            raise StoreError(f"cannot open the store at {settings.store_path}: {exc}") from exc
    if settings.kind != "sparql":
        raise ConfigError(
            f"backend {settings.kind!r} is unknown; use embedded or sparql ($ONCOCLAIMS_BACKEND)"
        )
    if not settings.query_url:
        raise ConfigError(
            "the sparql backend needs a query URL (--query-url, $ONCOCLAIMS_QUERY_URL)"
        )
    if settings.server not in _SERVERS:
        raise ConfigError(
            f"server {settings.server!r} is unknown; use one of {', '.join(_SERVERS)} "
            "($ONCOCLAIMS_SPARQL_SERVER)"
        )
    server = cast(ServerKind, settings.server)
    endpoints = SparqlEndpoints(
        settings.query_url,
        settings.update_url,
        settings.gsp_url,
        server,
        settings.gsp_url if server == "oxigraph" else None,
    )
    auth = make_auth(
        settings.auth, user=settings.user, password=settings.password, token=settings.token
    )
    return SparqlBackend(
        endpoints,
        auth=auth,
        timeout=settings.timeout,
        page_size=settings.page_size,
        allow_service=settings.allow_service,
        loader=_loader(settings),
    )


def _loader(settings: BackendSettings) -> VirtuosoLoader | None:
    """Virtuoso's bulk loader if the settings ask for it.

    :raises ConfigError: half of it given, another server, no account, or no such folder.
    """
    if settings.virtuoso_sql is None and settings.virtuoso_load_dir is None:
        return None
    if settings.virtuoso_sql is None or settings.virtuoso_load_dir is None:
        raise ConfigError(
            "Virtuoso's bulk loader needs both its SQL address and a load folder "
            "($ONCOCLAIMS_VIRTUOSO_SQL, $ONCOCLAIMS_VIRTUOSO_LOAD_DIR)"
        )
    if settings.server != "virtuoso":
        raise ConfigError(
            f"Virtuoso's bulk loader was configured for a {settings.server!r} server; "
            "set $ONCOCLAIMS_SPARQL_SERVER=virtuoso or leave $ONCOCLAIMS_VIRTUOSO_SQL unset"
        )
    if not settings.user or settings.password is None:
        raise ConfigError(
            "Virtuoso's bulk loader needs an account ($ONCOCLAIMS_SPARQL_USER, "
            "$ONCOCLAIMS_SPARQL_PASSWORD)"
        )
    if not settings.virtuoso_load_dir.is_dir():
        raise ConfigError(
            f"the load folder {settings.virtuoso_load_dir} for Virtuoso's loader is not a "
            "folder ($ONCOCLAIMS_VIRTUOSO_LOAD_DIR)"
        )
    return VirtuosoLoader(
        settings.virtuoso_sql,
        settings.user,
        settings.password,
        settings.virtuoso_load_dir,
        settings.virtuoso_server_dir,
        settings.virtuoso_isql,
    )
