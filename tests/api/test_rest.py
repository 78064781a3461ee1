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
    assert [t["label"] for t in httpx.get(f"{live_server}/therapies").json()] == ["Enteromix"]
    assert "Russian government" in {i["label"] for i in httpx.get(f"{live_server}/institutions").json()}
    assert len(httpx.get(f"{live_server}/sources").json()) == 4
    metrics = {m["label"]: m for m in httpx.get(f"{live_server}/metrics").json()}
    assert metrics["Russian researchers"]["claims_made"] >= 6


def test_openapi_document_is_valid_and_every_route_has_a_response_model(live_server: str) -> None:
    from openapi_spec_validator import validate

    document = httpx.get(f"{live_server}/openapi.json").json()
    validate(document)
    for path, operations in document["paths"].items():
        for operation in operations.values():
            content = operation["responses"]["200"]["content"]
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
