"""The cut-out span equals the quote, for every extracted claim of every sample article."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from news_stories import ARTICLES, story_text

from oncoclaims.extract import extract_claims
from oncoclaims.extract.claims import CONTEXT_CHARS
from oncoclaims.extract.sentences import split_sentences
from oncoclaims.graph.store import ClaimStore
from oncoclaims.ingest import ingest
from oncoclaims.vocab import OA, SCHEMA


@pytest.mark.parametrize("path", ARTICLES, ids=[p.name for p in ARTICLES])
def test_every_stored_span_cut_from_the_source_text_equals_its_quote(path: Path, empty_store: ClaimStore) -> None:
    ingest(path, empty_store)
    (text,) = [q.object.value for q in empty_store.quads(None, SCHEMA.text)
               if "/source/" in q.subject.value]
    # Claim statements' positions (study references and voices have spans of their own: tests/extract/test_trace.py).
    positions = [q.subject for q in empty_store.quads(None, OA.start) if q.subject.value.endswith("#position")]
    assert positions, f"no claim extracted from {path.name}"
    for position in positions:
        base = position.value.removesuffix("#position")
        start = int(next(empty_store.quads(position, OA.start)).object.value)
        end = int(next(empty_store.quads(position, OA.end)).object.value)
        exact, prefix, suffix = (
            next(q.object.value for q in empty_store.quads(None, prop) if q.subject.value == base + "#quote")
            for prop in (OA.exact, OA.prefix, OA.suffix)
        )
        assert text[start:end] == exact
        assert text[max(0, start - CONTEXT_CHARS):start] == prefix
        assert text[end:end + CONTEXT_CHARS] == suffix


SENTENCES = [s.text for path in ARTICLES for s in split_sentences(story_text(path))]


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from(SENTENCES), st.sampled_from([" ", "  ", "\n", "\n\n", "\t", " \u00a0"])),
        min_size=1, max_size=12,
    ),
    st.text(max_size=40),
)
def test_spans_of_any_mix_of_article_sentences_cut_back_to_their_quotes(
    pieces: list[tuple[str, str]], noise: str
) -> None:
    text = noise + "".join(sentence + gap for sentence, gap in pieces)
    extraction = extract_claims(text, {"Enteromix": ("Enteromix vaccine",), "T-VEC": ()})
    for claim in extraction.claims:
        assert text[claim.start:claim.end] == claim.exact
        assert claim.exact == claim.exact.strip() and claim.exact
        assert text[max(0, claim.start - CONTEXT_CHARS):claim.start] == claim.prefix
        assert text[claim.end:claim.end + CONTEXT_CHARS] == claim.suffix
        for quantity in claim.quantities:
            assert text[quantity.start:quantity.end] == quantity.text
            assert claim.start <= quantity.start and quantity.end <= claim.end


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=300))
def test_sentence_offsets_hold_for_any_text(text: str) -> None:
    for sentence in split_sentences(text):
        assert text[sentence.start:sentence.end] == sentence.text
        assert sentence.text and sentence.text == sentence.text.strip()
