"""The second wall (issue 18): processes that run client SPARQL cannot open Internet sockets
unless the server allows SERVICE. Each test goes around the first wall (the query guard) and
points the query at a real listener on 127.0.0.1."""

from __future__ import annotations

import platform
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from app_server import connected, listening

from oncoclaims.api.preflight import Sandbox
from oncoclaims.api.query_runner import QueryJob, WorkerPoolRunner
from oncoclaims.api.settings import ServerSettings
from oncoclaims.api.state import ServerState
from oncoclaims.errors import QueryError
from oncoclaims.graph.store import ClaimStore

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux") or platform.machine().lower() not in ("x86_64", "aarch64"),
    reason="the seccomp filter is built for Linux on x86_64 and aarch64 (docs/query-guard.md)")

EMPTY_RESULTS = b'{"head": {"vars": ["s", "p", "o"]}, "results": {"bindings": []}}'


@pytest.fixture
def listener() -> Iterator[socket.socket]:
    """A socket the server could be made to connect to: did anything connect?"""
    with listening(0.2) as server:
        yield server


def service_query(listener: socket.socket) -> str:
    return f"SELECT * WHERE {{ SERVICE <http://127.0.0.1:{listener.getsockname()[1]}/sparql> {{ ?s ?p ?o }} }}"


def answer_once(listener: socket.socket, asked: list[bytes]) -> threading.Thread:
    """Answer one SPARQL request on ``listener`` with no solutions, in a thread."""
    listener.settimeout(20)

    def serve() -> None:
        connection, _ = listener.accept()
        with connection:
            asked.append(connection.recv(65536))
            connection.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/sparql-results+json\r\n"
                               b"Content-Length: %d\r\nConnection: close\r\n\r\n" % len(EMPTY_RESULTS) + EMPTY_RESULTS)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    return thread


@pytest.fixture
def disk_store(tmp_path: Path) -> Iterator[ClaimStore]:
    with ClaimStore.open(tmp_path / "store") as store:
        yield store


def test_a_query_worker_cannot_connect(disk_store: ClaimStore, listener: socket.socket) -> None:
    runner = WorkerPoolRunner(disk_store, ServerState(ServerSettings(query_workers=1)))
    try:
        with pytest.raises(QueryError, match="not permitted"):
            runner.run(QueryJob(service_query(listener)))  # straight to the worker: no guard
        assert not connected(listener)
        assert runner.run(QueryJob("ASK { }")).body, "the worker still answers over its pipe"
    finally:
        runner.close()


def test_with_allow_service_a_query_worker_connects(disk_store: ClaimStore, listener: socket.socket) -> None:
    asked: list[bytes] = []
    remote = answer_once(listener, asked)
    runner = WorkerPoolRunner(disk_store, ServerState(ServerSettings(query_workers=1, allow_service=True)))
    try:
        assert runner.run(QueryJob(service_query(listener))).body
    finally:
        runner.close()
    remote.join(5)
    assert asked and asked[0].startswith((b"GET", b"POST"))


def test_the_sandbox_cannot_connect_even_when_service_is_allowed(listener: socket.socket) -> None:
    sandbox = Sandbox()
    url = f"http://127.0.0.1:{listener.getsockname()[1]}/data.ttl"
    try:
        # refuse_remote=False: the guard lets LOAD through; only the wall stands between
        sandbox.check(("update", f"LOAD <{url}>", None, False), 30)
        sandbox.check(("query", f"ASK {{ SERVICE <{url}> {{ ?s ?p ?o }} }}", None, False), 30)
    finally:
        sandbox.close()
    assert not connected(listener)


def test_the_filter_blocks_inet_and_keeps_unix_sockets_and_pipes(listener: socket.socket) -> None:
    port = listener.getsockname()[1]
    script = f"""
import os, socket
from oncoclaims.api.network_wall import close_network, network_closed_here
assert close_network() and network_closed_here()
for family, address in ((socket.AF_INET, ("127.0.0.1", {port})), (socket.AF_INET6, ("::1", {port}))):
    try:
        socket.socket(family).connect(address)
        raise SystemExit("connected")
    except PermissionError:
        pass
a, b = socket.socketpair()
a.sendall(b"x"); assert b.recv(1) == b"x"
r, w = os.pipe(); os.write(w, b"y"); assert os.read(r, 1) == b"y"
print("walled")
"""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)  # noqa: S603
    assert done.returncode == 0 and "walled" in done.stdout, done.stderr
    assert not connected(listener)
