"""PubMed search terms for a claim (pure): by therapy, and by what a story says of its study.

E-utilities ``esearch`` takes PubMed's query syntax. Every value goes in as one quoted
phrase with a field tag, so a name is never read as syntax (quotes, brackets and
backslashes are dropped from it):

- a therapy: ``"pembrolizumab"[Title/Abstract]``;
- a story's study reference (``oc:StudyReference``, written by ``trace_store``): the
  journals it names (``[Journal]``; a meeting or conference is no journal and is left
  out), its people by surname (``[Author]``) and the story's date as a window of
  publication dates (``[dp]``), from :data:`DAYS_BEFORE` days before the story to
  :data:`DAYS_AFTER` days after it (a story may come before the printed issue).

>>> therapy_term("Pembrolizumab")
'"Pembrolizumab"[Title/Abstract]'
>>> study_term(["New England Journal of Medicine"], ["Michael Kalos"], "2011-08-10")
'"New England Journal of Medicine"[Journal] AND "Kalos"[Author] AND ("2010/08/10"[dp] : "2011/11/08"[dp])'
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable

__all__ = ["DAYS_AFTER", "DAYS_BEFORE", "phrase", "study_term", "surname", "therapy_term"]

#: The publication window of a story's study: this many days before the story...
DAYS_BEFORE = 365
#: ...to this many days after it.
DAYS_AFTER = 90
_NOT_JOURNAL = re.compile(r"\b(?:meeting|conference|congress|symposium|summit|session)s?\b", re.IGNORECASE)
_NOT_PHRASE = re.compile(r'["\[\]\\]')


def phrase(text: str) -> str:
    """``text`` as one PubMed phrase: quotes, brackets and backslashes dropped, spaces collapsed."""
    return " ".join(_NOT_PHRASE.sub(" ", text).split())


def surname(name: str) -> str | None:
    """The family name of a person named "Given Family" (the last word of letters), if any."""
    words = [w for w in re.findall(r"[^\W\d_][\w'-]*", name) if not w.endswith(".")]
    return words[-1] if len(words) >= 2 and len(words[-1]) > 1 else None


def therapy_term(name: str) -> str | None:
    """The term for papers naming therapy ``name`` in title or abstract."""
    text = phrase(name)
    return f'"{text}"[Title/Abstract]' if text else None


def _window(date: str) -> str | None:
    try:
        day = dt.date.fromisoformat(date[:10]) if len(date) >= 10 else None
    except ValueError:
        return None
    if day is None:
        return None
    start, end = day - dt.timedelta(days=DAYS_BEFORE), day + dt.timedelta(days=DAYS_AFTER)
    return f'("{start:%Y/%m/%d}"[dp] : "{end:%Y/%m/%d}"[dp])'


def _any(terms: list[str]) -> str:
    return terms[0] if len(terms) == 1 else "(" + " OR ".join(terms) + ")"


def study_term(venues: Iterable[str], people: Iterable[str], date: str | None) -> str | None:
    """The term for the paper a story's study reference describes; ``None`` when the reference
    names neither a journal nor a person (a date alone finds everything of that year)."""
    journals = sorted({f'"{p}"[Journal]' for v in venues if not _NOT_JOURNAL.search(v) and (p := phrase(v))})
    authors = sorted({f'"{p}"[Author]' for n in people if (s := surname(n)) and (p := phrase(s))})
    if not journals and not authors:
        return None
    parts = [_any(terms) for terms in (journals, authors) if terms]
    if date and (window := _window(date)):
        parts.append(window)
    return " AND ".join(parts)
