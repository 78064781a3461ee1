"""Same-study grouping as stories arrive one by one (incremental, by match key) ends where
grouping the whole store at once does; real stories from tests/data/news."""

from __future__ import annotations

from pathlib import Path

import pytest

from oncoclaims import trace_store
from oncoclaims.graph.store import ClaimStore
from oncoclaims.ingest import ingest
from oncoclaims.iris import mint_graph_iri
from oncoclaims.trace import trace_document
from oncoclaims.trace_store import (
    existing_records,
    refresh_study_groups,
    trace_input,
    update_study_groups,
)
from oncoclaims.vocab import OC

NEWS = Path(__file__).parents[1] / "data" / "news"
STORIES = sorted(NEWS.glob("*.json"))


def _study_quads(store: ClaimStore) -> set[str]:
    prefix = mint_graph_iri("study", "x").value.rsplit("/", 1)[0] + "/"
    found = {str(q) for q in store.inner if q.graph_name.value.startswith(prefix)}
    assert found, "grouping wrote study graphs"
    return found


def _sources(store: ClaimStore, path: Path) -> list[str]:
    records = []
    ingest(path, store, on_record=records.append)
    return [
        q.subject.value
        for r in records
        for q in store.inner.quads_for_pattern(None, OC.sourceType, None, r.graph)
    ]


@pytest.fixture(scope="module")
def whole() -> set[str]:
    store = ClaimStore.in_memory()
    for path in STORIES:
        ingest(path, store)
    groups, candidates = refresh_study_groups(store)
    assert len(groups) >= 2 and candidates, "the samples hold shared studies and weaker matches"
    return _study_quads(store)


@pytest.mark.parametrize("order", ["forward", "backward"])
def test_story_by_story_grouping_ends_as_grouping_the_whole_store(
    whole: set[str], order: str
) -> None:
    store = ClaimStore.in_memory()
    for path in STORIES if order == "forward" else STORIES[::-1]:
        update_study_groups(store, _sources(store, path))
    assert _study_quads(store) == whole


def test_references_stored_without_match_keys_are_still_grouped(whole: set[str]) -> None:
    store = ClaimStore.in_memory()
    sources = [s for path in STORIES for s in _sources(store, path)]
    keys = list(store.inner.quads_for_pattern(None, OC.matchKey, None, None))
    assert keys
    for quad in keys:  # as a store ingested before the keys were written holds them
        store.inner.remove(quad)
    groups, _candidates = update_study_groups(store, sources[-1:])
    assert _study_quads(store) == whole
    assert all(sources[-1] in g.sources for g in groups)


def _document(store: ClaimStore, names: list[str]) -> dict:
    traces = [trace_input(store, name) for name in names]
    groups, _candidates = update_study_groups(store, [t.source for t in traces])
    identifiers = sorted({i for t in traces for s in t.studies for i in s.identifiers})
    document = trace_document(traces, groups, existing_records(store, identifiers))
    for story in document["stories"]:
        del story["input"]
    return document


def test_tracing_a_stored_source_reads_its_stored_nodes_and_gives_the_files_document(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    store = ClaimStore.in_memory()
    # the submission copy of news_reviews_00027 is the same text (one source) without a publisher
    stories = [p for p in STORIES if not p.name.endswith(".submission.json")]
    by_file = _document(store, [str(p) for p in stories])
    assert any(len(s["people"]) > 1 for story in by_file["stories"] for s in story["studies"])
    assert any(v["affiliations"] for story in by_file["stories"] for v in story["voices"])

    def no_extraction(*args: object) -> None:
        raise AssertionError("the story was read again")

    monkeypatch.setattr(trace_store, "find_origin", no_extraction)
    by_source = _document(store, [story["source"] for story in by_file["stories"]])
    assert by_source == by_file
