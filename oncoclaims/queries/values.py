"""Named queries asked for many parameter rows at once: one ``VALUES`` row each.

A batch of records needs the same lookup for each of many keys (the graphs it writes,
the institution names, the DOIs it names). :func:`select_values` asks a named query once
for all of them: the rows become a ``VALUES`` block of terms serialised by pyoxigraph
(:func:`~oncoclaims.backends.terms.bind_table`), never spliced text, and the same text
runs on the embedded store and on a SPARQL server. One request per
:data:`VALUES_CHUNK` rows, whatever the number of records.

>>> from oncoclaims.graph.store import ClaimStore
>>> select_values(ClaimStore.in_memory(), "backend_graphs_present", [])
[]
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import pyoxigraph as ox

from oncoclaims.backends.terms import bind_table
from oncoclaims.errors import QueryParameterError
from oncoclaims.queries import _backend, load_query, to_term

if TYPE_CHECKING:
    from oncoclaims.backends.base import Backend
    from oncoclaims.graph.store import ClaimStore

__all__ = ["VALUES_CHUNK", "select_values"]

#: Parameter rows per request (the query text grows by one ``VALUES`` row each).
VALUES_CHUNK = 1_000


def select_values(
    store: ClaimStore | Backend,
    name: str,
    rows: Sequence[Mapping[str, Any]],
    *,
    chunk: int = VALUES_CHUNK,
) -> list[dict[str, ox.NamedNode | ox.BlankNode | ox.Literal]]:
    """Run the SELECT named query ``name`` for every parameter row of ``rows`` at once.

    Each row gives every parameter of the query (``{name: value}``, typed as its header
    says); the answer is the rows of all of them, unbound variables left out. Rows that
    are equal are asked once. No row asks nothing.

    :raises QueryParameterError: a row misses a parameter or names one the query lacks.
    """
    query = load_query(name)
    names = tuple(query.params)
    table: dict[tuple[ox.NamedNode | ox.Literal, ...], None] = {}
    for row in rows:
        if set(row) != set(names):
            raise QueryParameterError(
                f"query {name} takes the parameters {', '.join(names)} in each row; "
                f"a row gave {', '.join(sorted(row)) or 'none'}"
            )
        table[tuple(to_term(row[key], query.params[key], name=key) for key in names)] = None
    keys = list(table)
    backend = _backend(store)
    union = query.header.get("dataset") == "union"
    found: list[dict[str, ox.NamedNode | ox.BlankNode | ox.Literal]] = []
    for start in range(0, len(keys), chunk):
        text = bind_table(query.text, names, keys[start : start + chunk])  # type: ignore[arg-type]
        found.extend(backend.select_dicts(text, None, union=union))
    return found
