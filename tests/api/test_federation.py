"""SERVICE (federated query) is refused by /sparql unless switched on: a public endpoint must
not make the server fetch addresses its clients choose.

The endpoint tests point SERVICE at a socket of this test and check whether the server
ever connects to it.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator

import httpx
import pyoxigraph as ox
import pytest
from app_server import serving

from oncoclaims.api import create_app
from oncoclaims.api.federation import uses_service
from oncoclaims.api.settings import ServerSettings
from oncoclaims.graph.store import ClaimStore


@pytest.mark.parametrize("query", [
    "SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }",
    "select * { service silent <http://example.org/sparql> { ?s ?p ?o } }",
    "SELECT * { SERVICE?endpoint{ ?s ?p ?o } VALUES ?endpoint { <http://example.org/> } }",
    "PREFIX ex: <http://example.org/> SELECT * { SERVICE ex:sparql { ?s ?p ?o } }",
    "SELECT * { \\u0053ERVICE <http://example.org/sparql> { ?s ?p ?o } }",
    "SELECT * { # a comment\n SERVICE\n<http://example.org/sparql> { ?s ?p ?o } }",
])
def test_service_clauses_are_found(query: str) -> None:
    assert uses_service(query)


@pytest.mark.parametrize("query", [
    "SELECT ?service WHERE { ?service ?p ?o }",
    "PREFIX service: <http://example.org/> SELECT * { ?s service:p ?o }",
    "PREFIX ex: <http://example.org/> SELECT * { ?s ex:SERVICE ?o . _:SERVICE ?p ?o }",
    "SELECT * { <http://example.org/SERVICE> ?p ?o }",
    'SELECT * { ?s ?p "SERVICE <http://example.org/> {" }',
    "SELECT * { ?s ?p '''it's a SERVICE <x> { }''' }",
    'SELECT * { ?s ?p """say \\"SERVICE <x> {\\" """ }',
    "SELECT * { ?s ?p ?o FILTER(?s < ?o) } # SERVICE <http://example.org/> { }",
])
def test_the_word_elsewhere_is_not_a_service_clause(query: str) -> None:
    assert not uses_service(query)
    ox.Store().query(query)  # and each is a query pyoxigraph runs (no SERVICE evaluated)


@pytest.fixture
def listener() -> Iterator[socket.socket]:
    """A socket the server could be made to connect to: did anything connect?"""
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        server.settimeout(0.5)
        yield server


def _connected(listener: socket.socket) -> bool:
    try:
        connection, _ = listener.accept()
    except TimeoutError:
        return False
    connection.close()
    return True


def _service_query(listener: socket.socket) -> str:
    port = listener.getsockname()[1]
    return f"SELECT * WHERE {{ SERVICE <http://127.0.0.1:{port}/sparql> {{ ?s ?p ?o }} }}"


def test_the_endpoint_refuses_service_and_never_connects(listener: socket.socket) -> None:
    with serving(create_app(ClaimStore.in_memory())) as base:
        answer = httpx.get(f"{base}/sparql", params={"query": _service_query(listener)})
        assert answer.status_code == 400
        assert answer.json()["error"]["title"] == "Federated query is off"
        assert "--allow-service" in answer.json()["error"]["detail"]
        assert not _connected(listener)
        still = httpx.get(f"{base}/sparql", params={"query": "ASK { ?s ?p ?o }"})
        assert still.json()["boolean"] is False, "and it keeps serving"
        description = httpx.get(f"{base}/sparql").text
        assert "BasicFederatedQuery" not in description


def test_with_allow_service_the_query_goes_out(listener: socket.socket) -> None:
    listener.settimeout(10)
    asked: list[bytes] = []

    def answer_once() -> None:  # a SPARQL endpoint with no solutions
        connection, _ = listener.accept()
        with connection:
            asked.append(connection.recv(65536))
            body = b'{"head": {"vars": ["s", "p", "o"]}, "results": {"bindings": []}}'
            head = (b"HTTP/1.1 200 OK\r\nContent-Type: application/sparql-results+json\r\n"
                    b"Content-Length: %d\r\nConnection: close\r\n\r\n" % len(body))
            connection.sendall(head + body)

    remote = threading.Thread(target=answer_once, daemon=True)
    remote.start()
    settings = ServerSettings(allow_service=True)
    with serving(create_app(ClaimStore.in_memory(), settings)) as base:
        answer = httpx.get(f"{base}/sparql", params={"query": _service_query(listener)}, timeout=20)
        assert answer.status_code == 200, answer.text
        assert answer.json()["results"]["bindings"] == []
        assert "BasicFederatedQuery" in httpx.get(f"{base}/sparql").text
    remote.join(5)
    assert asked and asked[0].startswith((b"GET", b"POST")), "the server asked the remote endpoint"
