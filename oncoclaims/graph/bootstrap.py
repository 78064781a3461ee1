"""Opening a store ready for use: the ontology always current, the reference graph in an empty store."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox

from oncoclaims.backends.settings import BackendSettings
from oncoclaims.graph.store import ClaimStore
from oncoclaims.ontology import ONTOLOGY_GRAPH, ontology_quads
from oncoclaims.reference import reference_quads, reference_records

__all__ = ["ensure_ontology", "open_store", "prepare"]


def ensure_ontology(store: ClaimStore) -> None:
    """Make the store's ontology graph equal to the bundled ontology (levels, ranks, schemes)."""
    bundled = ontology_quads()
    held = list(store.quads(graph=ONTOLOGY_GRAPH))
    if len(held) == len(set(bundled)) and _named(held) == _named(bundled):
        return  # the same (a server gives the blank nodes labels of its own)
    store.remove_graph(ONTOLOGY_GRAPH)
    store.extend(bundled)


def _named(quads: list[ox.Quad]) -> set[ox.Quad]:
    return {q for q in quads
            if not isinstance(q.subject, ox.BlankNode) and not isinstance(q.object, ox.BlankNode)}


def open_store(
    path: str | Path | None = None,
    *,
    memory: bool = False,
    with_reference: bool = True,
    settings: BackendSettings | None = None,
) -> ClaimStore:
    """Open the store at ``path`` (default location when ``None``), or a fresh one in memory,
    or the backend ``settings`` name (a SPARQL server: ``--backend sparql``, or the embedded
    store at ``settings.store_path``). The CLI opens every store here, ``serve`` included.

    The bundled ontology is (re)loaded when it differs from what the store holds, and an
    empty store gets the reference graph unless ``with_reference`` is false: the Enteromix
    case read from the seed article, and the real trial and publication records bundled
    beside it, ingested like any other input (each with its provenance).

    :raises StoreError: when the on-disk store cannot be opened, or the server cannot be
        reached (``BackendUnavailableError``, naming the URL and the option to check).
    :raises ConfigError: settings that cannot be used, or credentials the server refuses.
    """
    if memory:
        store = ClaimStore.in_memory()
    elif settings is not None and settings.kind != "embedded":
        store = ClaimStore.from_settings(settings)
    else:
        store = ClaimStore.open(path if path is not None else settings and settings.store_path)
    prepare(store, with_reference=with_reference)
    return store


def prepare(store: ClaimStore, *, with_reference: bool = True) -> None:
    """Make the ontology current, and give an empty store the reference graph (unless
    ``with_reference`` is false), whichever backend holds it."""
    was_empty = store.is_empty()
    ensure_ontology(store)
    if was_empty and with_reference:
        from oncoclaims.ingest import ingest_bytes

        store.extend(reference_quads())
        for origin, data in reference_records():
            ingest_bytes(data, origin, store)
