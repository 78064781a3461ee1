"""One claim's status on its projection: CPU time of the whole-store engine's rules on the
projection's tables (``statuses.status_from_graph``, what reports use since the status lives
once in Python) against the per-claim walk of ``analysis`` it replaced, and of one report.

    .venv/bin/python bench/generate.py 100000 bench/data/100k
    .venv/bin/python bench/status_rules.py bench/data/100k/store

CPU time (``process_time``), not wall time, so that a busy machine does not blur the difference.
"""

import os
import sys

# bench/http.py would shadow the standard library's `http` package: take this folder off the
# import path first (as bench/confirm.py does), hence the imports after it.
# ruff: noqa: E402
_HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:] = [entry for entry in sys.path if os.path.abspath(entry or os.curdir) != _HERE]

import random
import statistics
import time

from oncoclaims import queries
from oncoclaims.graph import analysis
from oncoclaims.graph.confirmation import confirmation_report
from oncoclaims.graph.projection import to_networkx
from oncoclaims.graph.statuses import status_from_graph
from oncoclaims.graph.store import ClaimStore


def old_status(graph, claim):
    """analysis.status before it used the whole-store rules: a walk of its own."""
    relations, unknown = set(), False
    for evidence, relation in analysis.evidence_for(graph, claim):
        if relation == "inconclusive":
            continue
        v = analysis.evidence_verdict(graph, claim, evidence, relation).independent
        if v:
            relations.add(relation)
        elif v is None and relation == "supports":
            unknown = True
    support = analysis._in(graph, claim, ["cito:supports"])
    retracted = bool(support) and all(analysis._retracted(graph, e) for e in support)
    return analysis.STATUS_PREFIX + analysis.status_name(
        relations, unknown, bool(support), retracted
    )


with ClaimStore.open(sys.argv[1]) as store:
    rng = random.Random(7)
    counts = {
        row["class"].value: int(row["nodes"].value) for row in queries.select(store, "class_counts")
    }
    count = counts["https://w3id.org/oncoclaims/vocab#Claim"]
    claims = [f"https://example.org/synthetic/claim/{rng.randrange(count)}" for _ in range(300)]
    graphs = [(c, to_networkx(store, c, tie_depth=3)) for c in claims]

    def cost(fn):
        times = []
        for c, g in graphs:
            g.__dict__.pop("_oncoclaims_index", None)  # no cache carried over between runs
            t = time.process_time()
            fn(g, c)
            times.append((time.process_time() - t) * 1000)
        return statistics.median(times), sorted(times)[int(len(times) * 0.99)]

    for _ in range(2):
        print("old walk  p50 %.3f ms p99 %.3f ms" % cost(old_status))
        print("new rules p50 %.3f ms p99 %.3f ms" % cost(lambda g, c: status_from_graph(g, c)))
    agree = all(old_status(g, c) == status_from_graph(g, c) for c, g in graphs)
    print("same status on all 300:", agree)
    times = []
    for c in claims:
        t = time.process_time()
        confirmation_report(store, c)
        times.append((time.process_time() - t) * 1000)
    print(
        "whole report CPU p50 %.2f ms p99 %.2f ms" % (statistics.median(times), sorted(times)[296])
    )
