"""Score claim extraction against hand-written gold annotations.

A gold file is JSON (format in ``docs/extraction.md``)::

    {"article": "../news/story_reviews_01027.json",
     "claims": [{"quote": "...", "occurrence": 1, "type": "efficacy",
                 "quantities": [{"min": 60, "max": 80, "unit": "percent", "qualifier": "range"}],
                 "attribution": ["Russian press"], "hedge": ["said to"], "hype": []}]}

``article`` is relative to the gold file; each claim's span is found by its ``quote``
(``occurrence`` picks one when the quote repeats). Predicted and gold claims are paired
one to one, best overlap first; a pair *overlaps* when the characters they share are
at least half of the shorter span, and is *exact* when the offsets are equal once
sentence-final punctuation and closing quotes are set aside. Types, quantities,
attributions and markers are scored on overlapping pairs: a predicted item counts as
right only on a claim paired with a gold claim that has the same item.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from oncoclaims.errors import FormatError, ParseError, RecordError, SourceLocation
from oncoclaims.extract.claims import ExtractedClaim, extract_claims
from oncoclaims.reference import find_span

__all__ = [
    "METRICS",
    "GoldClaim",
    "Score",
    "ArticleEvaluation",
    "evaluate_file",
    "evaluate_text",
    "load_gold",
    "total",
]

#: The metrics reported, in order.
METRICS = ("span (overlap)", "span (exact)", "type", "quantity", "attribution", "hedge", "hype")
_TRAILING = ".!?”\"’' "


@dataclass(frozen=True, slots=True)
class GoldClaim:
    """One hand-annotated claim: span, type, quantities, parties and markers."""

    start: int
    end: int
    claim_type: str
    quantities: tuple[tuple[Any, ...], ...] = ()
    attribution: tuple[str, ...] = ()
    hedges: tuple[str, ...] = ()
    hypes: tuple[str, ...] = ()


@dataclass(slots=True)
class Score:
    """True positives and the sizes of the predicted and gold sets, for P/R/F1."""

    tp: int = 0
    predicted: int = 0
    gold: int = 0

    @property
    def precision(self) -> float:
        """Share of predictions that are right (1.0 when nothing was predicted)."""
        return self.tp / self.predicted if self.predicted else 1.0

    @property
    def recall(self) -> float:
        """Share of gold items found (1.0 when there is no gold item)."""
        return self.tp / self.gold if self.gold else 1.0

    @property
    def f1(self) -> float:
        """Harmonic mean of precision and recall."""
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def add(self, other: Score) -> None:
        """Add another score's counts to this one."""
        self.tp += other.tp
        self.predicted += other.predicted
        self.gold += other.gold


@dataclass(slots=True)
class ArticleEvaluation:
    """The scores of one article (or, from :func:`total`, of several)."""

    name: str
    scores: dict[str, Score] = field(default_factory=lambda: {m: Score() for m in METRICS})

    def to_dict(self) -> dict[str, Any]:
        """The scores as plain data (for ``--json``)."""
        return {
            "article": self.name,
            "scores": {
                metric: {"tp": s.tp, "predicted": s.predicted, "gold": s.gold,
                         "precision": round(s.precision, 3), "recall": round(s.recall, 3),
                         "f1": round(s.f1, 3)}
                for metric, s in self.scores.items()
            },
        }


def _decimal(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value)).normalize()


def _quantity_key(value: Any, low: Any, high: Any, qualifier: str, unit: str) -> tuple[Any, ...]:
    return (_decimal(value), _decimal(low), _decimal(high), qualifier, unit)


def load_gold(path: Path) -> tuple[Path, list[dict[str, Any]], dict[str, Any]]:
    """Read a gold file: the article path it names, its claim entries, and the whole document.

    :raises ParseError: when the file is not valid JSON.
    :raises RecordError: when it lacks ``article`` or ``claims``.
    """
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise ParseError(SourceLocation(str(path), exc.lineno, exc.colno), f"invalid JSON: {exc.msg}") from exc
    if not isinstance(document, dict) or "article" not in document or "claims" not in document:
        raise RecordError(SourceLocation(str(path)), 'a gold file needs "article" and "claims"')
    return (path.parent / document["article"]).resolve(), list(document["claims"]), document


def _gold_claims(text: str, entries: Iterable[dict[str, Any]], gold_path: str) -> list[GoldClaim]:
    claims = []
    for number, entry in enumerate(entries, start=1):
        try:
            start, end = find_span(text, entry["quote"], entry.get("occurrence"))
        except (KeyError, ValueError) as exc:
            raise RecordError(SourceLocation(gold_path, record_id=f"claim {number}"), str(exc)) from exc
        claims.append(GoldClaim(
            start, end, entry["type"],
            tuple(_quantity_key(q.get("value"), q.get("min"), q.get("max"), q["qualifier"], q["unit"])
                  for q in entry.get("quantities", [])),
            tuple(entry.get("attribution", [])),
            tuple(entry.get("hedge", [])),
            tuple(entry.get("hype", [])),
        ))
    return claims


def _overlap(a: tuple[int, int], b: tuple[int, int]) -> int:
    return max(0, min(a[1], b[1]) - max(a[0], b[0]))


def _trimmed(text: str, start: int, end: int) -> tuple[int, int]:
    while end > start and text[end - 1] in _TRAILING:
        end -= 1
    return start, end


def _pairs(gold: list[GoldClaim], predicted: list[ExtractedClaim]) -> list[tuple[int, int]]:
    candidates = []
    for gi, g in enumerate(gold):
        for pi, p in enumerate(predicted):
            shared = _overlap((g.start, g.end), (p.start, p.end))
            shorter = min(g.end - g.start, p.end - p.start)
            if shorter and shared * 2 >= shorter:
                union = max(g.end, p.end) - min(g.start, p.start)
                candidates.append((shared / union, gi, pi))
    candidates.sort(reverse=True)
    used_gold: set[int] = set()
    used_predicted: set[int] = set()
    pairs = []
    for _, gi, pi in candidates:
        if gi not in used_gold and pi not in used_predicted:
            used_gold.add(gi)
            used_predicted.add(pi)
            pairs.append((gi, pi))
    return pairs


def _set_score(gold_items: list[Counter[Any]], predicted_items: list[Counter[Any]],
               pairs: list[tuple[int, int]]) -> Score:
    tp = sum(sum((gold_items[gi] & predicted_items[pi]).values()) for gi, pi in pairs)
    return Score(tp, sum(sum(c.values()) for c in predicted_items),
                 sum(sum(c.values()) for c in gold_items))


def evaluate_text(name: str, text: str, gold: list[GoldClaim], predicted: list[ExtractedClaim]) -> ArticleEvaluation:
    """Score ``predicted`` claims of ``text`` against ``gold``."""
    result = ArticleEvaluation(name)
    pairs = _pairs(gold, predicted)
    s = result.scores
    s["span (overlap)"] = Score(len(pairs), len(predicted), len(gold))
    exact_gold = {_trimmed(text, g.start, g.end) for g in gold}
    exact_tp = sum(1 for p in predicted if _trimmed(text, p.start, p.end) in exact_gold)
    s["span (exact)"] = Score(min(exact_tp, len(gold)), len(predicted), len(gold))
    s["type"] = Score(sum(1 for gi, pi in pairs if gold[gi].claim_type == predicted[pi].claim_type),
                      len(predicted), len(gold))
    s["quantity"] = _set_score(
        [Counter(g.quantities) for g in gold],
        [Counter(_quantity_key(q.value, q.min_value, q.max_value, q.qualifier, q.unit)
                 for q in p.quantities) for p in predicted],
        pairs,
    )
    s["attribution"] = _set_score(
        [Counter(a.casefold() for a in g.attribution) for g in gold],
        [Counter(party.label.casefold() for party in (p.attribution.parties if p.attribution else ()))
         for p in predicted],
        pairs,
    )
    s["hedge"] = _set_score([Counter(h.casefold() for h in g.hedges) for g in gold],
                            [Counter(p.hedges) for p in predicted], pairs)
    s["hype"] = _set_score([Counter(h.casefold() for h in g.hypes) for g in gold],
                           [Counter(p.hypes) for p in predicted], pairs)
    return result


def evaluate_file(gold_path: Path, article: Path | None = None) -> ArticleEvaluation:
    """Extract claims from a gold file's article and score them against the gold file.

    :param article: the article to read instead of the one the gold file names.
    :raises OncoclaimsError: when either file cannot be read or does not fit.
    """
    from oncoclaims.ingest import detect_format
    from oncoclaims.ingest.news import read_article

    named, entries, document = load_gold(gold_path)
    path = article or named
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise FormatError(f"{path}: cannot read the article named by {gold_path}: {exc.strerror}") from exc
    fmt = document.get("format") or detect_format(data, str(path)).name
    record = read_article(data, str(path), fmt)
    predicted = list(extract_claims(record.text, title=record.title or "").claims)
    gold = _gold_claims(record.text, entries, str(gold_path))
    return evaluate_text(path.name, record.text, gold, predicted)


def total(evaluations: Iterable[ArticleEvaluation], name: str = "total") -> ArticleEvaluation:
    """Micro-average several evaluations: add their counts."""
    result = ArticleEvaluation(name)
    for evaluation in evaluations:
        for metric, score in evaluation.scores.items():
            result.scores[metric].add(score)
    return result
