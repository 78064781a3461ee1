"""Every claim's confirmation status at once, straight from the store.

The definitions are those of :mod:`oncoclaims.graph.analysis` (and of ``claim_statuses.rq``),
computed for all claims in one pass instead of claim by claim:

- the edges the definitions use are read once per predicate from pyoxigraph into plain
  dictionaries (no networkx projection, whose Python objects cost more than the work);
  chains of predicates the store joins by hash (``stating_sources.rq``,
  ``claim_attributions.rq``, ``claim_parties.rq``, ``report_types.rq``), which hand over
  two terms per row instead of four per triple; a source's parties are its publishers and
  creators, two tables the metrics and the study test read anyway (a ``UNION`` query of
  both read the creators twice);
  pyoxigraph reads them all on two threads while this one builds the dictionaries
  (:meth:`EdgeTables.prefetch <oncoclaims.graph.tables.EdgeTables.prefetch>`);
- each party's reach (itself, its affiliations, then up to ``depth`` part-of /
  controlled-by / funded-by / candidate-match steps) is computed once and shared, so a
  tie test is one set intersection: the reach of an evidence item's responsible parties
  against the reach of the claim's interested parties;
- no reasons are worded: :func:`oncoclaims.graph.confirmation.confirmation_report` gives
  them for one claim.

The same rules also give one claim's status from its projection (:func:`graph_tables`,
:func:`status_from_graph`): :func:`analysis.status <oncoclaims.graph.analysis.status>`, the
report and ``claim_status`` all use them, so the status definition lives once in Python
(and once in ``claim_statuses.rq``). Tests check that every engine gives the same status as
the SPARQL query for every claim of the scenario and random graphs.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from contextlib import nullcontext
from dataclasses import dataclass

import networkx as nx

from oncoclaims.graph import analysis
from oncoclaims.graph.analysis import (
    DEFAULT_DEPTH,
    DERIVATION,
    STATUS_PREFIX,
    TIE_LINKS,
    independence,
    status_name,
)
from oncoclaims.graph.store import ClaimStore
from oncoclaims.graph.tables import Edges, EdgeTables, true_subjects

__all__ = [
    "STATUS_TABLES",
    "Tables",
    "all_statuses",
    "claim_status_name",
    "graph_tables",
    "prefetch_status_tables",
    "status_from_graph",
    "statuses_from_tables",
]


class _Reach:
    """Nodes within ``depth`` tie links of a party (analysis.ancestors, as sets, memoised)."""

    def __init__(self, tie_links: list[Edges], affiliation: Edges, depth: int) -> None:
        self._links = tie_links
        self._affiliation = affiliation
        self._depth = depth
        self._memo: dict[tuple[str, int], frozenset[str]] = {}
        self._party: dict[str, frozenset[str]] = {}

    def _within(self, node: str, depth: int) -> frozenset[str]:
        key = (node, depth)
        found = self._memo.get(key)
        if found is None:
            reached = {node}
            if depth:
                for table in self._links:
                    for target in table.get(node, ()):
                        reached |= self._within(target, depth - 1)
            found = self._memo[key] = frozenset(reached)
        return found

    def of(self, party: str) -> frozenset[str]:
        found = self._party.get(party)
        if found is None:
            reached = set(self._within(party, self._depth))
            for affiliation in self._affiliation.get(party, ()):
                reached |= self._within(affiliation, self._depth)
            found = self._party[party] = frozenset(reached)
        return found


def _derived_from(derivation: list[Edges], source: str) -> set[str]:
    seen: set[str] = set()
    queue = deque([source])
    while queue:
        node = queue.popleft()
        for table in derivation:
            for earlier in table.get(node, ()):
                if earlier not in seen:
                    seen.add(earlier)
                    queue.append(earlier)
    seen.discard(source)
    return seen


@dataclass(frozen=True, slots=True)
class Tables:
    """What the status definitions read, as ``{node: [nodes]}`` dictionaries: for the whole
    store (:func:`all_statuses`) or for one claim's projection (:func:`graph_tables`)."""

    stating_sources: Edges  # claim -> sources stating it
    claim_parties: Edges  # claim -> claimants, developers and sponsors of its therapies
    attributions: Edges  # claim -> parties its statements attribute it to
    supports: Edges  # claim -> evidence supporting it
    disputes: Edges  # claim -> evidence disputing it
    derivation: list[Edges]
    reported_in: Edges
    report_types: Edges
    source_parties: Edges  # source -> publishers and authors
    creators: Edges  # authors of a source: with sponsors and funders, who did the study
    responsible: list[Edges]  # sponsor, lead sponsor, funder of an evidence item
    tie_links: list[Edges]
    affiliation: Edges
    confirmatory: set[str]
    retracted: set[str]


def all_statuses(
    store: ClaimStore,
    *,
    depth: int = DEFAULT_DEPTH,
    confirmatory: set[str] | None = None,
    edges: EdgeTables | None = None,
) -> dict[str, str]:
    """Every claim's status IRI, by claim IRI (the definitions of ``analysis.status``).

    :param depth: tie-chain depth (0 to 4).
    :param confirmatory: source-type IRIs that may confirm; ``None`` uses the ontology's.
    :param edges: tables of ``store`` to read through and keep (shared with other work such
        as the institution metrics, so that a table both need is read once); by default a
        new one, closed at the end.
    """
    with nullcontext(edges) if edges is not None else EdgeTables(store) as edges:
        prefetch_status_tables(edges)
        if confirmatory is None:
            confirmatory = true_subjects(store, "oc:confirmatory")
        retracted = true_subjects(store, "oc:retracted")
        # each table parsed as it arrives, before the claim list (and before tables others
        # asked for, which the threads read meanwhile)
        edges.finish_prefetch(*STATUS_TABLES)
        return statuses_from_tables(
            edges,
            sorted(edges.column("claim_iris")),
            depth=depth,
            confirmatory=confirmatory,
            retracted=retracted,
        )


#: The tables :func:`statuses_from_tables` reads, largest first (named queries as ``query:``).
STATUS_TABLES = (
    "dcterms:publisher", "query:stating_sources", "dcterms:creator", "query:claim_parties",
    "cito:supports", "oc:reportedIn", "query:report_types", "query:claim_attributions",
    *DERIVATION, *TIE_LINKS, "schema:affiliation", "oc:sponsor", "oc:leadSponsor",
    "oc:funder", "cito:disputes",
)


def prefetch_status_tables(edges: EdgeTables) -> None:
    """Start reading what :func:`all_statuses` reads, in its order: the largest first, so
    that both reading threads stay busy to the end, and the claim list, as TSV on the
    reading threads, after the three largest (as Python terms on the caller's thread it
    took 7.6 of 98 s at 1M claims, docs/scale.md). A caller that also needs other tables
    asks for them after this, so that the statuses' come first."""
    edges.prefetch(*STATUS_TABLES[:3])
    edges.prefetch_column("claim_iris")
    edges.prefetch(*STATUS_TABLES[3:])


def statuses_from_tables(
    edges: EdgeTables, claims: Iterable[str], *, depth: int, confirmatory: set[str],
    retracted: set[str],
) -> dict[str, str]:
    """Every claim's status IRI from the tables of :data:`STATUS_TABLES` (prefetched or not),
    whichever store or backend ``edges`` reads them from."""
    edges.finish_prefetch(*STATUS_TABLES)
    tables = Tables(
        stating_sources=edges.joined("stating_sources"),
        claim_parties=edges.joined("claim_parties"),
        attributions=edges.joined("claim_attributions"),
        supports=edges.inverse("cito:supports"),
        disputes=edges.inverse("cito:disputes"),
        derivation=[edges.table(p) for p in DERIVATION],
        reported_in=edges.table("oc:reportedIn"),
        report_types=edges.joined("report_types"),
        source_parties=_merged(edges.table("dcterms:publisher"), edges.table("dcterms:creator")),
        creators=edges.table("dcterms:creator"),
        responsible=[edges.table(p) for p in ("oc:sponsor", "oc:leadSponsor", "oc:funder")],
        tie_links=[edges.table(link) for link in TIE_LINKS],
        affiliation=edges.table("schema:affiliation"),
        confirmatory=confirmatory,
        retracted=retracted,
    )
    reach = _Reach(tables.tie_links, tables.affiliation, depth)
    return {claim: STATUS_PREFIX + claim_status_name(tables, reach, claim) for claim in claims}


def _merged(first: Edges, second: Edges) -> Edges:
    """``{node: first's targets + second's}`` (new lists; neither table is changed)."""
    merged = {node: list(targets) for node, targets in first.items()}
    for node, targets in second.items():
        found = merged.get(node)
        if found is None:
            merged[node] = list(targets)
        else:
            found.extend(targets)
    return merged


def claim_status_name(tables: Tables, reach: _Reach, claim: str) -> str:
    """One claim's status name (``independently-confirmed``...), from ``tables``."""
    supports, disputes = tables.supports, tables.disputes
    if claim not in supports and claim not in disputes:
        return "unconfirmed"  # nothing supports or disputes it
    stating = set(tables.stating_sources.get(claim, ()))
    origins = [s for s in stating if not (_derived_from(tables.derivation, s) & stating)]
    interested = set(tables.claim_parties.get(claim, ()))
    interested.update(tables.attributions.get(claim, ()))
    for origin in origins:
        interested.update(tables.source_parties.get(origin, ()))
    interested_reach: set[str] = set()
    for party in interested:
        interested_reach |= reach.of(party)
    relations = set()
    unknown = False
    for relation, table in (("supports", supports), ("disputes", disputes)):
        for evidence in table.get(claim, ()):
            verdict = _independent(tables, reach, evidence, stating, interested_reach)
            if verdict:
                relations.add(relation)
                break  # one independent item settles the relation
            if verdict is None and relation == "supports":
                unknown = True
    support = supports.get(claim, ())
    all_retracted = bool(support) and all(_all_reports_retracted(tables, e) for e in support)
    return status_name(relations, unknown, bool(support), all_retracted)


def _independent(
    tables: Tables, reach: _Reach, evidence: str, stating: set[str], interested_reach: set[str]
) -> bool | None:
    reports = tables.reported_in.get(evidence, ())
    usable = any(
        not tables.confirmatory.isdisjoint(tables.report_types.get(report, ()))
        and report not in tables.retracted
        and not (_derived_from(tables.derivation, report) & stating)
        for report in reports
    )
    if not usable:
        return False
    responsible: set[str] = set()
    for table in tables.responsible:
        responsible.update(table.get(evidence, ()))
    study_known = bool(responsible) or any(tables.creators.get(report) for report in reports)
    for report in reports:
        responsible.update(tables.source_parties.get(report, ()))
    tied = not all(reach.of(party).isdisjoint(interested_reach) for party in responsible)
    return independence(tied, study_known)


def _all_reports_retracted(tables: Tables, evidence: str) -> bool:
    reports = tables.reported_in.get(evidence, ())
    return bool(reports) and all(report in tables.retracted for report in reports)


def graph_tables(graph: nx.MultiDiGraph, claims: Iterable[str], confirmatory: set[str] | None = None) -> Tables:
    """The :class:`Tables` of a projection (one claim's neighbourhood, or a whole graph), for
    ``claims``: the same dictionaries the whole-store engine reads from the store."""
    index = analysis._index(graph)
    # kept with the projection's index (projections are not changed after they are made), so
    # that statuses of many claims of one projection read each predicate once
    cache: dict[tuple[str, ...], Edges] = index.__dict__.setdefault("tables", {})

    def table(*predicates: str) -> Edges:
        found = cache.get(predicates)
        if found is None:
            found = cache[predicates] = {}
            for node, by_predicate in index.out.items():
                targets = [t for p in predicates for t in by_predicate.get(p, ())]
                if targets:
                    found[node] = targets
        return found

    claim_parties: Edges = {}
    attributions: Edges = {}
    for claim in claims:
        parties = list(analysis._out(graph, claim, ["oc:claimedBy"]))
        for therapy in analysis._out(graph, claim, ["oc:about"]):
            parties += analysis._out(graph, therapy, ["oc:developedBy", "oc:sponsoredBy"])
        claim_parties[claim] = parties
        attributions[claim] = [party for statement in analysis._in(graph, claim, ["oa:hasBody"])
                               for party in analysis._out(graph, statement, ["oc:attributedTo"])]
    nodes = graph.nodes
    if confirmatory is None:
        confirmatory = {node for node, data in nodes(data=True) if data.get("confirmatory")}
    return Tables(
        stating_sources={claim: analysis.stating_sources(graph, claim) for claim in claims},
        claim_parties=claim_parties,
        attributions=attributions,
        supports={claim: analysis._in(graph, claim, ["cito:supports"]) for claim in claims
                  if analysis._in(graph, claim, ["cito:supports"])},
        disputes={claim: analysis._in(graph, claim, ["cito:disputes"]) for claim in claims
                  if analysis._in(graph, claim, ["cito:disputes"])},
        derivation=[table(p) for p in DERIVATION],
        reported_in=table("oc:reportedIn"),
        report_types=table("oc:sourceType"),
        source_parties=table("dcterms:publisher", "dcterms:creator"),
        creators=table("dcterms:creator"),
        responsible=[table(p) for p in ("oc:sponsor", "oc:leadSponsor", "oc:funder")],
        tie_links=[table(link) for link in TIE_LINKS],
        affiliation=table("schema:affiliation"),
        confirmatory=confirmatory,
        retracted={node for node, data in nodes(data=True) if data.get("retracted")},
    )


def status_from_graph(
    graph: nx.MultiDiGraph, claim: str, *, depth: int = DEFAULT_DEPTH, confirmatory: set[str] | None = None
) -> str:
    """One claim's status IRI from a projection, by the whole-store engine's rules."""
    tables = graph_tables(graph, [claim], confirmatory)
    return STATUS_PREFIX + claim_status_name(tables, _Reach(tables.tie_links, tables.affiliation, depth), claim)
