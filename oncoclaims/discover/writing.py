"""Writing candidate graphs: each claim's graph made to hold exactly its new quads, in one step.

A discovery run hands over many claims' graphs at once. :func:`replace_graphs` compares
each with what the store holds and writes only the difference, all of a batch together:

- nothing differs: nothing is written (re-running discovery on unchanged records creates
  no work);
- only additions: one :meth:`ClaimStore.extend` (one transaction);
- additions and removals: one SPARQL update (``queries/replace_quads.ru``, one
  transaction), so a crash leaves each graph either as it was or as it should be, never
  half-replaced with stale candidates beside new ones.

The update's rows are a ``VALUES`` block of terms as pyoxigraph writes them
(:func:`~oncoclaims.backends.terms.term_text`): data, never query text.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from importlib import resources

import pyoxigraph as ox

from oncoclaims.backends.terms import term_text
from oncoclaims.errors import StoreError
from oncoclaims.graph.store import ClaimStore

__all__ = ["GraphWrites", "replace_graphs", "replace_quads_update"]

_VARIABLES = ("?oldS", "?oldP", "?oldO", "?oldGraph", "?newS", "?newP", "?newO", "?newGraph")
_UNDEF = ("UNDEF",) * 4


@dataclass
class GraphWrites:
    """What one :func:`replace_graphs` call wrote."""

    graphs: int = 0  # graphs whose content changed
    unchanged: int = 0
    added: int = 0
    removed: int = 0

    def __iadd__(self, other: GraphWrites) -> GraphWrites:
        self.graphs += other.graphs
        self.unchanged += other.unchanged
        self.added += other.added
        self.removed += other.removed
        return self


@cache
def _update_text() -> str:
    text = (resources.files("oncoclaims.queries") / "replace_quads.ru").read_text(encoding="utf-8").rstrip()
    if not text.endswith("}"):  # only a broken bundled file can get here
        raise StoreError("replace_quads.ru must end with the closing brace of its WHERE group")
    return text


def _row(quad: ox.Quad) -> str:
    terms = (quad.subject, quad.predicate, quad.object, quad.graph_name)
    return " ".join(term_text(term) for term in terms)  # type: ignore[arg-type]


def replace_quads_update(removed: Iterable[ox.Quad], added: Iterable[ox.Quad]) -> str:
    """The one SPARQL update that removes ``removed`` and adds ``added`` (pure).

    >>> g, s, p = ox.NamedNode("urn:g"), ox.NamedNode("urn:s"), ox.NamedNode("urn:p")
    >>> text = replace_quads_update([ox.Quad(s, p, ox.Literal("old"), g)], [ox.Quad(s, p, ox.Literal("new"), g)])
    >>> text.splitlines()[-2:]
    ['(<urn:s> <urn:p> "old" <urn:g> UNDEF UNDEF UNDEF UNDEF)', '(UNDEF UNDEF UNDEF UNDEF <urn:s> <urn:p> "new" <urn:g>) } }']
    """
    rows = [f"({_row(q)} {' '.join(_UNDEF)})" for q in removed]
    rows += [f"({' '.join(_UNDEF)} {_row(q)})" for q in added]
    text = _update_text()
    block = f"VALUES ({' '.join(_VARIABLES)}) {{\n" + "\n".join(rows) + " }"
    return f"{text[:-1]}{block} }}"


def replace_graphs(store: ClaimStore, graphs: Iterable[tuple[ox.NamedNode, list[ox.Quad]]]) -> GraphWrites:
    """Make each named graph hold exactly its quads, all of the batch in one transaction.

    :raises StoreError: when the store refuses the write (nothing of the batch is written).
    """
    done = GraphWrites()
    added: list[ox.Quad] = []
    removed: list[ox.Quad] = []
    for graph, quads in graphs:
        old = set(store.quads(graph=graph))
        new = set(quads)
        if old == new:
            done.unchanged += 1
            continue
        done.graphs += 1
        added += [q for q in dict.fromkeys(quads) if q not in old]
        removed += [q for q in old if q not in new]
    done.added, done.removed = len(added), len(removed)
    if removed:
        try:
            store.inner.update(replace_quads_update(removed, added))
        except (OSError, RuntimeError, SyntaxError) as exc:
            raise StoreError(f"the store could not replace {done.graphs} candidate graphs: {exc}") from exc
    elif added:
        store.extend(added)
    return done
