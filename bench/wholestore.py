"""Whole-store work on each backend side by side, in one run: embedded pyoxigraph, an Oxigraph
server and Virtuoso, on synthetic claims from ``bench/generate.py``.

Per size and backend: ingest (the generated quads and the ontology, written once as an N-Quads
file under ``--data`` and bulk-loaded from it: pyoxigraph's ``bulk_load`` of the file on the
embedded store, the backend's ``bulk_load`` of the parsed file in chunks on the Oxigraph
server (its ``no_transaction`` load), Virtuoso's own loader reading the file itself
(``ld_add`` + ``rdf_loader_run`` through ``isql-vt``, ``VirtuosoLoader.load_file``), one
claim's status (``claim_statuses.rq`` with ``$claim``, p50 of 50 claims; ``walk``: by
``claim_status``, the projection of its neighbourhood, p50 of 20), the full confirmation
report of one claim, every claim's status by each engine
(``tables``: edge tables read into Python; ``server``: counted by the server), the
institution metrics by each engine (statuses given), and on the embedded store the GraphML
export with statuses; ``statuses+metrics``: the metrics without statuses given, which
computes them on the tables it reads anyway (the issue's target: both at 1M claims < 60 s).
Ratios are against the embedded store's ``tables`` engine, the
baseline, in the same run.

    .venv/bin/python bench/wholestore.py 10000 100000            # starts both servers itself
    .venv/bin/python bench/wholestore.py 100000 --skip virtuoso --limit 600
    .venv/bin/python bench/wholestore.py 2000 --skip one-status --skip statuses   # one report
    .venv/bin/python bench/wholestore.py 1000000 --data /big/disk --skip oxigraph \
        --skip embedded --skip graphml --skip one-status --virtuoso-buffers 1000000

At 1M claims (31M quads) nothing holds the quads in memory: the file is written while
generated and each backend reads it back as it loads.

The one-status column runs ``claim_statuses.rq`` for one claim: since the query keeps its
parties' unions in sub-selects (for Virtuoso, docs/deployment.md), pyoxigraph evaluates
those for every claim even when ``$claim`` is given, so it costs seconds at a few thousand
claims; ``--skip one-status`` above that.

The servers run from the test helpers (tests/stores/backend_servers.py) in temporary
folders on loopback ports, Virtuoso with ``ResultSetMaxRows`` raised above the largest
table (a deployment does the same for whole-store work) and allowed to read ``--data``,
and are stopped by PID. Virtuoso's memory is ``--virtuoso-buffers`` pages of 8 KiB
(Virtuoso's own guide: about two thirds of the RAM it may use; 31M quads need far more than
the tests' 20,000).
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
import io
import random
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from oncoclaims import queries
from oncoclaims.backends import Backend, EmbeddedBackend, SparqlBackend
from oncoclaims.errors import OncoclaimsError
from oncoclaims.graph.confirmation import claim_status, confirmation_report
from oncoclaims.graph.graphml import write_graphml
from oncoclaims.graph.store import ClaimStore
from oncoclaims.graph.wholestore import compute_institution_metrics, compute_statuses
from oncoclaims.ontology import ontology_quads
from oncoclaims.vocab import GRAPH_BASE

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests" / "stores"))
from backend_servers import (
    oxigraph_backend,
    oxigraph_binary,
    run_oxigraph,
    run_virtuoso,
    virtuoso_backend,
    virtuoso_binary,
    virtuoso_loader,
)
from generate import ex, triples

GRAPH = ox.NamedNode(GRAPH_BASE + "bench/synthetic")


def synthetic(claims: int) -> list[ox.Quad]:
    """bench/generate.py's graph in one project graph, and the ontology."""
    return list(_synthetic_quads(claims))


def _synthetic_quads(claims: int) -> Iterator[ox.Quad]:
    for s, p, o in triples(claims):
        yield ox.Quad(s, p, o, GRAPH)  # type: ignore[arg-type]
    yield from ontology_quads()


def synthetic_file(claims: int, folder: Path) -> tuple[Path, int]:
    """The graph of :func:`synthetic` as N-Quads in ``folder`` (written once, streamed) and its
    number of quads."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"wholestore-synthetic-{claims}.nq"
    if not path.exists():
        partial = path.with_suffix(".partial")
        with partial.open("wb") as out:
            ox.serialize(_synthetic_quads(claims), out, ox.RdfFormat.N_QUADS)
        partial.rename(path)
    with path.open("rb") as lines:
        count = sum(chunk.count(b"\n") for chunk in iter(lambda: lines.read(1 << 24), b""))
    return path, count


def _load(backend: Backend, path: Path) -> None:
    """Bulk-load the N-Quads file: pyoxigraph's own loader on the embedded store, the
    backend's chunked ``bulk_load`` of the parsed file on a server."""
    if isinstance(backend, EmbeddedBackend):
        backend.inner.bulk_load(path=str(path), format=ox.RdfFormat.N_QUADS)
        backend.inner.flush()
        return
    if isinstance(backend, SparqlBackend) and backend.loader is not None:
        backend.loader.load_file(path)  # the server reads the file itself
        return
    backend.bulk_load(ox.parse(path=str(path), format=ox.RdfFormat.N_QUADS))


def _timed(action: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    result = action()
    return time.perf_counter() - start, result


def _guarded(action: Callable[[], Any]) -> tuple[float | str, Any]:
    """Seconds and result, or the error's first words when the backend refused or timed out."""
    try:
        return _timed(action)
    except OncoclaimsError as exc:
        print(f"  ({type(exc).__name__}: {str(exc)[:300]})", file=sys.stderr, flush=True)
        return type(exc).__name__, None


def measure(
    name: str,
    backend: Backend,
    data: tuple[Path, int],
    claims: int,
    server_statuses_max: int,
    skip: frozenset[str] = frozenset(),
    settle: float = 0.0,
) -> dict[str, Any]:
    """Every measure of one backend, as numbers (seconds) or the error met; the columns
    named in ``skip`` (``one-status``, ``metrics`` (both engines), ``metrics-server``,
    ``combined``: statuses and metrics in one call, reading shared tables once, ``graphml``)
    are not run; with ``statuses`` nothing of the whole store is (statuses,
    metrics, GraphML: the report columns only), with ``all-but-load`` nothing after the load.
    ``settle``: seconds to wait after the load before measuring, so that a server's own
    compaction of the loaded files (seconds at 100k claims, docs/deployment.md "After a bulk
    load") is not what the point reads measure."""
    row: dict[str, Any] = {"backend": name}
    path, count = data
    row["ingest"], _ = _timed(lambda: _load(backend, path))
    row["quads/s"] = count / row["ingest"]
    time.sleep(settle)
    if "all-but-load" in skip:
        return row
    status_text = queries.load_query("claim_statuses").text
    chosen = random.Random(7).sample(range(claims), min(50, claims))  # noqa: S311 (a sample)
    picks = [ex("claim", i) for i in chosen]
    depth = ox.Literal(3)
    warm: float | str = "not run"
    if "one-status" not in skip:
        warm, _ = _guarded(
            lambda: backend.select(status_text, {"claim": picks[0], "depth": depth}, union=True)
        )
    if isinstance(warm, float):
        row["one status p50 ms"] = 1000 * statistics.median(
            _timed(
                lambda c=c: backend.select(status_text, {"claim": c, "depth": depth}, union=True)
            )[0]
            for c in picks[: 10 if warm > 0.05 else 50]
        )
    else:
        row["one status p50 ms"] = warm
    store = ClaimStore(backend)  # the report reads through the store's backend, on any backend
    row["one status walk p50 ms"] = 1000 * statistics.median(
        _timed(lambda c=c: claim_status(store, c.value))[0] for c in picks[:20]
    )
    warm_report, _ = _guarded(lambda: confirmation_report(store, picks[0].value))
    if isinstance(warm_report, float):
        row["one report p50 ms"] = 1000 * statistics.median(
            _timed(lambda c=c: confirmation_report(store, c.value))[0]
            for c in picks[: 10 if warm_report > 0.05 else 50]
        )
    else:
        row["one report p50 ms"] = warm_report
    if "statuses" in skip:  # the report columns only: nothing of the whole store
        return row
    row["statuses tables"], statuses = _guarded(lambda: compute_statuses(backend, engine="tables"))
    counted = None
    if (
        isinstance(backend, SparqlBackend) and backend.endpoints.server == "virtuoso"
    ) or claims <= server_statuses_max:
        row["statuses server"], counted = _guarded(
            lambda: compute_statuses(backend, engine="server")
        )
    else:
        row["statuses server"] = "not run"  # minutes already at 2,000 claims (docs/deployment.md)
    row["server = tables"] = counted == statuses if counted is not None else "-"
    row["metrics tables"], _ = (
        ("not run", None)
        if "metrics" in skip
        else _guarded(
            lambda: compute_institution_metrics(backend, engine="tables", statuses=statuses)
        )
    )
    row["statuses+metrics tables"], _ = (
        ("not run", None)
        if "combined" in skip
        else _guarded(lambda: compute_institution_metrics(backend, engine="tables"))
    )
    row["metrics server"], _ = (
        ("not run", None)
        if "metrics-server" in skip or "metrics" in skip
        else _guarded(
            lambda: compute_institution_metrics(backend, engine="server", statuses=statuses)
        )
    )
    row["GraphML"], _ = (
        ("not run", None)
        if "graphml" in skip
        else _guarded(lambda: write_graphml(store, io.BytesIO(), status=True))
    )
    return row


def _backends(
    stack: ExitStack, args: argparse.Namespace, rows: int, data_folder: Path
) -> Iterator[tuple[str, Backend]]:
    if "embedded" not in args.skip:
        folder = stack.enter_context(tempfile.TemporaryDirectory())
        yield "embedded (on disk)", EmbeddedBackend(ox.Store(folder))
    options = {"timeout": args.limit, "write_timeout": args.limit}
    if "oxigraph" not in args.skip and oxigraph_binary():
        server = stack.enter_context(
            run_oxigraph(Path(stack.enter_context(tempfile.TemporaryDirectory())))
        )
        yield "Oxigraph server", oxigraph_backend(server, **options)
    if "virtuoso" not in args.skip and virtuoso_binary():
        server = stack.enter_context(
            run_virtuoso(
                Path(stack.enter_context(tempfile.TemporaryDirectory())),
                max_rows=rows,
                buffers=args.virtuoso_buffers,
                dirs=(data_folder.resolve(),),
                max_seconds=int(args.limit),
            )
        )
        loader = virtuoso_loader(server, data_folder.resolve())
        yield "Virtuoso", virtuoso_backend(server, page_size=rows, loader=loader, **options)


def _text(value: Any, base: Any = None) -> str:
    if isinstance(value, float):
        ratio = f" ({value / base:.2f}x)" if isinstance(base, float) and base > 0 else ""
        return f"{value:,.1f}{ratio}" if value >= 10 else f"{value:.2f}{ratio}"
    return str(value)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("sizes", type=int, nargs="+", help="claims per run (about 31 quads each)")
    parser.add_argument(
        "--skip",
        action="append",
        default=[],
        choices=[
            "embedded",
            "oxigraph",
            "virtuoso",
            "one-status",
            "statuses",
            "metrics",
            "metrics-server",
            "combined",
            "graphml",
            "all-but-load",
        ],
        help="a backend, or a column, left out (repeat for several)",
    )
    parser.add_argument(
        "--data",
        type=Path,
        default=None,
        help="folder for the generated N-Quads files, kept for later runs "
        "(default: a temporary folder, removed after the run)",
    )
    parser.add_argument(
        "--virtuoso-buffers",
        type=int,
        default=200_000,
        help="Virtuoso's NumberOfBuffers (8 KiB pages; 1,000,000 for 1M claims)",
    )
    parser.add_argument(
        "--limit", type=float, default=600, help="seconds a server request may take"
    )
    parser.add_argument(
        "--server-statuses-max",
        type=int,
        default=2_000,
        help="largest size at which pyoxigraph and Oxigraph count every status "
        "by the server (minutes at 2,000 claims); Virtuoso always does",
    )
    parser.add_argument(
        "--settle",
        type=float,
        default=0.0,
        help="seconds to wait after each load before measuring (a server compacts what a "
        "bulk load wrote in the background; docs/deployment.md, 'After a bulk load')",
    )
    args = parser.parse_args()
    skip = frozenset(args.skip)
    for claims in args.sizes:
        results = []
        with ExitStack() as stack:
            folder = args.data or Path(stack.enter_context(tempfile.TemporaryDirectory()))
            start = time.perf_counter()
            data = synthetic_file(claims, folder)
            print(
                f"{claims:,} claims: {data[1]:,} quads in {data[0]} "
                f"({time.perf_counter() - start:.0f} s to write or count)",
                flush=True,
            )
            for name, backend in _backends(stack, args, max(100_000, 4 * claims), folder):
                results.append(
                    measure(
                        name, backend, data, claims, args.server_statuses_max, skip, args.settle
                    )
                )
                print(
                    f"{claims:,} claims, {name}: "
                    + ", ".join(
                        f"{k} {_text(v)}" for k, v in results[-1].items() if k != "backend"
                    ),
                    flush=True,
                )
                backend.close()
        base = results[0]
        columns = [c for c in dict.fromkeys(k for r in results for k in r)]
        print(
            f"\n{claims:,} claims, {data[1]:,} quads; seconds unless named; (x): ratio to "
            f"the embedded store's value in the same column, the baseline"
        )
        print("| " + " | ".join(columns) + " |")
        print("|" + "---|" * len(columns))
        for row in results:
            print(
                "| "
                + " | ".join(
                    _text(row.get(c, "-"), None if row is base or c == "backend" else base.get(c))
                    for c in columns
                )
                + " |"
            )
        print(flush=True)


if __name__ == "__main__":
    main()
