"""Issue 18: ``kill -9`` in the middle of a large ingest leaves the store as it was.

A real ``python -m oncoclaims ingest`` process reads a real MEDLINE file's citations
replicated under new PMIDs (past the 100k-quad streaming threshold), is killed with
SIGKILL once the store has taken chunks of the batch, and the next open takes the batch
back: same quads, same dump, no spill folder, one warning naming the file.
"""

from __future__ import annotations

import copy
import hashlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyoxigraph as ox
from lxml import etree

from oncoclaims.graph.store import ClaimStore
from oncoclaims.graph.streaming_load import BATCHES_GRAPH, SPILL_PREFIX, recover_interrupted_batches

DATA = Path(__file__).parents[1] / "data"
MEDLINE = DATA / "pubmed" / "medline16n0902-oncology-subset.xml"  # 10 real citations
CITATIONS = 1_200  # about 144,000 quads: past SPILL_THRESHOLD
CHUNK = 12_000  # the child's LOAD_CHUNK: a dozen chunks, so the kill falls between two


def _replicated_medline(path: Path) -> None:
    """The real citations copied under PMIDs 90000001... (as bench/ingest.py does)."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    source = etree.fromstring(MEDLINE.read_bytes(), parser)
    citations = source.findall("MedlineCitation")
    root = etree.Element("MedlineCitationSet")
    for index in range(CITATIONS):
        clone = copy.deepcopy(citations[index % len(citations)])
        clone.find("PMID").text = str(90_000_001 + index)
        for doi in clone.iterfind(".//ELocationID"):
            doi.text = f"{doi.text}.copy{index}"
        root.append(clone)
    path.write_bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))


def _oncoclaims(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "oncoclaims", *args], capture_output=True,
                          text=True, env=os.environ.copy(), timeout=300, check=False)


def _dump_digest(store: Path, target: Path) -> str:
    result = _oncoclaims("export", "nq", str(target), "--store", str(store))
    assert result.returncode == 0, result.stderr
    return hashlib.sha256(target.read_bytes()).hexdigest()


def _spill_folders(parent: Path) -> list[Path]:
    return sorted(parent.glob(f"{SPILL_PREFIX}*"))


def test_kill_9_during_a_large_ingest_leaves_the_store_as_it_was(tmp_path: Path) -> None:
    store = tmp_path / "store"
    big = tmp_path / "medline-copies.xml"
    _replicated_medline(big)
    assert _oncoclaims("stats", "--store", str(store)).returncode == 0
    with ClaimStore.open(store) as opened:
        before = set(opened)
    digest_before = _dump_digest(store, tmp_path / "before.nq")

    child = subprocess.Popen(
        [sys.executable, "-c",
         "import sys; from oncoclaims.graph import streaming_load; "
         f"streaming_load.LOAD_CHUNK = {CHUNK}; from oncoclaims.cli import app; "
         "app(sys.argv[1:], prog_name='oncoclaims')",
         "ingest", str(big), "--store", str(store)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=os.environ.copy(),
    )
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and child.poll() is None:
            spills = _spill_folders(tmp_path)
            # chunk-0 written and loaded (its file deleted after the load), chunk-2 written
            if spills and (spills[0] / "chunk-2.nq").exists() and not (spills[0] / "chunk-0.nq").exists():
                break
            time.sleep(0.005)
        assert child.poll() is None, "the ingest ended before it could be killed"
        os.kill(child.pid, signal.SIGKILL)
    finally:
        if child.poll() is None:
            child.kill()
        child.wait(timeout=60)
    assert child.returncode == -signal.SIGKILL
    assert _spill_folders(tmp_path), "the killed process left its spill folder"

    raw = ox.Store(str(store))  # as the crash left it, before any recovery
    assert len(raw) > len(before), "the store had taken chunks of the batch"
    assert raw.contains_named_graph(BATCHES_GRAPH)
    del raw

    first = _oncoclaims("stats", "--store", str(store))
    assert first.returncode == 0, first.stderr
    assert first.stderr.count("warning:") == 1 and str(big) in first.stderr
    assert "taken back" in first.stderr
    with ClaimStore.open(store) as opened:
        assert set(opened) == before
        assert opened.recovered == []
    assert _dump_digest(store, tmp_path / "after.nq") == digest_before
    assert _spill_folders(tmp_path) == []
    again = _oncoclaims("stats", "--store", str(store))
    assert again.returncode == 0 and "warning" not in again.stderr
    validated = _oncoclaims("validate", "--store", str(store))
    assert validated.returncode == 0, validated.stdout + validated.stderr


def test_a_batch_marked_as_loading_its_held_back_quads_is_finished(tmp_path: Path) -> None:
    """The last step (quads of graphs the store held before) is finished, not taken back:
    every new graph was loaded by then. The marker is the one load_streaming writes."""
    graph = ox.NamedNode("https://example.org/graph/held")
    quad = ox.Quad(ox.NamedNode("https://example.org/s"), ox.NamedNode("https://example.org/p"),
                   ox.Literal("held back"), graph)
    store = ox.Store()
    store.add(ox.Quad(quad.subject, quad.predicate, ox.Literal("before"), graph))
    spill = tmp_path / f"{SPILL_PREFIX}x"
    spill.mkdir()
    held = spill / "held-back.nq"
    held.write_bytes(ox.serialize([quad], format=ox.RdfFormat.N_QUADS))
    from oncoclaims.graph.streaming_load import _Marker

    marker = _Marker(store, spill, "held.xml")
    marker.note_held_back(held)
    messages = recover_interrupted_batches(store)
    assert len(messages) == 1 and messages[0].startswith("held.xml:") and "finished" in messages[0]
    assert quad in store and not store.contains_named_graph(BATCHES_GRAPH)
    assert not spill.exists()
    assert recover_interrupted_batches(store) == []
