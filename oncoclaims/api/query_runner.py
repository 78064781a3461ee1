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
waits, in arrival order, for one until its own deadline. The request that gets a worker takes
up to three waiting ones along in the same message (a batch, answered one reply at a time):
under load a worker runs several queries per wake-up. A query behind one that runs past its
limit has not started, and waits for another worker. A request cancelled while its query
runs (the server stopping) kills that worker too. A query that runs long leaves the pool with
its worker, so that cheap queries keep being served (:mod:`oncoclaims.api.admission`).

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

On a SPARQL server (a remote backend, docs/deployment.md) :class:`BackendRunner` forwards the
query through the backend (:func:`~oncoclaims.api.query_execution.answer_on_backend`) in a
thread of the server: the work happens on the SPARQL server, the HTTP client gives up at the
backend's time limit, and the request is answered 503 at the server's own deadline whether or
not the thread has returned. The dataset, union default graph and size limit are as on the
embedded store.

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
import time
import traceback
from typing import TYPE_CHECKING, Protocol, cast

from starlette.concurrency import run_in_threadpool

from oncoclaims.api import query_execution as execution
from oncoclaims.api.backend_access import backend_of, is_remote
from oncoclaims.api.query_execution import DatasetQueries, QueryAnswer, QueryJob, timeout_message
from oncoclaims.api.worker_pool import WorkerPoolRunner
from oncoclaims.errors import QueryTimeoutError

if TYPE_CHECKING:
    from oncoclaims.api.settings import RunnerContext
    from oncoclaims.graph.store import ClaimStore

__all__ = [
    "BackendRunner",
    "InProcessRunner",
    "QueryAnswer",
    "QueryJob",
    "QueryRunner",
    "WorkerPoolRunner",
    "create_query_runner",
]


class QueryRunner(Protocol):
    """Runs ``/sparql`` queries within the server's limits."""

    async def answer(self, job: QueryJob, client: str | None = None) -> QueryAnswer:
        """Run ``job`` without blocking the event loop; as :meth:`run` otherwise. ``client`` is
        the peer address of the request, for admission (:mod:`oncoclaims.api.admission`).

        :raises ServerBusyError: when the query is refused at once (too many waiting or long).
        """
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


def create_query_runner(store: ClaimStore, state: RunnerContext) -> QueryRunner:
    """The runner for ``store``: through the backend on a SPARQL server, a worker pool for an
    on-disk embedded store, the in-process runner for an in-memory one."""
    if is_remote(store):
        return BackendRunner(store, state)
    if store.path is None:
        return InProcessRunner(store, state)
    return WorkerPoolRunner(store, state)


class InProcessRunner:
    """Runs queries in the server process; limits checked between chunks of output (best effort)."""

    def __init__(self, store: ClaimStore, state: RunnerContext) -> None:
        self._store = store
        self._state = state

    async def answer(self, job: QueryJob, client: str | None = None) -> QueryAnswer:
        """Run ``job`` in a thread of the server's pool (``client`` plays no part)."""
        return await run_in_threadpool(self.run, job)

    def run(self, job: QueryJob) -> QueryAnswer:
        """Run ``job`` in this thread (see :meth:`QueryRunner.run`)."""
        settings = self._state.settings
        deadline = time.monotonic() + settings.query_timeout
        reply = execution.evaluate(self._store.inner, job.to_wire(settings.max_result_bytes), deadline)
        return execution.decode(reply, settings)

    def start(self) -> None:
        """Nothing to start."""

    def close(self) -> None:
        """Nothing to stop."""


class BackendRunner:
    """Forwards queries to the SPARQL server behind the store's backend (module docstring)."""

    def __init__(self, store: ClaimStore, state: RunnerContext) -> None:
        self._backend = cast(DatasetQueries, backend_of(store))
        self._state = state

    async def answer(self, job: QueryJob, client: str | None = None) -> QueryAnswer:
        """Run ``job`` in a thread; 503 (:class:`QueryTimeoutError`) at the server's deadline."""
        settings = self._state.settings
        try:
            return await asyncio.wait_for(run_in_threadpool(self.run, job), settings.query_timeout)
        except TimeoutError:
            raise QueryTimeoutError(timeout_message(settings), settings.query_timeout) from None

    def run(self, job: QueryJob) -> QueryAnswer:
        """Run ``job`` in this thread (see :meth:`QueryRunner.run`)."""
        settings = self._state.settings
        deadline = time.monotonic() + settings.query_timeout
        try:
            return execution.answer_on_backend(self._backend, job, settings, deadline)
        except BaseException as exc:
            # pyoxigraph's results may only be dropped by the thread that made them: the
            # traceback's frames let go of them here, not in the event loop's thread.
            traceback.clear_frames(exc.__traceback__)
            raise

    def start(self) -> None:
        """Nothing to start: the SPARQL server runs the queries."""

    def close(self) -> None:
        """Nothing to stop (the backend is the store's, closed with it)."""
