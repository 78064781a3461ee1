"""The ontology declares every term we use; the shapes catch broken data, naming node and property."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from typer.testing import CliRunner

from oncoclaims.cli import app
from oncoclaims.ontology import (
    ONTOLOGY_GRAPH,
    jsonld_context,
    ontology_quads,
    ontology_turtle,
    shapes_turtle,
    validate_quads,
)
from oncoclaims.reference import article_text as reference_article_text, reference_quads
from oncoclaims.vocab import CITO, DCTERMS, OA, OC, PREFIXES, PROV, RDF, SCHEMA, SKOS

PACKAGE = Path(__file__).parents[2] / "oncoclaims"
CHECKED = {name: iri for name, iri in PREFIXES.items() if name in {"oc", "schema", "prov", "cito", "oa", "dcterms", "skos"}}


def declared() -> set[str]:
    return {q.subject.value for q in ontology_quads() if q.predicate == RDF.type}


def test_ontology_and_shapes_parse_with_rdflib_and_pyoxigraph() -> None:
    for text in (ontology_turtle(), shapes_turtle()):
        assert len(rdflib.Graph().parse(data=text, format="turtle")) > 100
        assert list(ox.parse(text, ox.RdfFormat.TURTLE))
    assert all(q.graph_name == ONTOLOGY_GRAPH for q in ontology_quads())


def test_every_own_term_has_label_comment_domain_and_range() -> None:
    graph = rdflib.Graph().parse(data=ontology_turtle(), format="turtle")
    owl = rdflib.OWL
    for kind in (owl.Class, owl.ObjectProperty, owl.DatatypeProperty):
        for term in graph.subjects(rdflib.RDF.type, kind):
            if not str(term).startswith(PREFIXES["oc"]):
                continue
            assert graph.value(term, rdflib.RDFS.label), term
            assert graph.value(term, rdflib.RDFS.comment), term
            if kind != owl.Class:
                assert graph.value(term, rdflib.RDFS.domain) is not None, term
                assert graph.value(term, rdflib.RDFS.range) is not None, term


def used_in_code() -> set[str]:
    constants = {"OC": OC, "SCHEMA": SCHEMA, "PROV": PROV, "CITO": CITO, "OA": OA, "DCTERMS": DCTERMS, "SKOS": SKOS}
    used = set()
    for path in PACKAGE.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        for prefix, name in re.findall(r"\b(OC|SCHEMA|PROV|CITO|OA|DCTERMS|SKOS)\.([A-Za-z]\w*)", text):
            used.add(getattr(constants[prefix], name).value)
        for name in re.findall(r'\bOC\["([\w-]+)"\]', text):
            used.add(OC[name].value)
    return used


def used_in_queries() -> set[str]:
    used = set()
    for path in (PACKAGE / "queries").glob("*.rq"):
        text = re.sub(r"#.*", "", path.read_text(encoding="utf-8"))
        text = re.sub(r'"[^"\n]*"', "", text)
        for prefix, name in re.findall(r"\b(oc|schema|prov|cito|oa|dcterms|skos):([A-Za-z][\w-]*)", text):
            used.add(CHECKED[prefix] + name)
    return used


def used_in_reference() -> set[str]:
    used = set()
    for quad in reference_quads():
        used.add(quad.predicate.value)
        if quad.predicate == RDF.type or isinstance(quad.object, ox.NamedNode):
            used.add(quad.object.value)
    return {iri for iri in used if any(iri.startswith(ns) for ns in CHECKED.values())}


@pytest.mark.parametrize("where", [used_in_code, used_in_queries, used_in_reference])
def test_every_term_the_code_queries_and_reference_graph_use_is_declared(where) -> None:
    used = {iri for iri in where() if any(iri.startswith(ns) for ns in CHECKED.values())}
    assert used, "the scan found terms"
    assert sorted(used - declared()) == []


def test_the_bundled_graph_conforms_with_zero_violations() -> None:
    report = validate_quads([*reference_quads(), *ontology_quads()])
    assert report.conforms, report.text()
    assert report.violations == []


def _node(kind: str, key: str) -> ox.NamedNode:
    return next(
        q.subject for q in reference_quads()
        if q.predicate == RDF.type and q.object == kind and key in q.subject.value
    )


def _replace(quads: list[ox.Quad], subject, predicate, new_object=None) -> list[ox.Quad]:
    kept = [q for q in quads if not (q.subject == subject and q.predicate == predicate)]
    graph = next(q.graph_name for q in quads if q.subject == subject)
    if new_object is not None:
        kept.append(ox.Quad(subject, predicate, new_object, graph))
    return kept


def _any_selector(kind: ox.NamedNode) -> ox.Quad:
    return next(q for q in reference_quads() if q.predicate == RDF.type and q.object == kind)


def broken_missing_property(quads):
    claim = _node(OC.Claim, "totally-100")
    return _replace(quads, claim, SCHEMA.text), claim, SCHEMA.text


def broken_datatype(quads):
    selector = _any_selector(OA.TextPositionSelector).subject
    return _replace(quads, selector, OA.start, ox.Literal("ten")), selector, OA.start


def broken_span(quads):
    selector = _any_selector(OA.TextPositionSelector).subject
    too_far = ox.Literal(str(len(reference_article_text()) + 100), datatype=ox.NamedNode(PREFIXES["xsd"] + "integer"))
    return _replace(quads, selector, OA.end, too_far), selector, OA.end


def broken_unknown_class(quads):
    claim = _node(OC.Claim, "totally-100")
    graph = next(q.graph_name for q in quads if q.subject == claim)
    return [*quads, ox.Quad(claim, RDF.type, OC.Clam, graph)], claim, RDF.type


def broken_claim_without_source(quads):
    claim = ox.NamedNode("https://w3id.org/oncoclaims/id/claim/orphan")
    therapy = next(q.object for q in quads if q.predicate == OC.about)
    graph = quads[0].graph_name
    orphan = [
        ox.Quad(claim, RDF.type, OC.Claim, graph),
        ox.Quad(claim, SCHEMA.text, ox.Literal("Enteromix cures everything."), graph),
        ox.Quad(claim, OC.about, therapy, graph),
        ox.Quad(claim, OC.claimType, OC["claim-efficacy"], graph),
    ]
    return [*quads, *orphan], claim, OA.hasBody


def broken_evidence_without_study_type(quads):
    evidence = _node(OC.Evidence, "mouse")
    return _replace(quads, evidence, OC.studyType), evidence, OC.studyType


@pytest.mark.parametrize(
    "breaker",
    [broken_missing_property, broken_datatype, broken_span, broken_unknown_class,
     broken_claim_without_source, broken_evidence_without_study_type],
)
def test_broken_data_is_reported_with_node_and_property(breaker) -> None:
    quads, node, prop = breaker(list(reference_quads()))
    report = validate_quads(quads)
    assert not report.conforms
    prop_text = prop if isinstance(prop, str) else prop.value
    matching = [v for v in report.violations if v.focus_node == node.value and prop_text in (v.path or "")]
    assert matching, report.text()
    assert node.value in report.text() and prop_text in report.text()


def test_cli_validate_names_node_and_property_and_exits_1(tmp_path: Path) -> None:
    quads, node, prop = broken_evidence_without_study_type(list(reference_quads()))
    broken = tmp_path / "broken.nq"
    broken.write_bytes(ox.serialize(quads, format=ox.RdfFormat.N_QUADS))
    result = CliRunner().invoke(app, ["validate", str(broken)])
    assert result.exit_code == 1
    assert node.value in result.output and prop.value in result.output


def test_the_jsonld_context_expands_to_our_terms() -> None:
    context = jsonld_context()
    document = {
        **context,
        "@id": "https://example.org/claim/1",
        "@type": "Claim",
        "text": "Enteromix is effective.",
        "claimType": "oc:claim-efficacy",
        "about": "https://example.org/therapy/enteromix",
    }
    graph = rdflib.Graph().parse(data=json.dumps(document), format="json-ld")
    claim = rdflib.URIRef("https://example.org/claim/1")
    assert (claim, rdflib.RDF.type, rdflib.URIRef(OC.Claim.value)) in graph
    assert (claim, rdflib.URIRef(OC.claimType.value), rdflib.URIRef(OC["claim-efficacy"].value)) in graph
    assert (claim, rdflib.URIRef(OC.about.value), rdflib.URIRef("https://example.org/therapy/enteromix")) in graph
    for term in context["@context"].values():
        iri = term["@id"] if isinstance(term, dict) else term
        if isinstance(iri, str) and iri.startswith("oc:") and iri != "oc:":
            assert PREFIXES["oc"] + iri[3:] in declared(), iri
