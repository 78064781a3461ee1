"""The server on the reference graph: landing page and SPARQL JSON over HTTP."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from oncoclaims.api import create_app
from oncoclaims.graph.store import ClaimStore

COUNT = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"


@pytest.fixture
def client(store: ClaimStore) -> TestClient:
    return TestClient(create_app(store))


def test_landing_page_links_the_sparql_endpoint(client: TestClient) -> None:
    response = client.get("/")
    assert response.status_code == 200
    assert "/sparql" in response.text


def test_get_query_returns_sparql_json_with_a_nonzero_count(client: TestClient) -> None:
    response = client.get("/sparql", params={"query": COUNT})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/sparql-results+json")
    assert int(response.json()["results"]["bindings"][0]["n"]["value"]) > 400


def test_post_form_and_direct_body_give_the_same_answer(client: TestClient) -> None:
    form = client.post("/sparql", data={"query": COUNT})
    direct = client.post("/sparql", content=COUNT, headers={"content-type": "application/sparql-query"})
    assert form.status_code == direct.status_code == 200
    assert form.json() == direct.json()


def test_malformed_query_is_a_400_and_the_server_keeps_serving(client: TestClient) -> None:
    response = client.get("/sparql", params={"query": "SELECT * WHERE {"})
    assert response.status_code == 400
    assert client.get("/sparql", params={"query": COUNT}).status_code == 200
