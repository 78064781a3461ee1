"""Running ``/sparql`` queries under a time limit and a result-size limit.

pyoxigraph cannot cancel a query: ``Store.query`` and the serialisation of its result run in
Rust until they finish. A query that must be stopped therefore has to run somewhere that can
be stopped as a whole, and that is a process.

On an on-disk store (the server's normal case) :class:`WorkerPoolRunner` keeps a small pool
of worker processes. Each opens a *snapshot* of the store with ``pyoxigraph.Store.read_only``,
runs one query at a time, serialises the result in the format the client asked for, and sends
back the bytes. The request's thread waits for the answer until the deadline; past it the
worker is killed (SIGKILL: a read-only store has nothing to lose), a fresh one is started in
the background, and the request gets :class:`~oncoclaims.errors.QueryTimeoutError`. Other
requests are served meanwhile by the other workers; a request that finds every worker busy
waits for one until its own deadline.

- Workers are started with the ``forkserver`` method (``spawn`` where there is none, or
  where this process was itself forked from one running a forkserver), never ``fork``: a
  forked child of the server would inherit the server's open RocksDB. The forkserver imports
  this module once, so a replacement worker is up in milliseconds. As with every
  ``multiprocessing`` start method but ``fork``, each worker imports the server's main module,
  which must therefore guard its entry point with ``if __name__ == "__main__"`` (the
  ``oncoclaims`` command and ``python -m oncoclaims`` do).
- The snapshot is a RocksDB checkpoint of the live store (``Store.backup``: hard links to
  the immutable data files, plus the memtable flushed to a new one) in a folder beside the
  store, ``.<store name>.query-snapshots/``. Opening the *live* directory read-only would
  work in practice (such an open replays the write-ahead log, so it even sees unflushed
  writes), but pyoxigraph documents a read-only open while another process writes as
  undefined behaviour, and RocksDB may delete a file between reading the manifest and
  opening it. A checkpoint is never written again, so opening it is always safe.
- Freshness: every write through the server adds one to ``ServerState.generation``. The
  first query after a write takes a new checkpoint (about 0.1 s on the bundled graph, once
  per write, not per query); each worker reopens on its next query (about 0.02 s). A
  checkpoint no worker uses any more is deleted. Writes made outside the server cannot
  happen: the server holds the store's lock.
- Results are serialised inside the worker into a buffer that refuses to grow past
  ``max_result_bytes`` (:class:`~oncoclaims.errors.ResultTooLargeError`), so a huge result
  never crosses the pipe whole and the worker's memory stays bounded by the limit.

An in-memory store (tests, one-off use) lives in the server process only, so no other process
can see its data. :class:`InProcessRunner` runs the query in the request's own thread and
checks the deadline and the size each time pyoxigraph hands over a chunk of output (every
8 KiB): a query that streams results is stopped soon after its deadline, but one that
produces nothing until it has done all its work (an aggregate, an ``ORDER BY``) runs to the
end before it is refused. This is best effort, and the reason the server opens an on-disk
store.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import queue
import shutil
import signal
import threading
import time
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import pyoxigraph as ox

from oncoclaims.errors import QueryError, QuerySyntaxError, QueryTimeoutError, ResultTooLargeError, StoreError

if TYPE_CHECKING:
    from multiprocessing.context import BaseContext, BaseProcess

    from oncoclaims.api.settings import ServerSettings, ServerState
    from oncoclaims.graph.store import ClaimStore

__all__ = [
    "InProcessRunner",
    "QueryAnswer",
    "QueryJob",
    "QueryRunner",
    "WorkerPoolRunner",
    "create_query_runner",
    "query_runner_for",
]

# One byte in front of every answer from _evaluate says what follows.
_RESULTS, _GRAPH = b"R", b"G"  # the serialised result
_NO_RESULTS_FORMAT, _NO_GRAPH_FORMAT = b"r", b"g"  # nothing acceptable for this kind of result
_SYNTAX, _FAILED, _TOO_LARGE, _LATE, _UNOPENED = b"S", b"F", b"L", b"T", b"O"

#: Seconds to wait for a killed worker to be reaped.
_REAP_SECONDS = 5.0


@dataclass(frozen=True, slots=True)
class QueryJob:
    """One query, its dataset and the result formats the client accepts (``None``: none)."""

    query: str
    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()
    results_format: ox.QueryResultsFormat | None = ox.QueryResultsFormat.JSON
    graph_format: ox.RdfFormat | None = ox.RdfFormat.N_TRIPLES

    def to_wire(self, max_bytes: int) -> tuple[str, tuple[str, ...], tuple[str, ...], str | None, str | None, int]:
        """The job as plain values for a pipe (pyoxigraph's format objects do not pickle)."""
        return (self.query, self.default_graphs, self.named_graphs,
                self.results_format.media_type if self.results_format else None,
                self.graph_format.media_type if self.graph_format else None, max_bytes)


@dataclass(frozen=True, slots=True)
class QueryAnswer:
    """A serialised result; ``body`` is ``None`` when no accepted format fits its kind."""

    is_graph: bool
    body: bytes | None


class QueryRunner(Protocol):
    """Runs ``/sparql`` queries within the server's limits."""

    def run(self, job: QueryJob) -> QueryAnswer:
        """Run ``job`` and return its serialised result.

        :raises QuerySyntaxError: when the query does not parse.
        :raises QueryTimeoutError: past the time limit.
        :raises ResultTooLargeError: when the serialised result is over the size limit.
        :raises QueryError: when the query cannot be evaluated.
        :raises StoreError: when a worker cannot open the store or dies.
        """
        ...

    def start(self) -> None:
        """Get ready to run queries (start workers); :meth:`run` calls it when needed."""
        ...

    def close(self) -> None:
        """Stop everything :meth:`start` started; a later :meth:`run` starts again."""
        ...


def create_query_runner(store: ClaimStore, state: ServerState) -> QueryRunner:
    """A worker pool for an on-disk store, the in-process runner for an in-memory one."""
    if store.path is None:
        return InProcessRunner(store, state)
    return WorkerPoolRunner(store, state)


def query_runner_for(store: ClaimStore, state: ServerState) -> QueryRunner:
    """The server's runner, kept on ``state``; created on first use."""
    if state.query_runner is None:
        state.query_runner = create_query_runner(store, state)
    return state.query_runner


class InProcessRunner:
    """Runs queries in the calling thread; limits checked between chunks of output (best effort)."""

    def __init__(self, store: ClaimStore, state: ServerState) -> None:
        self._store = store
        self._state = state

    def run(self, job: QueryJob) -> QueryAnswer:
        """Run ``job`` here (see :meth:`QueryRunner.run`)."""
        settings = self._state.settings
        deadline = time.monotonic() + settings.query_timeout
        return _decode(_evaluate(self._store.inner, job.to_wire(settings.max_result_bytes), deadline), settings)

    def start(self) -> None:
        """Nothing to start."""

    def close(self) -> None:
        """Nothing to stop."""


@dataclass(eq=False, slots=True)
class _Worker:
    process: BaseProcess
    connection: Connection
    snapshot: str


class WorkerPoolRunner:
    """Runs queries in worker processes over checkpoints of an on-disk store (module docstring)."""

    def __init__(self, store: ClaimStore, state: ServerState) -> None:
        if store.path is None:
            raise StoreError("a worker pool needs an on-disk store; use InProcessRunner for an in-memory one")
        self._store = store
        self._state = state
        self._root = store.path.parent / f".{store.path.name}.query-snapshots"
        self._context = _worker_context()
        self._lock = threading.Lock()
        self._idle: queue.SimpleQueue[_Worker] = queue.SimpleQueue()
        self._workers: set[_Worker] = set()
        self._current: tuple[int, str] | None = None
        self._snapshots = 0
        self._started = False

    @property
    def worker_pids(self) -> set[int]:
        """The process ids of the workers alive or starting (killed ones leave at once)."""
        with self._lock:
            return {worker.process.pid for worker in self._workers if worker.process.pid is not None}

    @property
    def idle_workers(self) -> int:
        """How many workers wait for a query."""
        return self._idle.qsize()

    @property
    def snapshot_folder(self) -> Path:
        """Where the checkpoints the workers read live (deleted by :meth:`close`)."""
        return self._root

    def start(self) -> None:
        """Take the first snapshot and start the workers (once; :meth:`run` calls it)."""
        with self._lock:
            if self._started:
                return
            # The server holds the store's lock, so snapshots left here by a crash are nobody's.
            shutil.rmtree(self._root, ignore_errors=True)
            self._root.mkdir(parents=True)
            self._take_snapshot(self._state.generation)
            for _ in range(self._state.settings.query_workers):
                self._add_worker()
            self._started = True

    def close(self) -> None:
        """Kill every worker and delete the snapshots."""
        with self._lock:
            workers, self._workers = list(self._workers), set()
            self._started = False
            self._current = None
            self._idle = queue.SimpleQueue()
        for worker in workers:
            _stop(worker)
        shutil.rmtree(self._root, ignore_errors=True)

    def run(self, job: QueryJob) -> QueryAnswer:
        """Run ``job`` in a worker (see :meth:`QueryRunner.run`)."""
        settings = self._state.settings
        deadline = time.monotonic() + settings.query_timeout
        if not self._started:
            self.start()
        self._refresh_snapshot()
        try:
            worker: _Worker | None = self._idle.get(timeout=max(0.0, deadline - time.monotonic()))
        except queue.Empty:
            raise QueryTimeoutError(_busy_message(settings), settings.query_timeout) from None
        with self._lock:
            alive = worker in self._workers
            if alive and self._current is not None:
                worker.snapshot = self._current[1]
        if not alive:
            raise StoreError("the server is shutting down; the query was not run")
        try:
            worker.connection.send((worker.snapshot, *job.to_wire(settings.max_result_bytes)))
            if not worker.connection.poll(max(0.0, deadline - time.monotonic())):
                self._replace(worker)
                worker = None
                raise QueryTimeoutError(_timeout_message(settings), settings.query_timeout)
            reply = worker.connection.recv_bytes()
        except (EOFError, OSError) as exc:
            code = worker.process.exitcode if worker else None
            if worker is not None:
                self._replace(worker)
                worker = None
            raise StoreError(f"a query worker stopped unexpectedly (exit code {code}); the query was not "
                             f"answered. A fresh worker is starting: try again.") from exc
        finally:
            if worker is not None:
                self._idle.put(worker)
        return _decode(reply, settings)

    def _refresh_snapshot(self) -> None:
        generation = self._state.generation
        current = self._current
        if current is not None and current[0] == generation:
            return
        with self._lock:
            if self._current is None or self._current[0] != generation:
                self._take_snapshot(generation)

    def _take_snapshot(self, generation: int) -> None:
        """Checkpoint the store for ``generation``; the caller holds the lock."""
        self._snapshots += 1
        target = self._root / f"{generation}-{self._snapshots}"
        try:
            self._store.inner.backup(str(target))
        except OSError as exc:
            raise StoreError(f"cannot take a snapshot of the store for the query workers in {target}: {exc}. "
                             f"Is there room on the disk beside the store?") from exc
        self._current = (generation, str(target))
        in_use = {worker.snapshot for worker in self._workers} | {str(target)}
        for folder in self._root.iterdir():
            if str(folder) not in in_use:
                shutil.rmtree(folder, ignore_errors=True)

    def _add_worker(self) -> None:
        """Start one worker on the current snapshot; the caller holds the lock."""
        assert self._current is not None  # noqa: S101 (start() takes the first snapshot before any worker)
        parent, child = self._context.Pipe()
        process = self._context.Process(target=_serve_queries, args=(child, self._current[1]),
                                        name="oncoclaims-query-worker", daemon=True)
        try:
            process.start()
        except ChildProcessError:
            # This process was forked from one that had started the forkserver, and CPython's
            # forkserver client cannot tell (it waits for a server that is not its child).
            self._context = multiprocessing.get_context("spawn")
            process = self._context.Process(target=_serve_queries, args=(child, self._current[1]),
                                            name="oncoclaims-query-worker", daemon=True)
            process.start()
        child.close()
        worker = _Worker(process, parent, self._current[1])
        self._workers.add(worker)
        self._idle.put(worker)

    def _replace(self, worker: _Worker) -> None:
        """Kill ``worker`` now; reap it and start its successor in the background."""
        with self._lock:
            self._workers.discard(worker)
        worker.process.kill()
        threading.Thread(target=self._reap_and_succeed, args=(worker,), name="oncoclaims-worker-reaper",
                         daemon=True).start()

    def _reap_and_succeed(self, worker: _Worker) -> None:
        _stop(worker)
        with self._lock:
            if self._started:
                self._add_worker()


def _worker_context() -> BaseContext:
    if "forkserver" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload([__name__])
        return context
    return multiprocessing.get_context("spawn")


def _stop(worker: _Worker) -> None:
    with contextlib.suppress(OSError):
        worker.process.kill()
    worker.process.join(_REAP_SECONDS)
    worker.connection.close()
    with contextlib.suppress(ValueError):  # already closed
        worker.process.close()


def _serve_queries(connection: Connection, snapshot: str) -> None:
    """A worker's life: open ``snapshot`` read-only, then answer queries until the pipe closes."""
    # Ctrl-C reaches the whole process group; the server stops its workers itself.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    opened: tuple[str, ox.Store] | None = None
    with contextlib.suppress(OSError):
        opened = (snapshot, ox.Store.read_only(snapshot))
    while True:
        try:
            request = connection.recv()
        except (EOFError, OSError):
            return
        path, wire = request[0], request[1:]
        if opened is None or opened[0] != path:
            opened = None  # drop the old snapshot before opening the next
            try:
                opened = (path, ox.Store.read_only(path))
            except OSError as exc:
                connection.send_bytes(_UNOPENED + str(exc).encode())
                continue
        connection.send_bytes(_evaluate(opened[1], wire, None))


class _Stop(Exception):  # noqa: N818 (internal signal, never leaves this module)
    def __init__(self, code: bytes) -> None:
        self.code = code
        super().__init__(code)


class _CappedBuffer:
    """A binary sink for pyoxigraph's serialisers that stops at a size and, optionally, a deadline."""

    def __init__(self, head: bytes, limit: int, deadline: float | None) -> None:
        self.data = bytearray(head)
        self._limit = limit + len(head)
        self._deadline = deadline

    def write(self, chunk: bytes) -> int:
        if len(self.data) + len(chunk) > self._limit:
            raise _Stop(_TOO_LARGE)
        self.check_time()
        self.data += chunk
        return len(chunk)

    def flush(self) -> None:
        """pyoxigraph flushes at the end; nothing is buffered here."""

    def check_time(self) -> None:
        if self._deadline is not None and time.monotonic() > self._deadline:
            raise _Stop(_LATE)


def _evaluate(store: ox.Store, wire: tuple[object, ...], deadline: float | None) -> bytes:
    """Run one wire job (:meth:`QueryJob.to_wire`) on ``store``: a code byte, then the payload."""
    query, defaults, named, results_media, graph_media, max_bytes = wire
    options: dict[str, object] = {}
    try:
        if defaults:
            options["default_graph"] = [ox.NamedNode(g) for g in defaults]  # type: ignore[attr-defined]
        else:
            options["use_default_graph_as_union"] = True
        if named:
            options["named_graphs"] = [ox.NamedNode(g) for g in named]  # type: ignore[attr-defined]
        result = store.query(query, **options)  # type: ignore[arg-type]
        if isinstance(result, ox.QueryTriples):
            if graph_media is None:
                return _NO_GRAPH_FORMAT
            sink = _CappedBuffer(_GRAPH, max_bytes, deadline)  # type: ignore[arg-type]
            sink.check_time()
            result.serialize(sink, ox.RdfFormat.from_media_type(graph_media))  # type: ignore[arg-type]
        else:
            if results_media is None:
                return _NO_RESULTS_FORMAT
            sink = _CappedBuffer(_RESULTS, max_bytes, deadline)  # type: ignore[arg-type]
            sink.check_time()
            result.serialize(sink, ox.QueryResultsFormat.from_media_type(results_media))  # type: ignore[arg-type]
    except _Stop as stop:
        return stop.code
    except SyntaxError as exc:
        return _SYNTAX + str(exc).encode()
    except (ValueError, OSError) as exc:
        return _FAILED + str(exc).encode()
    return bytes(sink.data)


def _decode(reply: bytes, settings: ServerSettings) -> QueryAnswer:
    code, payload = reply[:1], reply[1:]
    if code in (_RESULTS, _GRAPH):
        return QueryAnswer(is_graph=code == _GRAPH, body=payload)
    if code in (_NO_RESULTS_FORMAT, _NO_GRAPH_FORMAT):
        return QueryAnswer(is_graph=code == _NO_GRAPH_FORMAT, body=None)
    text = payload.decode("utf-8", errors="replace")
    if code == _SYNTAX:
        raise QuerySyntaxError(text)
    if code == _TOO_LARGE:
        raise ResultTooLargeError(_too_large_message(settings), settings.max_result_bytes)
    if code == _LATE:
        raise QueryTimeoutError(_timeout_message(settings), settings.query_timeout)
    if code == _UNOPENED:
        raise StoreError(f"a query worker could not open the store snapshot: {text}")
    raise QueryError(text)


def _timeout_message(settings: ServerSettings) -> str:
    return (f"the query ran past the server's time limit of {settings.query_timeout:g} s and was stopped. "
            f"Narrow it (a LIMIT, more bound terms), or start the server with a longer limit: "
            f"oncoclaims serve --query-timeout SECONDS (or $ONCOCLAIMS_QUERY_TIMEOUT)")


def _busy_message(settings: ServerSettings) -> str:
    return (f"no query worker became free within the server's time limit of {settings.query_timeout:g} s: "
            f"all {settings.query_workers} were busy with other queries. Try again shortly, or start the "
            f"server with more: oncoclaims serve --query-workers N (or $ONCOCLAIMS_QUERY_WORKERS)")


def _too_large_message(settings: ServerSettings) -> str:
    limit = settings.max_result_bytes
    return (f"the result is larger than the server's limit of {limit} bytes ({limit / 1024 / 1024:.3g} MiB) "
            f"and was not sent. Ask for less (a LIMIT, fewer variables), or start the server with a higher "
            f"limit: oncoclaims serve --max-result-bytes N (or $ONCOCLAIMS_MAX_RESULT_BYTES)")
