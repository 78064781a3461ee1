"""The bundled Enteromix reference graph: every fact points back at the article's words."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from oncoclaims import queries
from oncoclaims.graph.store import ClaimStore
from oncoclaims.iris import mint_iri
from oncoclaims.reference import article_text, find_span, load_case, reference_quads
from oncoclaims.vocab import OA, OC, RDF, SCHEMA

SEED = Path(__file__).parents[3] / "shared" / "seeds" / "Enteromix-article.txt"


def _objects(store: ClaimStore, subject, predicate) -> list:
    return [q.object for q in store.quads(subject, predicate)]


def _one(store: ClaimStore, subject, predicate):
    values = _objects(store, subject, predicate)
    assert len(values) == 1, (subject, predicate, values)
    return values[0]


def test_bundled_article_is_the_seed_article() -> None:
    if not SEED.exists():
        pytest.skip(f"{SEED} is not beside the repository")
    assert article_text() == SEED.read_text(encoding="utf-8")


def test_every_span_cut_from_the_article_equals_its_quote(store: ClaimStore) -> None:
    text = article_text()
    selectors = [q.subject for q in store.quads(None, RDF.type, OA.TextPositionSelector)]
    assert len(selectors) >= 13
    for position in selectors:
        start = int(_one(store, position, OA.start).value)
        end = int(_one(store, position, OA.end).value)
        quote_node = position.value.replace("#position", "#quote")
        exact = next(q.object.value for q in store.quads(None, OA.exact) if q.subject.value == quote_node)
        assert text[start:end] == exact


def test_every_claim_has_a_statement_with_a_span_in_the_article(store: ClaimStore) -> None:
    text = article_text()
    claims = [q.subject for q in store.quads(None, RDF.type, OC.Claim)]
    assert len(claims) == 13
    for claim in claims:
        rows = queries.select(store, "claim_sources", claim=claim)
        spans = [row for row in rows if "start" in row]
        assert spans, f"{claim} has no statement with a span"
        for row in spans:
            assert text[int(row["start"].value) : int(row["end"].value)] == row["exact"].value
        assert _objects(store, claim, OC.claimType), f"{claim} has no claim type"
        assert _objects(store, claim, OC.about) == [mint_iri("therapy", "Enteromix")]


def test_every_quote_is_verbatim_in_the_article(store: ClaimStore) -> None:
    text = article_text()
    quotes = [q.object.value for q in store.quads(None, OC.quote)]
    assert len(quotes) >= 10
    for quote in quotes:
        assert quote in text


def test_markers_and_attributions_are_words_near_their_span() -> None:
    case = load_case()
    for claim in case.spec["claim"]:
        for statement in claim.get("statement", []):
            start, end = find_span(case.text, statement["quote"], statement.get("occurrence"))
            window = case.text[max(0, start - 300) : end + 300]
            for word in [*statement.get("hedge", []), *statement.get("hype", [])]:
                assert word.lower() in window.lower(), (claim["key"], word)
            if "attribution" in statement:
                assert statement["attribution"] in window, (claim["key"], statement["attribution"])


def test_the_seed_claims_are_all_there(store: ClaimStore) -> None:
    """The claims the foundation issue lists, with their quantities."""
    by_label = {
        row["label"].value: row["claim"]
        for row in queries.select(store, "claims_about_therapy", therapy=mint_iri("therapy", "Enteromix"))
    }
    total = by_label["Enteromix: total effectiveness against certain cancers"]
    quantity = _one(store, total, OC.quantity)
    assert _one(store, quantity, SCHEMA.value).value == "100"
    mice = by_label["Enteromix: tumours shrink 60 to 80 percent in mice"]
    quantity = _one(store, mice, OC.quantity)
    assert (_one(store, quantity, SCHEMA.minValue).value, _one(store, quantity, SCHEMA.maxValue).value) == ("60", "80")
    assert _one(store, mice, OC.population) == OC["population-mice"]
    trials = by_label["Enteromix: only very early human trials, fewer than fifty volunteers"]
    quantity = _one(store, trials, OC.quantity)
    # "fewer than fifty": an upper bound that excludes fifty, not schema:maxValue ("at most")
    assert _one(store, quantity, OC.maxExclusive).value == "50"
    assert not list(store.inner.quads_for_pattern(quantity, SCHEMA.maxValue, None, None))
    assert _one(store, quantity, OC.qualifier).value == "fewer than"
    assert _one(store, by_label["Enteromix: free of charge to the population"], OC.claimType) == OC["claim-availability"]
    assert _one(store, by_label["Enteromix: no publications in international scientific journals"], OC.claimType) == OC["claim-absence-of-evidence"]
    assert _one(store, by_label["Enteromix: no confirmation from independent experts"], OC.claimType) == OC["claim-absence-of-evidence"]


def test_the_evidence_the_article_describes_has_study_types(store: ClaimStore) -> None:
    evidence = [q.subject for q in store.quads(None, RDF.type, OC.Evidence)]
    types = {_one(store, e, OC.studyType) for e in evidence}
    assert types == {OC["study-animal"], OC["study-early-human-trial"]}


def test_provenance_names_the_bundled_article_with_its_hash(store: ClaimStore) -> None:
    digest = hashlib.sha256(article_text().encode("utf-8")).hexdigest()
    assert [q.object.value for q in store.quads(None, OC.sha256)] == [digest]


def test_building_twice_gives_the_same_quads() -> None:
    assert reference_quads() == reference_quads()
    store = ClaimStore.in_memory()
    store.extend(reference_quads())
    size = len(store)
    store.extend(reference_quads())
    assert len(store) == size


def test_a_quote_missing_from_the_article_is_refused() -> None:
    with pytest.raises(ValueError, match="not found"):
        find_span(article_text(), "Enteromix cures every cancer")
    with pytest.raises(ValueError, match="occurs"):
        find_span(article_text(), "Enteromix")


def test_bundled_real_records_are_loaded_with_provenance_and_conform() -> None:
    from oncoclaims.graph.bootstrap import open_store
    from oncoclaims.iris import mint_iri
    from oncoclaims.ontology import validate_quads
    from oncoclaims.reference import reference_records
    from oncoclaims.vocab import OC, PROV

    store = open_store(memory=True)
    vaccine_trial = mint_iri("trial", "NCT00002475")
    assert {q.object for q in store.inner.quads_for_pattern(vaccine_trial, OC.studyType, None, None)} == {OC["study-phase-2"]}
    metric = mint_iri("pubmed", "22663011")
    assert metric in {q.object for q in store.inner.quads_for_pattern(mint_iri("trial", "NCT01245062"), OC.reportedIn, None, None)}
    documents = {q.object.value for q in store.inner.quads_for_pattern(None, OC.path, None, None)}
    assert {origin for origin, _ in reference_records()} <= documents
    assert len(list(store.inner.quads_for_pattern(None, PROV.wasDerivedFrom, None, None))) >= len(reference_records())
    report = validate_quads(list(store))
    assert report.conforms, report.text()
