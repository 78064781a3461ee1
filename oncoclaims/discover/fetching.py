"""`discover --fetch`: ask ClinicalTrials.gov for the trials of a claim's therapies the store lacks.

The existing fetch machinery does the asking (:mod:`oncoclaims.ingest.fetch`: retries with
backoff on 429 and 5xx, raw answers kept in the cache, replayable offline). Every answer is
fetched before anything is ingested, so a fetch that fails part way writes nothing; each
answer is then ingested as one batch, as a file would be.

Not built: PubMed by therapy, venue, author and date; openFDA names and approvals.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from oncoclaims.discover.candidates import claim_profile
from oncoclaims.discover.names import resolve_drug
from oncoclaims.graph.store import ClaimStore
from oncoclaims.ingest import fetch as live
from oncoclaims.ingest import ingest_bytes

__all__ = ["FetchReport", "fetch_for_claims", "therapy_searches"]


@dataclass
class FetchReport:
    """What a fetch asked and ingested."""

    searches: list[str]
    documents: int
    records: int
    quads_added: int


def therapy_searches(store: ClaimStore, claims: Iterable[str]) -> list[str]:
    """The intervention names to search for: each claim's therapy parts, by their dictionary
    name when the dictionary knows them (one search for Keytruda and pembrolizumab)."""
    names: dict[str, str] = {}
    for claim in claims:
        profile, _ = claim_profile(store, claim)
        for part in profile.therapy_parts:
            drug = resolve_drug(part[0])
            name = drug.name if drug else part[0]
            names.setdefault(name.casefold(), name)
    return sorted(names.values())


def fetch_for_claims(
    store: ClaimStore,
    claims: Iterable[str],
    client: live.FetchClient,
    *,
    limit: int = 100,
    base_url: str = live.CTGOV_URL,
) -> FetchReport:
    """Fetch the ClinicalTrials.gov studies of the claims' therapies, then ingest them.

    :raises FetchError: a service that does not answer after the retries; nothing is ingested.
    """
    searches = therapy_searches(store, claims)
    documents = [doc for name in searches
                 for doc in live.fetch_ctgov(client, intervention=name, limit=limit, base_url=base_url)]
    records = quads = 0
    for document in documents:
        report = ingest_bytes(document.data, document.origin, store)
        records += report.records
        quads += report.quads_added
    return FetchReport(searches, len(documents), records, quads)
