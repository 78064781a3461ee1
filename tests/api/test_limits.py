"""Query time and result-size limits on /sparql, on a real server over an on-disk store (issue 6)."""

from __future__ import annotations

import asyncio
import json
import os
import socket
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
import uvicorn
from fastapi import FastAPI
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from oncoclaims.api import ServerSettings, create_app
from oncoclaims.api.http_limits import LimitedHttpToolsProtocol
from oncoclaims.api.query_runner import InProcessRunner, QueryAnswer, QueryJob, WorkerPoolRunner
from oncoclaims.api.settings import parse_byte_size
from oncoclaims.api.state import ServerState
from oncoclaims.cli import app as cli_app
from oncoclaims.errors import ConfigError, QueryTimeoutError, ResultTooLargeError
from oncoclaims.graph.store import ClaimStore
from oncoclaims.ontology import ontology_quads
from oncoclaims.reference import reference_quads

TOKEN = "limits-token"
#: Never finishes on the reference graph (about 2,000 cubed solutions to count); only a kill stops it.
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
POINT = "SELECT ?p ?o WHERE { <https://w3id.org/oncoclaims/id/therapy/enteromix> ?p ?o }"
ALL = "SELECT * WHERE { GRAPH ?g { ?s ?p ?o } }"
MARK = "ASK { <https://example.org/limits/s> ?p ?o }"
INSERT = 'INSERT DATA { GRAPH <https://example.org/limits> { <https://example.org/limits/s> <https://example.org/p> "o" } }'
DELETE = 'DELETE DATA { GRAPH <https://example.org/limits> { <https://example.org/limits/s> <https://example.org/p> "o" } }'
QUERY_BODY = {"content-type": "application/sparql-query"}
UPDATE_BODY = {"content-type": "application/sparql-update", "authorization": f"Bearer {TOKEN}"}


class Server:
    """A uvicorn server in a thread, its base URL and its app."""

    def __init__(self, app: FastAPI) -> None:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        self.app = app
        self.base = f"http://127.0.0.1:{port}"
        self._server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
        self._thread = threading.Thread(target=self._server.run, daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 30
        while not self._server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("the test server did not start")
            time.sleep(0.05)

    @property
    def runner(self) -> WorkerPoolRunner:
        runner = self.app.state.server.query_runner
        assert isinstance(runner, WorkerPoolRunner), "an on-disk store runs queries in worker processes"
        return runner

    def query(self, text: str, **kwargs: object) -> httpx.Response:
        return httpx.get(f"{self.base}/sparql", params={"query": text}, timeout=30, **kwargs)

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=30)


@pytest.fixture
def disk_store(tmp_path: Path) -> Iterator[ClaimStore]:
    store = ClaimStore.open(tmp_path / "store")
    store.extend(ontology_quads())
    store.extend(reference_quads())
    yield store
    store.close()


@pytest.fixture
def serve(disk_store: ClaimStore) -> Iterator[Callable[..., Server]]:
    """Start a server over the on-disk store with the given settings; stopped after the test."""
    started: list[Server] = []

    def start(**settings: object) -> Server:
        server = Server(create_app(disk_store, ServerSettings(**settings)))  # type: ignore[arg-type]
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def _wait_for(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + 30
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"still not {what} after 30 s")
        time.sleep(0.05)


def test_a_query_past_the_time_limit_is_stopped_with_503_while_others_are_served(serve) -> None:
    server = serve(query_timeout=1.0, query_workers=2)
    assert server.query(POINT).status_code == 200
    workers_before = server.runner.worker_pids
    assert len(workers_before) == 2

    slow: list[httpx.Response] = []
    sender = threading.Thread(target=lambda: slow.append(
        httpx.post(f"{server.base}/sparql", content=SLOW, headers=QUERY_BODY, timeout=30)))
    sender.start()
    _wait_for(lambda: server.runner.idle_workers == 1, "running the slow query")
    during = server.query(POINT)
    assert during.status_code == 200 and during.json()["results"]["bindings"], "another worker answers meanwhile"
    assert sender.is_alive(), "the point query was answered while the slow one was still running"
    sender.join(timeout=30)

    response = slow[0]
    assert response.status_code == 503
    error = response.json()["error"]
    assert error["title"] == "Query time limit reached"
    assert "time limit of 1 s" in error["detail"] and "--query-timeout" in error["detail"]

    # The slow query's worker left the pool when it ran long (and so, this client being heavy
    # from then on, did the point query's): each is stopped, and the pool has two workers.
    killed = workers_before - server.runner.worker_pids
    assert killed, "the worker running the slow query was replaced"
    for pid in killed:
        _wait_for(lambda pid=pid: not _alive(pid), f"worker {pid} gone")
    _wait_for(lambda: len(server.runner.worker_pids) == 2 and server.runner.long_queries == 0,
              "back to two workers")
    for _ in range(4):  # through both workers, the replacement included
        assert server.query(POINT).json() == during.json()


def test_a_result_over_the_size_limit_is_refused_and_a_small_one_passes(serve) -> None:
    server = serve(max_result_bytes=4000)
    small = server.query(POINT)
    assert small.status_code == 200 and len(small.content) <= 4000
    for text in (ALL, "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"):
        big = server.query(text)
        assert big.status_code == 500
        error = big.json()["error"]
        assert error["title"] == "Result too large"
        assert "4000 bytes" in error["detail"] and "--max-result-bytes" in error["detail"]
    assert server.query(POINT).json() == small.json(), "the workers keep serving"


def test_an_update_is_visible_to_the_next_query_in_every_worker(serve, disk_store: ClaimStore) -> None:
    server = serve(update_token=TOKEN, query_workers=2)
    assert server.query(MARK).json()["boolean"] is False
    first_snapshot = {p.name for p in server.runner.snapshot_folder.iterdir()}
    assert httpx.post(f"{server.base}/sparql", content=INSERT, headers=UPDATE_BODY).status_code == 204
    for _ in range(4):  # more queries than workers: each worker must have caught up
        assert server.query(MARK).json()["boolean"] is True
    assert httpx.post(f"{server.base}/sparql", content=DELETE, headers=UPDATE_BODY).status_code == 204
    for _ in range(4):
        assert server.query(MARK).json()["boolean"] is False
    assert not first_snapshot & {p.name for p in server.runner.snapshot_folder.iterdir()}, \
        "snapshots no worker uses are deleted"


def test_errors_get_their_status_and_the_server_keeps_serving(serve) -> None:
    server = serve(query_timeout=1.0, update_token=TOKEN)
    expected = server.query(POINT).json()
    malformed = server.query("SELECT * WHERE {")
    assert malformed.status_code == 400 and malformed.json()["error"]["title"] == "Malformed query"
    oversized = httpx.post(f"{server.base}/sparql", content=b"#" * (1024 * 1024 + 1), headers=QUERY_BODY)
    assert oversized.status_code == 413 and "bytes" in oversized.json()["error"]["detail"]
    unknown = httpx.get(f"{server.base}/no-such-route")
    assert unknown.status_code == 404 and unknown.json()["error"]["title"] == "Not found"
    refused = httpx.post(f"{server.base}/sparql", content=INSERT,
                         headers={**UPDATE_BODY, "authorization": "Bearer wrong"})
    assert refused.status_code == 403 and "token" in refused.json()["error"]["detail"]
    late = server.query(SLOW)
    assert late.status_code == 503 and late.json()["error"]["status"] == 503
    assert server.query(POINT).json() == expected


def test_stopping_the_server_stops_the_workers_and_deletes_the_snapshots(serve) -> None:
    server = serve()
    assert server.query(POINT).status_code == 200
    runner = server.runner
    pids, folder = runner.worker_pids, runner.snapshot_folder
    assert pids and folder.is_dir()
    server.stop()
    for pid in pids:
        _wait_for(lambda pid=pid: not _alive(pid), f"worker {pid} gone")
    assert not folder.exists() and not folder.parent.exists()


def test_in_memory_stores_run_queries_in_process_within_the_limits(store: ClaimStore) -> None:
    state = ServerState(ServerSettings(max_result_bytes=4000))
    runner = InProcessRunner(store, state)
    assert runner.run(QueryJob(POINT)).body
    with pytest.raises(ResultTooLargeError, match="4000 bytes"):
        runner.run(QueryJob(ALL))
    # A streaming result is stopped at the first chunk written after the deadline.
    state.settings = ServerSettings(query_timeout=0.001)
    with pytest.raises(QueryTimeoutError, match="--query-timeout"):
        runner.run(QueryJob("SELECT * WHERE { ?a ?b ?c . ?d ?e ?f }"))
    client = TestClient(create_app(store, ServerSettings(max_result_bytes=4000)))
    assert client.get("/sparql", params={"query": ALL}).status_code == 500
    assert client.get("/sparql", params={"query": POINT}).status_code == 200


def test_limits_come_from_the_environment_and_bad_values_are_refused() -> None:
    settings = ServerSettings.from_environment({"ONCOCLAIMS_QUERY_TIMEOUT": "2.5",
                                                "ONCOCLAIMS_MAX_RESULT_BYTES": "16MiB",
                                                "ONCOCLAIMS_QUERY_WORKERS": "3"})
    assert (settings.query_timeout, settings.max_result_bytes, settings.query_workers) == (2.5, 16 * 1024**2, 3)
    defaults = ServerSettings.from_environment({})
    assert (defaults.query_timeout, defaults.max_result_bytes) == (30.0, 64 * 1024**2)
    for name, value in (("ONCOCLAIMS_QUERY_TIMEOUT", "0"), ("ONCOCLAIMS_QUERY_TIMEOUT", "soon"),
                        ("ONCOCLAIMS_QUERY_TIMEOUT", "nan"), ("ONCOCLAIMS_MAX_RESULT_BYTES", "-5"),
                        ("ONCOCLAIMS_MAX_RESULT_BYTES", "12 parsecs"), ("ONCOCLAIMS_QUERY_WORKERS", "0")):
        with pytest.raises(ConfigError, match=f"\\${name}: '{value}'"):
            ServerSettings.from_environment({name: value})
    assert parse_byte_size("2 KiB") == parse_byte_size("2048") == 2048
    with pytest.raises(ConfigError, match="max_result_bytes"):
        ServerSettings(max_result_bytes=0)


def test_serve_takes_the_limits_from_options_over_the_environment(monkeypatch, tmp_path: Path) -> None:
    started: list[FastAPI] = []
    options: dict[str, object] = {}
    monkeypatch.setattr(uvicorn, "run", lambda app, **given: (started.append(app), options.update(given)))
    monkeypatch.setenv("ONCOCLAIMS_QUERY_TIMEOUT", "7")
    monkeypatch.setenv("ONCOCLAIMS_MAX_RESULT_BYTES", "1MiB")
    result = CliRunner().invoke(cli_app, ["serve", "--store", str(tmp_path / "store"), "--query-timeout", "2",
                                          "--query-workers", "3"])
    assert result.exit_code == 0, result.output
    settings = started[0].state.server.settings
    assert (settings.query_timeout, settings.max_result_bytes, settings.query_workers) == (2.0, 1024**2, 3)
    # C HTTP parser and libuv loop: both are dependencies, so serve asks for them by name
    assert (options["http"], options["loop"], options["access_log"]) == (LimitedHttpToolsProtocol, "uvloop", False)

    bad = CliRunner().invoke(cli_app, ["serve", "--store", str(tmp_path / "store"), "--max-result-bytes", "huge"])
    assert bad.exit_code == 1
    assert "error: --max-result-bytes: 'huge' is not a size" in bad.output
    assert len(started) == 1, "a bad value stops the server before it starts"


def test_the_worker_pool_runs_blocking_calls_too(disk_store: ClaimStore) -> None:
    state = ServerState(ServerSettings(query_timeout=2.0, query_workers=1))
    runner = WorkerPoolRunner(disk_store, state)
    try:
        assert b"enteromix" in (runner.run(QueryJob(POINT)).body or b"").lower()
        other = WorkerPoolRunner(disk_store, ServerState())  # a second app over the same store
        other.start()
        other.close()
        assert runner.snapshot_folder.is_dir(), "each runner keeps its own snapshots"
        with pytest.raises(QueryTimeoutError):
            runner.run(QueryJob(SLOW))
        disk_store.inner.update(INSERT)
        state.generation += 1
        # The one worker is a replacement, started in the background; it opens the new snapshot.
        answer = runner.run(QueryJob(MARK))
        assert answer.body is not None and b"true" in answer.body
    finally:
        runner.close()
    assert not runner.snapshot_folder.exists()


def test_queries_waiting_for_a_busy_worker_get_it_in_turn_or_its_replacement(disk_store: ClaimStore) -> None:
    state = ServerState(ServerSettings(query_timeout=2.0, query_workers=1))
    runner = WorkerPoolRunner(disk_store, state)

    async def scenario() -> tuple[list[object], object, object]:
        # Four point queries at once on one worker: three wait and are handed it in turn.
        together = await asyncio.gather(*(runner.answer(QueryJob(POINT)) for _ in range(4)),
                                        return_exceptions=True)
        # A query that runs long leaves the pool with its worker: a new one serves the point query
        # while the slow one still runs (oncoclaims.api.admission).
        slow = asyncio.create_task(runner.answer(QueryJob(SLOW)))
        await asyncio.sleep(1.0)
        assert runner.long_queries == 1, "the slow query runs on a worker outside the pool"
        waiting = await runner.answer(QueryJob(POINT))
        assert not slow.done(), "answered while the slow query still runs"
        return together, await asyncio.gather(slow, return_exceptions=True), waiting

    try:
        runner.start()
        together, (slow,), waiting = asyncio.run(scenario())
    finally:
        runner.close()
    assert all(isinstance(answer, QueryAnswer) and b"enteromix" in (answer.body or b"").lower()
               for answer in together), together
    assert isinstance(slow, QueryTimeoutError)
    assert isinstance(waiting, QueryAnswer) and waiting.body == together[0].body


def test_a_query_sent_behind_one_that_runs_past_the_limit_runs_again_on_another_worker(
        disk_store: ClaimStore) -> None:
    state = ServerState(ServerSettings(query_timeout=1.5, query_workers=1))
    runner = WorkerPoolRunner(disk_store, state)

    async def scenario() -> list[object]:
        # The first query takes the idle worker alone; the slow one gets it next and takes the
        # point query waiting behind it along in the same message (a batch).
        first = asyncio.ensure_future(runner.answer(QueryJob(POINT)))
        slow = asyncio.ensure_future(runner.answer(QueryJob(SLOW)))
        await asyncio.sleep(0)  # both started: the first runs, the slow one waits
        state.settings = ServerSettings(query_timeout=5.0, query_workers=1)  # more time for the next
        behind = asyncio.ensure_future(runner.answer(QueryJob(POINT)))
        return await asyncio.gather(first, slow, behind, return_exceptions=True)

    try:
        runner.start()
        first, slow, behind = asyncio.run(scenario())
    finally:
        runner.close()
    assert isinstance(slow, QueryTimeoutError) and "time limit of 1.5 s" in str(slow)
    assert isinstance(first, QueryAnswer) and isinstance(behind, QueryAnswer), behind
    assert behind.body == first.body, "the point query ran on the replacement worker"


def test_queries_sent_together_each_get_their_own_answer(disk_store: ClaimStore) -> None:
    state = ServerState(ServerSettings(query_timeout=10.0, query_workers=2))
    runner = WorkerPoolRunner(disk_store, state)

    async def scenario() -> list[QueryAnswer]:
        # 12 at once on two workers: most wait, and are sent in batches.
        return await asyncio.gather(*(runner.answer(QueryJob(f"SELECT ?n WHERE {{ BIND({n} AS ?n) }}"))
                                      for n in range(12)))

    try:
        runner.start()
        answers = asyncio.run(scenario())
    finally:
        runner.close()
    values = [json.loads(answer.body or b"")["results"]["bindings"][0]["n"]["value"] for answer in answers]
    assert values == [str(n) for n in range(12)]
