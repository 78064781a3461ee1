"""Loading a large batch while the rest of it is still produced, and taking it back on failure.

:meth:`ClaimStore.extend <oncoclaims.graph.store.ClaimStore.extend>` hands every batch over
``SPILL_THRESHOLD`` quads to :func:`load_streaming`. Mapping records to quads is Python
work on one core; pyoxigraph's ``bulk_load`` runs in Rust and lets go of the interpreter
lock. So the batch is cut into files of :data:`LOAD_CHUNK` quads, and a loader thread
bulk-loads each file while the next one is produced: the two costs overlap instead of
adding up.

What keeps the batch whole or absent:

- Quads of a named graph the store did not hold when the batch first named it (a new
  record's graph) go into the chunks that load at once. If the batch then fails, every
  such graph is removed again, and with it exactly what the batch had loaded: the store
  held nothing in it before.
- Quads of any other graph (a graph the store already held, the default graph, a blank
  node graph) are held back in a file and loaded only once the whole batch has been
  produced, as before: an input error never touches them. (If the store fails while
  loading them, the new graphs are taken back; what the failed load wrote may stay.)

Readers may see a batch in part while it loads, and in part until it is taken back.

A crash of the process (``kill -9``, the out-of-memory killer) cannot leave part of a
batch either. Before its first chunk, even before its spill folder is made, a batch
writes a marker into the store's :data:`BATCHES_GRAPH` (one transaction, in the store's
write-ahead log): the input it comes from and its spill folder; before each chunk, the new graphs that chunk
writes to. Before the held-back quads load, it notes their file (written and synced
first). The marker goes when the batch is done or taken back. When a store is opened,
:func:`recover_interrupted_batches` deals with any marker left behind: a batch that was
still loading its new graphs is taken back (those graphs removed); one that was loading
its held-back quads is finished from their file (loading a quad twice changes nothing).
Its spill folder is removed either way, and a message names the input.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import uuid
from collections.abc import Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import pyoxigraph as ox

from oncoclaims.errors import StoreError
from oncoclaims.vocab import GRAPH_BASE, RDF

__all__ = [
    "BATCHES_GRAPH",
    "LOAD_CHUNK",
    "SPILL_PREFIX",
    "load_streaming",
    "recover_interrupted_batches",
]

#: The graph holding the marker of each large batch while it loads (module docstring).
BATCHES_GRAPH = ox.NamedNode(GRAPH_BASE + "batches")

#: Name prefix of a batch's spill folder, made beside the store.
SPILL_PREFIX = "oncoclaims-batch-"


class _Terms:
    """The marker's own terms: store bookkeeping, not the data model, so not in the ontology."""

    LoadingBatch = ox.NamedNode(GRAPH_BASE + "batches#LoadingBatch")
    origin = ox.NamedNode(GRAPH_BASE + "batches#origin")
    spillFolder = ox.NamedNode(GRAPH_BASE + "batches#spillFolder")
    createsGraph = ox.NamedNode(GRAPH_BASE + "batches#createsGraph")
    heldBackFile = ox.NamedNode(GRAPH_BASE + "batches#heldBackFile")

#: Quads per file handed to the loader thread. Ten chunks of 1.82M quads load in 12.3 s
#: against 11.2 s for one file: the smaller the chunk, the more the overlap and the
#: cost of each extra load.
LOAD_CHUNK = 250_000


def load_streaming(
    store: ox.Store, quads: Iterable[ox.Quad], directory: Path | None, origin: str | None = None
) -> None:
    """Add ``quads`` to ``store``: all of them, or none if the iterable raises or the
    process dies (module docstring).

    :param directory: where the temporary chunk files go (``None``: the system's default).
    :param origin: the input the batch comes from, named if the batch must be recovered.
    :raises StoreError: when the store cannot take a chunk (the batch is taken back).
    """
    new_graphs: dict[ox.NamedNode | ox.BlankNode | ox.DefaultGraph, bool] = {}
    unmarked: list[ox.NamedNode] = []
    # The marker names the spill folder before it exists: no crash leaves one unnamed.
    spill = Path(directory or tempfile.gettempdir()) / f"{SPILL_PREFIX}{uuid.uuid4().hex}"
    marker = _Marker(store, spill, origin)
    try:
        spill.mkdir()
    except OSError as exc:
        marker.clear()
        raise StoreError(f"cannot make the folder for a large batch at {spill}: {exc}") from exc
    try:
        loader = _ChunkLoader(store, spill)
        held_back = spill / "held-back.nq"
        try:
            with held_back.open("wb") as held_file:
                ready: list[ox.Quad] = []
                held: list[ox.Quad] = []
                for quad in quads:
                    graph = quad.graph_name
                    is_new = new_graphs.get(graph)
                    if is_new is None:
                        is_new = isinstance(graph, ox.NamedNode) and not (
                            store.contains_named_graph(graph)
                        )
                        new_graphs[graph] = is_new
                        if is_new:
                            unmarked.append(graph)
                    if is_new:
                        ready.append(quad)
                        if len(ready) >= LOAD_CHUNK:
                            marker.note_graphs(unmarked)
                            unmarked = []
                            loader.submit(ready)
                            ready = []
                    else:
                        held.append(quad)
                        if len(held) >= LOAD_CHUNK:
                            ox.serialize(held, held_file, ox.RdfFormat.N_QUADS)
                            held = []
                if ready:
                    marker.note_graphs(unmarked)
                    loader.submit(ready)
                ox.serialize(held, held_file, ox.RdfFormat.N_QUADS)
                held_file.flush()
                os.fsync(held_file.fileno())
            loader.finish()
            if held_back.stat().st_size:
                marker.note_held_back(held_back)
                _load_file(store, held_back)
        except BaseException:
            loader.abandon()
            for graph, is_new in new_graphs.items():
                if is_new and store.contains_named_graph(graph):
                    store.remove_graph(graph)
            marker.clear()
            raise
        marker.clear()
    finally:
        shutil.rmtree(spill, ignore_errors=True)


class _Marker:
    """The record, in :data:`BATCHES_GRAPH`, of one batch while it loads."""

    def __init__(self, store: ox.Store, spill: Path, origin: str | None) -> None:
        self._store = store
        self._node = ox.NamedNode(f"{GRAPH_BASE}batches/{uuid.uuid4().hex}")
        self._write([
            (RDF.type, _Terms.LoadingBatch),
            (_Terms.spillFolder, ox.Literal(str(spill))),
            (_Terms.origin, ox.Literal(origin if origin is not None else "(a batch of quads)")),
        ])

    def _write(self, pairs: list[tuple[ox.NamedNode, ox.Term]]) -> None:
        self._store.extend(ox.Quad(self._node, p, o, BATCHES_GRAPH) for p, o in pairs)

    def note_graphs(self, graphs: list[ox.NamedNode]) -> None:
        """Record ``graphs`` as created by the batch, before any quad goes into them."""
        if graphs:
            self._write([(_Terms.createsGraph, graph) for graph in graphs])

    def note_held_back(self, path: Path) -> None:
        """Record that every new graph is loaded and the held-back quads load from ``path``."""
        self._write([(_Terms.heldBackFile, ox.Literal(str(path)))])

    def clear(self) -> None:
        """Remove the marker: the batch is complete or taken back."""
        _remove_marker(self._store, self._node)


def _remove_marker(store: ox.Store, node: ox.NamedNode) -> None:
    """Remove a batch's marker, its type first: a marker without its type (a crash while
    removing it) is a done batch's leftover, which recovery only deletes."""
    typed = ox.Quad(node, RDF.type, _Terms.LoadingBatch, BATCHES_GRAPH)
    if typed in store:
        store.remove(typed)
    for quad in list(store.quads_for_pattern(node, None, None, BATCHES_GRAPH)):
        store.remove(quad)
    if next(iter(store.quads_for_pattern(None, None, None, BATCHES_GRAPH)), None) is None:
        store.remove_graph(BATCHES_GRAPH)  # no empty graph left behind in the graph list


def recover_interrupted_batches(store: ox.Store) -> list[str]:
    """Finish or take back every batch a crashed process left marked (module docstring).

    :returns: one message per batch recovered, naming its input (none on a normal open,
        which writes nothing).
    """
    if not store.contains_named_graph(BATCHES_GRAPH):
        return []
    batches: dict[ox.NamedNode, dict[str, list[ox.Term]]] = {}
    for quad in store.quads_for_pattern(None, None, None, BATCHES_GRAPH):
        entry = batches.setdefault(quad.subject, {})
        entry.setdefault(quad.predicate.value, []).append(quad.object)
    messages = []
    for node, facts in batches.items():
        if _Terms.LoadingBatch not in facts.get(RDF.type.value, []):
            _remove_marker(store, node)
            continue
        origin = next((o.value for o in facts.get(_Terms.origin.value, [])), "an unnamed input")
        held = [Path(o.value) for o in facts.get(_Terms.heldBackFile.value, [])]
        if held:
            if held[0].exists():
                _load_file(store, held[0])
            outcome = ("its last step was finished from its spill file; "
                       "the file is in the store whole")
        else:
            created = facts.get(_Terms.createsGraph.value, [])
            graphs = [g for g in created if isinstance(g, ox.NamedNode)]
            for graph in graphs:
                if store.contains_named_graph(graph):
                    store.remove_graph(graph)
            outcome = (f"what it had written ({len(graphs)} new graphs) was taken back; "
                       "the store is as it was before: ingest the file again")
        for folder in facts.get(_Terms.spillFolder.value, []):
            if Path(folder.value).name.startswith(SPILL_PREFIX):
                shutil.rmtree(folder.value, ignore_errors=True)
        _remove_marker(store, node)
        messages.append(
            f"{origin}: the process loading this file stopped before it finished; {outcome}"
        )
    return messages


class _ChunkLoader:
    """Writes chunks to files and bulk-loads them, one after another, on one thread."""

    def __init__(self, store: ox.Store, directory: Path) -> None:
        self._store = store
        self._directory = directory
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="oncoclaims-load")
        self._loads: list[Future[None]] = []

    def submit(self, quads: list[ox.Quad]) -> None:
        """Write ``quads`` to a chunk file and queue its load; raise an earlier load's error."""
        for done in [load for load in self._loads if load.done()]:
            done.result()
        path = self._directory / f"chunk-{len(self._loads)}.nq"
        with path.open("wb") as out:
            ox.serialize(quads, out, ox.RdfFormat.N_QUADS)
        self._loads.append(self._pool.submit(_load_file, self._store, path))

    def finish(self) -> None:
        """Wait for every queued load; raise the first failure."""
        try:
            for load in self._loads:
                load.result()
        finally:
            self._pool.shutdown(wait=True)

    def abandon(self) -> None:
        """Drop the loads not started yet and wait for the running one: the store stops changing."""
        self._pool.shutdown(wait=True, cancel_futures=True)


def _load_file(store: ox.Store, path: Path) -> None:
    """Bulk-load one N-Quads file that pyoxigraph wrote, then delete it."""
    try:
        if _may_name_blank_nodes(path):
            # bulk_load renames blank nodes; parsing keeps them, so re-ingest stays a no-op.
            store.bulk_extend(ox.parse(path=str(path), format=ox.RdfFormat.N_QUADS))
        else:
            # The file was written by pyoxigraph itself: no need to validate it again.
            store.bulk_load(path=str(path), format=ox.RdfFormat.N_QUADS, lenient=True)
    except OSError as exc:
        raise StoreError(f"the store could not take the batch: {exc}") from exc
    path.unlink()


def _may_name_blank_nodes(path: Path, chunk: int = 1 << 20) -> bool:
    """Whether the N-Quads file at ``path`` may name a blank node: it holds ``_:`` somewhere.

    Every blank node in N-Quads is written ``_:label``; a literal holding that text is a
    false alarm, which only costs the slower loading path. (Scanning the bytes in C is far
    cheaper than looking at three terms of every quad in Python.)
    """
    with path.open("rb") as data:
        tail = b""
        while block := data.read(chunk):
            if b"_:" in tail + block[:1] or b"_:" in block:
                return True
            tail = block[-1:]
    return False
