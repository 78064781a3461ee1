"""The keys two study references must share one of to be compared at all (same-study grouping).

Stored on each ``oc:StudyReference`` as ``oc:matchKey`` when a story is ingested, so that a
new story's references find the ones they may match by index instead of by reading every
reference in the store (:func:`oncoclaims.trace_store.update_study_groups`).

>>> keys = match_keys(identifiers=("NCT01234567",), venues=("The Lancet",), people=("Ann Lee",))
>>> sorted(keys)
['id:NCT01234567', 'person:lee', 'venue:lancet']
"""

from __future__ import annotations

from collections.abc import Iterable

from oncoclaims.extract.names import is_org_like, normalise_name

__all__ = ["match_keys"]


def match_keys(
    *,
    identifiers: Iterable[str] = (),
    venues: Iterable[str] = (),
    people: Iterable[str] = (),
    institutions: Iterable[str] = (),
    conditions: Iterable[str] = (),
    sizes: Iterable[str] = (),
) -> set[str]:
    """Identifier, venue, person surname, specific condition, sample size and distinctive
    institution words."""
    keys = {"id:" + i for i in identifiers} | {"venue:" + normalise_name(v) for v in venues}
    keys |= {"person:" + normalise_name(p).split()[-1] for p in people if normalise_name(p)}
    keys |= {"condition:" + c for c in conditions if " " in c}
    keys |= {"size:" + n for n in sizes}
    for name in institutions:
        keys |= {
            "org:" + w for w in normalise_name(name).split() if len(w) > 3 and not is_org_like(w)
        }
    return keys
