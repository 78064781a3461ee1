"""SPARQL Update behind a bearer token, and CORS, on a real server per test."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
import rdflib
from app_server import serving
from rdflib.plugins.stores.sparqlstore import SPARQLUpdateStore

from oncoclaims.api import ServerSettings, create_app
from oncoclaims.graph.store import ClaimStore
from oncoclaims.ontology import ontology_quads
from oncoclaims.reference import reference_quads

TOKEN = "s3cret-token"
INSERT = 'INSERT DATA { GRAPH <https://example.org/g> { <https://example.org/s> <https://example.org/p> "o" } }'


@pytest.fixture
def writable() -> Iterator[tuple[str, ClaimStore]]:
    store = ClaimStore.in_memory()
    store.extend(ontology_quads())
    store.extend(reference_quads())
    app = create_app(store, ServerSettings(update_token=TOKEN, cors_origins=("https://factcheck.example",)))
    with serving(app) as base:
        yield base, store


def test_updates_need_the_token(writable) -> None:
    base, store = writable
    before = len(store)
    headers = {"content-type": "application/sparql-update"}
    missing = httpx.post(f"{base}/sparql", content=INSERT, headers=headers)
    assert missing.status_code == 401 and missing.headers["www-authenticate"].startswith("Bearer")
    wrong = httpx.post(f"{base}/sparql", content=INSERT, headers={**headers, "authorization": "Bearer nope"})
    assert wrong.status_code == 403
    assert len(store) == before, "refused updates change nothing"
    ok = httpx.post(f"{base}/sparql", content=INSERT, headers={**headers, "authorization": f"Bearer {TOKEN}"})
    assert ok.status_code == 204 and len(store) == before + 1
    bad = httpx.post(f"{base}/sparql", content="INSERT DATA {", headers={**headers, "authorization": f"Bearer {TOKEN}"})
    assert bad.status_code == 400 and len(store) == before + 1


def test_rdflib_sparqlupdatestore_with_the_token(writable) -> None:
    base, store = writable
    update_store = SPARQLUpdateStore(query_endpoint=f"{base}/sparql", update_endpoint=f"{base}/sparql",
                                     auth=None, headers={"Authorization": f"Bearer {TOKEN}"})
    graph = rdflib.Graph(update_store, identifier=rdflib.URIRef("https://example.org/g2"))
    graph.add((rdflib.URIRef("https://example.org/a"), rdflib.URIRef("https://example.org/b"), rdflib.Literal("c")))
    assert any(q.object.value == "c" for q in store.inner.quads_for_pattern(None, None, None, None))
    assert len(list(graph.query("SELECT ?o WHERE { GRAPH <https://example.org/g2> { ?s ?p ?o } }"))) == 1


def test_claim_lists_refresh_after_an_update(writable) -> None:
    base, _ = writable
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
    base, _ = writable
    allowed = httpx.get(f"{base}/therapies", headers={"origin": "https://factcheck.example"})
    assert allowed.headers.get("access-control-allow-origin") == "https://factcheck.example"
    other = httpx.get(f"{base}/therapies", headers={"origin": "https://elsewhere.example"})
    assert "access-control-allow-origin" not in other.headers


def test_read_only_by_default(live_server: str) -> None:
    refused = httpx.post(f"{live_server}/sparql", content=INSERT, headers={"content-type": "application/sparql-update"})
    assert refused.status_code == 403 and "--update-token" in refused.json()["error"]["detail"]
