"""Choosing a backend from the environment: each variable, and a clear error for a bad one."""

from __future__ import annotations

import httpx
import pytest

from oncoclaims.backends import (
    BackendSettings,
    EmbeddedBackend,
    SparqlBackend,
    open_backend,
)
from oncoclaims.backends.protocol import BearerAuth, make_auth
from oncoclaims.errors import ConfigError


def test_the_default_is_the_embedded_store() -> None:
    assert isinstance(open_backend(BackendSettings.from_env({})), EmbeddedBackend)


def test_the_sparql_backend_from_the_environment() -> None:
    settings = BackendSettings.from_env(
        {
            "ONCOCLAIMS_BACKEND": "sparql",
            "ONCOCLAIMS_QUERY_URL": "http://127.0.0.1:7878/query",
            "ONCOCLAIMS_UPDATE_URL": "http://127.0.0.1:7878/update",
            "ONCOCLAIMS_GSP_URL": "http://127.0.0.1:7878/store",
            "ONCOCLAIMS_SPARQL_SERVER": "oxigraph",
            "ONCOCLAIMS_SPARQL_TIMEOUT": "2.5",
            "ONCOCLAIMS_SPARQL_PAGE_SIZE": "5000",
        }
    )
    backend = open_backend(settings)
    assert isinstance(backend, SparqlBackend)
    assert backend.endpoints.update_url == "http://127.0.0.1:7878/update"
    assert backend.endpoints.store_url == "http://127.0.0.1:7878/store"
    assert (backend.timeout, backend.page_size, backend.allow_service) == (2.5, 5000, False)


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"ONCOCLAIMS_BACKEND": "qlever"}, "backend 'qlever' is unknown"),
        ({"ONCOCLAIMS_BACKEND": "sparql"}, "needs a query URL"),
        (
            {
                "ONCOCLAIMS_BACKEND": "sparql",
                "ONCOCLAIMS_QUERY_URL": "http://h/q",
                "ONCOCLAIMS_SPARQL_SERVER": "fuseki2",
            },
            "server 'fuseki2' is unknown",
        ),
        (
            {"ONCOCLAIMS_SPARQL_TIMEOUT": "soon"},
            r"\$ONCOCLAIMS_SPARQL_TIMEOUT: 'soon' is not a number",
        ),
        ({"ONCOCLAIMS_SPARQL_PAGE_SIZE": "0"}, "must be more than 0"),
        (
            {
                "ONCOCLAIMS_BACKEND": "sparql",
                "ONCOCLAIMS_QUERY_URL": "http://h/q",
                "ONCOCLAIMS_SPARQL_AUTH": "digest",
            },
            "need a user and a password",
        ),
    ],
)
def test_a_bad_setting_is_a_config_error(env: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        open_backend(BackendSettings.from_env(env))


def test_each_kind_of_credentials() -> None:
    made_up = {"user": "u", "password": "p"}
    assert make_auth(None) is None
    assert isinstance(make_auth("basic", **made_up), httpx.BasicAuth)
    assert isinstance(make_auth("digest", **made_up), httpx.DigestAuth)
    assert isinstance(make_auth("bearer", token=made_up["password"]), BearerAuth)
    with pytest.raises(ConfigError, match="unknown credentials kind"):
        make_auth("kerberos")
