"""Ingest throughput: oncoclaims' ingest path against raw pyoxigraph ``bulk_load``.

Builds inputs of N records by replicating real samples with new identifiers (PubMed XML:
PMIDs; ClinicalTrials.gov API v2 JSON Lines: NCT ids), ingests each into a fresh on-disk
store through :func:`oncoclaims.ingest.ingest` (from a file), then dumps the quads it produced
as N-Quads and times pyoxigraph ``Store.bulk_load`` of that same file into another fresh
on-disk store. Peak memory is measured per step in a child process started fresh
(``spawn``) from its ``VmHWM`` (``ru_maxrss`` would keep the forked parent's peak across
``exec``), so it is the step's own.

Run on demand (not part of the test suite)::

    .venv/bin/python bench/ingest.py --records 10000
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
import copy
import json
import multiprocessing
import tempfile
import time
from pathlib import Path

from lxml import etree

SAMPLES = Path(__file__).resolve().parents[1] / "tests" / "data"
PUBMED_SAMPLE = SAMPLES / "pubmed" / "biomcp-efetch_citation_22663011.xml"
CTGOV_SAMPLES = sorted((SAMPLES / "ctgov").rglob("NCT*.json")) if (SAMPLES / "ctgov").is_dir() else []


def pubmed_input(records: int) -> bytes:
    """A ``PubmedArticleSet`` of ``records`` copies of a real article, PMIDs 90000001..."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    article = etree.parse(str(PUBMED_SAMPLE), parser).getroot().find("PubmedArticle")
    root = etree.Element("PubmedArticleSet")
    for index in range(records):
        clone = copy.deepcopy(article)
        new_id = str(90_000_001 + index)
        clone.find("MedlineCitation/PMID").text = new_id
        for article_id in clone.iterfind("PubmedData/ArticleIdList/ArticleId"):
            if article_id.get("IdType") == "pubmed":
                article_id.text = new_id
            elif article_id.get("IdType") in {"doi", "pii", "pmc"}:
                article_id.text = f"{article_id.text}.bench{index}"
        root.append(clone)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def ctgov_input(records: int) -> bytes:
    """JSON Lines of ``records`` API v2 studies cycled from the real samples, NCT90000001..."""
    studies = [json.loads(path.read_bytes()) for path in CTGOV_SAMPLES]
    # Results sections are up to megabytes each; dropped so 10k studies stay a realistic download.
    studies = [
        {key: value for key, value in s.items() if key != "resultsSection"}
        for s in studies
        if "protocolSection" in s
    ]
    if not studies:
        raise SystemExit("no ClinicalTrials.gov v2 samples in tests/data/ctgov/")
    lines = []
    for index in range(records):
        study = copy.deepcopy(studies[index % len(studies)])
        study["protocolSection"]["identificationModule"]["nctId"] = f"NCT{90_000_001 + index}"
        lines.append(json.dumps(study, separators=(",", ":")))
    return ("\n".join(lines) + "\n").encode()


def _ingest(directory: str, results: multiprocessing.Queue) -> None:
    import pyoxigraph

    from oncoclaims.graph.store import ClaimStore
    from oncoclaims.ingest import ingest

    start = time.perf_counter()
    with ClaimStore.open(Path(directory) / "store") as store:
        report = ingest(Path(directory) / "input", store)  # reading the file is part of ingest
        seconds = time.perf_counter() - start
        quads = len(store)
        with open(Path(directory) / "dump.nq", "wb") as out:
            store.inner.dump(out, pyoxigraph.RdfFormat.N_QUADS)
    peak = _peak_mib()
    results.put({"seconds": seconds, "records": report.records, "quads": quads, "peak_mib": peak})


def _bulk_load(directory: str, results: multiprocessing.Queue) -> None:
    import pyoxigraph

    store = pyoxigraph.Store(str(Path(directory) / "raw"))
    start = time.perf_counter()
    store.bulk_load(path=str(Path(directory) / "dump.nq"), format=pyoxigraph.RdfFormat.N_QUADS)
    store.flush()
    seconds = time.perf_counter() - start
    peak = _peak_mib()
    results.put({"seconds": seconds, "quads": len(store), "peak_mib": peak})


def _peak_mib() -> float:
    """This process's peak resident memory (``VmHWM``), in MiB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise SystemExit("no VmHWM in /proc/self/status: peak memory needs Linux")


def _in_child(target, *args) -> dict:
    # spawn, not fork: a forked child would count the parent's pages (the generated input)
    # in its peak memory
    context = multiprocessing.get_context("spawn")
    results = context.Queue()
    process = context.Process(target=target, args=(*args, results))
    process.start()
    process.join()
    if process.exitcode != 0:
        raise SystemExit(f"{target.__name__} failed in its child process (exit {process.exitcode})")
    return results.get()


def measure(name: str, data: bytes) -> None:
    """Ingest ``data`` and bulk-load the same quads; print both rates and the ratio."""
    with tempfile.TemporaryDirectory() as directory:
        (Path(directory) / "input").write_bytes(data)
        ours = _in_child(_ingest, directory)
        raw = _in_child(_bulk_load, directory)
    ours_rate = ours["quads"] / ours["seconds"]
    raw_rate = raw["quads"] / raw["seconds"]
    print(
        f"{name}: {ours['records']} records, {ours['quads']} quads, {len(data) / 2**20:.1f} MiB input\n"
        f"  oncoclaims ingest : {ours['seconds']:.2f} s  {ours['records'] / ours['seconds']:,.0f} records/s  "
        f"{ours_rate:,.0f} quads/s  peak {ours['peak_mib']:.0f} MiB\n"
        f"  pyoxigraph bulk_load N-Quads: {raw['seconds']:.2f} s  {raw_rate:,.0f} quads/s  "
        f"peak {raw['peak_mib']:.0f} MiB\n"
        f"  ratio ingest/bulk_load: {ours_rate / raw_rate:.2f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=10_000)
    parser.add_argument("--only", choices=["pubmed", "ctgov"])
    args = parser.parse_args()
    if args.only in (None, "pubmed"):
        measure("PubMed XML", pubmed_input(args.records))
    if args.only in (None, "ctgov"):
        measure("ClinicalTrials.gov v2 JSON Lines", ctgov_input(args.records))


if __name__ == "__main__":
    main()
