"""A claim's candidates as the report shows them, and the sentence that sums them up.

Each entry is ``{"record", "identifiers", "title", "matched_on", "score", "evidence_level",
"sponsors", "funders", "authors", "independent", "reason", "proposed", "review"}``, best first;
``proposed`` is ``{"verdict", "reason"}`` when the record's own stated result proposes a
judgement (:mod:`oncoclaims.discover.proposals`), else ``None``. The
candidates `oncoclaims discover` wrote are read back; a claim never discovered is
ranked on the spot (nothing written). Sponsors, funders, authors and the tie verdict are
read from the store when the report is made, so a tie recorded after discovery counts.
"""

from __future__ import annotations

from typing import Any

import pyoxigraph as ox

from oncoclaims import queries
from oncoclaims.discover.candidates import find_candidates, project_for, record_profile
from oncoclaims.discover.independence import candidate_verdict
from oncoclaims.discover.ranking import RecordProfile
from oncoclaims.graph import analysis
from oncoclaims.graph.read_ahead import ReadAhead, read_ahead
from oncoclaims.graph.store import ClaimStore
from oncoclaims.iris import mint_iri
from oncoclaims.vocab import OC

__all__ = ["NOT_READ", "candidate_entries", "explain_candidates", "read_candidates"]

#: ``candidate_entries(stored=...)`` when the stored candidates were not read beforehand.
NOT_READ: Any = object()
#: The stored candidates of a claim, as :func:`read_candidates` gives them.
Stored = tuple[list[dict[str, Any]], int] | None


def _stored(store: ClaimStore, claim: str) -> tuple[list[dict[str, Any]], int] | None:
    if _names_no_candidate_set(store, claim):
        return None
    rows = queries.select(store, "claim_candidates", claim=claim)
    if not rows:
        return None
    entries: dict[str, dict[str, Any]] = {}
    total = 0
    for row in rows:
        record = row["record"].value
        entry = entries.setdefault(record, {
            "record": record, "score": float(row["score"].value), "matched_on": [], "review": None,
            "proposed": None,
        })
        if "proposed" in row:
            entry["proposed"] = {"verdict": row["proposed"].value, "reason": row["proposalReason"].value}
        if "matchedOn" in row and row["matchedOn"].value not in entry["matched_on"]:
            entry["matched_on"].append(row["matchedOn"].value)
        if "total" in row:
            total = int(row["total"].value)
        if "verdict" in row:
            entry["review"] = {
                "iri": mint_iri("judgement", claim, record).value,  # its last segment: the review's id
                "verdict": row["verdict"].value,
                "by": row["reviewer"].value if "reviewer" in row else None,
                "when": row["reviewed"].value if "reviewed" in row else None,
            }
    return list(entries.values()), total


def _names_no_candidate_set(store: ClaimStore, claim: str) -> bool:
    """Whether ``claim`` is known to state no ``oc:candidateSet``, where that costs no request
    (in process a lookup; on a server when its walk read the claim's description). Every row
    of claim_candidates.rq starts there: none, no candidates to read (0.45 ms in process, a
    request on a server)."""
    if isinstance(store, ReadAhead):
        return store.read_whole(claim) and not store.states(claim, OC.candidateSet)
    if not store.is_embedded:
        return False
    try:
        node = ox.NamedNode(claim)
    except ValueError:
        return False
    return next(store.quads(node, OC.candidateSet, None, None), None) is None


def read_candidates(
    store: ClaimStore, claim: str, *, depth: int = analysis.DEFAULT_DEPTH, limit: int = 20
) -> Stored:
    """The candidates ``discover`` stored for ``claim`` (``None`` when it has not run for it),
    and on a server the neighbourhoods of the first ``limit`` records read ahead: what
    :func:`candidate_entries` reads first, to be read beside other requests
    (``stored=``)."""
    stored = _stored(store, claim)
    if stored is not None and isinstance(store, ReadAhead):
        store.walk([e["record"] for e in stored[0][:limit]], depth)
    return stored


def candidate_entries(
    store: ClaimStore,
    claim: str,
    *,
    depth: int = analysis.DEFAULT_DEPTH,
    limit: int = 20,
    live: bool = False,
    stored: Stored = NOT_READ,
) -> tuple[list[dict[str, Any]], int]:
    """The claim's candidates for the report, best first, and how many there are in all.

    :param live: rank on the spot (nothing written) when discovery has not run for the
        claim; off for reports, which must not pay for loading the names dictionary.
    :param stored: what :func:`read_candidates` gave for the same store, claim, depth and
        limit, when it was read beforehand.
    """
    if stored is NOT_READ:
        stored = _stored(store, claim)
    if stored is None:
        if not live:
            return [], 0
        found = find_candidates(store, claim, limit=limit)
        entries = [{"record": c.record.iri, "score": c.score, "matched_on": list(c.matched_on), "review": None,
                    "proposed": ({"verdict": found.proposals[c.record.iri][0], "reason": found.proposals[c.record.iri][1]}
                                 if c.record.iri in found.proposals else None)}
                   for c in found.candidates]
        total = found.total
        profiles = {c.record.iri: c.record for c in found.candidates}
    else:
        entries, total = stored
        entries = entries[:limit]
        store = read_ahead(store)
        if isinstance(store, ReadAhead):  # a server: every record's neighbourhood in a few requests
            store.walk([claim, *(e["record"] for e in entries)], depth)
        profiles = {e["record"]: record_profile(store, e["record"]) for e in entries}
    if not entries:
        return [], total
    graph = project_for(store, claim, [e["record"] for e in entries], depth)
    for entry in entries:
        profile: RecordProfile = profiles[entry["record"]]
        roles = analysis.responsible_parties(graph, entry["record"])
        independent, reason = candidate_verdict(graph, claim, entry["record"], depth=depth)
        named = {role: sorted(analysis._label(graph, p) for p, r in roles.items() if role in r)
                 for role in ("sponsor", "funder", "author")}
        entry.update({
            "identifiers": list(profile.identifiers),
            "title": profile.title,
            "kind": profile.kind,
            "evidence_level": profile.evidence_level,
            "sponsors": named["sponsor"],
            "funders": named["funder"],
            "authors": named["author"],
            "independent": independent,
            "reason": reason,
        })
    keys = ("record", "identifiers", "title", "kind", "matched_on", "score", "evidence_level", "sponsors",
            "funders", "authors", "independent", "reason", "proposed", "review")
    return [{key: entry.get(key) for key in keys} for entry in entries], total


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def explain_candidates(entries: list[dict[str, Any]], total: int) -> str:
    """One sentence on a claim's candidates: how many, whose, how many independent, reviewed.

    >>> explain_candidates([], 0)
    'No trial or paper of this therapy is in the graph.'
    """
    if not entries:
        return "No trial or paper of this therapy is in the graph."
    trials = sum(1 for e in entries if e["kind"] == "trial")
    decisions = sum(1 for e in entries if e["kind"] == "decision")
    papers = len(entries) - trials - decisions
    counted = [_count(n, one, many) for n, one, many in (
        (trials, "trial", "trials"), (papers, "paper", "papers"),
        (decisions, "regulatory decision", "regulatory decisions")) if n]
    what = ", ".join(counted[:-1]) + " and " + counted[-1] if len(counted) > 1 else counted[0]
    verb = "is" if len(entries) == 1 else "are"
    parts = [f"{what} of this therapy {verb} in the graph"
             + (f" ({total} in all; the best {len(entries)} shown)" if total > len(entries) else "")]
    tied = [e for e in entries if e["independent"] is False]
    unknown = [e for e in entries if e["independent"] is None]
    free = [e for e in entries if e["independent"] is True]
    everyone = "both" if len(entries) == 2 else ("it" if len(entries) == 1 else "all")
    if tied and len(tied) == len(entries):
        parts.append(f"{everyone} {'is' if len(entries) == 1 else 'are'} tied to the claim's interested parties")
    elif tied:
        parts.append(f"{len(tied)} {'is' if len(tied) == 1 else 'are'} tied to the claim's interested parties")
    if unknown:
        parts.append(f"for {len(unknown)} the independence is unknown (unknown is not independent)")
    parts.append("none is independent" if not free else f"{len(free)} {'is' if len(free) == 1 else 'are'} independent")
    proposed = [e for e in entries if e.get("proposed")]
    if proposed:
        parts.append(f"{len(proposed)} {'is' if len(proposed) == 1 else 'are'} proposed as supporting or disputing "
                     "by its own stated result, for a person to judge")
    reviewed = [e for e in entries if e["review"]]
    parts.append("none has been reviewed" if not reviewed else f"{len(reviewed)} reviewed")
    text = "; ".join(parts) + "."
    return text[0].upper() + text[1:]
