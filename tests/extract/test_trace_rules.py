"""The second round of trace rules: how stories introduce a study's team, its voices, and what
is not a voice; the T-VEC pair as a candidate match; linear time on adversarial text.

Real stories from tests/data/news (FakeHealth and the Enteromix seed) where a tuned-on story
holds the rule's kind; where none does, a short sentence in the shape news stories use. The
held-out gold files are never asserted on here (docs/trace.md).
"""

from __future__ import annotations

import importlib.util
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from oncoclaims.extract.study_refs import find_study_references
from oncoclaims.extract.voices import find_voices
from oncoclaims.trace import StoryTrace, StudyFeatures, features_of, group_references

NEWS = Path(__file__).parents[1] / "data" / "news"


def _story(name: str) -> tuple[str, str | None]:
    path = NEWS / name
    if path.suffix == ".txt":
        return path.read_text(encoding="utf-8"), None
    raw = json.loads(path.read_text(encoding="utf-8"))
    date = datetime.fromtimestamp(raw["publish_date"], UTC).date().isoformat()
    return raw["text"], date


def _origin(text: str):
    studies = find_study_references(text)
    return studies, {v.name: v for v in find_voices(text, studies)}


def test_enteromix_early_human_trials_a_government_voice_and_no_bare_nouns() -> None:
    text, _ = _story("enteromix-article.txt")
    studies, voices = _origin(text)
    (study,) = studies
    assert (
        study.design == "early-human-trial"
    )  # "very early trials ... fewer than fifty volunteers"
    assert study.institutions == ()  # "Western scientists" names no institution
    assert list(voices) == ["Russian government"]  # not "Russian researchers", "Western scientists"
    government = voices["Russian government"]
    assert (government.kind, government.independent) == ("institution", None)
    assert government.rules == ("voice:org-said",)


def test_he_said_goes_on_with_the_previous_sentences_speaker() -> None:
    text, _ = _story("story_reviews_00030.json")
    _, voices = _origin(text)
    he = text.index("However, he cautioned") + len("However, ")
    assert (he, he + 2) in voices["Pei-Yong Shi"].spans  # after "Shi said: ..."
    assert (he, he + 2) not in voices["Cheng-Feng Qin"].spans  # the last person named before


def test_patients_are_known_by_how_the_story_introduces_them() -> None:
    text, _ = _story("story_reviews_00521.json")
    _, voices = _origin(text)
    for name in ("Sue Bohlin", "John O’Donnell"):  # "is one of those patients", "who is 67"
        assert (voices[name].role, voices[name].independent) == ("participant", None)
        assert "patient" in voices[name].reason
    assert voices["Howard Kaufman"].role == "study-author"  # "a lead researcher on Bohlin's trial"
    assert voices["Eric Schmidt"].role == "unknown"  # an analyst: not a patient


@pytest.mark.parametrize(
    ("text", "people", "institutions"),
    [
        (
            "Senior author Dr. Jane Roe of Harvard Medical School said it was early.",
            {"Jane Roe"},
            {"Harvard Medical School"},
        ),
        (
            '"It is a step," said the study\'s lead author, Dr. Mia Wong of Stanford University.',
            {"Mia Wong"},
            {"Stanford University"},
        ),
        (
            'The trial, headed by Max Poe, enrolled 40 patients. "It works," said co-author Ann Lee, '
            "a professor at Duke.",
            {"Max Poe", "Ann Lee"},
            {"Duke"},
        ),
        (
            "The study, by Jane Roe and Max Poe of Yale University, appears in Cell.",
            {"Jane Roe", "Max Poe"},
            {"Yale University"},
        ),
        (
            'Fry\'s team treated 21 patients. "We were surprised," Terry Fry said.',
            {"Terry Fry"},
            set(),
        ),
        (
            "Researchers at the Mayo Clinic, Johns Hopkins University and the Cleveland Clinic ran it.",
            set(),
            {"Mayo Clinic", "Johns Hopkins University", "Cleveland Clinic"},
        ),
        (
            "The trial was conducted at the Mayo Clinic and the Cleveland Clinic.",
            set(),
            {"Mayo Clinic", "Cleveland Clinic"},
        ),
        (
            "City of Hope is testing the vaccine in a phase 1 trial. Dr. Ann Lee, who is leading the "
            "trial, said it was safe.",
            {"Ann Lee"},
            {"City of Hope"},
        ),
        (
            "Dr. Bo Chen, one of the researchers on the study, said the results held.",
            {"Bo Chen"},
            set(),
        ),
        ("Dr. Tom Hale, who oversaw the trial, said the results were good.", {"Tom Hale"}, set()),
    ],
)
def test_ways_a_story_introduces_the_team(text: str, people: set, institutions: set) -> None:
    (study,) = find_study_references(text)
    assert set(study.people) == people
    assert set(study.institutions) == institutions


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # An employer without an organisation word, after a job title; outside expert.
        (
            '"This is promising," said Dr. Lou Reed, an oncologist at City of Hope who was not '
            "involved in the study.",
            [("Lou Reed", "not-involved", True, ("City of Hope",))],
        ),
        (
            '"Fine," said Dr. Lou Reed, who had nothing to do with the research.',
            [("Lou Reed", "not-involved", True, ())],
        ),
        # Organisations as voices.
        (
            "Amgen, the company that makes the drug, said in a statement that it would seek approval. "
            "The company said prices were fair.",
            [("Amgen", "unknown", None, ())],
        ),
        (
            "A spokeswoman for the Food and Drug Administration said the agency would review the data.",
            [("Food and Drug Administration", "unknown", None, ())],
        ),
        # Patients and relatives.
        (
            '"It\'s a miracle," said Susan Young, 55, who was diagnosed with breast cancer in 2010.',
            [("Susan Young", "participant", None, ())],
        ),
        (
            '"She is doing well," said her mother, Kate Brown.',
            [("Kate Brown", "participant", None, ())],
        ),
        # Not voices: a study quoted, the study's venue, a person only mentioned after "said".
        (
            "The study says the drug shrank tumors. The results were published in the journal Nature. "
            "According to Nature, the results are robust.",
            [],
        ),
        ('"Great," said the father of Tim Doe.', []),
        ("In New York, doctors said nothing.", []),
    ],
)
def test_voices_and_what_is_not_one(text: str, expected: list) -> None:
    studies = find_study_references(text)
    found = [(v.name, v.role, v.independent, v.affiliations) for v in find_voices(text, studies)]
    assert found == expected


def test_the_tvec_stories_are_a_candidate_match_not_one_study() -> None:
    traces = []
    for name in ("story_reviews_00612.json", "story_reviews_00521.json"):
        text, date = _story(name)
        traces.append(
            StoryTrace(name, name, name, None, None, date, tuple(find_study_references(text)), ())
        )
    assert traces[0].studies[0].size == traces[1].studies[0].size == 436
    groups, candidates = group_references([f for t in traces for f in features_of(t)])
    assert groups == []  # months apart, no shared name, venue or identifier: never merged
    (candidate,) = candidates
    assert "same size '436 participants'" in candidate.reason
    assert "same condition 'melanoma'" in candidate.reason
    assert "154 days apart" in candidate.reason


def test_size_and_condition_alone_never_merge_even_on_the_same_day() -> None:
    a = StudyFeatures("ref-a", "story-a", "2015-05-01", (), (), (), (), ("melanoma",), ("436",))
    b = StudyFeatures("ref-b", "story-b", "2015-05-01", (), (), (), (), ("melanoma",), ("436",))
    groups, candidates = group_references([a, b])
    assert groups == [] and len(candidates) == 1
    # With a shared venue in the window, the size is the second feature: one study.
    c = StudyFeatures("ref-c", "story-c", "2015-05-02", ("NEJM",), (), (), (), (), ("436",))
    d = StudyFeatures("ref-d", "story-d", "2015-05-03", ("NEJM",), (), (), (), (), ("436",))
    groups, _ = group_references([c, d])
    assert [sorted(g.references) for g in groups] == [["ref-c", "ref-d"]]


def test_every_new_pattern_finishes_on_adversarial_text() -> None:
    """Each pattern over 256 KiB of each adversarial text (bench/trace_patterns.py times 1 MiB):
    an exponential or quadratic pattern does not finish; no time is asserted."""
    path = Path(__file__).parents[2] / "bench" / "trace_patterns.py"
    spec = importlib.util.spec_from_file_location("trace_patterns", path)
    assert spec is not None and spec.loader is not None
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    size = 1 << 18
    texts = [(unit * (size // len(unit) + 1))[:size] for unit in bench.ADVERSARIAL.values()]
    for pattern in bench.PATTERNS.values():
        for text in texts:
            for _ in pattern.finditer(text):
                pass
    # The whole reading, on the run of names that made speaker resolution quadratic.
    text = ("said Jane Roe, " * (size // 15))[:size]
    studies = find_study_references(text)
    assert [v.name for v in find_voices(text, studies)] == ["Jane Roe"]


def test_trace_stores_the_tvec_candidate_match_with_the_sample_sizes(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from oncoclaims.cli import app
    from oncoclaims.graph.bootstrap import open_store
    from oncoclaims.vocab import OC, RDF

    store = tmp_path / "store"
    names = [str(NEWS / n) for n in ("story_reviews_00612.json", "story_reviews_00521.json")]
    result = CliRunner().invoke(app, ["trace", "--json", "--store", str(store), *names])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["shared_studies"] == []  # not one study
    with open_store(store) as claim_store:
        sizes = {q.object.value for q in claim_store.quads(None, OC.sampleSize, None)}
        assert "436" in sizes
        (match,) = [q.subject for q in claim_store.quads(None, RDF.type, OC.StudyCandidateMatch)]
        (reason,) = [q.object.value for q in claim_store.quads(match, OC.matchReason, None)]
        assert "same size '436 participants'" in reason and "melanoma" in reason
