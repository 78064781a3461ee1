"""What ingest stores for the sample stories is held fixed while ingest is made faster.

``tests/data/stored_quads_snapshot.json`` holds, per sample story ingested alone into an empty
store, the number of quads per predicate and the SHA-256 of the store's sorted N-Quads lines;
and the same for all the stories in one store after same-study grouping (as ``trace`` leaves
it). A speed change must leave it identical; a change meant to change what is stored (rules,
mapping) rewrites it with ``ONCOCLAIMS_WRITE_SNAPSHOT=1`` (as the extraction snapshot,
``tests/extract/test_outputs_fixed.py``), and the per-predicate counts in the diff show what
changed. Inputs are ingested under their file names, so the provenance record does not
depend on where the checkout lies.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections import Counter
from pathlib import Path

import pytest

from oncoclaims.graph.store import ClaimStore
from oncoclaims.ingest import ingest_bytes
from oncoclaims.ingest.news import find_origin
from oncoclaims.trace_store import update_study_groups
from oncoclaims.vocab import OC, RDF

NEWS = Path(__file__).parents[1] / "data" / "news"
SNAPSHOT = Path(__file__).parents[1] / "data" / "stored_quads_snapshot.json"
STORIES = sorted(p for p in NEWS.iterdir() if p.suffix in {".json", ".txt"})
ALL = "all stories, grouped"


def _summary(store: ClaimStore) -> dict:
    lines = sorted(str(quad) for quad in store)
    return {
        "quads": len(lines),
        "sha256": hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest(),
        "predicates": dict(sorted(Counter(quad.predicate.value for quad in store).items())),
    }


def _one(path: Path) -> dict:
    find_origin.cache_clear()  # read the text, not an answer cached by an earlier test
    store = ClaimStore.in_memory()
    ingest_bytes(path.read_bytes(), path.name, store)
    return _summary(store)


def _all() -> dict:
    find_origin.cache_clear()
    store = ClaimStore.in_memory()
    for path in STORIES:
        if not path.name.endswith(".submission.json"):  # the same story as its FakeHealth file
            ingest_bytes(path.read_bytes(), path.name, store)
    sources = sorted(q.subject.value for q in store.quads(None, RDF.type, OC.Source))
    update_study_groups(store, sources)
    return _summary(store)


def test_the_snapshot_covers_every_sample_story() -> None:
    if os.environ.get("ONCOCLAIMS_WRITE_SNAPSHOT") == "1":
        snapshot = {p.name: _one(p) for p in STORIES}
        snapshot[ALL] = _all()
        SNAPSHOT.write_text(json.dumps(snapshot, indent=1) + "\n", encoding="utf-8")
    assert sorted(json.loads(SNAPSHOT.read_text(encoding="utf-8"))) == sorted([p.name for p in STORIES] + [ALL])


@pytest.mark.parametrize("path", STORIES, ids=[p.name for p in STORIES])
def test_stored_quads_of_a_sample_story_equal_the_snapshot(path: Path) -> None:
    assert _one(path) == json.loads(SNAPSHOT.read_text(encoding="utf-8"))[path.name]


def test_stored_quads_of_all_sample_stories_grouped_equal_the_snapshot() -> None:
    assert _all() == json.loads(SNAPSHOT.read_text(encoding="utf-8"))[ALL]
