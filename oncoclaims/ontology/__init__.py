"""Placeholder until the ontology lands: no quads."""

from __future__ import annotations

from pyoxigraph import NamedNode, Quad

from oncoclaims.vocab import GRAPH_BASE

__all__ = ["ONTOLOGY_GRAPH", "ontology_quads"]

ONTOLOGY_GRAPH = NamedNode(GRAPH_BASE + "ontology")


def ontology_quads() -> list[Quad]:
    """Return the ontology's quads (none yet)."""
    return []
