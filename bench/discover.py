"""Evidence discovery at scale: candidates for one new claim, and `discover` over many claims.

A synthetic store (made-up names, deterministic; nothing here is a real party or trial):
N claims and N trial records over N/50 therapies, each trial with its intervention,
two conditions, the human population, a study type and a sponsor; each claim about one
therapy with an indication. Measured:

- candidates for one new claim (``find_candidates``, a fresh run each time): p50, p90;
- ``discover_claims`` over C claims (``--claims``; all N with ``--claims 0``): seconds,
  per claim, and extrapolated to all N;
- re-running discovery on unchanged records: seconds, claims and quads written (must be 0).

``--baseline DIR`` runs the same measures on another checkout (today's code, e.g.
``git archive <commit> | tar -x -C DIR``) in a child process on the same machine, one
after the other, and prints each measure's ratio (baseline / this code).

    .venv/bin/python bench/discover.py 100000 --claims 300 --baseline /tmp/baseline
"""

from __future__ import annotations

import os
import sys

_HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:] = [entry for entry in sys.path if os.path.abspath(entry or os.curdir) != _HERE]

# ruff: noqa: E402
import argparse
import json
import random
import statistics
import subprocess
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


def measure(n: int, claims_run: int, sample: int) -> dict[str, float]:
    """The measures on a store of ``n`` claims and ``n`` trials (printed as it goes)."""
    started = time.perf_counter()
    store = build(n)
    print(f"store: {n} claims, {n} trials, {len(store)} quads, built in {time.perf_counter() - started:.1f} s")
    rng = random.Random(2)
    every = [f"{EX}claim/{i}" for i in range(n)]
    claims = every if claims_run <= 0 or claims_run >= n else rng.sample(every, claims_run)
    compounds = Lookups(store).compounds  # kept by a long-running process (the server)
    find_candidates(store, claims[0])  # the dictionary loads once per process
    times = []
    for claim in rng.sample(every, sample):
        t = time.perf_counter()
        find_candidates(store, claim, lookups=Lookups(store, compounds))
        times.append((time.perf_counter() - t) * 1000)
    times.sort()
    out = {"one_p50_ms": statistics.median(times), "one_p90_ms": times[int(len(times) * 0.9)]}
    print(f"candidates for one claim: p50 {out['one_p50_ms']:.1f} ms, p90 {out['one_p90_ms']:.1f} ms "
          f"(records and profiles read afresh each time, ~50 records per therapy)")
    t = time.perf_counter()
    report = discover_claims(store, claims)
    out["run_s"] = time.perf_counter() - t
    out["run_per_claim_ms"] = out["run_s"] / len(claims) * 1000
    out["all_s"] = out["run_per_claim_ms"] * n / 1000
    out["run_quads"] = getattr(report, "quads_added", 0)
    print(f"discover {len(claims)} claims: {out['run_s']:.1f} s, {out['run_per_claim_ms']:.2f} ms per claim with "
          f"tie verdicts, {report.written} written, {out['run_quads']} quads; for all {n}: about {out['all_s']:.0f} s")
    t = time.perf_counter()
    again = discover_claims(store, claims)
    out["rerun_s"] = time.perf_counter() - t
    out["rerun_written"] = again.written
    added = getattr(again, "quads_added", None)
    print(f"re-run on unchanged records: {out['rerun_s']:.1f} s, {again.written} written, "
          f"{again.unchanged} unchanged" + (f", {added} quads added" if added is not None else ""))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("n", type=int, nargs="?", default=100_000)
    parser.add_argument("--claims", type=int, default=300, help="claims discovered in one run (0: all)")
    parser.add_argument("--sample", type=int, default=100, help="single claims timed for p50/p90")
    parser.add_argument("--baseline", help="another checkout to measure the same way, for ratios")
    parser.add_argument("--json", action="store_true", help=argparse.SUPPRESS)  # a child's answer
    args = parser.parse_args()
    if args.baseline:
        print(f"== baseline ({args.baseline})", flush=True)
        child = subprocess.run(  # noqa: S603 (this interpreter, this file)
            [sys.executable, __file__, str(args.n), "--claims", str(args.claims), "--sample", str(args.sample),
             "--json"], env={**os.environ, "PYTHONPATH": args.baseline}, check=True, capture_output=True,
            text=True)
        print(child.stdout.rsplit("\n", 2)[0])
        base = json.loads(child.stdout.strip().splitlines()[-1])
        print("== this code", flush=True)
    ours = measure(args.n, args.claims, args.sample)
    if args.json:
        print(json.dumps(ours))
    elif args.baseline:
        print("== baseline / this code")
        for key in ("one_p50_ms", "one_p90_ms", "run_per_claim_ms", "rerun_s"):
            print(f"{key}: {base[key]:.2f} / {ours[key]:.2f} = {base[key] / ours[key]:.1f}x")


if __name__ == "__main__":
    main()
