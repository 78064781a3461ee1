"""Ranking candidate evidence for a claim: how well a record matches, and why (pure).

A record is a candidate for a claim when it concerns one of the claim's therapies (after
names are normalised, :mod:`oncoclaims.discover.names`). Its score adds up what else
matches, each part named in ``matched_on``:

=============  ======  ===================================================================
part           weight  how
=============  ======  ===================================================================
therapy        0.45    share of the claim's therapies (a combination's parts) the record has
condition      0.30    :func:`~oncoclaims.discover.conditions.condition_similarity`
population     0.10    the record studies the population the claim speaks of
design         0.15    the record's evidence level rank, over the highest rank
=============  ======  ===================================================================

A record about none of the claim's therapies is no candidate, whatever else matches.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache

from oncoclaims.discover.conditions import condition_similarity

__all__ = [
    "MAX_LEVEL_RANK",
    "WEIGHTS",
    "Candidate",
    "ClaimProfile",
    "RecordBase",
    "RecordProfile",
    "StatedGroup",
    "StatedResult",
    "rank_candidates",
    "record_base",
    "score_record",
]

WEIGHTS = {"therapy": 0.45, "condition": 0.30, "population": 0.10, "design": 0.15}
#: The highest evidence-level rank of the ontology's levels (``oc:rank``); a record of this
#: rank gets the whole design weight.
MAX_LEVEL_RANK = 6


@dataclass(frozen=True, slots=True)
class ClaimProfile:
    """What a claim says that a record can match: its therapies (each a combination's
    parts' names), indication, population, and its type (``efficacy``, ``safety``...)."""

    iri: str
    #: one entry per part: the names of that part (label and synonyms)
    therapy_parts: tuple[tuple[str, ...], ...]
    indication: str | None = None
    population: str | None = None
    claim_type: str | None = None


@dataclass(frozen=True, slots=True)
class StatedGroup:
    """A group a stated result compares: its title, description and measured value, as stated."""

    title: str
    description: str | None = None
    value: str | None = None


@dataclass(frozen=True, slots=True)
class StatedResult:
    """One analysis of a record's primary outcome, as the record states it."""

    outcome: str
    groups: tuple[StatedGroup, ...]
    unit: str | None = None
    p_value: str | None = None
    method: str | None = None
    estimate: str | None = None


@dataclass(frozen=True, slots=True)
class RecordProfile:
    """What a record (trial, paper, decision) says, as read from the store."""

    iri: str
    kind: str  # "trial", "paper", "decision"
    title: str | None = None
    identifiers: tuple[str, ...] = ()
    #: the claim parts (by index) this record's therapies matched, with the names matched
    matched_parts: dict[int, str] = field(default_factory=dict)
    conditions: tuple[str, ...] = ()
    population: str | None = None
    evidence_level: str | None = None
    level_rank: int | None = None
    #: the analyses of its primary outcome it states (a trial's posted results)
    results: tuple[StatedResult, ...] = ()


@dataclass(frozen=True, slots=True)
class Candidate:
    """A record ranked for a claim: its score and what matched."""

    record: RecordProfile
    score: float
    matched_on: tuple[str, ...]


#: What of a record's score does not depend on the claim's condition or population: the
#: therapy texts and weight (for a claim of so many therapy parts), the design text and weight.
RecordBase = tuple[tuple[str, ...], float, str | None, float]


def record_base(parts: int, record: RecordProfile) -> RecordBase:
    """The therapy and design parts of ``record``'s score for a claim of ``parts`` therapy parts (pure)."""
    texts = tuple(f"therapy: {record.matched_parts[i]}" for i in sorted(record.matched_parts))
    therapy = WEIGHTS["therapy"] * min(1.0, len(record.matched_parts) / parts)
    if record.level_rank is None:
        return texts, therapy, None, 0.0
    return (texts, therapy, f"design: {record.evidence_level or 'rank ' + str(record.level_rank)}",
            WEIGHTS["design"] * min(1.0, record.level_rank / MAX_LEVEL_RANK))


def score_record(claim: ClaimProfile, record: RecordProfile, base: RecordBase | None = None) -> Candidate | None:
    """Score ``record`` for ``claim``; ``None`` when it concerns none of the claim's therapies.

    :param base: :func:`record_base` of the record for this claim, when already made.
    """
    if not record.matched_parts:
        return None
    texts, score, design, weight = base or record_base(max(1, len(claim.therapy_parts)), record)
    matched = list(texts)
    similarity, best = _condition_match(claim.indication, record.conditions)
    if best is not None:
        matched.append(best)
        score += WEIGHTS["condition"] * similarity
    if claim.population and record.population and claim.population == record.population:
        matched.append(_population_text(claim.population))
        score += WEIGHTS["population"]
    if design is not None:
        matched.append(design)
        score += weight
    return Candidate(record, round(score, 4), tuple(matched))


@lru_cache(maxsize=1 << 10)
def _population_text(population: str) -> str:
    return "population: " + population.rsplit("population-", 1)[-1]


@lru_cache(maxsize=1 << 16)
def _condition_match(indication: str | None, conditions: tuple[str, ...]) -> tuple[float, str | None]:
    # the similarity and the text naming the first best of the record's conditions (claims
    # and records repeat both)
    similarity = condition_similarity(indication, conditions)
    if similarity <= 0:
        return similarity, None
    best = max(conditions, key=lambda c: condition_similarity(indication, [c]))
    return similarity, f"condition: {best} ({similarity:.2f})"


def rank_candidates(
    claim: ClaimProfile, records: Iterable[RecordProfile], *, limit: int = 20, offset: int = 0,
    bases: Mapping[str, RecordBase] | None = None,
) -> tuple[list[Candidate], int]:
    """Rank ``records`` for ``claim``, best first, ties by record IRI.

    Only the best ``offset + limit`` are kept while the records stream by (a bounded
    heap), so ranking many records keeps the best of all of them in little memory.

    :param bases: each record's :func:`record_base` for this claim, by IRI, when already made
        (claims about the same therapies share them).
    :returns: the page ``[offset, offset + limit)`` and how many candidates there are in all.
    """
    keep = max(0, offset) + max(0, limit)
    heap: list[tuple[float, _Reversed, Candidate]] = []  # the worst kept candidate on top
    total = 0
    for record in records:
        candidate = score_record(claim, record, bases.get(record.iri) if bases is not None else None)
        if candidate is None:
            continue
        total += 1
        entry = (candidate.score, _Reversed(record.iri), candidate)
        if len(heap) < keep:
            heapq.heappush(heap, entry)
        elif keep and entry[:2] > heap[0][:2]:
            heapq.heapreplace(heap, entry)
    best = sorted((entry[2] for entry in heap), key=lambda c: (-c.score, c.record.iri))
    return best[offset : offset + limit], total


@dataclass(frozen=True, slots=True)
class _Reversed:
    """An IRI that sorts backwards: of two equal scores, the smaller IRI is the better candidate."""

    iri: str

    def __lt__(self, other: _Reversed) -> bool:
        return self.iri > other.iri

    def __gt__(self, other: _Reversed) -> bool:
        return self.iri < other.iri
