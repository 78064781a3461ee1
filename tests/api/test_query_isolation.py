"""Hostile SPARQL cannot take the server down (issue 18): nesting is bounded before any parser,
a parser crash kills only a worker or the sandbox, and updates run off the event loop."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from app_server import serving

from oncoclaims.api import create_app
from oncoclaims.api.preflight import Sandbox
from oncoclaims.api.query_runner import QueryJob, WorkerPoolRunner
from oncoclaims.api.settings import ServerSettings
from oncoclaims.api.state import ServerState
from oncoclaims.cli import _server_settings
from oncoclaims.errors import ConfigError, QueryRefusedError, StoreError
from oncoclaims.graph.store import ClaimStore
from oncoclaims.ontology import ontology_quads
from oncoclaims.reference import reference_quads

TOKEN = "isolation-token"  # noqa: S105 (a test server's token)
UPDATE = {"content-type": "application/sparql-update", "authorization": f"Bearer {TOKEN}"}
POINT = "SELECT ?p ?o WHERE { <https://w3id.org/oncoclaims/id/therapy/enteromix> ?p ?o }"
DEEP = 5000


def deep_queries(n: int) -> list[str]:
    """Queries nested ``n`` deep, each way the grammar allows, and ways to hide the brackets."""
    return [
        "SELECT * WHERE " + "{" * n + "}" * n,
        "SELECT * WHERE { FILTER(" + "(" * n + "1" + ")" * n + ") }",
        "SELECT * WHERE { ?s ?p " + "[ ?p " * n + "1" + " ]" * n + " }",
        "SELECT * WHERE { ?s ?p " + "(" * n + ")" * n + " }",  # collections
        # a '<' read as the start of an IRI would hide the brackets after it
        "SELECT * WHERE { ?a ?b ?c FILTER(?a<" + "(" * n + "?b>?c" + ")" * n + ") }",
        # an escaped '#' in a local name is no comment; the brackets after it are real
        "PREFIX ex: <http://example.org/> SELECT * WHERE { ?s ex:a\\#b ?o FILTER(" + "(" * n + "1" + ")" * n + ") }",
        # strings holding closers cannot lower the count
        "SELECT * WHERE { FILTER(" + '(")" = ' * n + "1" + ")" * n + ") }",
        # nor can closers in a comment
        "SELECT * WHERE { FILTER(" + "(\n# )\n" * n + "1" + ")" * n + ") }",
    ]


def deep_updates(n: int) -> list[str]:
    """Updates nested ``n`` deep."""
    return [
        "INSERT { } WHERE " + "{" * n + "}" * n,
        "DELETE { ?s ?p ?o } WHERE { ?s ?p ?o FILTER(" + "(" * n + "true" + ")" * n + ") }",
        "INSERT DATA { <http://example.org/s> <http://example.org/p> " + "(" * n + ")" * n + " }",
        "LOAD <http://example.org/" + "(" * n + "> ; INSERT { } WHERE " + "{" * n + "}" * n,
    ]


@pytest.fixture
def disk_store(tmp_path: Path) -> Iterator[ClaimStore]:
    store = ClaimStore.open(tmp_path / "store")
    store.extend(ontology_quads())
    store.extend(reference_quads())
    yield store
    store.close()


@pytest.fixture(params=["in-memory", "on-disk"])
def base(request: pytest.FixtureRequest, disk_store: ClaimStore) -> Iterator[str]:
    store = disk_store
    if request.param == "in-memory":
        store = ClaimStore.in_memory()
        store.extend(ontology_quads())
        store.extend(reference_quads())
    with serving(create_app(store, ServerSettings(update_token=TOKEN))) as url:
        yield url


def _serves(base: str) -> None:
    answer = httpx.get(f"{base}/sparql", params={"query": POINT}, timeout=30)
    assert answer.status_code == 200 and answer.json()["results"]["bindings"], "the server still serves"


def test_deep_queries_and_updates_are_refused_and_the_server_serves(base: str) -> None:
    for query in deep_queries(DEEP):
        answer = httpx.post(f"{base}/sparql", content=query, headers={"content-type": "application/sparql-query"},
                            timeout=30)
        assert answer.status_code == 400, (query[:80], answer.text[:300])
        assert answer.json()["error"]["title"] == "Query nested too deeply"
        assert "--max-nesting" in answer.json()["error"]["detail"]
    for update in deep_updates(DEEP):
        answer = httpx.post(f"{base}/sparql", content=update, headers=UPDATE, timeout=30)
        assert answer.status_code == 400, (update[:80], answer.text[:300])
        assert answer.json()["error"]["title"] == "Query nested too deeply"
        assert "update nests" in answer.json()["error"]["detail"]
    _serves(base)


def test_nesting_under_the_limit_is_answered(base: str) -> None:
    for query in deep_queries(40)[:4]:
        answer = httpx.post(f"{base}/sparql", content=query, headers={"content-type": "application/sparql-query"},
                            timeout=30)
        assert answer.status_code == 200, (query[:80], answer.text[:300])


def test_the_nesting_limit_is_a_setting(disk_store: ClaimStore) -> None:
    with serving(create_app(disk_store, ServerSettings(max_nesting=5))) as url:
        shallow = httpx.get(f"{url}/sparql", params={"query": "SELECT * WHERE " + "{" * 5 + "}" * 5}, timeout=30)
        assert shallow.status_code == 200
        deep = httpx.get(f"{url}/sparql", params={"query": "SELECT * WHERE " + "{" * 6 + "}" * 6}, timeout=30)
        assert deep.status_code == 400 and "at most 5" in deep.json()["error"]["detail"]


def test_a_sandbox_crash_is_a_refusal_and_a_new_sandbox_starts() -> None:
    sandbox = Sandbox()
    try:
        sandbox.check(("update", "INSERT DATA { <http://a/s> <http://a/p> 1 }", None, True), 30)
        first = sandbox.pid
        for kind, text in [("update", deep_updates(DEEP)[0]), ("query", deep_queries(DEEP)[0])]:
            with pytest.raises(QueryRefusedError, match="crashed") as crash:
                sandbox.check((kind, text, None, True), 30)  # past the nesting bound, which this skips
            assert crash.value.title == f"{kind.capitalize()} could not be parsed safely"
        sandbox.check(("update", "INSERT DATA { <http://a/s> <http://a/p> 2 }", None, True), 30)
        assert sandbox.pid not in (None, first), "a new sandbox answered"
    finally:
        sandbox.close()


def test_a_worker_crash_is_an_error_and_a_new_worker_starts(disk_store: ClaimStore) -> None:
    runner = WorkerPoolRunner(disk_store, ServerState(ServerSettings(query_workers=1)))
    try:
        runner.start()
        (first,) = runner.worker_pids
        with pytest.raises(StoreError, match="stopped unexpectedly"):
            runner.run(QueryJob(deep_queries(DEEP)[0]))  # past the nesting bound, which this skips
        assert runner.run(QueryJob(POINT)).body
        assert runner.worker_pids and first not in runner.worker_pids
    finally:
        runner.close()


#: About 2 s on the reference graph (2,033 quads squared, counted); instant on an empty store.
SLOW_UPDATE = ("INSERT { GRAPH <https://example.org/g> { <https://example.org/x> <https://example.org/n> ?n } } "
               "WHERE { { SELECT (COUNT(*) AS ?n) { GRAPH ?g { ?a ?b ?c } GRAPH ?h { ?d ?e ?f } } } }")


def test_a_slow_update_does_not_stall_reads(disk_store: ClaimStore) -> None:
    with serving(create_app(disk_store, ServerSettings(update_token=TOKEN))) as url:
        _serves(url)
        finished: dict[str, float] = {}

        def update() -> None:
            answer = httpx.post(f"{url}/sparql", content=SLOW_UPDATE, headers=UPDATE, timeout=60)
            finished["update"] = time.monotonic()
            assert answer.status_code == 204

        sender = threading.Thread(target=update)
        sender.start()
        time.sleep(0.5)  # past the sandbox's check (empty store: instant), into the real run
        answer = httpx.get(f"{url}/sparql", params={"query": "ASK { }"}, timeout=60)
        finished["read"] = time.monotonic()
        assert answer.status_code == 200
        sender.join(60)
        assert finished["read"] < finished["update"], "the read was answered while the update ran"
        count = httpx.get(f"{url}/sparql", params={"query": "ASK { GRAPH <https://example.org/g> { ?s ?p ?o } }"}, timeout=30)
        assert count.json()["boolean"] is True, "and the update applied"


def test_the_nesting_limit_comes_from_the_option_or_the_environment() -> None:
    assert ServerSettings.from_environment({"ONCOCLAIMS_MAX_NESTING": "50"}).max_nesting == 50
    assert ServerSettings.from_environment({}).max_nesting == 100
    with pytest.raises(ConfigError, match=r"\$ONCOCLAIMS_MAX_NESTING: '5000' is not a nesting limit"):
        ServerSettings.from_environment({"ONCOCLAIMS_MAX_NESTING": "5000"})
    assert _server_settings(None, None, None, None, None, max_nesting="7").max_nesting == 7
    with pytest.raises(ConfigError, match="--max-nesting: 'deep'"):
        _server_settings(None, None, None, None, None, max_nesting="deep")
