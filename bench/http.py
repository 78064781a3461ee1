"""HTTP throughput: a point query through the real ``/sparql`` route and a claim report
through ``/claims/{id}``, on one uvicorn worker, next to bare FastAPI routes running the
same pyoxigraph point query and the same query in-process. Loopback load comes from ``wrk``
(Debian package ``wrk``) when it is installed, else from httpx (much slower: a Python client
saturates before the server does).

Every server runs as ``oncoclaims serve`` runs one (:func:`oncoclaims.api.serving.server_config`:
httptools on uvloop, no access log), in its own process, over an on-disk store with the
bundled graph, so ``/sparql`` runs with its time and size limits in worker processes
(``oncoclaims.api.query_runner``); ``--memory`` serves an in-memory store instead (queries
then run in a thread of the server). The bare routes are the reference: ``bare-thread`` is a
plain ``def`` handler (FastAPI runs it in its thread pool), ``bare-loop`` an ``async def`` one
that runs the query in the event loop itself, with no limit at all. The machine's load
average is printed before and after; the ratios only mean something within one run.

    .venv/bin/python bench/http.py --seconds 10 --connections 16 --rounds 3
"""

from __future__ import annotations

import os
import sys

# Run as `python bench/http.py`, this file's folder is sys.path[0], and this file would then be
# imported as the standard library's `http` package by everything below (httpx, uvicorn, ...).
_HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:] = [entry for entry in sys.path if os.path.abspath(entry or os.curdir) != _HERE]

import argparse  # noqa: E402 (after the sys.path fix above)
import asyncio  # noqa: E402
import multiprocessing  # noqa: E402
import re  # noqa: E402
import shutil  # noqa: E402
import socket  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable  # noqa: E402
from dataclasses import dataclass  # noqa: E402
from pathlib import Path  # noqa: E402
from urllib.parse import urlencode  # noqa: E402

POINT = "SELECT ?p ?o WHERE { <https://w3id.org/oncoclaims/id/therapy/enteromix> ?p ?o }"
CLAIM_ID = "enteromix-enteromix-is-totally-100-perce-df88103e2ae65e19"


@dataclass(frozen=True)
class Figure:
    """One measurement: requests (or queries) per second and latency percentiles in ms."""

    name: str
    rate: float
    p50_ms: float
    p99_ms: float
    errors: int = 0

    def line(self) -> str:
        """The figure as one line of the report."""
        errors = f", {self.errors} errors" if self.errors else ""
        return f"{self.name:<34} {self.rate:>9,.0f}/s  p50 {self.p50_ms:7.2f} ms  p99 {self.p99_ms:7.2f} ms{errors}"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _store(path: str | None):
    from oncoclaims.graph.bootstrap import open_store

    return open_store(path, memory=path is None)


def _run(app, port: int) -> None:
    import uvicorn

    from oncoclaims.api.serving import server_config

    uvicorn.Server(server_config(app, "127.0.0.1", port, log_level="warning")).run()


def serve_oncoclaims(port: int, path: str | None) -> None:
    """The real application, as ``oncoclaims serve`` serves it."""
    from oncoclaims.api import create_app

    _run(create_app(_store(path)), port)


def _bare_app(path: str | None, in_loop: bool):
    import pyoxigraph as ox
    from fastapi import FastAPI, Response

    store = _store(path).inner
    app = FastAPI()

    def point(query: str) -> Response:
        result = store.query(query, use_default_graph_as_union=True)
        body = result.serialize(format=ox.QueryResultsFormat.JSON)
        return Response(body, media_type="application/sparql-results+json")

    async def point_in_loop(query: str) -> Response:
        return point(query)

    app.add_api_route("/sparql", point_in_loop if in_loop else point, methods=["GET"])
    return app


def serve_bare_thread(port: int, path: str | None) -> None:
    """A bare FastAPI route with a ``def`` handler: the query runs in FastAPI's thread pool."""
    _run(_bare_app(path, in_loop=False), port)


def serve_bare_loop(port: int, path: str | None) -> None:
    """A bare FastAPI route with an ``async def`` handler: the query runs in the event loop."""
    _run(_bare_app(path, in_loop=True), port)


def _percentiles(latencies: list[float]) -> tuple[float, float]:
    ordered = sorted(latencies)
    return ordered[len(ordered) // 2] * 1000, ordered[max(0, int(len(ordered) * 0.99) - 1)] * 1000


def _timed(name: str, run: Callable[[], object], seconds: float) -> Figure:
    latencies: list[float] = []
    start = time.perf_counter()
    while time.perf_counter() - start < seconds:
        began = time.perf_counter()
        run()
        latencies.append(time.perf_counter() - began)
    rate = len(latencies) / (time.perf_counter() - start)
    return Figure(name, rate, *_percentiles(latencies))


def measure_without_http(path: str | None, seconds: float) -> list[Figure]:
    """The point query in-process on pyoxigraph, and (on disk) through the worker pool, one thread."""
    import pyoxigraph as ox

    from oncoclaims.api.query_runner import QueryJob, create_query_runner
    from oncoclaims.api.state import ServerState

    store = _store(path)
    runner = create_query_runner(store, ServerState())
    runner.start()
    try:
        job = QueryJob(POINT)
        runner.run(job)  # the workers are up and have opened the snapshot
        figures = [_timed("in-process pyoxigraph, one thread",
                          lambda: store.inner.query(POINT, use_default_graph_as_union=True)
                          .serialize(format=ox.QueryResultsFormat.JSON), seconds)]
        label = "worker pool" if path is not None else "in-process runner"
        figures.append(_timed(f"{label} (limits), one thread", lambda: runner.run(job), seconds))
        return figures
    finally:
        runner.close()
        store.close()


async def _httpx_load(url: str, seconds: float, connections: int) -> tuple[float, list[float], int]:
    import httpx

    latencies: list[float] = []
    errors = 0
    deadline = time.perf_counter() + seconds
    limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
    async with httpx.AsyncClient(limits=limits, timeout=30) as client:
        async def worker() -> None:
            nonlocal errors
            while time.perf_counter() < deadline:
                began = time.perf_counter()
                response = await client.get(url)
                errors += response.status_code >= 400
                latencies.append(time.perf_counter() - began)

        start = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(connections)))
        elapsed = time.perf_counter() - start
    return len(latencies) / elapsed, latencies, errors


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def _milliseconds(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", text).groups()
    return float(number) * _UNITS[unit]


def _wrk(name: str, url: str, seconds: float, connections: int) -> Figure:
    output = subprocess.run(
        ["wrk", "-t1", f"-c{connections}", f"-d{max(1, round(seconds))}s", "--latency", url],
        capture_output=True, text=True, check=True,
    ).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output)[1])
    p50 = _milliseconds(re.search(r"^\s+50%\s+(\S+)", output, re.MULTILINE)[1])
    p99 = _milliseconds(re.search(r"^\s+99%\s+(\S+)", output, re.MULTILINE)[1])
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return Figure(name, rate, p50, p99, int(errors[1]) if errors else 0)


def measure_server(name: str, target: Callable[[int, str | None], None], path: str | None, url_path: str,
                   seconds: float, connections: int) -> Figure:
    """Start ``target`` in a fresh process, warm it up, put it under load, stop it."""
    import httpx

    port = _free_port()
    # spawn: a fresh interpreter per server, whatever this process has started (the forkserver).
    process = multiprocessing.get_context("spawn").Process(target=target, args=(port, path))
    process.start()
    url = f"http://127.0.0.1:{port}{url_path}"
    try:
        for _ in range(300):
            try:
                httpx.get(url, timeout=5).raise_for_status()
                break
            except httpx.HTTPError:
                time.sleep(0.1)
        else:
            raise RuntimeError(f"{name}: the server did not answer {url}")
        for _ in range(50):  # warm up: imports, caches, the workers' first snapshot open
            httpx.get(url, timeout=5)
        if shutil.which("wrk"):
            figure = _wrk(name, url, seconds, connections)
        else:
            rate, latencies, errors = asyncio.run(_httpx_load(url, seconds, connections))
            figure = Figure(name + " (httpx load)", rate, *_percentiles(latencies), errors)
    finally:
        process.terminate()  # SIGTERM: uvicorn shuts down, and the query workers with it
        process.join()
    print(figure.line(), flush=True)
    return figure


def _load_average() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=10, help="length of each load run")
    parser.add_argument("--connections", type=int, default=16, help="concurrent connections (wrk -c)")
    parser.add_argument("--rounds", type=int, default=1,
                        help="rounds of the three point-query servers, one after the other (ratios per round)")
    parser.add_argument("--memory", action="store_true", help="serve an in-memory store (no worker processes)")
    args = parser.parse_args()
    point = "/sparql?" + urlencode({"query": POINT})
    print(f"load average before: {_load_average()} ({os.cpu_count()} CPUs); {args.connections} connections, "
          f"{args.seconds:g} s per run", flush=True)
    ratios: list[tuple[float, float]] = []
    with tempfile.TemporaryDirectory(prefix="oncoclaims-bench-http-") as folder:
        path = None if args.memory else str(Path(folder) / "store")
        if path is not None:
            _store(path).close()  # create it with the reference graph, once
        for figure in measure_without_http(path, min(args.seconds, 3)):
            print(figure.line(), flush=True)
        for round_number in range(1, args.rounds + 1):
            if args.rounds > 1:
                print(f"round {round_number} (load average {_load_average()})", flush=True)
            bare_thread = measure_server("bare FastAPI, def (thread pool)", serve_bare_thread, path, point,
                                         args.seconds, args.connections)
            bare_loop = measure_server("bare FastAPI, async def (in loop)", serve_bare_loop, path, point,
                                       args.seconds, args.connections)
            ours = measure_server("/sparql (time and size limits)", serve_oncoclaims, path, point,
                                  args.seconds, args.connections)
            ratios.append((ours.rate / bare_thread.rate, ours.rate / bare_loop.rate))
            print(f"ratio /sparql to bare FastAPI: {ratios[-1][0]:.2f} (def), {ratios[-1][1]:.2f} (async def)",
                  flush=True)
        measure_server("/claims/{id} (confirmation report)", serve_oncoclaims, path, f"/claims/{CLAIM_ID}",
                       args.seconds, args.connections)
    if len(ratios) > 1:
        print(f"median ratio over {len(ratios)} rounds: {statistics.median(r[0] for r in ratios):.2f} (def), "
              f"{statistics.median(r[1] for r in ratios):.2f} (async def)")
    print(f"load average after: {_load_average()}")


if __name__ == "__main__":
    main()
