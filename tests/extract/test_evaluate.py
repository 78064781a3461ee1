"""The extraction scorer and its command, ``oncoclaims eval-extract``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from oncoclaims.cli import app
from oncoclaims.errors import RecordError
from oncoclaims.extract import extract_claims
from oncoclaims.extract.evaluate import GoldClaim, evaluate_file, evaluate_text, total

GOLD = Path(__file__).parents[1] / "data" / "gold"
GOLD_FILES = sorted(GOLD.glob("*.gold.json"))
TEXT = "Enteromix shrank tumours by 60 to 80 percent in mice. It is free of charge. Nothing else."


def test_gold_matching_the_prediction_scores_one() -> None:
    predicted = list(extract_claims(TEXT, {"Enteromix": ()}).claims)
    gold = [GoldClaim(c.start, c.end, c.claim_type,
                      tuple((q.value, q.min_value, q.max_value, q.qualifier, q.unit) for q in c.quantities))
            for c in predicted]
    result = evaluate_text("t", TEXT, gold, predicted)
    assert len(predicted) == 2
    assert all(s.f1 == 1.0 for s in result.scores.values())


def test_overlap_counts_half_a_span_but_exact_does_not() -> None:
    predicted = list(extract_claims(TEXT, {"Enteromix": ()}).claims)
    first = predicted[0]
    half = GoldClaim(first.start, first.start + (first.end - first.start) // 2 + 1, "efficacy")
    missing = GoldClaim(TEXT.index("Nothing"), len(TEXT), "safety")
    result = evaluate_text("t", TEXT, [half, missing], predicted)
    overlap, exact = result.scores["span (overlap)"], result.scores["span (exact)"]
    assert (overlap.tp, overlap.predicted, overlap.gold) == (1, 2, 2)
    assert exact.tp == 0
    assert result.scores["type"].tp == 1
    assert result.scores["quantity"].predicted == 1 and result.scores["quantity"].tp == 0


@pytest.mark.parametrize("path", GOLD_FILES, ids=[p.name for p in GOLD_FILES])
def test_every_gold_file_resolves_and_scores(path: Path) -> None:
    evaluation = evaluate_file(path)
    spans = evaluation.scores["span (overlap)"]
    assert spans.gold >= 15
    assert 0 < spans.tp <= min(spans.gold, spans.predicted)


def test_total_adds_counts() -> None:
    evaluations = [evaluate_file(p) for p in GOLD_FILES]
    combined = total(evaluations)
    assert combined.scores["type"].gold == sum(e.scores["type"].gold for e in evaluations)


def test_gold_quote_missing_from_the_article_is_a_record_error(tmp_path: Path) -> None:
    article = tmp_path / "a.txt"
    article.write_text(TEXT, encoding="utf-8")
    gold = tmp_path / "a.gold.json"
    gold.write_text(json.dumps({"article": "a.txt", "claims": [{"quote": "not there", "type": "efficacy"}]}))
    with pytest.raises(RecordError, match="claim 1"):
        evaluate_file(gold)


def test_eval_extract_command_prints_scores_and_json() -> None:
    runner = CliRunner()
    result = runner.invoke(app, ["eval-extract", *map(str, GOLD_FILES[:2])])
    assert result.exit_code == 0, result.output
    assert "span (overlap)" in result.output and "total" in result.output
    result = runner.invoke(app, ["eval-extract", "--json", str(GOLD_FILES[0])])
    assert json.loads(result.output)[0]["scores"]["type"]["gold"] > 0


def test_eval_extract_reports_a_bad_gold_file_as_an_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.gold.json"
    bad.write_text("{not json", encoding="utf-8")
    result = CliRunner().invoke(app, ["eval-extract", str(bad)])
    assert result.exit_code == 1
    assert "error:" in result.output and "bad.gold.json" in result.output
