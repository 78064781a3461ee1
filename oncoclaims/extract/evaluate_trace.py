"""Score study references, voices and same-study grouping against trace gold annotations.

A gold file is JSON (format in ``docs/trace.md``), one per story. Per story, the venues,
people, institutions and funders of all gold studies are compared with those of all
predicted studies (names match as :func:`~oncoclaims.extract.names.same_person` or
:func:`~oncoclaims.extract.names.same_org` say); voices are paired by name, and the
independence verdict and role are scored on paired voices. Grouping is scored on pairs
of stories: a gold pair shares a study ``key``; a predicted pair shares a study node.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from oncoclaims.errors import FormatError, ParseError, RecordError, SourceLocation
from oncoclaims.extract.names import same_org, same_person
from oncoclaims.extract.study_refs import StudyReference, find_study_references
from oncoclaims.extract.voices import Voice, find_voices

__all__ = [
    "FIELDS",
    "METRICS",
    "PairScore",
    "StoryEvaluation",
    "TraceGold",
    "evaluate_trace_file",
    "evaluate_trace_text",
    "load_trace_gold",
    "score_grouping",
    "total_trace",
]

#: Study fields scored, in order.
FIELDS = ("venue", "people", "institutions", "funders")
#: Every metric reported, in order.
METRICS = (*FIELDS, "voices", "independence", "role")


@dataclass(slots=True)
class PairScore:
    """Gold items found (recall) and predicted items that match a gold item (precision)."""

    found: int = 0
    right: int = 0
    predicted: int = 0
    gold: int = 0

    @property
    def precision(self) -> float:
        """Share of predicted items that match a gold item (1.0 when nothing was predicted)."""
        return self.right / self.predicted if self.predicted else 1.0

    @property
    def recall(self) -> float:
        """Share of gold items found (1.0 when there is no gold item)."""
        return self.found / self.gold if self.gold else 1.0

    @property
    def f1(self) -> float:
        """Harmonic mean of precision and recall."""
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def add(self, other: PairScore) -> None:
        """Add another score's counts to this one."""
        self.found += other.found
        self.right += other.right
        self.predicted += other.predicted
        self.gold += other.gold

    def to_dict(self) -> dict[str, Any]:
        """The score as JSON-ready data."""
        return {
            "precision": round(self.precision, 3),
            "recall": round(self.recall, 3),
            "f1": round(self.f1, 3),
            "found": self.found,
            "right": self.right,
            "predicted": self.predicted,
            "gold": self.gold,
        }


@dataclass(frozen=True, slots=True)
class TraceGold:
    """One story's gold: its text, split, studies and voices."""

    path: Path
    article: Path
    text: str
    split: str
    studies: tuple[dict[str, Any], ...]
    voices: tuple[dict[str, Any], ...]


@dataclass(slots=True)
class StoryEvaluation:
    """Scores of one story (or a total): P/R per metric, plus the predictions for reading."""

    name: str
    split: str
    scores: dict[str, PairScore] = field(default_factory=lambda: {m: PairScore() for m in METRICS})

    def to_dict(self) -> dict[str, Any]:
        """The scores as JSON-ready data."""
        return {
            "name": self.name,
            "split": self.split,
            "scores": {m: s.to_dict() for m, s in self.scores.items()},
        }


def load_trace_gold(path: Path) -> TraceGold:
    """Read a trace gold file and the story it names.

    :raises ParseError: when the file is not JSON; :raises RecordError: when a field is missing.
    """
    location = SourceLocation(str(path))
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ParseError(f"{path}: cannot read the trace gold file: {exc}", location) from exc
    try:
        article = (path.parent / data["article"]).resolve()
        content = article.read_text(encoding="utf-8")
        if data.get("format") == "plain-text":
            text = content
        else:
            raw = json.loads(content)
            text = raw["text"] if isinstance(raw, dict) else str(raw)
        return TraceGold(
            path,
            article,
            text,
            data.get("split", "tuned"),
            tuple(data["studies"]),
            tuple(data["voices"]),
        )
    except KeyError as exc:
        raise RecordError(f"{path}: the trace gold file has no {exc.args[0]!r}", location) from exc
    except (OSError, json.JSONDecodeError) as exc:
        raise FormatError(f"{path}: the article it names cannot be read: {exc}", location) from exc


def _pair(
    gold: Iterable[str], predicted: Iterable[str], same: Callable[[str, str], bool]
) -> PairScore:
    gold, predicted = list(gold), list(predicted)
    return PairScore(
        found=sum(1 for g in gold if any(same(g, p) for p in predicted)),
        right=sum(1 for p in predicted if any(same(g, p) for g in gold)),
        predicted=len(predicted),
        gold=len(gold),
    )


def _field(study: StudyReference, name: str) -> tuple[str, ...]:
    return study.venues if name == "venue" else getattr(study, name)


def _voice_same(a: str, b: str) -> bool:
    return same_person(a, b) or same_org(a, b)


def evaluate_trace_text(
    gold: TraceGold, studies: list[StudyReference], voices: list[Voice]
) -> StoryEvaluation:
    """Score predicted ``studies`` and ``voices`` of one story against its gold."""
    evaluation = StoryEvaluation(gold.path.name.removesuffix(".trace.gold.json"), gold.split)
    for name in FIELDS:
        gold_items = [
            v
            for s in gold.studies
            for v in (s[name] if isinstance(s[name], list) else [s[name]])
            if v
        ]
        predicted = list(dict.fromkeys(v for s in studies for v in _field(s, name)))
        same = same_person if name == "people" else same_org
        evaluation.scores[name] = _pair(gold_items, predicted, same)
    evaluation.scores["voices"] = _pair(
        [v["name"] for v in gold.voices], [v.name for v in voices], _voice_same
    )
    # Verdict and role: over gold voices, right when the paired voice has the gold's value
    # (a voice not found counts as wrong); precision over the voices paired.
    verdicts, roles = PairScore(gold=len(gold.voices)), PairScore(gold=len(gold.voices))
    for gold_voice in gold.voices:
        match = next((v for v in voices if _voice_same(gold_voice["name"], v.name)), None)
        if match is None:
            continue
        verdicts.predicted += 1
        roles.predicted += 1
        if match.independent == gold_voice["independent"]:
            verdicts.found += 1
            verdicts.right += 1
        if match.role == gold_voice["role"]:
            roles.found += 1
            roles.right += 1
    evaluation.scores["independence"] = verdicts
    evaluation.scores["role"] = roles
    return evaluation


def evaluate_trace_file(path: Path) -> StoryEvaluation:
    """Run the extractors on the story a gold file names and score them."""
    gold = load_trace_gold(path)
    studies = find_study_references(gold.text)
    return evaluate_trace_text(gold, studies, find_voices(gold.text, studies))


def total_trace(evaluations: list[StoryEvaluation], name: str = "total") -> StoryEvaluation:
    """Micro-averaged scores over several stories."""
    result = StoryEvaluation(name, ",".join(sorted({e.split for e in evaluations})))
    for evaluation in evaluations:
        for metric in METRICS:
            result.scores[metric].add(evaluation.scores[metric])
    return result


def score_grouping(
    gold_keys: dict[str, set[str]], predicted_groups: list[set[str]]
) -> dict[str, Any]:
    """Compare same-study pairs of stories: gold from study keys, predicted from shared study nodes.

    :param gold_keys: story -> the gold study keys it reports.
    :param predicted_groups: sets of stories the trace put under one study node.
    """
    stories = sorted(gold_keys)
    gold_pairs = {
        (a, b)
        for i, a in enumerate(stories)
        for b in stories[i + 1 :]
        if gold_keys[a] & gold_keys[b]
    }
    predicted_pairs = {
        tuple(sorted((a, b))) for group in predicted_groups for a in group for b in group if a < b
    }
    predicted_pairs = {p for p in predicted_pairs if p[0] in gold_keys and p[1] in gold_keys}
    return {
        "gold_pairs": sorted(gold_pairs),
        "found": sorted(gold_pairs & predicted_pairs),
        "false_merges": sorted(predicted_pairs - gold_pairs),
        "missed": sorted(gold_pairs - predicted_pairs),
    }
