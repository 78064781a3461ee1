"""The W3C SPARQL 1.1 Protocol test suite (``tests/data/w3c/protocol/manifest.ttl``), one case per test.

Every request goes over a real socket to a server on each backend (a fresh in-memory
store, a real Oxigraph server, a real Virtuoso: tests/api/served.py), with the graphs each
test names (``ut:graphData``) loaded from ``data1..3.nt``. The manifest's
``/sparql/`` is our ``/sparql``; every request carries our update token, since the
manifest assumes an endpoint open to updates (our read-only default is tested in
``test_updates.py``).
"""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import quote

import httpx
import pyoxigraph as ox
import pytest
from served import BACKENDS, Served, clear, load, served
from w3c_manifest import W3C, ManifestTest, manifest_tests
from w3c_server import TOKEN

from oncoclaims.api import ServerSettings
from oncoclaims.api.sparql import GRAPH_TYPES, MAX_BODY_BYTES, RESULT_TYPES

MANIFEST = W3C / "protocol" / "manifest.ttl"
TESTS = manifest_tests(MANIFEST)

#: Tests we do not pass, and why.
NOT_OFFERED = {
    "update_dataset_default_graph":
        "using-graph-uri is refused with 400: pyoxigraph's Store.update takes no dataset",
    "update_dataset_default_graphs":
        "using-graph-uri is refused with 400: pyoxigraph's Store.update takes no dataset",
    "update_dataset_named_graphs":
        "using-named-graph-uri is refused with 400: pyoxigraph's Store.update takes no dataset",
    "update_dataset_full":
        "using-graph-uri / using-named-graph-uri are refused with 400: pyoxigraph's Store.update takes no dataset",
}


@pytest.fixture(scope="module", params=BACKENDS)
def server(request: pytest.FixtureRequest) -> Iterator[Served]:
    with served(request.param, request, ServerSettings(update_token=TOKEN)) as running:
        yield running


def _boolean(response: httpx.Response) -> bool:
    media = response.headers["content-type"].split(";")[0]
    result = ox.parse_query_results(response.content, RESULT_TYPES[media])
    assert isinstance(result, ox.QueryBoolean), f"not an ASK result: {response.text[:200]}"
    return bool(result)


def run(base: str, test: ManifestTest) -> None:
    """Send the test's requests in order and check every answer against the manifest."""
    with httpx.Client(base_url=base, timeout=30) as client:
        for step, request in enumerate(test.requests, 1):
            path = request.path.replace("/sparql/", "/sparql", 1)
            headers = {**request.headers, "authorization": f"Bearer {TOKEN}"}
            response = client.request(request.method, path, content=request.body, headers=headers)
            expected = request.expected
            where = f"{test.id} request {step} ({request.method} {path[:80]}): {response.status_code} {response.text[:300]}"
            assert expected.status_ok(response.status_code), where
            media = response.headers.get("content-type", "").split(";")[0]
            if expected.kind == "boolean":
                assert media in RESULT_TYPES and media not in ("text/csv", "text/tab-separated-values"), where
            elif expected.kind == "tabular":
                assert media in RESULT_TYPES, where
            elif expected.kind == "RDF":
                assert media in GRAPH_TYPES, where
                ox.parse(response.content, GRAPH_TYPES[media], base_iri=base)
            if expected.boolean is not None:
                assert _boolean(response) is expected.boolean, where


@pytest.mark.parametrize(
    "test",
    [pytest.param(t, id=t.id, marks=[pytest.mark.xfail(reason=NOT_OFFERED[t.id], strict=True)]
                  if t.id in NOT_OFFERED else []) for t in TESTS],
)
def test_w3c_protocol(server: Served, test: ManifestTest) -> None:
    clear(server)
    for graph, path in test.graph_data.items():
        load(server, [ox.Quad(q.subject, q.predicate, q.object, ox.NamedNode(graph))
                      for q in ox.parse(path=path, format=ox.RdfFormat.N_TRIPLES)])
    run(server.base, test)


def test_the_manifest_is_read_whole() -> None:
    """All 34 tests, each with at least one request and an expected status."""
    assert len(TESTS) == 34
    assert all(t.requests and all(r.expected.statuses for r in t.requests) for t in TESTS)
    assert {t.id.split("_")[0] for t in TESTS} == {"query", "update", "bad"}


def test_bodies_not_in_utf8_are_refused_before_parsing(server: Served) -> None:
    """Beyond the manifest's "any 4xx": a declared other charset is 415, broken UTF-8 is 400."""
    base = server.base
    auth = {"authorization": f"Bearer {TOKEN}"}
    declared = httpx.post(f"{base}/sparql", content="ASK {}".encode("utf-16"),
                          headers={"content-type": "application/sparql-query; charset=UTF-16", **auth})
    assert declared.status_code == 415 and "UTF-8" in declared.json()["error"]["detail"]
    broken = httpx.post(f"{base}/sparql", content=b"ASK { \xff }",
                        headers={"content-type": "application/sparql-query", **auth})
    assert broken.status_code == 400 and broken.json()["error"]["title"] == "Body is not UTF-8"


def test_update_dataset_parameters_are_refused_not_ignored(server: Served) -> None:
    base = server.base
    clear(server)
    update = "INSERT DATA { GRAPH <https://example.org/g> { <https://example.org/s> <https://example.org/p> 1 } }"
    for body, content_type, params in (
        (update, "application/sparql-update", {"using-graph-uri": "https://example.org/g"}),
        (f"update={quote(update)}&using-named-graph-uri=https%3A%2F%2Fexample.org%2Fg",
         "application/x-www-form-urlencoded", {}),
    ):
        refused = httpx.post(f"{base}/sparql", params=params, content=body,
                             headers={"content-type": content_type, "authorization": f"Bearer {TOKEN}"})
        assert refused.status_code == 400 and "USING" in refused.json()["error"]["detail"]
    assert not server.backend.ask("ASK { GRAPH <https://example.org/g> { ?s ?p ?o } }")


def test_a_streamed_body_over_the_limit_is_cut_off(server: Served) -> None:
    """Without Content-Length the 1 MiB limit holds on the stream, before the body is kept."""
    base = server.base

    def chunks() -> Iterator[bytes]:
        for _ in range(3):
            yield b"#" * (MAX_BODY_BYTES // 2)

    response = httpx.post(f"{base}/sparql", content=chunks(), headers={"content-type": "application/sparql-query"})
    assert response.status_code == 413
