"""General forms of attribution, names, affiliations, independence and study teams in news text.

Each test holds one rule family. Where a tuned-on story (tests/data/news) holds the form, the
test quotes it; where none does, the sentence is a CONSTRUCTED EXAMPLE of the grammatical form
(the names "Jane Roe", "Acme" and the like are placeholders, not facts): such sentences live
only here, never in bundled data. No held-out story is read (docs/extraction-gold.md).
"""

from __future__ import annotations

import json

import pytest
from news_stories import NEWS, story_text

from oncoclaims.extract import extract_claims
from oncoclaims.extract.attribution import find_attributions, parse_party
from oncoclaims.extract.names import find_people
from oncoclaims.extract.rules import skip_reason
from oncoclaims.extract.study_refs import find_study_references
from oncoclaims.extract.voices import find_voices


def _text(name: str) -> str:
    return story_text(NEWS / name)


def _said(sentence: str) -> list[str]:
    return [p.label for a in find_attributions(sentence) for p in a.parties]


def _voices(text: str) -> dict[str, object]:
    return {v.name: v for v in find_voices(text, find_study_references(text))}


# --- attribution (claim extraction) ---------------------------------------------------------


def test_according_to_a_role_word_and_a_title_names_the_person() -> None:
    # real: "according to researcher Dr. Diane Hale, a ..."
    text = _text("story_reviews_00887.json")
    start = text.index("The vaccine under development")
    sentence = text[start : text.index(".", text.index("Diane Hale", start)) + 1]
    assert _said(sentence) == ["Diane Hale"]
    # constructed examples of the form
    assert _said("According to Prof. Jane Roe, the drug shrank tumours.") == ["Jane Roe"]
    assert _said("The drug shrank tumours, according to oncologist Jane Roe.") == ["Jane Roe"]
    # a group stays a group: the role-word rule does not eat "researchers at"
    assert _said("According to researchers at Acme University, it works.") == ["Researchers"]


@pytest.mark.parametrize(
    ("sentence", "speaker"),
    [  # constructed examples: particles and a second capital in surnames
        ("Dr. Hans van der Berg said the drug shrank tumours.", "Hans van der Berg"),
        ("“It works,” said Ana de Souza.", "Ana de Souza"),
        ("Jane McCarthy said the drug shrank tumours.", "Jane McCarthy"),
    ],
)
def test_particle_and_mc_surnames_are_one_name(sentence: str, speaker: str) -> None:
    assert _said(sentence) == [speaker]
    assert [m.name for m in find_people(sentence)] == [speaker]


def test_a_mc_surname_in_a_real_story_is_a_full_name() -> None:
    text = _text("story_reviews_00030.json")  # real: "claimed the life of Senator John McCain"
    assert "John McCain" in [m.name for m in find_people(text)]


@pytest.mark.parametrize(
    "sentence",
    [  # constructed examples of reporting verbs
        "The drug shrank tumours, Jane Roe pointed out.",
        "Jane Roe admitted that the trial was small.",
        "“The trial was small,” Jane Roe acknowledged.",
        "Jane Roe writes that the trial was small.",
    ],
)
def test_more_reporting_verbs(sentence: str) -> None:
    assert _said(sentence) == ["Jane Roe"]


def test_a_statement_speaks_for_whoever_issued_it() -> None:
    # constructed example
    assert _said("The drug shrank tumours, according to a statement from Acme Inc.") == ["Acme Inc"]


def test_a_named_organisation_after_a_quotation_speaks() -> None:
    # constructed example: "…, says the <Organisation>."
    assert _said("“The drug is safe,” says the World Health Organization.") == [
        "World Health Organization"
    ]


def test_a_person_of_an_organisation_is_the_person() -> None:
    # constructed example: "said X of Y" names X, not "X of Y"
    assert _said("“It works,” said Dr. Jane Roe of the Acme Cancer Institute.") == ["Jane Roe"]
    assert parse_party("Jane Roe at Acme University").label == "Jane Roe"


# --- voices (trace) --------------------------------------------------------------------------


def test_a_sentence_opening_according_to_names_a_voice() -> None:
    # constructed example: "According to" with a capital, a title and a role word
    voices = _voices("According to cancer surgeon Dr. Jane Roe, the drug shrank tumours.")
    assert list(voices) == ["Jane Roe"]


def test_particle_names_are_voices() -> None:
    assert list(_voices("Dr. Hans van der Berg said the drug shrank tumours.")) == [
        "Hans van der Berg"
    ]  # constructed example


def test_a_person_of_or_at_an_organisation_is_one_voice_with_that_affiliation() -> None:
    # constructed examples: "X of Y said", "X at Y said", "Y's X said"
    for sentence in (
        "Jane Roe of Acme University said the drug works.",
        "Jane Roe at Acme University said the drug works.",
        "Acme University's Jane Roe said the drug works.",
    ):
        voices = _voices(sentence)
        assert list(voices) == ["Jane Roe"], sentence
        assert voices["Jane Roe"].affiliations == ("Acme University",), sentence


def test_a_spokesperson_opening_the_sentence_speaks_for_the_organisation() -> None:
    voices = _voices("A spokesman for the Acme Cancer Institute said the drug works.")
    assert list(voices) == ["Acme Cancer Institute"]  # constructed example


@pytest.mark.parametrize(
    "sentence",
    [  # constructed examples of the ways a story says a voice has no part in the study
        "“It works,” said Jane Roe, who has no ties to the study.",
        "“It works,” said Jane Roe, who was not an author of the study.",
        "“It works,” said Jane Roe, an oncologist unaffiliated with the research.",
    ],
)
def test_ways_of_saying_not_involved(sentence: str) -> None:
    voice = _voices(sentence)["Jane Roe"]
    assert (voice.role, voice.independent) == ("not-involved", True)


def test_an_author_of_the_report_is_a_study_author() -> None:
    # constructed example
    voice = _voices("“It works,” Dr. Jane Roe, an author of the new report, said.")["Jane Roe"]
    assert (voice.role, voice.independent) == ("study-author", False)


# --- the study's people and institutions (trace) ---------------------------------------------


def _study(sentence: str):
    (study,) = find_study_references(sentence)
    return study


def test_study_author_before_a_name_is_an_author() -> None:
    assert _study("Study author Jane Roe said the drug works.").people == ("Jane Roe",)


def test_a_study_conducted_by_an_organisation() -> None:
    # constructed examples: an organisation runs the study; a person "of" one is not an institution
    assert _study("The study was conducted by the Acme Cancer Institute.").institutions == (
        "Acme Cancer Institute",
    )
    led = _study("The study was led by Dr. Jane Roe of Acme University.")
    assert (led.people, led.institutions) == (("Jane Roe",), ("Acme University",))
    assert _study("The work was done at Acme Cancer Center.").institutions == (
        "Acme Cancer Center",
    )


def test_a_team_is_not_an_institution_named_a() -> None:
    study = _study("A team led by Jane Roe at Acme University tested the drug.")
    assert (study.people, study.institutions) == (("Jane Roe",), ("Acme University",))


# --- claim spans (extraction) ------------------------------------------------------------------


def _claims(name: str):
    record = json.loads((NEWS / name).read_text(encoding="utf-8"))
    return extract_claims(record["text"], title=record["title"]).claims


def _starting(name: str, opening: str):
    return [c for c in _claims(name) if c.exact.startswith(opening)]


def test_an_outcome_against_a_comparator_is_an_efficacy_claim() -> None:
    # real: "..., Talimogene Laherparepvec had 16.3 percent of patients showing results at the
    # six-month mark, compared to 2.1 percent taking the control therapy."
    (claim,) = _starting("story_reviews_00612.json", "In a study of 436 patients")
    assert claim.claim_type == "efficacy"
    assert "type:compared-outcome" in claim.rules


def test_what_was_done_in_the_study_is_a_trial_claim_and_an_outcome_wins() -> None:
    # real: "So they mixed GSCs ... and injected the mixture into the brains of mice."
    (claim,) = _starting("news_reviews_00033.json", "So they mixed GSCs")
    assert (claim.claim_type, claim.rules[1]) == ("trial-status", "type:procedure")
    # real: "When the team injected this ZIKV-LAV into the brains of mice, they saw no health
    # effects": the safety cue wins over the procedure
    (claim,) = _starting("news_reviews_00033.json", "When the team injected")
    assert claim.claim_type == "safety"


def test_a_sentence_that_only_says_who_someone_is_is_no_claim() -> None:
    assert skip_reason("She is the principal investigator on the trial.") == "skip:role"  # real, 00887
    assert not _starting("story_reviews_00887.json", "She is the principal investigator")
    # constructed examples: a role with a claim after it stays a claim
    assert skip_reason("Jane Roe is a professor of oncology at Acme University.") == "skip:role"
    assert skip_reason("She is the lead author of the study, which found the drug safe.") is None


def test_a_quoted_feeling_without_a_cue_word_is_no_claim() -> None:
    # real (01027): '... It is tremendously exciting," Porter tells WebMD.'
    assert not _starting("story_reviews_01027.json", "It is tremendously exciting")
    assert not _starting("story_reviews_01027.json", '"I think it is a big deal,"')
    # a quoted view with a cue word stays a claim (real, 01027)
    assert _starting("story_reviews_01027.json", '"Within three weeks, the tumors had been blown away')


# --- second batch: more ways a story names a study's team, funders and a voice's ties -----------
# (all constructed examples of the grammatical form)


@pytest.mark.parametrize(
    "sentence",
    [
        "The study's other authors include Jane Roe and Max Poe.",
        "The study was authored by Jane Roe and Max Poe.",
    ],
)
def test_authors_listed_or_authored_by(sentence: str) -> None:
    assert _study(sentence).people == ("Jane Roe", "Max Poe")


def test_an_acronym_in_parentheses_before_the_researchers() -> None:
    study = _study("Acme University Medical Center (AUMC) researchers treated 40 patients.")
    assert study.institutions == ("Acme University Medical Center",)


def test_funders_as_subject_and_as_a_list() -> None:
    assert _study("The National Cancer Institute (NCI) funded the study.").funders == (
        "National Cancer Institute",
    )
    assert _study("Acme Pharmaceuticals paid for the study.").funders == ("Acme Pharmaceuticals",)
    listed = _study(
        "The research was supported by grants from the National Cancer Institute and the Acme Foundation."
    )
    assert listed.funders == ("National Cancer Institute", "Acme Foundation")


def test_a_collaboration_between_institutions() -> None:
    study = _study("The study was a collaboration between Acme University and Beta Hospital.")
    assert study.institutions == ("Acme University", "Beta Hospital")


def test_an_organisation_before_a_possessive_is_the_affiliation_not_the_voice() -> None:
    voices = _voices("The Acme Cancer Society's Jane Roe said it works.")
    assert list(voices) == ["Jane Roe"]
    assert voices["Jane Roe"].affiliations == ("Acme Cancer Society",)


def test_called_the_results_is_a_paraphrase() -> None:
    voices = _voices(
        'Jane Roe, a professor of medicine at Acme University, called the results "exciting."'
    )
    assert voices["Jane Roe"].affiliations == ("Acme University",)


def test_the_company_that_makes_the_drug_is_tied() -> None:
    voices = _voices("Acme, which makes the drug, said in a statement that it works.")
    assert (voices["Acme"].kind, voices["Acme"].independent) == ("institution", False)
    voice = _voices('"We are pleased," said Jane Roe, Acme\'s chief executive.')["Jane Roe"]
    assert voice.affiliations == ("Acme",)
    voice = _voices('"It works," said Jane Roe, whose company, Acme Inc., makes the drug.')["Jane Roe"]
    assert (voice.role, voice.independent) == ("developer", False)


# --- third batch: pairs of speakers and an organisation before a job word (constructed) ------


def test_two_named_speakers_both_speak() -> None:
    sentence = "The drug shrank tumours, Jane Roe and Max Poe said."
    assert _said(sentence) == ["Jane Roe", "Max Poe"]
    assert list(_voices(sentence)) == ["Jane Roe", "Max Poe"]


def test_an_organisation_and_a_job_word_before_a_name() -> None:
    sentence = "The drug shrank tumours, Acme University oncologist Jane Roe said."
    assert _said(sentence) == ["Jane Roe"]
    voices = _voices(sentence)
    assert list(voices) == ["Jane Roe"]
    assert voices["Jane Roe"].affiliations == ("Acme University",)
    # an organisation before a verb is not an affiliation
    voices = _voices("Researchers at Acme University told Jane Roe that it works. Jane Roe said so.")
    assert voices["Jane Roe"].affiliations == ()


def test_an_acronym_in_parentheses_does_not_hide_the_speaker_or_the_next_institution() -> None:
    # constructed examples
    sentence = "Jane Roe of the Acme Cancer Institute (ACI) said it works."
    assert _said(sentence) == ["Jane Roe"]
    assert _voices(sentence)["Jane Roe"].affiliations == ("Acme Cancer Institute",)
    sentence = "The European Medicines Agency (EMA) said the drug works."
    assert _said(sentence) == ["European Medicines Agency"]
    assert list(_voices(sentence)) == ["European Medicines Agency"]
    study = _study("Researchers at the Acme Cancer Institute (ACI) and Beta University treated 40 patients.")
    assert study.institutions == ("Acme Cancer Institute", "Beta University")
