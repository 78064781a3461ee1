"""Cheap prefilters for regular expressions: the words a pattern cannot match without.

:func:`required_words` reads a compiled pattern's syntax tree and returns a set of
lower-case ASCII strings of which every match contains at least one (``None`` when no
such set is known: a pattern that can match without any fixed text). :func:`could_match`
then tells, from a text lowered once, that a pattern cannot match it, with a few ``in``
tests instead of a regular-expression scan; when it says it could, the pattern is run as
before. A screen never changes what a pattern finds, only how often it is run.

>>> import re
>>> sorted(required_words(re.compile(r"\\b(?:side effects?|toxicity)\\b", re.I)))
['side effect', 'toxicity']
>>> text = Lowered("Tumours shrank.")
>>> could_match(required_words(re.compile(r"\\btoxic", re.I)), text)
False
"""

from __future__ import annotations

import re
from functools import cache

try:  # Python 3.11 names the parser re._parser; 3.10 and earlier sre_parse
    from re import _constants as _sre
    from re import _parser as _sre_parse
except ImportError:  # pragma: no cover
    import sre_constants as _sre  # type: ignore[no-redef]
    import sre_parse as _sre_parse  # type: ignore[no-redef]

__all__ = ["Lowered", "could_match", "may_match", "required_words"]

_REPEATS = (_sre.MAX_REPEAT, _sre.MIN_REPEAT, getattr(_sre, "POSSESSIVE_REPEAT", _sre.MAX_REPEAT))
_ATOMIC = getattr(_sre, "ATOMIC_GROUP", None)
#: A character class of more characters than this gives no useful screen.
_MAX_CLASS = 4

Words = frozenset[str] | None


def _better(a: frozenset[str], b: frozenset[str]) -> bool:
    """Whether screen ``a`` rejects more texts than ``b``: longer shortest word, then fewer."""
    return (min(map(len, a)), -len(a)) > (min(map(len, b)), -len(b))


def _fewest(words: frozenset[str]) -> frozenset[str]:
    """The same screen with no word that holds another ("tumours" goes when "tumour" is there)."""
    return frozenset(w for w in words if not any(o != w and o in w for o in words))


def _class_words(items: list) -> Words:
    chars = []
    for op, av in items:
        if op is not _sre.LITERAL or av >= 128:
            return None
        chars.append(chr(av).lower())
    return frozenset(chars) if 0 < len(chars) <= _MAX_CLASS else None


def _sequence(items) -> Words:
    """Words of which a match of the sequence ``items`` holds one (each element's is enough)."""
    found: list[frozenset[str]] = []
    run: list[str] = []

    def flush() -> None:
        if run:
            found.append(frozenset({"".join(run).lower()}))
            run.clear()

    for op, av in items:
        if op is _sre.LITERAL and av < 128:
            run.append(chr(av))
            continue
        flush()
        words: Words = None
        if op is _sre.SUBPATTERN:
            words = _sequence(av[-1])
        elif op is _ATOMIC:
            words = _sequence(av)
        elif op is _sre.BRANCH:
            branches = [_sequence(branch) for branch in av[1]]
            if all(b is not None for b in branches):
                words = _fewest(frozenset().union(*branches))  # type: ignore[arg-type]
        elif op in _REPEATS and av[0] >= 1:
            words = _sequence(av[2])
        elif op is _sre.IN:
            words = _class_words(av)
        elif op is _sre.ASSERT and av[0] == 1:  # a lookahead's text is in the text too
            words = _sequence(av[1])
        if words:
            found.append(words)
    flush()
    best: Words = None
    for words in found:
        if "" in words:
            continue
        if best is None or _better(words, best):
            best = words
    return best


#: Screens by the identity of their compiled pattern (which the entry keeps alive, so an id is
#: never reused while it is here): hashing a compiled pattern, as a cache keyed by the pattern
#: does, hashes its whole program, microseconds for a long alternation, on every look-up.
_SCREENS: dict[int, tuple[re.Pattern[str], Words]] = {}


def required_words(pattern: re.Pattern[str]) -> Words:
    """Lower-case ASCII strings of which every match of ``pattern`` contains one, or ``None``
    (read once per compiled pattern)."""
    entry = _SCREENS.get(id(pattern))
    if entry is None or entry[0] is not pattern:
        entry = _SCREENS[id(pattern)] = (pattern, _read_words(pattern))
    return entry[1]


def _read_words(pattern: re.Pattern[str]) -> Words:
    if not isinstance(pattern.pattern, str):
        return None
    try:
        return _sequence(_sre_parse.parse(pattern.pattern, pattern.flags))
    except (TypeError, ValueError, IndexError):  # a syntax tree of a shape not read here: no screen
        return None


@cache
def _odd_characters() -> frozenset[str]:
    """Characters a case-blind pattern takes for an ASCII letter that lowering does not make one
    (the long s, the dotless i): a text holding one is never screened."""
    every = "".join(map(chr, range(128, 0x10000)))
    taken = re.findall("[a-z]", every, re.IGNORECASE)
    odd = {char for char in taken if not any("a" <= c <= "z" for c in char.lower())}
    return frozenset(odd)


class Lowered:
    """A text lowered once for screening, and whether screening it is safe."""

    __slots__ = ("screenable", "text")

    def __init__(self, text: str) -> None:
        self.text = text.lower()
        self.screenable = text.isascii() or not any(c in text for c in _odd_characters())


def could_match(words: Words, text: Lowered) -> bool:
    """False only when no match of a pattern with these :func:`required_words` is in ``text``."""
    if words is None or not text.screenable:
        return True
    lowered = text.text
    for word in words:  # a loop: cheaper than any() over a generator, and this runs often
        if word in lowered:
            return True
    return False


def may_match(pattern: re.Pattern[str], text: Lowered) -> bool:
    """:func:`could_match` with the :func:`required_words` of ``pattern`` (cached per pattern)."""
    entry = _SCREENS.get(id(pattern))
    if entry is None or entry[0] is not pattern:
        return could_match(required_words(pattern), text)
    return could_match(entry[1], text)
