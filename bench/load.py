"""Cheap queries under attack (issue 18): 16 clients sending the point query to ``/sparql``,
their p50 and p99 latency alone (idle), while 2 other clients send queries that run to the
time limit (heavy), and while one client sends malformed and oversized requests in a loop
(malformed); the ratios are against the idle figures of the same round (``--rounds`` repeats
the three phases), and the idle figures are measured again at the end to show the machine's
own drift. The clients are closed-loop: a stall holds back at most 16 requests, which a p99
over thousands does not show; the maximum latency and the errors (non-200 answers) do.

One server as ``oncoclaims serve`` runs it (httptools on uvloop, an on-disk store with the
bundled graph, two query workers, ``--query-timeout`` 2 s), in its own process. Everything is
on loopback; each kind of client sends from its own loopback address (cheap 127.0.0.1, heavy
127.0.0.2 and 127.0.0.3, malformed 127.0.0.4), since the server tells clients apart by peer
address. The cheap clients are a small asyncio HTTP/1.1 client on raw keep-alive sockets (a
client library would saturate before the server does); the others run in processes of
their own. Each phase lasts ``--seconds`` after a one-second warm-up: heavy clients get
marked heavy at their first long query, and the figures are those of the steady state.

    .venv/bin/python bench/load.py --seconds 4 --rounds 3
"""

from __future__ import annotations

import os
import sys

# Run as `python bench/load.py`, this file's folder is sys.path[0], and bench/http.py would then be
# imported as the standard library's `http` package by everything below.
_HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:] = [entry for entry in sys.path if os.path.abspath(entry or os.curdir) != _HERE]

import argparse  # noqa: E402 (after the sys.path fix above)
import asyncio  # noqa: E402
import multiprocessing  # noqa: E402
import socket  # noqa: E402
import statistics  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from collections import Counter  # noqa: E402
from collections.abc import Callable  # noqa: E402
from dataclasses import dataclass  # noqa: E402
from pathlib import Path  # noqa: E402
from urllib.parse import urlencode  # noqa: E402

POINT = "SELECT ?p ?o WHERE { <https://w3id.org/oncoclaims/id/therapy/enteromix> ?p ?o }"
#: Never finishes on the bundled graph in 2 s: runs to the time limit.
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
QUERY_TIMEOUT = 2.0
CHEAP, HEAVY, MALFORMED = "127.0.0.1", ("127.0.0.2", "127.0.0.3"), "127.0.0.4"


@dataclass(frozen=True)
class Phase:
    """The cheap clients' figures in one phase."""

    name: str
    requests: int
    p50_ms: float
    p99_ms: float
    max_ms: float
    errors: int

    def line(self, idle: Phase | None) -> str:
        """One line of the report, with ratios to ``idle``."""
        ratio = f"  (p50 x{self.p50_ms / idle.p50_ms:.2f}, p99 x{self.p99_ms / idle.p99_ms:.2f})" if idle else ""
        return (f"{self.name:<28} {self.requests:>7} requests  p50 {self.p50_ms:7.2f} ms  "
                f"p99 {self.p99_ms:7.2f} ms  max {self.max_ms:7.1f} ms  {self.errors} errors{ratio}")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def serve(port: int, path: str) -> None:
    """The real application, as ``oncoclaims serve`` serves it, with a 2 s time limit."""
    import uvicorn

    from oncoclaims.api import ServerSettings, create_app
    from oncoclaims.api.serving import server_config
    from oncoclaims.graph.bootstrap import open_store

    app = create_app(open_store(path, memory=False), ServerSettings(query_timeout=QUERY_TIMEOUT))
    # error: uvicorn logs a warning per malformed request, which would fill the terminal.
    uvicorn.Server(server_config(app, "127.0.0.1", port, log_level="error")).run()


async def _read_answer(reader: asyncio.StreamReader) -> int:
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head[9:12])
    length = 0
    for line in head.split(b"\r\n"):
        if line[:15].lower() == b"content-length:":
            length = int(line[15:])
    await reader.readexactly(length)
    return status


async def _cheap_client(port: int, request: bytes, stop: float, latencies: list[float],
                        errors: list[int]) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port, local_addr=(CHEAP, 0))
    try:
        while time.perf_counter() < stop:
            began = time.perf_counter()
            writer.write(request)
            status = await _read_answer(reader)
            latencies.append(time.perf_counter() - began)
            if status != 200:
                errors.append(status)
    finally:
        writer.close()


def measure_cheap(name: str, port: int, seconds: float, clients: int) -> Phase:
    """``clients`` keep-alive connections sending the point query for ``seconds``."""
    request = (f"GET /sparql?{urlencode({'query': POINT})} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
               f"Accept: application/sparql-results+json\r\n\r\n").encode()
    latencies: list[float] = []
    errors: list[int] = []

    async def run() -> None:
        stop = time.perf_counter() + seconds
        await asyncio.gather(*(_cheap_client(port, request, stop, latencies, errors) for _ in range(clients)))

    asyncio.run(run())
    ordered = sorted(latencies)
    return Phase(name, len(ordered), ordered[len(ordered) // 2] * 1000,
                 ordered[max(0, int(len(ordered) * 0.99) - 1)] * 1000, ordered[-1] * 1000, len(errors))


def heavy_client(port: int, address: str, seconds: float, outcomes: dict[str, int]) -> None:
    """Send the slow query again and again from ``address`` for ``seconds``."""
    import httpx

    stop = time.monotonic() + seconds
    counts: Counter[str] = Counter()
    with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30,
                      transport=httpx.HTTPTransport(local_address=address)) as client:
        while time.monotonic() < stop:
            answer = client.get("/sparql", params={"query": SLOW})
            title = answer.json().get("error", {}).get("title", "") if answer.status_code != 200 else ""
            counts[f"{answer.status_code} {title}".strip()] += 1
            if answer.status_code == 503 and "retry-after" in answer.headers:
                time.sleep(0.05)  # told to come back later: a short pause, not the whole second
    outcomes.update(counts)


def _bad_requests(port: int) -> list[tuple[str, bytes, bool]]:
    """(name, bytes, cut off after sending) for each kind of bad request."""
    path = "/sparql"
    return [
        ("1 MiB header", b"GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * (1 << 20) + b"\r\n\r\n", False),
        ("10k headers", b"GET / HTTP/1.1\r\nHost: x\r\n" + b"a:1\r\n" * 10_000 + b"\r\n", False),
        ("garbage", b"\x16\x03\x01 not http at all\r\n\r\n", False),
        ("2 MiB body announced", f"POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\n"
         f"Content-Length: {2 << 20}\r\n\r\n".encode() + b"#" * 4096, False),
        ("malformed query", f"GET {path}?{urlencode({'query': 'SELECT * WHERE {'})} HTTP/1.1\r\nHost: x\r\n"
         f"Connection: close\r\n\r\n".encode(), False),
        ("gone mid-body", f"POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\n"
         f"Content-Length: 100000\r\n\r\n".encode() + b"#" * 1000, True),
    ]


def malformed_client(port: int, seconds: float, outcomes: dict[str, int]) -> None:
    """Send each kind of bad request, each on a new connection, in a loop for ``seconds``."""
    stop = time.monotonic() + seconds
    counts: Counter[str] = Counter()
    kinds = _bad_requests(port)
    while time.monotonic() < stop:
        for name, data, cut in kinds:
            with socket.socket() as sock:
                sock.bind((MALFORMED, 0))
                sock.settimeout(10)
                sock.connect(("127.0.0.1", port))
                try:
                    sock.sendall(data)
                    answer = b"" if cut else sock.recv(64)
                except OSError:  # refused and closed while still sending
                    answer = b"closed"
                counts[f"{name}: {answer[9:12].decode(errors='replace') or 'closed'}"] += 1
    outcomes.update(counts)


def _in_processes(targets: list[tuple[Callable[..., None], tuple[object, ...]]]) -> tuple[list[object], dict]:
    manager = multiprocessing.Manager()
    outcomes = manager.dict()
    processes = [multiprocessing.Process(target=target, args=(*args, outcomes)) for target, args in targets]
    for process in processes:
        process.start()
    return [processes, manager], outcomes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=8, help="length of each measured phase")
    parser.add_argument("--clients", type=int, default=16, help="cheap clients")
    parser.add_argument("--rounds", type=int, default=1, help="rounds of idle, heavy and malformed phases")
    args = parser.parse_args()
    print(f"load average before: {' '.join(f'{v:.2f}' for v in os.getloadavg())} ({os.cpu_count()} CPUs)",
          flush=True)
    with tempfile.TemporaryDirectory(prefix="oncoclaims-bench-load-") as folder:
        path = str(Path(folder) / "store")
        from oncoclaims.graph.bootstrap import open_store

        open_store(path, memory=False).close()  # create it with the bundled graph, once
        port = _free_port()
        server = multiprocessing.get_context("spawn").Process(target=serve, args=(port, path))
        server.start()
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=1).close()
                    break
                except OSError:
                    if time.monotonic() > deadline:
                        raise RuntimeError("the server did not start") from None
                    time.sleep(0.1)
            measure_cheap("warm-up", port, 1, args.clients)
            ratios: dict[str, list[float]] = {}
            for round_number in range(1, args.rounds + 1):
                if args.rounds > 1:
                    print(f"round {round_number} (load average {os.getloadavg()[0]:.2f})", flush=True)
                idle = measure_cheap("idle", port, args.seconds, args.clients)
                print(idle.line(None), flush=True)
                phases = [
                    ("2 heavy clients", [(heavy_client, (port, address, args.seconds + 1)) for address in HEAVY]),
                    ("1 malformed client", [(malformed_client, (port, args.seconds + 1))]),
                ]
                for name, targets in phases:
                    (processes, manager), outcomes = _in_processes(targets)
                    time.sleep(1)  # warm-up: the heavy clients' first queries run long and mark them heavy
                    phase = measure_cheap(name, port, args.seconds, args.clients)
                    for process in processes:
                        process.join()
                    print(phase.line(idle), flush=True)
                    print("    their answers: " + ", ".join(f"{k} x{v}" for k, v in sorted(dict(outcomes).items())),
                          flush=True)
                    manager.shutdown()
                    ratios.setdefault(name, []).append(phase.p99_ms / idle.p99_ms)
            again = measure_cheap("idle again", port, args.seconds, args.clients)
            print(again.line(idle), flush=True)
            for name, values in ratios.items():
                print(f"p99 ratio to idle, {name}: {', '.join(f'{v:.2f}' for v in values)}"
                      f" (median {statistics.median(values):.2f})")
        finally:
            server.terminate()
            server.join()
    print(f"load average after: {' '.join(f'{v:.2f}' for v in os.getloadavg())}")


if __name__ == "__main__":
    main()
