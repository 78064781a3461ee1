"""Issue 18: opening a store that holds the current ontology changes nothing, so the
read-only commands (``stats``, ``export``) do not write. Each command runs in a process
of its own, as a user runs them: blank node names drawn at random would differ there."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from oncoclaims.graph.store import ClaimStore
from oncoclaims.ontology import ONTOLOGY_GRAPH


def _oncoclaims(*args: str) -> subprocess.CompletedProcess[bytes]:
    result = subprocess.run([sys.executable, "-m", "oncoclaims", *args], capture_output=True,
                            env=os.environ.copy(), timeout=300, check=False)
    assert result.returncode == 0, result.stderr.decode()
    return result


def _quads(store: Path) -> set[str]:
    with ClaimStore.open(store) as opened:
        return {str(quad) for quad in opened}


def test_two_exports_in_a_row_are_byte_identical(tmp_path: Path) -> None:
    store = tmp_path / "store"
    _oncoclaims("stats", "--store", str(store))  # creates it, with the reference graph
    first = tmp_path / "first.nq"
    second = tmp_path / "second.nq"
    _oncoclaims("export", "nq", str(first), "--store", str(store))
    _oncoclaims("export", "nq", str(second), "--store", str(store))
    assert first.read_bytes() == second.read_bytes()
    assert str(ONTOLOGY_GRAPH.value).encode() in first.read_bytes()


def test_stats_leaves_every_quad_as_it_was_blank_nodes_included(tmp_path: Path) -> None:
    store = tmp_path / "store"
    _oncoclaims("stats", "--store", str(store))
    before = _quads(store)
    assert any(quad.startswith("_:") for quad in before)  # the ontology's anonymous nodes
    _oncoclaims("stats", "--store", str(store))
    assert _quads(store) == before
