"""A record ingested again after it changed: its new values replace the old ones.

Each record's statements live in a named graph of their own (one trial's, one article's,
one claims table's). A later version of a record may change a value: a trial that was
recruiting is now terminated, an anticipated enrollment is now actual. Adding the new
version's quads alone would leave the old value beside the new one.

So :class:`StaleValues` notes, for each subject and single-valued predicate
(:data:`SINGLE_VALUED`: the state of a trial, the date of a source) the new version gives a
value for, in a graph that held statements before the batch, which value it gives. Once the
batch is written, the other values of that predicate are removed from that graph. Left as
they were:

- what the new version does not state at all: a record fetched with some fields only
  (ClinicalTrials.gov ``fields=``) does not erase what a fuller one gave;
- predicates with several values (conditions, MeSH terms, phases, countries, other names):
  a record with some fields only may give some of them, so they are only ever added, as
  are links between nodes (sponsors, interventions, references);
- the shared graphs (provenance, candidate matches): they are about every input, not one
  record's.

As with moved articles (:mod:`oncoclaims.ingest.articles`), the removal is a second step
after the batch is written: a crash between the two leaves both values, as before.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from pyoxigraph import NamedNode, Quad

from oncoclaims.backends.terms import same_value
from oncoclaims.graph.store import ClaimStore
from oncoclaims.queries.values import select_values
from oncoclaims.vocab import DCTERMS, OC

__all__ = ["SINGLE_VALUED", "StaleValues"]

#: Predicates with one value per node in a record's graph, which a new version replaces.
SINGLE_VALUED = frozenset({
    OC.overallStatus, OC.whyStopped, OC.sampleSize, OC.sampleSizeType, OC.allocation,
    OC.startDate, OC.completionDate, OC.hasResults, DCTERMS.date,
})


class StaleValues:
    """The values a batch gives again, per subject, single-valued predicate and graph."""

    def __init__(self, store: ClaimStore, shared_graphs: Iterable[NamedNode]) -> None:
        # the ClaimStore, not its pyoxigraph store: a traceback that keeps this object must
        # not keep the store's lock once the store is closed
        self._store = store
        self._shared = frozenset(shared_graphs)
        self._held_before: dict[NamedNode, bool] = {}
        self._given: dict[tuple[object, NamedNode, NamedNode], set[Any]] = {}

    def note(self, records: Iterable[tuple[NamedNode, Iterable[Quad]]]) -> None:
        """Note what some records' quads state in their graphs (``(graph, quads)`` each); call
        before the batch is written. Whether the graphs held data before is asked once for
        all of them (``backend_graphs_present.rq``), not once per record.
        """
        records = [(graph, quads) for graph, quads in records if graph not in self._shared]
        unknown = list(dict.fromkeys(g for g, _ in records if g not in self._held_before))
        if unknown:
            held = {row["g"] for row in select_values(
                self._store, "backend_graphs_present", [{"g": g} for g in unknown]
            )}
            self._held_before.update((g, g in held) for g in unknown)
        for graph, quads in records:
            if not self._held_before[graph]:
                continue  # a graph new with this batch holds nothing stale
            for quad in quads:
                predicate = quad.predicate
                if (
                    predicate in SINGLE_VALUED
                    and quad.graph_name == graph
                    and isinstance(quad.subject, NamedNode)  # a blank node cannot be asked for
                ):
                    self._given.setdefault((quad.subject, predicate, graph), set()).add(quad.object)

    def remove(self) -> int:
        """Remove the values the batch no longer gives (call once it is written); return how
        many. The values held now are asked once for every noted key (``single_values.rq``)."""
        rows = select_values(
            self._store,
            "single_values",
            [{"s": s, "p": p, "g": g} for s, p, g in self._given],
        )
        stale = [
            Quad(row["s"], row["p"], row["o"], row["g"])  # type: ignore[arg-type]
            for row in rows
            if not any(
                same_value(row["o"], given)  # Virtuoso gives a true boolean back as 1
                for given in self._given[(row["s"], row["p"], row["g"])]  # type: ignore[index]
            )
        ]
        self._store.remove(stale)
        return len(stale)
