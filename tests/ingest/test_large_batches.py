"""A file large enough to load in chunks while it is still read (graph/streaming_load.py).

The thresholds are made small so that ten real MEDLINE citations are a "large" batch: the
first citations' quads are in the store before the last one is read. A failure late in
the file must still leave the store as it was, and a good file must give the same quads
as when it is written in one transaction.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

import oncoclaims.ingest as ingest_module
from oncoclaims.errors import ParseError, RecordError
from oncoclaims.graph import store as store_module
from oncoclaims.graph import streaming_load
from oncoclaims.graph.store import ClaimStore
from oncoclaims.ingest import SourceRecord, ingest, ingest_bytes

DATA = Path(__file__).parents[1] / "data"
MEDLINE = DATA / "pubmed" / "medline16n0902-oncology-subset.xml"  # 10 citations, 1,199 quads
TRIAL = DATA / "ctgov" / "v2" / "aact" / "NCT00763412.json"


@pytest.fixture
def small_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(store_module, "SPILL_THRESHOLD", 100)
    monkeypatch.setattr(streaming_load, "LOAD_CHUNK", 150)
    monkeypatch.setattr(ingest_module, "RECORD_WINDOW", 2)  # records are mapped two at a time


def wait_for_loads(store: ClaimStore, before: int):
    """An ``on_record`` callback that, from the eighth record on, waits until chunks of
    this batch are in the store, so the failure comes after they were loaded."""
    seen = 0

    def on_record(record: SourceRecord) -> None:
        nonlocal seen
        seen += 1
        if seen == 8:
            deadline = time.monotonic() + 30
            while len(store) <= before and time.monotonic() < deadline:
                time.sleep(0.01)
            assert len(store) > before, "no chunk was loaded while the file was read"

    return on_record


def _truncated(text: str) -> str:
    return text[: text.rindex("</MedlineCitation>")]


def _last_pmid_removed(text: str) -> str:
    last = text.rindex("<PMID")
    return text[:last] + text[text.index("</PMID>", last) + len("</PMID>"):]


@pytest.mark.usefixtures("small_chunks")
@pytest.mark.parametrize(
    ("damage", "error"),
    [(_truncated, ParseError), (_last_pmid_removed, RecordError)],
    ids=["truncated", "late-record-without-pmid"],
)
def test_a_file_failing_after_chunks_were_loaded_leaves_the_store_as_it_was(
    tmp_path: Path, damage, error: type[Exception]
) -> None:
    damaged = damage(MEDLINE.read_text(encoding="utf-8"))
    with ClaimStore.open(tmp_path / "store") as store:
        ingest(TRIAL, store)
        before = set(store)
        with pytest.raises(error) as caught:
            ingest_bytes(
                damaged.encode(), "damaged.xml", store, on_record=wait_for_loads(store, len(before))
            )
        assert "damaged.xml" in str(caught.value)
        assert set(store) == before


def test_a_file_loaded_in_chunks_gives_the_quads_of_one_transaction(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    whole = ClaimStore.in_memory()
    ingest(TRIAL, whole)
    whole_report = ingest(MEDLINE, whole)
    monkeypatch.setattr(store_module, "SPILL_THRESHOLD", 100)
    monkeypatch.setattr(streaming_load, "LOAD_CHUNK", 150)
    monkeypatch.setattr(ingest_module, "RECORD_WINDOW", 2)  # records are mapped two at a time
    with ClaimStore.open(tmp_path / "store") as chunked:
        ingest(TRIAL, chunked)
        chunked_report = ingest(MEDLINE, chunked)
        assert set(chunked) == set(whole)
        assert chunked_report.quads_added == whole_report.quads_added
        assert ingest(MEDLINE, chunked).quads_added == 0
        assert set(chunked) == set(whole)
