"""The desk in a real browser: submit a story as a file, as pasted text and as a URL, see its
claims at their spans on the story page; a wrong token is refused and nothing is written."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from app_server import serving, serving_bytes

from oncoclaims.api import ServerSettings, create_app
from oncoclaims.graph.store import ClaimStore
from oncoclaims.ontology import ontology_quads

RELEASE = Path(__file__).parents[2] / ".." / "shared" / "data" / "news-articles" / "fakehealth" / "news_reviews_00027.json"
TOKEN = "desk-token"


@pytest.fixture
def desk(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[str, ClaimStore]]:
    monkeypatch.setenv("ONCOCLAIMS_FETCH_ALLOW_LOOPBACK", "1")
    store = ClaimStore.in_memory()
    store.extend(ontology_quads())
    with serving(create_app(store, ServerSettings(update_token=TOKEN))) as base:
        yield base, store


@pytest.fixture
def page(browser: Any, desk: tuple[str, ClaimStore]) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 1000})
    tab = context.new_page()
    tab.set_default_timeout(30_000)
    errors: list[str] = []
    tab.on("pageerror", lambda error: errors.append(str(error)))
    yield tab
    context.close()
    assert errors == []


def _give_token(page: Any, base: str, token: str = TOKEN) -> None:
    page.goto(f"{base}/view/desk", wait_until="networkidle")
    page.fill("#token", token)
    page.press("#token", "Enter")  # keyboard only
    page.wait_for_selector("#token-state:not([hidden])")


def _check_story_page(page: Any, base: str) -> None:
    page.click("#story-link")
    page.wait_for_selector("#story-claims .claim-item")
    source_id = page.url.split("id=", 1)[1]
    story = httpx.get(f"{base}/stories/{source_id}").json()
    marks = page.locator("mark.claim-span a")
    assert marks.count() >= 1
    text = story["text"]
    at_spans = {text[start:end] for claim in story["claims"] for start, end in claim["spans"]}
    for shown in marks.all_text_contents():
        assert shown in at_spans, "every highlighted passage is the text at one of the claims' spans"
    first = story["claims"][0]
    start, end = first["spans"][0]
    assert page.locator(f'mark[data-claim="{first["iri"]}"] a').first.text_content() == text[start:end]
    assert page.locator("#story-claims .status").count() == len(story["claims"])


def test_a_real_story_file_submitted_in_the_browser(page: Any, desk: tuple[str, ClaimStore]) -> None:
    base, store = desk
    _give_token(page, base)
    page.set_input_files("#file", str(RELEASE))
    page.click("#file-form button[type=submit]")
    page.wait_for_selector("#result:not([hidden])")
    claims = page.locator("#result-claims .claim-item")
    assert claims.count() >= 10
    assert "claims found" in page.inner_text("#result-summary")
    _check_story_page(page, base)


def test_pasted_text_submitted_in_the_browser(page: Any, desk: tuple[str, ClaimStore]) -> None:
    base, store = desk
    release = json.loads(RELEASE.read_text())
    _give_token(page, base)
    page.fill("#text", release["text"])
    page.fill("#title", release["title"])
    page.fill("#publisher", "Pasted outlet")
    page.fill("#date", "2017-04-03")
    page.click("#text-form button[type=submit]")
    page.wait_for_selector("#result:not([hidden])")
    assert page.locator("#result-claims .claim-item").count() >= 10
    _check_story_page(page, base)
    assert "Pasted outlet" in page.inner_text("#story-meta")


def test_a_url_served_locally_submitted_in_the_browser(page: Any, desk: tuple[str, ClaimStore]) -> None:
    base, store = desk
    with serving_bytes(RELEASE.read_bytes(), "application/json") as web:
        _give_token(page, base)
        page.fill("#url", f"{web}/news_reviews_00027.json")
        page.click("#url-form button[type=submit]")
        page.wait_for_selector("#result:not([hidden])")
    assert page.locator("#result-claims .claim-item").count() >= 10
    _check_story_page(page, base)


def test_a_wrong_token_is_refused_and_nothing_is_written(page: Any, desk: tuple[str, ClaimStore]) -> None:
    base, store = desk
    before = len(store.inner)
    _give_token(page, base, "not-the-token")
    page.fill("#text", json.loads(RELEASE.read_text())["text"])
    page.click("#text-form button[type=submit]")
    page.wait_for_selector("#progress:has-text('Not submitted (403)')")
    assert len(store.inner) == before
    assert page.locator("#token-form").is_visible(), "the page asks for the token again"


def test_a_refused_url_gets_a_clear_message(page: Any, desk: tuple[str, ClaimStore]) -> None:
    base, store = desk
    before = len(store.inner)
    _give_token(page, base)
    page.fill("#url", "http://169.254.169.254/latest/meta-data/")
    page.click("#url-form button[type=submit]")
    page.wait_for_selector("#progress:has-text('URL refused')")
    assert "not a public address" in page.inner_text("#progress")
    assert len(store.inner) == before


def test_the_worklist_lists_stories_and_claims_whose_status_changed_since_seen(
        page: Any, desk: tuple[str, ClaimStore]) -> None:
    base, store = desk
    files = {"file": (RELEASE.name, RELEASE.read_bytes(), "application/json")}
    headers = {"Authorization": f"Bearer {TOKEN}"}
    submitted = httpx.post(f"{base}/stories", files=files, headers=headers, timeout=60).json()
    page.goto(f"{base}/view/worklist", wait_until="networkidle")
    assert "Nothing to compare yet" in page.inner_text("#changed-summary")
    assert page.locator("#stories .story-link").count() == 1
    page.click("#stories .story-link")
    page.wait_for_selector("#story-claims .claim-item")  # the story page records what it showed
    claim = submitted["claims"][0]
    # the claim gains supporting evidence: its status changes
    turtle = (f"<urn:test:evidence> <http://purl.org/spar/cito/supports> <{claim['iri']}> ;"
              " <http://www.w3.org/2000/01/rdf-schema#label> \"Test evidence\" .")
    put = httpx.put(f"{base}/rdf-graphs", params={"graph": "urn:test:graph"}, content=turtle,
                    headers={**headers, "Content-Type": "text/turtle"})
    assert put.status_code in (201, 204)
    now = httpx.get(f"{base}/claims", params={"iri": claim["iri"]}).json()["items"][0]["status"]
    assert now != claim["status"]
    page.goto(f"{base}/view/worklist", wait_until="networkidle")
    page.wait_for_selector("#changed .claim-item")
    assert page.locator("#changed .claim-item").count() == 1
    assert page.locator("#changed .claim-link").inner_text() == claim["label"]


def test_the_story_page_shows_the_study_its_voices_and_the_other_story_of_the_same_study(
        page: Any, desk: tuple[str, ClaimStore]) -> None:
    base, store = desk
    fakehealth = RELEASE.parent
    headers = {"Authorization": f"Bearer {TOKEN}"}
    for name in ("story_reviews_00030.json", "news_reviews_00033.json"):  # Newsweek, then the Zika release
        files = {"file": (name, (fakehealth / name).read_bytes(), "application/json")}
        submitted = httpx.post(f"{base}/stories", files=files, headers=headers, timeout=60).json()
    source_id = submitted["source"].rsplit("/source/", 1)[1]
    story = httpx.get(f"{base}/stories/{source_id}", timeout=60).json()
    page.goto(f"{base}/view/story?id={source_id}", wait_until="networkidle")
    page.wait_for_selector("#story-claims .claim-item")
    assert page.locator("#story-studies .study").count() == len(story["studies"]) >= 1
    rows = page.locator("#story-voices tbody tr")
    assert rows.count() == len(story["voices"]) >= 1
    words = {True: "independent", False: "tied", None: "unknown"}
    for index, voice in enumerate(story["voices"]):
        cells = rows.nth(index).locator("td").all_inner_texts()
        assert cells[0] == voice["name"] and cells[3] == words[voice["independent"]] and cells[4] == voice["reason"]
    page.click(".same-study-link")
    page.wait_for_selector("#story-claims .claim-item")
    newsweek = json.loads((fakehealth / "story_reviews_00030.json").read_text())
    assert page.inner_text("#story-title") == newsweek["title"]


def test_judge_a_candidate_in_the_browser_and_withdraw_it(browser: Any) -> None:
    data = Path(__file__).parents[1] / "data"
    store = ClaimStore.in_memory()
    store.extend(ontology_quads())
    from oncoclaims.ingest import ingest

    ingest(data / "ctgov" / "v2" / "biomcp" / "search_keytruda_limit3_20260811.json", store)  # pembrolizumab trials
    story = data / "news" / "news_reviews_00311.json"  # a press release on pembrolizumab
    with serving(create_app(store, ServerSettings(update_token=TOKEN))) as base:
        headers = {"Authorization": f"Bearer {TOKEN}"}
        submitted = httpx.post(f"{base}/stories", headers=headers, timeout=120,
                               files={"file": (story.name, story.read_bytes(), "application/json")}).json()
        claim = next(c for c in submitted["claims"]
                     if httpx.get(f"{base}/claims/{c['id']}", timeout=60).json()["candidates"])
        before = httpx.get(f"{base}/claims/{claim['id']}").json()["status"]["label"]
        context = browser.new_context(viewport={"width": 1280, "height": 1000})
        page = context.new_page()
        page.set_default_timeout(30_000)
        try:
            page.goto(f"{base}/view/worklist", wait_until="networkidle")
            page.wait_for_selector("#waiting .claim-link")
            assert claim["label"] in page.locator("#waiting .claim-link").all_inner_texts()
            page.goto(f"{base}/view/claim?id={claim['id']}", wait_until="networkidle")
            page.wait_for_selector("#candidate-table tbody tr .judge")
            assert page.inner_text("#claim-status") == before
            page.fill("#reviewer", "A. Reviewer")
            page.press("#reviewer", "Tab")
            page.fill("#review-token", TOKEN)
            page.press("#review-token", "Tab")
            row = page.locator("#candidate-table tbody tr").first
            row.locator("select").select_option("supports")
            row.locator(".judge").click()
            page.wait_for_selector("#review-message:has-text('Recorded: supports, by A. Reviewer')")
            page.wait_for_selector("#candidate-table tbody tr .withdraw")
            after = page.inner_text("#claim-status")
            assert after != before
            assert after == httpx.get(f"{base}/claims/{claim['id']}").json()["status"]["label"]
            assert "supports, by A. Reviewer" in page.locator("#candidate-table tbody tr").first.inner_text()
            page.locator("#candidate-table tbody tr .withdraw").first.click()
            page.wait_for_selector("#review-message:has-text('Review withdrawn')")
            page.wait_for_function(f"document.getElementById('claim-status').textContent === {json.dumps(before)}")
        finally:
            context.close()


def test_the_claim_page_shows_where_its_sources_came_from(page: Any, desk: tuple[str, ClaimStore]) -> None:
    base, store = desk
    files = {"file": (RELEASE.name, RELEASE.read_bytes(), "application/json")}
    submitted = httpx.post(f"{base}/stories", files=files, headers={"Authorization": f"Bearer {TOKEN}"},
                           timeout=60).json()
    claim = submitted["claims"][0]
    report = httpx.get(f"{base}/claims/{claim['id']}", timeout=60).json()
    voices = report["story_origins"][submitted["source"]]["voices"]
    page.goto(f"{base}/view/claim?id={claim['id']}", wait_until="networkidle")
    page.wait_for_selector("#story-origins .origin-of")
    shown = page.locator("#story-origins .voice").all_inner_texts()
    assert len(shown) == len(voices) and all(v["name"] in text for v, text in zip(voices, shown, strict=True))
