"""Every claim's confirmation status at once, straight from the store.

The definitions are those of :mod:`oncoclaims.graph.analysis` (and of ``claim_statuses.rq``),
computed for all claims in one pass instead of claim by claim:

- the edges the definitions use are read once per predicate from pyoxigraph into plain
  dictionaries (no networkx projection, whose Python objects cost more than the work);
  chains of predicates the store joins by hash (``stating_sources.rq``,
  ``claim_attributions.rq``, ``claim_parties.rq``, ``report_types.rq``) and
  ``source_parties.rq``, which hand over two terms per row instead of four per triple;
  pyoxigraph reads them all on two threads while this one builds the dictionaries
  (:meth:`EdgeTables.prefetch <oncoclaims.graph.tables.EdgeTables.prefetch>`);
- each party's reach (itself, its affiliations, then up to ``depth`` part-of /
  controlled-by / funded-by / candidate-match steps) is computed once and shared, so a
  tie test is one set intersection: the reach of an evidence item's responsible parties
  against the reach of the claim's interested parties;
- no reasons are worded: :func:`oncoclaims.graph.confirmation.confirmation_report` gives
  them for one claim.

Tests check that this gives the same status as :func:`analysis.status` and as the SPARQL
query for every claim of the scenario and random graphs.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

from oncoclaims.graph.analysis import DEFAULT_DEPTH, DERIVATION, STATUS_PREFIX, TIE_LINKS, independence, status_name
from oncoclaims.graph.store import ClaimStore
from oncoclaims.graph.tables import Edges, EdgeTables, claim_iris, true_subjects

__all__ = ["all_statuses"]


class _Reach:
    """Nodes within ``depth`` tie links of a party (analysis.ancestors, as sets, memoised)."""

    def __init__(self, edges: EdgeTables, depth: int) -> None:
        self._links = [edges.table(link) for link in TIE_LINKS]
        self._affiliation = edges.table("schema:affiliation")
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
class _Links:
    """The tables the definitions read, each looked up once (not once per claim)."""

    derivation: list[Edges]
    reported_in: Edges
    report_types: Edges
    source_parties: Edges
    creators: Edges  # authors of a source: with sponsors and funders, who did the study
    responsible: list[Edges]  # sponsor, lead sponsor, funder of an evidence item


def all_statuses(
    store: ClaimStore, *, depth: int = DEFAULT_DEPTH, confirmatory: set[str] | None = None
) -> dict[str, str]:
    """Every claim's status IRI, by claim IRI (the definitions of ``analysis.status``).

    :param depth: tie-chain depth (0 to 4).
    :param confirmatory: source-type IRIs that may confirm; ``None`` uses the ontology's.
    """
    inner = store.inner
    with EdgeTables(inner) as edges:
        # the largest reads first, so both reading threads stay busy to the end
        edges.prefetch(
            "query:source_parties", "query:stating_sources", "query:claim_parties",
            "cito:supports", "oc:reportedIn", "query:report_types", "query:claim_attributions",
            *DERIVATION, *TIE_LINKS, "schema:affiliation", "oc:sponsor", "oc:leadSponsor",
            "oc:funder", "cito:disputes", "dcterms:creator",
        )
        claims = claim_iris(inner)
        if confirmatory is None:
            confirmatory = true_subjects(inner, "oc:confirmatory")
        retracted = true_subjects(inner, "oc:retracted")
        edges.finish_prefetch()
        links = _Links(
            derivation=[edges.table(p) for p in DERIVATION],
            reported_in=edges.table("oc:reportedIn"),
            report_types=edges.joined("report_types"),
            source_parties=edges.joined("source_parties"),
            creators=edges.table("dcterms:creator"),
            responsible=[edges.table(p) for p in ("oc:sponsor", "oc:leadSponsor", "oc:funder")],
        )
        stating_sources = edges.joined("stating_sources")
        attributions = edges.joined("claim_attributions")
        claim_parties = edges.joined("claim_parties")
        supports, disputes = edges.inverse("cito:supports"), edges.inverse("cito:disputes")
        reach = _Reach(edges, depth)
    result = {}
    unconfirmed = STATUS_PREFIX + "unconfirmed"
    for claim in claims:
        if claim not in supports and claim not in disputes:
            result[claim] = unconfirmed  # nothing supports or disputes it
            continue
        stating = set(stating_sources.get(claim, ()))
        origins = [s for s in stating if not (_derived_from(links.derivation, s) & stating)]
        interested = set(claim_parties.get(claim, ()))
        interested.update(attributions.get(claim, ()))
        for origin in origins:
            interested.update(links.source_parties.get(origin, ()))
        interested_reach: set[str] = set()
        for party in interested:
            interested_reach |= reach.of(party)
        relations = set()
        unknown = False
        for relation, table in (("supports", supports), ("disputes", disputes)):
            for evidence in table.get(claim, ()):
                verdict = _independent(links, reach, evidence, stating, interested_reach, confirmatory, retracted)
                if verdict:
                    relations.add(relation)
                    break  # one independent item settles the relation
                if verdict is None and relation == "supports":
                    unknown = True
        support = supports.get(claim, ())
        all_retracted = bool(support) and all(_all_reports_retracted(links, e, retracted) for e in support)
        result[claim] = STATUS_PREFIX + status_name(relations, unknown, bool(support), all_retracted)
    return result


def _independent(
    links: _Links,
    reach: _Reach,
    evidence: str,
    stating: set[str],
    interested_reach: set[str],
    confirmatory: set[str],
    retracted: set[str],
) -> bool | None:
    reports = links.reported_in.get(evidence, ())
    usable = any(
        not confirmatory.isdisjoint(links.report_types.get(report, ()))
        and report not in retracted
        and not (_derived_from(links.derivation, report) & stating)
        for report in reports
    )
    if not usable:
        return False
    responsible: set[str] = set()
    for table in links.responsible:
        responsible.update(table.get(evidence, ()))
    study_known = bool(responsible) or any(links.creators.get(report) for report in reports)
    for report in reports:
        responsible.update(links.source_parties.get(report, ()))
    tied = not all(reach.of(party).isdisjoint(interested_reach) for party in responsible)
    return independence(tied, study_known)


def _all_reports_retracted(links: _Links, evidence: str, retracted: set[str]) -> bool:
    reports = links.reported_in.get(evidence, ())
    return bool(reports) and all(report in retracted for report in reports)
