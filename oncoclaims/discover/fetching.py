"""`discover --fetch`: ask the public APIs for the records of a claim the store lacks.

Four sources (:data:`SOURCES`), each asked through the existing fetch machinery
(:mod:`oncoclaims.ingest.fetch`: retries with backoff on 429 and 5xx, each service's
rate limit, raw answers kept in the cache, replayable offline):

- ``ctgov``: ClinicalTrials.gov v2 studies by intervention, one search per therapy part
  (by its dictionary name: one search for Keytruda and pembrolizumab), and the NCT
  numbers the claim's stories name;
- ``pubmed``: E-utilities ``esearch`` then ``efetch``: papers naming a therapy in title or
  abstract, and the paper each story's study reference describes (journal, authors, the
  story's date: :mod:`oncoclaims.discover.pubmed_terms`), and the PMIDs stories name;
- ``drugsfda`` and ``label``: openFDA Drugs@FDA applications (approvals) and drug labels
  by each name the claim gives a therapy and its dictionary name, as brand or generic.

Every answer is fetched, then every answer is parsed, before anything is written: a
fetch that fails part way (a timeout, 429 or 5xx after the retries, an answer that is
not what the service sends) writes nothing. Then each answer is ingested as one batch,
as a file would be.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import partial

from oncoclaims import queries
from oncoclaims.discover.candidates import claim_profile
from oncoclaims.discover.names import resolve_drug
from oncoclaims.discover.pubmed_terms import study_term, therapy_term
from oncoclaims.errors import FetchError, IngestError
from oncoclaims.graph.store import ClaimStore
from oncoclaims.ingest import INGESTERS, ingest_bytes
from oncoclaims.ingest import fetch as live

__all__ = [
    "FORMATS",
    "MAX_SEARCHES",
    "SOURCES",
    "FetchReport",
    "Services",
    "StudyClues",
    "fetch_for_claims",
    "pubmed_searches",
    "study_clues",
    "therapy_names",
    "therapy_searches",
]

#: What ``--fetch`` may ask, by the name ``--source`` takes.
SOURCES = ("ctgov", "pubmed", "drugsfda", "label")
#: The most searches one ``--fetch`` sends unless told otherwise (``--max-searches``): a
#: ``discover --all --fetch`` over a large store would otherwise ask the public services
#: once per therapy name, thousands of times.
MAX_SEARCHES = 50
#: The format each source answers in: its answers are read as that, never guessed.
FORMATS = {"ctgov": "clinicaltrials-json", "pubmed": "pubmed-xml", "drugsfda": "openfda-json", "label": "openfda-json"}


@dataclass(frozen=True, slots=True)
class Services:
    """Where each service answers (tests point them at a local replay server)."""

    ctgov: str = live.CTGOV_URL
    eutils: str = live.EUTILS_URL
    openfda: str = live.OPENFDA_URL


@dataclass
class FetchReport:
    """What a fetch asked and ingested."""

    searches: list[str]
    documents: int
    records: int
    quads_added: int
    warnings: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class StudyClues:
    """What the stories stating a claim say of one study: venues, people, identifiers, date."""

    venues: tuple[str, ...] = ()
    people: tuple[str, ...] = ()
    identifiers: tuple[str, ...] = ()
    date: str | None = None


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


def therapy_names(store: ClaimStore, claims: Iterable[str]) -> list[str]:
    """Every name the claims give their therapy parts, and each part's dictionary name: what
    openFDA is asked for as a brand or generic name."""
    names: dict[str, str] = {}
    for claim in claims:
        profile, _ = claim_profile(store, claim)
        for part in profile.therapy_parts:
            drug = resolve_drug(part[0])
            for name in (*part, *((drug.name,) if drug else ())):
                names.setdefault(name.casefold(), name)
    return sorted(names.values(), key=str.casefold)


def study_clues(store: ClaimStore, claims: Iterable[str]) -> list[StudyClues]:
    """The study references of the stories stating ``claims`` (query ``claim_study_references``)."""
    found: dict[str, dict[str, object]] = {}
    for claim in claims:
        for row in queries.select(store, "claim_study_references", claim=claim):
            clues = found.setdefault(row["ref"].value, {"venue": [], "person": [], "identifier": [], "date": None})
            values = clues[row["kind"].value]
            if isinstance(values, list) and row["value"].value not in values:
                values.append(row["value"].value)
            if "date" in row:
                clues["date"] = row["date"].value
    return [
        StudyClues(tuple(c["venue"]), tuple(c["person"]), tuple(c["identifier"]),  # type: ignore[arg-type]
                   c["date"])  # type: ignore[arg-type]
        for _, c in sorted(found.items())
    ]


def pubmed_searches(store: ClaimStore, claims: Iterable[str]) -> tuple[list[str], list[str]]:
    """The ``esearch`` terms for ``claims`` (each therapy, each story's study) and the PMIDs
    their stories name."""
    claims = list(claims)
    terms = [t for name in therapy_searches(store, claims) if (t := therapy_term(name))]
    pmids: list[str] = []
    for clues in study_clues(store, claims):
        if (term := study_term(clues.venues, clues.people, clues.date)) and term not in terms:
            terms.append(term)
        pmids += [i.removeprefix("pmid:") for i in clues.identifiers if i.startswith("pmid:")]
    return terms, sorted(set(pmids))


def _nct_ids(store: ClaimStore, claims: list[str]) -> list[str]:
    return sorted({i for clues in study_clues(store, claims) for i in clues.identifiers if i.startswith("NCT")})


Answer = tuple[live.FetchedDocument, str]


Search = tuple[str, str, Callable[[], list[live.FetchedDocument]]]


def _plan(
    store: ClaimStore, claims: list[str], client: live.FetchClient, limit: int,
    sources: tuple[str, ...], services: Services,
) -> list[Search]:
    """Every search to send, as ``(source, what, send)``; nothing is sent yet."""
    plan: list[Search] = []
    if "ctgov" in sources:
        for name in therapy_searches(store, claims):
            plan.append(("ctgov", name, partial(live.fetch_ctgov, client, intervention=name, limit=limit,
                                                base_url=services.ctgov)))
        if ncts := _nct_ids(store, claims):
            plan.append(("ctgov", ", ".join(ncts), partial(live.fetch_ctgov, client, ncts, base_url=services.ctgov)))
    if "pubmed" in sources:
        terms, pmids = pubmed_searches(store, claims)
        if pmids:
            plan.append(("pubmed", "PMID " + ", ".join(pmids),
                         partial(live.fetch_pubmed, client, pmids, base_url=services.eutils)))
        for term in terms:
            plan.append(("pubmed", term, partial(live.fetch_pubmed, client, query=term, limit=limit,
                                                 base_url=services.eutils)))
    for endpoint in ("drugsfda", "label"):
        if endpoint in sources:
            for name in therapy_names(store, claims):
                plan.append((endpoint, name, partial(live.fetch_openfda, client, [name], endpoint=endpoint,
                                                     limit=limit, base_url=services.openfda)))
    return plan


def _check_parses(document: live.FetchedDocument, fmt: str) -> None:
    """Read every record of ``document`` without writing: a bad answer stops the fetch first."""
    ingester = INGESTERS[fmt]
    try:
        for record in ingester.records(document.data, document.origin):
            for _ in ingester.to_quads(record):
                pass
    except IngestError as exc:
        raise FetchError(f"{document.origin}: the answer cannot be read as {fmt} ({exc}); "
                         "nothing was written") from exc


def fetch_for_claims(
    store: ClaimStore,
    claims: Iterable[str],
    client: live.FetchClient,
    *,
    limit: int = 100,
    sources: Iterable[str] = SOURCES,
    services: Services | None = None,
    base_url: str | None = None,
    max_searches: int = MAX_SEARCHES,
) -> FetchReport:
    """Fetch the records of the claims' therapies and studies from ``sources``, then ingest them.

    :param limit: the most records a search returns.
    :param max_searches: the most searches to send; more planned is refused before any is sent.
    :param base_url: ClinicalTrials.gov's address (kept for callers of the first version;
        ``services`` names every service's).
    :raises FetchError: for an unknown source, more searches than ``max_searches``, a service
        that does not answer after the retries, or an answer that cannot be read; nothing is
        ingested then.
    """
    chosen = tuple(dict.fromkeys(sources))
    unknown = [s for s in chosen if s not in SOURCES]
    if unknown:
        raise FetchError(f"unknown source {', '.join(map(repr, unknown))}; the sources are {', '.join(SOURCES)}")
    services = services or Services()
    if base_url is not None:
        services = Services(base_url, services.eutils, services.openfda)
    if max_searches < 1:
        raise FetchError(f"--max-searches must be 1 or more, not {max_searches}")
    claims = list(claims)
    plan = _plan(store, claims, client, limit, chosen, services)
    if len(plan) > max_searches:
        counts = {source: sum(1 for s in plan if s[0] == source) for source in chosen}
        raise FetchError(
            f"--fetch for {len(claims)} claims needs {len(plan)} searches "
            f"({', '.join(f'{source} {n}' for source, n in counts.items() if n)}), more than the "
            f"{max_searches} allowed; nothing was asked: name fewer claims, pick fewer --source, "
            "or raise --max-searches")
    searches: list[str] = []
    answers: list[Answer] = []
    for source, what, send in plan:
        searches.append(f"{source}: {what}")
        answers.extend((document, FORMATS[source]) for document in send())
    for document, fmt in answers:
        _check_parses(document, fmt)
    report = FetchReport(searches, len(answers), 0, 0)
    for document, fmt in answers:
        ingested = ingest_bytes(document.data, document.origin, store, fmt=fmt)
        report.records += ingested.records
        report.quads_added += ingested.quads_added
        report.warnings += ingested.warnings
    return report
