"""Who gets a query worker when some queries are expensive: the policy, apart from the pool's
mechanics (:mod:`oncoclaims.api.worker_pool`).

The problem (issue 18): with two workers, two clients sending queries that run to the time
limit hold both, and every other query waits the whole limit for a 503. The cost of a query is
unknown until it runs, so the pool tells cheap from expensive by running time:

- A query still running after :data:`LONG_QUERY_SECONDS` whose worker then spends
  :data:`LONG_QUERY_CPU_SECONDS` of CPU time on it (read from ``/proc``; where there is no
  ``/proc``, running time alone decides) is *long*: a cheap query on a machine too busy to
  run it promptly uses little CPU, and is not mistaken for an expensive one. Its worker leaves the
  pool: it gets the lowest CPU priority (Linux's ``SCHED_IDLE`` and niceness :data:`LONG_QUERY_NICENESS`), the queries
  batched behind it go back to wait for another worker, a new worker takes its place at once,
  and the long one is stopped when its query ends (answered, or past the time limit).
  So a long query holds one of the pool's ``--query-workers`` workers for a fraction of a
  second only.
- Its client (by peer address) is *heavy* for :data:`HEAVY_CLIENT_SECONDS` after its last
  long query: each of its queries is long from the start, on a worker started for it
  (lowest priority, not batched with others, stopped after the query), so it takes nothing
  from the pool; the process start (milliseconds, more on a loaded machine) is the heavy
  client's wait, not the others'.
- At most ``--query-workers`` queries are long at once (the *long lane*). A query that
  turns long, or comes from a heavy client, while the lane is full is refused at once with
  503 and ``Retry-After`` (:class:`~oncoclaims.errors.ServerBusyError`): its worker is
  replaced, the others go on.
- At most :data:`MAX_WAITING_QUERIES` queries wait for a worker; the next one is refused at
  once (503, ``Retry-After``) instead of waiting up to the time limit for a 503 anyway.

Behind a reverse proxy every client has the proxy's address, so one heavy client makes them
all heavy: their queries then all run in the long lane, at most ``--query-workers`` at once.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable

__all__ = [
    "HEAVY_CLIENT_SECONDS",
    "LONG_QUERY_CPU_SECONDS",
    "LONG_QUERY_NICENESS",
    "LONG_QUERY_SECONDS",
    "MAX_WAITING_QUERIES",
    "RETRY_AFTER_SECONDS",
    "HeavyClients",
    "LongLane",
    "long_lane_full_message",
    "process_cpu_seconds",
    "queue_full_message",
]

#: Seconds a query runs before its worker's CPU time is watched.
LONG_QUERY_SECONDS = 0.1
#: CPU seconds the worker spends on it from then on that make the query long (checked every
#: :data:`LONG_QUERY_SECONDS` / 2).
LONG_QUERY_CPU_SECONDS = 0.05
#: Seconds a client stays heavy after its last long query.
HEAVY_CLIENT_SECONDS = 60.0
#: Niceness a long query's worker runs at (the lowest CPU priority).
LONG_QUERY_NICENESS = 19
#: Queries that may wait for a worker at once; more are refused with 503 straight away.
MAX_WAITING_QUERIES = 256
#: What a refused client is told to wait before trying again (``Retry-After``).
RETRY_AFTER_SECONDS = 1


_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def process_cpu_seconds(pid: int | None) -> float | None:
    """CPU time (user and system) process ``pid`` has used, from ``/proc``; ``None`` where it
    cannot be read (no ``/proc``, the process gone)."""
    if pid is None:
        return None
    try:
        with open(f"/proc/{pid}/stat", "rb") as stat:
            fields = stat.read().rpartition(b")")[2].split()
    except OSError:
        return None
    # After the command name: state is field 3, utime and stime are fields 14 and 15.
    return (int(fields[11]) + int(fields[12])) / _TICKS


class HeavyClients:
    """Clients (peer addresses) whose queries ran long lately; safe to use from any thread."""

    def __init__(self, seconds: float = HEAVY_CLIENT_SECONDS,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._seconds = seconds
        self._clock = clock
        self._until: dict[str, float] = {}
        self._lock = threading.Lock()

    def mark(self, client: str | None) -> None:
        """``client`` ran a long query just now (``None``, an unknown client: nothing to mark)."""
        if client is None:
            return
        now = self._clock()
        with self._lock:
            self._until[client] = now + self._seconds
            if len(self._until) > 4096:  # forget the expired ones now and then
                self._until = {c: t for c, t in self._until.items() if t > now}

    def __contains__(self, client: object) -> bool:
        if not isinstance(client, str):
            return False
        with self._lock:
            until = self._until.get(client)
        return until is not None and until > self._clock()


class LongLane:
    """How many queries run long at once, up to ``size``; safe to use from any thread."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._running = 0
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return self._running

    def enter(self) -> bool:
        """Take a place for one more long query; ``False`` when the lane is full."""
        with self._lock:
            if self._running >= self.size:
                return False
            self._running += 1
            return True

    def leave(self) -> None:
        """Give back the place of a long query that ended."""
        with self._lock:
            self._running = max(0, self._running - 1)


def queue_full_message(waiting: int) -> str:
    """What a client is told when too many queries wait for a worker already."""
    return (f"the server is busy: {waiting} queries are waiting for a query worker already. "
            f"Try again in {RETRY_AFTER_SECONDS} s")


def long_lane_full_message(size: int) -> str:
    """What a client is told when its query ran long (or its client is heavy) and the long lane is full."""
    return (f"the server already runs {size} long queries, its limit (a query is long past "
            f"{LONG_QUERY_SECONDS:g} s and {LONG_QUERY_CPU_SECONDS:g} s of CPU time); "
            f"this one was refused. Try again in a while, narrow the query, or start the server with more "
            f"workers: oncoclaims serve --query-workers N (or $ONCOCLAIMS_QUERY_WORKERS)")
