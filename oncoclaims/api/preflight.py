"""The sandbox: a process that parses hostile SPARQL so the server never has to.

Before the server runs a client's text itself (every update, and every query on an in-memory
store, which runs in the server process), and whenever the query guard must look at a text's
parse tree (it may hold ``SERVICE`` or ``LOAD``), the text goes to one sandbox process first.
There:

1. the guard (:func:`oncoclaims.query_guard.inspect_sparql`) parses it with rdflib, in a
   thread with a 512 MiB stack and a high recursion limit, and refuses ``SERVICE`` and
   ``LOAD`` unless the server allows them;
2. pyoxigraph parses it: an update is run against an empty in-memory store, a query is
   prepared on one (a SELECT is lazy: nothing is evaluated). A ``SyntaxError`` is the client's
   400; any other error is left for the real run to report. This runs in a thread whose stack
   is half of what the server's threads get (:func:`parser_stack_bytes`; pyoxigraph's parser
   takes about 3 KiB per nesting level): a text that overflows the server's stack overflows
   the sandbox's first, so whatever passes here is safe to parse in the server.

The sandbox has no network (:func:`oncoclaims.api.network_wall.close_network`), so neither
step can reach an address even with ``--allow-service``. If a text crashes it (a parser stack
overflow that got past the nesting bound), only the sandbox dies: the request gets a 400 and
the next check starts a new one. A check that takes longer than the server's query time
limit kills the sandbox and answers 503. Checks run one at a time; answers for texts up to
:data:`CACHED_TEXT_CHARS` long are remembered (:data:`CACHE_SIZE` of them).
"""

from __future__ import annotations

import contextlib
import multiprocessing
import queue
import resource
import signal
import sys
import threading
from collections import OrderedDict
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import TYPE_CHECKING, TypeAlias

import pyoxigraph as ox

from oncoclaims.api.network_wall import close_network
from oncoclaims.query_guard import inspect_sparql
from oncoclaims.errors import QueryRefusedError, QuerySyntaxError, QueryTimeoutError

if TYPE_CHECKING:
    from multiprocessing.process import BaseProcess


__all__ = [
    "CACHED_TEXT_CHARS",
    "CACHE_SIZE",
    "PASSED",
    "REFUSED",
    "SYNTAX",
    "PreflightJob",
    "Sandbox",
    "parser_stack_bytes",
    "preflight",
    "serve_preflights",
]

#: "query" or "update", the text, its base IRI, whether SERVICE and LOAD are to be refused.
PreflightJob: TypeAlias = tuple[str, str, str | None, bool]

PASSED = b"P"
REFUSED = b"X"  #: title, a NUL, the message
SYNTAX = b"S"  #: pyoxigraph's message

#: Answers remembered (by job); only for texts up to CACHED_TEXT_CHARS characters.
CACHE_SIZE = 1024
CACHED_TEXT_CHARS = 16 * 1024
#: The sandbox's thread stack: deep enough for rdflib at the nesting bound, with room to spare.
_STACK_BYTES = 512 * 1024 * 1024
_RECURSION_LIMIT = 200_000
_REAP_SECONDS = 5.0


def parser_stack_bytes() -> int:
    """The stack of the sandbox's pyoxigraph thread: half of a thread's default stack in this
    process (``RLIMIT_STACK``, 2 MiB when unlimited), at most 4 MiB, at least 256 KiB."""
    soft, _ = resource.getrlimit(resource.RLIMIT_STACK)
    default = soft if soft != resource.RLIM_INFINITY and soft > 0 else 2 * 1024 * 1024
    return max(256 * 1024, min(4 * 1024 * 1024, default // 2))


#: Parsed against when the request's base IRI is refused (the Host header made it unusable): the
#: parse must still happen here, whatever the real run then does with that base.
_FALLBACK_BASE = "http://localhost/sparql"


def _parse(kind: str, text: str, base_iri: str | None) -> bytes:
    run = ox.Store().update if kind == "update" else ox.Store().query
    for base in (base_iri, _FALLBACK_BASE):
        try:
            run(text, base_iri=base)
        except SyntaxError as exc:
            return SYNTAX + str(exc).encode()
        except ValueError as exc:
            if base != _FALLBACK_BASE and "base" in str(exc).lower():
                continue  # the base IRI itself was refused, maybe before the text was parsed
        except Exception:  # noqa: S110 (evaluation errors, e.g. no network here: the real run reports them)
            pass
        return PASSED
    return PASSED


def preflight(job: PreflightJob, parse: Callable[[str, str, str | None], bytes] = _parse) -> bytes:
    """Check ``job`` (run in the sandbox): :data:`PASSED`, :data:`REFUSED` or :data:`SYNTAX` and a
    message. ``parse`` runs pyoxigraph's parse (in the sandbox: on the small-stack thread)."""
    kind, text, base_iri, refuse_remote = job
    update = kind == "update"
    if refuse_remote:
        try:
            verdict = inspect_sparql(text, update=update)
        except QueryRefusedError as exc:
            return REFUSED + f"{exc.title}\0{exc}".encode()
        if verdict.service or verdict.load:
            clause = "SERVICE" if verdict.service else "LOAD"
            what = "fetch the address the update names" if clause == "LOAD" else "send requests where the query says"
            title = "Federated query is off" if clause == "SERVICE" else "LOAD is off"
            return REFUSED + (f"{title}\0{clause} would make this server {what}; it is refused unless the "
                              f"server runs with --allow-service").encode()
    return parse(kind, text, base_iri)


class _SmallStackParser:
    """pyoxigraph's parse on a thread of its own with the stack of :func:`parser_stack_bytes`."""

    def __init__(self) -> None:
        self._jobs: queue.Queue[tuple[str, str, str | None]] = queue.Queue()
        self._answers: queue.Queue[bytes] = queue.Queue()
        threading.stack_size(parser_stack_bytes())
        threading.Thread(target=self._serve, name="oncoclaims-preflight-parser", daemon=True).start()

    def _serve(self) -> None:
        while True:
            self._answers.put(_parse(*self._jobs.get()))

    def __call__(self, kind: str, text: str, base_iri: str | None) -> bytes:
        self._jobs.put((kind, text, base_iri))
        return self._answers.get()


def _answer_jobs(connection: Connection, parse: _SmallStackParser) -> None:
    while True:
        try:
            job = connection.recv()
        except (EOFError, OSError):
            return
        connection.send_bytes(preflight(job, parse))


def serve_preflights(connection: Connection) -> None:
    """The sandbox's life: close the network, then check jobs from the pipe until it closes."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    close_network()
    sys.setrecursionlimit(_RECURSION_LIMIT)
    parse = _SmallStackParser()
    threading.stack_size(_STACK_BYTES)  # for rdflib's recursion
    worker = threading.Thread(target=_answer_jobs, args=(connection, parse), name="oncoclaims-preflight")
    worker.start()
    worker.join()


def _context() -> multiprocessing.context.BaseContext:
    """The query workers' start method, with the same preloads and this module's.

    There is one forkserver per process, and its preloads are those of whoever starts it first:
    if the sandbox started it without the query workers' module, every worker would import
    pyoxigraph anew on start (seconds under load).
    """
    if "forkserver" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["oncoclaims.api.query_execution", __name__])
        return context
    return multiprocessing.get_context("spawn")


class Sandbox:
    """The server's end of the sandbox process (started on first use, replaced when it dies)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._process: BaseProcess | None = None
        self._connection: Connection | None = None
        self._context = _context()
        self._answers: OrderedDict[PreflightJob, bytes] = OrderedDict()

    @property
    def pid(self) -> int | None:
        """The sandbox process's id, while one runs."""
        return self._process.pid if self._process is not None else None

    def start(self) -> None:
        """Start the sandbox process now rather than on the first check (about 1 s: rdflib's import)."""
        with self._lock:
            if self._connection is None:
                self._start()
            assert self._connection is not None
            # holds the word, so rdflib's SPARQL parser is imported now, not on a client's first query
            try:
                self._connection.send(("query", "ASK { ?service ?p ?o }", None, True))
                self._connection.recv_bytes()
            except (EOFError, OSError):
                self._stop()  # the first check starts another

    def check(self, job: PreflightJob, timeout: float) -> None:
        """Check ``job`` in the sandbox, waiting up to ``timeout`` seconds (blocks this thread).

        :raises QueryRefusedError: SERVICE or LOAD refused, an unparseable text that may hold
            them, or a text that crashed the parser.
        :raises QuerySyntaxError: when pyoxigraph cannot parse the text.
        :raises QueryTimeoutError: when the check did not end within ``timeout``.
        """
        with self._lock:
            answer = self._answers.get(job)
            if answer is None:
                answer = self._ask(job, timeout)
                if len(job[1]) <= CACHED_TEXT_CHARS:
                    self._answers[job] = answer
                    if len(self._answers) > CACHE_SIZE:
                        self._answers.popitem(last=False)
            else:
                self._answers.move_to_end(job)
        code, payload = answer[:1], answer[1:].decode("utf-8", errors="replace")
        if code == REFUSED:
            title, _, message = payload.partition("\0")
            raise QueryRefusedError(title, message)
        if code == SYNTAX:
            raise QuerySyntaxError(payload)

    def _ask(self, job: PreflightJob, timeout: float) -> bytes:
        if self._connection is None:
            self._start()
        assert self._connection is not None and self._process is not None
        try:
            self._connection.send(job)
            if not self._connection.poll(timeout):
                self._stop()
                raise QueryTimeoutError(
                    f"checking the {job[0]} took longer than the server's time limit of {timeout:g} s; it was "
                    f"not run. Simplify it, or start the server with a longer limit: oncoclaims serve "
                    f"--query-timeout SECONDS", timeout)
            return self._connection.recv_bytes()
        except (EOFError, OSError) as exc:
            process = self._process
            self._stop()
            raise QueryRefusedError(
                f"{job[0].capitalize()} could not be parsed safely",
                f"the SPARQL parser crashed on this {job[0]} (exit code {process.exitcode}), so it was "
                f"refused and not run. Deep nesting is the usual cause: flatten the {job[0]}") from exc

    def _start(self) -> None:
        parent, child = self._context.Pipe()
        process = self._context.Process(target=serve_preflights, args=(child,), name="oncoclaims-sandbox",
                                        daemon=True)
        try:
            process.start()
        except ChildProcessError:  # forked from a process that started the forkserver (see worker_pool)
            self._context = multiprocessing.get_context("spawn")
            process = self._context.Process(target=serve_preflights, args=(child,), name="oncoclaims-sandbox",
                                            daemon=True)
            process.start()
        child.close()
        self._process, self._connection = process, parent

    def _stop(self) -> None:
        process, connection = self._process, self._connection
        self._process = self._connection = None
        if process is not None:
            with contextlib.suppress(OSError, ValueError):
                process.kill()
                process.join(_REAP_SECONDS)
        if connection is not None:
            connection.close()

    def close(self) -> None:
        """Stop the sandbox process (a later check starts a new one)."""
        with self._lock:
            self._stop()

