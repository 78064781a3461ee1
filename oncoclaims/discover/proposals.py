"""A record's own stated result for a claim's exact comparison, proposed as a judgement (pure).

A trial's posted results may state, for its primary outcome, an analysis comparing the
claim's therapy with a comparator (placebo, control, observation, standard care): the
value in each group, the p-value, the estimate. When that is the claim's comparison, the
candidate is *proposed* as ``supports`` or ``disputes``, with the reason quoting the
record. It stays a candidate: a person judges it (``oncoclaims review``); nothing here
writes a ``supports`` link.

The comparison matches only when all of these hold, else nothing is proposed:

- the claim is about efficacy, and the outcome is not a safety outcome (adverse events,
  toxicity, tolerability);
- the record's conditions are the claim's indication (condition similarity at least
  :data:`SAME_CONDITION`);
- the analysis compares two groups: exactly one names one of the claim's therapies and
  is not a comparator, and the other is the comparator.

Then: no significant difference (p ≥ 0.05) proposes ``disputes``; a significant one
proposes ``supports`` or ``disputes`` by which group did better, when the outcome says
which way is better (survival, response, remission, improvement: higher; death,
relapse, recurrence, progression, incidence: lower; a time or duration: not said) and
both values are stated numbers; otherwise nothing. Analyses that disagree propose nothing.

>>> from oncoclaims.discover.ranking import StatedGroup as G
>>> result = StatedResult("Overall Survival Rate", (G("Drug X", value="61"), G("Placebo", value="40")),
...                       p_value="0.01")
>>> claim = ClaimProfile("c", (("Drug X",),), indication="melanoma", claim_type="efficacy")
>>> record = RecordProfile("r", "trial", conditions=("Melanoma",), results=(result,))
>>> propose(claim, record)[0]
'supports'
"""

from __future__ import annotations

import re

from oncoclaims.discover.conditions import condition_similarity
from oncoclaims.discover.names import name_variants
from oncoclaims.discover.ranking import ClaimProfile, RecordProfile, StatedGroup, StatedResult

__all__ = ["SAME_CONDITION", "SIGNIFICANCE", "propose"]

#: The condition similarity at which a record's condition counts as the claim's indication.
SAME_CONDITION = 0.5
#: A stated p-value below this is a significant difference.
SIGNIFICANCE = 0.05

_SAFETY = re.compile(r"adverse|toxicit|tolerab|safety|side effect|dose[- ]limiting", re.IGNORECASE)
_COMPARATOR = re.compile(r"placebo|control|observation|standard|usual care|best supportive|no treatment",
                         re.IGNORECASE)
_HIGHER = re.compile(r"surviv|respon|remission|improv", re.IGNORECASE)
_LOWER = re.compile(r"death|mortality|relapse|recurrence|progression|incidence", re.IGNORECASE)
_P = re.compile(r"^\s*(?P<op>[<>≤≥=]*)\s*(?P<value>\d*\.?\d+(?:[eE]-?\d+)?)\s*$")
_TIME = re.compile(r"\btime to\b|duration|days to", re.IGNORECASE)
_NUMBER = re.compile(r"^\s*-?\d*\.?\d+\s*$")


def _mentions(text: str | None, names: list[str]) -> bool:
    folded = (text or "").casefold()
    return any(re.search(rf"(?<!\w){re.escape(name)}(?!\w)", folded) for name in names)


def _arms(groups: tuple[StatedGroup, ...], names: list[str]) -> tuple[StatedGroup, StatedGroup] | None:
    if len(groups) != 2:
        return None
    arm = [g for g in groups if not _COMPARATOR.search(g.title)
           and (_mentions(g.title, names) or _mentions(g.description, names))]
    other = [g for g in groups if g not in arm]
    if len(arm) != 1 or len(other) != 1 or _mentions(other[0].title, names):
        return None
    return arm[0], other[0]


def _p_value(text: str | None) -> tuple[float, bool] | None:
    """``(value, below)``: ``below`` when the record states only that p is below the value."""
    match = _P.match(text or "")
    if match is None:
        return None
    return float(match["value"]), match["op"] in ("<", "≤")


def _verdict(result: StatedResult, arm: StatedGroup, other: StatedGroup) -> tuple[str, str] | None:
    p = _p_value(result.p_value)
    if p is None:
        return None
    value, below = p
    if not (value < SIGNIFICANCE or (below and value <= SIGNIFICANCE)):
        return "disputes", "no significant difference between the claim's therapy and the comparator"
    if not (arm.value and other.value and _NUMBER.match(arm.value) and _NUMBER.match(other.value)):
        return None
    if _TIME.search(result.outcome):
        return None  # a time or duration: which way is better depends on what it measures
    if _HIGHER.search(result.outcome):
        higher = True  # "event-free survival" is survival
    elif _LOWER.search(result.outcome):
        higher = False
    else:
        return None  # the outcome does not say which way is better
    mine, theirs = float(arm.value), float(other.value)
    if mine == theirs:
        return None
    if (mine > theirs) == higher:
        return "supports", "a significant difference in favour of the claim's therapy"
    return "disputes", "a significant difference against the claim's therapy"


def _quote(result: StatedResult, arm: StatedGroup, other: StatedGroup, conclusion: str) -> str:
    text = f'primary outcome "{result.outcome}"' + (f" ({result.unit})" if result.unit else "")
    text += f": {arm.title} {arm.value or 'no value stated'} vs {other.title} {other.value or 'no value stated'}"
    if result.estimate:
        text += f"; {result.estimate}"
    p = (result.p_value or "").strip()
    text += f"; p {p}" if p[:1] in "<>≤≥=" else f"; p = {p}"
    if result.method:
        text += f" ({result.method})"
    return f"the record states for {text}: {conclusion}"


def propose(claim: ClaimProfile, record: RecordProfile) -> tuple[str, str] | None:
    """``(verdict, reason)`` when ``record`` states a result for ``claim``'s exact comparison, else ``None``."""
    if claim.claim_type != "efficacy" or not record.results:
        return None
    if condition_similarity(claim.indication, record.conditions) < SAME_CONDITION:
        return None
    names = sorted({n.casefold() for n in name_variants(n for part in claim.therapy_parts for n in part) if n})
    found: list[tuple[str, str]] = []
    for result in record.results:
        if _SAFETY.search(result.outcome):
            continue
        arms = _arms(result.groups, names)
        if arms is None:
            continue
        verdict = _verdict(result, *arms)
        if verdict is not None:
            found.append((verdict[0], _quote(result, *arms, verdict[1])))
    if not found or len({verdict for verdict, _ in found}) > 1:
        return None
    reason = found[0][1]
    if len(found) > 1:
        reason += f" (and {len(found) - 1} more primary analyses agree)"
    return found[0][0], reason[0].upper() + reason[1:]
