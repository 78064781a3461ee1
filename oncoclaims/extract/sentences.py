"""Sentences and clauses of an article, as character spans into its text.

Every function here returns :class:`Segment` objects whose ``start``/``end`` are offsets
into the text given, so ``text[seg.start:seg.end] == seg.text`` always holds; spans
never include leading or trailing whitespace.

>>> [s.text for s in split_sentences("Dr. Kalos spoke. Tumours shrank by 60%! Why?")]
['Dr. Kalos spoke.', 'Tumours shrank by 60%!', 'Why?']
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

__all__ = [
    "DATELINE",
    "Segment",
    "split_blocks",
    "split_coordinated",
    "split_sentences",
    "trim_dateline",
    "trim_span",
]

#: Words that end in a full stop without ending a sentence.
ABBREVIATIONS = frozenset(
    {
        "dr", "mr", "mrs", "ms", "prof", "st", "inc", "ltd", "co", "corp", "vs", "etc", "e.g",
        "i.e", "u.s", "u.k", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept",
        "oct", "nov", "dec", "no", "fig", "al", "approx", "jr", "sr", "gen", "gov", "sen",
        "rep", "ph.d", "m.d", "mt",
    }
)

# A sentence ends at ., ! or ? (possibly closed by quotes or brackets) followed by
# whitespace and something that can start a sentence.
_SENTENCE_END = re.compile(r"[.!?]+[\"”’')\]]*(?=\s+[\"“‘'(\[]?[A-Z0-9])")
_WORD_BEFORE = re.compile(r"([A-Za-z][A-Za-z.]*)$")
# "U.S." and "U.K." end a sentence when a word that starts sentences follows ("… in the U.S. The
# condition …"); before a name they do not ("Cancer Research U.K. who …").
_COUNTRY_END = frozenset({"u.s", "u.k"})
_STARTS_SENTENCE = re.compile(
    r"\s+[\"“]?(?:The|This|These|That|Those|It|Its|He|She|They|We|I|In|But|And|However|Yet|So|"
    r"A|An|Each|Every|Some|Most|Many|Researchers|Scientists|Doctors)\b"
)
_MONTH = r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\.?"
_DATE = rf"(?:[A-Z][A-Za-z]+, )?{_MONTH} \d{{1,2}},? \d{{4}}"
_AGENCY = r"\([A-Z][\w .]{0,40}\)"
_DASH = r"\s+[-–—]{1,2}\s+"
#: A dateline opening a paragraph: "LOS ANGELES (Reuters) - ", "Aug. 10, 2011 -- ",
#: "MONDAY, April 2, 2012 (HealthDay News) -- ", "Washington, DC - September 18, 2018 - ".
DATELINE = re.compile(
    rf"^(?:[A-Z][A-Za-z.]*(?: [A-Z][A-Za-z.]*){{0,2}}, [A-Z]{{2}}{_DASH}{_DATE}{_DASH}"
    rf"|{_DATE}(?: {_AGENCY})?{_DASH}"
    rf"|[A-Z]{{2,}}(?: [A-Z]{{2,}}){{0,3}}(?:, [A-Z][A-Za-z.]*)?(?: {_AGENCY})?{_DASH}"
    rf"|[A-Z][A-Za-z.]*(?: [A-Z][A-Za-z.]*){{0,2}} {_AGENCY}{_DASH})"
)
# Coordination points where one sentence may hold two claims: ", and", ", but",
# ", while", ";", and "and no" (two coordinated negations: "no X and no Y").
_COORDINATION = re.compile(r",\s+(?:and|but|while)\s+|;\s+|\s+and\s+(?=no\b)")


@dataclass(frozen=True, slots=True)
class Segment:
    """A run of text by its offsets: ``text[start:end]``, end exclusive."""

    start: int
    end: int
    text: str


def trim_span(text: str, start: int, end: int) -> Segment:
    """Return the segment ``text[start:end]`` without leading or trailing whitespace.

    :param text: the whole text the offsets refer to.
    :returns: the trimmed segment (possibly empty).
    """
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return Segment(start, end, text[start:end])


def split_blocks(text: str) -> Iterator[Segment]:
    """Yield the non-empty lines (paragraphs, headings) of ``text``."""
    position = 0
    for line in text.splitlines(keepends=True):
        segment = trim_span(text, position, position + len(line))
        position += len(line)
        if segment.text:
            yield segment


def _is_abbreviation(text: str, end: int) -> bool:
    """Whether the full stop at ``end`` closes an abbreviation or an initial."""
    # Only the word before the full stop matters: search a short window, not the whole text
    # (searching from 0 made splitting quadratic in the text's length).
    match = _WORD_BEFORE.search(text, max(0, end - 64), end)
    if match is None:
        return False
    word = match.group(1).rstrip(".").lower()
    if word in _COUNTRY_END and _STARTS_SENTENCE.match(text, end + 1) is not None:
        return False
    return word in ABBREVIATIONS or (len(word) == 1 and word.isalpha())


def _single_quote_balance(text: str, start: int, end: int) -> int:
    """Single quotations opened minus closed in ``text[start:end]`` (’ before a letter is an apostrophe)."""
    opened = text.count("‘", start, end)
    closed = 0
    position = text.find("’", start, end)
    while position != -1:
        if position + 1 >= len(text) or not text[position + 1].isalpha():
            closed += 1
        position = text.find("’", position + 1, end)
    return opened - closed


def trim_dateline(text: str, segment: Segment) -> Segment:
    """Return ``segment`` without a dateline it opens with ("LOS ANGELES (Reuters) - ").

    :param text: the whole text the offsets refer to.
    """
    match = DATELINE.match(segment.text)
    if match is None or match.end() >= len(segment.text):
        return segment
    return trim_span(text, segment.start + match.end(), segment.end)


def split_sentences(text: str, start: int = 0, end: int | None = None) -> list[Segment]:
    """Split ``text[start:end]`` into sentences; line breaks always end one.

    :param text: the whole text the offsets refer to.
    :returns: the sentences, in order.
    """
    stop = len(text) if end is None else end
    sentences: list[Segment] = []
    for block in split_blocks(text[start:stop]):
        block_start = start + block.start
        cursor = block_start
        block_end = start + block.end
        nested = 0  # single quotations open inside the sentence so far ("says, ‘Hey! Come …’ ”")
        scanned = block_start
        for match in _SENTENCE_END.finditer(text, block_start, block_end):
            nested = max(0, nested + _single_quote_balance(text, scanned, match.start()))
            scanned = match.start()
            if text[match.start()] == "." and match.end() - match.start() == 1 and _is_abbreviation(
                text, match.start()
            ):
                continue
            if nested > 0 and text[match.start()] in "!?":
                continue
            segment = trim_span(text, cursor, match.end())
            if segment.text:
                sentences.append(segment)
            cursor = match.end()
            nested = 0
        segment = trim_span(text, cursor, block_end)
        if segment.text:
            sentences.append(segment)
    return sentences


def split_coordinated(text: str, sentence: Segment) -> list[Segment]:
    """Split one sentence at its coordination points (", and", ";", "and no").

    The separators are left out; the sentence's final punctuation is left out of the
    last part. A sentence with no coordination point comes back as the only part.

    :param text: the whole text the offsets refer to.
    :param sentence: a sentence of ``text``.
    :returns: the parts, in order.
    """
    parts: list[Segment] = []
    cursor = sentence.start
    for match in _COORDINATION.finditer(text, sentence.start, sentence.end):
        part = trim_span(text, cursor, match.start())
        if part.text:
            parts.append(part)
        cursor = match.end()
    if not parts:
        return [sentence]
    end = sentence.end
    while end > cursor and text[end - 1] in ".!?":
        end -= 1
    last = trim_span(text, cursor, end)
    if last.text:
        parts.append(last)
    return parts
