"""Faults seen from the store, ingest and the CLI on a SPARQL server: a clear error each time
naming what to check, and no batch reported written that the server does not hold whole."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import pyoxigraph as ox
import pytest
from backend_servers import (
    Server,
    free_port,
    oxigraph_backend,
    oxigraph_binary,
    run_oxigraph,
    virtuoso_backend,
)
from test_faults import slow_server  # noqa: F401 (the fixture)
from typer.testing import CliRunner

from oncoclaims.backends import BackendAuthError, BackendUnavailableError, BackendWriteError
from oncoclaims.backends import sparql as sparql_module
from oncoclaims.backends.settings import BackendSettings
from oncoclaims.cli import app
from oncoclaims.errors import QueryTimeoutError
from oncoclaims.graph.store import ClaimStore
from oncoclaims.graph.tables import EdgeTables, iri_of
from oncoclaims.ingest import ingest
from oncoclaims.vocab import GRAPH_BASE

DATA = Path(__file__).parents[1] / "data"
#: A real MEDLINE subset of many records (tests/data/README.md): a batch of many graphs.
RECORDS = DATA / "pubmed" / "medline16n0902-oncology-subset.xml"


def test_a_server_down_at_start_names_the_url_and_the_option() -> None:
    url = f"http://127.0.0.1:{free_port()}/query"
    settings = BackendSettings(kind="sparql", query_url=url, server="oxigraph", timeout=5)
    with pytest.raises(BackendUnavailableError, match="--query-url") as caught:
        ClaimStore.from_settings(settings)
    assert url in str(caught.value)
    for args, env in (
        (["stats", "--backend", "sparql", "--query-url", url], {}),
        (["stats"], {"ONCOCLAIMS_BACKEND": "sparql", "ONCOCLAIMS_QUERY_URL": url}),
    ):
        result = CliRunner().invoke(app, args, env=env)
        assert result.exit_code == 1
        assert url in result.stderr and "ONCOCLAIMS_" in result.stderr
        assert "Traceback" not in result.stderr


def test_an_ingest_whose_server_goes_away_is_not_reported_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if oxigraph_binary() is None:
        pytest.skip("no oxigraph program: pip install 'oncoclaims[test]'")
    expected = ClaimStore.in_memory()
    wanted = ingest(RECORDS, expected)
    monkeypatch.setattr(sparql_module, "BULK_CHUNK", wanted.quads_added // 3)
    with run_oxigraph(tmp_path) as server:
        store = ClaimStore(oxigraph_backend(server, timeout=5, write_timeout=5))
        load = store.backend._load_chunk  # type: ignore[attr-defined]
        chunks = []

        def dying_load(chunk: list[ox.Quad]) -> None:
            if chunks:  # the server goes away after the first request of the batch
                os.kill(server.process.pid, signal.SIGKILL)
                server.process.wait()
            chunks.append(len(chunk))
            load(chunk)

        monkeypatch.setattr(store.backend, "_load_chunk", dying_load)
        with pytest.raises(BackendWriteError, match="was not written") as caught:
            ingest(RECORDS, store)  # raises: no report says the batch was written
        assert not caught.value.taken_back and caught.value.graphs
        assert "load the batch again" in str(caught.value)
        store.close()
    with run_oxigraph(tmp_path) as again:  # the same data folder, the server back
        store = ClaimStore(oxigraph_backend(again))
        assert 0 < len(store) < len(expected), "the server holds part of the batch"
        ingest(RECORDS, store)  # loading it again is safe (stable IRIs)
        assert set(store) == set(expected)
        store.close()


def test_a_slow_server_is_a_time_limit_error(slow_server: str) -> None:  # noqa: F811
    settings = BackendSettings(kind="sparql", query_url=slow_server + "/query", timeout=1)
    with pytest.raises(QueryTimeoutError, match="within 1 s"):
        ClaimStore.from_settings(settings)


def test_a_capped_server_gives_whole_tables(virtuoso_server: Server) -> None:
    predicate = iri_of("oc:partOf")
    graph = ox.NamedNode(GRAPH_BASE + "test/capped-store")
    quads = [ox.Quad(ox.NamedNode(f"urn:oncoclaims:test:row{i}"), predicate,
                     ox.NamedNode(f"urn:oncoclaims:test:to{i}"), graph) for i in range(12_500)]
    store = ClaimStore(virtuoso_backend(virtuoso_server))
    try:
        assert store.extend(quads) == 12_500
        assert len(list(store.quads(None, predicate, None, None))) == 12_500
        table = EdgeTables(store).table("oc:partOf")  # read as TSV, in pages
        assert sum(len(targets) for targets in table.values()) == 12_500
    finally:
        store.remove_graph(graph)
        store.close()


def test_wrong_credentials_are_a_clear_error_and_write_nothing(
    virtuoso_server: Server, tmp_path: Path
) -> None:
    wrong = tmp_path / "password"
    wrong.write_text("not-the-password\n", encoding="utf-8")
    base = virtuoso_server.base
    args = ["load", str(DATA / "small.ttl"), "--backend", "sparql", "--sparql-server", "virtuoso",
            "--query-url", f"{base}/sparql", "--update-url", f"{base}/sparql-auth",
            "--gsp-url", f"{base}/sparql-graph-crud-auth", "--sparql-auth", "digest",
            "--sparql-user", "dba", "--sparql-password-file", str(wrong)]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 1
    assert "refused the credentials" in result.stderr
    store = ClaimStore(virtuoso_backend(virtuoso_server))
    assert store.named_graphs() == []
    with pytest.raises(BackendAuthError):
        store_with = BackendSettings(kind="sparql", server="virtuoso", query_url=f"{base}/sparql",
                                     update_url=f"{base}/sparql-auth", auth="digest", user="dba",
                                     password=wrong.read_text(encoding="utf-8").strip())
        ClaimStore.from_settings(store_with).remove([ox.Quad(
            ox.NamedNode("urn:x:a"), ox.NamedNode("urn:x:b"), ox.Literal("c"),
            ox.NamedNode(GRAPH_BASE + "test/auth"))])
