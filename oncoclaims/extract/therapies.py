"""Therapy mentions: known therapies by name and synonym, and new names proposed.

A known therapy is matched by its ``rdfs:label`` or any ``skos:altLabel``, case
insensitive, on word boundaries. A name the graph does not know is proposed when the
text presents it as a therapy ("Enteromix, its new anti-cancer vaccine", "the virus —
called Imlygic", "the Enteromix vaccine"); proposals are flagged, never merged
silently. When an article names no therapy at all, its title's descriptor ("gene
therapy", "breast cancer vaccine") stands in, also as a proposal.

>>> index = TherapyIndex({"Enteromix": ("Enteromix vaccine",)})
>>> [(m.label, m.known) for m in index.find("The Enteromix vaccine works. So does Imlygic.")]
[('Enteromix', True)]
>>> [m.label for m in propose_therapies("Enteromix, its new anti-cancer vaccine, works.")]
['Enteromix']
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache

__all__ = [
    "TherapyIndex",
    "TherapyMention",
    "choose_main_therapy",
    "propose_from_title",
    "propose_therapies",
]

_THERAPY_NOUN = r"(?:vaccines?|therapy|therapies|drugs?|treatments?|virus|immunotherapy)"
_NAME = r"(?P<name>[A-Z][a-z]{2,}[A-Za-z0-9-]*|[A-Z][A-Z0-9-]{2,}[a-z]*)"
_PROPOSAL_RULES = (
    ("therapy:appositive",
     re.compile(rf"\b{_NAME}, (?:its|a|an|the) (?:[\w-]+ ){{0,3}}?{_THERAPY_NOUN}\b")),
    ("therapy:called",
     re.compile(rf"\b(?:called|named|dubbed|known as|brand[- ]named?)\s+[“\"‘']?{_NAME}")),
    ("therapy:name-noun", re.compile(rf"\b{_NAME} (?P<noun>vaccine|drug|therapy|treatment)\b")),
    ("therapy:treated-with",
     re.compile(rf"\b(?:treated with|received|receiving|respond to|responded to) {_NAME}\b")),
)
# "a molecule called GM-CSF" names a molecule, not a therapy.
#: How far before a "called X" the words that make X not a therapy are looked for.
_BEFORE_WINDOW = 200
_NOT_A_THERAPY_BEFORE = re.compile(
    r"\b(?:molecules?|proteins?|genes?|receptors?|antigens?|cells?|signal\w*|tumou?rs?|forms?|"
    r"mutations?|syndrome|condition)\W+(?:\w+\W+)?$",
    re.IGNORECASE,
)
#: Capitalised words that are never therapy names.
_NOT_NAMES = frozenset(
    {
        "the", "this", "these", "that", "those", "both", "cancer", "her", "his", "their", "its",
        "our", "new", "numerous", "such", "other", "phase", "first", "each", "every", "many",
        "some", "one", "any", "experimental", "genetic", "gene", "immune", "covid", "hpv", "flu",
        "influenza", "standard", "existing", "cell", "virus", "viral", "breast", "lung",
        "brain", "skin", "prostate", "colon", "melanoma", "leukemia", "personalized", "fda",
        "approved", "novel", "current", "future", "another", "anti-cancer", "therapeutic",
        "together", "however", "meanwhile", "moreover", "still", "instead", "also", "now",
        "today", "yet", "here", "there", "overall", "finally", "currently", "recently", "while",
    }
)
_TITLE_DESCRIPTOR = re.compile(
    r"((?:[A-Za-z0-9-]+ ){0,2}?(?:gene therapy|cell therapy|immunotherapy|virotherapy|"
    r"\w*virus|vaccines?|therapy|treatment))\b",
    re.IGNORECASE,
)
_DESCRIPTOR_DROP = frozenset(
    {"new", "experimental", "a", "an", "the", "try", "uses", "using", "shows", "with",
     "modified", "genetically", "as", "that", "personalized", "early", "study", "hints",
     "finds", "approves", "after", "s"}
)


@dataclass(frozen=True, slots=True)
class TherapyMention:
    """A therapy named in the text: its label, offsets, whether the graph knows it, the rule."""

    label: str
    start: int
    end: int
    known: bool
    rule: str


class TherapyIndex:
    """Finds known therapies by label and synonyms.

    :param names: therapy label -> its other names (``skos:altLabel``).
    """

    def __init__(self, names: Mapping[str, Iterable[str]] | None = None) -> None:
        self._by_name: dict[str, str] = {}
        for label, synonyms in (names or {}).items():
            for name in (label, *synonyms):
                if name.strip():
                    self._by_name.setdefault(name.strip().casefold(), label)
        alternatives = sorted(self._by_name, key=len, reverse=True)
        self._pattern = (
            re.compile(r"(?<![\w-])(?:" + "|".join(re.escape(n) for n in alternatives) + r")(?![\w-])",
                       re.IGNORECASE)
            if alternatives else None
        )

    @property
    def labels(self) -> frozenset[str]:
        """The labels of every known therapy."""
        return frozenset(self._by_name.values())

    def find(self, text: str, offset: int = 0) -> list[TherapyMention]:
        """Return the known therapies named in ``text``, in order.

        :param offset: added to each mention's offsets.
        """
        if self._pattern is None:
            return []
        return [
            TherapyMention(self._by_name[m.group(0).casefold()], offset + m.start(),
                           offset + m.end(), True, "therapy:known-name")
            for m in self._pattern.finditer(text)
        ]


@lru_cache(maxsize=8)
def _tokens(text: str) -> frozenset[str]:
    """The maximal runs of word characters and hyphens in ``text``: a word occurs in it on its
    own exactly when it is one of them (one pass over the text, not one search per name)."""
    return frozenset(re.findall(r"[\w-]+", text))


def _looks_like_a_name(name: str, text: str) -> bool:
    """Reject ordinary words that happen to be capitalised (sentence starts, nationalities)."""
    lower = name.lower()
    if re.search(r"(?:ian|ese|ish)$|-(?:positive|negative|targeted|based|like|specific)$", lower):
        return False
    if re.fullmatch(r"[A-Z]{2,}s|CD\d+|HER\d|PD-?L?\d", name):
        return False  # a plural abbreviation ("GSCs") or a molecule ("CD19")
    if name[0].isupper() and name[1:].islower():
        # An ordinary word also occurs in lower case somewhere in the text.
        if re.fullmatch(r"[\w-]+", lower):
            return lower not in _tokens(text)
        return re.search(rf"(?<![\w-]){re.escape(lower)}(?![\w-])", text) is None
    return True


def propose_therapies(text: str, offset: int = 0, exclude: Iterable[str] = ()) -> list[TherapyMention]:
    """Return the therapy names ``text`` presents that are not in ``exclude``.

    "X vaccine" is folded into "X" when "X" is also proposed; every place a proposed
    name occurs afterwards counts as a mention.

    :param exclude: names (case-insensitive) that are known already.
    """
    excluded = {e.casefold() for e in exclude}
    labels: dict[str, str] = {}
    for rule, pattern in _PROPOSAL_RULES:
        for match in pattern.finditer(text):
            name = match["name"].strip("-")
            if name.casefold() in _NOT_NAMES or name.casefold() in excluded:
                continue
            if not _looks_like_a_name(name, text):
                continue
            # the pattern ends at the match and spans a word and two gaps: a short window will do
            # (searching from 0 made this quadratic in the text's length)
            window = max(0, match.start() - _BEFORE_WINDOW)
            if rule == "therapy:called" and _NOT_A_THERAPY_BEFORE.search(text, window, match.start()):
                continue
            labels.setdefault(name, rule)
    mentions: list[TherapyMention] = []
    for label, rule in labels.items():
        for match in re.finditer(rf"(?<![\w-]){re.escape(label)}(?![\w-])", text):
            mentions.append(TherapyMention(label, offset + match.start(), offset + match.end(),
                                           False, rule))
    mentions.sort(key=lambda m: m.start)
    return mentions


def propose_from_title(title: str) -> str | None:
    """Return the therapy descriptor of a title ("gene therapy"), lower case, or ``None``."""
    for match in _TITLE_DESCRIPTOR.finditer(title):
        words = match.group(1).lower().split()
        while len(words) > 1 and words[0] in _DESCRIPTOR_DROP:
            words = words[1:]
        if len(words) > 1 or (words and words[0].endswith("virus") and words[0] != "virus"):
            return " ".join(words)
    return None


def choose_main_therapy(mentions: Iterable[TherapyMention], title: str = "") -> str | None:
    """Return the therapy an article is mainly about.

    A named therapy in the title comes first, then one named at least three times, then
    the title's descriptor ("gene therapy"), then the therapy named most.
    """
    counts = Counter(m.label for m in mentions)
    ranked = sorted(counts, key=lambda label: (-counts[label], label))
    for label in ranked:
        if re.search(rf"(?<![\w-]){re.escape(label)}(?![\w-])", title, re.IGNORECASE):
            return label
    if ranked and counts[ranked[0]] >= 3:
        return ranked[0]
    descriptor = propose_from_title(title) if title else None
    if descriptor is not None:
        return descriptor
    return ranked[0] if ranked else None
