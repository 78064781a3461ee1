"""Confirmation benchmark: one claim's report (p50, p99) and all claims' statuses, from
SPARQL and from Python, with peak memory, on a synthetic on-disk store.

    .venv/bin/python bench/generate.py 100000 bench/data/100k
    .venv/bin/python bench/confirm.py bench/data/100k/store --sparql --metrics

Each measurement runs in its own process so that its peak memory (``ru_maxrss``) is its
own. ``--sparql`` adds all statuses from the single SPARQL query.
"""

from __future__ import annotations

import os
import sys

# bench/http.py (the name issue 6 gives it) would shadow the standard library's `http` package
# for every script run from this folder: take the folder off the import path first, hence the
# imports after it.
# ruff: noqa: E402
_HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:] = [entry for entry in sys.path if os.path.abspath(entry or os.curdir) != _HERE]

import argparse
import multiprocessing
import random
import resource
import statistics
import time
from pathlib import Path


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def reports(path: str, samples: int, results: multiprocessing.Queue) -> None:
    from oncoclaims import queries
    from oncoclaims.graph.confirmation import confirmation_report
    from oncoclaims.graph.store import ClaimStore

    with ClaimStore.open(path) as store:
        counts = {row["class"].value: int(row["nodes"].value) for row in queries.select(store, "class_counts")}
        claims = counts["https://w3id.org/oncoclaims/vocab#Claim"]
        rng = random.Random(7)
        picks = [f"https://example.org/synthetic/claim/{rng.randrange(claims)}" for _ in range(samples)]
        confirmation_report(store, picks[0])  # warm-up
        times, sparql_times = [], []
        for claim in picks:
            start = time.perf_counter()
            confirmation_report(store, claim)
            times.append((time.perf_counter() - start) * 1000)
        queries.select(store, "claim_statuses", claim=picks[0], depth=3)  # warm-up
        for claim in picks:
            start = time.perf_counter()
            queries.select(store, "claim_statuses", claim=claim, depth=3)
            sparql_times.append((time.perf_counter() - start) * 1000)
    times.sort()
    sparql_times.sort()
    results.put({
        "claims": claims,
        "p50_ms": statistics.median(times),
        "p99_ms": times[int(len(times) * 0.99) - 1],
        "sparql_p50_ms": statistics.median(sparql_times),
        "sparql_p99_ms": sparql_times[int(len(sparql_times) * 0.99) - 1],
        "peak_mib": _peak_mib(),
    })


def statuses(path: str, engine: str, results: multiprocessing.Queue) -> None:
    from oncoclaims.graph.confirmation import claim_statuses
    from oncoclaims.graph.store import ClaimStore

    with ClaimStore.open(path) as store:
        start = time.perf_counter()
        found = claim_statuses(store, engine=engine)
        seconds = time.perf_counter() - start
    results.put({"seconds": seconds, "claims": len(found), "peak_mib": _peak_mib(),
                 "confirmed": sum(s.endswith("independently-confirmed") for s in found.values())})


def institution_metrics(path: str, results: multiprocessing.Queue) -> None:
    from oncoclaims.graph.metrics import institution_metrics as metrics
    from oncoclaims.graph.store import ClaimStore

    with ClaimStore.open(path) as store:
        start = time.perf_counter()
        rows = metrics(store)
        seconds = time.perf_counter() - start
    results.put({"seconds": seconds, "institutions": len(rows), "peak_mib": _peak_mib()})


def _child(target, *args, timeout: float | None = None) -> dict | None:
    results: multiprocessing.Queue = multiprocessing.Queue()
    process = multiprocessing.Process(target=target, args=(*args, results))
    process.start()
    process.join(timeout)
    if process.is_alive():
        process.kill()
        process.join()
        return None
    if process.exitcode != 0:
        raise SystemExit(f"{target.__name__} failed (exit {process.exitcode})")
    return results.get()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("store", type=Path)
    parser.add_argument("--samples", type=int, default=300)
    parser.add_argument("--sparql", action="store_true", help="also all statuses in one SPARQL query (slow)")
    parser.add_argument("--sparql-timeout", type=float, default=600, help="stop the SPARQL run after this many seconds")
    parser.add_argument("--metrics", action="store_true", help="also institution metrics")
    parser.add_argument("--reports-only", action="store_true", help="only one claim's report and status")
    args = parser.parse_args()
    one = _child(reports, str(args.store), args.samples)
    print(f"{one['claims']} claims: one report p50 {one['p50_ms']:.2f} ms, p99 {one['p99_ms']:.2f} ms "
          f"(peak {one['peak_mib']:.0f} MiB); one claim's status in SPARQL (claim_statuses.rq) "
          f"p50 {one['sparql_p50_ms']:.2f} ms, p99 {one['sparql_p99_ms']:.2f} ms")
    if args.reports_only:
        return
    python = _child(statuses, str(args.store), "python")
    print(f"all statuses, Python: {python['seconds']:.1f} s for {python['claims']} claims, "
          f"{python['confirmed']} independently confirmed (peak {python['peak_mib']:.0f} MiB)")
    if args.sparql:
        sparql = _child(statuses, str(args.store), "sparql", timeout=args.sparql_timeout)
        if sparql is None:
            print(f"all statuses, SPARQL: stopped after {args.sparql_timeout:.0f} s, "
                  f"more than {args.sparql_timeout / python['seconds']:.0f}x the Python time")
        else:
            print(f"all statuses, SPARQL: {sparql['seconds']:.1f} s, {sparql['confirmed']} independently confirmed "
                  f"(peak {sparql['peak_mib']:.0f} MiB); SPARQL/Python time ratio "
                  f"{sparql['seconds'] / python['seconds']:.2f}")
    if args.metrics:
        metrics = _child(institution_metrics, str(args.store))
        print(f"institution metrics: {metrics['seconds']:.1f} s for {metrics['institutions']} institutions "
              f"(peak {metrics['peak_mib']:.0f} MiB)")


if __name__ == "__main__":
    main()
