"""The web view in a real browser (headless Chromium through Playwright): search, claim page,
drawn graph, SPARQL editor; no console errors and no request to any other host."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from conftest import Visit
from png_pixels import colour_counts

CLAIM_COUNT = (
    "SELECT (COUNT(DISTINCT ?c) AS ?n) WHERE { ?c a <https://w3id.org/oncoclaims/vocab#Claim> }"
)
#: Colours graph.js gives the claim, an origin and a "not independent" verdict.
CLAIM_BLUE = (0x1F, 0x3A, 0x5F)
ORIGIN_ORANGE = (0xF4, 0xB8, 0x60)
DEPENDENT_RED = (0xC6, 0x28, 0x28)


@pytest.fixture(scope="module")
def effectiveness(live_server: str) -> dict[str, Any]:
    """The id and confirmation report of the Enteromix "totally (100 percent) effective" claim."""
    found = httpx.get(live_server + "/claims", params={"q": "totally (100 percent) effective"})
    items = found.json()["items"]
    assert len(items) == 1
    report = httpx.get(f"{live_server}/claims/{items[0]['id']}").json()
    return {"id": items[0]["id"], "report": report}


def _open_claim(visit: Visit, claim_id: str) -> None:
    visit.goto(f"/view/claim?id={claim_id}")
    visit.page.wait_for_selector("#evidence-table tbody tr")
    visit.page.wait_for_function("window.ocClaimGraph && window.ocClaimGraph.nodes().length > 0")


def test_search_finds_enteromix_and_links_each_claim(visit: Visit) -> None:
    expected = httpx.get(visit.base + "/claims", params={"q": "Enteromix", "limit": 500}).json()
    visit.goto("/")
    visit.page.fill("#q", "Enteromix")
    visit.page.click("#search button[type=submit]")
    visit.page.wait_for_selector("#summary:has-text('containing “Enteromix”')")
    items = visit.page.locator(".claim-item")
    assert items.count() == expected["total"] > 0
    assert f"{expected['total']} claims containing “Enteromix”" in visit.page.inner_text("#summary")
    first = expected["items"][0]
    link = visit.page.locator(".claim-link").first
    assert link.inner_text() == first["label"]
    assert link.get_attribute("href").endswith(f"/view/claim?id={first['id']}")
    statuses = visit.page.locator(".claim-item .status").all_inner_texts()
    assert "self-confirmed" in statuses
    visit.assert_clean()


def test_search_result_leads_to_the_claim_page(visit: Visit, effectiveness: dict[str, Any]) -> None:
    visit.goto("/?q=totally")
    visit.page.click(".claim-link")
    visit.page.wait_for_selector("#evidence-table tbody tr")
    assert effectiveness["id"] in visit.page.url
    assert visit.page.inner_text("#claim-label") == effectiveness["report"]["claim"]["label"]
    visit.assert_clean()


def test_claim_page_shows_status_explanation_and_every_reason(
    visit: Visit, effectiveness: dict[str, Any]
) -> None:
    report = effectiveness["report"]
    _open_claim(visit, effectiveness["id"])
    page = visit.page
    assert page.inner_text("#claim-status") == report["status"]["label"] == "self-confirmed"
    assert page.inner_text("#claim-explanation") == report["explanation"]
    rows = page.locator("#evidence-table tbody tr")
    assert rows.count() == len(report["evidence"]) > 0
    for index, evidence in enumerate(report["evidence"]):
        cells = rows.nth(index).locator("td").all_inner_texts()
        assert cells[0].startswith(evidence["label"])
        assert cells[6] == {True: "independent", False: "not independent", None: "independence unknown"}[
            evidence["independent"]]
        reason, *rests_on = cells[7].split("\n")
        assert reason == evidence["reason"]
        # the inferred links the verdict rests on, each with the curator's reason
        assert len(evidence["inferences"]) == 3
        assert rests_on == ["rests on 3 inferences: " + "; ".join(
            f"{i['text']} ({i['reason']})" for i in evidence["inferences"])]
    sources = page.locator("#source-table tbody tr")
    assert sources.count() == len(report["sources"])
    table = page.inner_text("#source-table")
    for source in report["sources"]:
        assert source["title"] in table
        if source["publisher_label"]:
            assert source["publisher_label"] in table
    visit.assert_clean()


def test_claim_page_has_a_candidate_table_even_when_no_record_of_the_therapy_is_in_the_graph(
    visit: Visit, effectiveness: dict[str, Any]
) -> None:
    assert effectiveness["report"]["candidates"] == []  # Enteromix: no trial or paper in the graph
    _open_claim(visit, effectiveness["id"])
    assert visit.page.inner_text("#candidate-table tbody") == "No trial or paper of this therapy is in the graph."
    visit.assert_clean()


def test_claim_page_names_what_the_report_names_without_fetching_every_source(
    visit: Visit, effectiveness: dict[str, Any]
) -> None:
    report = effectiveness["report"]
    _open_claim(visit, effectiveness["id"])
    assert not [p for p in visit.paths if p.endswith(("/sources", "/institutions"))], visit.paths
    assert any(p.startswith("/claims/") for p in visit.paths)
    evidence_table = visit.page.inner_text("#evidence-table")
    named = [iri for e in report["evidence"] for iri in e["reported_in"] + e["responsible_parties"]]
    assert named and all(iri in report["labels"] for iri in named)
    for iri in named:
        assert report["labels"][iri] in evidence_table
    visit.assert_clean()


def test_claim_graph_is_drawn(visit: Visit, effectiveness: dict[str, Any]) -> None:
    report = effectiveness["report"]
    _open_claim(visit, effectiveness["id"])
    graph = visit.page.locator("#graph")
    assert graph.locator("canvas").count() > 0
    nodes = visit.page.evaluate("window.ocClaimGraph.nodes().map(n => n.id())")
    expected = {report["claim"]["iri"], *(s["iri"] for s in report["sources"]),
                *(e["iri"] for e in report["evidence"])}
    assert expected <= set(nodes)
    assert sum(1 for n in nodes if n.endswith("#verdict")) == len(report["evidence"])
    colours = colour_counts(graph.screenshot())
    total = sum(colours.values())
    background_pixels = colours.most_common(1)[0][1]
    assert len(colours) > 50, "the graph area has too few colours to hold a drawing"
    assert total - background_pixels > total // 100, "less than 1% of the graph area is drawn on"
    for colour in (CLAIM_BLUE, ORIGIN_ORANGE, DEPENDENT_RED):
        assert colours[colour] > 200, f"no node filled with {colour}"
    visit.assert_clean()


def test_unknown_claim_says_it_could_not_be_loaded(visit: Visit) -> None:
    visit.goto("/view/claim?id=no-such-claim")
    visit.page.wait_for_selector("#message:has-text('could not be loaded')")
    assert "404" in visit.page.inner_text("#message")
    assert visit.foreign_requests == []


def test_sparql_editor_runs_a_query_and_shows_results(visit: Visit) -> None:
    answer = httpx.get(visit.base + "/sparql", params={"query": CLAIM_COUNT},
                       headers={"accept": "application/sparql-results+json"}).json()
    count = answer["results"]["bindings"][0]["n"]["value"]
    visit.goto("/view/sparql")
    page = visit.page
    page.wait_for_selector(".yasqe .CodeMirror")
    page.evaluate("query => window.ocYasgui.getTab().getYasqe().setValue(query)", CLAIM_COUNT)
    def is_query(response: Any) -> bool:
        return bool(response.url.endswith("/sparql") and response.request.method == "POST")

    with page.expect_response(is_query) as sent:
        page.click(".yasqe_queryButton")
    assert sent.value.status == 200
    page.wait_for_selector(".yasr table tbody tr td")
    cells = page.locator(".yasr table tbody tr").first.locator("td").all_inner_texts()
    # YASR shows a typed literal with its datatype: "13"^^<...#integer>
    shown = [cell.strip() for cell in cells]
    assert any(cell == count or cell.startswith(f'"{count}"^^') for cell in shown), shown
    assert "1 result" in page.inner_text(".yasr")
    visit.assert_clean()


def test_sparql_editor_starts_with_the_example_query_on_this_server(visit: Visit) -> None:
    visit.goto("/view/sparql")
    visit.page.wait_for_selector(".yasqe .CodeMirror")
    endpoint = visit.page.evaluate("window.ocYasgui.getTab().getEndpoint()")
    assert endpoint == visit.base + "/sparql"
    query = visit.page.evaluate("window.ocYasgui.getTab().getYasqe().getValue()")
    assert "SELECT ?claim ?text" in query
    visit.assert_clean()


def test_the_claim_report_is_readable_with_javascript_off(browser: Any, live_server: str,
                                                          effectiveness: dict[str, Any]) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{live_server}/view/claim?id={effectiveness['id']}")
    body = page.inner_text("body")
    context.close()
    report = effectiveness["report"]
    assert "Loading the claim" not in body
    assert f"Status: {report['status']['label']}" in body
    assert report["explanation"] in body


@pytest.fixture(scope="module")
def bundled_server() -> Any:
    """A real server on the whole bundled graph (the reference graph and the real records)."""
    from app_server import serving

    from oncoclaims.api import create_app
    from oncoclaims.graph.bootstrap import open_store

    with serving(create_app(open_store(memory=True))) as base:
        yield base


def test_a_verdict_of_unknown_independence_reads_so_in_table_and_graph(browser: Any, bundled_server: str) -> None:
    found = httpx.get(bundled_server + "/claims", params={"q": "H1746N"}).json()["items"]
    report = httpx.get(f"{bundled_server}/claims/{found[0]['id']}").json()
    assert report["evidence"][0]["independent"] is None  # no record names the 2018 authors
    context = browser.new_context(viewport={"width": 1280, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(15_000)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        page.goto(f"{bundled_server}/view/claim?id={found[0]['id']}")
        page.wait_for_selector("#evidence-table tbody tr")
        page.wait_for_function("window.ocClaimGraph && window.ocClaimGraph.nodes().length > 0")
        assert page.inner_text("#claim-status") == "independence unknown"
        cells = page.locator("#evidence-table tbody tr").nth(0).locator("td").all_inner_texts()
        assert cells[6] == "independence unknown"
        assert "rests on 2 inferences" in cells[7]
        assert page.locator("#evidence-table tbody tr.unknown").count() == 1
        labels = page.evaluate("window.ocClaimGraph.nodes('.unknown').map((n) => n.data('label'))")
        assert labels == ["independence unknown"]
        assert errors == []
    finally:
        context.close()
