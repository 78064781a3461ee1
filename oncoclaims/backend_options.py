"""The command-line options that choose where the graph lives, shared by every CLI command.

``--backend embedded|sparql``, ``--query-url``, ``--update-url``, ``--gsp-url``,
``--sparql-server`` and the credentials options fill the fields of
:class:`~oncoclaims.backends.settings.BackendSettings`; each defaults to its
``ONCOCLAIMS_*`` environment variable (read by :meth:`BackendSettings.from_env`, the one
definition of those names), so scripts and deployments switch without code.

:func:`with_backend_options` adds the options to a command; the command reads the
settings they give with :func:`chosen_settings`.
"""

from __future__ import annotations

import dataclasses
import functools
import inspect
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar, get_type_hints

import typer

from oncoclaims.backends.settings import BackendSettings

__all__ = ["BACKEND_OPTIONS", "chosen_settings", "settings_from", "with_backend_options"]

F = TypeVar("F", bound=Callable[..., Any])

_PANEL = "Where the graph lives"

#: Option name -> (BackendSettings field, typer option). ``None`` means "not given": the
#: environment (or the default) decides.
BACKEND_OPTIONS: dict[str, tuple[str, Any]] = {
    "backend": ("kind", typer.Option(
        "--backend", metavar="embedded|sparql", show_default=False, rich_help_panel=_PANEL,
        help="embedded (default: the pyoxigraph store of --store) or sparql (a SPARQL 1.1 "
             "server; env ONCOCLAIMS_BACKEND).")),
    "query_url": ("query_url", typer.Option(
        "--query-url", metavar="URL", show_default=False, rich_help_panel=_PANEL,
        help="SPARQL query endpoint (env ONCOCLAIMS_QUERY_URL).")),
    "update_url": ("update_url", typer.Option(
        "--update-url", metavar="URL", show_default=False, rich_help_panel=_PANEL,
        help="SPARQL update endpoint (env ONCOCLAIMS_UPDATE_URL).")),
    "gsp_url": ("gsp_url", typer.Option(
        "--gsp-url", metavar="URL", show_default=False, rich_help_panel=_PANEL,
        help="Graph Store endpoint (env ONCOCLAIMS_GSP_URL).")),
    "sparql_server": ("server", typer.Option(
        "--sparql-server", metavar="oxigraph|virtuoso|generic", show_default=False,
        rich_help_panel=_PANEL,
        help="Which server it is, for its differences (env ONCOCLAIMS_SPARQL_SERVER; "
             "default generic).")),
    "sparql_auth": ("auth", typer.Option(
        "--sparql-auth", metavar="none|basic|digest|bearer", show_default=False,
        rich_help_panel=_PANEL, help="Credentials kind (env ONCOCLAIMS_SPARQL_AUTH).")),
    "sparql_user": ("user", typer.Option(
        "--sparql-user", metavar="NAME", show_default=False, rich_help_panel=_PANEL,
        help="User for basic or digest credentials (env ONCOCLAIMS_SPARQL_USER).")),
    "sparql_password_file": ("password", typer.Option(
        "--sparql-password-file", metavar="FILE", show_default=False, rich_help_panel=_PANEL,
        help="File holding the password (env ONCOCLAIMS_SPARQL_PASSWORD holds it directly; "
             "never on the command line, where other users can read it).")),
    "sparql_token_file": ("token", typer.Option(
        "--sparql-token-file", metavar="FILE", show_default=False, rich_help_panel=_PANEL,
        help="File holding the bearer token (env ONCOCLAIMS_SPARQL_TOKEN holds it directly).")),
    "sparql_timeout": ("timeout", typer.Option(
        "--sparql-timeout", metavar="SECONDS", show_default=False, rich_help_panel=_PANEL,
        help="Time limit of one request to the server (env ONCOCLAIMS_SPARQL_TIMEOUT; "
             "default 30).")),
}

_TYPES: dict[str, Any] = {"sparql_password_file": Path | None, "sparql_token_file": Path | None,
                          "sparql_timeout": float | None}

_chosen: dict[str, Any] = {}


def _secret(path: Path, what: str) -> str:
    from oncoclaims.errors import ConfigError

    try:
        return path.read_text(encoding="utf-8").strip()
    except OSError as exc:
        raise ConfigError(f"{what} {path}: cannot read it: {exc.strerror or exc}") from None


def settings_from(options: dict[str, Any], store: Path | None = None,
                  env: dict[str, str] | None = None) -> BackendSettings:
    """The backend settings: the environment's, replaced by each option given.

    :raises ConfigError: a variable or a secret file that cannot be used.
    """
    settings = BackendSettings.from_env(env)
    changes: dict[str, Any] = {}
    for name, value in options.items():
        if value is None:
            continue
        field = BACKEND_OPTIONS[name][0]
        if name == "sparql_password_file":
            value = _secret(value, "--sparql-password-file")
        elif name == "sparql_token_file":
            value = _secret(value, "--sparql-token-file")
        elif isinstance(value, str) and field in ("kind", "server", "auth"):
            value = value.strip().lower()
        changes[field] = value
    if store is not None:
        changes["store_path"] = store
    return dataclasses.replace(settings, **changes)


def chosen_settings(store: Path | None = None) -> BackendSettings:
    """The settings the running command's backend options (and the environment) give."""
    return settings_from(_chosen, store)


def with_backend_options(command: F) -> F:
    """Give ``command`` the backend options (module docstring), remembered for
    :func:`chosen_settings` when it runs."""
    signature = inspect.signature(command)
    hints = get_type_hints(command, include_extras=True)
    extra = []
    for name, (_, option) in BACKEND_OPTIONS.items():
        annotation = Annotated[_TYPES.get(name, str | None), option]
        hints[name] = annotation
        extra.append(inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=None,
                                       annotation=annotation))
    params = [p.replace(annotation=hints.get(p.name, p.annotation))
              for p in signature.parameters.values()]

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        _chosen.clear()
        _chosen.update({name: kwargs.pop(name, None) for name in BACKEND_OPTIONS})
        return command(*args, **kwargs)

    wrapper.__signature__ = signature.replace(parameters=[*params, *extra])  # type: ignore[attr-defined]
    wrapper.__annotations__ = hints
    del wrapper.__wrapped__  # typer must read the signature above, not the command's own
    return wrapper  # type: ignore[return-value]
