"""Live fetch: ClinicalTrials.gov API v2, NCBI E-utilities (PubMed), Crossref and openFDA.

Each fetch asks a public API for raw records, keeps every response body in a cache
directory, and hands the bytes to :func:`oncoclaims.ingest.ingest_bytes`: the same
path, checks and atomic batches as a file on disk. A cached response is used again
instead of asking the network, so a fetch can be replayed offline.

Politeness, as each service documents it:

- ClinicalTrials.gov API v2: ``GET /api/v2/studies/{nct}`` and ``/api/v2/studies``
  with ``query.term``, ``pageSize`` and ``pageToken``.
- NCBI E-utilities: at most 3 requests a second, 10 with an API key
  (``$NCBI_API_KEY``); ``esearch`` then ``efetch`` with ``retmode=xml``; ``tool`` and
  ``email`` name the caller.
- Crossref REST API: ``GET /works/{doi}`` with a ``mailto`` contact (the "polite pool").
- openFDA (``/drug/drugsfda.json``, ``/drug/label.json``): ``search``, ``limit`` and
  ``skip``; 240 requests a minute (one every 0.25 s), an API key (``$OPENFDA_API_KEY``)
  raises the daily cap; a search that matches nothing answers HTTP 404 with the error
  code ``NOT_FOUND``, which is no failure: that name has no records.

Failures are retried with exponential backoff: HTTP 429 (honouring ``Retry-After``),
5xx and connection errors, up to ``retries`` times; then :class:`FetchError` says which
URL failed, how, and what to try.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

import httpx

from oncoclaims import __version__
from oncoclaims.errors import FetchError

__all__ = [
    "CROSSREF_URL",
    "CTGOV_URL",
    "EUTILS_URL",
    "OPENFDA_ENDPOINTS",
    "OPENFDA_URL",
    "FetchClient",
    "FetchedDocument",
    "default_cache_dir",
    "fetch_crossref",
    "fetch_ctgov",
    "fetch_openfda",
    "fetch_pubmed",
    "openfda_search",
]

CTGOV_URL = "https://clinicaltrials.gov/api/v2"
EUTILS_URL = "https://eutils.ncbi.nlm.nih.gov/entrez/eutils"
CROSSREF_URL = "https://api.crossref.org"
OPENFDA_URL = "https://api.fda.gov"
#: openFDA endpoint name -> path: Drugs@FDA applications and drug labels.
OPENFDA_ENDPOINTS = {"drugsfda": "/drug/drugsfda.json", "label": "/drug/label.json"}
#: openFDA's rate limit: 240 requests a minute.
OPENFDA_INTERVAL = 0.25
#: The longest name an openFDA search is made of.
_MAX_NAME = 200

#: Statuses worth asking again: rate limiting and server trouble.
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})

_NCT = re.compile(r"NCT\d{8}")
_PMID = re.compile(r"[1-9]\d{0,9}")
_DOI = re.compile(r"10\.\d{4,9}/\S+")
_DOI_URL = re.compile(r"^(?:https?://(?:dx\.)?doi\.org/|doi:)", re.IGNORECASE)


def _checked(values: Iterable[str], pattern: re.Pattern[str], what: str) -> list[str]:
    """``values`` stripped of surrounding spaces, each one a full match of ``pattern``.

    :raises FetchError: naming every value that is not ``what``, before any request is sent.
    """
    cleaned = [value.strip() for value in values]
    bad = [value for value in cleaned if not pattern.fullmatch(value)]
    if bad:
        named = ", ".join(repr(value) for value in bad)
        raise FetchError(f"not {what}: {named}; nothing was fetched")
    return cleaned


def default_cache_dir() -> Path:
    """Where raw responses are kept: ``$ONCOCLAIMS_CACHE``, else the XDG cache directory."""
    if configured := os.environ.get("ONCOCLAIMS_CACHE"):
        return Path(configured)
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "oncoclaims" / "http"


@dataclass(frozen=True, slots=True)
class FetchedDocument:
    """One raw response body, named by the request that gave it."""

    origin: str
    data: bytes
    from_cache: bool
    status: int = 200


@dataclass
class FetchClient:
    """An HTTP client with a response cache, retries with backoff and a request rate cap.

    :param cache_dir: where response bodies are kept; ``None`` keeps nothing.
    :param retries: how many times a failed request is tried again.
    :param backoff: seconds before the first retry; doubled each time.
    :param min_interval: seconds between two requests (E-utilities: 1/3 s, 0.1 s with a key).
    :param sleep: the sleep function (tests pass one that does not wait).
    """

    cache_dir: Path | None = field(default_factory=default_cache_dir)
    retries: int = 4
    backoff: float = 0.5
    min_interval: float = 0.0
    timeout: float = 30.0
    contact: str | None = None
    sleep: Callable[[float], None] = time.sleep
    _last_request: float = field(default=0.0, init=False, repr=False)

    def get(
        self, url: str, params: dict[str, str] | None = None, *, cache: bool = True, not_found: bool = False
    ) -> FetchedDocument:
        """GET ``url`` with ``params``: from the cache if it is there, else from the network.

        :param not_found: hand back a 404 answer (``status`` 404, never cached) instead of
            raising: for a service that answers a search without matches so (openFDA).
        :raises FetchError: when every try failed or the answer is a client error.
        """
        request = httpx.Request("GET", url, params=params)
        origin = str(request.url)
        cached = self._cache_path(origin) if cache else None
        if cached is not None and cached.is_file():
            return FetchedDocument(origin, cached.read_bytes(), from_cache=True)
        status, data = self._send(request, not_found)
        if status != 200:
            return FetchedDocument(origin, data, from_cache=False, status=status)
        if cached is not None:
            cached.parent.mkdir(parents=True, exist_ok=True)
            partial = cached.with_suffix(".part")
            partial.write_bytes(data)
            partial.replace(cached)
        return FetchedDocument(origin, data, from_cache=False)

    def _cache_path(self, origin: str) -> Path | None:
        if self.cache_dir is None:
            return None
        digest = hashlib.sha256(origin.encode()).hexdigest()
        return self.cache_dir / digest[:2] / f"{digest}.body"

    def _headers(self) -> dict[str, str]:
        agent = f"oncoclaims/{__version__}"
        if self.contact:
            agent += f" (mailto:{self.contact})"
        return {"User-Agent": agent}

    def _send(self, request: httpx.Request, not_found: bool = False) -> tuple[int, bytes]:
        delay = self.backoff
        problem = ""
        with httpx.Client(timeout=self.timeout, headers=self._headers(), follow_redirects=True) as client:
            for attempt in range(self.retries + 1):
                if attempt:
                    self.sleep(delay)
                    delay *= 2
                self._respect_interval()
                try:
                    response = client.send(request)
                except httpx.HTTPError as exc:
                    problem = f"{type(exc).__name__}: {exc}"
                    continue
                if response.status_code == 200 or (not_found and response.status_code == 404):
                    return response.status_code, response.content
                problem = f"HTTP {response.status_code}"
                if response.status_code not in RETRY_STATUSES:
                    raise FetchError(
                        f"{request.url}: the service answered {problem}: "
                        f"{response.text[:200].strip()}; check the identifier or query"
                    )
                if retry_after := _retry_after(response):
                    delay = max(delay, retry_after)
        if problem.startswith("ConnectError"):
            raise FetchError(
                f"{request.url}: cannot connect to {request.url.host} after {self.retries + 1} "
                f"tries (last: {problem}); check the network connection (and proxy settings), "
                "then try again"
            )
        raise FetchError(
            f"{request.url}: gave up after {self.retries + 1} tries (last: {problem}); "
            "the service may be down or rate-limiting: try again later"
        )

    def _respect_interval(self) -> None:
        if self.min_interval:
            wait = self._last_request + self.min_interval - time.monotonic()
            if wait > 0:
                self.sleep(wait)
        self._last_request = time.monotonic()


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("Retry-After", "")
    try:
        return min(float(value), 60.0)
    except ValueError:
        return None


def fetch_ctgov(
    client: FetchClient,
    nct_ids: Iterable[str] = (),
    *,
    query: str | None = None,
    limit: int = 100,
    base_url: str = CTGOV_URL,
    intervention: str | None = None,
) -> list[FetchedDocument]:
    """Studies from ClinicalTrials.gov API v2: by NCT id, or every page of a search.

    :param limit: the most studies a search returns (pages of up to 100).
    :param intervention: search by intervention name (``query.intr``) instead of ``query``'s
        full text (``query.term``).
    """
    ids = _checked((nct.strip().upper() for nct in nct_ids), _NCT,
                   "a ClinicalTrials.gov number (NCT and 8 digits)")
    documents = [client.get(f"{base_url}/studies/{quote(nct)}") for nct in ids]
    if query or intervention:
        token: str | None = None
        fetched = 0
        field, words = ("query.intr", intervention) if intervention else ("query.term", query)
        while fetched < limit:
            params = {field: words or "", "pageSize": str(min(100, limit - fetched)), "format": "json"}
            if token:
                params["pageToken"] = token
            page = client.get(f"{base_url}/studies", params)
            documents.append(page)
            body = _json(page)
            fetched += len(body.get("studies", []))
            token = body.get("nextPageToken")
            if not token or not body.get("studies"):
                break
    return documents


def fetch_pubmed(
    client: FetchClient,
    pmids: Iterable[str] = (),
    *,
    query: str | None = None,
    limit: int = 100,
    api_key: str | None = None,
    base_url: str = EUTILS_URL,
) -> list[FetchedDocument]:
    """PubMed XML from NCBI E-utilities: ``efetch`` by PMID, after ``esearch`` for a query."""
    api_key = api_key or os.environ.get("NCBI_API_KEY")
    client.min_interval = max(client.min_interval, 0.1 if api_key else 0.34)
    common = {"tool": "oncoclaims"}
    if client.contact:
        common["email"] = client.contact
    if api_key:
        common["api_key"] = api_key
    ids = _checked(pmids, _PMID, "a PMID (digits)")
    if query:
        params = {**common, "db": "pubmed", "term": query, "retmax": str(limit), "retmode": "json"}
        found = _json(client.get(f"{base_url}/esearch.fcgi", params, cache=False))
        ids += found.get("esearchresult", {}).get("idlist", [])
    documents = []
    for start in range(0, len(ids), 200):
        batch = ",".join(ids[start : start + 200])
        params = {**common, "db": "pubmed", "id": batch, "retmode": "xml"}
        documents.append(client.get(f"{base_url}/efetch.fcgi", params))
    return documents


def fetch_crossref(
    client: FetchClient, dois: Iterable[str], *, base_url: str = CROSSREF_URL
) -> list[FetchedDocument]:
    """Crossref ``/works/{doi}`` records, asked from the polite pool when a contact is set."""
    params = {"mailto": client.contact} if client.contact else None
    bare = (_DOI_URL.sub("", doi.strip()) for doi in dois)  # a doi.org URL names its DOI
    checked = _checked(bare, _DOI, "a DOI (10.NNNN/...)")
    return [client.get(f"{base_url}/works/{quote(doi, safe='/')}", params) for doi in checked]


def openfda_search(name: str, endpoint: str) -> str:
    """The openFDA ``search`` for records naming ``name`` as a brand or generic name.

    Spelled as the requests of the captured answers in ``tests/data/openfda`` are: the
    openFDA brand and generic names, and for Drugs@FDA the products' brand names too.
    Quotes and backslashes in the name are dropped: a name is one phrase, never syntax.

    >>> openfda_search('Keytruda', "label")
    'openfda.generic_name:"Keytruda" OR openfda.brand_name:"Keytruda"'
    """
    phrase = " ".join(re.sub(r'["\\]', " ", name).split())
    fields = ["openfda.generic_name", "openfda.brand_name"]
    if endpoint == "drugsfda":
        fields.append("products.brand_name")
    return " OR ".join(f'{field}:"{phrase}"' for field in fields)


def fetch_openfda(
    client: FetchClient,
    names: Iterable[str],
    *,
    endpoint: str,
    limit: int = 100,
    api_key: str | None = None,
    base_url: str = OPENFDA_URL,
) -> list[FetchedDocument]:
    """openFDA answers for each of ``names`` from ``endpoint`` (``drugsfda`` or ``label``),
    every page up to ``limit`` results a name; a name without records gives no answer.

    :raises FetchError: for an unknown endpoint or a name that is empty or too long
        (before any request), and for a service that fails.
    """
    if endpoint not in OPENFDA_ENDPOINTS:
        raise FetchError(f"unknown openFDA endpoint {endpoint!r}; use one of {', '.join(OPENFDA_ENDPOINTS)}")
    phrases = [" ".join(name.split()) for name in names]
    bad = [name for name in phrases if not name.strip('"\\ ') or len(name) > _MAX_NAME]
    if bad:
        raise FetchError(f"not a drug name to search openFDA for: {', '.join(map(repr, bad))}; nothing was fetched")
    client.min_interval = max(client.min_interval, OPENFDA_INTERVAL)
    api_key = api_key or os.environ.get("OPENFDA_API_KEY")
    documents = []
    for name in dict.fromkeys(phrases):
        skip = 0
        while skip < limit:
            size = min(100, limit - skip)
            params = {"search": openfda_search(name, endpoint), "limit": str(size)}
            if endpoint == "drugsfda" or skip:
                params["skip"] = str(skip)
            if endpoint == "label":
                params["sort"] = "effective_time:desc"
            if api_key:
                params["api_key"] = api_key
            page = client.get(base_url + OPENFDA_ENDPOINTS[endpoint], params, not_found=True)
            if page.status == 404:
                error = _json(page).get("error")
                if isinstance(error, dict) and error.get("code") == "NOT_FOUND":
                    break  # no record names it
                raise FetchError(f"{page.origin}: the service answered HTTP 404 without openFDA's NOT_FOUND "
                                 "code: is the address right?")
            documents.append(page)
            body = _json(page)
            results = body.get("results") if isinstance(body.get("results"), list) else []
            meta = body.get("meta") if isinstance(body.get("meta"), dict) else {}
            paging = meta.get("results") if isinstance(meta.get("results"), dict) else {}
            total = paging.get("total")
            skip += size
            # a page shorter than asked for is the last one
            if len(results) < size or not isinstance(total, int) or skip >= total:
                break
    return documents


def _json(document: FetchedDocument) -> dict:
    try:
        body = json.loads(document.data)
    except ValueError as exc:
        raise FetchError(f"{document.origin}: the answer is not JSON ({exc})") from exc
    if not isinstance(body, dict):
        raise FetchError(f"{document.origin}: expected a JSON object, got {type(body).__name__}")
    return body
