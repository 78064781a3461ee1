"""Cheap queries keep being served while heavy ones run (issue 18): a query that runs long
leaves the pool with its worker, a client whose query ran long is heavy and its next queries
run long from the start, at most --query-workers queries run long at once, and a bounded number
wait (oncoclaims.api.admission). Clients are told apart by peer address: each client here
sends from its own loopback address."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from app_server import serving

from oncoclaims.api import ServerSettings, create_app
from oncoclaims.api.admission import MAX_WAITING_QUERIES, HeavyClients, LongLane
from oncoclaims.api.query_runner import QueryAnswer, QueryJob, WorkerPoolRunner
from oncoclaims.api.state import ServerState
from oncoclaims.errors import ServerBusyError
from oncoclaims.graph.store import ClaimStore
from oncoclaims.ontology import ontology_quads
from oncoclaims.reference import reference_quads

#: Never finishes on the reference graph (about 2,000 cubed solutions to count): only a kill stops it.
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
POINT = "SELECT ?p ?o WHERE { <https://w3id.org/oncoclaims/id/therapy/enteromix> ?p ?o }"


@pytest.fixture
def disk_store(tmp_path: Path) -> Iterator[ClaimStore]:
    store = ClaimStore.open(tmp_path / "store")
    store.extend(ontology_quads())
    store.extend(reference_quads())
    yield store
    store.close()


def _client(base: str, address: str) -> httpx.Client:
    return httpx.Client(base_url=base, timeout=30, transport=httpx.HTTPTransport(local_address=address))


def _wait_for(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + 20
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"still not {what} after 20 s")
        time.sleep(0.02)


def _in_background(send: Callable[[], httpx.Response]) -> tuple[threading.Thread, list[httpx.Response]]:
    answers: list[httpx.Response] = []
    thread = threading.Thread(target=lambda: answers.append(send()))
    thread.start()
    return thread, answers


def test_a_cheap_query_is_answered_while_two_clients_run_queries_to_the_time_limit(disk_store: ClaimStore) -> None:
    app = create_app(disk_store, ServerSettings(query_timeout=4.0, query_workers=2))
    with serving(app) as base:
        runner = app.state.server.query_runner
        assert isinstance(runner, WorkerPoolRunner)
        heavy = [_client(base, "127.0.0.2"), _client(base, "127.0.0.3")]
        cheap, third = _client(base, "127.0.0.1"), _client(base, "127.0.0.4")
        assert cheap.get("/sparql", params={"query": POINT}).status_code == 200
        senders = [_in_background(lambda c=c: c.get("/sparql", params={"query": SLOW})) for c in heavy]
        _wait_for(lambda: runner.idle_workers == 0 or runner.long_queries == 2, "running both slow queries")

        answer = cheap.get("/sparql", params={"query": POINT})
        assert answer.status_code == 200 and answer.json()["results"]["bindings"], answer.text
        assert all(thread.is_alive() for thread, _ in senders), "answered before the slow ones ended"
        _wait_for(lambda: runner.long_queries == 2, "both slow queries out of the pool")

        # A third client's query that runs long while two already do is stopped at once.
        refused = third.get("/sparql", params={"query": SLOW})
        assert refused.status_code == 503 and refused.headers["retry-after"] == "1"
        assert refused.json()["error"]["title"] == "Server busy"
        assert "2 long queries" in refused.json()["error"]["detail"]
        assert all(thread.is_alive() for thread, _ in senders), "refused before the slow ones ended"

        for thread, answers in senders:
            thread.join(timeout=30)
            assert answers[0].status_code == 503
            assert answers[0].json()["error"]["title"] == "Query time limit reached"
        _wait_for(lambda: runner.long_queries == 0 and len(runner.worker_pids) == 2, "back to two workers")

        # Heavy clients' next queries run long from the start; cheap ones are served meanwhile.
        senders = [_in_background(lambda c=c: c.get("/sparql", params={"query": SLOW})) for c in heavy]
        _wait_for(lambda: runner.long_queries == 2, "running both slow queries")
        for _ in range(5):
            assert cheap.get("/sparql", params={"query": POINT}).status_code == 200
        assert all(thread.is_alive() for thread, _ in senders)
        for thread, _ in senders:
            thread.join(timeout=30)
        for client in (*heavy, cheap, third):
            client.close()


def test_past_the_bound_on_waiting_queries_a_query_is_refused_at_once(disk_store: ClaimStore) -> None:
    state = ServerState(ServerSettings(query_timeout=3.0, query_workers=1))
    runner = WorkerPoolRunner(disk_store, state)

    async def scenario() -> tuple[list[object], bool]:
        slow = asyncio.ensure_future(runner.answer(QueryJob(SLOW)))
        await asyncio.sleep(0.02)  # the slow query holds the only worker
        extra = 44
        points = [asyncio.ensure_future(runner.answer(QueryJob(POINT))) for _ in range(MAX_WAITING_QUERIES + extra)]
        refused, _ = await asyncio.wait(points, return_when=asyncio.FIRST_COMPLETED)
        slow_running = not slow.done()
        answers = await asyncio.gather(*points, return_exceptions=True)
        await asyncio.gather(slow, return_exceptions=True)
        return answers, slow_running and len(refused) == extra

    try:
        runner.start()
        answers, refused_first = asyncio.run(scenario())
    finally:
        runner.close()
    busy = [a for a in answers if isinstance(a, ServerBusyError)]
    assert len(busy) == 44 and refused_first, "the ones over the bound were refused before anything else ended"
    assert busy[0].retry_after == 1 and "256 queries are waiting" in str(busy[0])
    served = [a for a in answers if isinstance(a, QueryAnswer)]
    assert len(served) == MAX_WAITING_QUERIES, "the waiting ones were served by the worker that replaced the slow one's"


def test_a_client_is_heavy_for_a_while_after_a_long_query() -> None:
    now = [100.0]
    clients = HeavyClients(seconds=60, clock=lambda: now[0])
    clients.mark("10.0.0.1")
    clients.mark(None)
    assert "10.0.0.1" in clients and "10.0.0.2" not in clients and None not in clients
    now[0] += 61
    assert "10.0.0.1" not in clients
    lane = LongLane(2)
    assert lane.enter() and lane.enter() and not lane.enter() and len(lane) == 2
    lane.leave()
    assert lane.enter()
