"""What the store already knows that an ingester may use while reading an input.

Ingesters stay pure: they never query the store. :func:`oncoclaims.ingest.ingest_bytes`
reads an :class:`IngestContext` from the store once, before the batch, and hands it to
an ingester that asks for one (by having a ``with_context`` method), which returns a
configured copy of itself.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from oncoclaims import queries
from oncoclaims.graph.store import ClaimStore

__all__ = ["IngestContext", "read_context"]


@dataclass(frozen=True, slots=True)
class IngestContext:
    """Facts from the store an ingester may use.

    :param therapy_names: each known therapy's label -> its synonyms (``skos:altLabel``).
    """

    therapy_names: dict[str, tuple[str, ...]] = field(default_factory=dict)


def read_context(store: ClaimStore) -> IngestContext:
    """Read the context from ``store`` (the named query ``therapy_names``)."""
    names: dict[str, list[str]] = {}
    for row in queries.select(store, "therapy_names"):
        synonyms = names.setdefault(row["label"].value, [])
        synonym = row.get("synonym")
        if synonym is not None and synonym.value not in synonyms:
            synonyms.append(synonym.value)
    return IngestContext({label: tuple(synonyms) for label, synonyms in names.items()})
