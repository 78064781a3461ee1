"""HTTP throughput: a point query through the real ``/sparql`` route and a claim report
through ``/claims/{id}``, on one uvicorn worker, next to a bare FastAPI route running the
same pyoxigraph point query and the same query in-process. Loopback load comes from
``wrk`` (Debian package ``wrk``) when it is installed, else from httpx (much slower: a
Python client saturates before the server does).

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
import time
from urllib.parse import urlencode

POINT = ("SELECT ?p ?o WHERE { <https://w3id.org/oncoclaims/id/therapy/enteromix> ?p ?o }")
CLAIM_ID = "enteromix-enteromix-is-totally-100-perce-df88103e2ae65e19"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _store():
    from oncoclaims.graph.bootstrap import open_store

    return open_store(memory=True)


def serve_oncoclaims(port: int) -> None:
    import uvicorn

    from oncoclaims.api import create_app

    uvicorn.run(create_app(_store()), host="127.0.0.1", port=port, log_level="warning")


def serve_bare(port: int) -> None:
    import uvicorn
    from fastapi import FastAPI, Response

    store = _store().inner
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


def _with_server(target, url_path: str, params: dict | None, seconds: float, connections: int) -> float:
    import httpx

    port = _free_port()
    process = multiprocessing.Process(target=target, args=(port,), daemon=True)
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
        process.terminate()
        process.join()
    return rate


def _wrk(url: str, seconds: float, connections: int, name: str) -> float:
    output = subprocess.run(
        ["wrk", "-t1", f"-c{connections}", f"-d{int(seconds)}s", "--latency", url],
        capture_output=True, text=True, check=True,
    ).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output)[1])
    p50 = re.search(r"50%\s+(\S+)", output)[1]
    p99 = re.search(r"99%\s+(\S+)", output)[1]
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    print(f"{name}: {rate:,.0f} requests/s, p50 {p50}, p99 {p99} (wrk, {connections} connections)"
          + (f", {errors[1]} errors" if errors else ""))
    return rate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--connections", type=int, default=16)
    args = parser.parse_args()
    import pyoxigraph as ox

    store = _store().inner
    count, start = 0, time.perf_counter()
    while time.perf_counter() - start < 2:
        store.query(POINT, use_default_graph_as_union=True).serialize(format=ox.QueryResultsFormat.JSON)
        count += 1
    print(f"in-process point query: {count / (time.perf_counter() - start):,.0f} queries/s")
    bare = _with_server(serve_bare, "/sparql", {"query": POINT}, args.seconds, args.connections)
    ours = _with_server(serve_oncoclaims, "/sparql", {"query": POINT}, args.seconds, args.connections)
    print(f"ratio /sparql to bare FastAPI: {ours / bare:.2f}")
    _with_server(serve_oncoclaims, f"/claims/{CLAIM_ID}", None, args.seconds, args.connections)


if __name__ == "__main__":
    main()
