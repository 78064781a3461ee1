"""The ``news-submission-json`` format: a story as a person submits it, read from a file too."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from oncoclaims.errors import RecordError
from oncoclaims.graph.store import ClaimStore
from oncoclaims.ingest import detect_format, ingest

RELEASE = Path(__file__).parents[2] / ".." / "shared" / "data" / "news-articles" / "fakehealth" / "news_reviews_00027.json"


def _story(**fields: str) -> bytes:
    release = json.loads(RELEASE.read_text())
    return json.dumps({"text": release["text"], "title": release["title"], **fields}).encode()


def test_a_submitted_story_file_is_detected_and_keeps_its_metadata(tmp_path: Path) -> None:
    path = tmp_path / "story.json"
    path.write_bytes(_story(publisher="An outlet", date="2017-04-03", url="https://example.org/story", type="press-release"))
    assert detect_format(path.read_bytes(), str(path)).name == "news-submission-json"
    store = ClaimStore.in_memory()
    report = ingest(path, store)
    assert report.format == "news-submission-json" and report.quads_added > 0
    dump = store.inner.dump(format=__import__("pyoxigraph").RdfFormat.N_QUADS).decode()
    assert '"2017-04-03"^^<http://www.w3.org/2001/XMLSchema#date>' in dump
    assert "source-press-release" in dump and "https://example.org/story" in dump
    assert ingest(path, store).quads_added == 0


def test_fakehealth_files_are_not_taken_for_submissions() -> None:
    assert detect_format(RELEASE.read_bytes(), str(RELEASE)).name == "news-fakehealth-json"


@pytest.mark.parametrize(("fields", "message"), [
    ({"date": "03/04/2017"}, "YYYY-MM-DD"),
    ({"type": "tweet"}, "not one of"),
    ({"url": "javascript:alert(1)"}, "http or https"),
])
def test_bad_fields_are_named_and_nothing_is_written(tmp_path: Path, fields: dict[str, str], message: str) -> None:
    path = tmp_path / "story.json"
    path.write_bytes(_story(**fields))
    store = ClaimStore.in_memory()
    with pytest.raises(RecordError, match=message):
        ingest(path, store, fmt="news-submission-json")
    assert len(store.inner) == 0
