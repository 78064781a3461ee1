"""Where one confirmation report's time goes on an Oxigraph server: each request timed in the
client, and the Python between them (issue 19, "one report < 10 ms p50 on a local server").

    .venv/bin/python bench/report_split.py 2000 --data DIR
    .venv/bin/python bench/report_split.py 2000 --data DIR --at-once --profile
    .venv/bin/python bench/report_split.py 100000 --data DIR --settle 30 --optimize --no-check

Synthetic claims from ``generate.py`` (the N-Quads file of ``wholestore.py`` under ``--data``,
written once), loaded into a fresh Oxigraph server on loopback (tests/stores/backend_servers.py,
stopped by PID). Reports of ``--reports`` sampled claims, ``--rounds`` times: the report's p50,
the number of requests, the time in requests (client's send to answer read, the server's
evaluation included) and, per request in the report's order, its p50 and answer size. The
reads go one after the other unless ``--at-once`` (``read_ahead.READ_AT_ONCE``). ``--profile``
prints the client's cProfile of one more round (socket waits included). Each report is checked
to be the same as the embedded store's (``--no-check`` skips that). The store is measured as
the chunked ``no_transaction`` load leaves it; ``--optimize`` then stops the server, runs
``oxigraph optimize`` on its store (as docs/deployment.md tells an operator to after a bulk
load), serves it again and measures again, on a line of its own; ``--settle S`` measures
the running server again after S seconds left alone (the server compacts the loaded files by
itself in the background: at 100,000 claims the report's p50 went from 29 to 12 ms within
12 s of the load's end, docs/deployment.md).
"""

from __future__ import annotations

import os
import sys

# bench/http.py would shadow the standard library's `http` (which httpx imports): take the
# folder off the import path first, hence the imports after it.
# ruff: noqa: E402
_HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:] = [entry for entry in sys.path if os.path.abspath(entry or os.curdir) != _HERE]

import argparse
import cProfile
import json
import pstats
import random
import statistics
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from oncoclaims.backends import EmbeddedBackend, SparqlBackend
from oncoclaims.graph import read_ahead
from oncoclaims.graph.confirmation import confirmation_report
from oncoclaims.graph.store import ClaimStore

sys.path.insert(0, _HERE)
sys.path.insert(0, str(Path(_HERE).parent / "tests" / "stores"))
from backend_servers import oxigraph_backend, oxigraph_binary, run_oxigraph
from wholestore import _load, ex, synthetic_file  # (importing generate.py takes bench/ off the path)


def _summary(text: str) -> str:
    """A request's name: its named query's summary, or its first words."""
    for line in text.splitlines():
        if line.startswith("#+ summary:"):
            return line[len("#+ summary:"):].strip()[:60]
    return " ".join(text.split())[:60]


def _timed_posts(backend: SparqlBackend, log: list[tuple[float, int, str]]) -> None:
    """Record (seconds, answer bytes, name) of every request the backend's client sends."""
    post = backend._client.post

    def timed(url: Any, **kwargs: Any) -> Any:
        start = time.perf_counter()
        response = post(url, **kwargs)
        query = kwargs.get("content") or kwargs.get("data", {}).get("query", "")
        query = query.decode() if isinstance(query, bytes) else str(query)
        log.append((time.perf_counter() - start, len(response.content), _summary(query)))
        return response

    backend._client.post = timed  # type: ignore[method-assign]


#: The embedded store's reports of the sampled claims (computed once).
_EXPECTED: dict[str, str] = {}


def _reports(store: ClaimStore, claims: list[str]) -> dict[str, str]:
    return {c: json.dumps(confirmation_report(store, c).to_dict(), ensure_ascii=False) for c in claims}


def _measure(store: ClaimStore, log: list[tuple[float, int, str]], picks: list[str],
             rounds: int, label: str) -> None:
    """Print the report's p50, its requests and each request's p50 (one warm report first)."""
    confirmation_report(store, picks[0])  # warm
    totals, requests = [], []
    for _ in range(rounds):
        for claim in picks:
            log.clear()
            start = time.perf_counter()
            confirmation_report(store, claim)
            totals.append(time.perf_counter() - start)
            requests.append(list(log))
    print(f"{label}: report p50 {1000 * statistics.median(totals):.2f} ms, requests p50 "
          f"{statistics.median(len(r) for r in requests):g}, time in requests p50 "
          f"{1000 * statistics.median(sum(t for t, _, _ in r) for r in requests):.2f} ms "
          f"(load average {os.getloadavg()[0]:.2f})")
    for i in range(max(len(r) for r in requests)):
        at = [r[i] for r in requests if len(r) > i]
        print(f"  {1000 * statistics.median(t for t, _, _ in at):6.2f} ms "
              f"{statistics.median(n for _, n, _ in at):8,.0f} B  {at[0][2]}")


def _optimize(folder: Path) -> float:
    """``oxigraph optimize`` on the stopped server's store (RocksDB's full compaction, as an
    operator runs it after a bulk load: docs/deployment.md); its seconds."""
    binary = oxigraph_binary()
    assert binary is not None
    start = time.perf_counter()
    subprocess.run([binary, "optimize", "--location", str(folder / "data")],  # noqa: S603
                   check=True, capture_output=True)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("claims", type=int, help="synthetic claims (about 31 quads each)")
    parser.add_argument("--data", type=Path, required=True, help="folder for the N-Quads file")
    parser.add_argument("--reports", type=int, default=50, help="claims sampled")
    parser.add_argument("--rounds", type=int, default=3, help="reports of each claim")
    parser.add_argument("--at-once", action="store_true", help="send independent reads at once")
    parser.add_argument("--profile", action="store_true", help="cProfile one more round")
    parser.add_argument("--no-check", action="store_true", help="skip the embedded comparison")
    parser.add_argument("--settle", type=float, default=0.0, metavar="SECONDS",
                        help="then leave the server alone this long and measure again")
    parser.add_argument("--optimize", action="store_true",
                        help="then stop the server, optimize its store, serve it and measure again")
    args = parser.parse_args()
    read_ahead.READ_AT_ONCE = args.at_once
    path, count = synthetic_file(args.claims, args.data)
    picks = [ex("claim", i).value for i in random.Random(7).sample(range(args.claims), args.reports)]
    print(f"{args.claims:,} claims ({count:,} quads), {args.reports} claims x {args.rounds} "
          f"reports, reads {'at once' if args.at_once else 'one after the other'}")
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        with run_oxigraph(folder) as server:
            backend = oxigraph_backend(server)
            _load(backend, path)
            _report_on(backend, args, picks, path, "right after the bulk load")
            if args.settle:
                time.sleep(args.settle)  # RocksDB compacts the loaded files in the background
                _report_on(backend, args, picks, path, f"{args.settle:g} s later, the same server")
            backend.close()
        if args.optimize:
            print(f"oxigraph optimize on the stopped store: {_optimize(folder):.1f} s")
            with run_oxigraph(folder) as server:
                backend = oxigraph_backend(server)
                _report_on(backend, args, picks, path, "optimized, served again")
                backend.close()


def _report_on(backend: SparqlBackend, args: argparse.Namespace, picks: list[str], path: Path,
               label: str) -> None:
    """Measure (and profile, and check) the reports on one running server."""
    store = ClaimStore(backend)
    log: list[tuple[float, int, str]] = []
    if not hasattr(backend, "_split_log"):
        _timed_posts(backend, log)
        backend._split_log = log  # type: ignore[attr-defined]
    log = backend._split_log  # type: ignore[attr-defined]
    _measure(store, log, picks, args.rounds, label)
    if args.profile:
        profile = cProfile.Profile()
        profile.enable()
        for claim in picks:
            confirmation_report(store, claim)
        profile.disable()
        pstats.Stats(profile).sort_stats("tottime").print_stats(25)
    if not args.no_check:
        if not _EXPECTED:
            with tempfile.TemporaryDirectory() as local:
                embedded = EmbeddedBackend(ox.Store(local))
                _load(embedded, path)
                _EXPECTED.update(_reports(ClaimStore(embedded), picks))
                embedded.close()
        same = _reports(store, picks) == _EXPECTED
        print("  the same reports as the embedded store:", same)


if __name__ == "__main__":
    main()
