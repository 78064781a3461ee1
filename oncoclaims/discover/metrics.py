"""Discovery metrics: per therapy, claims, candidates and independent candidates; per
institution, how many of its claims have any independent candidate.

Therapies are grouped by their dictionary drug (Keytruda and pembrolizumab count as one),
else by label. The tie verdicts are those discovery stored (its best candidates'), so run
``oncoclaims discover`` first.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from oncoclaims import queries
from oncoclaims.discover.names import resolve_drug, split_combination
from oncoclaims.graph.store import ClaimStore

__all__ = ["candidate_metrics", "summarise_candidates"]


def summarise_candidates(rows: Iterable[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """Aggregate rows ``{claim, therapy, claimant, candidate (a record), independent}`` (pure).

    A record counts once per therapy however many claims it is a candidate for; it counts
    as independent when it is for at least one claim.

    >>> rows = [{"claim": "c1", "therapy": "Keytruda", "claimant": None, "candidate": "x", "independent": True},
    ...         {"claim": "c2", "therapy": "pembrolizumab", "claimant": "Merck", "candidate": "y", "independent": None}]
    >>> summarise_candidates(rows)["therapies"]
    [{'therapy': 'Pembrolizumab', 'claims': 2, 'candidates': 2, 'independent_candidates': 1}]
    """
    therapies: dict[str, dict[str, set[str]]] = {}
    institutions: dict[str, dict[str, set[str]]] = {}
    for row in rows:
        claim = row["claim"]
        for part in split_combination(row["therapy"]) if row.get("therapy") else ():
            drug = resolve_drug(part)
            name = drug.name if drug else part
            entry = therapies.setdefault(name, {"claims": set(), "candidates": set(), "independent": set()})
            entry["claims"].add(claim)
            if row.get("candidate"):
                entry["candidates"].add(row["candidate"])
                if row.get("independent") is True:
                    entry["independent"].add(row["candidate"])
        if row.get("claimant"):
            entry = institutions.setdefault(row["claimant"], {"claims": set(), "with_independent": set()})
            entry["claims"].add(claim)
            if row.get("independent") is True:
                entry["with_independent"].add(claim)
    return {
        "therapies": [
            {"therapy": name, "claims": len(e["claims"]), "candidates": len(e["candidates"]),
             "independent_candidates": len(e["independent"])}
            for name, e in sorted(therapies.items(), key=lambda item: (-len(item[1]["claims"]), item[0]))
        ],
        "institutions": [
            {"institution": name, "claims": len(e["claims"]),
             "claims_with_an_independent_candidate": len(e["with_independent"])}
            for name, e in sorted(institutions.items(), key=lambda item: (-len(item[1]["claims"]), item[0]))
        ],
    }


def candidate_metrics(store: ClaimStore) -> dict[str, list[dict[str, Any]]]:
    """The discovery metrics of the store (claims with candidates or not)."""
    rows = []
    for row in queries.select(store, "candidate_counts"):
        independent = row.get("independent")
        rows.append({
            "claim": row["claim"].value,
            "therapy": row["therapyLabel"].value if "therapyLabel" in row else None,
            "claimant": (row.get("claimantLabel") or row.get("claimant")).value if "claimant" in row else None,
            "candidate": row["record"].value if "record" in row else None,
            "independent": None if independent is None else independent.value == "true",
        })
    return summarise_candidates(rows)
