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

Readers may see a batch in part while it loads, and in part until it is taken back. A
crash of the process during a load can leave part of the batch written; an error in the
input never does.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import pyoxigraph as ox

from oncoclaims.errors import StoreError

__all__ = ["LOAD_CHUNK", "load_streaming"]

#: Quads per file handed to the loader thread. Ten chunks of 1.82M quads load in 12.3 s
#: against 11.2 s for one file: the smaller the chunk, the more the overlap and the
#: cost of each extra load.
LOAD_CHUNK = 250_000


def load_streaming(store: ox.Store, quads: Iterable[ox.Quad], directory: Path | None) -> None:
    """Add ``quads`` to ``store``: all of them, or none if the iterable raises (module docstring).

    :param directory: where the temporary chunk files go (``None``: the system's default).
    :raises StoreError: when the store cannot take a chunk (the batch is taken back).
    """
    new_graphs: dict[ox.NamedNode | ox.BlankNode | ox.DefaultGraph, bool] = {}
    with tempfile.TemporaryDirectory(prefix="oncoclaims-batch-", dir=directory) as spill:
        loader = _ChunkLoader(store, Path(spill))
        held_back = Path(spill) / "held-back.nq"
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
                        ready.append(quad)
                        if len(ready) >= LOAD_CHUNK:
                            loader.submit(ready)
                            ready = []
                    else:
                        held.append(quad)
                        if len(held) >= LOAD_CHUNK:
                            ox.serialize(held, held_file, ox.RdfFormat.N_QUADS)
                            held = []
                if ready:
                    loader.submit(ready)
                ox.serialize(held, held_file, ox.RdfFormat.N_QUADS)
            loader.finish()
            if held_back.stat().st_size:
                _load_file(store, held_back)
        except BaseException:
            loader.abandon()
            for graph, is_new in new_graphs.items():
                if is_new and store.contains_named_graph(graph):
                    store.remove_graph(graph)
            raise


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
