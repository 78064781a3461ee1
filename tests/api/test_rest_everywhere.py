"""The REST API and the desk's ``POST /stories`` on each backend, over real sockets: the same
answers from the embedded store, a real Oxigraph server and a real Virtuoso.

These routes read through ``ClaimStore`` (graph/, ingest/), which reaches a SPARQL server once
it holds a backend (branch ``store``). Until :func:`oncoclaims.api.launch.store_over` returns
such a store, the SPARQL-server cases are expected to fail (strict: they must be switched on).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from served import BACKENDS, Served, load, served

from oncoclaims.api import ServerSettings
from oncoclaims.ontology import ontology_quads
from oncoclaims.reference import reference_quads

RELEASE = (Path(__file__).parents[2] / ".." / "shared" / "data" / "news-articles" / "fakehealth"
           / "news_reviews_00027.json")
TOKEN = "rest-everywhere-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
LISTS = ["/claims?limit=500", "/therapies", "/institutions?limit=1000", "/sources?limit=1000", "/metrics"]


@pytest.fixture(scope="module", params=BACKENDS)
def api(request: pytest.FixtureRequest) -> Iterator[Served]:
    """A writable API over the ontology and the reference graph, on each backend."""
    with served(request.param, request, ServerSettings(update_token=TOKEN)) as running:
        load(running, [*ontology_quads(), *reference_quads()])
        yield running


_ANSWERS: dict[str, Any] = {}


def _get(base: str, path: str) -> Any:
    answer = httpx.get(f"{base}{path}", timeout=120)
    assert answer.status_code == 200, f"{path}: {answer.status_code} {answer.text[:300]}"
    return answer.json()


def test_the_lists_and_reports_are_the_same_on_every_backend(api: Served) -> None:
    answers = {path: _get(api.base, path) for path in LISTS}
    assert answers["/claims?limit=500"]["total"] == 13 and answers["/sources?limit=1000"]["total"] == 4
    for claim in answers["/claims?limit=500"]["items"]:
        answers[claim["id"]] = _get(api.base, f"/claims/{claim['id']}")
    if api.kind == "embedded":
        _ANSWERS.update(answers)
    else:
        assert _ANSWERS, "the embedded case runs first and gives the answers to compare with"
        assert answers == _ANSWERS


def test_a_story_is_written_through_the_backend_and_listed(api: Served) -> None:
    files = {"file": (RELEASE.name, RELEASE.read_bytes(), "application/json")}
    first = httpx.post(f"{api.base}/stories", files=files, headers=AUTH, timeout=300)
    assert first.status_code == 201, first.text
    source = first.json()["source"]
    assert api.backend.ask(f"ASK {{ GRAPH ?g {{ <{source}> ?p ?o }} }}"), "the source is on the backend"
    listed = {c["iri"] for c in _get(api.base, "/claims?limit=500")["items"]}
    assert {c["iri"] for c in first.json()["claims"]} <= listed
    again = httpx.post(f"{api.base}/stories", files=files, headers=AUTH, timeout=300)
    assert again.status_code == 201 and again.json()["quads_added"] == 0, "the same story twice changes nothing"
