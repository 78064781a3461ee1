"""Evidence discovery at scale: candidates for one new claim, and `discover --all`.

A synthetic store (made-up names, deterministic; nothing here is a real party or trial):
N claims and N trial records over N/50 therapies, each trial with its intervention,
two conditions, the human population, a study type and a sponsor; each claim about one
therapy with an indication. Measured:

- candidates for one new claim (``find_candidates``, a fresh run each time): p50, p90;
- ``discover_claims`` over a sample of claims, per claim, extrapolated to all N;
- re-running discovery on unchanged records: claims written (must be 0).

    .venv/bin/python bench/discover.py 100000 --sample 300
"""

from __future__ import annotations

import os
import sys

_HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:] = [entry for entry in sys.path if os.path.abspath(entry or os.curdir) != _HERE]

# ruff: noqa: E402
import argparse
import random
import statistics
import time

import pyoxigraph as ox

from oncoclaims.discover import discover_claims, find_candidates
from oncoclaims.discover.candidates import Lookups
from oncoclaims.graph.store import ClaimStore
from oncoclaims.ontology import ontology_quads
from oncoclaims.vocab import OC, RDF, RDFS

CONDITIONS = ["non-small-cell lung cancer", "small-cell lung cancer", "melanoma", "glioblastoma",
              "breast cancer", "colorectal cancer", "squamous non-small-cell lung cancer", "lymphoma"]
STUDY = ["study-phase-1", "study-phase-2", "study-phase-3", "study-randomised-controlled"]
EX = "https://example.org/synthetic/"


def build(n: int, seed: int = 1) -> ClaimStore:
    """An in-memory store with ``n`` claims and ``n`` trials over ``n // 50`` therapies."""
    rng = random.Random(seed)
    store = ClaimStore.in_memory()
    store.extend(ontology_quads())
    graph = ox.NamedNode(EX + "graph")
    therapies = max(1, n // 50)
    quads: list[ox.Quad] = []
    for t in range(therapies):
        node = ox.NamedNode(f"{EX}therapy/{t}")
        quads += [ox.Quad(node, RDF.type, OC.Therapy, graph), ox.Quad(node, RDFS.label, ox.Literal(f"Synthemab-{t}"), graph)]
    for i in range(n):
        trial = ox.NamedNode(f"{EX}trial/{i}")
        sponsor = ox.NamedNode(f"{EX}institution/{rng.randrange(n // 20 + 1)}")
        quads += [
            ox.Quad(trial, RDF.type, OC.Evidence, graph),
            ox.Quad(trial, RDFS.label, ox.Literal(f"Synthetic trial {i}"), graph),
            ox.Quad(trial, OC.intervention, ox.NamedNode(f"{EX}therapy/{rng.randrange(therapies)}"), graph),
            ox.Quad(trial, OC.condition, ox.Literal(rng.choice(CONDITIONS)), graph),
            ox.Quad(trial, OC.condition, ox.Literal(rng.choice(CONDITIONS)), graph),
            ox.Quad(trial, OC.population, OC["population-humans"], graph),
            ox.Quad(trial, OC.studyType, OC[rng.choice(STUDY)], graph),
            ox.Quad(trial, OC.sponsor, sponsor, graph),
            ox.Quad(sponsor, RDFS.label, ox.Literal(f"Sponsor {sponsor.value.rsplit('/', 1)[-1]}"), graph),
        ]
        claim = ox.NamedNode(f"{EX}claim/{i}")
        quads += [
            ox.Quad(claim, RDF.type, OC.Claim, graph),
            ox.Quad(claim, OC.about, ox.NamedNode(f"{EX}therapy/{rng.randrange(therapies)}"), graph),
            ox.Quad(claim, OC.indication, ox.Literal(rng.choice(CONDITIONS)), graph),
            ox.Quad(claim, OC.population, OC["population-humans"], graph),
        ]
        if len(quads) > 200_000:
            store.inner.extend(quads)
            quads = []
    store.inner.extend(quads)
    return store


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("n", type=int, nargs="?", default=100_000)
    parser.add_argument("--sample", type=int, default=300)
    args = parser.parse_args()
    started = time.perf_counter()
    store = build(args.n)
    print(f"store: {args.n} claims, {args.n} trials, {len(store)} quads, built in {time.perf_counter() - started:.1f} s")
    rng = random.Random(2)
    claims = [f"{EX}claim/{rng.randrange(args.n)}" for _ in range(args.sample)]
    t = time.perf_counter()
    compounds = Lookups(store).compounds  # kept by a long-running process (the server)
    print(f"compound-label index: {(time.perf_counter() - t) * 1000:.0f} ms, once")
    find_candidates(store, claims[0])  # the dictionary loads once per process
    times = []
    for claim in claims[:100]:
        t = time.perf_counter()
        find_candidates(store, claim, lookups=Lookups(store, compounds))
        times.append((time.perf_counter() - t) * 1000)
    times.sort()
    print(f"candidates for one claim: p50 {statistics.median(times):.1f} ms, p90 {times[89]:.1f} ms "
          f"(records and profiles read afresh each time, ~50 records per therapy)")
    t = time.perf_counter()
    report = discover_claims(store, claims)
    per = (time.perf_counter() - t) / len(claims)
    print(f"discover {len(claims)} claims: {per * 1000:.1f} ms per claim with tie verdicts, "
          f"{report.written} written; for all {args.n}: about {per * args.n:.0f} s")
    t = time.perf_counter()
    again = discover_claims(store, claims)
    print(f"re-run on unchanged records: {again.written} written, {again.unchanged} unchanged, "
          f"{(time.perf_counter() - t) / len(claims) * 1000:.1f} ms per claim")


if __name__ == "__main__":
    main()
