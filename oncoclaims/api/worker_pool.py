"""The pool of query worker processes behind ``/sparql`` on an on-disk store.

The design and its reasons are in :mod:`oncoclaims.api.query_runner`; here is the mechanics:
starting workers on a RocksDB checkpoint of the store, handing idle ones to waiting requests
(threads or coroutines) in arrival order, sending a job down a worker's pipe and waiting for
the answer until the deadline, and killing and replacing a worker that runs past it.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import multiprocessing
import os
import pickle  # only our own messages to our own worker processes
import shutil
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import TYPE_CHECKING

from starlette.concurrency import run_in_threadpool

from oncoclaims.api import query_execution as execution
from oncoclaims.api.query_execution import QueryAnswer, QueryJob, busy_message, timeout_message
from oncoclaims.errors import QueryTimeoutError, StoreError

if TYPE_CHECKING:
    from multiprocessing.context import ForkServerContext, SpawnContext
    from multiprocessing.process import BaseProcess

    from oncoclaims.api.settings import ServerSettings, ServerState
    from oncoclaims.graph.store import ClaimStore

__all__ = ["WorkerPoolRunner"]

#: Seconds to wait for a killed worker to be reaped.
_REAP_SECONDS = 5.0

_RUNNER_NUMBERS = itertools.count(1)


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
        # A timer settling the future, not asyncio.wait_for: under load most requests wait here,
        # and wait_for wraps each wait in more machinery than the wait itself costs.
        timer = loop.call_later(timeout, _settle, arrived, False)
        try:
            await arrived
        except BaseException:  # cancelled: a worker handed over meanwhile goes to the next one
            worker = self._withdraw(waiter)
            if worker is not None:
                self.put(worker)
            raise
        finally:
            timer.cancel()
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
        self._shared_root = store.path.parent / f".{store.path.name}.query-snapshots"
        # One folder per runner: two apps over one store in one process keep apart.
        self._root = self._shared_root / f"{os.getpid()}-{next(_RUNNER_NUMBERS)}"
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
            # This process holds the store's lock, so folders of other processes were left by a crash.
            if self._shared_root.is_dir():
                for folder in self._shared_root.iterdir():
                    if not folder.name.startswith(f"{os.getpid()}-"):
                        shutil.rmtree(folder, ignore_errors=True)
            self._root.mkdir(parents=True, exist_ok=True)
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
        with contextlib.suppress(OSError):  # other runners' folders are still there
            self._shared_root.rmdir()

    def run(self, job: QueryJob) -> QueryAnswer:
        """Run ``job`` in a worker, blocking this thread (see :meth:`QueryRunner.run`)."""
        settings = self._state.settings
        deadline = time.monotonic() + settings.query_timeout
        if not self._ready():
            self._prepare()
        worker = self._idle.take(_remaining(deadline))
        if worker is None:
            raise QueryTimeoutError(busy_message(settings), settings.query_timeout)
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
            raise QueryTimeoutError(busy_message(settings), settings.query_timeout)
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
            raise QueryTimeoutError(timeout_message(settings), settings.query_timeout)
        try:
            reply = worker.connection.recv_bytes()
        except (EOFError, OSError) as exc:
            raise self._lost(worker) from exc
        self._idle.put(worker)
        return execution.decode(reply, settings)

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
        assert self._current is not None, "start() takes the first snapshot before any worker"
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
        assert self._current is not None, "see _add_worker"
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


def _worker_context() -> ForkServerContext | SpawnContext:
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
    # No connection.poll(0) first: it builds a selector per call, which cost more of the event
    # loop's time per request than the query's own reply; a reader on a ready pipe fires at once.
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
