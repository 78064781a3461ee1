"""openFDA answers: the real Drugs@FDA and label captures, checked against an independent json read;
broken and hostile variants of them are refused with their place named, and write nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pyoxigraph import Literal, NamedNode

from oncoclaims.errors import FormatError, ParseError, RecordError
from oncoclaims.graph.store import ClaimStore
from oncoclaims.ingest import detect_format, ingest, ingest_bytes
from oncoclaims.iris import mint_graph_iri, mint_iri
from oncoclaims.ontology import ontology_quads, validate_quads
from oncoclaims.vocab import DCTERMS, OC, PROV, RDF, RDFS, SCHEMA, SKOS

DATA = Path(__file__).parents[1] / "data"
DRUGSFDA = DATA / "openfda" / "drugsfda_imatinib_20260811.json"
LABEL = DATA / "openfda" / "label_keytruda_20260811.json"


def objects(store: ClaimStore, subject, predicate) -> set:
    return {q.object for q in store.inner.quads_for_pattern(subject, predicate, None, None)}


def values(store: ClaimStore, subject, predicate) -> set[str]:
    return {o.value for o in objects(store, subject, predicate)}


def the(store: ClaimStore, subject, predicate):
    (found,) = objects(store, subject, predicate)
    return found


def test_a_drugsfda_application_is_a_dated_decision_by_the_fda_sponsored_by_the_applicant(
        empty_store: ClaimStore) -> None:
    report = ingest(DRUGSFDA, empty_store)
    assert report.format == "openfda-json" and report.records == 1
    assert any("1 results of 17" in w for w in report.warnings)  # the capture is one page of the answer
    result = json.loads(DRUGSFDA.read_bytes())["results"][0]
    submission = result["submissions"][0]
    decisions = [q.subject for q in empty_store.inner.quads_for_pattern(None, OC.studyType, OC["study-regulatory-decision"], None)]
    assert len(decisions) == 1
    decision = decisions[0]
    assert values(empty_store, decision, OC.decision) == {"approved"}  # status AP
    therapy = the(empty_store, decision, OC.intervention)
    assert values(empty_store, therapy, RDFS.label) == {result["products"][0]["brand_name"]}
    assert values(empty_store, therapy, SKOS.altLabel) == {
        result["products"][0]["active_ingredients"][0]["name"], *result["openfda"]["generic_name"]}
    sponsor = the(empty_store, decision, OC.sponsor)
    assert values(empty_store, sponsor, RDFS.label) == {result["sponsor_name"]}
    regulator = the(empty_store, decision, OC.regulator)
    assert objects(empty_store, regulator, OC.institutionKind) == {OC["kind-regulator"]}
    source = the(empty_store, decision, OC.reportedIn)
    assert objects(empty_store, source, OC.sourceType) == {OC["source-regulatory-decision"]}
    raw = submission["submission_status_date"]
    assert values(empty_store, source, DCTERMS.date) == {f"{raw[:4]}-{raw[4:6]}-{raw[6:]}"}
    assert the(empty_store, source, DCTERMS.publisher) == regulator
    letters = {d["url"] for d in submission["application_docs"] if d["type"] == "Letter"}
    assert {o.value for o in objects(empty_store, source, RDFS.seeAlso)} == letters
    assert ingest(DRUGSFDA, empty_store).quads_added == 0  # re-ingest changes nothing


def test_a_label_names_each_brand_with_its_generic_names(empty_store: ClaimStore) -> None:
    report = ingest(LABEL, empty_store)
    assert report.format == "openfda-json" and report.records == 2
    for result in json.loads(LABEL.read_bytes())["results"]:
        source = mint_iri("source", "fda-label", result["set_id"])
        assert objects(empty_store, source, OC.sourceType) == {OC["source-drug-label"]}
        assert values(empty_store, source, DCTERMS.identifier) == {"spl-set-id:" + result["set_id"]}
        therapy = the(empty_store, source, SCHEMA.about)
        assert values(empty_store, therapy, RDFS.label) == set(result["openfda"]["brand_name"])
        assert values(empty_store, therapy, SKOS.altLabel) == set(result["openfda"]["generic_name"])
    # a label is no study: it gives no evidence
    assert not list(empty_store.inner.quads_for_pattern(None, RDF.type, OC.Evidence, None))
    assert ingest(LABEL, empty_store).quads_added == 0


def test_openfda_answers_conform_to_the_shapes_and_are_detected_by_content(empty_store: ClaimStore) -> None:
    for path in (DRUGSFDA, LABEL):
        assert detect_format(path.read_bytes(), "answer.bin").name == "openfda-json"
        ingest(path, empty_store)
    assert validate_quads([*empty_store, *ontology_quads()]).conforms
    # and other JSON records are not taken for openFDA answers
    for other in ("ctgov/v2/biomcp/search_keytruda_limit3_20260811.json", "crossref/10.1136_esmoopen-2020-000776.json"):
        assert detect_format((DATA / other).read_bytes(), other).name != "openfda-json"


def _changed(path: Path, change) -> bytes:
    body = json.loads(path.read_bytes())
    change(body)
    return json.dumps(body, indent=2).encode()


def _set(path: list, value):
    def change(body):
        node = body
        for key in path[:-1]:
            node = node[key]
        if value is KeyError:
            del node[path[-1]]
        else:
            node[path[-1]] = value
    return change


def _without_set_id(body: dict) -> None:
    del body["results"][1]["set_id"]
    del body["results"][1]["openfda"]["spl_set_id"]


BAD = [
    ("truncated", lambda: DRUGSFDA.read_bytes()[:700], ParseError, "truncated"),
    ("not UTF-8", lambda: DRUGSFDA.read_bytes().replace(b"GLEEVEC", b"GLEEV\xc9C", 1), ParseError, "UTF-8"),
    ("nested 100,000 deep", lambda: b'{"results": [{"application_number": "NDA021588", "x": '
     + b"[" * 100_000 + b"]" * 100_000 + b"}]}", ParseError, "nested"),
    ("no application number", lambda: _changed(DRUGSFDA, _set(["results", 0, "application_number"], KeyError)),
     RecordError, "results[0]"),
    ("application number of junk", lambda: _changed(DRUGSFDA, _set(["results", 0, "application_number"], "DROP TABLE")),
     RecordError, "application_number"),
    ("products not a list", lambda: _changed(DRUGSFDA, _set(["results", 0, "products"], "GLEEVEC")),
     RecordError, "products is a str"),
    ("a date that is not one", lambda: _changed(
        DRUGSFDA, _set(["results", 0, "submissions", 0, "submission_status_date"], "20031399")),
     RecordError, "20031399"),
    ("generic names not strings", lambda: _changed(LABEL, _set(["results", 1, "openfda", "generic_name"], [{"a": 1}])),
     RecordError, "generic_name"),
    ("label without set id", lambda: _changed(LABEL, _without_set_id), RecordError, "set_id"),
    ("results not a list", lambda: _changed(LABEL, _set(["results"], {"set_id": "x"})), ParseError, "results"),
]


@pytest.mark.parametrize("name, make, error, where", BAD, ids=[b[0] for b in BAD])
def test_broken_and_hostile_answers_are_refused_with_their_place_and_write_nothing(
        name: str, make, error: type, where: str, store: ClaimStore) -> None:
    before = len(store)
    with pytest.raises(error) as raised:
        ingest_bytes(make(), "answer.json", store, fmt="openfda-json")
    assert where in str(raised.value) and "answer.json" in str(raised.value)
    assert len(store) == before


def test_an_empty_answer_is_refused(store: ClaimStore) -> None:
    with pytest.raises(FormatError, match="empty"):
        ingest_bytes(b"  \n", "answer.json", store, fmt="openfda-json")
    with pytest.raises(RecordError, match="no usable openfda-json record"):
        ingest_bytes(b'{"meta": {}, "results": []}', "answer.json", store, fmt="openfda-json")


def test_an_application_without_a_decision_still_gives_its_names(empty_store: ClaimStore) -> None:
    # the real record with its submission left out: the names stay, no decision is made up
    data = _changed(DRUGSFDA, _set(["results", 0, "submissions"], []))
    ingest_bytes(data, "answer.json", empty_store)
    assert not list(empty_store.inner.quads_for_pattern(None, RDF.type, OC.Evidence, None))
    therapy = mint_iri("therapy", "GLEEVEC")
    assert Literal("IMATINIB MESYLATE") in objects(empty_store, therapy, SKOS.altLabel)
    assert NamedNode(OC.Therapy.value) in objects(empty_store, therapy, RDF.type)


def test_a_label_without_set_id_is_named_by_its_openfda_spl_set_id(empty_store: ClaimStore) -> None:
    body = json.loads(LABEL.read_bytes())
    set_id = body["results"][1].pop("set_id")  # the same id is in openfda.spl_set_id
    ingest_bytes(json.dumps(body).encode(), "answer.json", empty_store)
    graphs = {q.graph_name for q in empty_store.inner.quads_for_pattern(
        mint_iri("source", "fda-label", set_id), None, None, None)}
    assert graphs == {mint_graph_iri("openfda", "label", set_id)}
    # and the provenance record names that graph as derived from the answer
    derived = {q.subject for q in empty_store.inner.quads_for_pattern(None, PROV.wasDerivedFrom, None, None)}
    assert mint_graph_iri("openfda", "label", set_id) in derived
