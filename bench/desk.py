"""The desk under load: read latency while stories are submitted (issue 17).

One server (``oncoclaims serve`` in its own process, on an on-disk store with the bundled graph
and an update token) is measured twice in the same run:

* ``idle``: 16 clients read for ``--seconds`` (a claim report, ``/claims/{id}``, and a page of
  ``/claims``, alternately); p50 and p99 of their latencies;
* ``submitting``: the same 16 readers while 8 clients submit the real FakeHealth stories of
  ``../shared/data/news-articles/fakehealth/`` to ``POST /stories`` in a loop, each file under a
  new name so each is new work for the server (the text is altered by one appended line).

It prints both and the ratios submitting/idle (issue 17's target: reads within 2x of idle), how
many submissions were written, and checks that every submission answered 201. Loopback only,
bounded in time.

    .venv/bin/python bench/desk.py --seconds 10
"""

from __future__ import annotations

import os
import sys

_HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:] = [entry for entry in sys.path if os.path.abspath(entry or os.curdir) != _HERE]

import argparse  # noqa: E402
import asyncio  # noqa: E402
import json  # noqa: E402
import socket  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import httpx  # noqa: E402

TOKEN = "bench-token"
STORIES = Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "news-articles" / "fakehealth"
CLAIM_ID = "enteromix-enteromix-is-totally-100-perce-df88103e2ae65e19"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _percentiles(latencies: list[float]) -> tuple[float, float]:
    ordered = sorted(latencies)
    return statistics.median(ordered) * 1000, ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000


async def _readers(base: str, seconds: float, count: int) -> list[float]:
    latencies: list[float] = []
    deadline = time.monotonic() + seconds
    paths = [f"/claims/{CLAIM_ID}", "/claims?limit=20"]

    async def reader(index: int) -> None:
        async with httpx.AsyncClient(base_url=base, timeout=60) as client:
            turn = index
            while time.monotonic() < deadline:
                started = time.perf_counter()
                answer = await client.get(paths[turn % 2])
                latencies.append(time.perf_counter() - started)
                answer.raise_for_status()
                turn += 1

    await asyncio.gather(*(reader(i) for i in range(count)))
    return latencies


async def _submitters(base: str, seconds: float, count: int, stories: list[dict]) -> list[int]:
    statuses: list[int] = []
    deadline = time.monotonic() + seconds
    counter = iter(range(10**9))

    async def submitter(index: int) -> None:
        async with httpx.AsyncClient(base_url=base, timeout=120,
                                     headers={"Authorization": f"Bearer {TOKEN}"}) as client:
            while time.monotonic() < deadline:
                n = next(counter)
                story = dict(stories[n % len(stories)])
                story["text"] += f"\n\n(bench copy {n})"
                answer = await client.post("/stories", json={k: story[k] for k in ("text", "title")})
                statuses.append(answer.status_code)

    await asyncio.gather(*(submitter(i) for i in range(count)))
    return statuses


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--readers", type=int, default=16)
    parser.add_argument("--submitters", type=int, default=8)
    args = parser.parse_args()
    stories = [json.loads(p.read_text()) for p in sorted(STORIES.glob("*.json"))]
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory() as folder:
        server = subprocess.Popen(
            [sys.executable, "-m", "oncoclaims", "serve", "--store", f"{folder}/store", "--host", "127.0.0.1",
             "--port", str(port), "--update-token", TOKEN],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            for _ in range(600):
                try:
                    if httpx.get(f"{base}/claims?limit=1", timeout=1).status_code == 200:
                        break
                except httpx.HTTPError:
                    time.sleep(0.1)
            idle = asyncio.run(_readers(base, args.seconds, args.readers))

            async def loaded() -> tuple[list[float], list[int]]:
                return await asyncio.gather(_readers(base, args.seconds, args.readers),
                                            _submitters(base, args.seconds, args.submitters, stories))

            busy, statuses = asyncio.run(loaded())
        finally:
            server.terminate()
            server.wait(30)
    idle_p50, idle_p99 = _percentiles(idle)
    busy_p50, busy_p99 = _percentiles(busy)
    print(f"idle:       {len(idle)} reads, p50 {idle_p50:.1f} ms, p99 {idle_p99:.1f} ms")
    print(f"submitting: {len(busy)} reads, p50 {busy_p50:.1f} ms, p99 {busy_p99:.1f} ms; "
          f"{len(statuses)} submissions, {statuses.count(201)} answered 201")
    print(f"ratio submitting/idle: p50 {busy_p50 / idle_p50:.2f}x, p99 {busy_p99 / idle_p99:.2f}x")
    if any(status != 201 for status in statuses):
        raise SystemExit(f"some submissions failed: {sorted(set(statuses))}")


if __name__ == "__main__":
    main()
