"""The REST API on the reference graph: claims, reports, lists, one error shape, OpenAPI."""

from __future__ import annotations

import httpx
from typer.testing import CliRunner

from oncoclaims.cli import app


def test_claims_search_filter_and_pages(live_server: str) -> None:
    page = httpx.get(f"{live_server}/claims", params={"limit": 5}).json()
    assert page["total"] == 13 and len(page["items"]) == 5
    found = httpx.get(f"{live_server}/claims", params={"q": "100 percent"}).json()
    assert [c["label"] for c in found["items"]] == ["Enteromix: total effectiveness against certain cancers"]
    mine = httpx.get(f"{live_server}/claims", params={"status": "self-confirmed", "therapy": "enteromix"}).json()
    assert mine["total"] == 3 and all(c["status"].endswith("self-confirmed") for c in mine["items"])


def test_claim_report_has_the_shape_of_check_json(live_server: str, tmp_path) -> None:
    claim = httpx.get(f"{live_server}/claims", params={"q": "100 percent"}).json()["items"][0]
    report = httpx.get(f"{live_server}/claims/{claim['id']}").json()
    cli = CliRunner().invoke(app, ["check", claim["iri"], "--json", "--store", str(tmp_path / "s")])
    assert report == __import__("json").loads(cli.output)
    missing = httpx.get(f"{live_server}/claims/no-such-claim")
    assert missing.status_code == 404 and missing.json()["error"]["title"] == "Claim not found"
    bad_depth = httpx.get(f"{live_server}/claims/{claim['id']}", params={"depth": 9})
    assert bad_depth.status_code == 422 and "error" in bad_depth.json()


def test_lists_and_metrics(live_server: str) -> None:
    assert [t["label"] for t in httpx.get(f"{live_server}/therapies").json()["items"]] == ["Enteromix"]
    institutions = httpx.get(f"{live_server}/institutions").json()
    assert "Russian government" in {i["label"] for i in institutions["items"]}
    assert institutions["total"] == len(institutions["items"])
    assert httpx.get(f"{live_server}/sources").json()["total"] == 4
    metrics = {m["label"]: m for m in httpx.get(f"{live_server}/metrics").json()}
    assert metrics["Russian researchers"]["claims_made"] >= 4  # the efficacy and three mechanism claims (the article names no claimant for the mouse results)


def test_lists_come_in_pages_and_filter_by_words(live_server: str) -> None:
    every = httpx.get(f"{live_server}/institutions", params={"limit": 1000}).json()
    assert every["total"] > 2
    pages = [httpx.get(f"{live_server}/institutions", params={"limit": 2, "offset": offset}).json()
             for offset in range(0, every["total"], 2)]
    assert all(page["total"] == every["total"] and len(page["items"]) <= 2 for page in pages)
    assert [i for page in pages for i in page["items"]] == every["items"]
    found = httpx.get(f"{live_server}/institutions", params={"q": "russian GOVERNMENT"}).json()
    assert [i["label"] for i in found["items"]] == ["Russian government"] and found["total"] == 1
    titles = httpx.get(f"{live_server}/sources", params={"q": "no such words anywhere"}).json()
    assert titles == {"total": 0, "offset": 0, "limit": 100, "items": []}
    too_many = httpx.get(f"{live_server}/sources", params={"limit": 5000})
    assert too_many.status_code == 422 and "limit" in too_many.json()["error"]["detail"]


def test_openapi_document_is_valid_and_every_route_has_a_response_model(live_server: str) -> None:
    from openapi_spec_validator import validate

    document = httpx.get(f"{live_server}/openapi.json").json()
    validate(document)
    for path, operations in document["paths"].items():
        for operation in operations.values():
            success = operation["responses"].get("200") or operation["responses"]["201"]
            content = success["content"]
            if path == "/export.graphml":
                assert "application/graphml+xml" in content
                continue
            assert content["application/json"]["schema"], path


def test_graphml_over_http(live_server: str) -> None:
    import io

    import networkx as nx

    whole = httpx.get(f"{live_server}/export.graphml")
    assert whole.status_code == 200 and whole.headers["content-type"].startswith("application/graphml+xml")
    claim = nx.read_graphml(io.BytesIO(httpx.get(f"{live_server}/export.graphml", params={"claim": "totally"}).content))
    assert 5 < claim.number_of_nodes() < nx.read_graphml(io.BytesIO(whole.content)).number_of_nodes()
    assert httpx.get(f"{live_server}/export.graphml", params={"claim": "no such words"}).status_code == 404
    statuses = {d.get("status") for _, d in claim.nodes(data=True)}
    assert statuses & {"unconfirmed", "self-confirmed"}, "claims carry their status"
    assert b'key="pagerank">' not in whole.content
    with_metrics = httpx.get(f"{live_server}/export.graphml", params={"metrics": "true", "status": "false"})
    assert b'key="pagerank">' in with_metrics.content and b'key="status">' not in with_metrics.content


def test_an_unknown_status_is_refused_with_the_statuses_there_are(live_server: str) -> None:
    refused = httpx.get(f"{live_server}/claims", params={"status": "confirmed-ish"})
    assert refused.status_code == 422
    detail = refused.json()["error"]["detail"]
    assert "independently-confirmed" in detail and "retracted-support" in detail


def test_a_claim_id_that_is_no_iri_is_not_found_in_the_error_shape(live_server: str) -> None:
    for claim_id in ("a b", "https://example.org/a b", "x%3Cy"):
        missing = httpx.get(f"{live_server}/claims/{claim_id}")
        assert missing.status_code == 404, claim_id
        assert missing.json()["error"]["title"] == "Claim not found"


def test_the_status_names_are_the_ontologys_statuses() -> None:
    from oncoclaims.graph.analysis import STATUS_NAMES, STATUS_PREFIX
    from oncoclaims.ontology import ontology_quads

    scheme = "https://w3id.org/oncoclaims/vocab#ConfirmationStatuses"
    top = {q.object.value for q in ontology_quads()
           if q.subject.value == scheme and q.predicate.value.endswith("#hasTopConcept")}
    assert top == {STATUS_PREFIX + name for name in STATUS_NAMES}


def test_an_unexpected_failure_answers_500_in_the_error_shape(monkeypatch) -> None:
    from fastapi.testclient import TestClient

    from oncoclaims.api import create_app
    from oncoclaims.api import rest as rest_module
    from oncoclaims.graph.bootstrap import open_store

    def broken(*_args, **_kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(rest_module, "confirmation_report", broken)
    client = TestClient(create_app(open_store(None, memory=True)), raise_server_exceptions=False)
    answer = client.get("/claims/anything")
    assert answer.status_code == 500
    assert answer.json()["error"] == {
        "status": 500, "title": "Internal error",
        "detail": "an unexpected RuntimeError; the server log has the details"}
    assert client.get("/claims").status_code == 200, "and it keeps serving"


def test_a_page_of_claims_gets_statuses_without_computing_every_claims(monkeypatch) -> None:
    from fastapi.testclient import TestClient

    from oncoclaims.api import create_app
    from oncoclaims.api import rest as rest_module
    from oncoclaims.graph.bootstrap import open_store
    from oncoclaims.graph.confirmation import claim_statuses

    store = open_store(None, memory=True)
    expected = claim_statuses(store)
    whole_store_runs: list[int] = []

    def counted(*args, **kwargs):
        whole_store_runs.append(1)
        return claim_statuses(*args, **kwargs)

    monkeypatch.setattr(rest_module, "claim_statuses", counted)
    client = TestClient(create_app(store))
    page = client.get("/claims", params={"limit": 500}).json()
    assert page["total"] == len(expected) and len(page["items"]) == len(expected)
    assert {item["iri"]: item["status"] for item in page["items"]} == expected
    assert [item["iri"] for item in page["items"]] == sorted(expected), "in IRI order"
    assert whole_store_runs == [], "each claim's own neighbourhood gave its status"
    confirmed = client.get("/claims", params={"status": "self-confirmed"}).json()
    assert whole_store_runs == [1], "a status filter needs every claim's status, once"
    assert confirmed["total"] == sum(s.endswith("self-confirmed") for s in expected.values())
    client.get("/claims", params={"status": "unconfirmed"})
    assert whole_store_runs == [1]
