"""Trace throughput, and what reading study references and voices adds to news ingest.

Replicates the 12 real FakeHealth stories of tests/data/news into N stories with new
identifiers (a numbered title, URL and closing line, so each text and graph is new), then:

1. ingests them into a fresh in-memory store with study references and voices switched
   off (``find_origin`` returning nothing: the ingest of before this stage), and again
   into another fresh store as shipped; the ratio is stories/s with over without;
2. traces them as ``oncoclaims trace`` does (:func:`oncoclaims.trace_store.trace_input`
   for each story, which ingests it, then one same-study grouping of the store and the
   JSON document), into a fresh store: stories/s.

Run on demand (not part of the test suite)::

    .venv/bin/python bench/trace.py --stories 100 --repeat 2
"""

from __future__ import annotations

import os
import sys

_HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:] = [entry for entry in sys.path if os.path.abspath(entry or os.curdir) != _HERE]

# ruff: noqa: E402
import argparse
import json
import tempfile
import time
from pathlib import Path
from unittest import mock

from oncoclaims.graph.store import ClaimStore
from oncoclaims.ingest import ingest, news
from oncoclaims.trace import trace_document
from oncoclaims.trace_store import refresh_study_groups, trace_input

NEWS = Path(__file__).resolve().parents[1] / "tests" / "data" / "news"


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


def _ingest_all(paths: list[Path]) -> float:
    store = ClaimStore.in_memory()
    start = time.perf_counter()
    for path in paths:
        ingest(path, store)
    return time.perf_counter() - start


def main() -> None:
    """Run the three measurements and print them."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--stories", type=int, default=100)
    parser.add_argument(
        "--repeat", type=int, default=2, help="runs of each ingest; the best counts"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        paths = _replicate(args.stories, Path(tmp))
        # The machine is shared: interleave the two and keep each one's best run.
        without, with_origin = float("inf"), float("inf")
        for _ in range(args.repeat):
            with mock.patch.object(news, "find_origin", lambda text, language: news.StoryOrigin()):
                without = min(without, _ingest_all(paths))
            news.find_origin.cache_clear()
            with_origin = min(with_origin, _ingest_all(paths))
        news.find_origin.cache_clear()
        store = ClaimStore.in_memory()
        start = time.perf_counter()
        traces = [trace_input(store, str(path)) for path in paths]
        groups, candidates = refresh_study_groups(store)
        document = trace_document(traces, groups)
        traced = time.perf_counter() - start
    n = args.stories
    print(f"stories: {n}")
    print(
        f"ingest without study references and voices: {without:.1f} s, {n / without:.1f} stories/s"
    )
    print(
        f"ingest with them: {with_origin:.1f} s, {n / with_origin:.1f} stories/s "
        f"({without / with_origin:.2f}x the throughput without)"
    )
    print(
        f"trace (ingest + grouping + JSON): {traced:.1f} s, {n / traced:.1f} stories/s; "
        f"{len(groups)} shared studies, {len(candidates)} candidate matches, "
        f"{len(document['stories'])} stories traced"
    )


if __name__ == "__main__":
    main()
