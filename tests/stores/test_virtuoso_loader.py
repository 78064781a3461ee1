"""Virtuoso's own bulk loader as the fast path of ``SparqlBackend.bulk_load`` (the CI's real
Virtuoso on loopback, driven through ``isql-vt``): every quad arrives, and a failed load is a
clear error with nothing of the batch left behind.

Data: the ontology and the bundled Enteromix reference graph (real records, tests/data README).
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pyoxigraph as ox
import pytest
from backend_servers import VIRTUOSO_USER, Server, virtuoso_backend, virtuoso_loader

from oncoclaims.backends import BackendSettings, BackendWriteError, SparqlBackend, open_backend
from oncoclaims.backends.virtuoso_loader import VirtuosoLoader
from oncoclaims.errors import ConfigError, StoreError
from oncoclaims.ontology import ontology_quads
from oncoclaims.reference import reference_quads
from oncoclaims.vocab import GRAPH_BASE

pytestmark = pytest.mark.skipif(shutil.which("isql-vt") is None, reason="no isql-vt program")

KEPT = ox.NamedNode(GRAPH_BASE + "test/kept")


def _ground(quads: list[ox.Quad]) -> set[ox.Quad]:
    """The quads without blank nodes (their labels are the server's own)."""
    return {
        q
        for q in quads
        if not isinstance(q.subject, ox.BlankNode) and not isinstance(q.object, ox.BlankNode)
    }


def _canonical(quads: list[ox.Quad]) -> set[ox.Quad]:
    """Booleans as Virtuoso gives them back (``1``/``0``: a documented difference)."""
    boolean = ox.NamedNode("http://www.w3.org/2001/XMLSchema#boolean")
    out = set()
    for q in _ground(quads):
        o = q.object
        if isinstance(o, ox.Literal) and o.datatype == boolean:
            o = ox.Literal("true" if o.value in ("1", "true") else "false", datatype=boolean)
        out.add(ox.Quad(q.subject, q.predicate, o, q.graph_name))
    return out


@pytest.fixture
def loading(virtuoso_server: Server) -> Iterator[SparqlBackend]:
    """A backend on the CI's Virtuoso whose bulk loads go through Virtuoso's loader."""
    backend = virtuoso_backend(virtuoso_server, loader=virtuoso_loader(virtuoso_server))
    for graph in backend.named_graphs():
        backend.graph_delete(graph)
    try:
        yield backend
    finally:
        for graph in backend.named_graphs():
            backend.graph_delete(graph)
        backend.close()


def _loader_runs(server: Server) -> int:
    """How often Virtuoso's loader has started, from the server's own log."""
    return (server.folder / "virtuoso.log").read_text(errors="replace").count("Loader started")


def test_the_loader_loads_every_quad_of_real_records(
    loading: SparqlBackend, virtuoso_server: Server
) -> None:
    quads = [*ontology_quads(), *reference_quads()]
    runs = _loader_runs(virtuoso_server)
    loading.bulk_load(iter(quads))
    assert _loader_runs(virtuoso_server) == runs + 1  # one file, by the server's loader
    assert loading.count() == len(set(quads))
    graphs = sorted({q.graph_name.value for q in quads})
    assert [g.value for g in loading.named_graphs()] == graphs
    assert _canonical(list(loading.quads())) == _canonical(quads)
    assert not list(Path(loading.loader.folder).glob("oncoclaims-load-*"))  # type: ignore[union-attr]


def test_loading_again_changes_nothing(loading: SparqlBackend) -> None:
    quads = list(reference_quads())
    loading.bulk_load(quads)
    before = _ground(list(loading.quads()))
    loading.bulk_load(quads)
    assert _ground(list(loading.quads())) == before
    assert loading.count() == len(set(quads))


class _Corrupting(VirtuosoLoader):
    """A loader whose file ends in a line Virtuoso cannot parse (a disk or transfer fault),
    after enough quads that the server has written some before it finds the error."""

    @contextmanager
    def staged(self, quads):  # type: ignore[no-untyped-def,override]
        with VirtuosoLoader.staged(self, quads) as (path, graphs):
            with path.open("ab") as out:
                out.write(b"<urn:oncoclaims:test:broken> this is not N-Quads .\n")
            yield path, graphs


def _many(graph: ox.NamedNode, n: int) -> list[ox.Quad]:
    p = ox.NamedNode("urn:oncoclaims:test:rank")
    return [
        ox.Quad(ox.NamedNode(f"urn:oncoclaims:test:row{i}"), p, ox.Literal(i), graph)
        for i in range(n)
    ]


def _corrupting(server: Server) -> VirtuosoLoader:
    assert server.sql_port is not None
    return _Corrupting(f"127.0.0.1:{server.sql_port}", *VIRTUOSO_USER, server.folder)


def test_a_failed_load_is_reported_and_taken_back(
    loading: SparqlBackend, virtuoso_server: Server
) -> None:
    loading.bulk_load(reference_quads())
    before = _ground(list(loading.quads()))
    broken = virtuoso_backend(virtuoso_server, loader=_corrupting(virtuoso_server))
    new = ox.NamedNode(GRAPH_BASE + "test/new-in-failed-load")
    with pytest.raises(BackendWriteError, match=r"loader failed on .*syntax error") as caught:
        broken.bulk_load(_many(new, 100_000))
    assert caught.value.taken_back
    assert "nothing of it is left on the server" in str(caught.value)
    time.sleep(2)  # what the loader wrote before the error shows late (docs/deployment.md)
    assert not loading.contains_graph(new)
    assert _ground(list(loading.quads())) == before
    broken.close()


def test_a_failed_load_into_a_kept_graph_names_it(
    loading: SparqlBackend, virtuoso_server: Server
) -> None:
    loading.bulk_load(_many(KEPT, 3))
    broken = virtuoso_backend(virtuoso_server, loader=_corrupting(virtuoso_server))
    with pytest.raises(BackendWriteError) as caught:
        broken.bulk_load(_many(KEPT, 10))
    assert not caught.value.taken_back
    assert caught.value.graphs == (KEPT.value,)
    assert KEPT.value in str(caught.value)
    broken.close()


def test_bad_input_reaches_nothing(loading: SparqlBackend) -> None:
    def failing() -> Iterator[ox.Quad]:
        yield from _many(KEPT, 5)
        raise StoreError("record 6: bad input")

    with pytest.raises(StoreError, match="record 6"):
        loading.bulk_load(failing())
    assert not loading.contains_graph(KEPT)


def test_a_refused_account_and_a_missing_program_are_clear(virtuoso_server: Server) -> None:
    assert virtuoso_server.sql_port is not None
    address = f"127.0.0.1:{virtuoso_server.sql_port}"
    wrong = virtuoso_backend(
        virtuoso_server, loader=VirtuosoLoader(address, "dba", "wrong", virtuoso_server.folder)
    )
    with pytest.raises(ConfigError, match=r"isql could not connect .* Bad login"):
        wrong.bulk_load(_many(KEPT, 2))
    assert not wrong.contains_graph(KEPT)
    missing = virtuoso_backend(
        virtuoso_server,
        loader=VirtuosoLoader(address, *VIRTUOSO_USER, virtuoso_server.folder, isql="no-isql"),
    )
    with pytest.raises(ConfigError, match="isql program 'no-isql' was not found"):
        missing.bulk_load(_many(KEPT, 2))


def test_a_folder_the_server_cannot_see_is_reported(
    loading: SparqlBackend, virtuoso_server: Server
) -> None:
    assert virtuoso_server.sql_port is not None
    elsewhere = VirtuosoLoader(
        f"127.0.0.1:{virtuoso_server.sql_port}",
        *VIRTUOSO_USER,
        virtuoso_server.folder,
        server_folder="/nonexistent/oncoclaims",
    )
    blind = virtuoso_backend(virtuoso_server, loader=elsewhere)
    with pytest.raises(BackendWriteError, match="did not load it"):
        blind.bulk_load(_many(KEPT, 2))
    blind.close()


def test_the_loader_from_the_environment(virtuoso_server: Server, tmp_path: Path) -> None:
    env = {
        "ONCOCLAIMS_BACKEND": "sparql",
        "ONCOCLAIMS_QUERY_URL": virtuoso_server.base + "/sparql",
        "ONCOCLAIMS_SPARQL_SERVER": "virtuoso",
        "ONCOCLAIMS_SPARQL_USER": "dba",
        "ONCOCLAIMS_SPARQL_PASSWORD": "dba",
        "ONCOCLAIMS_VIRTUOSO_SQL": f"127.0.0.1:{virtuoso_server.sql_port}",
        "ONCOCLAIMS_VIRTUOSO_LOAD_DIR": str(tmp_path),
    }
    backend = open_backend(BackendSettings.from_env(env))
    assert isinstance(backend, SparqlBackend) and backend.loader is not None
    assert backend.loader.address == env["ONCOCLAIMS_VIRTUOSO_SQL"]
    assert backend.loader.folder == tmp_path
    half = {k: v for k, v in env.items() if k != "ONCOCLAIMS_VIRTUOSO_LOAD_DIR"}
    with pytest.raises(ConfigError, match="needs both its SQL address and a load folder"):
        open_backend(BackendSettings.from_env(half))
    other = {**env, "ONCOCLAIMS_SPARQL_SERVER": "oxigraph"}
    with pytest.raises(ConfigError, match="configured for a 'oxigraph' server"):
        open_backend(BackendSettings.from_env(other))
