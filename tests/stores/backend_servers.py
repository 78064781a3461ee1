"""Real SPARQL servers for the backend tests: an Oxigraph server and a Virtuoso, each on free
loopback ports with a fresh database in a temporary folder, stopped by PID.

``oxigraph`` comes from the ``oxigraph`` wheel (the ``test`` extra, pinned to pyoxigraph's
version); ``virtuoso-t`` from Debian's ``virtuoso-opensource-7-bin`` (``make virtuoso``).
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from oncoclaims.backends import SparqlBackend, SparqlEndpoints
from oncoclaims.backends.virtuoso_loader import VirtuosoLoader

__all__ = [
    "VIRTUOSO_USER",
    "Server",
    "free_port",
    "oxigraph_backend",
    "oxigraph_binary",
    "run_oxigraph",
    "run_virtuoso",
    "virtuoso_backend",
    "virtuoso_binary",
    "virtuoso_loader",
]

VIRTUOSO_INI = Path(__file__).with_name("virtuoso.ini")
#: Virtuoso's administrator account in a fresh database (its documented default).
VIRTUOSO_USER = ("dba", "dba")


@dataclass
class Server:
    """A running server: its base URL, process and data folder."""

    base: str
    process: subprocess.Popen[bytes]
    folder: Path
    #: Virtuoso's SQL port (for ``isql`` and its bulk loader).
    sql_port: int | None = None

    def stop(self) -> None:
        """Stop the process by its PID (and wait for it)."""
        if self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def oxigraph_binary() -> str | None:
    """The ``oxigraph`` program beside this Python, or on the PATH."""
    beside = Path(sys.executable).with_name("oxigraph")
    return str(beside) if beside.exists() else shutil.which("oxigraph")


def virtuoso_binary() -> str | None:
    """Debian's ``virtuoso-t``, if installed."""
    return shutil.which("virtuoso-t")


def _wait(url: str, process: subprocess.Popen[bytes], log: Path, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(
                f"the server ended at start: {log.read_text(errors='replace')[-2000:]}"
            )
        try:
            if httpx.get(url, timeout=2).status_code < 500:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"the server at {url} did not answer within {seconds} s")


@contextmanager
def run_oxigraph(folder: Path, *, timeout_s: int | None = None) -> Iterator[Server]:
    """``oxigraph serve`` on a free loopback port, storing in ``folder``."""
    binary = oxigraph_binary()
    assert binary is not None
    port = free_port()
    log = folder / "oxigraph.log"
    args = [binary, "serve", "--location", str(folder / "data"), "--bind", f"127.0.0.1:{port}"]
    if timeout_s is not None:
        args += ["--timeout-s", str(timeout_s)]
    with log.open("wb") as out:
        process = subprocess.Popen(args, stdout=out, stderr=subprocess.STDOUT)  # noqa: S603
    server = Server(f"http://127.0.0.1:{port}", process, folder)
    try:
        _wait(f"{server.base}/query?query=ASK%7B%7D", process, log)
        yield server
    finally:
        server.stop()


@contextmanager
def run_virtuoso(
    folder: Path,
    *,
    max_rows: int = 10_000,
    buffers: int = 20_000,
    dirs: tuple[Path, ...] = (),
    max_seconds: int = 60,
) -> Iterator[Server]:
    """``virtuoso-t`` in the foreground with this folder's ``virtuoso.ini`` filled in:
    ``buffers`` pages of 8 KiB in memory (three quarters of them may be dirty), and the
    server may read files in ``folder`` and ``dirs`` (its bulk loader); a query may run
    ``max_seconds`` (``MaxQueryExecutionTime``)."""
    binary = virtuoso_binary()
    assert binary is not None
    http_port, sql_port = free_port(), free_port()
    ini = VIRTUOSO_INI.read_text(encoding="utf-8")
    for key, value in {
        "dir": str(folder),
        "http_port": str(http_port),
        "sql_port": str(sql_port),
        "max_rows": str(max_rows),
        "buffers": str(buffers),
        "dirty_buffers": str(buffers * 3 // 4),
        "dirs": ", ".join(str(d) for d in (folder, *dirs)),
        "max_seconds": str(max_seconds),
    }.items():
        ini = ini.replace("{" + key + "}", value)
    (folder / "virtuoso.ini").write_text(ini, encoding="utf-8")
    log = folder / "stdout.log"
    with log.open("wb") as out:
        process = subprocess.Popen(  # noqa: S603
            [binary, "+foreground", "+configfile", str(folder / "virtuoso.ini")],
            cwd=folder,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    server = Server(f"http://127.0.0.1:{http_port}", process, folder, sql_port)
    try:
        _wait(f"{server.base}/sparql?query=ASK%7B%7D", process, log)
        yield server
    finally:
        server.stop()


def oxigraph_backend(server: Server, **options: object) -> SparqlBackend:
    """A backend on the Oxigraph server."""
    return SparqlBackend(SparqlEndpoints.oxigraph(server.base), **options)  # type: ignore[arg-type]


def virtuoso_loader(server: Server, folder: Path | None = None) -> VirtuosoLoader:
    """Virtuoso's bulk loader on this server, writing its files in ``folder`` (default: the
    server's own folder, which it may read)."""
    assert server.sql_port is not None
    return VirtuosoLoader(f"127.0.0.1:{server.sql_port}", *VIRTUOSO_USER, folder or server.folder)


def virtuoso_backend(server: Server, **options: object) -> SparqlBackend:
    """A backend on Virtuoso, writing with digest authentication on /sparql-auth (and with
    its bulk loader if ``loader=`` is given)."""
    options.setdefault("auth", httpx.DigestAuth(*VIRTUOSO_USER))
    return SparqlBackend(SparqlEndpoints.virtuoso(server.base), **options)  # type: ignore[arg-type]
