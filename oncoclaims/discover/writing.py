"""Writing candidate graphs: each claim's graph replaced whole, in one step, and only when it changed.

A discovery run hands over many claims' graphs at once, each as N-Quads lines with a
digest of what they say. :func:`write_graphs` compares each digest with the one the
graph holds (``oc:candidateDigest``) and writes only the graphs that differ, all of a
batch together:

- every digest as stored: nothing is built or written (re-running discovery on
  unchanged records creates no work);
- only new graphs: one N-Quads load (one transaction);
- graphs to replace: one SPARQL update (``queries/replace_graphs.ru``: empty them, then
  insert, in one request and one transaction), so a crash leaves each graph either as it
  was or as it should be, never with stale candidates beside new ones.

The update's rows are ``VALUES`` blocks of terms as pyoxigraph writes them: data, never
query text.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache
from importlib import resources

import pyoxigraph as ox

from oncoclaims.errors import StoreError
from oncoclaims.graph.store import ClaimStore
from oncoclaims.vocab import OC

__all__ = ["GraphContent", "GraphWrites", "is_current", "replace_graphs_update", "write_graphs"]

_OLD = "VALUES ?old { }"
_NEW = "VALUES (?newS ?newP ?newO ?newGraph) { }"


@dataclass(frozen=True, slots=True)
class GraphContent:
    """What one named graph must hold: N-Quads lines (made only when needed) and their digest.

    ``subject oc:candidateDigest digest`` is one of the lines; a graph holding that quad
    holds the rest.
    """

    graph: ox.NamedNode
    subject: ox.NamedNode
    digest: str
    lines: Callable[[], list[str]]


@dataclass
class GraphWrites:
    """What one :func:`write_graphs` call wrote."""

    graphs: int = 0  # graphs whose content changed
    unchanged: int = 0
    added: int = 0
    removed: int = 0


@cache
def _update_text() -> str:
    text = (resources.files("oncoclaims.queries") / "replace_graphs.ru").read_text(encoding="utf-8")
    if text.count(_OLD) != 1 or text.count(_NEW) != 1:  # only a broken bundled file can get here
        raise StoreError(f"replace_graphs.ru must hold {_OLD!r} and {_NEW!r} once each")
    return text


def replace_graphs_update(graphs: Iterable[ox.NamedNode], lines: Iterable[str]) -> str:
    """The one SPARQL update that empties ``graphs`` and adds the N-Quads ``lines`` (pure).

    >>> text = replace_graphs_update([ox.NamedNode("urn:g")], ['<urn:s> <urn:p> "new" <urn:g> .'])
    >>> "VALUES ?old { <urn:g> }" in text and '(<urn:s> <urn:p> "new" <urn:g>)' in text
    True
    """
    old = " ".join(str(graph) for graph in graphs)
    new = "\n".join(f"({line.rstrip().removesuffix('.').rstrip()})" for line in lines)
    return _update_text().replace(_OLD, f"VALUES ?old {{ {old} }}").replace(_NEW, _NEW[:-1] + new + " }")


def is_current(store: ClaimStore, content: GraphContent) -> bool:
    """Whether the graph holds ``content`` already (its digest quad is there)."""
    digest = ox.Literal(content.digest)
    return next(iter(store.quads(content.subject, OC.candidateDigest, digest, content.graph)), None) is not None


def write_graphs(
    store: ClaimStore, contents: Iterable[GraphContent], *, drop: Iterable[ox.NamedNode] = ()
) -> GraphWrites:
    """Make each graph hold exactly its lines, and each of ``drop`` nothing, the whole batch in one transaction.

    :raises StoreError: when the store refuses the write (nothing of the batch is written).
    """
    done = GraphWrites()
    replaced: list[ox.NamedNode] = []
    lines: list[str] = []
    for graph in drop:
        old = sum(1 for _ in store.quads(graph=graph))
        if old:
            replaced.append(graph)
            done.removed += old
    for content in contents:
        if is_current(store, content):
            done.unchanged += 1
            continue
        done.graphs += 1
        old = sum(1 for _ in store.quads(graph=content.graph))
        if old:
            replaced.append(content.graph)
            done.removed += old
        lines += content.lines()
    done.added = len(lines)
    if replaced:
        update = replace_graphs_update(replaced, lines)
        try:
            store.update(update)
        except (OSError, RuntimeError, SyntaxError, StoreError) as exc:
            raise StoreError(f"the store could not replace {len(replaced)} candidate graphs: {exc}") from exc
    elif lines:
        try:  # one transaction; parsed in the store, no Python object per quad
            store.load_nquads("".join(lines))
        except (OSError, RuntimeError, SyntaxError, StoreError) as exc:
            raise StoreError(f"the store could not write {done.graphs} candidate graphs: {exc}") from exc
    return done
