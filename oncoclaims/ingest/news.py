"""News articles and press releases: plain text, HTML pages, and FakeHealth JSON.

Each input is one article. Its text becomes an ``oc:Source`` (with ``schema:text``, so
every span resolves), and :func:`oncoclaims.extract.extract_claims` finds the claims it
makes; everything goes to one named graph per article, minted from the text's hash, so
ingesting the same article twice changes nothing.

- ``news-html``: the main text and metadata come from trafilatura; JSON-LD
  ``NewsArticle`` and ``<meta>`` tags (read with lxml, network off) take precedence for
  title, author, publisher, date and language. Scripts are never run or fetched.
- ``news-fakehealth-json``: the newspaper3k scrapes of the FakeHealth data set (keys
  ``url, title, text, authors, publish_date, meta_data, ...``); files named
  ``news_reviews_*`` are press releases (HealthRelease), the others news stories.
- ``news-submission-json``: a story as a person submits it through the API or a script, a JSON
  object ``{"text", "title", "publisher", "date", "url", "type"}`` of which only ``text`` is
  required (``date`` as ``YYYY-MM-DD``, ``type`` ``news-article`` or ``press-release``).
- ``news-text``: UTF-8 plain text; chosen for ``.txt`` files, or when no other format
  recognises the content. The first line is taken as the title when it ends in no full stop.

Inputs over :data:`MAX_NEWS_BYTES` are refused. A text that is not English is stored
as a source with a warning, and no claims are extracted from it.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any, ClassVar

from lxml import etree
from pyoxigraph import Literal, NamedNode, Quad

from oncoclaims.errors import FormatError, ParseError, RecordError, SourceLocation
from oncoclaims.extract import extract_claims
from oncoclaims.extract.claims import Extraction
from oncoclaims.extract.mapping import extraction_quads
from oncoclaims.extract.names import NameIndex
from oncoclaims.extract.origin_mapping import reference_quads
from oncoclaims.extract.sentences import split_sentences
from oncoclaims.extract.study_refs import StudyReference, find_study_references
from oncoclaims.extract.voices import Voice, find_voices
from oncoclaims.ingest.base import SourceRecord
from oncoclaims.ingest.context import IngestContext
from oncoclaims.ingest.institutions import institution_quads
from oncoclaims.iris import mint_graph_iri, mint_iri
from oncoclaims.vocab import DCTERMS, OC, RDF, RDFS, SCHEMA, XSD

__all__ = [
    "MAX_NEWS_BYTES",
    "SUBMISSION_KEYS",
    "Article",
    "StoryOrigin",
    "article_digest",
    "find_origin",
    "FakeHealthNewsIngester",
    "NewsHtmlIngester",
    "NewsTextIngester",
    "SubmittedStoryIngester",
    "read_article",
]

#: News inputs larger than this (5 MiB) are refused: no article is that long.
MAX_NEWS_BYTES = 5 * 1024 * 1024

#: Files named as structured data: never read as news text.
#: The keys of a ``news-submission-json`` object; ``text`` is the one required.
SUBMISSION_KEYS = frozenset({"text", "title", "publisher", "date", "url", "type"})
_SUBMITTED_TYPES = ("news-article", "press-release")

_STRUCTURED_SUFFIXES = (".csv", ".tsv", ".json", ".jsonl", ".xml", ".yaml", ".yml")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}")
_PERSON_NAME = re.compile(r"[A-Z][a-z'’-]+(?: [A-Z]\.?)?(?: [A-Z][a-z'’-]+){1,2}")
_NOT_NAME_WORDS = frozenset(
    {"Read", "Min", "Reporter", "Editor", "Freelancer", "Covering", "Covers", "Health",
     "Science", "Medicine", "Magazine", "Post", "Staff", "Writer", "Correspondent", "News"}
)


@dataclass(frozen=True, slots=True)
class Article:
    """One article, as read from its input: text and what is known about it."""

    text: str
    title: str | None = None
    url: str | None = None
    authors: tuple[str, ...] = ()
    publisher: str | None = None
    date: str | None = None
    language: str | None = None
    source_type: str = "news-article"
    warnings: tuple[str, ...] = ()


def _check_size(data: bytes, origin: str) -> None:
    if len(data) > MAX_NEWS_BYTES:
        raise FormatError(
            f"{origin}: {len(data)} bytes is over the {MAX_NEWS_BYTES}-byte limit for a news "
            "article; is this really one article? Split it or extract its text first"
        )


#: Control bytes other than tab, newlines, vertical tab, form feed and carriage return.
_CONTROL_BYTES = bytes(b for b in range(32) if b < 9 or 13 < b)


def _is_binary(data: bytes) -> bool:
    head = data[:8192]
    controls = len(head) - len(head.translate(None, _CONTROL_BYTES))
    return b"\x00" in head or (bool(head) and controls > len(head) // 10)


def _decode(data: bytes, origin: str) -> str:
    if _is_binary(data):
        raise FormatError(f"{origin}: this looks like a binary file, not text; nothing ingested")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ParseError(
            SourceLocation(origin, line=data[: exc.start].count(b"\n") + 1),
            f"not valid UTF-8 at byte {exc.start}; convert the file to UTF-8",
        ) from exc


def _iso_date(value: Any) -> str | None:
    if isinstance(value, int | float):
        return datetime.fromtimestamp(value, tz=UTC).date().isoformat()
    if isinstance(value, str) and _DATE.match(value.strip()):
        return value.strip()[:10]
    return None


def _person_names(values: list[Any]) -> tuple[str, ...]:
    names = []
    for value in values:
        name = value.get("name") if isinstance(value, dict) else value
        if not isinstance(name, str):
            continue
        name = " ".join(name.split())
        if _PERSON_NAME.fullmatch(name) and not set(name.split()) & _NOT_NAME_WORDS:
            names.append(name)
    return tuple(dict.fromkeys(names))


def _text_article(data: bytes, origin: str) -> Article:
    text = _decode(data, origin)
    if not text.strip():
        raise FormatError(f"{origin}: the file is empty; nothing to ingest")
    first = text.strip().splitlines()[0].strip()
    title = first if first and len(first) < 200 and not first.endswith(".") else None
    return Article(text=text, title=title)


def _fakehealth_article(data: bytes, origin: str) -> Article:
    try:
        record = json.loads(_decode(data, origin))
    except json.JSONDecodeError as exc:
        raise ParseError(SourceLocation(origin, exc.lineno, exc.colno), f"invalid JSON: {exc.msg}") from exc
    location = SourceLocation(origin, record_id=Path(origin).name)
    if not isinstance(record, dict) or not isinstance(record.get("text"), str):
        raise RecordError(location, "no \"text\" string; is this a FakeHealth news JSON file?")
    if not record["text"].strip():
        raise RecordError(location, "the article's \"text\" is empty; nothing to ingest")
    meta = record.get("meta_data") if isinstance(record.get("meta_data"), dict) else {}
    og = meta.get("og") if isinstance(meta.get("og"), dict) else {}
    authors = _person_names(list(record.get("authors") or [])) or _person_names(
        [meta.get("author"), meta.get("Author")]
    )
    release = Path(origin).name.startswith("news_reviews_")
    return Article(
        text=record["text"],
        title=record.get("title") or None,
        url=record.get("canonical_link") or record.get("url") or None,
        authors=authors,
        publisher=og.get("site_name") or None,
        date=_iso_date(record.get("publish_date")),
        language=(og.get("locale") or "")[:2].lower() or None,
        source_type="press-release" if release else "news-article",
    )


def _submitted_article(data: bytes, origin: str) -> Article:
    try:
        record = json.loads(_decode(data, origin))
    except json.JSONDecodeError as exc:
        raise ParseError(SourceLocation(origin, exc.lineno, exc.colno), f"invalid JSON: {exc.msg}") from exc
    location = SourceLocation(origin)
    if not isinstance(record, dict) or not isinstance(record.get("text"), str) or not record["text"].strip():
        raise RecordError(location, 'a submitted story needs a non-empty "text" string')
    unknown = sorted(set(record) - SUBMISSION_KEYS)
    if unknown:
        raise RecordError(location, f"unknown key(s) {', '.join(unknown)}; a story has {', '.join(sorted(SUBMISSION_KEYS))}")
    for key in SUBMISSION_KEYS - {"text"}:
        if record.get(key) is not None and not isinstance(record[key], str):
            raise RecordError(location, f'"{key}" must be a string')
    date = (record.get("date") or "").strip() or None
    if date is not None:
        try:
            date = datetime.strptime(date, "%Y-%m-%d").date().isoformat()
        except ValueError:
            raise RecordError(location, f'"date" {date!r} is not a date written YYYY-MM-DD') from None
    source_type = (record.get("type") or "news-article").strip()
    if source_type not in _SUBMITTED_TYPES:
        raise RecordError(location, f'"type" {source_type!r} is not one of {", ".join(_SUBMITTED_TYPES)}')
    url = (record.get("url") or "").strip() or None
    if url is not None and not url.lower().startswith(("http://", "https://")):
        raise RecordError(location, f'"url" {url!r} is not an http or https URL')
    return Article(
        text=record["text"],
        title=(record.get("title") or "").strip() or None,
        url=url,
        publisher=(record.get("publisher") or "").strip() or None,
        date=date,
        source_type=source_type,
    )


def _json_ld_article(tree: etree._Element) -> dict[str, Any]:
    """The first JSON-LD object typed NewsArticle (or Article), as data: never run."""
    for script in tree.iterfind(".//script[@type='application/ld+json']"):
        try:
            data = json.loads(script.text or "")
        except json.JSONDecodeError:
            continue
        stack = data if isinstance(data, list) else [data]
        while stack:
            item = stack.pop(0)
            if not isinstance(item, dict):
                continue
            stack.extend(item.get("@graph", []) if isinstance(item.get("@graph"), list) else [])
            types = item.get("@type")
            types = types if isinstance(types, list) else [types]
            if any(t in {"NewsArticle", "Article", "ReportageNewsArticle"} for t in types):
                return item
    return {}


def _html_article(data: bytes, origin: str) -> Article:
    import trafilatura  # imported here: it takes half a second

    if _is_binary(data):
        raise FormatError(f"{origin}: this looks like a binary file, not HTML; nothing ingested")
    parser = etree.HTMLParser(no_network=True, remove_comments=True, recover=True)
    tree = etree.fromstring(data, parser)
    if tree is None:
        raise RecordError(SourceLocation(origin), "no HTML document found; nothing to ingest")
    scripts = [s for s in tree.iterfind(".//script") if s.get("type") != "application/ld+json"]
    meta = {
        (m.get("property") or m.get("name") or "").lower(): m.get("content")
        for m in tree.iterfind(".//meta") if m.get("content")
    }
    ld = _json_ld_article(tree)
    document = trafilatura.bare_extraction(
        data, with_metadata=True, include_comments=False, include_tables=False,
        date_extraction_params={"extensive_search": False, "original_date": True},
    )
    text = getattr(document, "text", None) if document is not None else None
    if not text or not text.strip():
        raise RecordError(SourceLocation(origin), "no article text found in the HTML; nothing to ingest")
    publisher = ld.get("publisher")
    publisher = publisher.get("name") if isinstance(publisher, dict) else publisher
    authors = ld.get("author")
    authors = authors if isinstance(authors, list) else [authors]
    warnings = ()
    if scripts:
        warnings = (f"{len(scripts)} <script> element(s) ignored: never run, never fetched",)
    return Article(
        text=text,
        title=ld.get("headline") or meta.get("og:title") or document.title or None,
        url=ld.get("url") or meta.get("og:url") or document.url or None,
        authors=_person_names(authors) or _person_names([meta.get("author"), document.author]),
        publisher=(publisher if isinstance(publisher, str) else None)
        or meta.get("og:site_name") or document.sitename or None,
        date=_iso_date(ld.get("datePublished")) or _iso_date(meta.get("article:published_time"))
        or _iso_date(document.date),
        language=(ld.get("inLanguage") if isinstance(ld.get("inLanguage"), str) else None)
        or tree.get("lang") or None,
        warnings=warnings,
    )


@dataclass(frozen=True, slots=True)
class StoryOrigin:
    """Where a story came from: the studies it reports and the voices it quotes."""

    studies: tuple[StudyReference, ...] = ()
    voices: tuple[Voice, ...] = ()


@lru_cache(maxsize=32)
def find_origin(text: str, language: str) -> StoryOrigin:
    """Read the study references and voices of an English text; nothing for other languages.

    Cached for the last few texts: ``oncoclaims trace`` reads the story it has just ingested.
    """
    if language not in {"en", "und"}:
        return StoryOrigin()
    sentences = split_sentences(text)
    index = NameIndex(text)
    studies = find_study_references(text, sentences, index)
    return StoryOrigin(tuple(studies), tuple(find_voices(text, studies, sentences, index)))


def article_digest(text: str) -> str:
    """The hash an article's graph, source and statements are minted from (``news:<digest>``)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def read_article(data: bytes, origin: str, fmt: str) -> Article:
    """Read one article from ``data`` in format ``fmt`` (an ingester name of this module).

    :raises FormatError: for empty, binary or oversized input.
    :raises ParseError: for input that does not decode or parse.
    :raises RecordError: for input with no article text.
    """
    _check_size(data, origin)
    readers = {"news-text": _text_article, "news-html": _html_article,
               "news-fakehealth-json": _fakehealth_article, "news-submission-json": _submitted_article}
    if fmt not in readers:
        raise FormatError(f"{origin}: read as {fmt}, which is not a news format ({', '.join(readers)})")
    return readers[fmt](data, origin)


def _source_quads(article: Article, source: NamedNode, language: str, graph: NamedNode) -> Iterator[Quad]:
    yield Quad(source, RDF.type, OC.Source, graph)
    yield Quad(source, OC.sourceType, OC["source-" + article.source_type], graph)
    yield Quad(source, SCHEMA.text, Literal(article.text), graph)
    if article.title:
        yield Quad(source, DCTERMS.title, Literal(article.title), graph)
        yield Quad(source, RDFS.label, Literal(article.title), graph)
    if article.url:
        yield Quad(source, SCHEMA.url, Literal(article.url), graph)
    if language != "und":
        yield Quad(source, DCTERMS.language, Literal(language), graph)
    if article.date:
        yield Quad(source, DCTERMS.date, Literal(article.date, datatype=XSD.date), graph)
    for name in article.authors:
        person = mint_iri("person", name)
        yield Quad(source, DCTERMS.creator, person, graph)
        yield Quad(person, RDF.type, OC.Person, graph)
        yield Quad(person, RDFS.label, Literal(name), graph)
    if article.publisher:
        publisher, described = institution_quads(article.publisher, graph, scope=graph.value)
        yield Quad(source, DCTERMS.publisher, publisher, graph)
        yield from described


class _NewsIngester:
    """What the three news formats share: records, quads and the store context."""

    name: ClassVar[str]
    suffixes: ClassVar[tuple[str, ...]]

    def __init__(self, context: IngestContext | None = None) -> None:
        self.context = context or IngestContext()

    def with_context(self, context: IngestContext) -> _NewsIngester:
        """Return a copy that links therapy mentions to the therapies of ``context``."""
        return type(self)(context)

    def records(self, data: bytes, origin: str) -> Iterator[SourceRecord]:
        """Read the article and extract its claims; one record per input."""
        article = read_article(data, origin, self.name)
        if article.url is None and origin.lower().startswith(("http://", "https://")):
            article = replace(article, url=origin)  # a page fetched from its URL
        extraction = extract_claims(article.text, self.context.therapy_names, title=article.title or "")
        digest = article_digest(article.text)
        warnings = list(article.warnings) + list(extraction.warnings)
        proposed = sorted({m.label for c in extraction.claims for m in c.therapies if not m.known})
        if proposed:
            warnings.append(f"proposed new therapy node(s), flagged oc:proposed: {', '.join(proposed)}")
        yield SourceRecord(
            location=SourceLocation(origin, record_id=Path(origin).name),
            kind="article",
            data=(replace(article, warnings=()), extraction, digest,
                  find_origin(article.text, extraction.language)),
            graph=mint_graph_iri("news", digest),
            warnings=tuple(warnings),
        )

    def to_quads(self, record: SourceRecord) -> Iterator[Quad]:
        """Map the article and its claims to quads in the article's graph; pure."""
        article: Article = record.data[0]
        extraction: Extraction = record.data[1]
        key = "news:" + record.data[2]
        source = mint_iri("source", key)
        # Metadata names the language unless the text is plainly in another one.
        language = (article.language if article.language and extraction.language in {"en", "und"}
                    else extraction.language)
        yield from _source_quads(article, source, language, record.graph)
        yield from extraction_quads(extraction, source=source, source_key=key, graph=record.graph)
        origin: StoryOrigin = record.data[3]
        yield from reference_quads(list(origin.studies), list(origin.voices), source=source, source_key=key,
                                   graph=record.graph)


class NewsTextIngester(_NewsIngester):
    """Plain UTF-8 text of one article; chosen last, when nothing else matches."""

    name: ClassVar[str] = "news-text"
    suffixes: ClassVar[tuple[str, ...]] = (".txt", ".text")
    #: Detection tries this format only after every other one declined.
    fallback: ClassVar[bool] = True

    def sniff(self, data: bytes, origin: str) -> bool:
        """A ``.txt`` file, or UTF-8 text that is neither binary nor JSON/XML-like, nor named as
        structured data (a ``.csv`` no tabular format claimed is refused, not mined for claims)."""
        suffix = Path(origin).suffix.lower()
        if suffix in self.suffixes:
            return True
        if suffix in _STRUCTURED_SUFFIXES:
            return False
        head = data[:64].lstrip(b"\xef\xbb\xbf \t\r\n")
        if _is_binary(data) or head.startswith((b"{", b"[", b"<")):
            return False  # binary, or structured data no other format claimed
        try:
            data[:65536].decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            return exc.start > 65530  # a character cut at the sample's end
        return True


class NewsHtmlIngester(_NewsIngester):
    """An HTML page holding one article."""

    name: ClassVar[str] = "news-html"
    suffixes: ClassVar[tuple[str, ...]] = (".html", ".htm", ".xhtml")

    def sniff(self, data: bytes, origin: str) -> bool:
        """Content that starts like an HTML document."""
        head = data[:2048].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
        return head.startswith((b"<!doctype html", b"<html")) or (
            head.startswith(b"<") and (b"<html" in head or b"<body" in head or b"<head" in head)
            and b"rdf:rdf" not in head
        )


class FakeHealthNewsIngester(_NewsIngester):
    """One FakeHealth (HealthStory / HealthRelease) article JSON file."""

    name: ClassVar[str] = "news-fakehealth-json"
    suffixes: ClassVar[tuple[str, ...]] = (".json",)

    def sniff(self, data: bytes, origin: str) -> bool:
        """A JSON object with the newspaper3k keys FakeHealth files have."""
        head = data[:64].lstrip(b"\xef\xbb\xbf \t\r\n")
        return head.startswith(b"{") and all(
            key in data for key in (b'"text"', b'"title"', b'"meta_data"', b'"publish_date"')
        )


class SubmittedStoryIngester(_NewsIngester):
    """A story submitted as ``{"text", "title", "publisher", "date", "url", "type"}`` JSON."""

    name: ClassVar[str] = "news-submission-json"
    suffixes: ClassVar[tuple[str, ...]] = (".json",)

    def sniff(self, data: bytes, origin: str) -> bool:
        """A JSON object with a ``text`` string and no key outside :data:`SUBMISSION_KEYS`."""
        if not data[:64].lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"{") or len(data) > MAX_NEWS_BYTES:
            return False
        try:
            record = json.loads(data.decode("utf-8-sig"))
        except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
            return False
        return isinstance(record, dict) and isinstance(record.get("text"), str) and set(record) <= SUBMISSION_KEYS
