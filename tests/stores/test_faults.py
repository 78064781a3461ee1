"""Faults on a remote backend: a clear error each time, and nothing half-written or half-read."""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
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

from oncoclaims.backends import (
    BackendAuthError,
    BackendUnavailableError,
    BackendWriteError,
    EmbeddedBackend,
    SparqlBackend,
    SparqlEndpoints,
)
from oncoclaims.backends import sparql as sparql_module
from oncoclaims.errors import QueryTimeoutError
from oncoclaims.reference import reference_quads
from oncoclaims.vocab import GRAPH_BASE

ROWS_QUERY = "SELECT ?s ?o $g WHERE { GRAPH $g { ?s ?p ?o } }"


def _many_quads(graph: ox.NamedNode, n: int) -> list[ox.Quad]:
    """``n`` quads of one graph, enough to pass a server's row cap."""
    p = ox.NamedNode("urn:oncoclaims:test:rank")
    return [
        ox.Quad(ox.NamedNode(f"urn:oncoclaims:test:row{i}"), p, ox.Literal(i), graph)
        for i in range(n)
    ]


def test_a_server_down_at_start_is_a_clear_error() -> None:
    backend = SparqlBackend(SparqlEndpoints.oxigraph(f"http://127.0.0.1:{free_port()}"), timeout=5)
    with pytest.raises(BackendUnavailableError, match="cannot reach the SPARQL server"):
        backend.select("SELECT * WHERE { ?s ?p ?o }")
    with pytest.raises(BackendUnavailableError):
        backend.bulk_load(reference_quads())


class _SlowHandler(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        time.sleep(3)
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def slow_server() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _SlowHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_a_slow_server_meets_the_time_limit(slow_server: str) -> None:
    backend = SparqlBackend(SparqlEndpoints(f"{slow_server}/sparql"), timeout=0.5)
    with pytest.raises(QueryTimeoutError, match=r"within 0\.5 s") as caught:
        backend.select("SELECT * WHERE { ?s ?p ?o }")
    assert caught.value.limit == 0.5


def test_incomplete_results_at_the_server_time_limit_are_refused(virtuoso_server: Server) -> None:
    """Virtuoso answers 200 with what it had when its time runs out (X-SQL-State: S1TAT)."""
    graph = ox.NamedNode(GRAPH_BASE + "test/slow")
    backend = virtuoso_backend(virtuoso_server, server_timeout=0.05)
    backend.bulk_load(_many_quads(graph, 20_000))  # a self-join of 400M pairs: never done in 0.05 s
    try:
        with pytest.raises(QueryTimeoutError, match="incomplete results") as caught:
            backend.select(
                "SELECT (COUNT(*) AS ?n) $g WHERE { GRAPH $g { ?a ?b ?c . ?d ?e ?f } "
                "FILTER(STR(?c) < STR(?f)) } GROUP BY $g",
                {"g": graph},
            )
        assert caught.value.limit == 0.05
    finally:
        backend.graph_delete(graph)


def test_a_capped_server_is_paged_to_the_complete_answer(virtuoso_server: Server) -> None:
    graph = ox.NamedNode(GRAPH_BASE + "test/capped")
    quads = _many_quads(graph, 12_500)
    backend = virtuoso_backend(virtuoso_server)
    backend.bulk_load(quads)
    try:
        raw = httpx.post(
            backend.endpoints.query_url,
            data={"query": "SELECT * WHERE { GRAPH <" + graph.value + "> { ?s ?p ?o } }"},
            headers={"Accept": "application/sparql-results+json"},
        ).json()
        assert len(raw["results"]["bindings"]) == 10_000, "the server caps its answers"
        rows = backend.select(ROWS_QUERY, {"g": graph}).rows
        embedded = EmbeddedBackend(ox.Store())
        embedded.bulk_load(quads)
        expected = embedded.select(ROWS_QUERY, {"g": graph}).rows
        assert len(rows) == 12_500
        assert sorted(map(str, rows)) == sorted(map(str, expected))
        assert backend.select_tsv(ROWS_QUERY, {"g": graph}).count(b"\n") == 12_501
    finally:
        backend.graph_delete(graph)


def test_wrong_credentials_are_refused_and_write_nothing(virtuoso_server: Server) -> None:
    backend = virtuoso_backend(virtuoso_server, auth=httpx.DigestAuth("dba", "not-the-password"))
    with pytest.raises(BackendAuthError, match="refused the credentials"):
        backend.update(
            f"INSERT DATA {{ GRAPH <{GRAPH_BASE}test/auth> {{ <urn:x:a> <urn:x:b> 1 }} }}"
        )
    with pytest.raises(BackendAuthError):
        backend.bulk_load(reference_quads())
    assert backend.named_graphs() == []


def test_a_server_killed_mid_batch_is_reported_not_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if oxigraph_binary() is None:
        pytest.skip("no oxigraph program: pip install 'oncoclaims[test]'")
    monkeypatch.setattr(sparql_module, "BULK_CHUNK", 1_000)
    graphs = [ox.NamedNode(GRAPH_BASE + f"test/killed-{i}") for i in range(3)]
    with run_oxigraph(tmp_path) as server:
        backend = oxigraph_backend(server, timeout=5, write_timeout=5)

        def batch() -> Iterator[ox.Quad]:
            for number, graph in enumerate(graphs):
                if number == 2:
                    os.kill(server.process.pid, signal.SIGKILL)
                    server.process.wait()
                yield from _many_quads(graph, 1_000)

        with pytest.raises(BackendWriteError, match="was not written") as caught:
            backend.bulk_load(batch())
    assert not caught.value.taken_back
    assert set(caught.value.graphs) == {g.value for g in graphs[:2]}  # the third got nothing
    assert "load the batch again" in str(caught.value)


def test_a_failed_request_takes_back_the_graphs_it_created(
    oxigraph_server: Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sparql_module, "BULK_CHUNK", 1_000)
    backend = oxigraph_backend(oxigraph_server)
    graphs = [ox.NamedNode(GRAPH_BASE + f"test/refused-{i}") for i in range(2)]
    bad = ox.Quad(ox.NamedNode("urn:x:s"), ox.NamedNode("urn:x:p"), ox.Literal("x"), graphs[1])

    def refusing_load(chunk: list[ox.Quad]) -> None:
        if bad in chunk:
            raise BackendUnavailableError("the connection broke (simulated after a real write)")
        original(chunk)

    original = backend._load_chunk
    monkeypatch.setattr(backend, "_load_chunk", refusing_load)
    with pytest.raises(BackendWriteError, match="nothing of it is left") as caught:
        backend.bulk_load([*_many_quads(graphs[0], 1_000), bad])
    assert caught.value.taken_back
    assert backend.named_graphs() == []
