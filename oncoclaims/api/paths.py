"""Where the HTTP service serves its standard protocols (so each can name the other)."""

from __future__ import annotations

__all__ = ["GRAPH_STORE_PATH"]

#: The SPARQL 1.1 Graph Store HTTP Protocol (:mod:`oncoclaims.api.graph_store`).
GRAPH_STORE_PATH = "/rdf-graphs"
