"""Where a story came from: study references, voices, same-study grouping, ``oncoclaims trace``.

Real stories from tests/data/news (FakeHealth, see tests/data/README.md); the gold is
tests/data/gold/trace (docs/trace.md). The held-out gold files are only scored by
``eval-trace`` (README), never asserted on here, so that no rule is tuned to them.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from news_stories import NEWS, story_text
from typer.testing import CliRunner

from oncoclaims.cli import app
from oncoclaims.extract.evaluate_trace import evaluate_trace_file, load_trace_gold, total_trace
from oncoclaims.extract.study_refs import find_study_references
from oncoclaims.extract.voices import find_voices
from oncoclaims.graph.bootstrap import open_store
from oncoclaims.ingest.news import MAX_NEWS_BYTES
from oncoclaims.vocab import OA, OC

GOLD = Path(__file__).parents[1] / "data" / "gold" / "trace"
TUNED = sorted(p for p in GOLD.glob("*.trace.gold.json") if load_trace_gold(p).split == "tuned")
runner = CliRunner()


def _text(name: str) -> str:
    return story_text(NEWS / f"{name}.json")


def _origin(name: str):
    text = _text(name)
    studies = find_study_references(text)
    return studies, {v.name: v for v in find_voices(text, studies)}


def _trace(store: Path, *inputs: str) -> dict:
    result = runner.invoke(app, ["trace", "--json", "--store", str(store), *inputs])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_press_release_names_its_conference_leader_institutions_and_funder() -> None:
    studies, voices = _origin("news_reviews_00027")
    main = studies[0]
    assert main.venues == (
        "Fourth CRI-CIMT-EATI-AACR International Cancer Immunotherapy Conference",
    )
    assert main.date == "Sept. 30-Oct. 3"
    assert main.people == ("Jay A. Berzofsky",)
    assert {"National Cancer Institute", "National Institutes of Health"} <= set(main.institutions)
    assert main.funders == ("National Cancer Institute",)
    assert main.design == "phase-1"  # "no placebo control" is not a control
    berzofsky = voices["Jay A. Berzofsky"]
    assert (berzofsky.role, berzofsky.independent) == ("study-author", False)


def test_outside_voice_who_was_not_involved_is_independent_and_the_team_is_tied() -> None:
    _, voices = _origin("story_reviews_00030")
    assert voices["Harry Bulstrode"].independent is True
    assert "was not involved" in voices["Harry Bulstrode"].reason
    # Funded by Cancer Research UK, which the story does not tie to the study: not a study funder.
    assert voices["Harry Bulstrode"].role == "not-involved"
    assert voices["Pei-Yong Shi"].independent is False
    assert voices["Cheng-Feng Qin"].independent is False


def test_a_stated_tie_wins_over_not_involved() -> None:
    text = (
        "Researchers at Duke University report the results in the journal Nature. "
        '"It is a step," says Dr. David Reardon, who used to work at Duke University '
        "but wasn't involved in the new research."
    )
    studies = find_study_references(text)
    (voice,) = find_voices(text, studies)
    assert voice.independent is False
    assert voice.role == "institution-member"
    assert "formerly at Duke University" in voice.reason


def test_a_voice_without_any_reason_is_unknown_not_independent() -> None:
    _, voices = _origin("story_reviews_00521")
    assert voices["John Bell"].independent is None
    assert voices["Robert Coffin"].role == "developer"
    assert voices["Robert Coffin"].independent is False


@pytest.mark.parametrize("gold", TUNED, ids=[p.name.split(".")[0] for p in TUNED])
def test_tuned_stories_score_at_least_the_targets(gold: Path) -> None:
    scores = evaluate_trace_file(gold).scores
    for metric in ("venue", "people", "institutions", "funders", "voices", "independence"):
        assert scores[metric].recall >= 0.9, (metric, scores[metric])
    assert scores["voices"].precision >= 0.9


def test_total_adds_the_stories_counts() -> None:
    evaluations = [evaluate_trace_file(p) for p in TUNED]
    total = total_trace(evaluations)
    assert total.scores["voices"].gold == sum(e.scores["voices"].gold for e in evaluations) >= 25


def test_trace_json_contract_and_shared_studies(tmp_path: Path) -> None:
    store = tmp_path / "store"
    names = [
        "news_reviews_00033",
        "story_reviews_00030",
        "story_reviews_01026",
        "story_reviews_01027",
        "news_reviews_00027",
    ]
    document = _trace(store, *(str(NEWS / f"{n}.json") for n in names))
    assert set(document) == {"stories", "shared_studies"}
    story = document["stories"][0]
    assert set(story) == {"input", "source", "title", "publisher", "studies", "voices"}
    assert set(story["studies"][0]) == {
        "study",
        "venue",
        "date",
        "people",
        "institutions",
        "funders",
        "identifiers",
        "design",
        "evidence_level",
        "record",
        "spans",
    }
    assert set(story["voices"][0]) == {
        "name",
        "affiliations",
        "role",
        "independent",
        "reason",
        "spans",
    }
    assert story["studies"][0]["evidence_level"] == "level-animal"
    by_input = {Path(s["input"]).stem: s for s in document["stories"]}
    shared = [set(g["sources"]) for g in document["shared_studies"]]
    zika = {by_input["news_reviews_00033"]["source"], by_input["story_reviews_00030"]["source"]}
    leukaemia = {
        by_input["story_reviews_01026"]["source"],
        by_input["story_reviews_01027"]["source"],
    }
    assert sorted(shared, key=len) == sorted([zika, leukaemia], key=len)
    # Both stories of a pair name the same study node.
    assert (
        by_input["news_reviews_00033"]["studies"][0]["study"]
        == by_input["story_reviews_00030"]["studies"][0]["study"]
    )
    # Spans cut from the text are the name (voices) and whole sentences (studies).
    text = _text("story_reviews_00030")
    for voice in by_input["story_reviews_00030"]["voices"]:
        for start, end in voice["spans"]:
            assert voice["name"].split()[-1] in text[start:end] or text[start:end] in {
                "he",
                "she",
                "He",
                "She",
            }
    start, end = by_input["news_reviews_00027"]["studies"][0]["spans"][0]
    assert "presented at the Fourth CRI-CIMT-EATI-AACR" in _text("news_reviews_00027")[start:end]


def test_trace_is_idempotent_and_the_store_validates(tmp_path: Path) -> None:
    store = tmp_path / "store"
    inputs = [str(p) for p in sorted(NEWS.glob("*.json"))]
    first = _trace(store, *inputs)
    with open_store(store) as claim_store:
        size = len(claim_store)
        assert len(list(claim_store.quads(None, None, OC.Voice))) >= 30
        assert list(claim_store.quads(None, None, OC.Study))
    assert _trace(store, *inputs) == first
    with open_store(store) as claim_store:
        assert len(claim_store) == size
    result = runner.invoke(app, ["validate", "--store", str(store)])
    assert result.exit_code == 0, result.output
    assert "conforms" in result.output


def test_stored_spans_are_positions_in_the_story(tmp_path: Path) -> None:
    store = tmp_path / "store"
    _trace(store, str(NEWS / "story_reviews_01027.json"))
    text = _text("story_reviews_01027")
    with open_store(store) as claim_store:
        spans = [q.object for q in claim_store.quads(None, OC.span, None)]
        assert spans
        for span in spans:
            start = int(next(claim_store.quads(span, OA.start, None)).object.value)
            end = int(next(claim_store.quads(span, OA.end, None)).object.value)
            assert 0 <= start < end <= len(text)


def test_trace_by_source_iri_of_a_stored_story(tmp_path: Path) -> None:
    store = tmp_path / "store"
    first = _trace(store, str(NEWS / "story_reviews_01026.json"))["stories"][0]
    again = _trace(store, first["source"])["stories"][0]
    assert again["source"] == first["source"]
    assert again["voices"] == first["voices"]


def test_unknown_source_iri_is_a_clear_error(tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["trace", "--store", str(tmp_path / "s"), "https://example.org/no-such-story"]
    )
    assert result.exit_code == 1
    assert "the store holds no source with this IRI" in result.output


def test_story_without_study_or_named_quotes_says_so(tmp_path: Path) -> None:
    story = tmp_path / "story.txt"
    story.write_text(
        'A new cancer drug\n\n"It could help," a doctor said. Patients hope it works.\n',
        encoding="utf-8",
    )
    document = _trace(tmp_path / "store", str(story))
    assert document["stories"][0]["studies"] == []
    assert document["stories"][0]["voices"] == []
    result = runner.invoke(app, ["trace", "--store", str(tmp_path / "store"), str(story)])
    assert "no study reference found" in result.output
    assert "no named voice found" in result.output


def test_non_english_story_gets_no_invented_origin(tmp_path: Path) -> None:
    story = tmp_path / "historia.txt"
    story.write_text(
        'Una nueva vacuna contra el cáncer\n\n"Es un avance", dijo el doctor Juan Pérez, '
        "que dirigió el estudio publicado en la revista Nature. Los pacientes y los médicos "
        "están contentos con los resultados de la vacuna en el hospital.\n",
        encoding="utf-8",
    )
    document = _trace(tmp_path / "store", str(story))
    assert document["stories"][0]["studies"] == [] and document["stories"][0]["voices"] == []


def test_oversized_story_is_refused_and_nothing_is_written(tmp_path: Path) -> None:
    story = tmp_path / "big.txt"
    story.write_bytes(b"A sentence about nothing. " * (MAX_NEWS_BYTES // 26 + 1))
    result = runner.invoke(app, ["trace", "--store", str(tmp_path / "store"), str(story)])
    assert result.exit_code == 1
    assert "big.txt" in result.output
    with open_store(tmp_path / "store") as claim_store:
        assert not [g for g in claim_store.named_graphs() if "/graph/news/" in g.value]


def test_eval_trace_reports_no_false_merges(tmp_path: Path) -> None:
    result = runner.invoke(app, ["eval-trace", "--json", *map(str, TUNED)])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["grouping"]["false_merges"] == []
    assert len(report["grouping"]["found"]) >= 2
    assert any(s["name"] == "total (tuned)" for s in report["stories"])


def test_check_names_the_study_and_voices_and_says_self_confirmed(tmp_path: Path) -> None:
    store = str(tmp_path / "store")
    assert (
        runner.invoke(
            app, ["ingest", "--store", store, str(NEWS / "news_reviews_00027.json")]
        ).exit_code
        == 0
    )
    result = runner.invoke(app, ["check", "--store", store, "Preclinical studies"])
    assert result.exit_code == 0, result.output
    assert (
        "study reported: Fourth CRI-CIMT-EATI-AACR International Cancer Immunotherapy Conference"
        in result.output
    )
    assert "[tied] Jay A. Berzofsky (study-author)" in result.output
    assert (
        "Self-confirmed in substance: this press release reports its own team's study "
        "(Jay A. Berzofsky), and no other evidence bears on the claim." in result.output
    )
    assert "the one voice it quotes is Jay A. Berzofsky (study-author, tied:" in result.output
    # the claim is stated in the sentence of the release's second study, not of its main one
    assert "names 2 studies; the claim is about an animal study (Cancer Research)" in result.output


def test_identifiers_are_read_and_a_trial_in_the_store_is_the_record(tmp_path: Path) -> None:
    # Identifiers from the real records in tests/data (the trial; PubMed 35649368 and its DOI).
    store = str(tmp_path / "store")
    trial = Path(__file__).parents[1] / "data" / "ctgov" / "classic" / "NCT00023673.json"
    assert runner.invoke(app, ["ingest", "--store", store, str(trial)]).exit_code == 0
    story = tmp_path / "story.txt"
    story.write_text(
        "A vaccine trial reports\n\nThe phase 2 trial (NCT00023673, known as CheckMate-017) was "
        "published in the journal Cell Reports (doi:10.1016/j.celrep.2022.110870; PMID 35649368).\n",
        encoding="utf-8",
    )
    (study,) = _trace(tmp_path / "store", str(story))["stories"][0]["studies"]
    assert set(study["identifiers"]) == {
        "NCT00023673", "CheckMate-017", "doi:10.1016/j.celrep.2022.110870", "pmid:35649368"}
    assert study["record"] == "https://w3id.org/oncoclaims/id/trial/NCT00023673"
    assert study["design"] == "phase-2"
    assert study["venue"] == "Cell Reports"
