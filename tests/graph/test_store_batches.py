"""ClaimStore.extend: whole batches or nothing, small (one transaction) and large (spilled)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from pyoxigraph import BlankNode, Literal, NamedNode, Quad

from oncoclaims.errors import StoreError
from oncoclaims.graph import store as store_module
from oncoclaims.graph import streaming_load
from oncoclaims.graph.store import ClaimStore

GRAPH = NamedNode("https://w3id.org/oncoclaims/graph/test")


def quads(count: int, fail_at: int | None = None) -> Iterator[Quad]:
    node = BlankNode("shared")
    for index in range(count):
        if index == fail_at:
            raise ValueError("bad record")
        yield Quad(NamedNode(f"https://example.org/s{index}"), NamedNode("https://example.org/p"), Literal(index), GRAPH)
        yield Quad(node, NamedNode("https://example.org/q"), Literal(index), GRAPH)


@pytest.fixture(params=["memory", "disk"])
def claim_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[ClaimStore]:
    if request.param == "memory":
        yield ClaimStore.in_memory()
    else:
        with ClaimStore.open(tmp_path / "store") as opened:
            yield opened


@pytest.mark.parametrize("threshold", [10_000, 50], ids=["transaction", "spilled"])
def test_a_failing_batch_writes_nothing(
    claim_store: ClaimStore, threshold: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(store_module, "SPILL_THRESHOLD", threshold)
    with pytest.raises(ValueError, match="bad record"):
        claim_store.extend(quads(200, fail_at=150))
    assert len(claim_store) == 0


@pytest.mark.parametrize("threshold", [10_000, 50], ids=["transaction", "spilled"])
def test_a_batch_is_written_whole_and_twice_changes_nothing(
    claim_store: ClaimStore, threshold: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(store_module, "SPILL_THRESHOLD", threshold)
    assert claim_store.is_empty()
    assert claim_store.extend(quads(200)) == 400, "the count of quads added"
    assert len(claim_store) == 400
    assert not claim_store.is_empty()
    assert claim_store.extend(quads(200)) == 0
    assert len(claim_store) == 400, "blank nodes keep their identity through the spill file"


@pytest.mark.parametrize("threshold", [10_000, 50], ids=["transaction", "spilled"])
def test_the_count_added_leaves_out_quads_present_before_and_repeats(
    claim_store: ClaimStore, threshold: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(store_module, "SPILL_THRESHOLD", threshold)
    claim_store.extend(quads(50))  # 100 quads
    repeated = [*quads(80), *quads(80)]  # 160 distinct quads, each twice; 100 already stored
    assert claim_store.extend(repeated) == 60
    assert len(claim_store) == 160


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (b"<https://example.org/s> <https://example.org/p> \"x\" .\n" * 3, False),
        (b"_:b0 <https://example.org/p> \"x\" .\n", True),
        (b"<https://example.org/s> <https://example.org/p> _:b1 <https://example.org/g> .\n", True),
        (b"<https://example.org/s> <https://example.org/p> \"a_:b\" .\n", True),  # a false alarm: safe
    ],
)
def test_the_spill_file_is_scanned_for_blank_nodes(tmp_path: Path, text: bytes, expected: bool) -> None:
    path = tmp_path / "batch.nq"
    path.write_bytes(text)
    assert streaming_load._may_name_blank_nodes(path) is expected


def test_a_blank_node_split_across_read_chunks_is_seen(tmp_path: Path) -> None:
    path = tmp_path / "batch.nq"
    path.write_bytes(b"<https://example.org/s> <https://example.org/p> _:b1 .\n")
    split_at = path.read_bytes().index(b"_:") + 1  # "_" ends one chunk, ":" starts the next
    assert streaming_load._may_name_blank_nodes(path, chunk=split_at) is True
    assert streaming_load._may_name_blank_nodes(path, chunk=4) is True


OLD = NamedNode("https://example.org/graph/old")
KEPT = Quad(
    NamedNode("https://example.org/kept"), NamedNode("https://example.org/p"), Literal(1), OLD
)


def records(
    count: int, *, fail_after: int | None = None, store: ClaimStore | None = None
) -> Iterator[Quad]:
    """Quads of ``count`` records, each in a graph of its own, with one more fact in ``OLD``
    per record; with ``fail_after``, raise once that many are out and the store has taken
    some of them (so the failure comes after chunks were loaded)."""
    for index in range(count):
        if index == fail_after:
            assert store is not None
            deadline = time.monotonic() + 30
            while len(store) <= 1 and time.monotonic() < deadline:
                time.sleep(0.01)
            assert len(store) > 1, "no chunk was loaded before the failure"
            raise ValueError("bad record")
        graph = NamedNode(f"https://w3id.org/oncoclaims/graph/record{index}")
        subject = NamedNode(f"https://example.org/record{index}")
        yield Quad(subject, NamedNode("https://example.org/p"), Literal(index), graph)
        yield Quad(subject, NamedNode("https://example.org/q"), Literal(f"t{index}"), graph)
        yield Quad(subject, NamedNode("https://example.org/seenIn"), OLD, OLD)


@pytest.fixture
def small_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(store_module, "SPILL_THRESHOLD", 50)
    monkeypatch.setattr(streaming_load, "LOAD_CHUNK", 40)


@pytest.mark.usefixtures("small_chunks")
def test_a_large_batch_that_fails_after_chunks_were_loaded_is_taken_back(
    claim_store: ClaimStore,
) -> None:
    before = KEPT
    claim_store.extend([before])
    with pytest.raises(ValueError, match="bad record"):
        claim_store.extend(records(300, fail_after=250, store=claim_store))
    assert set(claim_store) == {before}
    assert claim_store.named_graphs() == [OLD]


@pytest.mark.usefixtures("small_chunks")
def test_a_large_batch_loads_new_graphs_and_graphs_held_before(claim_store: ClaimStore) -> None:
    claim_store.extend([KEPT])
    assert claim_store.extend(records(300)) == 900
    assert len(claim_store) == 901
    assert len(claim_store.named_graphs()) == 301
    assert claim_store.extend(records(300)) == 0


@pytest.mark.usefixtures("small_chunks")
def test_a_chunk_the_store_refuses_takes_the_batch_back(
    claim_store: ClaimStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_load = streaming_load._load_file
    loads: list[Path] = []

    def failing_load(store, path: Path) -> None:
        loads.append(path)
        if len(loads) == 3:
            raise StoreError("the store could not take the batch: No space left on device")
        real_load(store, path)

    monkeypatch.setattr(streaming_load, "_load_file", failing_load)
    with pytest.raises(StoreError, match="No space left"):
        claim_store.extend(records(300))
    assert len(loads) >= 3
    assert len(claim_store) == 0
    assert claim_store.named_graphs() == []


@pytest.mark.usefixtures("small_chunks")
def test_a_store_failing_on_the_held_back_quads_takes_the_new_graphs_back(
    claim_store: ClaimStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    claim_store.extend([KEPT])  # so each record's fact in OLD is held back to the end
    real_load = streaming_load._load_file

    def failing_load(store, path: Path) -> None:
        if path.name == "held-back.nq":
            raise StoreError("the store could not take the batch: No space left on device")
        real_load(store, path)

    monkeypatch.setattr(streaming_load, "_load_file", failing_load)
    with pytest.raises(StoreError, match="No space left"):
        claim_store.extend(records(300))
    assert set(claim_store) == {KEPT}
