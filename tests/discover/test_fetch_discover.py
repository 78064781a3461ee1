"""`discover --fetch` against a local server replaying real captured answers only.

The answers: ClinicalTrials.gov's /studies page for Keytruda, openFDA's Drugs@FDA answer for
imatinib mesylate and label answer for Keytruda (tests/data, with the request URLs their capture
receipts give). No E-utilities esearch answer was captured: the PubMed searches are checked as
requests (term, parameters, rate limit), answered by an error status, never by a made-up body.
"""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from app_server import listening
from curated_claims import CLAIMS
from replay_server import replay_server
from typer.testing import CliRunner

from oncoclaims.cli import app
from oncoclaims.discover.fetching import Services, fetch_for_claims, pubmed_searches
from oncoclaims.errors import FetchError
from oncoclaims.graph.store import ClaimStore
from oncoclaims.ingest import ingest
from oncoclaims.ingest.fetch import FetchClient, fetch_openfda
from oncoclaims.iris import mint_iri
from oncoclaims.ontology import ontology_quads
from oncoclaims.vocab import OC, RDF, SKOS

runner = CliRunner()
DATA = Path(__file__).parents[1] / "data"
DRUGSFDA = (DATA / "openfda" / "drugsfda_imatinib_20260811.json").read_bytes()
LABEL = (DATA / "openfda" / "label_keytruda_20260811.json").read_bytes()
#: The requests of the two openFDA captures, as shared/data/biomcp-capture-receipts.json gives them.
DRUGSFDA_REQUEST = ("/drug/drugsfda.json?search=openfda.generic_name%3A%22imatinib+mesylate%22+OR+"
                    "openfda.brand_name%3A%22imatinib+mesylate%22+OR+products.brand_name%3A%22imatinib+mesylate%22"
                    "&limit=8&skip=0")
LABEL_REQUEST = ("/drug/label.json?search=openfda.generic_name%3A%22Keytruda%22+OR+openfda.brand_name%3A%22"
                 "Keytruda%22&limit=5&sort=effective_time%3Adesc")
IMATINIB = ("Imatinib mesylate tablets control chronic myeloid leukaemia,efficacy,imatinib mesylate,humans,"
            "chronic myeloid leukaemia,Novartis,https://example.org/novartis,press-release,Novartis press release\n")


def _store(tmp_path: Path, extra: str = "") -> Path:
    store = tmp_path / "store"
    table = tmp_path / "claims.csv"
    table.write_text(CLAIMS + extra, encoding="utf-8")
    assert runner.invoke(app, ["ingest", "--store", str(store), str(table)]).exit_code == 0
    return store


def _discover(store: Path, tmp_path: Path, claim: str, *options: str) -> object:
    return runner.invoke(app, ["discover", claim, "--fetch", *options, "--store", str(store),
                               "--cache-dir", str(tmp_path / "cache")])


def test_fetch_asks_for_the_therapy_by_intervention_and_links_what_it_ingests(tmp_path: Path, data_dir: Path) -> None:
    store = _store(tmp_path)
    # the real capture of /api/v2/studies?query.intr="Keytruda"&pageSize=3 (biomcp receipt)
    page = (data_dir / "ctgov/v2/biomcp/search_keytruda_limit3_20260811.json").read_bytes()
    with replay_server({"/api/v2/studies": [(200, page, {})]}) as server:
        result = _discover(store, tmp_path, "Keytruda shrinks", "--source", "ctgov", "--limit", "3",
                           "--base-url", f"{server.base_url}/api/v2")
    assert result.exit_code == 0, result.output
    asked = parse_qs(urlsplit(server.requests[0]).query)
    assert asked["query.intr"] == ["Pembrolizumab"]  # the brand resolved to the drug before asking
    assert "fetched ctgov: Pembrolizumab: 1 answers, 3 records" in result.output
    report = json.loads(runner.invoke(app, ["check", "Keytruda shrinks", "--json", "--store", str(store)]).output)
    assert {i for c in report["candidates"] for i in c["identifiers"]} == {
        "NCT:NCT05431270", "NCT:NCT03590054", "NCT:NCT04795661"}


def test_fetch_asks_drugs_at_fda_by_the_claims_name_and_the_approval_becomes_a_candidate(tmp_path: Path) -> None:
    store = _store(tmp_path, IMATINIB)
    with replay_server({DRUGSFDA_REQUEST: [(200, DRUGSFDA, {})]}) as server:
        result = _discover(store, tmp_path, "Imatinib mesylate tablets", "--source", "drugsfda", "--limit", "8",
                           "--openfda-url", server.base_url)
    assert result.exit_code == 0, result.output
    assert server.requests == [DRUGSFDA_REQUEST]  # the very request the capture answered
    assert "fetched drugsfda: imatinib mesylate: 1 answers, 1 records" in result.output
    report = json.loads(runner.invoke(app, ["check", "Imatinib mesylate", "--json", "--store", str(store)]).output)
    (candidate,) = report["candidates"]
    assert candidate["identifiers"] == ["FDA:NDA021588"] and candidate["sponsors"] == ["NOVARTIS"]


def test_an_openfda_label_search_is_the_captured_request_and_gives_the_generic_name(tmp_path: Path) -> None:
    waits: list[float] = []
    client = FetchClient(cache_dir=tmp_path / "cache", sleep=waits.append)
    with replay_server({LABEL_REQUEST: [(200, LABEL, {})]}) as server:
        documents = fetch_openfda(client, ["Keytruda", "Keytruda "], endpoint="label", limit=5,
                                  base_url=server.base_url)
    assert server.requests == [LABEL_REQUEST] and [d.data for d in documents] == [LABEL]
    assert client.min_interval == pytest.approx(0.25), "openFDA: 240 requests a minute"
    store = ClaimStore.in_memory()
    ingest(DATA / "openfda" / "label_keytruda_20260811.json", store)
    therapy = mint_iri("therapy", "KEYTRUDA")
    assert {q.object.value for q in store.inner.quads_for_pattern(therapy, SKOS.altLabel, None, None)} == {"PEMBROLIZUMAB"}


def test_a_name_that_is_syntax_is_one_phrase_and_a_bad_name_is_refused_before_asking(tmp_path: Path) -> None:
    client = FetchClient(cache_dir=None, retries=0)
    with replay_server({}) as server:
        with pytest.raises(FetchError, match="not a drug name"):
            fetch_openfda(client, ['"', "x" * 300], endpoint="label", base_url=server.base_url)
        assert server.requests == []
        with pytest.raises(FetchError, match="404 without openFDA's NOT_FOUND"):
            fetch_openfda(client, ['Keytruda" OR _exists_:set_id'], endpoint="label", base_url=server.base_url)
    (request,) = server.requests
    assert parse_qs(urlsplit(request).query)["search"] == [
        'openfda.generic_name:"Keytruda OR _exists_:set_id" OR openfda.brand_name:"Keytruda OR _exists_:set_id"']


@pytest.mark.parametrize("source, path", [("ctgov", "/api/v2/studies"), ("drugsfda", "/drug/drugsfda.json"),
                                          ("label", "/drug/label.json"), ("pubmed", "/esearch.fcgi")])
def test_a_fetch_that_keeps_failing_is_a_clear_error_and_writes_nothing(tmp_path: Path, source: str, path: str) -> None:
    store = _store(tmp_path)
    before = runner.invoke(app, ["stats", "--store", str(store)]).output
    for status in (500, 429):
        with replay_server({path: [(status, b"busy", {"Retry-After": "0"})]}) as server:
            result = _discover(store, tmp_path, "Keytruda shrinks", "--source", source, "--retries", "1",
                               "--base-url", f"{server.base_url}/api/v2", "--eutils-url", server.base_url,
                               "--openfda-url", server.base_url)
        assert result.exit_code == 1
        assert "error:" in result.output and f"HTTP {status}" in result.output and "2 tries" in result.output
        assert server.hits(path) == 2
    assert runner.invoke(app, ["stats", "--store", str(store)]).output == before


def test_a_fetch_that_times_out_is_a_clear_error_and_writes_nothing(tmp_path: Path) -> None:
    store = _store(tmp_path)
    before = runner.invoke(app, ["stats", "--store", str(store)]).output
    with listening() as silent:  # accepts the connection, never answers
        port = silent.getsockname()[1]
        result = _discover(store, tmp_path, "Keytruda shrinks", "--source", "label", "--retries", "0",
                           "--timeout", "0.3", "--openfda-url", f"http://127.0.0.1:{port}")
    assert result.exit_code == 1
    assert "ReadTimeout" in result.output and "try again later" in result.output
    assert runner.invoke(app, ["stats", "--store", str(store)]).output == before


def test_an_answer_that_cannot_be_read_stops_the_fetch_before_anything_is_written(tmp_path: Path, data_dir: Path) -> None:
    store = _store(tmp_path, IMATINIB)
    before = runner.invoke(app, ["stats", "--store", str(store)]).output
    page = (data_dir / "ctgov/v2/biomcp/search_keytruda_limit3_20260811.json").read_bytes()
    broken = json.loads(DRUGSFDA)  # the real answer with its application number taken out
    del broken["results"][0]["application_number"]
    routes = {"/api/v2/studies": [(200, page, {})], "/drug/drugsfda.json": [(200, json.dumps(broken).encode(), {})]}
    with replay_server(routes) as server:
        result = _discover(store, tmp_path, "Imatinib mesylate tablets", "--source", "ctgov", "--source", "drugsfda",
                           "--limit", "3", "--base-url", f"{server.base_url}/api/v2", "--openfda-url", server.base_url)
    assert result.exit_code == 1
    assert "cannot be read" in result.output and "application_number" in result.output
    assert "nothing was written" in result.output
    # the readable ClinicalTrials.gov page was fetched first, and is not written either
    assert server.hits("/api/v2/studies") == 1
    assert runner.invoke(app, ["stats", "--store", str(store)]).output == before


def _story_store(data_dir: Path) -> tuple[ClaimStore, list[str]]:
    store = ClaimStore.in_memory()
    store.extend(ontology_quads())
    ingest(data_dir / "news" / "story_reviews_01026.json", store)  # Reuters 2011: Penn, CLL, NEJM
    claims = sorted({q.subject.value for q in store.inner.quads_for_pattern(None, OC.about, None, None)})
    return store, claims


def test_pubmed_is_asked_for_the_paper_a_story_describes_by_journal_author_and_date(data_dir: Path) -> None:
    store, claims = _story_store(data_dir)
    terms, pmids = pubmed_searches(store, claims)
    assert ('("New England Journal of Medicine"[Journal] OR "Science Translational Medicine"[Journal]) AND '
            '"Kalos"[Author] AND ("2010/08/10"[dp] : "2011/11/08"[dp])') in terms
    assert pmids == []  # the story names no PMID


def test_the_pubmed_search_request_names_the_tool_and_keeps_ncbis_rate(tmp_path: Path, data_dir: Path) -> None:
    store, claims = _story_store(data_dir)
    before = len(store)
    terms, _ = pubmed_searches(store, claims)
    client = FetchClient(cache_dir=tmp_path / "cache", retries=0)
    with replay_server({"/esearch.fcgi": [(503, b"", {})]}) as server:
        with pytest.raises(FetchError, match=r"esearch.*HTTP 503"):
            fetch_for_claims(store, claims, client, limit=20, sources=["pubmed"],
                             services=Services(eutils=server.base_url))
    asked = parse_qs(urlsplit(server.requests[0]).query)
    assert asked["db"] == ["pubmed"] and asked["retmode"] == ["json"] and asked["retmax"] == ["20"]
    assert asked["tool"] == ["oncoclaims"] and asked["term"] == [terms[0]]
    assert client.min_interval == pytest.approx(0.34), "E-utilities: 3 requests a second without a key"
    assert len(store) == before


def test_an_unknown_source_is_refused(tmp_path: Path) -> None:
    store = _store(tmp_path)
    result = _discover(store, tmp_path, "Keytruda shrinks", "--source", "europepmc")
    assert result.exit_code == 1 and "unknown source 'europepmc'" in result.output


#: A story written for this test from the captured citation's own facts (PMID 22663011: "Improved
#: survival with MEK inhibition in BRAF-mutated melanoma", NEJM 2012, first author Flaherty).
METRIC_STORY = """MEK inhibitor improves survival in BRAF-mutated melanoma

Patients with BRAF-mutated melanoma treated with Trametinib had improved survival compared with \
those given chemotherapy, Keith Flaherty and colleagues reported in the New England Journal of \
Medicine (PMID 22663011).
"""


def test_a_pmid_a_story_names_is_fetched_by_efetch_and_a_later_failure_still_writes_nothing(
        tmp_path: Path, data_dir: Path) -> None:
    store = ClaimStore.in_memory()
    store.extend(ontology_quads())
    story = tmp_path / "story.txt"
    story.write_text(METRIC_STORY, encoding="utf-8")
    ingest(story, store)
    claims = sorted({q.subject.value for q in store.inner.quads_for_pattern(None, RDF.type, OC.Claim, None)})
    terms, pmids = pubmed_searches(store, claims)
    assert pmids == ["22663011"]
    assert terms == ['"Trametinib"[Title/Abstract]', '"New England Journal of Medicine"[Journal] AND "Flaherty"[Author]']
    before = len(store)
    efetch = (data_dir / "pubmed" / "biomcp-efetch_citation_22663011.xml").read_bytes()
    routes = {"/efetch.fcgi": [(200, efetch, {})], "/esearch.fcgi": [(503, b"", {})]}
    client = FetchClient(cache_dir=tmp_path / "cache", retries=0, sleep=lambda _: None)
    with replay_server(routes) as server:
        with pytest.raises(FetchError, match="HTTP 503"):
            fetch_for_claims(store, claims, client, sources=["pubmed"], services=Services(eutils=server.base_url))
    assert parse_qs(urlsplit(server.requests[0]).query)["id"] == ["22663011"]  # asked first, and answered
    assert server.hits("/esearch.fcgi") == 1
    assert len(store) == before  # the article fetched before the failure is not written


def test_a_fetch_needing_more_searches_than_allowed_asks_nothing_and_says_so(tmp_path: Path, data_dir: Path) -> None:
    store = _store(tmp_path)
    before = runner.invoke(app, ["stats", "--store", str(store)]).output
    with replay_server({}) as server:
        result = runner.invoke(app, ["discover", "--all", "--fetch", "--source", "ctgov", "--max-searches", "2",
                                     "--base-url", f"{server.base_url}/api/v2", "--store", str(store),
                                     "--cache-dir", str(tmp_path / "cache")])
    assert result.exit_code != 0
    assert "searches (ctgov " in result.output and "more than the 2 allowed; nothing was asked" in result.output
    assert "raise --max-searches" in result.output
    assert server.requests == []  # refused before the first request
    assert runner.invoke(app, ["stats", "--store", str(store)]).output == before
    # within the cap (one claim, one therapy: one search), the real captured answer is fetched
    page = (data_dir / "ctgov/v2/biomcp/search_keytruda_limit3_20260811.json").read_bytes()
    with replay_server({"/api/v2/studies": [(200, page, {})]}) as server:
        result = _discover(store, tmp_path, "Keytruda shrinks", "--source", "ctgov", "--limit", "3",
                           "--max-searches", "1", "--base-url", f"{server.base_url}/api/v2")
    assert result.exit_code == 0, result.output
    assert len(server.requests) == 1 and "3 records" in result.output
