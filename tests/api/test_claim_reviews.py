"""Judging candidate evidence at the desk: a real story about pembrolizumab submitted to a server
that holds the real Keytruda trial records; its claims get candidates; a review through
``POST /claims/{id}/reviews`` changes the claim's status and ``DELETE`` on the answered address
takes it back."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from app_server import serving

from oncoclaims.api import ServerSettings, create_app
from oncoclaims.graph.store import ClaimStore
from oncoclaims.ingest import ingest
from oncoclaims.ontology import ontology_quads

DATA = Path(__file__).parents[1] / "data"
STORY = DATA / "news" / "news_reviews_00311.json"  # a press release on pembrolizumab
TRIALS = DATA / "ctgov" / "v2" / "biomcp" / "search_keytruda_limit3_20260811.json"  # the /studies page
TOKEN = "review-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture(scope="module")
def desk() -> Iterator[tuple[str, dict]]:
    store = ClaimStore.in_memory()
    store.extend(ontology_quads())
    ingest(TRIALS, store)
    with serving(create_app(store, ServerSettings(update_token=TOKEN))) as base:
        files = {"file": (STORY.name, STORY.read_bytes(), "application/json")}
        submitted = httpx.post(f"{base}/stories", files=files, headers=AUTH, timeout=120).json()
        yield base, submitted


def _claim_with_candidates(base: str, submitted: dict) -> tuple[dict, dict]:
    for claim in submitted["claims"]:
        report = httpx.get(f"{base}/claims/{claim['id']}", timeout=60).json()
        if report["candidates"]:
            return claim, report
    raise AssertionError("no claim of the story got a candidate")


def test_a_submitted_story_gets_candidate_evidence_from_the_trials_in_the_store(desk) -> None:
    base, submitted = desk
    claim, report = _claim_with_candidates(base, submitted)
    candidate = report["candidates"][0]
    assert candidate["identifiers"] and candidate["identifiers"][0].startswith("NCT")
    assert candidate["independent"] in (True, False, None) and candidate["reason"]


def test_judge_then_withdraw_changes_the_status_and_back(desk) -> None:
    base, submitted = desk
    claim, report = _claim_with_candidates(base, submitted)
    before = report["status"]["iri"]
    record = report["candidates"][0]["record"]
    url = f"{base}/claims/{claim['id']}/reviews"
    judged = httpx.post(url, json={"candidate": record, "verdict": "supports", "by": "A. Reviewer"}, headers=AUTH)
    assert judged.status_code == 201, judged.text
    body = judged.json()
    assert judged.headers["location"] == body["review"] and body["by"] == "A. Reviewer"
    assert body["status"] != before
    after = httpx.get(f"{base}/claims/{claim['id']}").json()
    assert after["status"]["iri"] == body["status"]
    assert [e["relation"] for e in after["evidence"] if e["iri"] == record] == ["supports"], \
        "the judged candidate is now evidence"
    listed = httpx.get(f"{base}/claims", params={"iri": claim["iri"]}).json()["items"][0]
    assert listed["status"] == body["status"], "the list shows the new status at once"
    withdrawn = httpx.delete(f"{base}{body['review']}", headers=AUTH)
    assert withdrawn.status_code == 200, withdrawn.text
    assert withdrawn.json()["status"] == before
    assert httpx.get(f"{base}/claims/{claim['id']}").json()["status"]["iri"] == before
    assert httpx.delete(f"{base}{body['review']}", headers=AUTH).status_code == 404


def test_reviews_need_the_token_and_a_known_verdict(desk) -> None:
    base, submitted = desk
    claim, report = _claim_with_candidates(base, submitted)
    record = report["candidates"][0]["record"]
    url = f"{base}/claims/{claim['id']}/reviews"
    review = {"candidate": record, "verdict": "supports", "by": "A. Reviewer"}
    assert httpx.post(url, json=review).status_code == 401
    assert httpx.post(url, json=review, headers={"Authorization": "Bearer wrong"}).status_code == 403
    assert httpx.post(url, json={**review, "verdict": "maybe"}, headers=AUTH).status_code == 422
    assert httpx.post(url, json={**review, "by": " "}, headers=AUTH).status_code == 422
    assert httpx.post(url, json={**review, "candidate": "NCT00000000"}, headers=AUTH).status_code == 404
    assert httpx.get(f"{base}/claims/{claim['id']}").json()["status"] == report["status"], "nothing written"


def test_the_worklist_lists_claims_whose_candidates_wait_for_a_judgement(desk) -> None:
    base, submitted = desk
    claim, report = _claim_with_candidates(base, submitted)
    waiting = httpx.get(f"{base}/claims", params={"unreviewed": "true", "limit": 500}).json()["items"]
    entry = next(c for c in waiting if c["iri"] == claim["iri"])
    assert entry["unreviewed"] == len(report["candidates"]) and entry["status"]
    record = report["candidates"][0]["record"]
    judged = httpx.post(f"{base}/claims/{claim['id']}/reviews", headers=AUTH,
                        json={"candidate": record, "verdict": "unrelated", "by": "A. Reviewer"}).json()
    try:
        waiting = httpx.get(f"{base}/claims", params={"unreviewed": "true", "limit": 500}).json()["items"]
        left = [c["unreviewed"] for c in waiting if c["iri"] == claim["iri"]]
        assert left == ([entry["unreviewed"] - 1] if entry["unreviewed"] > 1 else [])
    finally:
        httpx.delete(f"{base}{judged['review']}", headers=AUTH)
