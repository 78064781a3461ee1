"""Exports: GraphML for Gephi, Cytoscape, yEd and graphology (:mod:`oncoclaims.graph.graphml`); RDF dumps."""

from __future__ import annotations

from typing import IO

import pyoxigraph as ox

from oncoclaims.graph.graphml import GRAPHML_KEYS, write_graphml
from oncoclaims.graph.store import ClaimStore

__all__ = ["DUMP_FORMATS", "GRAPHML_KEYS", "dump", "write_graphml"]

#: ``oncoclaims export FORMAT``: the RDF dump formats.
DUMP_FORMATS: dict[str, ox.RdfFormat] = {
    "ttl": ox.RdfFormat.TURTLE,
    "trig": ox.RdfFormat.TRIG,
    "nq": ox.RdfFormat.N_QUADS,
    "nt": ox.RdfFormat.N_TRIPLES,
    "jsonld": ox.RdfFormat.JSON_LD,
}


def dump(store: ClaimStore, out: IO[bytes], fmt: str) -> None:
    """Write every quad of the store to ``out`` in an RDF format of :data:`DUMP_FORMATS`.

    Triple-only formats (Turtle, N-Triples) get the union of all named graphs.
    """
    store.dump(out, DUMP_FORMATS[fmt])
