"""Benchmark: ClinicalTrials.gov API v2 JSON Lines ingest against raw pyoxigraph ``bulk_load``.

Replicates the full API v2 sample records of ``tests/data/ctgov/v2`` under new NCT
numbers (``NCT9xxxxxxx``, a range far above the numbers issued so far) and without their
``resultsSection`` (which is not mapped) into one JSON Lines input of N studies,
ingests it into a fresh on-disk store through ``oncoclaims.ingest.ingest_bytes``, then
bulk-loads the very same quads, written as N-Quads, into another fresh on-disk store.
Run on demand, never in the test suite::

    PYTHONPATH=. python bench/ctgov_ingest.py [N]
"""

from __future__ import annotations

import json
import resource
import sys
import tempfile
import time
from pathlib import Path

import pyoxigraph as ox

from oncoclaims.graph.store import ClaimStore
from oncoclaims.ingest import ingest_bytes

__all__ = ["main"]

SAMPLES = Path(__file__).parents[1] / "tests" / "data" / "ctgov" / "v2"


def _replicated(count: int) -> bytes:
    templates = [
        json.loads(p.read_text(encoding="utf-8"))
        for p in sorted(SAMPLES.rglob("*.json"))
        if "biomcp" not in p.parts
    ]
    lines = []
    for index in range(count):
        study = json.loads(json.dumps(templates[index % len(templates)]))
        study["protocolSection"]["identificationModule"]["nctId"] = f"NCT9{index:07d}"
        study.pop("resultsSection", None)  # not mapped; it would only measure json.loads
        lines.append(json.dumps(study, separators=(",", ":")))
    return ("\n".join(lines) + "\n").encode("utf-8")


def main(count: int = 10_000) -> None:
    """Ingest ``count`` replicated studies and compare with ``bulk_load`` of the same quads."""
    data = _replicated(count)
    with tempfile.TemporaryDirectory() as tmp:
        store = ClaimStore.open(Path(tmp) / "ingest")
        start = time.perf_counter()
        report = ingest_bytes(data, "bench.jsonl", store)
        ingest_seconds = time.perf_counter() - start
        quads = list(store)
        nquads = Path(tmp) / "same.nq"
        ox.serialize(quads, str(nquads), ox.RdfFormat.N_QUADS)
        raw = ox.Store(str(Path(tmp) / "raw"))
        start = time.perf_counter()
        raw.bulk_load(path=str(nquads), format=ox.RdfFormat.N_QUADS)
        raw_seconds = time.perf_counter() - start
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    ingest_rate = report.quads_added / ingest_seconds
    raw_rate = len(quads) / raw_seconds
    print(f"input: {count} studies, {len(data) / 1e6:.1f} MB JSON Lines, {len(quads)} quads")
    print(
        f"oncoclaims ingest: {ingest_seconds:.2f} s, "
        f"{report.records / ingest_seconds:,.0f} records/s, {ingest_rate:,.0f} quads/s"
    )
    print(f"pyoxigraph bulk_load, same N-Quads: {raw_seconds:.2f} s, {raw_rate:,.0f} quads/s")
    print(f"ratio ingest/bulk_load: {ingest_rate / raw_rate:.2f}; peak RSS {peak_mib:.0f} MiB")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10_000)
