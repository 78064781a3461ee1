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
    claim_store.extend(quads(200))
    assert len(claim_store) == 400
    claim_store.extend(quads(200))
    assert len(claim_store) == 400, "blank nodes keep their identity through the spill file"
