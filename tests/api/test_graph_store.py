"""``/rdf-graphs`` beyond the W3C tests: who may write, broken bodies, limits, formats, caches."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pyoxigraph as ox
import pytest
import rdflib
from rdflib.compare import isomorphic
from w3c_server import TOKEN, writable_server

from oncoclaims.api.write_access import MAX_BODY_BYTES
from oncoclaims.graph.store import ClaimStore
from oncoclaims.ontology import ontology_quads
from oncoclaims.reference import reference_quads

GRAPH = "https://example.org/graphs/g1"
AUTH = {"authorization": f"Bearer {TOKEN}"}
TURTLE = {"content-type": "text/turtle", **AUTH}
DATA = '@prefix ex: <https://example.org/> .\nex:a ex:p "one" ; ex:q [ ex:r 2 ] .\n'


@pytest.fixture
def writable() -> Iterator[tuple[str, ClaimStore]]:
    store = ClaimStore.in_memory()
    store.extend(ontology_quads())
    store.extend(reference_quads())
    with writable_server(store) as running:
        yield running


def _quads(store: ClaimStore) -> set[str]:
    return {str(q) for q in store}


def test_read_only_server_refuses_writes_and_reads_graphs(live_server: str) -> None:
    ontology = "https://w3id.org/oncoclaims/graph/ontology"
    for method in ("PUT", "POST", "DELETE"):
        refused = httpx.request(method, f"{live_server}/rdf-graphs", params={"graph": ontology},
                                content=DATA, headers=TURTLE)
        assert refused.status_code == 403 and "--update-token" in refused.json()["error"]["detail"]
    got = httpx.get(f"{live_server}/rdf-graphs", params={"graph": ontology})
    assert got.status_code == 200 and got.headers["content-type"].startswith("text/turtle")
    assert len(rdflib.Graph().parse(data=got.text, format="turtle")) > 50


def test_writes_need_the_token_and_refusals_change_nothing(writable) -> None:
    base, store = writable
    before = _quads(store)
    url = f"{base}/rdf-graphs"
    for headers in ({"content-type": "text/turtle"}, {"content-type": "text/turtle", "authorization": TOKEN}):
        for method in ("PUT", "POST"):
            refused = httpx.request(method, url, params={"graph": GRAPH}, content=DATA, headers=headers)
            assert refused.status_code == 401 and refused.headers["www-authenticate"].startswith("Bearer")
    for method in ("PUT", "POST"):
        wrong = httpx.request(method, url, params={"graph": GRAPH}, content=DATA,
                              headers={"content-type": "text/turtle", "authorization": "Bearer nope"})
        assert wrong.status_code == 403
    deleted = httpx.delete(url, params={"graph": "https://w3id.org/oncoclaims/graph/ontology"})
    assert deleted.status_code == 401
    assert _quads(store) == before


def test_put_post_get_delete_round_trip(writable) -> None:
    base, store = writable
    url = f"{base}/rdf-graphs"
    created = httpx.put(url, params={"graph": GRAPH}, content=DATA, headers=TURTLE)
    assert created.status_code == 201
    assert len(list(store.quads(graph=ox.NamedNode(GRAPH)))) == 3
    replaced = httpx.put(url, params={"graph": GRAPH}, content='<https://example.org/b> <https://example.org/p> "x" .',
                         headers=TURTLE)
    assert replaced.status_code == 204
    assert [q.subject.value for q in store.quads(graph=ox.NamedNode(GRAPH))] == ["https://example.org/b"]
    merged = httpx.post(url, params={"graph": GRAPH}, content=DATA, headers=TURTLE)
    assert merged.status_code == 204 and len(list(store.quads(graph=ox.NamedNode(GRAPH)))) == 4
    assert httpx.head(url, params={"graph": GRAPH}).status_code == 200
    assert httpx.delete(url, params={"graph": GRAPH}, headers=AUTH).status_code == 204
    assert GRAPH not in {g.value for g in store.named_graphs()}
    assert httpx.get(url, params={"graph": GRAPH}).status_code == 404
    assert httpx.head(url, params={"graph": GRAPH}).status_code == 404
    assert httpx.delete(url, params={"graph": GRAPH}, headers=AUTH).status_code == 404


@pytest.mark.parametrize("media, fmt", [("text/turtle", "turtle"), ("application/n-triples", "nt"),
                                        ("application/ld+json", "json-ld"), ("application/rdf+xml", "xml")])
def test_get_negotiates_every_graph_format(writable, media: str, fmt: str) -> None:
    base, _ = writable
    httpx.put(f"{base}/rdf-graphs", params={"graph": GRAPH}, content=DATA, headers=TURTLE)
    got = httpx.get(f"{base}/rdf-graphs", params={"graph": GRAPH}, headers={"accept": f"{media}, */*;q=0.1"})
    assert got.status_code == 200 and got.headers["content-type"].startswith(media)
    expected = rdflib.Graph().parse(data=DATA, format="turtle")
    assert isomorphic(rdflib.Graph().parse(data=got.text, format=fmt), expected)
    refused = httpx.get(f"{base}/rdf-graphs", params={"graph": GRAPH}, headers={"accept": "image/png"})
    assert refused.status_code == 406


def test_a_broken_body_says_where_and_changes_nothing(writable) -> None:
    base, store = writable
    httpx.put(f"{base}/rdf-graphs", params={"graph": GRAPH}, content=DATA, headers=TURTLE)
    before = _quads(store)
    broken = "@prefix ex: <https://example.org/> .\nex:a ex:p \"fine\" .\nex:b ex:p ex:c ex:d .\n"
    for method in ("PUT", "POST"):
        bad = httpx.request(method, f"{base}/rdf-graphs", params={"graph": GRAPH}, content=broken, headers=TURTLE)
        assert bad.status_code == 400 and bad.json()["error"]["title"] == "Malformed RDF"
        assert "request body:3:" in bad.json()["error"]["detail"], "line 3 and its column"
    assert _quads(store) == before, "the good first triple was not written either"


def test_multipart_post_merges_every_part_or_none(writable) -> None:
    base, store = writable
    url = f"{base}/rdf-graphs"
    parts = {"a": ("a.ttl", DATA, "text/turtle"),
             "b": ("b.nt", '<https://example.org/z> <https://example.org/p> "z" .\n', "application/n-triples")}
    assert httpx.post(url, params={"graph": GRAPH}, files=parts, headers=AUTH).status_code == 201
    assert len(list(store.quads(graph=ox.NamedNode(GRAPH)))) == 4
    before = _quads(store)
    bad_parts = {**parts, "c": ("c.ttl", "<https://example.org/x> <", "text/turtle")}
    bad = httpx.post(url, params={"graph": GRAPH}, files=bad_parts, headers=AUTH)
    assert bad.status_code == 400 and "part c.ttl:1:" in bad.json()["error"]["detail"]
    assert _quads(store) == before


def test_unknown_types_and_big_bodies_are_refused(writable) -> None:
    base, store = writable
    before = _quads(store)
    url = f"{base}/rdf-graphs"
    wrong = httpx.put(url, params={"graph": GRAPH}, content=DATA, headers={"content-type": "text/csv", **AUTH})
    assert wrong.status_code == 415 and "text/turtle" in wrong.json()["error"]["detail"]
    untyped = httpx.put(url, params={"graph": GRAPH}, content=DATA, headers=AUTH)
    assert untyped.status_code == 415
    huge = httpx.put(url, params={"graph": GRAPH}, content=b"#" * (MAX_BODY_BYTES + 1), headers=TURTLE)
    assert huge.status_code == 413

    def chunks() -> Iterator[bytes]:  # no Content-Length: the limit holds on the stream too
        for _ in range(3):
            yield b"#" * (MAX_BODY_BYTES // 2)

    streamed = httpx.put(url, params={"graph": GRAPH}, content=chunks(), headers=TURTLE)
    assert streamed.status_code == 413
    assert _quads(store) == before


def test_bodies_that_name_graphs_and_bad_graph_names_are_refused(writable) -> None:
    base, store = writable
    before = _quads(store)
    url = f"{base}/rdf-graphs"
    jsonld = '{"@id": "https://example.org/elsewhere", "@graph": [{"@id": "https://example.org/a", ' \
             '"https://example.org/p": "x"}]}'
    named = httpx.put(url, params={"graph": GRAPH}, content=jsonld, headers={"content-type": "application/ld+json", **AUTH})
    assert named.status_code == 400 and "https://example.org/elsewhere" in named.json()["error"]["detail"]
    assert httpx.put(url, params={"graph": "not an iri"}, content=DATA, headers=TURTLE).status_code == 400
    assert httpx.get(url, params=[("graph", GRAPH), ("graph", GRAPH + "2")]).status_code == 400
    assert httpx.get(url, params={"graph": GRAPH, "default": ""}).status_code == 400
    assert httpx.get(url).status_code == 400
    assert _quads(store) == before


def test_default_is_the_stores_own_default_graph_and_part_of_the_sparql_union(writable) -> None:
    base, store = writable
    url = f"{base}/rdf-graphs?default"
    assert httpx.get(url).status_code == 200 and httpx.get(url, headers={"accept": "application/n-triples"}).text == ""
    assert httpx.put(url, content=DATA, headers=TURTLE).status_code == 204
    assert len(list(store.quads(graph=ox.DefaultGraph()))) == 3
    ask = "ASK { <https://example.org/a> <https://example.org/p> \"one\" }"
    assert httpx.get(f"{base}/sparql", params={"query": ask}).json()["boolean"] is True
    assert httpx.delete(url, headers=AUTH).status_code == 204
    assert list(store.quads(graph=ox.DefaultGraph())) == []
    assert httpx.get(url).status_code == 200, "the default graph still exists, empty"
    assert len(store) > 1000, "the named graphs are untouched"


def test_direct_identification_and_post_to_the_service(writable) -> None:
    base, store = writable
    direct = f"{base}/rdf-graphs/people/1.ttl"
    assert httpx.put(direct, content="<#me> <https://example.org/p> \"me\" .", headers=TURTLE).status_code == 201
    assert [q.subject.value for q in store.quads(graph=ox.NamedNode(direct))] == [f"{direct}#me"], \
        "the graph IRI is the URL, and the base of relative IRIs"
    assert httpx.get(f"{base}/rdf-graphs", params={"graph": direct}).status_code == 200
    created = httpx.post(f"{base}/rdf-graphs", content=DATA, headers=TURTLE)
    assert created.status_code == 201
    location = created.headers["location"]
    assert location.startswith(f"{base}/rdf-graphs/") and ox.NamedNode(location) in store.named_graphs()
    assert isomorphic(rdflib.Graph().parse(data=httpx.get(location).text, format="turtle"),
                      rdflib.Graph().parse(data=DATA, format="turtle"))


def test_claim_lists_refresh_after_a_graph_store_write(writable) -> None:
    base, _ = writable
    assert httpx.get(f"{base}/claims").json()["total"] == 13
    claim = ('@prefix oc: <https://w3id.org/oncoclaims/vocab#> . @prefix schema: <https://schema.org/> .\n'
             '<https://example.org/c> a oc:Claim ; schema:text "New." .')
    assert httpx.put(f"{base}/rdf-graphs", params={"graph": GRAPH}, content=claim, headers=TURTLE).status_code == 201
    assert httpx.get(f"{base}/claims").json()["total"] == 14
    assert httpx.delete(f"{base}/rdf-graphs", params={"graph": GRAPH}, headers=AUTH).status_code == 204
    assert httpx.get(f"{base}/claims").json()["total"] == 13


def test_the_service_description_names_the_graph_store(live_server: str) -> None:
    description = rdflib.Graph().parse(data=httpx.get(f"{live_server}/sparql").text, format="turtle")
    graph_store = rdflib.URIRef(f"{live_server}/rdf-graphs")
    assert (None, rdflib.RDFS.seeAlso, graph_store) in description
    assert (graph_store, rdflib.DCTERMS.conformsTo, rdflib.URIRef("http://www.w3.org/TR/sparql11-http-rdf-update/")) \
        in description


def test_the_service_description_announces_update_only_when_it_is_on(live_server: str, writable) -> None:
    sd = rdflib.Namespace("http://www.w3.org/ns/sparql-service-description#")
    read_only = rdflib.Graph().parse(data=httpx.get(f"{live_server}/sparql").text, format="turtle")
    assert (None, sd.supportedLanguage, sd.SPARQL11Query) in read_only
    assert (None, sd.supportedLanguage, sd.SPARQL11Update) not in read_only
    base, _ = writable
    with_token = rdflib.Graph().parse(data=httpx.get(f"{base}/sparql").text, format="turtle")
    assert (None, sd.supportedLanguage, sd.SPARQL11Query) in with_token
    assert (None, sd.supportedLanguage, sd.SPARQL11Update) in with_token


def test_blank_nodes_of_separate_bodies_stay_distinct(writable) -> None:
    base, store = writable
    body = "_:b1 <https://example.org/p> 1 .\n_:b1 <https://example.org/q> 2 .\n"
    for _ in range(2):
        httpx.post(f"{base}/rdf-graphs", params={"graph": GRAPH}, content=body,
                   headers=TURTLE)
    subjects = [q.subject for q in store.quads(graph=ox.NamedNode(GRAPH))]
    assert len(subjects) == 4 and len(set(subjects)) == 2, "one node per document, not one for both"


def test_direct_graph_urls_keep_their_percent_encoding(writable) -> None:
    base, store = writable
    direct = f"{base}/rdf-graphs/a%20b/c%2Fd"
    assert httpx.put(direct, content=DATA, headers=TURTLE).status_code == 201
    assert ox.NamedNode(direct) in store.named_graphs()
    assert httpx.get(direct).status_code == 200
    assert httpx.get(f"{base}/rdf-graphs", params={"graph": direct}).status_code == 200
