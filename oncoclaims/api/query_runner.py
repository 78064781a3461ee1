"""Running ``/sparql`` queries under a time limit and a result-size limit.

pyoxigraph cannot cancel a query: ``Store.query`` and the serialisation of its result run in
Rust until they finish. A query that must be stopped therefore has to run somewhere that can
be stopped as a whole, and that is a process.

On an on-disk store (the server's normal case) :class:`WorkerPoolRunner` keeps a small pool
of worker processes. Each opens a *snapshot* of the store with ``pyoxigraph.Store.read_only``,
runs one query at a time, serialises the result in the format the client asked for, and sends
back the bytes (:mod:`oncoclaims.api.query_execution`). The request waits for the answer
until the deadline without holding a thread: the event loop watches the worker's pipe
(:meth:`WorkerPoolRunner.answer`). Past the deadline the worker is killed (SIGKILL: a read-only store has nothing to lose), a fresh one is started in
the background, and the request gets :class:`~oncoclaims.errors.QueryTimeoutError`. Other
requests are served meanwhile by the other workers; a request that finds every worker busy
waits, in arrival order, for one until its own deadline. A request cancelled while its
worker runs (the server stopping) kills that worker too, so no stale answer is ever read
by the next request.

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
can see its data. :class:`InProcessRunner` runs the query in a thread of the server and
checks the deadline and the size each time pyoxigraph hands over a chunk of output (every
8 KiB): a query that streams results is stopped soon after its deadline, but one that
produces nothing until it has done all its work (an aggregate, an ``ORDER BY``) runs to the
end before it is refused. This is best effort, and the reason the server opens an on-disk
store.
"""

from __future__ import annotations

import asyncio
import contextlib
import multiprocessing
import pickle  # noqa: S403 (our own messages to our own worker processes)
import shutil
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import pyoxigraph as ox
from starlette.concurrency import run_in_threadpool

from oncoclaims.api import query_execution as execution
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

    def to_wire(self, max_bytes: int) -> execution.WireJob:
        """The job as plain values for a pipe, with the byte limit."""
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

    async def answer(self, job: QueryJob) -> QueryAnswer:
        """Run ``job`` without blocking the event loop; as :meth:`run` otherwise."""
        ...

    def run(self, job: QueryJob) -> QueryAnswer:
        """Run ``job`` and return its serialised result (blocking the calling thread).

        :raises QuerySyntaxError: when the query does not parse.
        :raises QueryTimeoutError: past the time limit.
        :raises ResultTooLargeError: when the serialised result is over the size limit.
        :raises QueryError: when the query cannot be evaluated.
        :raises StoreError: when a worker cannot open the store or dies.
        """
        ...

    def start(self) -> None:
        """Get ready to run queries (start workers); the first query calls it when needed."""
        ...

    def close(self) -> None:
        """Stop everything :meth:`start` started; a later query starts again."""
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
    """Runs queries in the server process; limits checked between chunks of output (best effort)."""

    def __init__(self, store: ClaimStore, state: ServerState) -> None:
        self._store = store
        self._state = state

    async def answer(self, job: QueryJob) -> QueryAnswer:
        """Run ``job`` in a thread of the server's pool."""
        return await run_in_threadpool(self.run, job)

    def run(self, job: QueryJob) -> QueryAnswer:
        """Run ``job`` in this thread (see :meth:`QueryRunner.run`)."""
        settings = self._state.settings
        deadline = time.monotonic() + settings.query_timeout
        reply = execution.evaluate(self._store.inner, job.to_wire(settings.max_result_bytes), deadline)
        return _decode(reply, settings)

    def start(self) -> None:
        """Nothing to start."""

    def close(self) -> None:
        """Nothing to stop."""


@dataclass(eq=False, slots=True)
class _Worker:
    process: BaseProcess
    connection: Connection
    snapshot: str


@dataclass(eq=False, slots=True)
class _Waiter:
    notify: Callable[[], None]
    worker: _Worker | None = None


class _IdleWorkers:
    """Idle workers, handed to waiting requests (threads or coroutines) in arrival order."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._idle: deque[_Worker] = deque()
        self._waiters: deque[_Waiter] = deque()

    def __len__(self) -> int:
        return len(self._idle)

    def put(self, worker: _Worker) -> None:
        with self._lock:
            if self._waiters:
                waiter = self._waiters.popleft()
                waiter.worker = worker
                waiter.notify()
            else:
                self._idle.append(worker)

    def take(self, timeout: float) -> _Worker | None:
        """An idle worker, waiting up to ``timeout`` seconds for one (``None``: none came)."""
        with self._lock:
            if self._idle:
                return self._idle.popleft()
            event = threading.Event()
            waiter = _Waiter(event.set)
            self._waiters.append(waiter)
        event.wait(timeout)
        return self._withdraw(waiter)

    async def take_async(self, timeout: float) -> _Worker | None:
        """As :meth:`take`, waiting in the event loop."""
        loop = asyncio.get_running_loop()
        with self._lock:
            if self._idle:
                return self._idle.popleft()
            arrived: asyncio.Future[bool] = loop.create_future()
            waiter = _Waiter(lambda: _settle_from_any_thread(loop, arrived))
            self._waiters.append(waiter)
        try:
            await asyncio.wait_for(arrived, timeout)
        except asyncio.TimeoutError:
            pass
        except BaseException:  # cancelled: a worker handed over meanwhile goes to the next one
            worker = self._withdraw(waiter)
            if worker is not None:
                self.put(worker)
            raise
        return self._withdraw(waiter)

    def _withdraw(self, waiter: _Waiter) -> _Worker | None:
        with self._lock:
            if waiter.worker is None:
                self._waiters.remove(waiter)
            return waiter.worker


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
        self._idle = _IdleWorkers()
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
        return len(self._idle)

    @property
    def snapshot_folder(self) -> Path:
        """Where the checkpoints the workers read live (deleted by :meth:`close`)."""
        return self._root

    def start(self) -> None:
        """Take the first snapshot and start the workers (once; the first query calls it)."""
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
            self._idle = _IdleWorkers()
        for worker in workers:
            _stop(worker)
        shutil.rmtree(self._root, ignore_errors=True)

    def run(self, job: QueryJob) -> QueryAnswer:
        """Run ``job`` in a worker, blocking this thread (see :meth:`QueryRunner.run`)."""
        settings = self._state.settings
        deadline = time.monotonic() + settings.query_timeout
        if not self._ready():
            self._prepare()
        worker = self._idle.take(_remaining(deadline))
        if worker is None:
            raise QueryTimeoutError(_busy_message(settings), settings.query_timeout)
        self._send(worker, job, settings)
        return self._receive(worker, settings, worker.connection.poll(_remaining(deadline)))

    async def answer(self, job: QueryJob) -> QueryAnswer:
        """Run ``job`` in a worker; the event loop watches its pipe meanwhile."""
        settings = self._state.settings
        deadline = time.monotonic() + settings.query_timeout
        if not self._ready():
            await run_in_threadpool(self._prepare)  # starting workers, a checkpoint: not in the loop
        worker = await self._idle.take_async(_remaining(deadline))
        if worker is None:
            raise QueryTimeoutError(_busy_message(settings), settings.query_timeout)
        self._send(worker, job, settings)
        try:
            arrived = await _readable(worker.connection, _remaining(deadline))
        except BaseException:  # cancelled: its answer must not reach the next request
            self._replace(worker)
            raise
        return self._receive(worker, settings, arrived)

    def _ready(self) -> bool:
        current = self._current
        return self._started and current is not None and current[0] == self._state.generation

    def _prepare(self) -> None:
        """Start the pool if needed, and take a new checkpoint after a write."""
        self.start()
        generation = self._state.generation
        with self._lock:
            if self._current is None or self._current[0] != generation:
                self._take_snapshot(generation)

    def _send(self, worker: _Worker, job: QueryJob, settings: ServerSettings) -> None:
        with self._lock:
            alive = worker in self._workers
            if alive and self._current is not None:
                worker.snapshot = self._current[1]
        if not alive:
            raise StoreError("the server is shutting down; the query was not run")
        try:
            worker.connection.send_bytes(pickle.dumps((worker.snapshot, *job.to_wire(settings.max_result_bytes)),
                                                      pickle.HIGHEST_PROTOCOL))
        except OSError as exc:
            raise self._lost(worker) from exc

    def _receive(self, worker: _Worker, settings: ServerSettings, arrived: bool) -> QueryAnswer:
        if not arrived:
            self._replace(worker)
            raise QueryTimeoutError(_timeout_message(settings), settings.query_timeout)
        try:
            reply = worker.connection.recv_bytes()
        except (EOFError, OSError) as exc:
            raise self._lost(worker) from exc
        self._idle.put(worker)
        return _decode(reply, settings)

    def _lost(self, worker: _Worker) -> StoreError:
        code = worker.process.exitcode
        self._replace(worker)
        return StoreError(f"a query worker stopped unexpectedly (exit code {code}); the query was not answered. "
                          f"A fresh worker is starting: try again.")

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
        try:
            process = self._start_process(child)
        except ChildProcessError:
            # This process was forked from one that had started the forkserver, and CPython's
            # forkserver client cannot tell (it waits for a server that is not its child).
            self._context = multiprocessing.get_context("spawn")
            process = self._start_process(child)
        child.close()
        worker = _Worker(process, parent, self._current[1])
        self._workers.add(worker)
        self._idle.put(worker)

    def _start_process(self, child: Connection) -> BaseProcess:
        assert self._current is not None  # noqa: S101 (see _add_worker)
        process = self._context.Process(target=execution.serve_queries, args=(child, self._current[1]),
                                        name="oncoclaims-query-worker", daemon=True)
        process.start()
        return process

    def _replace(self, worker: _Worker) -> None:
        """Kill ``worker`` now; reap it and start its successor in the background."""
        with self._lock:
            self._workers.discard(worker)
        with contextlib.suppress(OSError, ValueError):
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
        context.set_forkserver_preload([execution.__name__])
        return context
    return multiprocessing.get_context("spawn")


def _stop(worker: _Worker) -> None:
    with contextlib.suppress(OSError, ValueError):
        worker.process.kill()
        worker.process.join(_REAP_SECONDS)
    worker.connection.close()
    with contextlib.suppress(ValueError):  # still running after all
        worker.process.close()


def _remaining(deadline: float) -> float:
    return max(0.0, deadline - time.monotonic())


def _settle(future: asyncio.Future[bool], value: bool) -> None:
    if not future.done():
        future.set_result(value)


def _settle_from_any_thread(loop: asyncio.AbstractEventLoop, future: asyncio.Future[bool]) -> None:
    # From the loop's own thread (the usual case: a request hands its worker on) no wake-up
    # through the loop's self-pipe is needed.
    if asyncio._get_running_loop() is loop:
        _settle(future, True)
    else:
        loop.call_soon_threadsafe(_settle, future, True)


async def _readable(connection: Connection, timeout: float) -> bool:
    """Whether ``connection`` has data within ``timeout`` seconds, waiting in the event loop."""
    if connection.poll(0):
        return True
    loop = asyncio.get_running_loop()
    arrived: asyncio.Future[bool] = loop.create_future()
    descriptor = connection.fileno()
    try:
        loop.add_reader(descriptor, _settle, arrived, True)
    except NotImplementedError:  # an event loop without add_reader (Windows' proactor)
        return await run_in_threadpool(connection.poll, timeout)
    timer = loop.call_later(timeout, _settle, arrived, False)
    try:
        return await arrived
    finally:
        timer.cancel()
        loop.remove_reader(descriptor)


def _decode(reply: bytes, settings: ServerSettings) -> QueryAnswer:
    code, payload = reply[:1], reply[1:]
    if code in (execution.RESULTS, execution.GRAPH):
        return QueryAnswer(is_graph=code == execution.GRAPH, body=payload)
    if code in (execution.NO_RESULTS_FORMAT, execution.NO_GRAPH_FORMAT):
        return QueryAnswer(is_graph=code == execution.NO_GRAPH_FORMAT, body=None)
    text = payload.decode("utf-8", errors="replace")
    if code == execution.SYNTAX:
        raise QuerySyntaxError(text)
    if code == execution.TOO_LARGE:
        raise ResultTooLargeError(_too_large_message(settings), settings.max_result_bytes)
    if code == execution.LATE:
        raise QueryTimeoutError(_timeout_message(settings), settings.query_timeout)
    if code == execution.UNOPENED:
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
