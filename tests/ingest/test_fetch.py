"""Live fetch against a local server replaying real recorded API answers (no network)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from replay_server import replay_server

from oncoclaims.errors import FetchError
from oncoclaims.ingest.fetch import FetchClient, fetch_crossref, fetch_ctgov, fetch_pubmed

DATA = Path(__file__).parents[1] / "data"
STUDY = (DATA / "ctgov" / "v2" / "biomcp" / "get_nct02576665_20260811.json").read_bytes()
SEARCH = (DATA / "ctgov" / "v2" / "biomcp" / "search_keytruda_limit3_20260811.json").read_bytes()
EFETCH = (DATA / "pubmed" / "biomcp-efetch_citation_22663011.xml").read_bytes()
WORK = (DATA / "crossref" / "10.1136_esmoopen-2020-000776.json").read_bytes()


def client(tmp_path: Path, **options: object) -> tuple[FetchClient, list[float]]:
    waits: list[float] = []
    fetcher = FetchClient(cache_dir=tmp_path / "cache", sleep=waits.append, **options)
    return fetcher, waits


def test_a_study_is_fetched_once_then_served_from_the_cache(tmp_path: Path) -> None:
    routes = {"/api/v2/studies/NCT02576665": [(200, STUDY, {})]}
    with replay_server(routes) as server:
        fetcher, _ = client(tmp_path)
        first = fetch_ctgov(fetcher, ["nct02576665"], base_url=f"{server.base_url}/api/v2")
        again = fetch_ctgov(fetcher, ["NCT02576665"], base_url=f"{server.base_url}/api/v2")
    assert first[0].data == STUDY and not first[0].from_cache
    assert again[0].data == STUDY and again[0].from_cache
    assert server.hits("/api/v2/studies/NCT02576665") == 1
    assert list((tmp_path / "cache").rglob("*.body")), "the raw answer is kept on disk"


def test_a_search_follows_pages_until_the_limit(tmp_path: Path) -> None:
    page = json.loads(SEARCH)
    assert page["nextPageToken"], "the recorded page has a next page"
    routes = {"/api/v2/studies": [(200, SEARCH, {})]}
    with replay_server(routes) as server:
        fetcher, _ = client(tmp_path)
        documents = fetch_ctgov(
            fetcher, query="Keytruda", limit=len(page["studies"]), base_url=f"{server.base_url}/api/v2"
        )
    assert [d.data for d in documents] == [SEARCH]
    assert "query.term=Keytruda" in server.requests[0]


def test_rate_limiting_is_waited_out(tmp_path: Path) -> None:
    routes = {"/works/10.1136/esmoopen-2020-000776": [(429, b"slow down", {"Retry-After": "2"}), (200, WORK, {})]}
    with replay_server(routes) as server:
        fetcher, waits = client(tmp_path, contact="curator@example.org")
        documents = fetch_crossref(fetcher, ["10.1136/esmoopen-2020-000776"], base_url=server.base_url)
    assert documents[0].data == WORK
    assert waits and waits[0] >= 2, "Retry-After is honoured"
    assert "mailto=curator%40example.org" in server.requests[0]


def test_server_errors_exhaust_the_retries_with_a_clear_error(tmp_path: Path) -> None:
    routes = {"/efetch.fcgi": [(500, b"internal error", {})]}
    with replay_server(routes) as server:
        fetcher, waits = client(tmp_path, retries=3, backoff=0.5)
        with pytest.raises(FetchError, match=r"gave up after 4 tries \(last: HTTP 500\)"):
            fetch_pubmed(fetcher, ["22663011"], base_url=server.base_url)
    assert server.hits("/efetch.fcgi") == 4
    assert [w for w in waits if w >= 0.5] == [0.5, 1.0, 2.0], "exponential backoff"
    assert not list((tmp_path / "cache").rglob("*.body")), "a failure caches nothing"


def test_a_client_error_is_not_retried(tmp_path: Path) -> None:
    with replay_server({}) as server:
        fetcher, _ = client(tmp_path)
        with pytest.raises(FetchError, match="HTTP 404.*check the identifier"):
            fetch_ctgov(fetcher, ["NCT00000000"], base_url=server.base_url)
    assert len(server.requests) == 1


def test_pubmed_efetch_asks_for_xml_and_names_the_tool(tmp_path: Path) -> None:
    routes = {"/efetch.fcgi": [(200, EFETCH, {})]}
    with replay_server(routes) as server:
        fetcher, _ = client(tmp_path)
        documents = fetch_pubmed(fetcher, ["22663011"], base_url=server.base_url, api_key="k")
    assert documents[0].data == EFETCH
    request = server.requests[0]
    assert "id=22663011" in request and "retmode=xml" in request and "tool=oncoclaims" in request
    assert fetcher.min_interval == pytest.approx(0.1), "10 requests a second with an API key"


def _trial_count(store_dir: Path) -> int:
    from oncoclaims.graph.store import ClaimStore
    from oncoclaims.vocab import OC, RDF

    with ClaimStore.open(store_dir) as store:
        return len(list(store.inner.quads_for_pattern(None, RDF.type, OC.Evidence, None)))


def test_cli_fetch_ingests_through_the_file_path_and_replays_from_cache(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from oncoclaims.cli import app

    store_dir, cache = tmp_path / "store", tmp_path / "cache"
    routes = {"/api/v2/studies/NCT02576665": [(429, b"", {"Retry-After": "0"}), (200, STUDY, {})]}
    args = ["fetch", "ctgov", "NCT02576665", "--cache-dir", str(cache), "--store", str(store_dir)]
    with replay_server(routes) as server:
        first = CliRunner().invoke(app, [*args, "--base-url", f"{server.base_url}/api/v2"])
        assert first.exit_code == 0, first.output
        assert "read as clinicaltrials-json: 1 records" in first.output
        trials = _trial_count(store_dir)
        again = CliRunner().invoke(app, [*args, "--base-url", f"{server.base_url}/api/v2"])
    assert again.exit_code == 0, again.output
    assert "(cached)" in again.output and "0 new quads" in again.output
    assert server.hits("/api/v2/studies/NCT02576665") == 2, "one 429, one answer, then the cache"
    assert trials >= 1 and _trial_count(store_dir) == trials


def test_cli_fetch_failure_is_an_error_and_changes_nothing(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from oncoclaims.cli import app

    store_dir = tmp_path / "store"
    assert CliRunner().invoke(app, ["stats", "--store", str(store_dir)]).exit_code == 0
    before = _trial_count(store_dir)
    with replay_server({"/efetch.fcgi": [(503, b"busy", {"Retry-After": "0"})]}) as server:
        result = CliRunner().invoke(
            app,
            ["fetch", "pubmed", "22663011", "--retries", "1", "--base-url", server.base_url,
             "--cache-dir", str(tmp_path / "cache"), "--store", str(store_dir)],
        )
    assert result.exit_code == 1
    assert "error:" in result.output and "gave up after 2 tries (last: HTTP 503)" in result.output
    assert _trial_count(store_dir) == before


def test_cli_fetch_pubmed_ingests_the_article(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from oncoclaims.cli import app
    from oncoclaims.graph.store import ClaimStore
    from oncoclaims.iris import mint_iri
    from oncoclaims.vocab import OC

    store_dir = tmp_path / "store"
    with replay_server({"/efetch.fcgi": [(200, EFETCH, {})]}) as server:
        result = CliRunner().invoke(
            app,
            ["fetch", "pubmed", "22663011", "--base-url", server.base_url,
             "--cache-dir", str(tmp_path / "cache"), "--store", str(store_dir)],
        )
    assert result.exit_code == 0, result.output
    assert "read as pubmed-xml: 1 records" in result.output
    with ClaimStore.open(store_dir) as store:
        article = mint_iri("pubmed", "22663011")
        assert list(store.inner.quads_for_pattern(article, OC.pmid, None, None))


def test_cli_fetch_crossref_ingests_the_work(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from oncoclaims.cli import app

    with replay_server({"/works/10.1136/esmoopen-2020-000776": [(200, WORK, {})]}) as server:
        result = CliRunner().invoke(
            app,
            ["fetch", "crossref", "10.1136/esmoopen-2020-000776", "--base-url", server.base_url,
             "--contact", "curator@example.org", "--cache-dir", str(tmp_path / "cache"), "--store", str(tmp_path / "s")],
        )
    assert result.exit_code == 0, result.output
    assert "read as crossref-json: 1 records" in result.output


def test_malformed_identifiers_are_refused_before_any_request(tmp_path: Path) -> None:
    with replay_server({}) as server:
        fetcher, _ = client(tmp_path)
        with pytest.raises(FetchError, match=r"not a ClinicalTrials.gov number .*'NOTANID', 'NCT123'"):
            fetch_ctgov(fetcher, ["NCT02576665", "NOTANID", "NCT123"], base_url=server.base_url)
        with pytest.raises(FetchError, match=r"not a PMID \(digits\): 'PMC123'"):
            fetch_pubmed(fetcher, ["PMC123"], base_url=server.base_url)
        with pytest.raises(FetchError, match=r"not a DOI .*'esmoopen-2020'"):
            fetch_crossref(fetcher, ["esmoopen-2020"], base_url=server.base_url)
    assert server.requests == [], "nothing was asked of the service"


def test_a_doi_may_be_given_as_its_url(tmp_path: Path) -> None:
    routes = {"/works/10.1136/esmoopen-2020-000776": [(200, b'{"message": {}}', {})]}
    with replay_server(routes) as server:
        fetcher, _ = client(tmp_path)
        fetch_crossref(fetcher, ["https://doi.org/10.1136/esmoopen-2020-000776"],
                       base_url=server.base_url)
    assert server.hits("/works/10.1136/esmoopen-2020-000776") == 1


def test_an_unreachable_service_says_to_check_the_network(tmp_path: Path) -> None:
    import socket

    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    fetcher, _ = client(tmp_path, retries=1, backoff=0.01)
    with pytest.raises(FetchError, match=r"cannot connect to 127.0.0.1 after 2 tries .*network"):
        fetch_pubmed(fetcher, ["22663011"], base_url=f"http://127.0.0.1:{port}")
