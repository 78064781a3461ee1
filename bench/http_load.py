"""HTTP throughput: a point query through the real ``/sparql`` route and a claim report
through ``/claims/{id}``, on one uvicorn worker, next to a bare FastAPI route running the
same pyoxigraph point query and the same query in-process. Loopback load comes from
``wrk`` (Debian package ``wrk``) when it is installed, else from httpx (much slower: a
Python client saturates before the server does).

Both servers serve an on-disk store (the server's normal case), so ``/sparql`` runs with
its time and size limits in worker processes (``oncoclaims.api.query_runner``); ``--memory``
serves an in-memory store instead (queries then run in-process). Before the HTTP load, the
per-query cost of the worker pool is measured directly: the same point query in-process and
through ``WorkerPoolRunner.run``.

    .venv/bin/python bench/http_load.py --seconds 10 --connections 16

(Not ``bench/http.py``: a file of that name would shadow the standard library's ``http``
package for every script in this folder.)
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import re
import shutil
import socket
import statistics
import subprocess
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

POINT = ("SELECT ?p ?o WHERE { <https://w3id.org/oncoclaims/id/therapy/enteromix> ?p ?o }")
CLAIM_ID = "enteromix-enteromix-is-totally-100-perce-df88103e2ae65e19"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _store(path: str | None):
    from oncoclaims.graph.bootstrap import open_store

    return open_store(path, memory=path is None)


def serve_oncoclaims(port: int, path: str | None) -> None:
    import uvicorn

    from oncoclaims.api import create_app

    uvicorn.run(create_app(_store(path)), host="127.0.0.1", port=port, log_level="warning")


def serve_bare(port: int, path: str | None) -> None:
    import uvicorn
    from fastapi import FastAPI, Response

    store = _store(path).inner
    app = FastAPI()

    @app.get("/sparql")
    def sparql(query: str) -> Response:
        import pyoxigraph as ox

        body = store.query(query, use_default_graph_as_union=True).serialize(format=ox.QueryResultsFormat.JSON)
        return Response(body, media_type="application/sparql-results+json")

    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning")


async def _load(url: str, params: dict | None, seconds: float, connections: int) -> tuple[float, list[float]]:
    import httpx

    latencies: list[float] = []
    deadline = time.perf_counter() + seconds
    limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
    async with httpx.AsyncClient(limits=limits, timeout=30) as client:
        async def worker() -> None:
            while time.perf_counter() < deadline:
                start = time.perf_counter()
                response = await client.get(url, params=params)
                response.raise_for_status()
                latencies.append(time.perf_counter() - start)

        start = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(connections)))
        elapsed = time.perf_counter() - start
    return len(latencies) / elapsed, latencies


def _report(name: str, rate: float, latencies: list[float]) -> None:
    latencies.sort()
    p50 = statistics.median(latencies) * 1000
    p99 = latencies[int(len(latencies) * 0.99) - 1] * 1000
    print(f"{name}: {rate:,.0f} requests/s, p50 {p50:.2f} ms, p99 {p99:.2f} ms")


def _with_server(target, path: str | None, url_path: str, params: dict | None, seconds: float,
                 connections: int) -> float:
    import httpx

    port = _free_port()
    # spawn: a fresh interpreter per server, whatever this process has started (the forkserver).
    process = multiprocessing.get_context("spawn").Process(target=target, args=(port, path))
    process.start()
    base = f"http://127.0.0.1:{port}"
    for _ in range(200):
        try:
            httpx.get(f"{base}/sparql", params={"query": "ASK {}"}, timeout=1)
            break
        except httpx.HTTPError:
            time.sleep(0.1)
    try:
        if shutil.which("wrk"):
            url = base + url_path + ("?" + urlencode(params) if params else "")
            rate = _wrk(url, seconds, connections, f"{target.__name__} {url_path}")
        else:
            rate, latencies = asyncio.run(_load(base + url_path, params, seconds, connections))
            _report(f"{target.__name__} {url_path} (httpx load)", rate, latencies)
    finally:
        process.terminate()  # SIGTERM: uvicorn shuts down, and the query workers with it
        process.join()
    return rate


def _wrk(url: str, seconds: float, connections: int, name: str) -> float:
    output = subprocess.run(
        ["wrk", "-t1", f"-c{connections}", f"-d{int(seconds)}s", "--latency", url],
        capture_output=True, text=True, check=True,
    ).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output)[1])
    p50 = re.search(r"^\s+50%\s+(\S+)", output, re.MULTILINE)[1]
    p99 = re.search(r"^\s+99%\s+(\S+)", output, re.MULTILINE)[1]
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    print(f"{name}: {rate:,.0f} requests/s, p50 {p50}, p99 {p99} (wrk, {connections} connections)"
          + (f", {errors[1]} errors" if errors else ""))
    return rate


def _pool_overhead(path: str, seconds: float = 2.0) -> None:
    import pyoxigraph as ox

    from oncoclaims.api.query_runner import QueryJob, WorkerPoolRunner
    from oncoclaims.api.settings import ServerState

    store = _store(path)
    runner = WorkerPoolRunner(store, ServerState())
    runner.start()
    try:
        job = QueryJob(POINT)
        runner.run(job)  # the workers are up and have opened the snapshot
        rates = {}
        for name, run in (("in-process", lambda: store.inner.query(POINT, use_default_graph_as_union=True)
                           .serialize(format=ox.QueryResultsFormat.JSON)),
                          ("worker pool", lambda: runner.run(job))):
            count, start = 0, time.perf_counter()
            while time.perf_counter() - start < seconds:
                run()
                count += 1
            rates[name] = count / (time.perf_counter() - start)
            print(f"{name} point query, one thread: {rates[name]:,.0f} queries/s ({1e6 / rates[name]:.0f} us each)")
        overhead = 1e6 / rates["worker pool"] - 1e6 / rates["in-process"]
        print(f"worker pool overhead: {overhead:.0f} us per query")
    finally:
        runner.close()
        store.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--memory", action="store_true", help="serve an in-memory store (no worker processes)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="oncoclaims-http-load-") as folder:
        path = None if args.memory else str(Path(folder) / "store")
        if path is not None:
            _store(path).close()  # create it with the reference graph, once
            _pool_overhead(path)
        bare = _with_server(serve_bare, path, "/sparql", {"query": POINT}, args.seconds, args.connections)
        ours = _with_server(serve_oncoclaims, path, "/sparql", {"query": POINT}, args.seconds, args.connections)
        print(f"ratio /sparql to bare FastAPI: {ours / bare:.2f}")
        _with_server(serve_oncoclaims, path, f"/claims/{CLAIM_ID}", None, args.seconds, args.connections)


if __name__ == "__main__":
    main()
