"""``POST /stories``: a story submitted as a file, as pasted text or as a URL, over a real socket."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from app_server import serving, serving_bytes

from oncoclaims.api import ServerSettings, create_app
from oncoclaims.graph.store import ClaimStore
from oncoclaims.ontology import ontology_quads

FAKEHEALTH = Path(__file__).parents[2] / ".." / "shared" / "data" / "news-articles" / "fakehealth"
RELEASE = FAKEHEALTH / "news_reviews_00027.json"
TOKEN = "s3cret"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture
def desk(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[str, ClaimStore]]:
    monkeypatch.setenv("ONCOCLAIMS_FETCH_ALLOW_LOOPBACK", "1")
    store = ClaimStore.in_memory()
    store.extend(ontology_quads())
    with serving(create_app(store, ServerSettings(update_token=TOKEN))) as base:
        yield base, store


def _quads(store: ClaimStore) -> int:
    return len(store.inner)


def test_a_real_press_release_uploaded_as_a_file_becomes_a_source_with_its_claims(desk) -> None:
    base, store = desk
    files = {"file": (RELEASE.name, RELEASE.read_bytes(), "application/json")}
    answer = httpx.post(f"{base}/stories", files=files, headers=AUTH, timeout=60)
    assert answer.status_code == 201, answer.text
    body = answer.json()
    assert body["format"] == "news-fakehealth-json"
    assert body["source"].startswith("https://w3id.org/oncoclaims/id/source/news-")
    assert len(body["claims"]) >= 10
    listed = httpx.get(f"{base}/claims", params={"limit": 500}).json()["items"]
    listed_iris = {c["iri"] for c in listed}
    assert {c["iri"] for c in body["claims"]} <= listed_iris
    assert all(c["status"] for c in body["claims"]), "each claim comes with its status, as /claims lists it"
    again = httpx.post(f"{base}/stories", files=files, headers=AUTH, timeout=60)
    assert again.status_code == 201 and again.json()["quads_added"] == 0, "the same story twice changes nothing"
    assert again.json()["claims"] == body["claims"]


def test_pasted_text_with_title_outlet_and_date(desk) -> None:
    base, store = desk
    release = json.loads(RELEASE.read_text())
    story = {"text": release["text"], "title": release["title"], "publisher": "A pasted outlet",
             "date": "2017-04-03"}
    answer = httpx.post(f"{base}/stories", json=story, headers=AUTH, timeout=60)
    assert answer.status_code == 201, answer.text
    body = answer.json()
    assert body["format"] == "news-submission-json" and body["claims"]
    found = httpx.get(f"{base}/sources", params={"q": release["title"]}).json()["items"]
    assert [s["iri"] for s in found] == [body["source"]]
    assert found[0]["date"] == "2017-04-03"


def test_a_url_served_by_a_local_server(desk) -> None:
    base, store = desk
    with serving_bytes(RELEASE.read_bytes(), "application/json") as web:
        answer = httpx.post(f"{base}/stories", json={"url": f"{web}/news_reviews_00027.json"}, headers=AUTH,
                            timeout=60)
    assert answer.status_code == 201, answer.text
    assert answer.json()["claims"]


@pytest.mark.parametrize("url", ["http://10.0.0.1/", "http://169.254.169.254/latest/meta-data/",
                                 "file:///etc/passwd", "gopher://127.0.0.1:70/x"])
def test_urls_the_server_must_not_fetch_are_refused_and_nothing_is_written(desk, url: str) -> None:
    base, store = desk
    before = _quads(store)
    answer = httpx.post(f"{base}/stories", json={"url": url}, headers=AUTH, timeout=30)
    assert answer.status_code == 400, answer.text
    assert answer.json()["error"]["title"] == "URL refused"
    assert _quads(store) == before


@pytest.mark.parametrize(("headers", "status"), [({}, 401), ({"Authorization": "Bearer wrong"}, 403),
                                                     ({"Authorization": TOKEN}, 401)])
def test_writes_without_the_token_are_refused_and_write_nothing(desk, headers: dict[str, str], status: int) -> None:
    base, store = desk
    before = _quads(store)
    answer = httpx.post(f"{base}/stories", json={"text": "Drug X cures cancer in 100 percent of patients."},
                        headers=headers, timeout=30)
    assert answer.status_code == status
    assert set(answer.json()["error"]) == {"status", "title", "detail"}
    assert _quads(store) == before


def test_a_read_only_server_refuses_submissions() -> None:
    with serving(create_app(ClaimStore.in_memory())) as base:
        answer = httpx.post(f"{base}/stories", json={"text": "x"}, headers=AUTH)
    assert answer.status_code == 403


@pytest.mark.parametrize(("kwargs", "status"), [
    ({"json": {"text": ""}}, 422),
    ({"json": {"text": "Some story.", "colour": "red"}}, 422),
    ({"json": {"text": "Some story.", "date": "last Tuesday"}}, 400),
    ({"json": ["not", "an", "object"]}, 422),
    ({"content": b"{not json", "headers": {"Content-Type": "application/json"}}, 400),
    ({"content": b"text", "headers": {"Content-Type": "text/plain"}}, 415),
    ({"files": {"other": ("a.txt", b"x", "text/plain")}}, 400),
    ({"files": {"file": ("table.csv", b"\x00\x01\x02binary", "text/csv")}}, 400),
])
def test_bad_submissions_get_a_clear_error_and_write_nothing(desk, kwargs: dict, status: int) -> None:
    base, store = desk
    before = _quads(store)
    headers = {**AUTH, **kwargs.pop("headers", {})}
    answer = httpx.post(f"{base}/stories", headers=headers, timeout=30, **kwargs)
    assert answer.status_code == status, answer.text
    assert answer.json()["error"]["detail"]
    assert _quads(store) == before


def test_an_oversized_body_is_refused_with_413(desk) -> None:
    base, store = desk
    answer = httpx.post(f"{base}/stories", headers={**AUTH, "Content-Type": "application/json"},
                        content=b" " * (16 * 1024 * 1024 + 1), timeout=60)
    assert answer.status_code == 413


def test_the_openapi_document_describes_the_route() -> None:
    spec = create_app(ClaimStore.in_memory()).openapi()
    post = spec["paths"]["/stories"]["post"]
    assert set(post["requestBody"]["content"]) == {"multipart/form-data", "application/json"}
    assert {"201", "401", "403", "413"} <= set(post["responses"])
    assert post["responses"]["401"]["content"]["application/json"]["schema"]["$ref"].endswith("ErrorResponse")


def test_the_story_page_data_gives_the_text_and_each_claim_at_its_spans(desk) -> None:
    base, store = desk
    files = {"file": (RELEASE.name, RELEASE.read_bytes(), "application/json")}
    submitted = httpx.post(f"{base}/stories", files=files, headers=AUTH, timeout=60).json()
    source_id = submitted["source"].rsplit("/source/", 1)[1]
    story = httpx.get(f"{base}/stories/{source_id}")
    assert story.status_code == 200, story.text
    page = story.json()
    assert page["text"] == json.loads(RELEASE.read_text())["text"]
    assert [c["iri"] for c in page["claims"]] == [c["iri"] for c in submitted["claims"]]
    for claim in page["claims"]:
        assert claim["status"] and claim["spans"]
        assert set(claim["exact"]) <= {page["text"][start:end] for start, end in claim["spans"]}
    assert httpx.get(f"{base}/stories/{source_id}x").status_code == 404


def test_sources_list_stories_by_type_sorted_by_date_with_their_claim_counts(desk) -> None:
    base, store = desk
    names = ["news_reviews_00027.json", "story_reviews_00612.json", "story_reviews_00887.json"]
    for name in names:
        files = {"file": (name, (FAKEHEALTH / name).read_bytes(), "application/json")}
        assert httpx.post(f"{base}/stories", files=files, headers=AUTH, timeout=60).status_code == 201
    everything = httpx.get(f"{base}/sources", params={"limit": 1000}).json()
    releases = httpx.get(f"{base}/sources", params={"type": "press-release"}).json()["items"]
    assert len(releases) == 1 and releases[0]["claims"] > 0
    stories = httpx.get(f"{base}/sources", params=[("type", "news-article"), ("type", "press-release"),
                                                   ("sort", "date"), ("descending", "true")]).json()
    assert stories["total"] == 3 <= everything["total"]
    dates = [s["date"] for s in stories["items"] if s["date"]]
    assert dates == sorted(dates, reverse=True)
    by_claims = httpx.get(f"{base}/sources", params={"sort": "claims"}).json()["items"]
    counts = [s["claims"] for s in by_claims]
    assert counts == sorted(counts)
    assert httpx.get(f"{base}/sources", params={"sort": "colour"}).status_code == 422


def test_claims_can_be_asked_for_by_iri_or_id(desk) -> None:
    base, store = desk
    files = {"file": (RELEASE.name, RELEASE.read_bytes(), "application/json")}
    claims = httpx.post(f"{base}/stories", files=files, headers=AUTH, timeout=60).json()["claims"]
    wanted = [("iri", claims[0]["iri"]), ("iri", claims[1]["id"]), ("iri", "no-such-claim")]
    page = httpx.get(f"{base}/claims", params=wanted).json()
    assert sorted(c["iri"] for c in page["items"]) == sorted([claims[0]["iri"], claims[1]["iri"]])
    assert all(c["status"] for c in page["items"])


def test_eight_submissions_at_once_are_each_written_whole_while_reads_are_served(desk) -> None:
    import concurrent.futures

    base, store = desk
    files = sorted(FAKEHEALTH.glob("*.json"))[:8]
    assert len(files) == 8
    expected = ClaimStore.in_memory()
    expected.extend(ontology_quads())
    from oncoclaims.ingest import ingest_bytes
    from oncoclaims import queries
    from oncoclaims.discover.candidates import discover_claims
    from oncoclaims.trace_store import refresh_study_groups

    for file in files:
        ingest_bytes(file.read_bytes(), file.name, expected)  # named as the upload names it
    refresh_study_groups(expected)  # as the server does after each news story
    discover_claims(expected, [row["claim"].value for row in queries.select(expected, "claim_iris")])

    def submit(file: Path) -> int:
        with httpx.Client(timeout=120) as client:
            answer = client.post(f"{base}/stories", headers=AUTH,
                                 files={"file": (file.name, file.read_bytes(), "application/json")})
        return answer.status_code

    def read(_: int) -> int:
        with httpx.Client(timeout=120) as client:
            return client.get(f"{base}/claims", params={"limit": 5}).status_code

    with concurrent.futures.ThreadPoolExecutor(max_workers=24) as pool:
        writes = [pool.submit(submit, file) for file in files]
        reads = [pool.submit(read, i) for i in range(16)]
        assert [w.result() for w in writes] == [201] * 8
        assert [r.result() for r in reads] == [200] * 16
    # the same quads as the eight ingested one after another (the ontology's blank nodes aside)
    assert _named_quads(store) == _named_quads(expected)


def _named_quads(store: ClaimStore) -> set[str]:
    from pyoxigraph import BlankNode

    return {str(q) for q in store.inner if not isinstance(q.subject, BlankNode) and not isinstance(q.object, BlankNode)}


def _follow(base: str, answer: httpx.Response) -> dict:
    import time

    assert answer.status_code == 202, answer.text
    job = answer.json()
    assert answer.headers["location"] == f"/stories/jobs/{job['job']}"
    for _ in range(600):
        job = httpx.get(f"{base}/stories/jobs/{job['job']}").json()
        if job["state"] != "running":
            return job
        time.sleep(0.05)
    raise AssertionError("the job did not finish")


def test_a_background_submission_reports_its_progress_and_its_result(desk) -> None:
    base, store = desk
    files = {"file": (RELEASE.name, RELEASE.read_bytes(), "application/json")}
    job = _follow(base, httpx.post(f"{base}/stories", params={"background": "true"}, files=files, headers=AUTH))
    assert job["state"] == "done" and job["stage"] == "done" and job["records"] == 1
    direct = httpx.post(f"{base}/stories", files=files, headers=AUTH, timeout=60).json()
    assert job["result"]["claims"] == direct["claims"] and job["result"]["source"] == direct["source"]


def test_a_failing_background_submission_ends_with_the_error_and_writes_nothing(desk) -> None:
    base, store = desk
    before = _quads(store)
    job = _follow(base, httpx.post(f"{base}/stories", params={"background": "true"},
                                   json={"url": "http://10.0.0.1/"}, headers=AUTH))
    assert job["state"] == "failed" and job["error"]["title"] == "URL refused"
    files = {"file": ("story.json", b'{"text": "x", "colour": 1}', "application/json")}
    job = _follow(base, httpx.post(f"{base}/stories", params={"background": "true"}, files=files,
                                   headers=AUTH))
    assert job["state"] == "failed" and job["error"]["status"] == 400
    assert _quads(store) == before
    assert httpx.get(f"{base}/stories/jobs/no-such-job").status_code == 404
    refused = httpx.post(f"{base}/stories", params={"background": "true"}, json={"text": "x"})
    assert refused.status_code == 401, "a background submission needs the token too"


def test_the_story_page_data_names_the_study_its_voices_and_the_other_story_of_the_same_study(desk) -> None:
    base, store = desk
    sources = {}
    for name in ("news_reviews_00033.json", "story_reviews_00030.json"):  # the Zika release and Newsweek
        files = {"file": (name, (FAKEHEALTH / name).read_bytes(), "application/json")}
        sources[name] = httpx.post(f"{base}/stories", files=files, headers=AUTH, timeout=60).json()["source"]
    release_id = sources["news_reviews_00033.json"].rsplit("/source/", 1)[1]
    page = httpx.get(f"{base}/stories/{release_id}", timeout=60).json()
    assert page["studies"] and page["voices"]
    assert all(v["independent"] in (True, False, None) and v["reason"] for v in page["voices"])
    others = [s["source"] for group in page["same_study"] for s in group["sources"]]
    assert others == [sources["story_reviews_00030.json"]], "the Newsweek story reports the same study"
    assert all(s["title"] for group in page["same_study"] for s in group["sources"])


def test_the_claim_report_names_the_study_and_the_voices_of_the_story_it_came_from(desk) -> None:
    base, store = desk
    files = {"file": (RELEASE.name, RELEASE.read_bytes(), "application/json")}
    submitted = httpx.post(f"{base}/stories", files=files, headers=AUTH, timeout=60).json()
    report = httpx.get(f"{base}/claims/{submitted['claims'][0]['id']}", timeout=60).json()
    origin = report["story_origins"][submitted["source"]]
    assert origin["studies"] and origin["voices"]
    assert any("Berzofsky" in v["name"] for v in origin["voices"]), "the trial's leader is quoted"
    assert all(v["independent"] in (True, False, None) and v["reason"] for v in origin["voices"])


def test_the_story_page_and_the_claim_report_read_one_stored_origin(desk) -> None:
    from pyoxigraph import Literal, Quad

    from oncoclaims.vocab import OC

    base, store = desk
    files = {"file": (RELEASE.name, RELEASE.read_bytes(), "application/json")}
    submitted = httpx.post(f"{base}/stories", files=files, headers=AUTH, timeout=60).json()
    source_id = submitted["source"].rsplit("/source/", 1)[1]
    # a value the text could not produce: the views show it only if they read the store
    reasons = list(store.inner.quads_for_pattern(None, OC.independenceReason, None, None))
    assert len(reasons) == 1
    old = reasons[0]
    store.inner.remove(old)
    store.inner.add(Quad(old.subject, old.predicate, Literal("a reason stored, not in the text"), old.graph_name))
    page = httpx.get(f"{base}/stories/{source_id}", timeout=60).json()
    report = httpx.get(f"{base}/claims/{submitted['claims'][0]['id']}", timeout=60).json()
    origin = report["story_origins"][submitted["source"]]
    assert (page["studies"], page["voices"]) == (origin["studies"], origin["voices"])
    main = page["studies"][0]
    assert main["venue"] == "Fourth CRI-CIMT-EATI-AACR International Cancer Immunotherapy Conference"
    assert (main["design"], main["evidence_level"]) == ("phase-1", "level-uncontrolled-human")
    assert main["funders"] == ["National Cancer Institute"] and main["people"] == ["Jay A. Berzofsky"]
    [voice] = page["voices"]
    assert (voice["name"], voice["role"], voice["independent"]) == ("Jay A. Berzofsky", "study-author", False)
    assert voice["reason"] == "a reason stored, not in the text"
    text = page["text"]
    assert all(text[s:e] for s, e in voice["spans"]) and "Berzofsky" in text[slice(*voice["spans"][0])]
    # the explanation names the study and the voice from the same stored nodes
    explanation = report["explanation"]
    assert "a phase-1 study (Fourth CRI-CIMT-EATI-AACR" in explanation
    assert "the one voice it quotes is Jay A. Berzofsky (study-author, tied: a reason stored, not in the text)" in explanation
