"""Therapy names, normalised: brand, generic, code and misspelled names to one key (pure).

Two sources of sameness, both kept apart from anything typed by hand here:

- the dictionary of ``drug-named-entity-recognition`` (DrugBank names, brands and
  synonyms, bundled, offline): "Keytruda", "lambrolizumab" and the misspelling
  "pembrolizumb" all resolve to DrugBank ``DB09037``; a fuzzy match counts only for a
  long word and a close match ("Toca" is not deoxycorticosterone);
- the names the records themselves carry: a ClinicalTrials.gov intervention's name and
  its other names, an openFDA product's brand name with its active ingredients and
  generic names (``ingest/openfda.py``: "IMATINIB MESYLATE", unknown to the dictionary,
  reaches GLEEVEC), a therapy node's ``rdfs:label`` and ``skos:altLabel``s. They are
  joined by :class:`NameGroups` (union-find), so "MK-3475", given as another name of
  "Pembrolizumab" by a trial record, reaches every record of pembrolizumab.

A combination ("Pembrolizumab + Carboplatin + Pemetrexed", "p53 vaccine plus
pembrolizumab") keeps its parts: :func:`split_combination`.

>>> resolve_drug("Keytruda").drugbank_id, resolve_drug("lambrolizumab").name
('DB09037', 'Pembrolizumab')
>>> split_combination("Pembrolizumab + Carboplatin + Pemetrexed")
('Pembrolizumab', 'Carboplatin', 'Pemetrexed')
>>> name_key("  Toca-511 ")
'toca 511'
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

__all__ = [
    "Drug",
    "NameGroups",
    "load_names_dictionary",
    "name_key",
    "name_variants",
    "record_parts",
    "resolve_drug",
    "split_combination",
]

#: A fuzzy dictionary match counts only for a word at least this long...
_FUZZY_MIN_LENGTH = 8
#: ...and at least this similar (the library's n-gram similarity, 0 to 1).
_FUZZY_MIN_SIMILARITY = 0.7
_RECORD_PARTS = re.compile(
    r"\s*(?:[+/;,()\[\]]|\b(?:plus|and|or|with|combined with|in combination with)\b)\s*", re.IGNORECASE)
_COMBINATION = re.compile(r"\s*(?:\+|\bplus\b|\bcombined with\b|\bin combination with\b|;)\s*", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Drug:
    """A dictionary drug: DrugBank id, preferred name, its synonyms, how the name matched."""

    drugbank_id: str
    name: str
    synonyms: tuple[str, ...]
    match: str  # "exact" or "fuzzy"

    @property
    def key(self) -> str:
        """The group key every name of this drug resolves to."""
        return "drugbank:" + self.drugbank_id


def name_key(name: str) -> str:
    """Fold a name for comparison: NFKC, case, and punctuation between words.

    "Toca 511", "TOCA-511" and "toca 511 " give the same key.
    """
    text = unicodedata.normalize("NFKC", name).casefold()
    text = re.sub(r"[®™©]", "", text)
    return " ".join(re.findall(r"[\w.]+", text.replace("_", " ")))


def split_combination(name: str) -> tuple[str, ...]:
    """The parts of a combination's name, in order; a single therapy gives itself."""
    parts = tuple(p.strip(" ,()") for p in _COMBINATION.split(name) if p.strip(" ,()"))
    return parts or (name.strip(),)


def record_parts(label: str) -> tuple[str, ...]:
    """The therapies a record's intervention label names, for finding the record by any of them.

    Wider than :func:`split_combination`: alternatives ("Nivolumab or Pembrolizumab") and
    lists ("EGFR TKIs (Almonertinib/Osimertinib)") count too, since the record concerns each.

    >>> record_parts("Nivolumab or Pembrolizumab (dependent upon approved indication)")
    ('Nivolumab', 'Pembrolizumab', 'dependent upon approved indication')
    """
    return tuple(p.strip() for p in _RECORD_PARTS.split(label) if p and p.strip())


@lru_cache(maxsize=1)
def _finder():  # type: ignore[no-untyped-def]
    # Imported on first use: loading the dictionary takes about a second.
    from drug_named_entity_recognition import find_drugs

    return find_drugs


def load_names_dictionary() -> None:
    """Load the drug dictionary now (about a second, once per process), so that the first
    story a server is sent does not pay for it while other requests wait."""
    resolve_drug("pembrolizumab")


@lru_cache(maxsize=65536)
def resolve_drug(name: str) -> Drug | None:
    """The dictionary drug ``name`` names as a whole, or ``None``.

    Only a match that covers every word of the name counts ("Toca FC" is not a drug the
    dictionary knows, even though a fuzzy match finds something for "Toca").
    """
    tokens = re.findall(r"[\w-]+", unicodedata.normalize("NFKC", name))
    if not tokens or len(tokens) > 6:
        return None
    # A fuzzy match (slow: tens of ms) only for one long word of letters, the shape of a
    # misspelt name ("pembrolizumb"); a code such as "MK-3475" is never corrected.
    fuzzy = len(tokens) == 1 and len(tokens[0]) >= _FUZZY_MIN_LENGTH and tokens[0].isalpha()
    found = _finder()(tokens, is_fuzzy_match=False)
    if fuzzy and not found:
        found = _finder()(tokens, is_fuzzy_match=True)
    whole = [(data, start, end) for data, start, end in found if start == 0 and end == len(tokens)]
    if not whole and len(tokens) > 1:
        # "Nivolumab (BMS-936558)": one word is the drug, the rest a code in brackets
        whole = [(data, s, e) for data, s, e in found if data.get("match_type") == "exact"
                 and len(found) == 1 and not re.search(r"[a-z]{4,}", " ".join(
                     t for i, t in enumerate(tokens) if not s <= i < e))]
    for data, start, end in whole:
        if data.get("match_type") == "fuzzy":
            word = " ".join(tokens[start:end])
            if len(word) < _FUZZY_MIN_LENGTH or float(data.get("match_similarity") or 0) < _FUZZY_MIN_SIMILARITY:
                continue
        if not data.get("drugbank_id"):
            continue
        return Drug(
            drugbank_id=str(data["drugbank_id"]),
            name=str(data.get("name") or name),
            synonyms=tuple(str(s) for s in data.get("synonyms") or ()),
            match=str(data.get("match_type") or "exact"),
        )
    return None


def name_variants(names: Iterable[str]) -> set[str]:
    """Every spelling under which the store may hold one of ``names``.

    The names themselves, their dictionary drug's name and synonyms, each as written,
    lower case, capitalised and upper case (literals in the store are matched exactly).
    """
    spellings: set[str] = set()
    for name in names:
        drug = resolve_drug(name)
        spellings.add(name)
        if drug is not None:
            spellings.add(drug.name)
            spellings.update(drug.synonyms)
    variants: set[str] = set()
    for spelling in spellings:
        spelling = spelling.strip()
        if spelling:
            variants.update({spelling, spelling.lower(), spelling.capitalize(), spelling.upper(),
                             spelling.title()})
    return variants


class NameGroups:
    """Names joined into groups, from the dictionary and from the records' own synonyms.

    >>> groups = NameGroups()
    >>> groups.join(["Pembrolizumab", "MK-3475"])
    >>> groups.same("mk-3475", "Keytruda")
    True
    >>> groups.same("Keytruda", "Opdivo")
    False
    """

    def __init__(self) -> None:
        self._parent: dict[str, str] = {}

    def _find(self, key: str) -> str:
        parent = self._parent.setdefault(key, key)
        if parent != key:
            root = self._find(parent)
            self._parent[key] = root
            return root
        return key

    def _keys(self, name: str) -> list[str]:
        keys = [name_key(name)]
        drug = resolve_drug(name)
        if drug is not None:
            keys.append(drug.key)
        return [k for k in keys if k]

    def join(self, names: Iterable[str]) -> None:
        """Record that ``names`` are names of one therapy (a record says so)."""
        keys = [k for name in names for k in self._keys(name)]
        for other in keys[1:]:
            a, b = self._find(keys[0]), self._find(other)
            if a != b:
                self._parent[b] = a

    def group(self, name: str) -> str:
        """The group key of ``name`` (stable only until the next :meth:`join`)."""
        keys = self._keys(name)
        for key in keys[1:]:
            # a name the dictionary knows is in its drug's group even when never joined
            a, b = self._find(keys[0]), self._find(key)
            if a != b:
                self._parent[a] = b
        return self._find(keys[0]) if keys else ""

    def same(self, first: str, second: str) -> bool:
        """Whether two names name one therapy."""
        return self.group(first) == self.group(second)
