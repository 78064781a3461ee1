"""The confirmation definitions of docs/confirmation.md, computed on a networkx projection.

Each function here has a twin named query in ``oncoclaims/queries/`` (named in its
docstring); the test suite checks on generated graphs that both give the same answer.
All functions are pure: they read a graph made by :func:`~oncoclaims.graph.projection.to_networkx`.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass

import networkx as nx

__all__ = [
    "DEFAULT_DEPTH",
    "DERIVATION",
    "MAX_DEPTH",
    "REPORT_LINKS",
    "RESPONSIBLE_LINKS",
    "STUDY_ROLES",
    "TIE_LINKS",
    "Tie",
    "TieVerdict",
    "Verdict",
    "ancestors",
    "circular_reporting",
    "derived_from",
    "echo_factor",
    "evidence_verdict",
    "independence",
    "independent_evidence",
    "interested_parties",
    "origin_tie",
    "origins",
    "responsible_parties",
    "stating_sources",
    "status",
    "status_name",
    "tie",
    "tie_verdict",
]

#: Default tie-chain depth: part-of / controlled-by / funded-by steps on each side.
DEFAULT_DEPTH = 3
#: The largest depth the SPARQL queries unroll (docs/confirmation.md).
MAX_DEPTH = 4
#: Predicates that make one source derive from another.
DERIVATION = ("prov:wasDerivedFrom", "prov:wasQuotedFrom", "oc:reportsOn")
#: Predicates that chain institutions into ties.
#: ``oc:candidateIn`` leads from an institution to a candidate match (same normalised
#: name, no shared identifier): institutions that may be one count as tied.
TIE_LINKS = ("oc:partOf", "oc:controlledBy", "oc:fundedBy", "oc:candidateIn")

STATUS_PREFIX = "https://w3id.org/oncoclaims/vocab#status-"
#: The statuses a claim can have: ``STATUS_PREFIX`` + name (``oc:ConfirmationStatuses``).
STATUS_NAMES = (
    "independently-confirmed", "contested", "contradicted", "retracted-support",
    "independence-unknown", "self-confirmed", "unconfirmed",
)
#: Roles of a responsible party that say who did the study. A publisher (a journal) does
#: not: evidence whose parties are publishers only has an unknown study team, and unknown
#: is not independent (docs/confirmation.md, "Unknown is not independent").
STUDY_ROLES = ("sponsor", "funder", "author")


class _Index:
    """Successors and predecessors of every node, by predicate, built in one pass."""

    def __init__(self, graph: nx.MultiDiGraph) -> None:
        self.out: dict[str, dict[str, list[str]]] = {}
        self.into: dict[str, dict[str, list[str]]] = {}
        for source, target, key in graph.edges(keys=True):
            self.out.setdefault(source, {}).setdefault(key, []).append(target)
            self.into.setdefault(target, {}).setdefault(key, []).append(source)


def _index(graph: nx.MultiDiGraph) -> _Index:
    # Projections are not changed after they are made, so one index per graph object holds;
    # it is kept on the object, outside graph.graph, so exports never see it.
    try:
        return graph.__dict__["_oncoclaims_index"]
    except KeyError:
        index = graph.__dict__["_oncoclaims_index"] = _Index(graph)
        return index


def _collect(table: dict[str, dict[str, list[str]]], node: str, predicates: Iterable[str]) -> list[str]:
    by_predicate = table.get(node)
    if not by_predicate:
        return []
    found: set[str] = set()
    for predicate in predicates:
        found.update(by_predicate.get(predicate, ()))
    return sorted(found)


def _out(graph: nx.MultiDiGraph, node: str, predicates: Iterable[str]) -> list[str]:
    return _collect(_index(graph).out, node, predicates)


def _in(graph: nx.MultiDiGraph, node: str, predicates: Iterable[str]) -> list[str]:
    return _collect(_index(graph).into, node, predicates)


def stating_sources(graph: nx.MultiDiGraph, claim: str) -> list[str]:
    """Sources that state ``claim`` (query: ``claim_sources``)."""
    found = set()
    for statement in _in(graph, claim, ["oa:hasBody"]):
        for target in _out(graph, statement, ["oa:hasTarget"]):
            found.update(_out(graph, target, ["oa:hasSource"]))
    return sorted(found)


def derived_from(graph: nx.MultiDiGraph, source: str) -> set[str]:
    """Every source ``source`` derives from, in one or more steps (itself excluded)."""
    seen: set[str] = set()
    queue = deque([source])
    while queue:
        for earlier in _out(graph, queue.popleft(), DERIVATION):
            if earlier not in seen:
                seen.add(earlier)
                queue.append(earlier)
    seen.discard(source)
    return seen


def origins(graph: nx.MultiDiGraph, claim: str) -> list[str]:
    """Sources stating ``claim`` that derive from no other source stating it (query: ``claim_origins``)."""
    stating = set(stating_sources(graph, claim))
    return sorted(s for s in stating if not (derived_from(graph, s) & stating))


def echo_factor(graph: nx.MultiDiGraph, claim: str) -> float | None:
    """Sources stating ``claim`` per origin; ``None`` without origins (query: ``echo_factors``)."""
    found = origins(graph, claim)
    return len(stating_sources(graph, claim)) / len(found) if found else None


def origin_tie(graph: nx.MultiDiGraph, first: str, second: str, depth: int = DEFAULT_DEPTH) -> Tie | None:
    """A tie between a publisher or author of source ``first`` and one of ``second``, or ``None``."""
    parties = ["dcterms:publisher", "dcterms:creator"]
    for a in _out(graph, first, parties):
        for b in _out(graph, second, parties):
            found = tie(graph, a, b, depth)
            if found is not None:
                return found
    return None


def circular_reporting(graph: nx.MultiDiGraph, claim: str, depth: int = DEFAULT_DEPTH) -> bool:
    """Two or more sources state ``claim`` and they trace back to one origin, or to origins
    that are all tied to each other (query: ``circular_reporting``)."""
    if len(stating_sources(graph, claim)) < 2:
        return False
    found = origins(graph, claim)
    if len(found) == 1:
        return True
    return len(found) > 1 and all(
        origin_tie(graph, a, b, depth) is not None for a in found for b in found if a != b
    )


def interested_parties(graph: nx.MultiDiGraph, claim: str) -> dict[str, list[str]]:
    """Interested parties of ``claim`` with their roles (query: ``interested_parties``)."""
    roles: dict[str, list[str]] = {}

    def add(party: str, role: str) -> None:
        roles.setdefault(party, [])
        if role not in roles[party]:
            roles[party].append(role)

    for party in _out(graph, claim, ["oc:claimedBy"]):
        add(party, "claimant")
    for statement in _in(graph, claim, ["oa:hasBody"]):
        for party in _out(graph, statement, ["oc:attributedTo"]):
            add(party, "named as the claim's source")
    for therapy in _out(graph, claim, ["oc:about"]):
        for party in _out(graph, therapy, ["oc:developedBy"]):
            add(party, "the therapy's developer")
        for party in _out(graph, therapy, ["oc:sponsoredBy"]):
            add(party, "the therapy's sponsor")
    for origin in origins(graph, claim):
        for party in _out(graph, origin, ["dcterms:publisher"]):
            add(party, "publisher of an origin of the claim")
        for party in _out(graph, origin, ["dcterms:creator"]):
            add(party, "author of an origin of the claim")
    return roles


#: The links from evidence to its responsible parties, with the role each gives...
RESPONSIBLE_LINKS = (("oc:sponsor", "sponsor"), ("oc:leadSponsor", "sponsor"), ("oc:funder", "funder"))
#: ...and from the sources it is reported in (``oc:reportedIn``).
REPORT_LINKS = (("dcterms:publisher", "publisher"), ("dcterms:creator", "author"))


def responsible_parties(graph: nx.MultiDiGraph, evidence: str) -> dict[str, list[str]]:
    """Responsible parties of ``evidence`` with their roles (query: ``responsible_parties``)."""
    roles: dict[str, list[str]] = {}
    for predicate, role in RESPONSIBLE_LINKS:
        for party in _out(graph, evidence, [predicate]):
            roles.setdefault(party, [])
            if role not in roles[party]:
                roles[party].append(role)
    for report in _out(graph, evidence, ["oc:reportedIn"]):
        for predicate, role in REPORT_LINKS:
            for party in _out(graph, report, [predicate]):
                roles.setdefault(party, [])
                if role not in roles[party]:
                    roles[party].append(role)
    return roles


def ancestors(graph: nx.MultiDiGraph, party: str, depth: int) -> dict[str, list[tuple[str, str]]]:
    """Nodes a party reaches: itself, its affiliations, then up to ``depth`` tie links.

    :returns: for each node reached, the shortest chain as ``(predicate, node)`` steps.
    """
    chains: dict[str, list[tuple[str, str]]] = {party: []}
    for affiliation in _out(graph, party, ["schema:affiliation"]):
        chains.setdefault(affiliation, [("schema:affiliation", affiliation)])
    frontier = list(chains)
    out = _index(graph).out
    for _ in range(depth):
        following = []
        for node in frontier:
            by_predicate = out.get(node, {})
            for key in TIE_LINKS:
                for target in sorted(by_predicate.get(key, ())):
                    if target not in chains:
                        chains[target] = [*chains[node], (key, target)]
                        following.append(target)
        frontier = following
    return chains


@dataclass(frozen=True, slots=True)
class Tie:
    """Two parties tied through ``common``, with the chain from each side to it."""

    first: str
    second: str
    common: str
    first_chain: list[tuple[str, str]]
    second_chain: list[tuple[str, str]]


def tie(graph: nx.MultiDiGraph, first: str, second: str, depth: int = DEFAULT_DEPTH) -> Tie | None:
    """The shortest tie between two parties, or ``None`` (query: ``party_ties``)."""
    reach_first = ancestors(graph, first, depth)
    reach_second = ancestors(graph, second, depth)
    common = set(reach_first) & set(reach_second)
    if not common:
        return None
    best = min(common, key=lambda n: (len(reach_first[n]) + len(reach_second[n]), n))
    return Tie(first, second, best, reach_first[best], reach_second[best])


@dataclass(frozen=True, slots=True)
class Verdict:
    """Whether one piece of evidence independently bears on a claim, and why.

    ``independent`` is ``True``, ``False`` or ``None``: independence unknown, when no one
    who did the study (author, sponsor, funder) is in the graph and no tie is found.
    """

    evidence: str
    relation: str
    independent: bool | None
    reason: str
    tie: Tie | None = None


def independence(tied: bool, study_known: bool) -> bool | None:
    """The tie rule, shared by every Python engine: a known tie makes evidence not
    independent (``False``); without one, it is independent (``True``) only when someone
    who did the study is known, else unknown (``None``): unknown is not independent.

    >>> independence(tied=False, study_known=False) is None
    True
    """
    if tied:
        return False
    return True if study_known else None


@dataclass(frozen=True, slots=True)
class TieVerdict:
    """The tie test of evidence against a claim: ``independent`` as in :func:`independence`."""

    independent: bool | None
    reason: str
    tie: Tie | None = None


def _label(graph: nx.MultiDiGraph, node: str) -> str:
    data = graph.nodes[node] if node in graph else {}
    return str(data.get("label") or data.get("title") or node.rsplit("/", 1)[-1])


_STEP_WORDS = {
    "schema:affiliation": "is affiliated with",
    "oc:partOf": "is part of",
    "oc:controlledBy": "is controlled by",
    "oc:fundedBy": "is funded by",
    "oc:candidateIn": "may be the same institution as the others in",
}


def _chain_words(graph: nx.MultiDiGraph, chain: list[tuple[str, str]]) -> str:
    words = []
    for index, (predicate, node) in enumerate(chain):
        lead = " " if index == 0 else ", which "
        words.append(f"{lead}{_STEP_WORDS[predicate]} {_label(graph, node)}")
    return "".join(words)


def describe_tie(
    graph: nx.MultiDiGraph, found: Tie, responsible_roles: list[str], interested_roles: list[str]
) -> str:
    """Plain words for a tie, e.g. "publisher X is controlled by Y, which is part of Z, the therapy's developer"."""
    left = f"{' and '.join(responsible_roles)} {_label(graph, found.first)}"
    left += _chain_words(graph, found.first_chain)
    roles = " and ".join(interested_roles)
    if not found.second_chain:
        if not found.first_chain:
            return f"{left} is also {roles}"
        return f"{left}, {roles}"
    return f"{left}; {roles} {_label(graph, found.second)}{_chain_words(graph, found.second_chain)}"


def _is_confirmatory(graph: nx.MultiDiGraph, source_type: str, confirmatory: set[str] | None) -> bool:
    if confirmatory is not None:
        return source_type in confirmatory
    return bool(source_type in graph and graph.nodes[source_type].get("confirmatory"))


def tie_verdict(
    graph: nx.MultiDiGraph,
    responsible: dict[str, list[str]],
    interested: dict[str, list[str]],
    depth: int = DEFAULT_DEPTH,
    *,
    reports: Iterable[str] = (),
) -> TieVerdict:
    """The tie test: responsible parties of evidence (party -> roles, as
    :func:`responsible_parties` gives them) against the interested parties of a claim
    (as :func:`interested_parties`), by :func:`independence`.

    ``False`` with the tie in words; ``True`` when a party in a :data:`STUDY_ROLES` role is
    known and none is tied; ``None`` (independence unknown) when none is known, with the
    reason naming what is missing (the authors of ``reports``, sponsors, funders).
    """
    found = _first_tie(graph, responsible, interested, depth)
    known = any(role in STUDY_ROLES for roles in responsible.values() for role in roles)
    verdict = independence(found is not None, known)
    if verdict is False:
        assert found is not None
        return TieVerdict(False, describe_tie(graph, found, responsible[found.first], interested[found.second]), found)
    if verdict:
        return TieVerdict(True, f"no tie within {depth} steps between its sponsors, funders, publishers or "
                                "authors and the claim's interested parties")
    names = ", ".join(_label(graph, r) for r in sorted(reports))
    authors = f"the authors of {names}" if names else "its authors"
    return TieVerdict(None, f"who did the study is not in the graph: {authors}, its sponsors and its funders "
                            "are all unknown, so a tie can be neither found nor ruled out")


def evidence_verdict(
    graph: nx.MultiDiGraph,
    claim: str,
    evidence: str,
    relation: str,
    *,
    depth: int = DEFAULT_DEPTH,
    confirmatory: set[str] | None = None,
) -> Verdict:
    """Decide whether ``evidence`` is independent of ``claim`` (query: ``independent_evidence``).

    :param confirmatory: source-type IRIs that may confirm; ``None`` uses the ontology's.
    :returns: a verdict whose ``independent`` is ``True``, ``False`` or ``None`` (unknown).
    """
    stating = set(stating_sources(graph, claim))
    reports = _out(graph, evidence, ["oc:reportedIn"])
    if not reports:
        return Verdict(evidence, relation, False, "not independent: no source reports this evidence")
    problems = []
    usable = []
    for report in reports:
        types = _out(graph, report, ["oc:sourceType"])
        name = _label(graph, report)
        if not any(_is_confirmatory(graph, t, confirmatory) for t in types):
            kind = " or ".join(_label(graph, t) for t in types) or "a source of unknown type"
            problems.append(f"reported in {name} ({kind}), not a confirmatory source type")
        elif graph.nodes[report].get("retracted"):
            problems.append(f"reported in {name}, which is retracted")
        elif derived := sorted(derived_from(graph, report) & stating):
            problems.append(f"reported in {name}, which derives from {_label(graph, derived[0])}, a source stating the claim")
        else:
            usable.append(report)
    ties = tie_verdict(graph, responsible_parties(graph, evidence), interested_parties(graph, claim), depth,
                       reports=reports)
    if usable:
        problems = []  # one usable report is enough; only a tie can still break independence
    if ties.independent is False:
        problems.append(ties.reason)
    if problems:
        return Verdict(evidence, relation, False, "not independent: " + "; ".join(problems), ties.tie)
    where = ", ".join(_label(graph, r) for r in usable)
    if ties.independent is None:
        return Verdict(evidence, relation, None,
                       f"independence unknown: reported in {where}, a confirmatory source, but {ties.reason}")
    return Verdict(evidence, relation, True, f"independent: reported in {where}, a confirmatory source, with {ties.reason}")


def _first_tie(
    graph: nx.MultiDiGraph, responsible: dict[str, list[str]], interested: dict[str, list[str]], depth: int
) -> Tie | None:
    for party in sorted(responsible):
        for other in sorted(interested):
            found = tie(graph, party, other, depth)
            if found is not None:
                return found
    return None


def evidence_for(graph: nx.MultiDiGraph, claim: str) -> list[tuple[str, str]]:
    """``(evidence, relation)`` for every piece of evidence bearing on ``claim``."""
    found = []
    for predicate, relation in (("cito:supports", "supports"), ("cito:disputes", "disputes"),
                                ("oc:inconclusiveFor", "inconclusive")):
        found += [(evidence, relation) for evidence in _in(graph, claim, [predicate])]
    return found


def independent_evidence(
    graph: nx.MultiDiGraph, claim: str, *, depth: int = DEFAULT_DEPTH, confirmatory: set[str] | None = None
) -> list[tuple[str, str]]:
    """Independent ``(evidence, relation)`` pairs, supports and disputes only."""
    return [
        (evidence, relation)
        for evidence, relation in evidence_for(graph, claim)
        if relation != "inconclusive"
        and evidence_verdict(graph, claim, evidence, relation, depth=depth, confirmatory=confirmatory).independent
    ]


def _retracted(graph: nx.MultiDiGraph, evidence: str) -> bool:
    reports = _out(graph, evidence, ["oc:reportedIn"])
    return bool(reports) and all(graph.nodes[r].get("retracted") for r in reports)


def status_name(independent: set[str], unknown_support: bool, support: bool, all_support_retracted: bool) -> str:
    """The status rule, shared by every Python engine (``claim_statuses.rq`` is its twin).

    :param independent: the relations ("supports", "disputes") of the claim's independent evidence.
    :param unknown_support: some supporting evidence has independence unknown.
    :param support: some evidence supports the claim.
    :param all_support_retracted: every supporting item is reported only in retracted sources.
    """
    if "supports" in independent:
        return "contested" if "disputes" in independent else "independently-confirmed"
    if "disputes" in independent:
        return "contradicted"
    if support and all_support_retracted:
        return "retracted-support"
    if unknown_support:
        return "independence-unknown"
    return "self-confirmed" if support else "unconfirmed"


def status(
    graph: nx.MultiDiGraph, claim: str, *, depth: int = DEFAULT_DEPTH, confirmatory: set[str] | None = None
) -> str:
    """The claim's confirmation status IRI (query: ``claim_statuses``), by the rules of the
    whole-store engine (:func:`oncoclaims.graph.statuses.status_from_graph`): one definition."""
    from oncoclaims.graph.statuses import status_from_graph  # statuses imports this module

    return status_from_graph(graph, claim, depth=depth, confirmatory=confirmatory)
