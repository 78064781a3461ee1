"""The pool of query worker processes behind ``/sparql`` on an on-disk store.

The design and its reasons are in :mod:`oncoclaims.api.query_runner`; here is the mechanics:
starting workers on a RocksDB checkpoint of the store, handing idle ones to waiting requests
(threads or coroutines) in arrival order, sending a job down a worker's pipe and waiting for
the answer until the deadline, and killing and replacing a worker that runs past it; and
admission (:mod:`oncoclaims.api.admission`): a bounded wait, and long queries moved out of the
pool onto workers of their own at the lowest CPU priority.
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
from oncoclaims.api.admission import (
    LONG_QUERY_CPU_SECONDS,
    LONG_QUERY_NICENESS,
    LONG_QUERY_SECONDS,
    MAX_WAITING_QUERIES,
    RETRY_AFTER_SECONDS,
    HeavyClients,
    LongLane,
    long_lane_full_message,
    process_cpu_seconds,
    queue_full_message,
)
from oncoclaims.api.query_execution import QueryAnswer, QueryJob, busy_message, timeout_message
from oncoclaims.errors import QueryTimeoutError, ServerBusyError, StoreError

if TYPE_CHECKING:
    from multiprocessing.context import ForkServerContext, SpawnContext
    from multiprocessing.process import BaseProcess

    from oncoclaims.api.settings import RunnerContext, ServerSettings
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
class _Ticket:
    """One query of a coroutine; its reply arrives on ``reply`` (``None``: run it elsewhere)."""

    job: QueryJob
    deadline: float
    loop: asyncio.AbstractEventLoop
    reply: asyncio.Future[bytes | None]
    #: The peer address of the request (``None``: unknown).
    client: str | None = None


@dataclass(eq=False, slots=True)
class _Waiter:
    notify: Callable[[], None]
    worker: _Worker | None = None
    ticket: _Ticket | None = None
    adopted: bool = False


#: What :meth:`_IdleWorkers.take_async` returns to a waiter whose query joined another's batch.
_ADOPTED = object()
#: What :meth:`_IdleWorkers.take_async` returns when :data:`MAX_WAITING_QUERIES` wait already.
_FULL = object()
#: How many queries one message to a worker may carry: the first taker's and waiting ones.
BATCH_SIZE = 4


class _IdleWorkers:
    """Idle workers, handed to waiting requests (threads or coroutines) in arrival order."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._idle: deque[_Worker] = deque()
        self._waiters: deque[_Waiter] = deque()

    def __len__(self) -> int:
        return len(self._idle)

    @property
    def waiting(self) -> int:
        """How many requests wait for a worker."""
        return len(self._waiters)

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

    async def take_async(self, timeout: float, ticket: _Ticket) -> _Worker | object | None:
        """As :meth:`take`, waiting in the event loop; or :data:`_ADOPTED` when a request that got
        a worker took ``ticket`` along (:meth:`adopt`); or :data:`_FULL`, at once, when
        :data:`MAX_WAITING_QUERIES` requests wait already."""
        loop = ticket.loop
        with self._lock:
            if self._idle:
                return self._idle.popleft()
            if len(self._waiters) >= MAX_WAITING_QUERIES:
                return _FULL
            arrived: asyncio.Future[bool] = loop.create_future()
            waiter = _Waiter(lambda: _settle_from_any_thread(loop, arrived), ticket=ticket)
            self._waiters.append(waiter)
        # A timer settling the future, not asyncio.wait_for: under load most requests wait here,
        # and wait_for wraps each wait in more machinery than the wait itself costs.
        timer = loop.call_later(timeout, _settle, arrived, False)
        try:
            await arrived
        except BaseException:  # cancelled: a worker handed over meanwhile goes to the next one
            worker = self._withdraw(waiter)
            if isinstance(worker, _Worker):
                self.put(worker)
            elif worker is _ADOPTED:  # its batch drops the reply (and stops the worker if it runs)
                ticket.reply.cancel()
            raise
        finally:
            timer.cancel()
        return self._withdraw(waiter)

    def adopt(self, loop: asyncio.AbstractEventLoop, limit: int) -> list[_Ticket]:
        """Up to ``limit`` queries of coroutines in ``loop`` waiting for a worker, in arrival order;
        they stop waiting (their replies come with the batch they join)."""
        tickets: list[_Ticket] = []
        with self._lock:
            for waiter in list(self._waiters):
                if len(tickets) == limit:
                    break
                ticket = waiter.ticket
                if ticket is not None and ticket.loop is loop and not ticket.reply.done():
                    self._waiters.remove(waiter)
                    waiter.adopted = True
                    tickets.append(waiter.ticket)
                    waiter.notify()
        return tickets

    def _withdraw(self, waiter: _Waiter) -> _Worker | object | None:
        with self._lock:
            if waiter.adopted:
                return _ADOPTED
            if waiter.worker is None:
                self._waiters.remove(waiter)
            return waiter.worker


class WorkerPoolRunner:
    """Runs queries in worker processes over checkpoints of an on-disk store (module docstring)."""

    def __init__(self, store: ClaimStore, state: RunnerContext) -> None:
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
        #: Workers that left the pool to run a long query (stopped when it ends).
        self._long_workers: set[_Worker] = set()
        self._current: tuple[int, str] | None = None
        self._snapshots = 0
        self._started = False
        self._heavy = HeavyClients()
        self._long_lane = LongLane(state.settings.query_workers)

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
    def long_queries(self) -> int:
        """How many queries run long, each on a worker of its own outside the pool."""
        return len(self._long_lane)

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
            workers, self._workers = [*self._workers, *self._long_workers], set()
            self._long_workers = set()
            self._long_lane = LongLane(self._state.settings.query_workers)
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
        self._send(worker, [job], settings)
        return self._receive(worker, settings, worker.connection.poll(_remaining(deadline)))

    async def answer(self, job: QueryJob, client: str | None = None) -> QueryAnswer:
        """Run ``job`` in a worker; the event loop watches its pipe meanwhile.

        The request that gets an idle worker sends it its own query together with up to
        :data:`BATCH_SIZE` - 1 others waiting in this loop, in one message (:class:`_Batch`):
        under load a worker then runs several queries per wake-up instead of one. ``client``
        (the peer address) decides whether the query is a heavy client's
        (:mod:`oncoclaims.api.admission`).

        :raises ServerBusyError: at once, when too many queries wait or run long.
        """
        settings = self._state.settings
        deadline = time.monotonic() + settings.query_timeout
        if not self._ready():
            await run_in_threadpool(self._prepare)  # starting workers, a checkpoint: not in the loop
        loop = asyncio.get_running_loop()
        while True:
            ticket = _Ticket(job, deadline, loop, loop.create_future(), client)
            if client in self._heavy:  # on a worker started for it: the pool's are not touched
                if not self._long_lane.enter():
                    raise ServerBusyError(long_lane_full_message(self._long_lane.size), RETRY_AFTER_SECONDS)
                try:
                    worker = await run_in_threadpool(self._start_long_worker)
                except BaseException:
                    self._long_lane.leave()
                    raise
                if worker is None:
                    self._long_lane.leave()
                    raise StoreError("the server is shutting down; the query was not run")
                _Batch(self, worker, [ticket], settings, long=True)
                reply = await ticket.reply
                if reply is not None:
                    return execution.decode(reply, settings)
                continue
            taken = await self._idle.take_async(_remaining(deadline), ticket)
            if taken is None:
                raise QueryTimeoutError(busy_message(settings), settings.query_timeout)
            if taken is _FULL:
                raise ServerBusyError(queue_full_message(self._idle.waiting), RETRY_AFTER_SECONDS)
            if isinstance(taken, _Worker):
                _Batch(self, taken, [ticket, *self._idle.adopt(loop, BATCH_SIZE - 1)], settings)
            reply = await ticket.reply
            if reply is not None:
                return execution.decode(reply, settings)
            # None: the worker was stopped before this query ran (another one's time limit)

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

    def _send(self, worker: _Worker, jobs: list[QueryJob], settings: ServerSettings) -> None:
        with self._lock:
            alive = worker in self._workers or worker in self._long_workers
            if alive and self._current is not None:
                worker.snapshot = self._current[1]
        if not alive:
            raise StoreError("the server is shutting down; the query was not run")
        try:
            wire = [job.to_wire(settings.max_result_bytes) for job in jobs]
            worker.connection.send_bytes(pickle.dumps((worker.snapshot, wire), pickle.HIGHEST_PROTOCOL))
        except OSError as exc:
            raise self._lost(worker, long=worker in self._long_workers) from exc

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

    def _lost(self, worker: _Worker, *, long: bool = False) -> StoreError:
        code = worker.process.exitcode
        if long:
            self._retire(worker)
        else:
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
        in_use = {worker.snapshot for worker in (*self._workers, *self._long_workers)} | {str(target)}
        for folder in self._root.iterdir():
            if str(folder) not in in_use:
                shutil.rmtree(folder, ignore_errors=True)

    def _add_worker(self) -> None:
        """Start one worker on the current snapshot; the caller holds the lock (at start)."""
        assert self._current is not None, "start() takes the first snapshot before any worker"
        worker = self._new_worker(self._current[1])
        self._workers.add(worker)
        self._idle.put(worker)

    def _add_worker_unlocked(self, *, long: bool = False) -> _Worker | None:
        """Start one worker without holding the lock meanwhile (the event loop takes it to send
        every query, and a process start can take a while on a busy machine): into the pool, or
        (``long``) outside it at the lowest CPU priority. ``None``: the server is stopping."""
        with self._lock:
            if not self._started or self._current is None:
                return None
            snapshot = self._current[1]  # a newer one is opened with the first query, if any
        worker = self._new_worker(snapshot)
        if long:
            _renice(worker)
        with self._lock:
            if not self._started:
                stopped = True
            else:
                stopped = False
                (self._long_workers if long else self._workers).add(worker)
        if stopped:
            _stop(worker)
            return None
        if not long:
            self._idle.put(worker)
        return worker

    def _start_long_worker(self) -> _Worker | None:
        """A worker of its own for a heavy client's query, outside the pool, at the lowest CPU
        priority (``None``: the server is stopping). Blocks while the process starts."""
        return self._add_worker_unlocked(long=True)

    def _new_worker(self, snapshot: str) -> _Worker:
        """A new worker process on ``snapshot``."""
        parent, child = self._context.Pipe()
        try:
            process = self._start_process(child, snapshot)
        except ChildProcessError:
            # This process was forked from one that had started the forkserver, and CPython's
            # forkserver client cannot tell (it waits for a server that is not its child).
            self._context = multiprocessing.get_context("spawn")
            process = self._start_process(child, snapshot)
        child.close()
        return _Worker(process, parent, snapshot)

    def _start_process(self, child: Connection, snapshot: str) -> BaseProcess:
        process = self._context.Process(target=execution.serve_queries,
                                        args=(child, snapshot, self._state.settings.allow_service),
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

    def _go_long(self, worker: _Worker) -> None:
        """``worker`` runs a long query (its place in the long lane taken): it leaves the pool,
        at the lowest CPU priority, and a new worker takes its place."""
        _renice(worker)
        with self._lock:
            if worker not in self._workers:  # the server stopped meanwhile
                return
            self._workers.discard(worker)
            self._long_workers.add(worker)
        # Starting a process takes milliseconds: not in the event loop.
        threading.Thread(target=self._succeed, name="oncoclaims-worker-starter", daemon=True).start()

    def _succeed(self) -> None:
        self._add_worker_unlocked()

    def _retire(self, worker: _Worker) -> None:
        """Stop ``worker``, which ran a long query, with no successor (it had one already);
        its place in the long lane is free again (once: a retired worker is left alone)."""
        with self._lock:
            if worker not in self._long_workers:
                return
            self._long_workers.discard(worker)
        with contextlib.suppress(OSError, ValueError):
            worker.process.kill()
        self._long_lane.leave()
        threading.Thread(target=_stop, args=(worker,), name="oncoclaims-worker-reaper", daemon=True).start()

    def _turned_long(self, client: str | None) -> bool:
        """A query of ``client`` runs long: mark the client, and take a place in the long lane
        (``False``: the lane is full)."""
        self._heavy.mark(client)
        return self._long_lane.enter()

    def _reap_and_succeed(self, worker: _Worker) -> None:
        _stop(worker)
        self._add_worker_unlocked()


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


def _renice(worker: _Worker) -> None:
    """The lowest CPU priority for ``worker``: Linux's SCHED_IDLE policy where there is one
    (the CPU only when nothing else wants it), and niceness 19 everywhere."""
    with contextlib.suppress(OSError, TypeError):  # gone already
        os.setpriority(os.PRIO_PROCESS, worker.process.pid, LONG_QUERY_NICENESS)  # type: ignore[arg-type]
    if hasattr(os, "SCHED_IDLE"):
        with contextlib.suppress(OSError, TypeError):
            os.sched_setscheduler(worker.process.pid, os.SCHED_IDLE, os.sched_param(0))  # type: ignore[arg-type]


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


class _Batch:
    """Queries sent to one worker in one message, answered one reply at a time, in order.

    The event loop reads the worker's pipe until every query has its reply, then the worker is
    idle again. Each query has its own deadline: one that passes while its query runs stops the
    worker (killed and replaced) with a 503 for that query, and the queries after it, which have
    not started, go back to wait for a worker. A reply whose request is gone is dropped.
    """

    def __init__(self, runner: WorkerPoolRunner, worker: _Worker, tickets: list[_Ticket],
                 settings: ServerSettings, *, long: bool = False) -> None:
        self._runner = runner
        self._worker = worker
        self._settings = settings
        self._tickets = deque(tickets)
        self._loop = tickets[0].loop
        #: The worker runs a long query, out of the pool (its place in the long lane taken).
        self._long = long
        self._long_timer: asyncio.TimerHandle | None = None
        self._timers = [self._loop.call_later(_remaining(t.deadline), self._expired, t)
                        for t in tickets]
        for ticket in tickets:
            ticket.reply.add_done_callback(self._maybe_abandoned)
        try:
            runner._send(worker, [t.job for t in tickets], settings)
        except StoreError as exc:  # the worker is gone already (and replaced, if it died)
            self._stop(exc, replace=False)
            if long:
                runner._retire(worker)
            return
        self._descriptor = worker.connection.fileno()
        self._loop.add_reader(self._descriptor, self._on_readable)
        self._reading = True
        self._watch_head()

    def _watch_head(self) -> None:
        """Time the query now running: past LONG_QUERY_SECONDS, watch its worker's CPU time
        (:meth:`_check_long`)."""
        if self._long_timer is not None:
            self._long_timer.cancel()
            self._long_timer = None
        if not self._long and self._tickets:
            self._long_timer = self._loop.call_later(LONG_QUERY_SECONDS, self._check_long, self._tickets[0], None)

    def _check_long(self, ticket: _Ticket, since: float | None) -> None:
        self._long_timer = None
        if ticket.reply.done() or not self._tickets or self._tickets[0] is not ticket:
            return
        used = process_cpu_seconds(self._worker.process.pid)
        if used is not None and (since is None or used - since < LONG_QUERY_CPU_SECONDS):
            self._long_timer = self._loop.call_later(LONG_QUERY_SECONDS / 2, self._check_long, ticket,
                                                     used if since is None else since)
            return
        self._ran_long(ticket)

    def _ran_long(self, ticket: _Ticket) -> None:
        """``ticket``'s query, running on this batch's worker, runs long (admission.py)."""
        if not self._runner._turned_long(ticket.client):
            ticket.reply.set_exception(ServerBusyError(long_lane_full_message(self._runner._long_lane.size),
                                                       RETRY_AFTER_SECONDS))
            self._stop(None)
            return
        self._long = True
        self._runner._go_long(self._worker)
        # The queries behind it in this batch have not started: they wait for another worker.
        behind = list(self._tickets)[1:]
        self._tickets = deque([ticket])
        for other in behind:
            if not other.reply.done():
                other.reply.set_result(None)

    def _on_readable(self) -> None:
        try:
            reply = self._worker.connection.recv_bytes()
        except (EOFError, OSError) as exc:
            self._stop(self._runner._lost(self._worker, long=self._long), replace=False, cause=exc)
            return
        ticket = self._tickets.popleft()
        if not ticket.reply.done():
            ticket.reply.set_result(reply)
        if not self._tickets or self._long:
            self._close_reader()
            self._cancel_timers()
            if self._long:  # queries it had been sent behind the long one were taken back
                self._tickets.clear()
                self._runner._retire(self._worker)
            else:
                self._runner._idle.put(self._worker)
        else:
            self._watch_head()

    def _expired(self, ticket: _Ticket) -> None:
        if ticket.reply.done() or ticket not in self._tickets:
            return
        if ticket is self._tickets[0]:  # running: stop the worker
            ticket.reply.set_exception(QueryTimeoutError(timeout_message(self._settings),
                                                         self._settings.query_timeout))
            self._stop(None)
        else:  # still behind another query that has not reached its own deadline
            ticket.reply.set_exception(QueryTimeoutError(busy_message(self._settings),
                                                         self._settings.query_timeout))

    def _maybe_abandoned(self, reply: asyncio.Future[bytes | None]) -> None:
        # A request cancelled (the server stopping) while its query runs stops that worker.
        if reply.cancelled() and self._tickets and self._tickets[0].reply is reply:
            self._stop(None)

    def _stop(self, error: BaseException | None, *, replace: bool = True,
              cause: BaseException | None = None) -> None:
        """Give up on the worker: the running query gets ``error``, the others run elsewhere."""
        self._close_reader()
        self._cancel_timers()
        if replace:
            if self._long:
                self._runner._retire(self._worker)
            else:
                self._runner._replace(self._worker)
        tickets, self._tickets = list(self._tickets), deque()
        for index, ticket in enumerate(tickets):
            if ticket.reply.done():
                continue
            if index == 0 and error is not None:
                if cause is not None:
                    error.__cause__ = cause
                ticket.reply.set_exception(error)
            else:
                ticket.reply.set_result(None)

    def _cancel_timers(self) -> None:
        for timer in self._timers:
            timer.cancel()
        if self._long_timer is not None:
            self._long_timer.cancel()
            self._long_timer = None

    def _close_reader(self) -> None:
        if getattr(self, "_reading", False):
            self._reading = False
            self._loop.remove_reader(self._descriptor)
