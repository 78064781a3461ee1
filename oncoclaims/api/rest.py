"""The REST API (OpenAPI at ``/docs``): claims and their confirmation reports,
therapies, institutions, sources and metrics.

Whole-store results (the list of claims, every claim's status, the institution metrics)
are computed on first use and kept until a SPARQL update (enabled only with a token)
changes the store; the CLI cannot write meanwhile, since the server holds the store's lock.
On a SPARQL server others write too (other uvicorn workers, the CLI, other programs), so
there they are kept :data:`REMOTE_CACHE_SECONDS` at most.
Every claim's status at once takes seconds to minutes on a large store (docs/scale.md), so
``/claims`` computes it only to filter by status; otherwise each claim on the page gets
its status from its own neighbourhood (:func:`claim_status`, milliseconds), kept as well.
"""

from __future__ import annotations

import threading
import time
from enum import Enum
from functools import cached_property
from typing import Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from pyoxigraph import NamedNode

from oncoclaims import queries
from oncoclaims.api.backend_access import backend_of, is_remote
from oncoclaims.api.errors import ErrorResponse, error_response
from oncoclaims.api.state import ServerState
from oncoclaims.api.stories import create_stories_router
from oncoclaims.api.write_access import write_refusal
from oncoclaims.discover.reviews import resolve_record, review_candidate, withdraw_review
from oncoclaims.errors import ConfigError, NotFoundError, ReviewError
from oncoclaims.graph.analysis import STATUS_NAMES, STATUS_PREFIX
from oncoclaims.graph.confirmation import (
    claim_status,
    claim_statuses,
    confirmation_report,
    find_claim,
)
from oncoclaims.graph.metrics import institution_metrics
from oncoclaims.graph.store import ClaimStore
from oncoclaims.iris import mint_iri
from oncoclaims.vocab import ID_BASE, OC

__all__ = ["REMOTE_CACHE_SECONDS", "ClaimPage", "ClaimSummary", "InstitutionPage", "SourcePage", "TherapyPage",
           "create_rest_router"]

_CLAIM_BASE = ID_BASE + "claim/"
_ERRORS: dict[int | str, dict[str, Any]] = {404: {"model": ErrorResponse}, 422: {"model": ErrorResponse}}


class ClaimSummary(BaseModel):
    """One claim in a list."""

    id: str
    iri: str
    label: str | None
    text: str | None
    type: str | None
    therapies: list[str]
    status: str | None
    #: with ``/claims?unreviewed=true``: how many of its candidates nobody has judged
    unreviewed: int | None = None


class ClaimPage(BaseModel):
    """A page of claims."""

    total: int
    offset: int
    limit: int
    items: list[ClaimSummary]


class Reference(BaseModel):
    """A claim's text, label and IRI."""

    iri: str
    label: str
    text: str


#: The ``status`` filter of ``/claims``: a name of :data:`~oncoclaims.graph.analysis.STATUS_NAMES`.
StatusName = Enum(  # type: ignore[misc]
    "StatusName", {name: name for name in STATUS_NAMES}, type=str)


class Status(BaseModel):
    """A confirmation status."""

    iri: str
    label: str


class SourceItem(BaseModel):
    """A source stating the claim."""

    iri: str
    title: str
    type: str | None
    type_label: str | None
    publisher: str | None
    publisher_label: str | None
    confirmatory: bool
    derived_from: list[str]
    origin: bool


class Party(BaseModel):
    """An interested party with its roles."""

    iri: str
    label: str
    roles: list[str]


class Inference(BaseModel):
    """A curated link no document states: the curator's reason and the quotes it joins."""

    subject: str
    predicate: str
    object: str
    reason: str | None
    quotes: list[str]
    document: str | None
    text: str


class EvidenceItem(BaseModel):
    """A piece of evidence and the verdict on its independence."""

    iri: str
    label: str
    relation: str
    study_type: str | None
    study_type_label: str | None
    level: str | None
    level_label: str | None
    rank: int | None
    reported_in: list[str]
    retracted: bool
    responsible_parties: list[str]
    #: ``true``, ``false`` or ``null``: independence unknown (no one who did the study is known)
    independent: bool | None
    reason: str
    #: the inferred links this verdict rests on (none: it rests on stated links only)
    inferences: list[Inference]


class Candidate(BaseModel):
    """A record of the claim's therapy found by discovery: not support until reviewed."""

    record: str
    identifiers: list[str]
    title: str | None
    kind: str | None = None
    matched_on: list[str]
    score: float
    evidence_level: str | None
    sponsors: list[str]
    funders: list[str]
    authors: list[str] = []
    independent: bool | None
    reason: str
    review: dict[str, Any] | None = None


class ReviewRequest(BaseModel):
    """A reviewer's judgement of a candidate."""

    claim: str
    record: str
    verdict: Literal["supports", "disputes", "inconclusive", "unrelated"]
    by: str


class ClaimReviewRequest(BaseModel):
    """A reviewer's judgement of one of the claim's candidates (``POST /claims/{id}/reviews``)."""

    candidate: str
    verdict: Literal["supports", "disputes", "inconclusive", "unrelated"]
    by: str


class ReviewAnswer(BaseModel):
    """The judgement recorded (or withdrawn: no verdict), and the claim's status now."""

    claim: str
    record: str
    verdict: str | None
    by: str | None
    when: str | None
    status: str


class ReviewCreated(ReviewAnswer):
    """A review recorded: its address on this server (``DELETE`` withdraws it) and its IRI."""

    review: str
    iri: str


class Report(BaseModel):
    """The confirmation report: the same shape as ``oncoclaims check --json``."""

    claim: Reference
    status: Status
    explanation: str
    sources: list[SourceItem]
    origins: list[str]
    echo_factor: float | None
    circular_reporting: bool
    interested_parties: list[Party]
    evidence: list[EvidenceItem]
    independent_confirmations: list[str]
    inferences: list[Inference]
    depth: int
    labels: dict[str, str]
    candidates: list[Candidate] = []
    #: source IRI -> the studies it reports and the voices it quotes (``oncoclaims trace``), for
    #: the sources that have any
    story_origins: dict[str, dict[str, list[dict[str, Any]]]] = {}


class Therapy(BaseModel):
    """A therapy and how many claims are about it."""

    iri: str
    label: str | None
    claims: int


class Institution(BaseModel):
    """An institution."""

    iri: str
    label: str | None
    kind: str | None
    country: str | None


class Source(BaseModel):
    """A source."""

    iri: str
    title: str | None
    type: str | None
    publisher: str | None
    date: str | None
    retracted: bool
    claims: int = 0


class TherapyPage(BaseModel):
    """A page of therapies."""

    total: int
    offset: int
    limit: int
    items: list[Therapy]


class InstitutionPage(BaseModel):
    """A page of institutions."""

    total: int
    offset: int
    limit: int
    items: list[Institution]


class SourcePage(BaseModel):
    """A page of sources."""

    total: int
    offset: int
    limit: int
    items: list[Source]


class InstitutionMetrics(BaseModel):
    """Metrics of one institution."""

    institution: str
    label: str
    claims_made: int
    share_independently_confirmed: float | None
    pagerank: float
    betweenness: float
    amplification: int


#: Seconds whole-store answers are kept on a SPARQL server, which others may write meanwhile.
REMOTE_CACHE_SECONDS = 10.0


class _Cache:
    def __init__(self, store: ClaimStore) -> None:
        self.store = store
        self.remote = is_remote(store)
        self.made = time.monotonic()

    def refresh_if(self, state: ServerState, seen: list[int]) -> _Cache:
        """A fresh cache when the store was written since this one was made (through this
        server; on a SPARQL server, also when it is older than REMOTE_CACHE_SECONDS)."""
        now = time.monotonic()
        if seen[0] != state.generation or (self.remote and now - self.made > REMOTE_CACHE_SECONDS):
            seen[0] = state.generation
            self.made = now
            for name in _CACHED:
                self.__dict__.pop(name, None)
        return self

    @cached_property
    def statuses(self) -> dict[str, str]:
        return claim_statuses(self.store)

    @cached_property
    def page_statuses(self) -> dict[str, str]:
        """Statuses of single claims, computed as pages show them (see the module docstring)."""
        return {}

    def status_of(self, iri: str) -> str:
        """One claim's status: from every claim's statuses when they were computed, else its own."""
        found = self.statuses.get(iri) if "statuses" in self.__dict__ else None
        if found is None:
            found = self.page_statuses.get(iri)
        if found is None:
            found = self.page_statuses[iri] = claim_status(self.store, iri)
        return found

    @cached_property
    def claims(self) -> list[ClaimSummary]:
        """Every claim, by IRI, without its status (``status_of`` gives it)."""
        rows: dict[str, dict[str, Any]] = {}
        for row in queries.select(self.store, "claims"):
            iri = row["claim"].value
            entry = rows.setdefault(iri, {
                "id": iri.removeprefix(_CLAIM_BASE), "iri": iri,
                "label": _value(row, "label"), "text": _value(row, "text"), "type": _value(row, "type"),
                "therapies": [], "status": None,
            })
            if "therapy" in row and row["therapy"].value not in entry["therapies"]:
                entry["therapies"].append(row["therapy"].value)
        return [ClaimSummary(**rows[iri]) for iri in sorted(rows)]

    @cached_property
    def unreviewed(self) -> dict[str, int]:
        """Claims with candidate evidence nobody has judged, and how many candidates wait."""
        return {r["claim"].value: int(r["unreviewed"].value)
                for r in queries.select(self.store, "unreviewed_candidates")}

    @cached_property
    def therapies(self) -> list[Therapy]:
        return [Therapy(iri=r["therapy"].value, label=_value(r, "label"), claims=int(r["claims"].value))
                for r in queries.select(self.store, "therapies")]

    @cached_property
    def institutions(self) -> list[Institution]:
        return [Institution(iri=r["institution"].value, label=_value(r, "label"), kind=_value(r, "kind"),
                            country=_value(r, "country"))
                for r in queries.select(self.store, "institutions")]

    @cached_property
    def sources(self) -> list[Source]:
        counts = {r["source"].value: int(r["claims"].value)
                  for r in queries.select(self.store, "source_claim_counts")}
        return [Source(iri=r["source"].value, title=_value(r, "title"), type=_value(r, "type"),
                       publisher=_value(r, "publisher"), date=_value(r, "date"),
                       retracted=_value(r, "retracted") in ("true", "1"),
                       claims=counts.get(r["source"].value, 0))
                for r in queries.select(self.store, "sources")]

    @cached_property
    def metrics(self) -> list[dict[str, Any]]:
        return institution_metrics(self.store, statuses=self.statuses)


#: Every list the cache keeps: all of them are made again after the store changes.
_CACHED = tuple(name for name, value in vars(_Cache).items() if isinstance(value, cached_property))


def _value(row: dict[str, Any], key: str) -> str | None:
    return row[key].value if key in row else None


def _matching(items: list[Any], q: str | None, text: str) -> list[Any]:
    """The items whose IRI or ``text`` field contains the words ``q`` (any case)."""
    if not q:
        return items
    words = q.lower()
    return [item for item in items
            if words in item.iri.lower() or words in (getattr(item, text) or "").lower()]


_WORDS = Query(None, description="Words the name (or title) or the IRI contains.")
_LIMIT = Query(100, ge=1, le=1000, description="How many to return.")
_OFFSET = Query(0, ge=0, description="How many to skip.")
#: Source types are ``oc:source-...`` IRIs; ``?type=`` takes the IRI or the name after it.
OC_SOURCE_TYPE = "https://w3id.org/oncoclaims/vocab#source-"


class SourceOrder(str, Enum):
    """What ``/sources`` sorts by."""

    iri = "iri"
    date = "date"
    title = "title"
    claims = "claims"


_SOURCE_TYPES = Query(None, description="Only sources of these types (e.g. news-article, press-release); repeatable.")
_SOURCE_SORT = Query(SourceOrder.iri, description="Sort by iri, date, title or claims (how many it states).")
_DESCENDING = Query(False, description="Sort in descending order.")


def create_rest_router(store: ClaimStore, state: ServerState | None = None) -> APIRouter:
    """Return the router serving the REST API over ``store``."""
    router = APIRouter()
    state = state or ServerState()
    shared = _Cache(store)
    seen = [state.generation]

    computing = threading.Lock()

    class _Current:
        def __getattr__(self, name: str) -> Any:
            current = shared.refresh_if(state, seen)
            if name in _CACHED and name not in current.__dict__:
                # one thread computes a whole-store list after a write; the others wait for it
                # instead of each computing it again (16 readers made 16 copies of the work)
                with computing:
                    return getattr(current, name)
            return getattr(current, name)

    cache = _Current()

    def claim_summaries(iris: list[str]) -> list[ClaimSummary]:
        """The claims ``iris`` as ``/claims`` lists them, in that order, with their status."""
        by_iri = {c.iri: c for c in cache.claims}
        return [by_iri[i].model_copy(update={"status": cache.status_of(i)}) for i in iris if i in by_iri]

    router.include_router(create_stories_router(store, state, claim_summaries))

    @router.get("/claims", response_model=ClaimPage, tags=["claims"], responses=_ERRORS)
    def list_claims(
        q: str | None = Query(None, description="Words the claim's text or label contains."),
        therapy: str | None = Query(None, description="A therapy IRI or name."),
        status: StatusName | None = Query(None, description="Only claims with this status."),
        limit: int = Query(50, ge=1, le=500),
        offset: int = Query(0, ge=0),
        iri: list[str] | None = Query(None, description="Only these claims (IRIs or ids); repeatable."),
        unreviewed: bool = Query(False, description="Only claims with candidate evidence nobody has judged."),
    ) -> ClaimPage:
        """Search claims by text, filter by therapy and status, page through them."""
        items = cache.claims
        if unreviewed:
            waiting = cache.unreviewed
            items = [c.model_copy(update={"unreviewed": waiting[c.iri]}) for c in items if c.iri in waiting]
        if iri:
            wanted_iris = {i if i.startswith(("http://", "https://")) else _CLAIM_BASE + i for i in iri}
            items = [c for c in items if c.iri in wanted_iris]
        if q:
            words = q.lower()
            items = [c for c in items if words in (c.text or "").lower() or words in (c.label or "").lower()]
        if therapy:
            wanted = therapy.lower()
            items = [c for c in items if any(wanted == t.lower() or t.lower().endswith("/" + wanted) for t in c.therapies)
                     or wanted in (c.label or "").lower()]
        if status:
            wanted_status = STATUS_PREFIX + status.value
            statuses = cache.statuses  # every claim's: seconds to minutes on a large store, once
            items = [c for c in items if statuses.get(c.iri) == wanted_status]
        page = [c.model_copy(update={"status": cache.status_of(c.iri)})
                for c in items[offset : offset + limit]]
        return ClaimPage(total=len(items), offset=offset, limit=limit, items=page)

    @router.get("/claims/{claim_id:path}", response_model=Report, tags=["claims"], responses=_ERRORS)
    def claim_report(claim_id: str, depth: int = Query(3, ge=0, le=4)) -> Any:
        """The confirmation report of one claim (its id, or its full IRI)."""
        iri = claim_id if claim_id.startswith(("http://", "https://")) else _CLAIM_BASE + claim_id
        try:
            return confirmation_report(store, iri, depth=depth).to_dict()
        except NotFoundError as exc:
            return error_response(404, "Claim not found", str(exc))
        except ConfigError as exc:
            return error_response(422, "Invalid request", str(exc))

    @router.post("/reviews", response_model=ReviewAnswer, tags=["claims"], responses=_ERRORS)
    def post_review(body: ReviewRequest, request: Request) -> Any:
        """Judge a candidate (with the write token): supports, disputes, inconclusive or unrelated,
        recorded with the reviewer and the time in a graph of its own; the claim's status follows."""
        return _review(request, body.claim, body.record, body.verdict, body.by)

    @router.delete("/reviews", response_model=ReviewAnswer, tags=["claims"], responses=_ERRORS)
    def delete_review(request: Request, claim: str = Query(...), record: str = Query(...)) -> Any:
        """Withdraw a review (with the write token); the claim's status is recomputed."""
        return _review(request, claim, record, None, "")

    @router.post("/claims/{claim_id:path}/reviews", status_code=201, response_model=ReviewCreated,
                 tags=["claims"], responses={**_ERRORS, 401: {"model": ErrorResponse}, 403: {"model": ErrorResponse}})
    def post_claim_review(claim_id: str, body: ClaimReviewRequest, request: Request) -> Any:
        """Judge one of the claim's candidates (with the write token); answers 201 with the review's
        address (``DELETE`` on it withdraws the review) and the claim's status now."""
        answer = _review(request, _claim_iri(claim_id), body.candidate, body.verdict, body.by)
        if not isinstance(answer, ReviewAnswer):
            return answer
        review_id = mint_iri("judgement", answer.claim, answer.record).value.rsplit("/", 1)[1]
        path = f"/claims/{answer.claim.removeprefix(_CLAIM_BASE)}/reviews/{review_id}"
        created = ReviewCreated(review=path, iri=mint_iri("judgement", answer.claim, answer.record).value,
                                **answer.model_dump())
        return JSONResponse(created.model_dump(), status_code=201, headers={"Location": path})

    @router.delete("/claims/{claim_id:path}/reviews/{review_id}", response_model=ReviewAnswer, tags=["claims"],
                   responses={**_ERRORS, 401: {"model": ErrorResponse}, 403: {"model": ErrorResponse}})
    def delete_claim_review(claim_id: str, review_id: str, request: Request) -> Any:
        """Withdraw a review (with the write token) by the address its ``POST`` answered."""
        refusal = write_refusal(state, request)
        if refusal is not None:
            return refusal
        node = ID_BASE + "judgement/" + review_id
        try:
            records = [q.object.value for q in backend_of(store).quads(
                NamedNode(node), OC.candidateRecord, None, None)]
        except ValueError:
            records = []
        if not records:
            return error_response(404, "No review", f"no review {review_id} of this claim to withdraw")
        return _review(request, _claim_iri(claim_id), records[0], None, "")

    def _claim_iri(claim_id: str) -> str:
        return claim_id if claim_id.startswith(("http://", "https://")) else _CLAIM_BASE + claim_id

    def _review(request: Request, claim: str, record: str, verdict: str | None, by: str) -> Any:
        refusal = write_refusal(state, request)
        if refusal is not None:
            return refusal
        try:
            iri = find_claim(store, claim)
            target = resolve_record(store, record)
            with state.write_lock:  # the server's single writer
                if verdict is None:
                    if not withdraw_review(store, iri, target):
                        return error_response(404, "No review", f"no review of {target} for {iri} to withdraw")
                    judgement = None
                else:
                    judgement = review_candidate(store, iri, target, verdict, by=by)
                state.generation += 1  # cached statuses are stale now
        except NotFoundError as exc:
            return error_response(404, "Not found", str(exc))
        except ReviewError as exc:
            return error_response(422, "Invalid review", str(exc))
        return ReviewAnswer(claim=iri, record=target, verdict=judgement.verdict if judgement else None,
                            by=judgement.by if judgement else None, when=judgement.when if judgement else None,
                            status=claim_status(store, iri))

    @router.get("/therapies", response_model=TherapyPage, tags=["graph"], responses=_ERRORS)
    def therapies(q: str | None = _WORDS, limit: int = _LIMIT, offset: int = _OFFSET) -> TherapyPage:
        """Therapies, with how many claims are about each, page by page."""
        items = _matching(cache.therapies, q, "label")
        return TherapyPage(total=len(items), offset=offset, limit=limit, items=items[offset:offset + limit])

    @router.get("/institutions", response_model=InstitutionPage, tags=["graph"], responses=_ERRORS)
    def institutions(q: str | None = _WORDS, limit: int = _LIMIT, offset: int = _OFFSET) -> InstitutionPage:
        """Institutions, page by page."""
        items = _matching(cache.institutions, q, "label")
        return InstitutionPage(total=len(items), offset=offset, limit=limit, items=items[offset:offset + limit])

    @router.get("/sources", response_model=SourcePage, tags=["graph"], responses=_ERRORS)
    def sources(q: str | None = _WORDS, limit: int = _LIMIT, offset: int = _OFFSET,
                type: list[str] | None = _SOURCE_TYPES,  # noqa: A002 (the parameter's public name)
                sort: SourceOrder = _SOURCE_SORT, descending: bool = _DESCENDING) -> SourcePage:
        """Sources, page by page: filtered by words and type, sorted by IRI, date, title or claims."""
        items = _matching(cache.sources, q, "title")
        if type:
            wanted = {t.removeprefix(OC_SOURCE_TYPE) for t in type}
            items = [s for s in items if (s.type or "").removeprefix(OC_SOURCE_TYPE) in wanted]
        if sort is not SourceOrder.iri or descending:
            # sources without the value sort last either way
            present = [s for s in items if getattr(s, sort.value) is not None]
            absent = [s for s in items if getattr(s, sort.value) is None]
            items = sorted(present, key=lambda s: (getattr(s, sort.value), s.iri), reverse=descending) + absent
        return SourcePage(total=len(items), offset=offset, limit=limit, items=items[offset:offset + limit])

    @router.get("/metrics", response_model=list[InstitutionMetrics], tags=["graph"])
    def metrics() -> list[dict[str, Any]]:
        """Per-institution metrics: claims made, share confirmed, PageRank, betweenness, amplification."""
        return cache.metrics

    return router

