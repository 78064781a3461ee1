"""Ingest on each backend, this checkout against a baseline commit, in one run.

A batch of N real records replicated with identifiers of their own (MEDLINE citations from
tests/data/pubmed/medline16n0902-oncology-subset.xml, each copy with its own PMID and DOI,
so that institution names and DOIs are looked up as in real ingest) is ingested into a
fresh embedded store on disk, a fresh Oxigraph server and a fresh Virtuoso, then ingested
again (nothing new). Each measurement runs in a child process with the code of this
checkout or of the baseline (``git archive`` of it), and counts the HTTP requests it sends.

    .venv/bin/python bench/server_ingest.py --records 300 --baseline 7bc084f
"""

from __future__ import annotations

import os
import sys

# bench/http.py would shadow the standard library's `http` (httpx imports it): off the path.
# ruff: noqa: E402
_HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:] = [entry for entry in sys.path if os.path.abspath(entry or os.curdir) != _HERE]

import argparse
import collections
import json
import subprocess
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MEDLINE = ROOT / "tests" / "data" / "pubmed" / "medline16n0902-oncology-subset.xml"
BACKENDS = ("embedded", "oxigraph", "virtuoso")


def copies(records: int, first: int = 90_000_001) -> bytes:
    """A MedlineCitationSet of ``records`` copies of the subset's citations in turn, each with
    a PMID and DOI of its own."""
    text = MEDLINE.read_text(encoding="utf-8")
    close = "</MedlineCitation>"
    start = text.index("<MedlineCitation ")
    body = text[start : text.rindex(close) + len(close)]
    citations = [c + close for c in body.split(close) if c.strip()]
    out = []
    for n in range(records):
        citation = citations[n % len(citations)].strip()
        pmid = citation[citation.index("<PMID") : citation.index("</PMID>")].rsplit(">", 1)[1]
        citation = citation.replace(pmid, str(first + n))
        if 'EIdType="doi"' in citation:
            at = citation.index('EIdType="doi"')
            doi = citation[citation.index(">", at) + 1 : citation.index("</ELocationID>", at)]
            citation = citation.replace(doi, f"{doi}.bench{n}")
        out.append(citation)
    return (text[:start] + "\n".join(out) + text[text.rindex(close) + len(close) :]).encode()


def _measure(kind: str, where: str, path: Path) -> dict[str, float]:
    """In the child: ingest the file twice into the store ``where`` names; time and requests."""
    import httpx

    from oncoclaims.backends import SparqlBackend, SparqlEndpoints
    from oncoclaims.graph.store import ClaimStore
    from oncoclaims.ingest import ingest_bytes

    seen: collections.Counter[str] = collections.Counter()
    if kind == "embedded":
        store = ClaimStore.open(where)
    else:
        if kind == "oxigraph":
            backend = SparqlBackend(SparqlEndpoints.oxigraph(where))
        else:
            auth = httpx.DigestAuth("dba", "dba")  # a fresh database's documented default
            backend = SparqlBackend(SparqlEndpoints.virtuoso(where), auth=auth)
        backend._client.event_hooks["request"] = [lambda r: seen.update(["r"])]
        store = ClaimStore(backend)
    data = path.read_bytes()
    found: dict[str, float] = {}
    for step in ("first", "again"):
        seen.clear()
        began = time.perf_counter()
        report = ingest_bytes(data, path.name, store)
        found[step + "_s"] = time.perf_counter() - began
        found[step + "_requests"] = seen["r"]
        found[step + "_quads"] = report.quads_added
        found["records"] = report.records
    store.close()
    return found


def _run(code: Path, kind: str, where: str, path: Path) -> dict[str, float]:
    env = dict(os.environ, PYTHONPATH=str(code))
    answer = subprocess.run(  # noqa: S603
        [sys.executable, __file__, "--measure", kind, "--where", where, "--file", str(path)],
        env=env, capture_output=True, text=True, check=True, cwd=code,
    )
    return json.loads(answer.stdout.strip().splitlines()[-1])


def main() -> None:
    """Measure this checkout and the baseline on each backend; print one table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=300)
    parser.add_argument("--baseline", default="7bc084f", help="the commit to compare with")
    parser.add_argument("--skip", default="", help="backends to leave out, comma-separated")
    parser.add_argument("--measure", help=argparse.SUPPRESS)
    parser.add_argument("--where", help=argparse.SUPPRESS)
    parser.add_argument("--file", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(_measure(args.measure, args.where, Path(args.file))))
        return
    sys.path.insert(0, str(ROOT / "tests" / "stores"))
    from backend_servers import oxigraph_binary, run_oxigraph, run_virtuoso, virtuoso_binary

    kinds = [k for k in BACKENDS if k not in args.skip.split(",")]
    print(f"records: {args.records}; baseline: {args.baseline}; load average before: "
          f"{' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    print("| backend | code | ingest s | records/s | requests | ingest again s | requests again "
          "| quads |")
    print("|---|---|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        path = folder / "copies.xml"
        path.write_bytes(copies(args.records))
        baseline = folder / "baseline"
        baseline.mkdir()
        archive = subprocess.run(["git", "-C", str(ROOT), "archive", args.baseline],  # noqa: S603 S607
                                 capture_output=True, check=True).stdout
        subprocess.run(["tar", "-x", "-C", str(baseline)], input=archive, check=True)  # noqa: S603 S607
        for kind in kinds:
            program = {"oxigraph": oxigraph_binary, "virtuoso": virtuoso_binary}.get(kind)
            if program is not None and program() is None:
                print(f"| {kind} | skipped: no server program | | | | | | |")
                continue
            for name, code in (("baseline", baseline), ("now", ROOT)):
                with ExitStack() as stack:
                    place = Path(stack.enter_context(tempfile.TemporaryDirectory(dir=tmp)))
                    if kind == "embedded":
                        where = str(place / "store")
                    elif kind == "oxigraph":
                        where = stack.enter_context(run_oxigraph(place)).base
                    else:
                        where = stack.enter_context(run_virtuoso(place)).base
                    found = _run(code, kind, where, path)
                n = found["records"]
                print(f"| {kind} | {name} | {found['first_s']:.2f} | {n / found['first_s']:.0f} | "
                      f"{found['first_requests']:.0f} | {found['again_s']:.2f} | "
                      f"{found['again_requests']:.0f} | {found['first_quads']:.0f} |", flush=True)
    print(f"load average after: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
