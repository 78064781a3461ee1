"""Quantities in claim text, normalised to a value, a range or a bound.

"60 to 80 percent" is a range (min 60, max 80), "fewer than fifty volunteers" an upper
bound (max 50, qualifier "fewer than"), "100 percent" a value. Only numbers with a unit
(percent or a count noun such as patients, volunteers, mice) count: a bare year or
"Covid-19" is not a quantity.

>>> [(q.value, q.min_value, q.max_value, q.qualifier, q.unit) for q in find_quantities("60 to 80 percent")]
[(None, Decimal('60'), Decimal('80'), 'range', 'percent')]
>>> [(q.max_value, q.qualifier, q.unit) for q in find_quantities("fewer than fifty volunteers")]
[(Decimal('50'), 'fewer than', 'volunteers')]
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from oncoclaims.extract.screen import Lowered, may_match

__all__ = [
    "COUNT_UNITS",
    "Quantity",
    "find_quantities",
    "parse_number",
]

_ONES = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
    "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
    "nineteen": 19, "a dozen": 12, "dozen": 12,
}
_TENS = {
    "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
    "eighty": 80, "ninety": 90,
}
_SCALES = {"hundred": 100, "thousand": 1000, "million": 1_000_000}

_WORD_NUMBER = (
    r"(?:(?:" + "|".join(sorted(_TENS, key=len, reverse=True)) + r")(?:[- ](?:"
    + "|".join(k for k in _ONES if " " not in k and _ONES[k] < 10 and _ONES[k] > 0)
    + r"))?|" + "|".join(sorted(_ONES, key=len, reverse=True)) + r")"
    r"(?: (?:hundred|thousand|million))?"
)
_NUMBER = rf"(?:\d{{1,3}}(?:,\d{{3}})+(?:\.\d+)?|\d+(?:\.\d+)?|{_WORD_NUMBER})"

#: Count nouns a number may measure (singular forms are accepted too).
COUNT_UNITS = (
    "patients", "participants", "volunteers", "people", "persons", "subjects", "mice",
    "rats", "dogs", "children", "adults", "men", "women", "cases", "years", "months",
    "weeks", "days", "doses", "trials", "studies", "tumors", "tumours",
)
_SINGULAR = {"mice": "mouse", "people": "person", "children": "child", "men": "man",
             "women": "woman", "studies": "study"}
_UNIT = (
    r"(?P<unit>percent|per cent|%|"
    + "|".join(
        rf"{u}|{_SINGULAR.get(u, u[:-1])}" for u in COUNT_UNITS
    )
    + r")\b(?![-‐]old)"
)
_QUALIFIERS = {
    "fewer than": "fewer than", "less than": "fewer than", "under": "fewer than",
    "more than": "more than", "over": "more than", "greater than": "more than",
    "up to": "up to", "as many as": "up to", "at most": "up to",
    "at least": "at least", "about": "about", "around": "about", "approximately": "about",
    "nearly": "about", "almost": "about", "roughly": "about", "some": "about",
}
_QUALIFIER = r"(?P<qualifier>" + "|".join(sorted(_QUALIFIERS, key=len, reverse=True)) + r")"
# Words between a number and its count noun ("fifty healthy volunteers").
_FILLER = (
    r"(?:(?!(?:the|a|an|and|or|in|on|at|to|for|with|from|by|who|that|which|were|was|are|is)\b)"
    r"[a-z]+(?:-(?!old\b)[a-z]+)? ){0,2}?"
)
_YEAR = re.compile(r"(?:1[89]|20)\d\d")

_RANGE = re.compile(
    rf"\b(?:between |from )?(?P<low>{_NUMBER})(?: ?(?:percent|per cent|%))? ?(?:to|and|-|–|—) ?"
    rf"(?P<high>{_NUMBER}) ?{_FILLER}{_UNIT}",
    re.IGNORECASE,
)
_BOUND = re.compile(rf"\b{_QUALIFIER} (?P<number>{_NUMBER}) ?{_FILLER}{_UNIT}", re.IGNORECASE)
_PLAIN = re.compile(
    rf"(?<![\w.-])(?P<number>{_NUMBER})(?: ?|-){_FILLER}{_UNIT}", re.IGNORECASE
)

#: What a percentage measures, by a cue word in the same clause.
_MEASURES = (
    (re.compile(r"\bshr[iau]nk\w*", re.IGNORECASE), "tumour shrinkage"),
    (re.compile(r"\beffective\w*|\befficacy", re.IGNORECASE), "effectiveness"),
    (re.compile(r"\bsurviv\w*", re.IGNORECASE), "survival"),
    (re.compile(r"\bremission", re.IGNORECASE), "remission"),
    (re.compile(r"\brespon\w*", re.IGNORECASE), "response"),
    (re.compile(r"\breduc\w*|\bdecreas\w*|\blower\w*", re.IGNORECASE), "reduction"),
    (re.compile(r"\brisk", re.IGNORECASE), "risk"),
)


@dataclass(frozen=True, slots=True)
class Quantity:
    """A normalised quantity and the words it comes from (offsets into the article)."""

    measure: str
    unit: str
    qualifier: str
    start: int
    end: int
    text: str
    rule: str
    value: Decimal | None = None
    min_value: Decimal | None = None
    max_value: Decimal | None = None


def parse_number(words: str) -> Decimal | None:
    """Return the value of ``words``: digits ("1,200", "2.5") or English ("fifty", "twenty-five").

    >>> parse_number("twenty-five"), parse_number("1,200"), parse_number("two hundred")
    (Decimal('25'), Decimal('1200'), Decimal('200'))
    """
    text = words.strip().lower()
    try:
        return Decimal(text.replace(",", ""))
    except InvalidOperation:
        pass
    total = 0
    for token in re.split(r"[\s-]+", text.replace("a dozen", "dozen")):
        if token in _ONES:
            total += _ONES[token]
        elif token in _TENS:
            total += _TENS[token]
        elif token in _SCALES:
            total = max(total, 1) * _SCALES[token]
        else:
            return None
    return Decimal(total)


def _unit(raw: str) -> str:
    raw = raw.lower()
    if raw in {"percent", "per cent", "%"}:
        return "percent"
    if raw in COUNT_UNITS:
        return raw
    for plural, singular in _SINGULAR.items():
        if raw == singular:
            return plural
    return raw if raw.endswith("s") else raw + "s"


def _measure(unit: str, context: str) -> str:
    if unit != "percent":
        return unit
    for pattern, measure in _MEASURES:
        if pattern.search(context):
            return measure
    return "percentage"


def find_quantities(text: str, offset: int = 0) -> list[Quantity]:
    """Return the quantities in ``text``: ranges, then bounds, then plain values, never overlapping.

    :param offset: added to each quantity's offsets (the text's start in its article).
    """
    found: list[Quantity] = []
    taken: list[tuple[int, int]] = []

    def free(start: int, end: int) -> bool:
        return all(end <= s or start >= e for s, e in taken)

    # each pattern ends in a unit: screened by its words (extract/screen.py), not run in vain
    screen = Lowered(text)
    for match in _RANGE.finditer(text) if may_match(_RANGE, screen) else ():
        low, high = parse_number(match["low"]), parse_number(match["high"])
        if low is None or high is None or low >= high or not free(*match.span()):
            continue
        unit = _unit(match["unit"])
        taken.append(match.span())
        found.append(Quantity(_measure(unit, text), unit, "range", offset + match.start(),
                              offset + match.end(), match.group(0), "quantity:range",
                              min_value=low, max_value=high))
    for match in _BOUND.finditer(text) if may_match(_BOUND, screen) else ():
        number = parse_number(match["number"])
        if number is None or not free(*match.span()):
            continue
        unit = _unit(match["unit"])
        qualifier = _QUALIFIERS[match["qualifier"].lower()]
        taken.append(match.span())
        lower = qualifier in {"at least", "more than"}
        found.append(Quantity(
            _measure(unit, text), unit, qualifier, offset + match.start(), offset + match.end(),
            match.group(0), "quantity:bound",
            value=number if qualifier == "about" else None,
            min_value=number if lower else None,
            max_value=number if qualifier in {"fewer than", "up to"} else None,
        ))
    for match in _PLAIN.finditer(text) if may_match(_PLAIN, screen) else ():
        number = parse_number(match["number"])
        if number is None or not free(*match.span()):
            continue
        if _YEAR.fullmatch(match["number"]) and match["unit"].lower() not in {"percent", "%", "per cent"}:
            continue  # "2011 trials" is a year, not a count
        unit = _unit(match["unit"])
        taken.append(match.span())
        found.append(Quantity(_measure(unit, text), unit, "exactly", offset + match.start(),
                              offset + match.end(), match.group(0), "quantity:value",
                              value=number))
    found.sort(key=lambda q: q.start)
    return found
