"""Names in a story: people ("Dr. Pei-Yong Shi", "Jay A. Berzofsky, MD") and organisations
("the University of Texas Medical Branch"), found by their shape, with their offsets.

Pure logic. A person name is two or three capitalised words (an initial may stand
between them) holding no organisation or place word; an organisation is a run of
capitalised words joined by "of", "for", "and", "&", "on", "the", "de", holding an
organisation word or followed by one ("Seattle Children's hospital").

>>> [m.name for m in find_people("said Dr. Pei-Yong Shi, a virologist at the University of Texas")]
['Pei-Yong Shi']
>>> organisation_at("chief of the Vaccine Branch at the National Cancer Institute, Bethesda")
['Vaccine Branch', 'National Cancer Institute']
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

__all__ = [
    "NAME",
    "ORG",
    "ORG_SHORT",
    "PARTICLE",
    "NameIndex",
    "NameMention",
    "find_people",
    "is_org_like",
    "normalise_name",
    "organisation_at",
    "same_org",
    "same_person",
    "split_org_list",
]

#: One capitalised word of a name: hyphenated ("Pei-Yong"), with an apostrophe ("O’Donnell") or
#: a second capital ("McCarthy", "DeVita", "LeBlanc").
_TOKEN = r"(?:[A-Z](?:[a-z]+|[’'][A-Z][a-z]+)(?:[A-Z][a-z]+)?(?:-[A-Z]?[a-z]+)*)"
#: Lowercase particles before a surname ("Hans van der Berg", "Ana de Souza", "Luca di Marco").
PARTICLE = r"(?:(?:van|von|der|den|de|del|della|da|di|du|le|la|ter|ten|dos|das|bin|ibn|al) ){1,2}"
#: A person's name: two or three capitalised words, an initial allowed before the last, a
#: particle before the surname.
NAME = rf"{_TOKEN}(?: [A-Z]\.)?(?: (?:{PARTICLE})?{_TOKEN}){{1,2}}"
_CAP = r"(?:[A-Z]|[a-z]{1,3}[A-Z])[\w’'.&®-]*"
#: An organisation-like run of capitalised words.
ORG = rf"{_CAP}(?:(?: (?:of|for|and|on|the|de|&))* {_CAP})*"
#: The same, at most nine capitalised words: for patterns that may start at any word, so that a
#: long run of capitalised words is not read again from each of its words (linear time).
ORG_SHORT = rf"{_CAP}(?:(?: (?:of|for|and|on|the|de|&)){{0,3}} {_CAP}){{0,8}}"

_ORG_WORDS = frozenset(
    """university universities institute institutes center centre centers hospital hospitals clinic
    school college society association journal foundation company corporation inc corp ltd llc
    agency administration ministry department branch division laboratory laboratories lab program
    programme unit academy council network group trust charity cancer research medical medicine
    health sciences science biomedical national international federal pharmaceuticals
    therapeutics biotech bio biosciences oncology institute’s children’s children's post times
    news press magazine images reuters newsweek conference meeting congress symposium""".split()
)
_PLACE_OR_TIME = frozenset(
    """monday tuesday wednesday thursday friday saturday sunday america american states united kingdom
    texas california new york washington boston london beijing china chinese russia russian
    senator sen president vice""".split()
)
#: Capitalised words that start sentences, not names ("But Harrington brought...").
_SENTENCE_WORDS = frozenset(
    """But And So Yet Still When While After Before Since If As At In On Of For From With By To The This That
    These Those Then Now Here There Even Only Also Both Each Every Some Many Most Such Although Though
    Instead Meanwhile However Moreover Today Yesterday Earlier Later Once Next Like Unlike Dear Says Said""".split()
)
_ORG_HEADS = frozenset(
    {
        "hospital",
        "university",
        "institute",
        "center",
        "centre",
        "clinic",
        "company",
        "lab",
        "laboratory",
        "foundation",
        "charity",
        "school",
    }
)
_TITLE = re.compile(r"(?:Dr|Prof|Professor|Mr|Mrs|Ms)\.? ")
_PERSON = re.compile(rf"\b(?:(?:Dr|Prof|Mr|Mrs|Ms|Sen) )?(?P<name>{NAME})\b")
_ORG_RUN = re.compile(
    rf"\b(?:at|of|from|with|in|by|for) (?:the )?(?:charity |company |firm |biotech |"
    rf"drugmaker |AACR journal |journal )?(?P<org>{ORG})"
)
_CHAIR_OF = re.compile(r"\b(?:[Pp]rofessor|[Cc]hair|[Ll]ecturer|[Ff]ellow) of$")
_LISTED_ORG = re.compile(rf", (?:the )?(?P<org>{ORG})")
#: A job title just before "at"/"with"/"from": what follows is an employer even without an
#: organisation word ("an oncologist at City of Hope", "a professor at Duke").
_JOB_BEFORE = re.compile(
    r"\b(?:professor|director|chief|head|chair(?:man|woman)?|dean|president|fellow|lecturer|"
    r"researcher|scientist|investigator|physician|doctor|surgeon|neurosurgeon|nurse|specialist|"
    r"analyst|spokes(?:man|woman|person)|official|officer|executive|founder|member|staff|"
    r"[a-z]{1,20}(?:ologist|ician|iatrist|ist))s? (?:at|with|from|for)(?: the)? $",
    re.I,
)
_PLACE_TAIL = re.compile(r"(?:,? (?:in|at) [A-Z][\w.]*(?: [A-Z][\w.]*)*)+$")


@dataclass(frozen=True, slots=True)
class NameMention:
    """A name as written in a text, with its offsets (end exclusive)."""

    name: str
    start: int
    end: int


def _words(name: str) -> list[str]:
    return re.findall(r"[\w’'&-]+", name.lower())


def is_org_like(name: str) -> bool:
    """Whether ``name`` holds an organisation word ("Institute", "Hospital", "Research")."""
    return any(word in _ORG_WORDS for word in _words(name))


def find_people(text: str, start: int = 0, end: int | None = None) -> list[NameMention]:
    """Return the person names in ``text[start:end]`` with offsets into ``text``."""
    return list(_people(text, start, end))


@lru_cache(maxsize=4096)
def _people(text: str, start: int, end: int | None) -> tuple[NameMention, ...]:
    """:func:`find_people`, cached: study references and voices read the same sentences."""
    found = []
    for match in _PERSON.finditer(text, start, len(text) if end is None else end):
        name = match["name"]
        first = name.split()[0]
        if first in _SENTENCE_WORDS:
            rest = name[len(first) + 1 :]
            if " " not in rest:
                continue
            found.append(NameMention(rest, match.start("name") + len(first) + 1, match.end("name")))
            continue
        words = _words(name)
        if any(w in _ORG_WORDS or w in _PLACE_OR_TIME for w in words):
            continue
        found.append(NameMention(name, match.start("name"), match.end("name")))
    return tuple(found)


def _trim_org(org: str) -> str:
    org = org.rstrip(".,’'®")
    org = re.sub(r"\s+(?:in|at)$", "", org)
    return org


def organisation_at(clause: str) -> list[str]:
    """Return the organisations a clause places someone at ("at X", "of the X", "from X").

    Places after an organisation ("in Galveston", ", Bethesda") are left out; a run with
    no organisation word counts only when a lowercase organisation head follows it.
    """
    found: list[str] = []
    covered = 0
    for match in _ORG_RUN.finditer(clause):
        if _CHAIR_OF.search(clause, 0, match.start() + 2):
            continue  # "Professor of Biological Cancer Therapies" is a chair, not a place
        if match.start() < covered:
            continue  # "of Health" inside "National Institutes of Health"
        covered = match.end("org")
        org = _trim_org(match["org"])
        after = clause[match.end("org") : match.end("org") + 20].lower().split()
        if not (
            is_org_like(org)
            or (after and after[0].strip(",.") in _ORG_HEADS)
            or clause[match.end("org") :].startswith((", the", ", a ", ", an "))
            or _JOB_BEFORE.search(clause, max(0, match.start() - 40), match.start("org"))
        ):
            continue
        if find_people(org) and not is_org_like(org):
            continue
        if org not in found:
            found.append(org)
        # Organisations listed after it: ", National Cancer Institute, National Institutes of Health".
        position = match.end("org")
        while (extra := _LISTED_ORG.match(clause, position)) is not None:
            name = _trim_org(extra["org"])
            if not is_org_like(name):
                break
            if name not in found:
                found.append(name)
            position = covered = extra.end()
    return found


_AND_ORG = re.compile(r",? and (?:the )?(?=[A-Z])")


def split_org_list(run: str) -> list[str]:
    """Split "Johns Hopkins University and the Cleveland Clinic" into its organisations.

    A run is split at "and" only when both sides hold an organisation word, so "Brigham
    and Women's Hospital" and "Food and Drug Administration" stay whole.
    """
    parts = _AND_ORG.split(run)
    if len(parts) > 1 and all(is_org_like(p) for p in parts):
        return [p.strip() for p in parts]
    return [run]


@lru_cache(maxsize=65536)
def normalise_name(name: str) -> str:
    """Lower case, no title, no punctuation, no leading "the": for comparing names."""
    name = _TITLE.sub("", name.strip())
    name = name.lower().replace("’", "'").replace("'s", "s")
    name = re.sub(r"\b(?:u\.k\.|u\.k)\b", "uk", name)
    name = re.sub(r"[^\w\s-]", " ", name)
    name = re.sub(r"^(?:the|an?)\s+", "", name.strip())
    return " ".join(name.split())


def same_person(a: str, b: str) -> bool:
    """Whether two person names name one person: same surname, first names compatible."""
    wa, wb = normalise_name(a).split(), normalise_name(b).split()
    if not wa or not wb or wa[-1] != wb[-1]:
        return False
    if len(wa) == 1 or len(wb) == 1:
        return True
    return wa[0] == wb[0] or (wa[0][0] == wb[0][0] and (len(wa[0]) == 1 or len(wb[0]) == 1))


def same_org(a: str, b: str) -> bool:
    """Whether two organisation names plausibly name one organisation (one holds the other)."""
    na, nb = normalise_name(a), normalise_name(b)
    if not na or not nb:
        return False
    return na == nb or f" {na} " in f" {nb} " or f" {nb} " in f" {na} "


class NameIndex:
    """The people a text names in full, to resolve "Kalos" or "Bethany" to the full name."""

    def __init__(self, text: str) -> None:
        self._by_part: dict[str, set[str]] = {}
        self._resolved: dict[str, str] = {}
        self.mentions = find_people(text)
        self.by_surname: dict[str, list[NameMention]] = {}
        for mention in self.mentions:
            words = mention.name.split()
            for part in (words[0], words[-1]):
                self._by_part.setdefault(part, set()).add(mention.name)
            self.by_surname.setdefault(words[-1], []).append(mention)

    def resolve(self, name: str) -> str:
        """The full name for a one-word name when the text names one such person, else ``name``."""
        known = self._resolved.get(name)
        if known is None:
            known = self._resolved[name] = self._resolve(name)
        return known

    def _resolve(self, name: str) -> str:
        name = _TITLE.sub("", name).strip()
        if " " in name:
            fuller = [n for n in self._by_part.get(name.split()[-1], ()) if same_person(n, name)]
            return max(fuller, key=len) if fuller else name
        candidates = self._by_part.get(name, set())
        # "Jay A. Berzofsky" and "Jay Berzofsky" are one person.
        distinct = {n.split()[0] + " " + n.split()[-1] for n in candidates}
        return max(candidates, key=len) if len(distinct) == 1 else name
