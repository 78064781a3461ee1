"""The command line on a SPARQL server, chosen by options or by the environment: the same
output as on the embedded store for the same input."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from backend_servers import VIRTUOSO_USER, Server, oxigraph_backend, virtuoso_backend
from test_claimstore_everywhere import canonical
from typer.testing import CliRunner

from oncoclaims.backends import SparqlBackend
from oncoclaims.cli import app

DATA = Path(__file__).parents[1] / "data"
RECORD = DATA / "ctgov" / "v2" / "biomcp" / "get_nct02576665_20260811.json"  # a real study record
CLAIM = "https://w3id.org/oncoclaims/id/claim/enteromix-enteromix-is-totally-100-perce-df88103e2ae65e19"


def _options(kind: str, server: Server, password_file: Path) -> list[str]:
    base = server.base
    if kind == "oxigraph":
        return ["--backend", "sparql", "--sparql-server", "oxigraph",
                "--query-url", f"{base}/query", "--update-url", f"{base}/update",
                "--gsp-url", f"{base}/store"]
    return ["--backend", "sparql", "--sparql-server", "virtuoso", "--query-url", f"{base}/sparql",
            "--update-url", f"{base}/sparql-auth", "--gsp-url", f"{base}/sparql-graph-crud-auth",
            "--sparql-auth", "digest", "--sparql-user", VIRTUOSO_USER[0],
            "--sparql-password-file", str(password_file)]


def _env(options: list[str]) -> dict[str, str]:
    """The same settings as environment variables (``--sparql-password-file`` as its text)."""
    names = {"--backend": "ONCOCLAIMS_BACKEND", "--sparql-server": "ONCOCLAIMS_SPARQL_SERVER",
             "--query-url": "ONCOCLAIMS_QUERY_URL", "--update-url": "ONCOCLAIMS_UPDATE_URL",
             "--gsp-url": "ONCOCLAIMS_GSP_URL", "--sparql-auth": "ONCOCLAIMS_SPARQL_AUTH",
             "--sparql-user": "ONCOCLAIMS_SPARQL_USER"}
    env = {names[k]: v for k, v in zip(options[::2], options[1::2], strict=True) if k in names}
    if "--sparql-password-file" in options:
        env["ONCOCLAIMS_SPARQL_PASSWORD"] = VIRTUOSO_USER[1]
    return env


def _empty(backend: SparqlBackend) -> None:
    for graph in backend.named_graphs():
        backend.graph_delete(graph)


@pytest.fixture(params=["oxigraph", "virtuoso"])
def remote(
    request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[tuple[list[str], SparqlBackend]]:
    """CLI options for an empty server of each kind, and a backend to look at it with."""
    server = request.getfixturevalue(f"{request.param}_server")
    backend = oxigraph_backend(server) if request.param == "oxigraph" else virtuoso_backend(server)
    password = tmp_path / "password"
    password.write_text(VIRTUOSO_USER[1] + "\n", encoding="utf-8")
    _empty(backend)
    try:
        yield _options(request.param, server, password), backend
    finally:
        _empty(backend)
        backend.close()


def run(*args: str, env: dict[str, str] | None = None) -> str:
    result = CliRunner().invoke(app, list(args), env=env)
    assert result.exit_code == 0, result.stderr + result.stdout
    return result.stdout


def test_ingest_check_and_export_on_a_server_give_the_embedded_answers(
    remote: tuple[list[str], SparqlBackend], tmp_path: Path
) -> None:
    options, backend = remote
    local = ["--store", str(tmp_path / "store")]
    record = RECORD
    for where in (options, local):  # a fresh store gets the reference graph, then a record
        run("ingest", str(record), *where)
    assert backend.named_graphs(), "the server holds the graph"
    got = json.loads(run("check", CLAIM, "--json", *options))
    assert got == json.loads(run("check", CLAIM, "--json", *local))
    assert got["status"]
    dumped = {}
    for name, where in (("server", options), ("local", local)):
        run("export", "nq", str(tmp_path / f"{name}.nq"), *where)
        dumped[name] = canonical(ox.parse(path=str(tmp_path / f"{name}.nq")))
    assert dumped["server"][0] and dumped["server"] == dumped["local"]
    again = run("ingest", str(record), *options)
    assert again == run("ingest", str(record), *local), "ingesting again: the same report"


def test_the_environment_chooses_the_server_as_the_options_do(
    remote: tuple[list[str], SparqlBackend],
) -> None:
    options, backend = remote
    by_options = run("stats", *options)
    assert run("stats", env=_env(options)) == by_options
    assert "quads:" in by_options and backend.count() > 0
    named = run("query", "--named", "claim_iris", "--format", "tsv", env=_env(options))
    assert CLAIM in named
