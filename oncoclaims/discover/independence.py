"""The tie verdict of one candidate record against a claim's interested parties: true, false or null.

**Unknown is not independent** (DESIGN.md): a record whose sponsors, funders, publishers
and authors are all unknown gives ``None`` with the reason, never ``True``. A known tie
gives ``False`` with the chain in words. Only a record with known parties, none tied to
a known interested party, and not plausibly the maker's own (below), gives ``True``.

When the claim's therapy has no developer in the graph, a record sponsored by a company
cannot be called independent: the company may be the maker. The verdict is then
``None`` and the reason says so.

This is the one function the confirmation engine's per-evidence verdict (issue 16) can
replace: :func:`candidate_verdict` takes the same projection the engine reads.
"""

from __future__ import annotations

import networkx as nx

from oncoclaims.graph import analysis

__all__ = ["candidate_verdict", "verdict_for"]

_COMPANY = "https://w3id.org/oncoclaims/vocab#kind-company"


def candidate_verdict(
    graph: nx.MultiDiGraph, claim: str, record: str, *, depth: int = analysis.DEFAULT_DEPTH
) -> tuple[bool | None, str]:
    """Whether ``record`` is independent of ``claim``'s interested parties, and why.

    :param graph: a projection holding the claim's and the record's neighbourhoods.
    :returns: ``(True|False|None, reason)``.
    """
    return verdict_for(graph, record, analysis.interested_parties(graph, claim), depth=depth)


def verdict_for(
    graph: nx.MultiDiGraph, record: str, interested: dict[str, list[str]], *, depth: int = analysis.DEFAULT_DEPTH
) -> tuple[bool | None, str]:
    """Whether ``record`` is independent of the ``interested`` parties (party -> roles), and why.

    :param graph: a projection holding the record's and the interested parties' neighbourhoods
        (a discovery run reuses one verdict for every claim with the same interested parties).
    :returns: ``(True|False|None, reason)``.
    """
    label = analysis._label
    responsible = analysis.responsible_parties(graph, record)
    if not responsible:
        return None, ("unknown: no sponsor, funder, publisher or author of this record is in the graph, "
                      "and unknown is not independent")
    for party in sorted(responsible):
        for other in sorted(interested):
            found = analysis.tie(graph, party, other, depth)
            if found is not None:
                return False, "not independent: " + analysis.describe_tie(
                    graph, found, responsible[party], interested[other])
    developers = [p for p, roles in interested.items()
                  if "the therapy's developer" in roles or "the therapy's sponsor" in roles]
    if not developers:
        companies = sorted(p for p in responsible
                           if _COMPANY in analysis._out(graph, p, ["oc:institutionKind"]))
        if companies:
            names = ", ".join(label(graph, p) for p in companies)
            return None, (f"unknown: the therapy's developer is not in the graph, and {names} "
                          "is a company that may be its maker")
    if not interested:
        return None, "unknown: none of the claim's interested parties is in the graph, so no tie can be ruled out"
    return True, (f"independent: no tie within {depth} steps between its sponsors, funders, publishers or "
                  "authors and the claim's interested parties")
