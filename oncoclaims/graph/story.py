"""One story as the fact-checker's desk shows it: its text, and the claims it states at their spans.

:func:`story_view` reads a source's metadata and text (``source_summary.rq``) and its statements
(``source_statements.rq``) and joins them: each claim once, with every span where the story
states it and the hedge and hype markers of those statements. Statuses are added by the caller
(the REST layer keeps them cached).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pyoxigraph import NamedNode

from oncoclaims import queries
from oncoclaims.errors import NotFoundError
from oncoclaims.graph.store import ClaimStore

__all__ = ["StoryClaim", "StoryView", "story_view"]


@dataclass(slots=True)
class StoryClaim:
    """A claim the story states, with where and how."""

    iri: str
    label: str | None
    spans: list[tuple[int, int]] = field(default_factory=list)
    exact: list[str] = field(default_factory=list)
    hedges: list[str] = field(default_factory=list)
    hype: list[str] = field(default_factory=list)


@dataclass(slots=True)
class StoryView:
    """A story's metadata, text and claims, in the order the text states them."""

    source: str
    title: str | None
    type: str | None
    publisher: str | None
    publisher_label: str | None
    date: str | None
    url: str | None
    text: str | None
    claims: list[StoryClaim]

    def to_dict(self) -> dict[str, Any]:
        """As JSON-ready data (spans as ``[start, end]`` lists)."""
        return {
            "source": self.source, "title": self.title, "type": self.type, "publisher": self.publisher,
            "publisher_label": self.publisher_label, "date": self.date, "url": self.url, "text": self.text,
            "claims": [{"iri": c.iri, "label": c.label, "spans": [list(s) for s in c.spans], "exact": c.exact,
                        "hedges": c.hedges, "hype": c.hype} for c in self.claims],
        }


def _value(row: dict[str, Any], key: str) -> str | None:
    term = row.get(key)
    return None if term is None else term.value


def _add(values: list[Any], value: Any) -> None:
    if value is not None and value not in values:
        values.append(value)


def story_view(store: ClaimStore, source: str) -> StoryView:
    """The story page of ``source`` (an IRI).

    :raises NotFoundError: when ``source`` is not a source in the store.
    """
    try:
        node = NamedNode(source)
    except ValueError as exc:
        raise NotFoundError(f"{source!r} is not an IRI") from exc
    rows = queries.select(store, "source_summary", source=node)
    if not rows:
        raise NotFoundError(f"no source {source} in the store")
    meta = rows[0]
    claims: dict[str, StoryClaim] = {}
    for row in queries.select(store, "source_statements", source=node):
        iri = row["claim"].value
        claim = claims.setdefault(iri, StoryClaim(iri=iri, label=_value(row, "label")))
        if "start" in row and "end" in row:
            _add(claim.spans, (int(row["start"].value), int(row["end"].value)))
        _add(claim.exact, _value(row, "exact"))
        _add(claim.hedges, _value(row, "hedge"))
        _add(claim.hype, _value(row, "hype"))
    for claim in claims.values():
        claim.spans.sort()
    ordered = sorted(claims.values(), key=lambda c: (c.spans[0] if c.spans else (1 << 62, 0), c.iri))
    return StoryView(
        source=source, title=_value(meta, "title"), type=_value(meta, "type"),
        publisher=_value(meta, "publisher"), publisher_label=_value(meta, "publisherLabel"),
        date=_value(meta, "date"), url=_value(meta, "url"), text=_value(meta, "text"), claims=ordered,
    )
