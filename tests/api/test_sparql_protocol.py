"""The SPARQL 1.1 Protocol at /sparql, driven by real clients over a real socket, on the
reference graph kept on each backend: the embedded store, a real Oxigraph server and a real
Virtuoso (tests/api/served.py). Every answer is the same on all three."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator

import httpx
import pytest
import rdflib
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from served import BACKENDS, load, served
from SPARQLWrapper import CSV, JSON, JSONLD, N3, RDFXML, TSV, TURTLE, XML, SPARQLWrapper

from oncoclaims.ontology import ontology_quads
from oncoclaims.reference import reference_quads

COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
CLAIMS = "PREFIX oc: <https://w3id.org/oncoclaims/vocab#> SELECT ?c WHERE { ?c a oc:Claim }"
CONSTRUCT = ("PREFIX oc: <https://w3id.org/oncoclaims/vocab#> PREFIX schema: <https://schema.org/> "
             "CONSTRUCT { ?c schema:text ?t } WHERE { ?c a oc:Claim ; schema:text ?t }")


@pytest.fixture(scope="module", params=BACKENDS)
def live_server(request: pytest.FixtureRequest) -> Iterator[str]:
    """The base URL of a read-only API over the ontology and the reference graph, on each backend."""
    with served(request.param, request) as running:
        load(running, [*ontology_quads(), *reference_quads()])
        yield running.base


def wrapper(base: str, query: str, fmt: str) -> SPARQLWrapper:
    client = SPARQLWrapper(f"{base}/sparql")
    client.setQuery(query)
    client.setReturnFormat(fmt)
    return client


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_sparqlwrapper_select_in_every_result_format(live_server: str, method: str) -> None:
    client = wrapper(live_server, CLAIMS, JSON)
    client.setMethod(method)
    rows = client.query().convert()["results"]["bindings"]
    assert len(rows) == 13
    client.setReturnFormat(XML)
    assert len(client.query().convert().getElementsByTagName("result")) == 13
    client.setReturnFormat(CSV)
    assert len(list(csv.reader(io.StringIO(client.query().convert().decode())))) == 14
    client.setReturnFormat(TSV)
    assert len(client.query().convert().decode().strip().splitlines()) == 14


def test_sparqlwrapper_ask(live_server: str) -> None:
    client = wrapper(live_server, "ASK { ?s ?p ?o }", JSON)
    assert client.query().convert()["boolean"] is True


@pytest.mark.parametrize("fmt", [TURTLE, RDFXML, JSONLD, N3])
def test_sparqlwrapper_construct_in_every_graph_format(live_server: str, fmt: str) -> None:
    result = wrapper(live_server, CONSTRUCT, fmt).query().convert()
    graph = result if isinstance(result, rdflib.Graph) else rdflib.Graph().parse(
        data=result, format={TURTLE: "turtle", JSONLD: "json-ld", N3: "n3"}.get(fmt, "xml"))
    assert len(graph) == 13


def test_rdflib_sparqlstore(live_server: str) -> None:
    graph = rdflib.Graph(SPARQLStore(f"{live_server}/sparql"))
    rows = list(graph.query(CLAIMS))
    assert len(rows) == 13


@pytest.mark.parametrize(
    "accept, expected",
    [
        ("application/sparql-results+xml", "application/sparql-results+xml"),
        ("text/csv;q=0.4, text/tab-separated-values;q=0.9", "text/tab-separated-values"),
        ("*/*", "application/sparql-results+json"),
        ("text/*", "text/csv"),
        ("application/json", "application/json"),
    ],
)
def test_content_negotiation_with_q_values(live_server: str, accept: str, expected: str) -> None:
    response = httpx.get(f"{live_server}/sparql", params={"query": COUNT}, headers={"accept": accept})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(expected)


def test_graph_results_negotiate_too(live_server: str) -> None:
    response = httpx.get(f"{live_server}/sparql", params={"query": CONSTRUCT}, headers={"accept": "application/ld+json"})
    assert response.headers["content-type"].startswith("application/ld+json")
    assert len(json.loads(response.text)) == 13


def test_errors_have_the_right_status_and_the_server_keeps_serving(live_server: str) -> None:
    bad = httpx.get(f"{live_server}/sparql", params={"query": "SELECT * WHERE {"})
    assert bad.status_code == 400 and "Malformed query" in bad.json()["error"]["title"]
    assert "error at 1:17" in bad.json()["error"]["detail"], "the parser says where"
    assert httpx.get(f"{live_server}/sparql", params={"query": COUNT}, headers={"accept": "image/png"}).status_code == 406
    unsupported = httpx.post(f"{live_server}/sparql", content=COUNT, headers={"content-type": "text/plain"})
    assert unsupported.status_code == 415
    huge = httpx.post(f"{live_server}/sparql", content="#" * (2 * 1024 * 1024),
                      headers={"content-type": "application/sparql-query"})
    assert huge.status_code == 413
    update = httpx.post(f"{live_server}/sparql", content="DROP ALL", headers={"content-type": "application/sparql-update"})
    assert update.status_code == 403
    missing = httpx.get(f"{live_server}/no-such-route")
    assert missing.status_code == 404 and missing.json()["error"]["status"] == 404
    assert httpx.get(f"{live_server}/sparql", params={"query": COUNT}).status_code == 200
    assert int(httpx.get(f"{live_server}/sparql", params={"query": COUNT}).json()["results"]["bindings"][0]["n"]["value"]) > 2000


def test_dataset_parameters_choose_the_graphs(live_server: str) -> None:
    ontology = "https://w3id.org/oncoclaims/graph/ontology"
    only = httpx.get(f"{live_server}/sparql", params={"query": CLAIMS, "default-graph-uri": ontology})
    assert only.json()["results"]["bindings"] == []
    named = httpx.get(f"{live_server}/sparql", params={
        "query": "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }", "named-graph-uri": ontology})
    assert [b["g"]["value"] for b in named.json()["results"]["bindings"]] == [ontology]


def test_service_description(live_server: str) -> None:
    response = httpx.get(f"{live_server}/sparql")
    assert response.headers["content-type"].startswith("text/turtle")
    graph = rdflib.Graph().parse(data=response.text, format="turtle")
    sd = rdflib.Namespace("http://www.w3.org/ns/sparql-service-description#")
    assert (None, sd.supportedLanguage, sd.SPARQL11Query) in graph


def test_relative_iris_resolve_against_the_endpoint_url_the_client_asked_for(live_server: str) -> None:
    query = {"query": "SELECT ?x WHERE { BIND(<claim/x> AS ?x) }"}
    for host in ("a.example", "b.example:8080", "a.example"):  # the base is remembered per host
        response = httpx.get(f"{live_server}/sparql", params=query, headers={"Host": host})
        response.raise_for_status()
        assert response.json()["results"]["bindings"][0]["x"]["value"] == f"http://{host}/claim/x"
