"""One ``/sparql`` query on a pyoxigraph store, serialised under a size cap: the part that runs in
a query worker process (or in-process for an in-memory store), and the reading of its answer.

A :class:`QueryJob` travels to a worker as plain values (:data:`WireJob`: pyoxigraph's format
objects do not pickle). :func:`evaluate` runs it and returns one byte saying what happened
followed by the payload, the serialised result or an error message; :func:`decode` turns that
into a :class:`QueryAnswer` or a project error. The serialiser writes into a
:class:`CappedBuffer`, which refuses to grow past the size limit and, when given a deadline,
stops at the first chunk of output (pyoxigraph hands over 8 KiB at a time) written after it.

:func:`serve_queries` is a worker process's whole life; :mod:`oncoclaims.api.worker_pool`
starts, feeds and kills the workers.
"""

from __future__ import annotations

import os
import pickle  # only messages from the server process that started this one
import signal
import time
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import TYPE_CHECKING, Protocol, TypeAlias

import pyoxigraph as ox

from oncoclaims.api.network_wall import close_network
from oncoclaims.errors import (
    QueryError,
    QuerySyntaxError,
    QueryTimeoutError,
    ResultTooLargeError,
    StoreError,
)

if TYPE_CHECKING:
    from oncoclaims.api.settings import ServerSettings

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
    "DatasetQueries",
    "QueryAnswer",
    "QueryJob",
    "WireJob",
    "answer_on_backend",
    "busy_message",
    "decode",
    "evaluate",
    "serve_queries",
    "timeout_message",
    "too_large_message",
    "with_base",
]

#: query, default graph IRIs, named graph IRIs, results media type, graph media type, byte limit.
WireJob: TypeAlias = tuple[str, tuple[str, ...], tuple[str, ...], str | None, str | None, int, str | None]

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


@dataclass(frozen=True, slots=True)
class QueryJob:
    """One query, its dataset and the result formats the client accepts (``None``: none)."""

    query: str
    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()
    results_format: ox.QueryResultsFormat | None = ox.QueryResultsFormat.JSON
    graph_format: ox.RdfFormat | None = ox.RdfFormat.N_TRIPLES
    #: the IRI relative IRIs in the query resolve against (the endpoint's URL)
    base_iri: str | None = None

    def to_wire(self, max_bytes: int) -> WireJob:
        """The job as plain values for a pipe, with the byte limit."""
        return (self.query, self.default_graphs, self.named_graphs,
                self.results_format.media_type if self.results_format else None,
                self.graph_format.media_type if self.graph_format else None, max_bytes, self.base_iri)


@dataclass(frozen=True, slots=True)
class QueryAnswer:
    """A serialised result; ``body`` is ``None`` when no accepted format fits its kind."""

    is_graph: bool
    body: bytes | None


class _Stop(Exception):
    """Raised through pyoxigraph's serialiser to stop it; caught in :func:`evaluate`."""

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
    query, defaults, named, results_media, graph_media, max_bytes, base_iri = job
    try:
        options: dict[str, object] = {"base_iri": base_iri}
        if defaults or named:
            # The protocol's dataset is exactly the graphs it names (SPARQL 1.1 Protocol 2.1.4): no
            # named graphs when only default-graph-uri is given, an empty default graph when only
            # named-graph-uri is, as on the Oxigraph server.
            options["default_graph"] = [ox.NamedNode(g) for g in defaults]
            options["named_graphs"] = [ox.NamedNode(g) for g in named]
        else:
            options["use_default_graph_as_union"] = True
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


class DatasetQueries(Protocol):
    """A backend that runs a query of any form with the SPARQL Protocol's dataset
    (:meth:`oncoclaims.backends.SparqlBackend.query_any`)."""

    def query_any(self, query: str, *, union: bool = False, default_graphs: tuple[str, ...] = (),
                  named_graphs: tuple[str, ...] = ()) -> ox.QuerySolutions | ox.QueryBoolean | list[ox.Triple]:
        """SELECT solutions, an ASK boolean, or CONSTRUCT / DESCRIBE triples."""
        ...


def with_base(text: str, base_iri: str | None) -> str:
    r"""``text`` with ``BASE <base_iri>`` in front, so that a server resolves its relative IRIs
    against the endpoint's URL as pyoxigraph's ``base_iri`` does. The IRI is checked and
    written by pyoxigraph; a ``BASE`` of the text itself comes later and wins.

    >>> with_base("ASK { <a> ?p ?o }", "http://h/sparql")
    'BASE <http://h/sparql>\nASK { <a> ?p ?o }'
    """
    if not base_iri:
        return text
    return f"BASE {ox.NamedNode(base_iri)}\n{text}"


def answer_on_backend(backend: DatasetQueries, job: QueryJob, settings: ServerSettings,
                      deadline: float | None) -> QueryAnswer:
    """Run ``job`` on a SPARQL server through ``backend`` and serialise the answer in the
    client's format, under the size limit (the server's answer is read as JSON or N-Triples,
    then written by pyoxigraph, as the embedded store's is). Without dataset parameters the
    default graph is the union of the named graphs, as on the embedded store.

    :raises ResultTooLargeError: when the serialised result is over ``settings.max_result_bytes``.
    :raises QueryTimeoutError: past ``deadline`` or the backend's own time limit.
    :raises QuerySyntaxError: when the server refused the query (HTTP 400).
    :raises StoreError: when the server cannot be reached or failed
        (:class:`~oncoclaims.backends.BackendUnavailableError` for the first).
    """
    text = with_base(job.query, job.base_iri)
    union = not (job.default_graphs or job.named_graphs)
    result = backend.query_any(text, union=union, default_graphs=job.default_graphs,
                               named_graphs=job.named_graphs)
    try:
        if isinstance(result, list):
            if job.graph_format is None:
                return QueryAnswer(is_graph=True, body=None)
            sink = CappedBuffer(b"", settings.max_result_bytes, deadline)
            sink.check_time()
            ox.serialize(result, sink, job.graph_format)  # type: ignore[arg-type]
            return QueryAnswer(is_graph=True, body=bytes(sink.data))
        if job.results_format is None:
            return QueryAnswer(is_graph=False, body=None)
        sink = CappedBuffer(b"", settings.max_result_bytes, deadline)
        sink.check_time()
        result.serialize(sink, job.results_format)  # type: ignore[arg-type]
        return QueryAnswer(is_graph=False, body=bytes(sink.data))
    except _Stop as stop:
        if stop.code == TOO_LARGE:
            raise ResultTooLargeError(too_large_message(settings), settings.max_result_bytes) from None
        raise QueryTimeoutError(timeout_message(settings), settings.query_timeout) from None


def serve_queries(connection: Connection, snapshot: str, allow_network: bool = False) -> None:
    """A worker's life: close the network unless ``allow_network`` (``--allow-service``), open
    ``snapshot`` read-only, then answer jobs until the pipe closes.

    Each message is ``(snapshot path, [WireJob, ...])``, answered with one reply per job, in
    order; a new path (the store was written since) is opened before the jobs run, and the old
    one dropped.
    """
    # Ctrl-C reaches the whole process group; the server stops its workers itself.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if not allow_network:  # the second wall against SERVICE (api/network_wall.py)
        close_network()
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
        path, jobs = message
        if opened is None or opened[0] != path:
            opened = None  # drop the old snapshot before opening the next
            try:
                opened = (path, ox.Store.read_only(path))
            except OSError as exc:
                for _ in jobs:
                    connection.send_bytes(UNOPENED + str(exc).encode())
                continue
        for job in jobs:  # one reply per job, each as soon as it is ready
            connection.send_bytes(evaluate(opened[1], job, None))


def decode(reply: bytes, settings: ServerSettings) -> QueryAnswer:
    """The answer :func:`evaluate` encoded in ``reply``, or the project error it reports.

    :raises QuerySyntaxError: when the query did not parse.
    :raises ResultTooLargeError: when the result went over ``settings.max_result_bytes``.
    :raises QueryTimeoutError: when the deadline passed during in-process evaluation.
    :raises StoreError: when a worker could not open its snapshot.
    :raises QueryError: when the query could not be evaluated.
    """
    code, payload = reply[:1], reply[1:]
    if code in (RESULTS, GRAPH):
        return QueryAnswer(is_graph=code == GRAPH, body=payload)
    if code in (NO_RESULTS_FORMAT, NO_GRAPH_FORMAT):
        return QueryAnswer(is_graph=code == NO_GRAPH_FORMAT, body=None)
    text = payload.decode("utf-8", errors="replace")
    if code == SYNTAX:
        raise QuerySyntaxError(text)
    if code == TOO_LARGE:
        raise ResultTooLargeError(too_large_message(settings), settings.max_result_bytes)
    if code == LATE:
        raise QueryTimeoutError(timeout_message(settings), settings.query_timeout)
    if code == UNOPENED:
        raise StoreError(f"a query worker could not open the store snapshot: {text}")
    raise QueryError(text)


def timeout_message(settings: ServerSettings) -> str:
    """What a client is told when its query ran past the time limit."""
    return (f"the query ran past the server's time limit of {settings.query_timeout:g} s and was stopped. "
            f"Narrow it (a LIMIT, more bound terms), or start the server with a longer limit: "
            f"oncoclaims serve --query-timeout SECONDS (or $ONCOCLAIMS_QUERY_TIMEOUT)")


def busy_message(settings: ServerSettings) -> str:
    """What a client is told when no worker became free before its deadline."""
    return (f"no query worker became free within the server's time limit of {settings.query_timeout:g} s: "
            f"all {settings.query_workers} were busy with other queries. Try again shortly, or start the "
            f"server with more: oncoclaims serve --query-workers N (or $ONCOCLAIMS_QUERY_WORKERS)")


def too_large_message(settings: ServerSettings) -> str:
    """What a client is told when its result is over the size limit."""
    limit = settings.max_result_bytes
    return (f"the result is larger than the server's limit of {limit} bytes ({limit / 1024 / 1024:.3g} MiB) "
            f"and was not sent. Ask for less (a LIMIT, fewer variables), or start the server with a higher "
            f"limit: oncoclaims serve --max-result-bytes N (or $ONCOCLAIMS_MAX_RESULT_BYTES)")
