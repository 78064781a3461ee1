"""Crossref works: every sample, facts checked against an independent json read."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pyoxigraph import Literal, NamedNode

from oncoclaims.errors import FormatError, ParseError, RecordError
from oncoclaims.graph.store import ClaimStore
from oncoclaims.ingest import ingest
from oncoclaims.iris import mint_iri
from oncoclaims.ontology import ontology_quads, validate_quads
from oncoclaims.vocab import DCTERMS, OC

DATA = Path(__file__).parents[1] / "data"
SAMPLES = sorted((DATA / "crossref").glob("*.json"))
LABEL = NamedNode("http://www.w3.org/2000/01/rdf-schema#label")


def objects(store: ClaimStore, subject, predicate) -> set:
    return {q.object for q in store.inner.quads_for_pattern(subject, predicate, None, None)}


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.name)
def test_every_sample_matches_an_independent_read(path: Path, empty_store: ClaimStore) -> None:
    report = ingest(path, empty_store)
    assert report.format == "crossref-json" and report.records == 1
    work = json.loads(path.read_bytes())["message"]
    source = mint_iri("doi", work["DOI"].lower())
    assert objects(empty_store, source, OC.doi) == {Literal(work["DOI"].lower())}
    assert objects(empty_store, source, DCTERMS.title) == {Literal(work["title"][0])}
    assert len(objects(empty_store, source, DCTERMS.creator)) == len({
        a.get("ORCID") or f"{a.get('given')} {a.get('family')}" for a in work.get("author", [])})
    funders = {f["name"] for f in work.get("funder") or []}
    assert {q.object.value for f in objects(empty_store, source, OC.funder)
            for q in empty_store.inner.quads_for_pattern(f, LABEL, None, None)} == funders
    awards = {a for f in work.get("funder") or [] for a in f.get("award", [])}
    assert {o.value for o in objects(empty_store, source, OC.grantId)} == awards
    for update in work.get("updated-by") or []:
        if update["type"] == "correction":
            assert mint_iri("doi", update["DOI"].lower()) in objects(empty_store, source, OC.correctedBy)
    assert ingest(path, empty_store).quads_added == 0


def test_ingested_works_conform_to_the_shapes(empty_store: ClaimStore) -> None:
    for path in SAMPLES:
        ingest(path, empty_store)
    assert validate_quads([*empty_store, *ontology_quads()]).conforms


@pytest.mark.parametrize("name, error, where", [
    ("invalid.json", ParseError, "invalid.json:"),
    ("missing-doi.json", RecordError, "#1"),
    ("empty.json", FormatError, "empty"),
])
def test_bad_input_is_located_and_changes_nothing(name: str, error: type, where: str, store: ClaimStore) -> None:
    before = len(store)
    with pytest.raises(error) as caught:
        ingest(DATA / "bad" / "crossref" / name, store, fmt=None if name == "empty.json" else "crossref-json")
    assert where in str(caught.value)
    assert len(store) == before
