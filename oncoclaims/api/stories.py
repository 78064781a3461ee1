"""``POST /stories``: a story comes in through the server, not the command line;
``GET /stories/{id}``: a story's text with its claims at their spans.

A story arrives in one of three ways, each answered ``201`` with the source it became and
the claims it states (as ``/claims`` lists them):

- a file upload (``multipart/form-data``, the file in the part named ``file``, optionally a
  ``format`` field): any format ``oncoclaims ingest`` reads;
- pasted text, as JSON ``{"text", "title", "publisher", "date"}`` (only ``text`` required):
  ingested as the ``news-submission-json`` format, so that the same object is also a file the
  command line reads;
- a URL, as JSON ``{"url"}``: fetched by the server under the protections of
  :mod:`oncoclaims.ingest.url_fetch` (public addresses only, checked before every request and
  redirect, a size cap, a time limit, no cookies, story media types only).

Writes need the update token, as SPARQL updates do (:mod:`oncoclaims.api.write_access`). The
ingest runs in a thread under the server's single writer lock (``ServerState.write_lock``),
so reads keep being served while a story is processed, and it is one batch: written whole or
not at all. The story's claims then get their candidate evidence (:mod:`oncoclaims.discover`),
so the desk can judge it at once. Bodies are capped at :data:`MAX_SUBMISSION_BYTES`.

A long submission (a large file, a slow page) can run in the background:
``POST /stories?background=true`` answers ``202`` at once with a job, and
``GET /stories/jobs/{job}`` tells its stage (fetching, ingesting, finding candidate evidence,
listing claims), how many
records it has read, and finally the same result as the ``201`` answer, or the error in the
one error shape. The desk in the web view submits this way and shows the progress.
"""

from __future__ import annotations

import json
import logging
import os
import secrets
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import Headers, UploadFile
from starlette.formparsers import MultiPartException, MultiPartParser

from oncoclaims import queries
from oncoclaims.api.backend_access import backend_of
from oncoclaims.api.errors import ErrorResponse, error_response
from oncoclaims.api.state import ServerState
from oncoclaims.api.write_access import BodyTooLarge, read_limited_body, too_large, write_refusal
from oncoclaims.discover.candidates import discover_claims
from oncoclaims.discover.report import candidate_entries
from oncoclaims.errors import FetchError, IngestError, NotFoundError
from oncoclaims.graph.origins import story_origin
from oncoclaims.graph.store import ClaimStore
from oncoclaims.graph.story import story_view
from oncoclaims.ingest import ingest_bytes
from oncoclaims.ingest.base import SourceRecord
from oncoclaims.ingest.news import SUBMISSION_KEYS
from oncoclaims.ingest.url_fetch import UnsafeURLError, fetch_public_url
from oncoclaims.trace_store import update_study_groups
from oncoclaims.vocab import ID_BASE, OC

__all__ = ["MAX_SUBMISSION_BYTES", "StoryJob", "StoryPage", "StorySubmitted", "create_stories_router",
           "loopback_fetch_allowed"]

#: Request bodies of ``POST /stories`` larger than this are refused with 413 (16 MiB).
MAX_SUBMISSION_BYTES = 16 * 1024 * 1024

_SOURCE_BASE = ID_BASE + "source/"
_CLAIM_BASE = ID_BASE + "claim/"
_PASTED_KEYS = SUBMISSION_KEYS - {"url", "type"}
_ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorResponse} for code in (400, 401, 403, 413, 415, 422, 502)}
_REQUEST_BODY = {
    "required": True,
    "content": {
        "multipart/form-data": {"schema": {
            "type": "object", "required": ["file"],
            "properties": {"file": {"type": "string", "format": "binary"},
                           "format": {"type": "string", "description": "an ingest format name"}}}},
        "application/json": {"schema": {"oneOf": [
            {"type": "object", "required": ["text"], "additionalProperties": False,
             "properties": {"text": {"type": "string"}, "title": {"type": "string"},
                            "publisher": {"type": "string"},
                            "date": {"type": "string", "format": "date"}}},
            {"type": "object", "required": ["url"], "additionalProperties": False,
             "properties": {"url": {"type": "string", "format": "uri"}}}]}},
    },
}


class StorySubmitted(BaseModel):
    """What a submitted story became: its source and the claims it states."""

    source: str | None
    format: str
    quads_added: int
    warnings: list[str]
    claims: list[dict[str, Any]]


class _Refused(Exception):
    def __init__(self, response: JSONResponse) -> None:
        self.response = response


def loopback_fetch_allowed() -> bool:
    """Whether ``$ONCOCLAIMS_FETCH_ALLOW_LOOPBACK`` lets URL submissions reach 127.0.0.1 (tests only)."""
    return os.environ.get("ONCOCLAIMS_FETCH_ALLOW_LOOPBACK", "") == "1"


async def _form_input(body: bytes, content_type: str) -> tuple[bytes, str, str | None]:
    async def single() -> Any:
        yield body

    parser = MultiPartParser(Headers(raw=[(b"content-type", content_type.encode("latin-1"))]), single())
    try:
        form = await parser.parse()
    except MultiPartException as exc:
        raise _Refused(error_response(400, "Malformed multipart body", exc.message)) from exc
    upload = form.get("file")
    if not isinstance(upload, UploadFile):
        raise _Refused(error_response(400, "No file", "send the story as a file part named 'file'"))
    fmt = form.get("format")
    name = PurePosixPath((upload.filename or "upload").replace("\\", "/")).name or "upload"
    return await upload.read(), name, fmt if isinstance(fmt, str) and fmt else None


def _json_input(body: bytes) -> tuple[bytes, str, str | None] | str:
    """The pasted story as ``news-submission-json`` bytes, or the URL to fetch."""
    try:
        value = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        raise _Refused(error_response(400, "Invalid JSON", f"the body is not JSON: {exc}")) from exc
    if not isinstance(value, dict):
        raise _Refused(error_response(422, "Invalid request", "send a JSON object: {\"text\": ...} or {\"url\": ...}"))
    if "url" in value:
        if set(value) != {"url"} or not isinstance(value["url"], str):
            raise _Refused(error_response(422, "Invalid request", "a URL submission is {\"url\": \"https://...\"} alone"))
        return value["url"]
    unknown = sorted(set(value) - _PASTED_KEYS)
    if unknown or not isinstance(value.get("text"), str) or not value["text"].strip():
        detail = (f"unknown key(s) {', '.join(unknown)}; " if unknown else "") + \
            "pasted text is {\"text\", \"title\", \"publisher\", \"date\"} with a non-empty text"
        raise _Refused(error_response(422, "Invalid request", detail))
    return json.dumps(value).encode("utf-8"), "submitted story", "news-submission-json"


@dataclass(frozen=True, slots=True)
class _Submission:
    """What a request submits: the bytes with their name and format, or a URL still to fetch."""

    data: bytes = b""
    origin: str = ""
    fmt: str | None = None
    url: str | None = None


async def _submission(body: bytes, content_type: str) -> _Submission:
    media = content_type.split(";", 1)[0].strip().lower()
    if media == "multipart/form-data":
        data, origin, fmt = await _form_input(body, content_type)
        return _Submission(data, origin, fmt)
    if media == "application/json":
        parsed = _json_input(body)
        return _Submission(url=parsed) if isinstance(parsed, str) else _Submission(*parsed)
    raise _Refused(error_response(415, "Unsupported media type",
                                  "send multipart/form-data with a file, or JSON with text or url"))


def _error_answer(exc: FetchError | IngestError) -> JSONResponse:
    """The answer to a submission that failed: nothing of it was written."""
    if isinstance(exc, UnsafeURLError):
        return error_response(400, "URL refused", str(exc))
    if isinstance(exc, FetchError):
        return error_response(502, "The URL could not be fetched", str(exc))
    return error_response(400, "The story could not be ingested", f"{exc}; nothing was written")


def _ingest(store: ClaimStore, state: ServerState, data: bytes, origin: str, fmt: str | None,
            on_record: Callable[[SourceRecord], None] | None = None) -> tuple[Any, list[SourceRecord]]:
    records: list[SourceRecord] = []

    def noted(record: SourceRecord) -> None:
        records.append(record)
        if on_record is not None:
            on_record(record)

    with state.write_lock:
        report = ingest_bytes(data, origin, store, fmt=fmt, on_record=noted)
        if report.format.startswith("news-") and report.quads_added:
            # the new story may report a study other stories report
            update_study_groups(store, [q.subject.value for r in records
                                        for q in store.quads(None, OC.sourceType, None, r.graph)])
        state.generation += 1
    return report, records


class StoryJob(BaseModel):
    """A submission processed in the background (``POST /stories?background=true``)."""

    job: str
    state: str
    stage: str
    records: int
    result: StorySubmitted | None = None
    error: dict[str, Any] | None = None


#: Finished jobs kept for ``GET /stories/jobs/{job}``.
_JOBS_KEPT = 100


class _Job:
    def __init__(self) -> None:
        self.id = secrets.token_urlsafe(12)
        self.state = "running"
        self.stage = "queued"
        self.records = 0
        self.result: StorySubmitted | None = None
        self.error: dict[str, Any] | None = None

    def count_record(self, _: SourceRecord) -> None:
        self.records += 1

    def view(self) -> StoryJob:
        return StoryJob(job=self.id, state=self.state, stage=self.stage, records=self.records,
                        result=self.result, error=self.error)


class _Jobs:
    """The background submissions: each runs on a thread of its own (the write lock orders them)."""

    def __init__(self) -> None:
        self._jobs: OrderedDict[str, _Job] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, job_id: str) -> _Job | None:
        with self._lock:
            return self._jobs.get(job_id)

    def start(self, work: Callable[[_Job], StorySubmitted]) -> _Job:
        job = _Job()
        with self._lock:
            self._jobs[job.id] = job
            finished = [j for j in self._jobs.values() if j.state != "running"]
            for old in finished[: max(0, len(finished) - _JOBS_KEPT)]:
                del self._jobs[old.id]

        def run() -> None:
            try:
                job.result = work(job)
                job.state, job.stage = "done", "done"
            except (FetchError, IngestError) as exc:
                job.error = json.loads(_error_answer(exc).body)["error"]
                job.state = "failed"
            except Exception as exc:  # a crash must still end the job, with nothing half-written
                logging.getLogger(__name__).exception("background submission %s failed", job.id)
                job.error = {"status": 500, "title": "Internal error",
                             "detail": f"an unexpected {type(exc).__name__}; the server log has the details"}
                job.state = "failed"

        threading.Thread(target=run, name=f"story-job-{job.id}", daemon=True).start()
        return job


def _story_claims(store: ClaimStore, records: list[SourceRecord]) -> tuple[str | None, list[str]]:
    """The first source the batch's records wrote, and the claims its sources state, in text order."""
    sources = [q.subject for r in records
               for q in backend_of(store).quads(None, OC.sourceType, None, r.graph)]
    claims: list[str] = []
    for source in dict.fromkeys(sources):
        claims.extend(row["claim"].value for row in queries.select(store, "source_statements", source=source))
    return (sources[0].value if sources else None), list(dict.fromkeys(claims))


class StoryClaimItem(BaseModel):
    """A claim of the story: where the story states it, its markers and its status."""

    iri: str
    id: str
    label: str | None
    status: str | None
    spans: list[list[int]]
    exact: list[str]
    hedges: list[str]
    hype: list[str]
    #: the best three candidates (as ``/claims/{id}`` lists them) and how many there are
    candidates: list[dict[str, Any]]
    candidate_count: int


class StoryPage(BaseModel):
    """A story's metadata, full text and claims (``GET /stories/{id}``)."""

    source: str
    title: str | None
    type: str | None
    publisher: str | None
    publisher_label: str | None
    date: str | None
    url: str | None
    text: str | None
    claims: list[StoryClaimItem]
    studies: list[dict[str, Any]]
    voices: list[dict[str, Any]]
    same_study: list[dict[str, Any]]


def create_stories_router(store: ClaimStore, state: ServerState, claim_summaries: Any) -> APIRouter:
    """The ``/stories`` routes; ``claim_summaries(iris)`` lists claims as ``/claims`` does."""
    router = APIRouter()
    jobs = _Jobs()

    def process(submission: _Submission, job: _Job | None = None) -> StorySubmitted:
        """Fetch (for a URL), ingest and list the claims; raises the errors :func:`_error_answer` maps."""
        data, origin, fmt = submission.data, submission.origin, submission.fmt
        if submission.url is not None:
            if job is not None:
                job.stage = "fetching"
            page = fetch_public_url(submission.url, allow_loopback=loopback_fetch_allowed())
            data, origin, fmt = page.body, page.final_url, None
        if job is not None:
            job.stage = "ingesting"
        report, records = _ingest(store, state, data, origin, fmt,
                                  on_record=None if job is None else job.count_record)
        source, claim_iris = _story_claims(store, records)
        if claim_iris:
            if job is not None:
                job.stage = "finding candidate evidence"
            with state.write_lock:  # the claims' candidates, as `oncoclaims discover` finds them
                discover_claims(store, claim_iris)
                state.generation += 1
        if job is not None:
            job.stage = "listing claims"
        claims = [c.model_dump() for c in claim_summaries(claim_iris)]
        return StorySubmitted(source=source, format=report.format, quads_added=report.quads_added,
                              warnings=report.warnings, claims=claims)

    @router.post("/stories", status_code=201, response_model=StorySubmitted, tags=["stories"],
                 responses={**_ERRORS, 202: {"model": StoryJob}}, openapi_extra={"requestBody": _REQUEST_BODY})
    async def submit_story(request: Request, background: bool = Query(  # noqa: B008
            False, description="Answer 202 at once with a job to follow (GET /stories/jobs/{job})."),
    ) -> Any:
        """Submit a story (file, pasted text or URL); answers its source and claims."""
        refusal = write_refusal(state, request)
        if refusal is not None:
            return refusal
        try:
            body = await read_limited_body(request, MAX_SUBMISSION_BYTES)
        except BodyTooLarge:
            return too_large(MAX_SUBMISSION_BYTES)
        try:
            submission = await _submission(body, request.headers.get("content-type", ""))
        except _Refused as refused:
            return refused.response
        if background:
            job = jobs.start(lambda job: process(submission, job))
            return JSONResponse(job.view().model_dump(), status_code=202,
                                headers={"Location": f"/stories/jobs/{job.id}"})
        try:
            result = await run_in_threadpool(process, submission)
        except (FetchError, IngestError) as exc:
            return _error_answer(exc)
        return JSONResponse(result.model_dump(), status_code=201)

    @router.get("/stories/jobs/{job_id}", response_model=StoryJob, tags=["stories"],
                responses={404: {"model": ErrorResponse}})
    def story_job(job_id: str) -> Any:
        """How a submission made with ``?background=true`` is going: its stage, records read, result or error."""
        job = jobs.get(job_id)
        if job is None:
            return error_response(404, "Not found", f"no submission job {job_id} (jobs are kept for the last {_JOBS_KEPT})")
        return job.view()

    @router.get("/stories/{source_id:path}", response_model=StoryPage, tags=["stories"],
                responses={404: {"model": ErrorResponse}})
    def story(source_id: str) -> Any:
        """A story (its source id, or full IRI): text, and its claims at their spans with their status."""
        iri = source_id if source_id.startswith(("http://", "https://")) else _SOURCE_BASE + source_id
        try:
            view = story_view(store, iri).to_dict()
        except NotFoundError as exc:
            return error_response(404, "Not found", str(exc))
        statuses = {c.iri: c.status for c in claim_summaries([c["iri"] for c in view["claims"]])}
        for claim in view["claims"]:
            claim["id"] = claim["iri"].removeprefix(_CLAIM_BASE)
            claim["status"] = statuses.get(claim["iri"])
            claim["candidates"], claim["candidate_count"] = candidate_entries(store, claim["iri"], limit=3)
        view.update(story_origin(store, iri))
        return view

    return router
