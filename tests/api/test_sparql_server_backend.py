"""The API on a SPARQL server, where things go wrong: the server down, slow, and several API
workers in front of one server. Real servers and real sockets throughout."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from app_server import connected, listening, serving
from backend_servers import Server, free_port, oxigraph_backend, oxigraph_binary, run_oxigraph

from oncoclaims.api import ServerSettings, create_app
from oncoclaims.api.launch import OPTIONS_VARIABLE, ServeOptions, check_workers
from oncoclaims.graph.store import ClaimStore
from oncoclaims.backends import BackendSettings, SparqlBackend, SparqlEndpoints
from oncoclaims.errors import ConfigError
from oncoclaims.vocab import GRAPH_BASE

TOKEN = "remote-test-token"
GRAPH = GRAPH_BASE + "api-remote-test"
ASK = f"ASK {{ GRAPH <{GRAPH}> {{ ?s ?p ?o }} }}"
INSERT = f"INSERT DATA {{ GRAPH <{GRAPH}> {{ <https://example.org/s> <https://example.org/p> 'written' }} }}"


def _auth() -> dict[str, str]:
    return {"authorization": f"Bearer {TOKEN}"}


def test_the_server_down_answers_503_naming_it_and_status_keeps_serving(tmp_path: Path) -> None:
    if oxigraph_binary() is None:
        pytest.skip("no oxigraph program: pip install 'oncoclaims[test]' (the oxigraph wheel)")
    with run_oxigraph(tmp_path) as server:
        store = ClaimStore(oxigraph_backend(server))
        with serving(create_app(store, ServerSettings(update_token=TOKEN)), start_timeout=120) as base:
            assert httpx.post(f"{base}/sparql", data={"update": INSERT}, headers=_auth()).status_code == 204
            assert httpx.get(f"{base}/sparql", params={"query": ASK}).json()["boolean"] is True
            assert httpx.get(f"{base}/status").json()["reachable"] is True
            server.stop()
            url = server.base + "/query"
            for answer in (httpx.get(f"{base}/sparql", params={"query": ASK}),
                           httpx.get(f"{base}/rdf-graphs", params={"graph": GRAPH}),
                           httpx.post(f"{base}/sparql", data={"update": INSERT}, headers=_auth())):
                error = answer.json()["error"]
                assert answer.status_code == 503, answer.text
                assert error["title"] == "SPARQL server unavailable" and server.base in error["detail"]
            status = httpx.get(f"{base}/status")
            assert status.status_code == 200
            assert status.json()["reachable"] is False and url in status.json()["detail"]
            assert status.json()["backend"] == "sparql" and status.json()["query_url"] == url


def test_a_server_that_does_not_answer_meets_the_time_limit() -> None:
    """A server that takes the connection and never answers: 503 with the limit, not a hang."""
    with listening() as silent:
        port = silent.getsockname()[1]
        endpoints = SparqlEndpoints(f"http://127.0.0.1:{port}/query", server="oxigraph")
        # The HTTP client gives up at its own limit...
        quick = ClaimStore(SparqlBackend(endpoints, timeout=1.0))
        with serving(create_app(quick, ServerSettings(query_timeout=30))) as base:
            answer = httpx.get(f"{base}/sparql", params={"query": ASK}, timeout=60)
            assert answer.status_code == 503 and "within 1 s" in answer.json()["error"]["detail"]
        # ...and the service's own limit holds when the client's is longer.
        patient = ClaimStore(SparqlBackend(endpoints, timeout=60.0))
        with serving(create_app(patient, ServerSettings(query_timeout=1))) as base:
            answer = httpx.get(f"{base}/sparql", params={"query": ASK}, timeout=60)
            assert answer.status_code == 503 and "time limit of 1 s" in answer.json()["error"]["detail"]


def test_service_and_load_are_refused_before_anything_reaches_the_sparql_server() -> None:
    """The SPARQL server behind the API is a socket that records connections: none comes."""
    with listening() as backend_socket, listening() as target:
        port, aim = backend_socket.getsockname()[1], f"http://127.0.0.1:{target.getsockname()[1]}/"
        base_url = f"http://127.0.0.1:{port}"
        store = ClaimStore(SparqlBackend(SparqlEndpoints(f"{base_url}/query", f"{base_url}/update",
                                                           f"{base_url}/store", "oxigraph"), timeout=2.0))
        with serving(create_app(store, ServerSettings(update_token=TOKEN)), start_timeout=120) as base:
            query = httpx.get(f"{base}/sparql", params={"query": f"SELECT * {{ SERVICE <{aim}> {{ ?s ?p ?o }} }}"})
            load = httpx.post(f"{base}/sparql", data={"update": f"LOAD <{aim}>"}, headers=_auth())
            for answer in (query, load):
                assert answer.status_code == 400 and "--allow-service" in answer.json()["error"]["detail"], answer.text
        assert not connected(backend_socket) and not connected(target)


def test_several_workers_are_refused_on_the_embedded_store() -> None:
    with pytest.raises(ConfigError, match="--workers 2: the embedded store is locked"):
        check_workers(ServeOptions(workers=2))
    check_workers(ServeOptions(workers=2, backend=BackendSettings(kind="sparql", query_url="http://127.0.0.1:1/q")))
    env = {**os.environ, "ONCOCLAIMS_BACKEND": "embedded"}
    env.pop(OPTIONS_VARIABLE, None)
    done = subprocess.run([sys.executable, "-m", "oncoclaims.api.launch", "--port", str(free_port()),
                           "--workers", "2"], env=env, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode != 0 and "the embedded store is locked" in done.stderr


def test_serve_options_reach_the_workers_whole() -> None:
    options = ServeOptions(server=ServerSettings(update_token="t", cors_origins=("https://a.example",),
                                                 query_timeout=7.5),
                           backend=BackendSettings(kind="sparql", query_url="http://127.0.0.1:9/query",
                                                   server="oxigraph", store_path=Path("/tmp/x")),
                           port=8123, workers=3)
    assert ServeOptions.from_json(options.to_json()) == options


@contextmanager
def _launched(server: Server, workers: int, log: Path, *, cli: bool = False) -> Iterator[str]:
    """``python -m oncoclaims.api.launch --workers N`` on the Oxigraph server (its URLs in the
    environment), or ``oncoclaims serve --backend sparql --query-url ... --workers N`` (``cli``:
    the URLs as options), its output in ``log`` (a pipe nobody reads could fill and stop it);
    stopped by its PID."""
    port = free_port()
    urls = {"ONCOCLAIMS_QUERY_URL": f"{server.base}/query", "ONCOCLAIMS_UPDATE_URL": f"{server.base}/update",
            "ONCOCLAIMS_GSP_URL": f"{server.base}/store"}
    env = {k: v for k, v in os.environ.items() if not k.startswith("ONCOCLAIMS_")}
    env["ONCOCLAIMS_UPDATE_TOKEN"] = TOKEN
    if cli:
        command = ["-m", "oncoclaims", "serve", "--backend", "sparql", "--sparql-server", "oxigraph",
                   "--query-url", urls["ONCOCLAIMS_QUERY_URL"], "--update-url", urls["ONCOCLAIMS_UPDATE_URL"],
                   "--gsp-url", urls["ONCOCLAIMS_GSP_URL"]]
    else:
        env.update(urls, ONCOCLAIMS_BACKEND="sparql", ONCOCLAIMS_SPARQL_SERVER="oxigraph")
        command = ["-m", "oncoclaims.api.launch"]
    with log.open("wb") as out:
        process = subprocess.Popen([sys.executable, *command,  # noqa: S603
                                    "--port", str(port), "--workers", str(workers)], env=env,
                                   stdout=out, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            assert process.poll() is None, log.read_text(errors="replace")[-2000:]
            try:
                if httpx.get(f"{base}/status", timeout=5).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, "the server did not start"
            time.sleep(0.2)
        # every worker has started (uvicorn says so once per worker), not only the first
        deadline = time.monotonic() + 240
        while log.read_text(errors="replace").count("Application startup complete") < workers:
            assert process.poll() is None and time.monotonic() < deadline, log.read_text(errors="replace")[-3000:]
            time.sleep(0.2)
        yield base
    finally:
        process.send_signal(signal.SIGINT)  # uvicorn stops its workers, then itself
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.kill(process.pid, signal.SIGKILL)
            process.wait(timeout=30)


@pytest.mark.parametrize("cli", [False, True], ids=["launch-module", "oncoclaims-serve"])
def test_two_workers_on_one_oxigraph_server_see_each_others_writes(
        oxigraph_server: Server, tmp_path: Path, cli: bool) -> None:
    backend = oxigraph_backend(oxigraph_server)
    log = tmp_path / "server.log"
    try:
        with _launched(oxigraph_server, workers=2, log=log, cli=cli) as base:
            pids: set[int] = set()
            deadline = time.monotonic() + 120  # the second worker may still be starting
            with ThreadPoolExecutor(8) as pool:
                while len(pids) < 2 and time.monotonic() < deadline:
                    # eight connections at once: while one worker answers, the other takes the next
                    pids.update(pool.map(lambda _: httpx.get(f"{base}/status").json()["pid"], range(8)))
            assert len(pids) == 2, f"only one worker answered: {pids}; {log.read_text(errors='replace')[-3000:]}"
            written = httpx.post(f"{base}/sparql", data={"update": INSERT}, headers=_auth())
            assert written.status_code == 204, written.text
            readers: set[int] = set()

            def read(_: int) -> int:
                answer = httpx.get(f"{base}/sparql", params={"query": ASK}, timeout=60)
                assert answer.status_code == 200 and answer.json()["boolean"] is True, answer.text
                return int(answer.headers["x-oncoclaims-pid"])

            with ThreadPoolExecutor(8) as pool:
                for _ in range(10):  # read back through many requests, until both workers have answered
                    readers.update(pool.map(read, range(8)))
                    if readers == pids:
                        break
            assert readers == pids, "both workers read the write made through one of them"
    finally:
        backend.update(f"DROP SILENT GRAPH <{GRAPH}>")
        backend.close()


def test_whole_store_answers_expire_on_a_sparql_server_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """Others write to a SPARQL server too (other workers, the CLI): cached lists are kept for
    REMOTE_CACHE_SECONDS at most there, until the next write through this server in process."""
    from oncoclaims.api import rest
    from oncoclaims.api.state import ServerState
    from oncoclaims.graph.store import ClaimStore

    clock = [1000.0]
    monkeypatch.setattr(rest.time, "monotonic", lambda: clock[0])
    remote = rest._Cache(ClaimStore(SparqlBackend(SparqlEndpoints("http://127.0.0.1:9/query"))))
    embedded = rest._Cache(ClaimStore.in_memory())
    state, seen = ServerState(), [0]
    for cache in (remote, embedded):
        cache.__dict__["statuses"] = {"kept": "yes"}
    clock[0] += rest.REMOTE_CACHE_SECONDS / 2
    assert remote.refresh_if(state, seen).__dict__.get("statuses") == {"kept": "yes"}
    clock[0] += rest.REMOTE_CACHE_SECONDS
    assert "statuses" not in remote.refresh_if(state, seen).__dict__
    assert embedded.refresh_if(state, seen).__dict__.get("statuses") == {"kept": "yes"}


def test_sparql_answers_past_virtuosos_row_cap_are_complete(request: pytest.FixtureRequest) -> None:
    """Virtuoso answers 10,000 rows at most; /sparql pages past the cap and answers every row."""
    import pyoxigraph as ox
    from served import load, served

    rows = 10_250
    graph = ox.NamedNode(GRAPH)
    with served("virtuoso", request) as running:
        load(running, [ox.Quad(ox.NamedNode(f"https://example.org/item/{i}"), ox.NamedNode("https://example.org/n"),
                               ox.Literal(str(i), datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")),
                               graph) for i in range(rows)])
        query = f"SELECT ?s ?n WHERE {{ GRAPH <{GRAPH}> {{ ?s <https://example.org/n> ?n }} }}"
        answer = httpx.get(f"{running.base}/sparql", params={"query": query},
                           headers={"accept": "text/tab-separated-values"}, timeout=120)
        assert answer.status_code == 200, answer.text[:300]
        lines = answer.text.strip().split("\n")[1:]
        assert len(lines) == rows and len(set(lines)) == rows
