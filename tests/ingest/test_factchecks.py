"""Fact-checks: ClaimReview JSON-LD and microdata, the HealthFC CSV, verdict mapping."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from pyoxigraph import Literal

from oncoclaims.errors import ParseError, RecordError
from oncoclaims.graph.store import ClaimStore
from oncoclaims.ingest import ingest
from oncoclaims.ingest.factchecks import verdict_for
from oncoclaims.ontology import ontology_quads, validate_quads
from oncoclaims.vocab import DCTERMS, OC, RDF, SCHEMA

DATA = Path(__file__).parents[1] / "data"
FACTCHECK = DATA / "factcheck"


def reviews(store: ClaimStore) -> list:
    return [q.subject for q in store.inner.quads_for_pattern(None, RDF.type, OC.Review, None)]


def one(store: ClaimStore, subject, predicate):
    values = {q.object for q in store.inner.quads_for_pattern(subject, predicate, None, None)}
    assert len(values) == 1, values
    return values.pop()


@pytest.mark.parametrize("name", ["schemaorg-eg-0324-ClaimReview.jsonld", "schemaorg-eg-0325-ClaimReview.jsonld"])
def test_claimreview_jsonld_matches_an_independent_read(name: str, empty_store: ClaimStore) -> None:
    report = ingest(FACTCHECK / name, empty_store)
    assert report.format == "claimreview" and report.records == 1
    source = json.loads((FACTCHECK / name).read_text())
    [review] = reviews(empty_store)
    claim = one(empty_store, review, SCHEMA.itemReviewed)
    assert one(empty_store, claim, SCHEMA.text) == Literal(source["claimReviewed"])
    assert one(empty_store, review, SCHEMA.url) == Literal(source["url"])
    assert one(empty_store, review, DCTERMS.date).value == source["datePublished"]
    claimant = one(empty_store, claim, OC.claimedBy)
    assert one(empty_store, claimant, RDF.type) == OC.Person
    assert ingest(FACTCHECK / name, empty_store).quads_added == 0


def test_microdata_gives_the_same_review_as_its_jsonld(empty_store: ClaimStore) -> None:
    ingest(FACTCHECK / "schemaorg-eg-0324-ClaimReview-microdata.html", empty_store)
    [review] = reviews(empty_store)
    assert one(empty_store, review, OC.verdict) == OC["verdict-true"]  # alternateName "True"
    text = one(empty_store, one(empty_store, review, SCHEMA.itemReviewed), SCHEMA.text).value
    assert text.startswith("More than 3,000 homicides")


def test_healthfc_rows_match_an_independent_read(empty_store: ClaimStore) -> None:
    path = FACTCHECK / "healthfc-cancer-6-rows.csv"
    rows = list(csv.DictReader(path.open(newline="", encoding="utf-8")))
    report = ingest(path, empty_store)
    assert report.format == "healthfc-csv" and report.records == len(rows)
    verdicts = {"0": "verdict-true", "1": "verdict-unproven", "2": "verdict-false"}
    found = {}
    for review in reviews(empty_store):
        claim = one(empty_store, review, SCHEMA.itemReviewed)
        found[one(empty_store, claim, SCHEMA.text).value] = one(empty_store, review, OC.verdict)
    assert found == {row["en_claim"].strip(): OC[verdicts[row["label"]]] for row in rows}
    assert validate_quads([*empty_store, *ontology_quads()]).conforms
    assert ingest(path, empty_store).quads_added == 0


@pytest.mark.parametrize("rating, verdict", [
    ({"alternateName": "Mostly False"}, "mostly-false"),
    ({"alternateName": "Pants on Fire!"}, "false"),
    ({"alternateName": "Half True"}, "mixed"),
    ({"ratingValue": 5, "bestRating": 5}, "true"),
    ({"ratingValue": 1, "bestRating": 6}, "false"),
    ({"ratingValue": 3, "bestRating": 5, "worstRating": 1}, "mixed"),
    ({}, None),
])
def test_verdict_mapping(rating: dict, verdict: str | None) -> None:
    assert verdict_for(rating) == verdict


@pytest.mark.parametrize("name, error, where", [
    ("missing-claim.jsonld", RecordError, "#1"),
    ("invalid.jsonld", ParseError, "invalid.jsonld:"),
    ("healthfc-bad-label.csv", RecordError, ":3"),
])
def test_bad_input_is_located_and_changes_nothing(name: str, error: type, where: str, store: ClaimStore) -> None:
    before = len(store)
    with pytest.raises(error) as caught:
        ingest(DATA / "bad" / "factcheck" / name, store)
    assert where in str(caught.value)
    assert len(store) == before


def test_keep_going_skips_the_bad_row_with_a_warning(empty_store: ClaimStore) -> None:
    report = ingest(DATA / "bad" / "factcheck" / "healthfc-bad-label.csv", empty_store, keep_going=True)
    assert report.records == 1 and report.skipped == 1 and "label '7'" in report.warnings[0]


def test_an_rdf_export_naming_claimreview_is_still_read_as_rdf(tmp_path: Path) -> None:
    from oncoclaims.graph.bootstrap import open_store
    from oncoclaims.graph.export import dump

    exported = tmp_path / "graph.ttl"
    with exported.open("wb") as out:
        dump(open_store(memory=True), out, "ttl")
    assert b"ClaimReview" in exported.read_bytes()
    assert ingest(exported, ClaimStore.in_memory()).format == "rdf"
