"""SPARQL Update behind a bearer token, and CORS, on a real server on each backend (the embedded
store, a real Oxigraph server, a real Virtuoso: tests/api/served.py), the reference graph
loaded again before each test."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
import rdflib
from rdflib.plugins.stores.sparqlstore import SPARQLUpdateStore
from served import BACKENDS, Served, clear, load, served

from oncoclaims.api import ServerSettings
from oncoclaims.ontology import ontology_quads
from oncoclaims.reference import reference_quads

TOKEN = "s3cret-token"
INSERT = 'INSERT DATA { GRAPH <https://example.org/g> { <https://example.org/s> <https://example.org/p> "o" } }'
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"


@pytest.fixture(scope="module", params=BACKENDS)
def server(request: pytest.FixtureRequest) -> Iterator[Served]:
    settings = ServerSettings(update_token=TOKEN, cors_origins=("https://factcheck.example",))
    with served(request.param, request, settings) as running:
        yield running


@pytest.fixture
def writable(server: Served) -> tuple[str, Served]:
    clear(server)
    load(server, [*ontology_quads(), *reference_quads()])
    return server.base, server


def _size(server: Served) -> int:
    return int(server.backend.select(COUNT).rows[0][0].value)  # type: ignore[union-attr]


def test_updates_need_the_token(writable) -> None:
    base, store = writable
    before = _size(store)
    headers = {"content-type": "application/sparql-update"}
    missing = httpx.post(f"{base}/sparql", content=INSERT, headers=headers)
    assert missing.status_code == 401 and missing.headers["www-authenticate"].startswith("Bearer")
    wrong = httpx.post(f"{base}/sparql", content=INSERT, headers={**headers, "authorization": "Bearer nope"})
    assert wrong.status_code == 403
    assert _size(store) == before, "refused updates change nothing"
    ok = httpx.post(f"{base}/sparql", content=INSERT, headers={**headers, "authorization": f"Bearer {TOKEN}"})
    assert ok.status_code == 204 and _size(store) == before + 1
    bad = httpx.post(f"{base}/sparql", content="INSERT DATA {", headers={**headers, "authorization": f"Bearer {TOKEN}"})
    assert bad.status_code == 400 and _size(store) == before + 1


def test_rdflib_sparqlupdatestore_with_the_token(writable) -> None:
    base, store = writable
    update_store = SPARQLUpdateStore(query_endpoint=f"{base}/sparql", update_endpoint=f"{base}/sparql",
                                     auth=None, headers={"Authorization": f"Bearer {TOKEN}"})
    graph = rdflib.Graph(update_store, identifier=rdflib.URIRef("https://example.org/g2"))
    graph.add((rdflib.URIRef("https://example.org/a"), rdflib.URIRef("https://example.org/b"), rdflib.Literal("c")))
    assert store.backend.ask('ASK { GRAPH <https://example.org/g2> { ?s ?p "c" } }')
    # rdflib asks with default-graph-uri=g2: the dataset is that graph alone (SPARQL 1.1 Protocol 2.1.4)
    assert [str(row[0]) for row in graph.query("SELECT ?o WHERE { ?s ?p ?o }")] == ["c"]
    named = list(graph.query("SELECT ?o WHERE { GRAPH <https://example.org/g2> { ?s ?p ?o } }"))
    # Virtuoso keeps every named graph in view all the same (docs/deployment.md)
    assert len(named) == (1 if store.kind == "virtuoso" else 0)


def test_claim_lists_refresh_after_an_update(writable) -> None:
    base, server = writable
    assert httpx.get(f"{base}/claims").json()["total"] == 13
    institutions = httpx.get(f"{base}/institutions").json()["total"]
    insert = ('PREFIX oc: <https://w3id.org/oncoclaims/vocab#> PREFIX schema: <https://schema.org/> '
              'INSERT DATA { GRAPH <https://example.org/g> { <https://example.org/c> a oc:Claim ; schema:text "New." . '
              '<https://example.org/i> a oc:Institution } }')
    httpx.post(f"{base}/sparql", content=insert,
               headers={"content-type": "application/sparql-update", "authorization": f"Bearer {TOKEN}"})
    assert httpx.get(f"{base}/claims").json()["total"] == 14
    assert httpx.get(f"{base}/institutions").json()["total"] == institutions + 1


def test_cors_allows_the_configured_origin_only(writable) -> None:
    base, server = writable
    allowed = httpx.get(f"{base}/therapies", headers={"origin": "https://factcheck.example"})
    assert allowed.headers.get("access-control-allow-origin") == "https://factcheck.example"
    other = httpx.get(f"{base}/therapies", headers={"origin": "https://elsewhere.example"})
    assert "access-control-allow-origin" not in other.headers


def test_read_only_by_default(live_server: str) -> None:
    refused = httpx.post(f"{live_server}/sparql", content=INSERT, headers={"content-type": "application/sparql-update"})
    assert refused.status_code == 403 and "--update-token" in refused.json()["error"]["detail"]
