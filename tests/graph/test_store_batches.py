"""ClaimStore.extend: whole batches or nothing, small (one transaction) and large (spilled)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pyoxigraph import BlankNode, Literal, NamedNode, Quad

from oncoclaims.graph import store as store_module
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
    assert store_module._may_name_blank_nodes(path) is expected


def test_a_blank_node_split_across_read_chunks_is_seen(tmp_path: Path) -> None:
    path = tmp_path / "batch.nq"
    path.write_bytes(b"<https://example.org/s> <https://example.org/p> _:b1 .\n")
    split_at = path.read_bytes().index(b"_:") + 1  # "_" ends one chunk, ":" starts the next
    assert store_module._may_name_blank_nodes(path, chunk=split_at) is True
    assert store_module._may_name_blank_nodes(path, chunk=4) is True
