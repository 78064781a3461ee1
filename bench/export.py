"""GraphML export benchmark: oncoclaims' streaming ``write_graphml`` against networkx.

On synthetic stores from ``bench/generate.py``, opened read-only (never written), each
step runs in a fresh child process (``spawn``) so that its peak memory (``ru_maxrss``) is
its own:

* ``read``: only reading every quad of the store (subject, predicate, object), the floor
  under both writers: what the store costs to read, in time and memory;
* ``oncoclaims``: :func:`oncoclaims.graph.export.write_graphml` of the whole graph,
  without claim statuses (``status=False``: the same content as networkx writes); with
  ``--status`` as users get it by default, every claim's status computed first;
* ``networkx``: the same graph projected with :func:`oncoclaims.graph.projection.to_networkx`,
  then ``networkx.write_graphml`` (node ``types`` joined into a string first: networkx
  cannot write list attributes).

Both write to a file in a temporary directory (removed afterwards). Reported per step:
wall time, CPU time (user + system; less disturbed by other processes on a shared
machine), peak RSS, the RSS once the store is open (what the step itself adds is the
difference), nodes, edges and file size; then the networkx/oncoclaims ratios.

Run on demand (not part of the test suite)::

    .venv/bin/python bench/generate.py 100000 bench/data/100k
    .venv/bin/python bench/export.py bench/data/100k/store bench/data/1m/store
    .venv/bin/python bench/export.py --no-networkx bench/data/1m/store   # networkx needs >10 GB at 1M
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
import multiprocessing
import resource
import tempfile
import time
from pathlib import Path



def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _rss_mib() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * resource.getpagesize() / 2**20


def _open(path: str):
    import pyoxigraph as ox

    from oncoclaims.graph.store import ClaimStore

    return ClaimStore(ox.Store.read_only(path), Path(path))


def read_step(path: str, target: str, results) -> None:
    """Every quad read, nothing written."""
    store = _open(path)
    opened, cpu, start = _rss_mib(), _cpu_seconds(), time.perf_counter()
    quads = 0
    for quad in store.inner.quads_for_pattern(None, None, None, None):
        _ = (quad.subject, quad.predicate.value, quad.object)
        quads += 1
    results.put({"seconds": time.perf_counter() - start, "cpu": _cpu_seconds() - cpu, "peak_mib": _peak_mib(),
                 "opened_mib": opened, "quads": quads})


def oncoclaims_step(path: str, target: str, status: bool, results) -> None:
    """Our streaming writer, whole graph."""
    from oncoclaims.graph.export import write_graphml

    store = _open(path)
    opened, cpu, start = _rss_mib(), _cpu_seconds(), time.perf_counter()
    with open(target, "wb") as out:
        nodes, edges = write_graphml(store, out, status=status)
    results.put({"seconds": time.perf_counter() - start, "cpu": _cpu_seconds() - cpu, "peak_mib": _peak_mib(),
                 "opened_mib": opened, "nodes": nodes, "edges": edges, "bytes": Path(target).stat().st_size})


def networkx_step(path: str, target: str, results) -> None:
    """The networkx route: project the whole graph, then ``networkx.write_graphml``."""
    import networkx as nx

    from oncoclaims.graph.projection import to_networkx

    store = _open(path)
    opened, cpu, start = _rss_mib(), _cpu_seconds(), time.perf_counter()
    graph = to_networkx(store)
    projected = time.perf_counter()
    for _, data in graph.nodes(data=True):
        data["types"] = " ".join(data["types"])
    nx.write_graphml(graph, target)
    end = time.perf_counter()
    results.put({"seconds": end - start, "cpu": _cpu_seconds() - cpu, "peak_mib": _peak_mib(), "opened_mib": opened,
                 "project_seconds": projected - start, "write_seconds": end - projected,
                 "nodes": graph.number_of_nodes(), "edges": graph.number_of_edges(),
                 "bytes": Path(target).stat().st_size})


def _child(target, *args) -> dict:
    context = multiprocessing.get_context("spawn")
    results = context.Queue()
    process = context.Process(target=target, args=(*args, results))
    process.start()
    result = results.get()  # before join: a large result would otherwise block the child's exit
    process.join()
    if process.exitcode != 0:
        raise SystemExit(f"{target.__name__} failed (exit {process.exitcode})")
    return result


def _name(path: Path) -> str:
    """``bench/data/100k/store`` -> ``100k``."""
    return path.parent.name if path.name == "store" else path.name


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("stores", type=Path, nargs="+",
                        help="on-disk stores from bench/generate.py (opened read-only)")
    parser.add_argument("--no-networkx", action="store_true", help="only our writer (networkx needs >10 GB at 1M)")
    parser.add_argument("--status", action="store_true", help="our writer with claim statuses (the default for users)")
    parser.add_argument("--tmp", type=Path, default=None, help="where the GraphML files go while measured")
    args = parser.parse_args()
    rows = []
    for store in args.stores:
        if not store.is_dir():
            raise SystemExit(f"{store}: no store there; make one with bench/generate.py")
        with tempfile.TemporaryDirectory(prefix="oncoclaims-export-", dir=args.tmp) as tmp:
            ours = _child(oncoclaims_step, str(store), str(Path(tmp) / "oncoclaims.graphml"), args.status)
            _print_step(_name(store), "oncoclaims", ours)
            read = _child(read_step, str(store), "")
            print(f"{_name(store)} read: {read['seconds']:.1f} s wall, {read['cpu']:.1f} s CPU; "
                  f"peak {read['peak_mib']:.0f} MiB (store open: {read['opened_mib']:.0f} MiB); "
                  f"{read['quads']} quads", flush=True)
            theirs = None
            if not args.no_networkx:
                theirs = _child(networkx_step, str(store), str(Path(tmp) / "networkx.graphml"))
                _print_step(_name(store), "networkx", theirs)
                if (theirs["nodes"], theirs["edges"]) != (ours["nodes"], ours["edges"]):
                    print(f"  counts differ: networkx {theirs['nodes']}/{theirs['edges']}, "
                          f"oncoclaims {ours['nodes']}/{ours['edges']}")
        rows.append((_name(store), read, ours, theirs))
    print()
    print(f"{'store':>6} {'nodes':>9} {'edges':>9} | {'read s':>6} {'cpu s':>6} {'MiB':>5} | {'ours s':>6} {'cpu s':>6} "
          f"{'MiB':>5} | {'nx s':>6} {'cpu s':>6} {'MiB':>5} | {'time x':>6} {'cpu x':>6} {'mem x':>6}")
    for name, read, ours, theirs in rows:
        line = (f"{name:>6} {ours['nodes']:>9} {ours['edges']:>9} | {read['seconds']:>6.1f} {read['cpu']:>6.1f} "
                f"{read['peak_mib']:>5.0f} | {ours['seconds']:>6.1f} {ours['cpu']:>6.1f} {ours['peak_mib']:>5.0f} | ")
        if theirs is None:
            line += f"{'-':>6} {'-':>6} {'-':>5} | {'-':>6} {'-':>6} {'-':>6}"
        else:
            line += (f"{theirs['seconds']:>6.1f} {theirs['cpu']:>6.1f} {theirs['peak_mib']:>5.0f} | "
                     f"{theirs['seconds'] / ours['seconds']:>6.2f} {theirs['cpu'] / ours['cpu']:>6.2f} "
                     f"{theirs['peak_mib'] / ours['peak_mib']:>6.2f}")
        print(line)
    print("(s: wall seconds; cpu s: user + system seconds; MiB: peak RSS; x: networkx / oncoclaims, above 1 means "
          "networkx needs more; read: the store read and nothing written)")


def _print_step(name: str, step: str, result: dict) -> None:
    extra = ""
    if "project_seconds" in result:
        extra = f" (projection {result['project_seconds']:.1f} s, write_graphml {result['write_seconds']:.1f} s)"
    print(f"{name} {step}: {result['seconds']:.1f} s wall, {result['cpu']:.1f} s CPU{extra}; "
          f"peak {result['peak_mib']:.0f} MiB (store open: {result['opened_mib']:.0f} MiB); "
          f"{result['nodes']} nodes, {result['edges']} edges, {result['bytes'] / 2**20:.0f} MiB of GraphML", flush=True)


if __name__ == "__main__":
    main()
