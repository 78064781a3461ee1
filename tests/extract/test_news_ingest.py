"""News ingest: format detection, idempotent re-ingest, and bad input leaving the store unchanged."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import pytest

from oncoclaims.errors import FormatError, IngestError, ParseError, RecordError
from oncoclaims.graph.store import ClaimStore
from oncoclaims.ingest import detect_format, ingest, ingest_bytes
from oncoclaims.ingest.news import MAX_NEWS_BYTES
from oncoclaims.vocab import DCTERMS, OA, OC, SCHEMA

NEWS = Path(__file__).parents[1] / "data" / "news"
SEED = NEWS / "enteromix-article.txt"
REUTERS = NEWS / "story_reviews_01026.json"


def _html_page() -> bytes:
    """A web page around a real article (Reuters, from FakeHealth), with scripts that must never run."""
    record = json.loads(REUTERS.read_text(encoding="utf-8"))
    paragraphs = "".join(f"<p>{p}</p>" for p in record["text"].split("\n\n") if p.strip())
    ld = {
        "@context": "https://schema.org", "@type": "NewsArticle", "headline": record["title"],
        "datePublished": record["meta_data"]["analyticsAttributes.articleDate"],
        "author": {"@type": "Person", "name": record["meta_data"]["Author"]},
        "publisher": {"@type": "Organization", "name": "Reuters"}, "inLanguage": "en",
    }
    return (
        '<!DOCTYPE html><html lang="en"><head><title>ignored</title>'
        f'<meta property="og:title" content="{record["title"]}">'
        f'<script type="application/ld+json">{json.dumps(ld)}</script>'
        '<script src="http://127.0.0.1:9/tracker.js"></script>'
        '<script>fetch("http://127.0.0.1:9/x"); document.write("INJECTED-BY-SCRIPT");</script>'
        f'</head><body><nav>Home | World | Health</nav><article><h1>{record["title"]}</h1>'
        f'{paragraphs}</article><footer>All quotes delayed</footer></body></html>'
    ).encode("utf-8")


@pytest.mark.parametrize(
    ("name", "fmt"),
    [("enteromix-article.txt", "news-text"), ("story_reviews_01026.json", "news-fakehealth-json"),
     ("news_reviews_00027.json", "news-fakehealth-json")],
)
def test_news_formats_are_detected_from_content(name: str, fmt: str) -> None:
    path = NEWS / name
    assert detect_format(path.read_bytes(), str(path)).name == fmt


def test_plain_text_is_chosen_only_when_nothing_else_matches() -> None:
    text = SEED.read_bytes()
    assert detect_format(text, "article").name == "news-text"  # no suffix: the fallback
    assert detect_format(b"@prefix ex: <http://example.org/> .\nex:a ex:b ex:c .\n", "x").name == "rdf"
    assert detect_format(_html_page(), "page").name == "news-html"
    with pytest.raises(FormatError, match="cannot tell"):
        detect_format(b'{"some": "json"}', "data")  # JSON is never read as an article
    for name in ("measurements.csv", "sheet.tsv", "config.yaml"):  # nor is a file named as data
        with pytest.raises(FormatError, match="cannot tell"):
            detect_format(b"name,value\nEnteromix,1\n", name)


@pytest.mark.parametrize("path", [SEED, REUTERS], ids=["text", "fakehealth"])
def test_reingesting_the_same_article_changes_nothing(path: Path, store: ClaimStore) -> None:
    first = ingest(path, store)
    size = len(store)
    second = ingest(path, store)
    assert first.quads_added > 0
    assert second.quads_added == 0
    assert len(store) == size


def test_fakehealth_metadata_becomes_source_properties(empty_store: ClaimStore) -> None:
    report = ingest(NEWS / "news_reviews_00033.json", empty_store)
    assert report.format == "news-fakehealth-json"
    (source,) = {q.subject for q in empty_store.quads(None, SCHEMA.text) if "/source/" in q.subject.value}
    objects = {q.predicate.value: q.object for q in empty_store.quads(source)}
    assert objects[OC.sourceType.value] == OC["source-press-release"]
    assert objects[DCTERMS.title.value].value == "Zika vaccine shows promise for treating deadly brain cancer"
    assert objects[DCTERMS.date.value].value == "2018-09-29"  # publish_date 1538193600, UTC


def test_html_page_gives_main_text_and_json_ld_metadata_without_running_scripts(
    empty_store: ClaimStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_network(*args: object, **kwargs: object) -> None:
        raise AssertionError("ingest tried to open a network connection")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    report = ingest_bytes(_html_page(), "reuters.html", empty_store)
    assert report.format == "news-html"
    assert any("script" in w and "never run" in w for w in report.warnings)
    (source,) = {q.subject for q in empty_store.quads(None, SCHEMA.text) if "/source/" in q.subject.value}
    text = next(empty_store.quads(source, SCHEMA.text)).object.value
    assert "INJECTED-BY-SCRIPT" not in text and "fetch(" not in text
    assert "Two participants in the Phase I trial" in text
    assert next(empty_store.quads(source, DCTERMS.date)).object.value == "2011-08-10"
    creator = next(empty_store.quads(source, DCTERMS.creator)).object
    assert next(empty_store.quads(creator, None)).object  # the person node exists
    assert any("Deena Beasley" == q.object.value for q in empty_store.quads(creator))
    assert list(empty_store.quads(None, OA.hasBody))  # claims extracted from the page


def test_non_english_text_is_stored_as_a_source_with_a_warning_and_no_claims(empty_store: ClaimStore) -> None:
    text = ("Der russische Impfstoff soll nach Angaben der Forscher bei Mäusen die Tumore um 60 bis "
            "80 Prozent verkleinern. Es gibt keine Veröffentlichungen in internationalen Fachzeitschriften, "
            "und die Ergebnisse wurden von unabhängigen Experten nicht bestätigt.").encode("utf-8")
    report = ingest_bytes(text, "artikel.txt", empty_store)
    assert any("'de'" in w and "not English" in w for w in report.warnings)
    assert [q.object.value for q in empty_store.quads(None, DCTERMS.language)] == ["de"]
    assert not list(empty_store.quads(None, OA.hasBody))


@pytest.mark.parametrize(
    ("data", "origin", "error", "message"),
    [
        (b"", "empty.txt", FormatError, "empty"),
        (b"  \n\t ", "blank.txt", FormatError, "empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), "image.txt", FormatError, "binary"),
        (b"\x00\x01\x02\x03" * 100, "blob", FormatError, "cannot tell"),
        (b"caf\xe9 au lait is said to cure cancer", "latin1.txt", ParseError, "UTF-8"),
        (b"<html><head><script>alert(1)</script></head><body></body></html>", "scripts.html", RecordError,
         "no article text"),
        (b'{"title": "t", "text": "", "meta_data": {}, "publish_date": null}', "fh.json", RecordError, "empty"),
        (b'{"title": "t", "text": "x", "meta_data": {}, "publish_date": ', "broken.json", ParseError, "invalid JSON"),
    ],
    ids=["empty", "blank", "binary-txt", "binary", "not-utf8", "html-only-scripts", "fakehealth-empty", "broken-json"],
)
def test_bad_input_gets_a_clear_error_and_leaves_the_store_unchanged(
    store: ClaimStore, data: bytes, origin: str, error: type[IngestError], message: str
) -> None:
    before = len(store)
    with pytest.raises(IngestError) as caught:
        ingest_bytes(data, origin, store)
    assert isinstance(caught.value, error), caught.value
    assert message in str(caught.value)
    assert origin in str(caught.value)
    assert len(store) == before


def test_an_enormous_article_is_refused_before_parsing(store: ClaimStore) -> None:
    before = len(store)
    data = SEED.read_bytes() * (MAX_NEWS_BYTES // len(SEED.read_bytes()) + 1)
    with pytest.raises(FormatError, match="limit for a news article"):
        ingest_bytes(data, "huge.txt", store)
    assert len(store) == before


def test_known_therapy_synonyms_from_the_context_are_linked(empty_store: ClaimStore) -> None:
    from oncoclaims.ingest import IngestContext
    from oncoclaims.iris import mint_iri

    context = IngestContext({"Tisagenlecleucel": ("gene therapy",)})
    ingest_bytes(REUTERS.read_bytes(), str(REUTERS), empty_store, context=context)
    therapy = mint_iri("therapy", "Tisagenlecleucel")
    assert list(empty_store.quads(None, OC.about, therapy))
    assert not list(empty_store.quads(therapy, OC.proposed))
