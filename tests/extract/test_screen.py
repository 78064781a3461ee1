"""The regular-expression screens (oncoclaims.extract.screen) never hide a match.

Every pattern of the rule tables is run on every sentence and line of the sample stories and
on generated text with the characters case-blind matching treats specially; wherever the
pattern matches, its screen must let it run.
"""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from news_stories import ARTICLES, story_text

from oncoclaims.extract import attribution, quantities, rules, study_refs, voices
from oncoclaims.extract.screen import Lowered, could_match, required_words
from oncoclaims.extract.sentences import split_sentences


def _texts() -> list[str]:
    return [story_text(p) for p in ARTICLES]


def _patterns() -> list[re.Pattern[str]]:
    """Every compiled pattern at the top level of the extraction modules and in the rule tables."""
    found = {
        id(r.pattern): r.pattern
        for table in (
            rules.CLAIM_TYPE_RULES,
            rules.SKIP_RULES,
            rules.GENERIC_RULES,
            rules.HEDGE_RULES,
            rules.HYPE_RULES,
            rules.POPULATION_RULES,
        )
        for r in table
    }
    for module in (rules, quantities, attribution, study_refs, voices):
        for value in vars(module).values():
            if isinstance(value, re.Pattern) and isinstance(value.pattern, str):
                found[id(value)] = value
    return list(found.values())


PATTERNS = _patterns()
PIECES = sorted(
    {s.text for t in _texts() for s in split_sentences(t)}
    | {line for t in _texts() for line in t.splitlines()}
)


def test_required_words_of_simple_patterns() -> None:
    assert required_words(re.compile(r"\bside effects?\b|\btoxicity\b", re.I)) == {
        "side effect",
        "toxicity",
    }
    assert required_words(re.compile(r"\bNCT\d{8}\b")) == {"nct"}
    assert required_words(re.compile(r"\b(?:said|says)?\b")) is None  # can match with no text
    assert required_words(re.compile(r"x*|y")) is None


def test_a_screen_rejects_text_without_its_words_and_passes_text_with_them() -> None:
    words = required_words(re.compile(r"\bshr[iau]nk\w*", re.I))
    assert not could_match(words, Lowered("The tumours grew."))
    assert could_match(words, Lowered("The tumours SHRANK."))


def test_the_screens_reject_most_sample_sentences_for_most_rules() -> None:
    # the point of screening: most patterns need not run on most sentences
    rejected = sum(
        not could_match(r.words, Lowered(piece)) for r in rules.CLAIM_TYPE_RULES for piece in PIECES
    )
    assert rejected > len(rules.CLAIM_TYPE_RULES) * len(PIECES) // 2


@pytest.mark.parametrize("pattern", PATTERNS, ids=[p.pattern[:40] for p in PATTERNS])
def test_no_match_in_the_sample_stories_is_screened_out(pattern: re.Pattern[str]) -> None:
    words = required_words(pattern)
    for piece in PIECES:
        if pattern.search(piece) is not None:
            assert could_match(words, Lowered(piece)), (pattern.pattern, words, piece)


@settings(max_examples=300, deadline=None)
@given(
    st.sampled_from(PIECES),
    st.sampled_from(
        ["\u017f", "\u0131", "\u212a", "\u0130", "\u00c9", "\u201c", "\u00df", "\u03a3"]
    ),
    st.integers(min_value=0, max_value=400),
    st.booleans(),
)
def test_case_blind_look_alikes_never_hide_a_match(
    piece: str, odd: str, at: int, upper: bool
) -> None:
    text = piece.upper() if upper else piece
    text = text[:at] + odd + text[at:]
    for swapped in (
        text,
        text.replace("s", "\u017f"),
        text.replace("k", "\u212a").replace("i", "\u0131"),
    ):
        for pattern in PATTERNS:
            if pattern.search(swapped) is not None:
                assert could_match(required_words(pattern), Lowered(swapped)), (
                    pattern.pattern,
                    swapped,
                )
