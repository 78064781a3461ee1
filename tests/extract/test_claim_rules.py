"""Claim spans and attribution on real news text: each rule tuned on the tuned-on stories.

Every test reads a real story from ``tests/data/news`` (the FakeHealth copies of
``/work/shared/data/news-articles/fakehealth``) and checks one rule's effect on one of its
sentences; none of them reads a held-out story (docs/extraction-gold.md).
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import pytest

from oncoclaims.extract import extract_claims
from oncoclaims.extract.claims import ExtractedClaim
from oncoclaims.extract.evaluate import evaluate_file, total
from oncoclaims.extract.sentences import split_sentences

NEWS = Path(__file__).parents[1] / "data" / "news"
GOLD = Path(__file__).parents[1] / "data" / "gold"
TUNED_ON = ("enteromix-article", "story_reviews_00612", "story_reviews_00887", "story_reviews_01026",
            "story_reviews_01027", "news_reviews_00033", "story_reviews_00030", "story_reviews_00205",
            "story_reviews_00521")


@cache
def _story(name: str) -> tuple[str, tuple[ExtractedClaim, ...]]:
    record = json.loads((NEWS / f"{name}.json").read_text(encoding="utf-8"))
    text = record["text"]
    return text, extract_claims(text, title=record["title"]).claims


def _claim(name: str, opening: str) -> ExtractedClaim:
    """The claim of story ``name`` whose span starts with ``opening``."""
    _, claims = _story(name)
    found = [c for c in claims if c.exact.startswith(opening)]
    assert found, f"no claim of {name} starts with {opening!r}"
    return found[0]


def _speakers(claim: ExtractedClaim) -> list[str]:
    return [p.label for p in claim.attribution.parties] if claim.attribution else []


def _no_claim_starts(name: str, opening: str) -> bool:
    _, claims = _story(name)
    return not any(c.exact.startswith(opening) for c in claims)


@pytest.mark.parametrize(("name", "opening", "dateline"), [
    ("story_reviews_01026", "Scientists for the first time", "LOS ANGELES (Reuters) - "),
    ("story_reviews_00887", "A vaccine to prevent breast cancer", "MONDAY, April 2, 2012 (HealthDay News) -- "),
    ("story_reviews_01027", "Two of three patients", "Aug. 10, 2011 -- "),
    ("news_reviews_00033", "An international team", "Washington, DC - September 18, 2018 - "),
])
def test_a_dateline_is_left_out_of_the_claim(name: str, opening: str, dateline: str) -> None:
    text, _ = _story(name)
    claim = _claim(name, opening)
    assert text[claim.start - len(dateline) - 1:claim.start].strip() == dateline.strip() or (
        text[:claim.start].endswith(dateline))


@pytest.mark.parametrize(("name", "opening", "speaker"), [
    # the name the sentence opens with, before an appositive and the verb
    ("story_reviews_00205", "Cornelius Melief, from the Leiden", "Cornelius Melief"),
    ("story_reviews_00205", "Catherine Pickworth, science communication officer", "Catherine Pickworth"),
    # "tells Newsweek" names the listener
    ("story_reviews_00205", "Elizabeth Williams, from the School", "Elizabeth Williams"),
    ("story_reviews_00030", "Dr. Harry Bulstrode, brain tumor expert", "Harry Bulstrode"),
    # role words between the verb and the name, and a hyphenated given name
    ("story_reviews_00030", "Before undergoing surgery", "Cheng-Feng Qin"),
    # a surname closing the sentence, resolved to the full name the story gave before
    ("news_reviews_00033", "\"We made the connection", "Jianghong Man"),
    ("news_reviews_00033", "Qin says that perhaps", "Cheng-Feng Qin"),
    ("story_reviews_00030", "The study showed that a live-attenuated", "Pei-Yong Shi"),
    # a quotation resumed after its speaker was named, in the same paragraph
    ("story_reviews_00030", "“For example, we need to make sure", "Pei-Yong Shi"),
    ("story_reviews_00521", "“After that, there were no side effects", "Sue Bohlin"),
    ("story_reviews_00521", "“And Amgen’s not a company", "Eric Schmidt"),
    # a paragraph that is only a quotation takes the speaker of the quotation before it
    ("story_reviews_00205", "“It is still unknown whether these vaccines", "Elizabeth Williams"),
    ("story_reviews_00205", "Additional clinical trials will be required", "Elizabeth Williams"),
    # "he cautioned": the person named last, who spoke in an appositive sentence
    ("story_reviews_00887", "Still, the study remains very preliminary", "Don Diamond"),
    # "he said": the person named last, though as the subject of a story, not as a speaker
    ("story_reviews_00521", "“I know it sounds vain", "John O’Donnell"),
    # "she continues" closes a quotation that opened mid-sentence
    ("story_reviews_00205", "However, the treatment has its downsides", "Elizabeth Williams"),
])
def test_the_speaker_is_found(name: str, opening: str, speaker: str) -> None:
    assert _speakers(_claim(name, opening)) == [speaker]


def test_two_groups_joined_by_and_both_speak() -> None:
    claim = _claim("story_reviews_00521", "Such muted side effects")
    assert [s.casefold() for s in _speakers(claim)] == ["doctors", "patients"]


def test_a_promising_vaccine_is_no_speech() -> None:
    assert _speakers(_claim("news_reviews_00033", "Shi's lab has developed a promising")) == []


def test_a_speaker_named_mid_sentence_speaks_only_from_their_part_on() -> None:
    safe = _claim("story_reviews_01026", "The treatment appears safe")
    needed = _claim("story_reviews_01026", "researchers said more study was needed")
    assert _speakers(safe) == []
    assert [s.casefold() for s in _speakers(needed)] == ["researchers"]


def test_a_speaker_after_a_quotation_speaks_for_each_of_its_parts() -> None:
    low = _claim("story_reviews_00521", "“It’s a low-toxicity treatment")
    assert low.claim_type == "safety" and _speakers(low) == ["Robert Coffin"]


def test_an_opening_participle_of_another_type_is_a_claim_of_its_own() -> None:
    claims = {c.exact: c.claim_type for c in _story("story_reviews_00521")[1]
              if c.exact.startswith("Approved by the Food and Drug Administration")}
    assert claims == {
        "Approved by the Food and Drug Administration on Tuesday for treating advanced-stage melanoma":
            "regulatory",
        "Approved by the Food and Drug Administration on Tuesday for treating advanced-stage melanoma, "
        "the virus — called Imlygic , which was developed in part in a Massachusetts lab — is a modified "
        "version of the herpes virus that both attacks the cancer and sparks the immune system into action "
        "against tumors.": "mechanism",
    }


def test_a_quoted_view_with_no_cue_word_is_a_claim_of_its_speaker() -> None:
    claim = _claim("story_reviews_00521", "“This is huge for the whole field")
    assert "type:quoted-view" in claim.rules and _speakers(claim) == ["John Bell"]


def test_a_quotation_stays_whole_across_a_nested_exclamation() -> None:
    claim = _claim("story_reviews_00521", "“This wakes up the immune system")
    assert claim.exact.endswith("Brigham and Women’s Hospital.")
    assert _speakers(claim) == ["Antonio Chiocca"]


def test_a_sentence_may_open_with_a_straight_single_quote() -> None:
    claim = _claim("story_reviews_01027", "'It worked much better")
    assert _speakers(claim) == ["Carl H. June"]


@pytest.mark.parametrize(("name", "opening"), [
    ("story_reviews_00030", "Each year, glioblastoma kills"),  # the disease, not a therapy
    ("story_reviews_00521", "Melanoma is a deadly form of skin cancer"),
    ("news_reviews_00033", "Glioblastoma kills about 15,000 adults"),
    ("story_reviews_00030", "But if a pregnant woman"),  # a conditional after "But"
    ("news_reviews_00033", "The team's first objective"),  # an aim, not a finding
    ("news_reviews_00033", "Next, the team wanted to show"),
    ("news_reviews_00033", "Finally, the team investigated"),
    ("story_reviews_00030", "“Thus, development of an effective therapy"),  # the need for one
])
def test_background_aims_conditionals_and_needs_are_no_claims(name: str, opening: str) -> None:
    assert _no_claim_starts(name, opening)


def test_us_before_a_sentence_word_ends_the_sentence() -> None:
    text, _ = _story("story_reviews_00030")
    sentences = [s.text for s in split_sentences(text)]
    assert "Each year, glioblastoma kills around 15,000 adults in the U.S." in sentences
    bulstrode = next(s for s in sentences if s.startswith("Dr. Harry Bulstrode"))
    assert "Cancer Research U.K. who is researching" in bulstrode


@pytest.mark.parametrize(("name", "opening", "claim_type"), [
    ("story_reviews_00205", "They used a similar approach to Wu", "trial-status"),  # tested … on 13 people
    ("story_reviews_00521", "Amgen will charge patients $65,000", "availability"),
    ("news_reviews_00033", "Mice that got the ZIKV-LAV injected", "efficacy"),  # delay in tumor
    ("news_reviews_00033", "The ZIKV-LAV has a small deletion", "mechanism"),  # replicating
    ("news_reviews_00033", "The mice also functioned normally", "safety"),
    ("story_reviews_00205", "These vaccines are not necessarily", "absence-of-evidence"),  # not generic
    ("story_reviews_01026", "The findings were published simultaneously", "trial-status"),
])
def test_cue_words_type_news_claims(name: str, opening: str, claim_type: str) -> None:
    assert _claim(name, opening).claim_type == claim_type


def test_tuned_on_stories_score_at_least_what_the_tuning_reached() -> None:
    result = total(evaluate_file(GOLD / f"{name}.gold.json") for name in TUNED_ON)
    assert result.scores["span (overlap)"].f1 >= 0.87
    assert result.scores["span (exact)"].f1 >= 0.80
    assert result.scores["attribution"].f1 >= 0.85


def test_a_sentence_naming_the_therapy_is_a_claim_without_a_cue_word() -> None:
    claim = _claim("story_reviews_00612", "But cancer cells aren't as savvy, and T-VEC has its run of them.")
    assert "type:named-therapy" in claim.rules
