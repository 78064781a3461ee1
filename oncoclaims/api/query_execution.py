"""One ``/sparql`` query on a pyoxigraph store, serialised under a size cap: the part that runs in
a query worker process (or in-process for an in-memory store).

:func:`evaluate` takes a job as plain values (:data:`WireJob`: pyoxigraph's format objects do
not pickle) and returns one byte saying what happened followed by the payload: the serialised
result, or an error message. The serialiser writes into a :class:`CappedBuffer`, which refuses
to grow past the size limit and, when given a deadline, stops at the first chunk of output
(pyoxigraph hands over 8 KiB at a time) written after it.

:func:`serve_queries` is a worker process's whole life; :mod:`oncoclaims.api.query_runner`
starts, feeds and kills the workers.
"""

from __future__ import annotations

import os
import pickle  # noqa: S403 (messages from the server process that started this one)
import signal
import time
from multiprocessing.connection import Connection
from typing import TypeAlias

import pyoxigraph as ox

__all__ = [
    "FAILED",
    "GRAPH",
    "LATE",
    "NO_GRAPH_FORMAT",
    "NO_RESULTS_FORMAT",
    "RESULTS",
    "SYNTAX",
    "TOO_LARGE",
    "UNOPENED",
    "WORKER_NICENESS",
    "CappedBuffer",
    "WireJob",
    "evaluate",
    "serve_queries",
]

#: query, default graph IRIs, named graph IRIs, results media type, graph media type, byte limit.
WireJob: TypeAlias = tuple[str, tuple[str, ...], tuple[str, ...], str | None, str | None, int]

RESULTS = b"R"  #: a serialised SELECT or ASK result follows
GRAPH = b"G"  #: a serialised CONSTRUCT or DESCRIBE result follows
NO_RESULTS_FORMAT = b"r"  #: a SELECT or ASK result, but no accepted format for it
NO_GRAPH_FORMAT = b"g"  #: a graph result, but no accepted format for it
SYNTAX = b"S"  #: the parser's message follows
FAILED = b"F"  #: the evaluation error's message follows
TOO_LARGE = b"L"  #: the serialised result went over the byte limit
LATE = b"T"  #: the deadline passed (in-process evaluation only)
UNOPENED = b"O"  #: a worker could not open its snapshot; the message follows

#: How much nicer (lower in priority) than the server a worker runs.
WORKER_NICENESS = 5


class _Stop(Exception):  # noqa: N818 (a signal inside this module, never raised out of it)
    def __init__(self, code: bytes) -> None:
        self.code = code
        super().__init__(code)


class CappedBuffer:
    """A binary sink for pyoxigraph's serialisers that stops at ``limit`` bytes and at ``deadline``.

    >>> sink = CappedBuffer(b"R", 4, None)
    >>> sink.write(b"abcd")
    4
    >>> bytes(sink.data)
    b'Rabcd'
    """

    def __init__(self, head: bytes, limit: int, deadline: float | None) -> None:
        self.data = bytearray(head)
        self._limit = limit + len(head)
        self._deadline = deadline

    def write(self, chunk: bytes) -> int:
        """Append ``chunk``, or stop the serialiser when over the size or past the deadline."""
        if len(self.data) + len(chunk) > self._limit:
            raise _Stop(TOO_LARGE)
        self.check_time()
        self.data += chunk
        return len(chunk)

    def flush(self) -> None:
        """Nothing is buffered here."""

    def check_time(self) -> None:
        """Stop when past the deadline, if there is one."""
        if self._deadline is not None and time.monotonic() > self._deadline:
            raise _Stop(LATE)


def evaluate(store: ox.Store, job: WireJob, deadline: float | None) -> bytes:
    """Run ``job`` on ``store``: a code byte (module constants), then the result or a message."""
    query, defaults, named, results_media, graph_media, max_bytes = job
    try:
        options: dict[str, object] = {}
        if defaults:
            options["default_graph"] = [ox.NamedNode(g) for g in defaults]
        else:
            options["use_default_graph_as_union"] = True
        if named:
            options["named_graphs"] = [ox.NamedNode(g) for g in named]
        result = store.query(query, **options)  # type: ignore[arg-type]
        if isinstance(result, ox.QueryTriples):
            if graph_media is None:
                return NO_GRAPH_FORMAT
            sink = CappedBuffer(GRAPH, max_bytes, deadline)
            sink.check_time()
            result.serialize(sink, ox.RdfFormat.from_media_type(graph_media))  # type: ignore[arg-type]
        else:
            if results_media is None:
                return NO_RESULTS_FORMAT
            sink = CappedBuffer(RESULTS, max_bytes, deadline)
            sink.check_time()
            result.serialize(sink, ox.QueryResultsFormat.from_media_type(results_media))  # type: ignore[arg-type]
    except _Stop as stop:
        return stop.code
    except SyntaxError as exc:
        return SYNTAX + str(exc).encode()
    except (ValueError, OSError) as exc:
        return FAILED + str(exc).encode()
    return bytes(sink.data)


def serve_queries(connection: Connection, snapshot: str) -> None:
    """A worker's life: open ``snapshot`` read-only, then answer jobs until the pipe closes.

    Each message is ``(snapshot path, *WireJob)``; a new path (the store was written since)
    is opened before the job runs, and the old one dropped.
    """
    # Ctrl-C reaches the whole process group; the server stops its workers itself.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # Below the server's own priority: under load the event loop, which accepts requests and
    # hands out answers, is not preempted by query work.
    os.nice(WORKER_NICENESS)
    opened: tuple[str, ox.Store] | None = None
    try:
        opened = (snapshot, ox.Store.read_only(snapshot))
    except OSError:
        opened = None  # answered with UNOPENED on the first job
    while True:
        try:
            message = pickle.loads(connection.recv_bytes())  # noqa: S301 (sent by the server that started us)
        except (EOFError, OSError):
            return
        path, job = message[0], message[1:]
        if opened is None or opened[0] != path:
            opened = None  # drop the old snapshot before opening the next
            try:
                opened = (path, ox.Store.read_only(path))
            except OSError as exc:
                connection.send_bytes(UNOPENED + str(exc).encode())
                continue
        connection.send_bytes(evaluate(opened[1], job, None))
