"""Whole-store work on any backend: every claim's status and the institution metrics, done
either by the server (SPARQL joins and ``GROUP BY`` there, a few terms per claim sent back)
or from edge tables read into Python (:mod:`oncoclaims.graph.tables`), whichever is faster
on that backend.

Two engines, one answer (tests hold them equal on the embedded store, an Oxigraph server
and Virtuoso):

- ``"tables"``: the edge tables of :data:`~oncoclaims.graph.statuses.STATUS_TABLES` are read
  through the backend (``select_tsv``, two reading threads) and the rules of
  :mod:`oncoclaims.graph.statuses` run in Python. Cost: every term of every table crosses
  from the store (or the network) into Python.
- ``"server"``: ``claim_statuses.rq`` counts, per claim, the evidence that decides its
  status, and :func:`status_of_counts` applies the rule of
  :func:`~oncoclaims.graph.analysis.status_name` to the counts; for the metrics,
  ``institution_claims.rq`` and ``institution_amplification.rq`` do their joins and
  grouping on the server. PageRank and betweenness still need the network's edges in
  Python (igraph): no SPARQL server computes them.

Which engine a backend uses when none is asked for is :data:`STATUS_ENGINE` and
:data:`METRICS_ENGINE`, chosen from the measurements in ``docs/deployment.md``
("Whole-store work").
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Literal

import pyoxigraph as ox

from oncoclaims import queries
from oncoclaims.backends import Backend, SparqlBackend
from oncoclaims.backends.base import Params
from oncoclaims.graph.analysis import DEFAULT_DEPTH, STATUS_PREFIX, status_name
from oncoclaims.graph.metrics import NETWORK_KINDS, metrics_from_tables, metrics_tables, network_links
from oncoclaims.graph.projection import node_id
from oncoclaims.graph.statuses import all_statuses, prefetch_status_tables
from oncoclaims.graph.store import ClaimStore
from oncoclaims.graph.tables import EdgeTables, edges_from_tsv, iri_of

__all__ = [
    "METRICS_ENGINE",
    "STATUS_ENGINE",
    "Engine",
    "backend_kind",
    "compute_institution_metrics",
    "compute_statuses",
    "preferred_engine",
    "server_statuses",
    "status_of_counts",
    "table_statuses",
]

Engine = Literal["server", "tables"]

#: The engine for every claim's status per backend kind (docs/deployment.md, bench/README.md):
#: tables everywhere. claim_statuses.rq for every claim, at 300 claims under load: 53.7 s on
#: Virtuoso against 1.0 s from its tables, 10.1 against 0.14 s on the Oxigraph server, 16.6
#: against 0.12 s embedded (the text that finds ties on Virtuoso too; the faster earlier one
#: missed them). At 100k claims (bench/README.md, loaded machine) Virtuoso refuses the query
#: on its cost estimate; from tables: Oxigraph server 27.0 s, embedded 57.6 s, Virtuoso 274.3 s.
STATUS_ENGINE: dict[str, Engine] = {
    "embedded": "tables",
    "oxigraph": "tables",
    "virtuoso": "tables",
    "generic": "tables",
}
#: The engine for the institution metrics' claims made and amplification, per backend kind:
#: tables on the embedded store (42.1 s against 50.8 s by the server's joins at 100k claims,
#: quiet machine) and the Oxigraph server (7.4 against 7.6 s at 10k, 111.9 against 158.1 s
#: at 100k under load; 104.2 against 142.9 s at 100k in the run of bench/README.md "100,000
#: claims on the three backends", where the embedded engines tied, 71.9 against 72.1 s);
#: the server's joins on Virtuoso (9.9 against 11.4 s at 10k; 225.8 against 318.9 s at 100k).
METRICS_ENGINE: dict[str, Engine] = {
    "embedded": "tables",
    "oxigraph": "tables",
    "virtuoso": "server",
    "generic": "server",
}


def backend_kind(backend: Backend) -> str:
    """``embedded``, or the kind of SPARQL server (``oxigraph``, ``virtuoso``, ``generic``)."""
    if isinstance(backend, SparqlBackend):
        return backend.endpoints.server
    return "embedded"


def preferred_engine(backend: Backend, task: Literal["statuses", "metrics"] = "statuses") -> Engine:
    """The engine measured faster for ``task`` on this kind of backend."""
    chosen = STATUS_ENGINE if task == "statuses" else METRICS_ENGINE
    return chosen.get(backend_kind(backend), "tables")


def status_of_counts(
    independent_support: int,
    independent_dispute: int,
    untied_support: int,
    all_support: int,
    live_support: int,
) -> str:
    """A claim's status IRI from the counts of ``claim_statuses.rq`` (the rule of
    :func:`~oncoclaims.graph.analysis.status_name`).

    >>> status_of_counts(1, 0, 1, 2, 2).removeprefix(STATUS_PREFIX)
    'independently-confirmed'
    >>> status_of_counts(0, 0, 0, 1, 0).removeprefix(STATUS_PREFIX)
    'retracted-support'
    """
    relations = {
        name
        for name, count in (("supports", independent_support), ("disputes", independent_dispute))
        if count
    }
    return STATUS_PREFIX + status_name(
        relations, untied_support > 0, all_support > 0, all_support > 0 and live_support == 0
    )


def _cell(text: str) -> str:
    """An IRI or blank node of a TSV cell, named as the projection names nodes."""
    return text[1:-1] if text.startswith("<") else text


def _count(text: str) -> int:
    """An integer TSV cell: ``3`` or ``"3"^^<...#integer>``."""
    if text.startswith('"'):
        text = text[1 : text.index('"', 1)]
    return int(text)


def _tsv_rows(tsv: bytes) -> Iterable[list[str]]:
    lines = tsv.decode().split("\n")
    for line in lines[1:]:
        if line:
            yield line.split("\t")


def _select_tsv(backend: Backend, name: str, params: Params | None = None) -> bytes:
    query = queries.load_query(name)
    return backend.select_tsv(query.text, params, union=query.header.get("dataset") == "union")


def _status_params(depth: int, confirmatory: set[str] | None) -> dict[str, ox.Literal]:
    params = {"depth": ox.Literal(depth)}
    if confirmatory is not None:
        params["confirmatory"] = ox.Literal(" ".join(sorted(confirmatory)))
    return params


def server_statuses(
    backend: Backend, *, depth: int = DEFAULT_DEPTH, confirmatory: set[str] | None = None
) -> dict[str, str]:
    """Every claim's status IRI, by claim IRI, counted by the server (``claim_statuses.rq``)."""
    tsv = _select_tsv(backend, "claim_statuses", _status_params(depth, confirmatory))
    return {
        _cell(row[0]): status_of_counts(*(_count(cell) for cell in row[1:6]))
        for row in _tsv_rows(tsv)
    }


def table_statuses(
    backend: Backend, *, depth: int = DEFAULT_DEPTH, confirmatory: set[str] | None = None
) -> dict[str, str]:
    """Every claim's status IRI from edge tables read through ``backend`` into Python
    (:func:`oncoclaims.graph.statuses.all_statuses` on a store over ``backend``)."""
    return all_statuses(ClaimStore(backend), depth=depth, confirmatory=confirmatory)


def compute_statuses(
    backend: Backend,
    *,
    engine: Engine | None = None,
    depth: int = DEFAULT_DEPTH,
    confirmatory: set[str] | None = None,
) -> dict[str, str]:
    """Every claim's status IRI, by claim IRI, by ``engine`` (default: the backend's faster)."""
    if (engine or preferred_engine(backend)) == "server":
        return server_statuses(backend, depth=depth, confirmatory=confirmatory)
    return table_statuses(backend, depth=depth, confirmatory=confirmatory)


def compute_institution_metrics(
    backend: Backend,
    *,
    engine: Engine | None = None,
    statuses: dict[str, str] | None = None,
) -> list[dict[str, Any]]:
    """One row per institution, as :func:`oncoclaims.graph.metrics.institution_metrics`:
    the claims each made and the share of them confirmed, amplification, PageRank and
    betweenness. With ``engine="server"`` the claims made and the amplification are joined
    and counted by the server; the network for PageRank and betweenness is read either way.
    """
    engine = engine or preferred_engine(backend, "metrics")
    store = ClaimStore(backend)
    with EdgeTables(store) as edges:
        shared = statuses is None and preferred_engine(backend) == "tables"
        if shared:  # the statuses' tables first, then the metrics': each read once
            prefetch_status_tables(edges)
        edges.prefetch(*(network_links() if engine == "server" else metrics_tables()))
        for kind in NETWORK_KINDS:  # on the reading threads, after the tables
            edges.prefetch_column("class_members", **{"class": iri_of("oc:" + kind)})
        if shared:  # the statuses computed while the threads read the metrics' tables
            statuses = all_statuses(store, edges=edges)
        elif statuses is None:
            statuses = compute_statuses(backend)
        members = {
            kind: set(edges.column("class_members", **{"class": iri_of("oc:" + kind)}))
            for kind in NETWORK_KINDS
        }
        labels = {
            node_id(row[0]): row[1].value
            for row in ox.parse_query_results(
                _select_tsv(backend, "institution_labels"), format=ox.QueryResultsFormat.TSV
            )
            if row[0] is not None and row[1] is not None
        }
        claims_made = amplification = None
        if engine == "server":
            made = edges_from_tsv(_select_tsv(backend, "institution_claims"))
            claims_made = {party: set(claims) for party, claims in made.items()}
            amplification = {
                _cell(row[0]): _count(row[1])
                for row in _tsv_rows(_select_tsv(backend, "institution_amplification"))
            }
        return metrics_from_tables(
            edges, statuses, members, labels, claims_made=claims_made, amplification=amplification
        )
