"""The backends side by side: embedded pyoxigraph, an Oxigraph server and Virtuoso, in one run.

For each backend: bulk load of generated quads, a point query (one subject's quads, p50 of
50), count by predicate and a join + group (``predicate_counts.rq``, ``two_step_counts.rq``).
The quads are made up (entities linked to hubs linked to categories, a graph per thousand
entities); sizes are arguments.

    .venv/bin/python bench/backends.py 20000                     # starts both servers itself
    .venv/bin/python bench/backends.py 1000000 --oxigraph http://127.0.0.1:7878 \\
        --virtuoso http://127.0.0.1:8890 --virtuoso-user dba --virtuoso-password dba

With ``--start`` (the default when no URL is given) the servers run from the test helpers
(tests/stores/backend_servers.py) in temporary folders and are stopped by PID afterwards.
"""

from __future__ import annotations

import os
import sys

# bench/http.py would shadow the standard library's `http` (which httpx imports) for scripts
# run from this folder: take the folder off the import path first, hence the imports after it.
# ruff: noqa: E402
_HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:] = [entry for entry in sys.path if os.path.abspath(entry or os.curdir) != _HERE]

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path

import httpx
import pyoxigraph as ox

from oncoclaims import queries
from oncoclaims.backends import Backend, EmbeddedBackend, SparqlBackend, SparqlEndpoints
from oncoclaims.vocab import GRAPH_BASE

EX = "urn:oncoclaims:bench:"
LINK, IN_CATEGORY, LABEL = (ox.NamedNode(EX + p) for p in ("link", "inCategory", "label"))


def generate(n: int) -> Iterator[ox.Quad]:
    """``n`` entities, each with a label and a link to one of n/100 hubs; hubs in 10 categories."""
    hubs = max(1, n // 100)
    for i in range(n):
        graph = ox.NamedNode(f"{GRAPH_BASE}bench/{i // 1000}")
        entity = ox.NamedNode(f"{EX}e{i}")
        yield ox.Quad(entity, LABEL, ox.Literal(f"entity {i}"), graph)
        yield ox.Quad(entity, LINK, ox.NamedNode(f"{EX}h{i % hubs}"), graph)
    for h in range(hubs):
        graph = ox.NamedNode(f"{GRAPH_BASE}bench/hubs")
        yield ox.Quad(ox.NamedNode(f"{EX}h{h}"), IN_CATEGORY, ox.NamedNode(f"{EX}c{h % 10}"), graph)


def _time(action: Callable[[], object]) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def measure(name: str, backend: Backend, n: int) -> dict[str, str]:
    """Load and query one backend; each measure as text for the table."""
    quads = list(generate(n))
    load = _time(lambda: backend.bulk_load(quads))
    point = queries.load_query("backend_quads").text
    samples = [
        _time(lambda i=i: backend.select(point, {"s": ox.NamedNode(f"{EX}e{(i * 7919) % n}")}))
        for i in range(50)
    ]
    counts = _time(lambda: backend.select(queries.load_query("predicate_counts").text))
    join = _time(
        lambda: backend.select(
            queries.load_query("two_step_counts").text, {"first": LINK, "second": IN_CATEGORY}
        )
    )
    return {
        "backend": name,
        "load quads/s": f"{len(quads) / load:,.0f}",
        "point p50 ms": f"{statistics.median(samples) * 1000:.2f}",
        "count by predicate ms": f"{counts * 1000:.1f}",
        "join + group ms": f"{join * 1000:.1f}",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "entities",
        type=int,
        nargs="?",
        default=10_000,
        help="generated entities (about 2 quads each; default 10,000)",
    )
    parser.add_argument("--oxigraph", help="base URL of a running oxigraph serve (else started)")
    parser.add_argument("--virtuoso", help="base URL of a running Virtuoso (else started)")
    parser.add_argument("--virtuoso-user", default="dba")
    parser.add_argument("--virtuoso-password", default="dba")
    parser.add_argument("--skip", action="append", default=[], choices=["oxigraph", "virtuoso"])
    args = parser.parse_args()
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests" / "stores"))
    from backend_servers import (
        oxigraph_binary,
        run_oxigraph,
        run_virtuoso,
        virtuoso_binary,
    )

    with ExitStack() as stack:
        # on disk, as a deployment keeps it and as the servers keep theirs
        folder = stack.enter_context(tempfile.TemporaryDirectory())
        embedded = EmbeddedBackend(ox.Store(folder))
        rows = [measure("embedded (pyoxigraph, on disk)", embedded, args.entities)]
        if "oxigraph" not in args.skip and (args.oxigraph or oxigraph_binary()):
            base = (
                args.oxigraph
                or stack.enter_context(
                    run_oxigraph(Path(stack.enter_context(tempfile.TemporaryDirectory())))
                ).base
            )
            rows.append(
                measure(
                    "Oxigraph server",
                    SparqlBackend(SparqlEndpoints.oxigraph(base), timeout=600, write_timeout=600),
                    args.entities,
                )
            )
        if "virtuoso" not in args.skip and (args.virtuoso or virtuoso_binary()):
            base = (
                args.virtuoso
                or stack.enter_context(
                    run_virtuoso(Path(stack.enter_context(tempfile.TemporaryDirectory())))
                ).base
            )
            auth = httpx.DigestAuth(args.virtuoso_user, args.virtuoso_password)
            rows.append(
                measure(
                    "Virtuoso",
                    SparqlBackend(
                        SparqlEndpoints.virtuoso(base), auth=auth, timeout=600, write_timeout=600
                    ),
                    args.entities,
                )
            )
    columns = list(rows[0])
    print(f"{args.entities:,} entities, {2 * args.entities + max(1, args.entities // 100):,} quads")
    print("| " + " | ".join(columns) + " |")
    print("|" + "---|" * len(columns))
    for row in rows:
        print("| " + " | ".join(row[c] for c in columns) + " |")


if __name__ == "__main__":
    main()
