"""Fact-checks: schema.org ClaimReview (JSON-LD: one object, a list, ``@graph``, or the
``<script type="application/ld+json">`` blocks of an HTML page) and the HealthFC CSV.

Each review becomes an ``oc:Review`` (a source of type fact-check) in a named graph of its
own, with the claim it reviews (``schema:itemReviewed``; the review also states the claim,
through a statement without a text span), the claimant when named (``oc:claimedBy``), the
rating as given (``schema:reviewRating``) and normalised (``oc:verdict``), the reviewer
(``schema:author``), the date and the URL. A fact-check does not say which therapy a claim
is about; the claim is left without ``oc:about`` rather than guessed (the shapes warn).

JSON-LD is read as plain JSON keyed by schema.org names: no context is ever fetched.
HTML is parsed by lxml for its JSON-LD blocks and its ClaimReview microdata
(``itemscope``/``itemprop``); scripts are never run, nothing is fetched.

Verdicts, from the textual rating (``alternateName``, case-insensitive, first match):

=================================================  =================
"mostly false"                                      mostly-false
"mostly true"                                       mostly-true
"false", "pants on fire", "fake", "incorrect"       false
"misleading", "distorts"                            misleading
"half", "mixture", "mixed", "partly"                mixed
"unproven", "unsupported", "not enough", "unclear"  unproven
"true", "correct", "accurate"                       true
=================================================  =================

Without a textual rating, a numeric one is scaled between ``worstRating`` (default 1)
and ``bestRating`` (default 5): 0.8 and above true, 0.6 mostly true, 0.4 mixed, 0.2
mostly false, below false. HealthFC labels: 0 supported -> true, 1 not enough
information -> unproven, 2 refuted -> false.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from typing import Any, ClassVar

from lxml import html as lxml_html
from pyoxigraph import Literal, NamedNode, Quad

from oncoclaims.errors import FormatError, ParseError, RecordError, SourceLocation
from oncoclaims.ingest.base import SourceRecord
from oncoclaims.ingest.institutions import institution_quads
from oncoclaims.ingest.json_input import decode_text, load_json
from oncoclaims.iris import mint_graph_iri, mint_iri, normalise_key
from oncoclaims.vocab import DCTERMS, OA, OC, RDF, RDFS, SCHEMA, XSD

__all__ = ["HEALTHFC_COLUMNS", "ClaimReviewIngester", "HealthFcIngester", "review_quads", "verdict_for"]

_TEXT_VERDICTS = (
    (("mostly false",), "mostly-false"),
    (("mostly true",), "mostly-true"),
    (("false", "pants on fire", "fake", "incorrect"), "false"),
    (("misleading", "distorts"), "misleading"),
    (("half", "mixture", "mixed", "partly"), "mixed"),
    (("unproven", "unsupported", "not enough", "unclear"), "unproven"),
    (("true", "correct", "accurate"), "true"),
)
_HEALTHFC_LABELS = {"0": "true", "1": "unproven", "2": "false"}
HEALTHFC_COLUMNS = ("en_claim", "label", "url")
_GERMAN_MONTHS = {m: i for i, m in enumerate(
    ["januar", "februar", "märz", "april", "mai", "juni", "juli", "august", "september", "oktober",
     "november", "dezember"], start=1)}


def verdict_for(rating: dict[str, Any]) -> str | None:
    """The normalised verdict name for a schema.org Rating, or ``None`` if it says nothing."""
    text = str(rating.get("alternateName") or "").lower()
    for words, verdict in _TEXT_VERDICTS:
        if any(re.search(rf"\b{re.escape(w)}\b", text) for w in words):
            return verdict
    try:
        value = float(rating["ratingValue"])
        best = float(rating.get("bestRating", 5))
        worst = float(rating.get("worstRating", 1))
    except (KeyError, TypeError, ValueError):
        return "other" if text else None
    if best == worst:
        return "other"
    share = (value - worst) / (best - worst)
    for bound, verdict in ((0.8, "true"), (0.6, "mostly-true"), (0.4, "mixed"), (0.2, "mostly-false")):
        if share >= bound:
            return verdict
    return "false"


def _date(value: object) -> Literal | None:
    text = str(value or "").strip()
    if match := re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})(?:T.*)?", text):
        return Literal("-".join(match.groups()), datatype=XSD.date)
    if match := re.fullmatch(r"(\d{1,2})\.\s*([A-Za-zäÄ]+)\s+(\d{4})", text):
        month = _GERMAN_MONTHS.get(match[2].lower())
        if month:
            return Literal(f"{match[3]}-{month:02d}-{int(match[1]):02d}", datatype=XSD.date)
    return None


def _party(value: object, graph: NamedNode) -> tuple[NamedNode | None, list[Quad]]:
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, str):
        value = {"name": value}
    if not isinstance(value, dict):
        return None, []
    name = value.get("name") or value.get("url")
    if not name:
        return None, []
    if value.get("@type") != "Person":
        return institution_quads(str(name), graph, scope=graph.value)
    node = mint_iri("person", normalise_key(str(name)))
    return node, [Quad(node, RDF.type, OC.Person, graph), Quad(node, RDFS.label, Literal(str(name)), graph)]


def _review_graph(review: dict[str, Any], key: str) -> NamedNode:
    url = review.get("url") if isinstance(review.get("url"), str) else None
    claim = review.get("claimReviewed") if isinstance(review.get("claimReviewed"), str) else ""
    return mint_graph_iri("review", url or key, normalise_key(claim or "-"))


def review_quads(review: dict[str, Any], location: SourceLocation, key: str) -> Iterator[Quad]:
    """Map one ClaimReview (as a schema.org-keyed dict) to quads; pure.

    :param key: what identifies the review when it has no URL (file and position).
    :raises RecordError: when ``claimReviewed`` is missing.
    """
    claim_text = review.get("claimReviewed")
    if not isinstance(claim_text, str) or not claim_text.strip():
        raise RecordError(location, "the ClaimReview has no claimReviewed: the claim it checks is unknown")
    url = review.get("url") if isinstance(review.get("url"), str) else None
    claim_key = normalise_key(claim_text)
    # one page may review several claims: a review is its URL (or position) and its claim
    graph = _review_graph(review, key)
    node = mint_iri("review", url or key, claim_key)
    claim = mint_iri("claim", claim_key)
    yield Quad(node, RDF.type, OC.Review, graph)
    yield Quad(node, RDF.type, OC.Source, graph)
    yield Quad(node, OC.sourceType, OC["source-fact-check"], graph)
    yield Quad(node, SCHEMA.itemReviewed, claim, graph)
    if url:
        yield Quad(node, SCHEMA.url, Literal(url), graph)
    if (date := _date(review.get("datePublished"))) is not None:
        yield Quad(node, DCTERMS.date, date, graph)
    if isinstance(review.get("name"), str):
        yield Quad(node, DCTERMS.title, Literal(review["name"]), graph)
    reviewer, quads = _party(review.get("author"), graph)
    yield from quads
    if reviewer is not None:
        yield Quad(node, SCHEMA.author, reviewer, graph)
    yield Quad(claim, RDF.type, OC.Claim, graph)
    yield Quad(claim, SCHEMA.text, Literal(claim_text.strip()), graph)
    yield Quad(claim, RDFS.label, Literal(claim_text.strip()[:120]), graph)
    statement, target = mint_iri("statement", normalise_key(str(node.value))), mint_iri("statement", normalise_key(str(node.value)), "target")
    yield Quad(statement, RDF.type, OC.ClaimStatement, graph)
    yield Quad(statement, OA.hasBody, claim, graph)
    yield Quad(statement, OA.hasTarget, target, graph)
    yield Quad(target, RDF.type, OA.SpecificResource, graph)
    yield Quad(target, OA.hasSource, node, graph)
    item = review.get("itemReviewed")
    if isinstance(item, dict):
        claimant, quads = _party(item.get("author"), graph)
        yield from quads
        if claimant is not None:
            yield Quad(claim, OC.claimedBy, claimant, graph)
    rating = review.get("reviewRating")
    if isinstance(rating, dict):
        rating_node = mint_iri("review", url or key, claim_key, "rating")
        yield Quad(node, SCHEMA.reviewRating, rating_node, graph)
        yield Quad(rating_node, RDF.type, SCHEMA.Rating, graph)
        for field in ("ratingValue", "bestRating", "worstRating", "alternateName"):
            if rating.get(field) is not None:
                yield Quad(rating_node, SCHEMA[field], Literal(str(rating[field])), graph)
        if (verdict := review.get("verdict") or verdict_for(rating)) is not None:
            yield Quad(node, OC.verdict, OC["verdict-" + verdict], graph)


def _microdata_item(element: Any) -> dict[str, Any]:
    """The schema.org item of an ``itemscope`` element, as a dict keyed by ``itemprop``."""
    item: dict[str, Any] = {"@type": (element.get("itemtype") or "").rstrip("/").rsplit("/", 1)[-1]}

    def walk(node: Any) -> None:
        for child in node.iterchildren():
            if not isinstance(child.tag, str):
                continue
            prop = child.get("itemprop")
            if prop:
                if child.get("itemscope") is not None:
                    value: Any = _microdata_item(child)
                else:
                    value = child.get("content") or child.get("href") or child.get("src") or " ".join(child.text_content().split())
                item.setdefault(prop, value)
            if child.get("itemscope") is None:
                walk(child)

    walk(element)
    return item


def _reviews(value: object) -> Iterator[dict[str, Any]]:
    if isinstance(value, list):
        for item in value:
            yield from _reviews(item)
    elif isinstance(value, dict):
        kind = value.get("@type")
        if kind == "ClaimReview" or (isinstance(kind, list) and "ClaimReview" in kind):
            yield value
        elif "@graph" in value:
            yield from _reviews(value["@graph"])


class ClaimReviewIngester:
    """schema.org ClaimReview in JSON-LD, alone or inside an HTML page."""

    name: ClassVar[str] = "claimreview"
    suffixes: ClassVar[tuple[str, ...]] = (".jsonld", ".json", ".html", ".htm")

    def sniff(self, data: bytes, origin: str) -> bool:
        """JSON naming a ClaimReview, or HTML carrying one as JSON-LD or microdata."""
        head = data[:65536]
        start = head.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
        if start in (b"{", b"["):
            return b'"ClaimReview"' in head
        if start == b"<":
            return b"ClaimReview" in head and (b"ld+json" in head or b"itemtype" in head)
        return False

    def records(self, data: bytes, origin: str) -> Iterator[SourceRecord]:
        """One record per ClaimReview found."""
        text = decode_text(data, origin)
        stripped = text.lstrip()
        if stripped.startswith(("{", "[")):
            blocks = [(1, load_json(text, origin))]
        else:
            try:
                page = lxml_html.document_fromstring(text)
            except Exception as exc:  # lxml raises several kinds for unusable HTML
                raise ParseError(SourceLocation(origin, 1), f"not HTML or JSON: {exc}") from exc
            blocks = [
                (script.sourceline or 1, load_json(script.text or "", origin, line=script.sourceline or 1))
                for script in page.iter("script")
                if (script.get("type") or "").lower() == "application/ld+json"
            ]
            blocks += [
                (element.sourceline or 1, _microdata_item(element))
                for element in page.iter()
                if isinstance(element.tag, str) and element.get("itemscope") is not None
                and (element.get("itemtype") or "").rstrip("/").endswith("ClaimReview")
            ]
            if not blocks:
                raise FormatError(f"{origin}: the page has no ClaimReview in JSON-LD or microdata")
        count = 0
        for line, block in blocks:
            for review in _reviews(block):
                count += 1
                key = f"{origin}#{count}"
                yield SourceRecord(location=SourceLocation(origin, line, None, f"#{count}"), kind="claimreview",
                                   data={"review": review, "key": key},
                                   graph=_review_graph(review, key))

    def to_quads(self, record: SourceRecord) -> Iterator[Quad]:
        """Map one review (pure, see :func:`review_quads`)."""
        return review_quads(record.data["review"], record.location, record.data["key"])


class HealthFcIngester:
    """The HealthFC dataset CSV (Medizin-transparent fact-checks with verdict labels)."""

    name: ClassVar[str] = "healthfc-csv"
    suffixes: ClassVar[tuple[str, ...]] = (".csv",)

    def sniff(self, data: bytes, origin: str) -> bool:
        """A CSV whose header has HealthFC's columns."""
        header = data[:2048].split(b"\n", 1)[0].decode("utf-8", errors="replace")
        return all(column in header for column in HEALTHFC_COLUMNS)

    def records(self, data: bytes, origin: str) -> Iterator[SourceRecord]:
        """One record per row, located by line."""
        text = decode_text(data, origin)
        reader = csv.DictReader(io.StringIO(text, newline=""))
        missing = [c for c in HEALTHFC_COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise FormatError(f"{origin}: not a HealthFC CSV: missing column(s) {', '.join(missing)}")
        for row in reader:
            line = reader.line_num
            location = SourceLocation(origin, line, None, row.get("url") or f"line {line}")
            label = (row.get("label") or "").strip()
            if label not in _HEALTHFC_LABELS:
                raise RecordError(location, f"label {label!r} is not one of 0 (supported), 1 (not enough information), 2 (refuted)")
            review = {
                "claimReviewed": row.get("en_claim"),
                "url": row.get("url") or None,
                "datePublished": row.get("date"),
                "name": row.get("de_title") or None,
                "author": {"@type": "Organization", "name": "Medizin Transparent"},
                "reviewRating": {"ratingValue": label, "alternateName": row.get("de_verdict") or None},
                "verdict": _HEALTHFC_LABELS[label],
            }
            key = f"{origin}#line{line}"
            yield SourceRecord(location=location, kind="healthfc-row", data={"review": review, "key": key},
                               graph=_review_graph(review, key))

    def to_quads(self, record: SourceRecord) -> Iterator[Quad]:
        """Map one row as a ClaimReview (pure, see :func:`review_quads`)."""
        return review_quads(record.data["review"], record.location, record.data["key"])

