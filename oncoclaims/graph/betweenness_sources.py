"""Betweenness counted from some source nodes only, in a process of its own.

Sampled betweenness (:func:`oncoclaims.graph.metrics.betweenness`) is a sum over its source
nodes, and igraph holds Python's interpreter lock while it counts, so a thread cannot use
the second core. :func:`split_betweenness` gives half of the sources to a worker: this file
run by the same Python as a script (it imports only igraph, and no caller's main module is
imported again, as multiprocessing's spawn would), the graph handed over as igraph's own
edge-list file, written and read in C, the values sent back as raw doubles. The other half
is counted here meanwhile. The sum is the same up to the order of floating-point additions.
If the worker fails, its half is counted here (the same numbers, later) with a warning.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import warnings
from array import array

import igraph as ig

__all__ = ["betweenness_from_file", "split_betweenness"]


def betweenness_from_file(path: str, nodes: int, sources: list[int]) -> list[float]:
    """Undirected betweenness counted from ``sources`` on the graph of the edge-list file
    ``path`` with ``nodes`` nodes (the worker's side of :func:`split_betweenness`)."""
    graph = ig.Graph.Read_Edgelist(path, directed=False)
    if graph.vcount() < nodes:  # nodes after the last one an edge names
        graph.add_vertices(nodes - graph.vcount())
    return graph.betweenness(directed=False, sources=sources)


def split_betweenness(network: ig.Graph, sources: list[int]) -> list[float]:
    """Undirected betweenness of ``network`` counted from ``sources``: the first half in a
    worker process, the second half here, at the same time; summed."""
    half = len(sources) // 2
    with tempfile.TemporaryDirectory(prefix="oncoclaims-betweenness-") as folder:
        path = os.path.join(folder, "edges.txt")
        network.write_edgelist(path)
        command = [sys.executable, os.path.abspath(__file__), path, str(network.vcount())]
        worker = subprocess.Popen(  # noqa: S603 (this file, run by this Python)
            [*command, *map(str, sources[:half])],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
        ours = network.betweenness(directed=False, sources=sources[half:])
        output, _ = worker.communicate()
    theirs = array("d")
    if worker.returncode == 0 and len(output) == 8 * network.vcount():
        theirs.frombytes(output)
    else:
        warnings.warn(
            f"the betweenness worker process failed (exit {worker.returncode}); "
            "its half of the samples is counted in this process",
            RuntimeWarning,
            stacklevel=2,
        )
        theirs.extend(network.betweenness(directed=False, sources=sources[:half]))
    return [a + b for a, b in zip(theirs, ours, strict=True)]


if __name__ == "__main__":
    values = betweenness_from_file(sys.argv[1], int(sys.argv[2]), [int(s) for s in sys.argv[3:]])
    sys.stdout.buffer.write(array("d", values).tobytes())
