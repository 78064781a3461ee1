"""Trace throughput, and what reading study references and voices adds to news ingest,
against a named baseline (an earlier commit) measured in the same run.

Replicates the 12 real FakeHealth stories of tests/data/news into N stories with new
identifiers (a numbered title, URL and closing line, so each text and graph is new), then
measures, each in a fresh process and a fresh in-memory store:

- ``ingest-without``: news ingest with study references and voices switched off
  (``find_origin`` returning nothing: the ingest of before that stage);
- ``ingest-with``: news ingest as shipped;
- ``trace``: as ``oncoclaims trace`` does: :func:`oncoclaims.trace_store.trace_input` for
  each story (which ingests it), one same-study grouping for the stories traced, and the
  JSON document;
- ``desk``: as ``POST /stories`` does: each story ingested, then grouped with the store's
  (the baseline regroups the whole store after each story: quadratic; run it on fewer
  stories).

Each is run for this checkout and for the baseline commit (``git archive`` of it into a
temporary folder), interleaved, so that both see the same load on the shared machine.
Run on demand (not part of the test suite)::

    .venv/bin/python bench/trace.py --stories 1000 --baseline 80374e9
"""

from __future__ import annotations

import os
import sys

_HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:] = [entry for entry in sys.path if os.path.abspath(entry or os.curdir) != _HERE]

# ruff: noqa: E402
import argparse
import json
import subprocess
import tempfile
import time
from pathlib import Path
from unittest import mock

ROOT = Path(__file__).resolve().parents[1]
NEWS = ROOT / "tests" / "data" / "news"
KINDS = ("ingest-without", "ingest-with", "trace", "desk")


def _replicate(count: int, folder: Path) -> list[Path]:
    samples = [json.loads(p.read_text(encoding="utf-8")) for p in sorted(NEWS.glob("*.json"))]
    paths = []
    for index in range(count):
        record = dict(samples[index % len(samples)])
        record["title"] = f"{record['title']} (replica {index})"
        record["url"] = f"https://example.org/replica/{index}"
        record["text"] = record["text"] + f"\n\nReplica {index} of a FakeHealth story."
        name = (
            "news_reviews_" if index % len(samples) < 3 else "story_reviews_"
        ) + f"{index:05d}.json"
        path = folder / name
        path.write_text(json.dumps(record), encoding="utf-8")
        paths.append(path)
    return paths


def _measure(kind: str, paths: list[Path]) -> dict:
    """One measurement in this process, with the ``oncoclaims`` that PYTHONPATH names."""
    from oncoclaims.graph.store import ClaimStore
    from oncoclaims.ingest import ingest, news
    from oncoclaims.trace import trace_document
    from oncoclaims import trace_store

    ingest(paths[0], ClaimStore.in_memory())  # warm up: dictionaries, compiled patterns
    news.find_origin.cache_clear()
    store = ClaimStore.in_memory()
    if kind == "trace":
        update = getattr(trace_store, "update_study_groups", None)
        start, cpu = time.perf_counter(), time.process_time()
        traces = [trace_store.trace_input(store, str(path)) for path in paths]
        if update is not None:
            groups, candidates = update(store, [t.source for t in traces])
        else:  # the baseline regroups the whole store
            groups, candidates = trace_store.refresh_study_groups(store)
        document = trace_document(traces, groups)
        seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
        return {"seconds": seconds, "cpu": cpu, "groups": len(groups), "stories": len(document["stories"])}
    if kind == "desk":
        update = getattr(trace_store, "update_study_groups", None)
        start, cpu = time.perf_counter(), time.process_time()
        for path in paths:
            trace = trace_store.trace_input(store, str(path))
            if update is not None:
                update(store, [trace.source])
            else:
                trace_store.refresh_study_groups(store)
        return {"seconds": time.perf_counter() - start, "cpu": time.process_time() - cpu}
    start, cpu = time.perf_counter(), time.process_time()
    if kind == "ingest-without":
        with mock.patch.object(news, "find_origin", lambda text, language: news.StoryOrigin()):
            for path in paths:
                ingest(path, store)
    else:
        for path in paths:
            ingest(path, store)
    return {"seconds": time.perf_counter() - start, "cpu": time.process_time() - cpu}


def _run(code: Path, kind: str, folder: Path) -> dict:
    env = {**os.environ, "PYTHONPATH": str(code)}
    answer = subprocess.run(
        [sys.executable, __file__, "--measure", kind, "--folder", str(folder)],
        env=env, capture_output=True, text=True, check=True, cwd=code,
    )
    return json.loads(answer.stdout.strip().splitlines()[-1])


def main() -> None:
    """Measure this checkout and the baseline, interleaved, and print stories/s and ratios."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--stories", type=int, default=1000)
    parser.add_argument("--baseline", default="80374e9", help="the commit to compare with")
    parser.add_argument("--repeat", type=int, default=1, help="runs of each; the best counts")
    parser.add_argument("--kinds", default=",".join(KINDS[:3]), help="which measurements, of " + ", ".join(KINDS))
    parser.add_argument("--measure", choices=KINDS, help=argparse.SUPPRESS)
    parser.add_argument("--folder", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        paths = sorted(Path(args.folder).glob("*.json"))
        print(json.dumps(_measure(args.measure, paths)))
        return
    kinds = args.kinds.split(",")
    with tempfile.TemporaryDirectory() as tmp:
        folder, baseline = Path(tmp) / "stories", Path(tmp) / "baseline"
        folder.mkdir()
        baseline.mkdir()
        _replicate(args.stories, folder)
        archive = subprocess.run(["git", "-C", str(ROOT), "archive", args.baseline],
                                 capture_output=True, check=True).stdout
        subprocess.run(["tar", "-x", "-C", str(baseline)], input=archive, check=True)
        best: dict[tuple[str, str, str], float] = {}
        for _ in range(args.repeat):
            for kind in kinds:
                for name, code in (("baseline", baseline), ("now", ROOT)):
                    found = _run(code, kind, folder)
                    for clock in ("seconds", "cpu"):
                        key = (name, kind, clock)
                        best[key] = min(best.get(key, float("inf")), found[clock])
    n = args.stories
    print(f"stories: {n}; baseline: {args.baseline}; best of {args.repeat}")
    for clock, words in (("seconds", "wall clock"), ("cpu", "CPU time of the process")):
        print(f"-- {words}")
        for kind in kinds:
            then, now = best["baseline", kind, clock], best["now", kind, clock]
            print(f"{kind:15} baseline {n / then:5.1f} stories/s ({then:6.1f} s)   "
                  f"now {n / now:5.1f} stories/s ({now:6.1f} s)   {then / now:.2f}x")
        if {"ingest-without", "ingest-with"} <= set(kinds):
            for name in ("baseline", "now"):
                ratio = best[name, "ingest-without", clock] / best[name, "ingest-with", clock]
                print(f"ingest with / without study references and voices ({name}): {ratio:.2f}x")
            ratio = best["baseline", "ingest-without", clock] / best["now", "ingest-with", clock]
            print(f"ingest with (now) / without (baseline): {ratio:.2f}x")


if __name__ == "__main__":
    main()
