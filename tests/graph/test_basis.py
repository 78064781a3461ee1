"""The basis of every curated link: the reference graph gives one for each, every quote is
verbatim in its document, the report marks verdicts that rest on inferences, and validate
warns about links with neither."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path

import pyoxigraph as ox
import pytest
from typer.testing import CliRunner

from oncoclaims.cli import app
from oncoclaims.errors import RecordError
from oncoclaims.graph.basis import CURATED_LINKS, is_curated_graph, unbased_links
from oncoclaims.graph.bootstrap import open_store
from oncoclaims.graph.confirmation import confirmation_report
from oncoclaims.reference import ReferenceCase, _Builder, load_case
from oncoclaims.vocab import DCTERMS, OC, PREFIXES, RDF

ROOT = Path(__file__).resolve().parents[2]
CURATED = {PREFIXES[c.split(":")[0]] + c.split(":")[1] for c in CURATED_LINKS}


@pytest.fixture(scope="module")
def reference():
    return open_store(memory=True)


def _curated_graphs(store) -> set[ox.NamedNode]:
    """The reference graph and every graph that gives bases (the curated BRCA1 file)."""
    graphs = {q.graph_name for q in store.inner.quads_for_pattern(None, RDF.subject, None, None)}
    return graphs | {g for g in store.named_graphs() if is_curated_graph(g.value)}


def test_every_curated_link_of_the_reference_graph_has_a_basis(reference) -> None:
    graphs = _curated_graphs(reference)
    links = [q for q in reference if q.graph_name in graphs and q.predicate.value in CURATED]
    assert len(graphs) == 2 and len(links) > 50  # the Enteromix case and the BRCA1 replication
    assert unbased_links(list(reference)) == []
    kinds = {q.object for q in reference.inner.quads_for_pattern(None, RDF.type, None, None)
             if q.object in (OC.StatedLink, OC.InferredLink)}
    assert kinds == {OC.StatedLink, OC.InferredLink}
    for quad in reference.inner.quads_for_pattern(None, RDF.type, OC.InferredLink, None):
        assert list(reference.inner.quads_for_pattern(quad.subject, OC.basisReason, None, None)), quad.subject
        assert list(reference.inner.quads_for_pattern(quad.subject, OC.quote, None, None)), quad.subject


def _normalised(text: str) -> str:
    return " ".join(text.split())


def _document_text(path: Path) -> str:
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".json":  # the record's words: its string values, unescaped
        values: list[str] = []

        def walk(node: object) -> None:
            if isinstance(node, str):
                values.append(node)
            elif isinstance(node, dict):
                for value in node.values():
                    walk(value)
            elif isinstance(node, list):
                for value in node:
                    walk(value)

        walk(json.loads(text))
        text = "\n".join(values)
    return _normalised(text)


def test_every_basis_quote_is_verbatim_in_its_document_in_the_repository(reference) -> None:
    checked = 0
    for quad in reference.inner.quads_for_pattern(None, RDF.subject, None, None):
        node = quad.subject
        (document,) = [q.object.value for q in reference.inner.quads_for_pattern(node, DCTERMS.source, None, None)]
        path = ROOT / document
        assert path.is_file(), f"{document} is not in the repository"
        text = _document_text(path)
        for q in reference.inner.quads_for_pattern(node, OC.quote, None, None):
            assert _normalised(q.object.value) in text, (document, q.object.value)
            checked += 1
    assert checked > 50


def test_the_case_file_refuses_a_link_without_a_basis() -> None:
    case = load_case()
    spec = copy.deepcopy(case.spec)
    spec["basis"] = [b for b in spec["basis"] if (b["subject"], b["link"]) != ("state-media", "controlled_by")]
    with pytest.raises(RecordError, match="state-media controlled_by russian-government.*this link has no basis"):
        _Builder(ReferenceCase(spec, case.text, case.file)).build()
    spec = copy.deepcopy(case.spec)
    spec["basis"][0]["quote"] = "The results reported by the Russian press sound modest."
    with pytest.raises(RecordError, match="basis quote is not in enteromix-article.txt"):
        _Builder(ReferenceCase(spec, case.text, case.file)).build()


def test_the_report_says_which_inferences_a_verdict_rests_on(reference) -> None:
    report = confirmation_report(reference, "totally (100 percent) effective").to_dict()
    assert report["status"]["label"] == "self-confirmed"
    (trial,) = report["evidence"]
    assert [i["text"] for i in trial["inferences"]] == [
        "Very early Enteromix trials in people supports Enteromix: total effectiveness against certain cancers",
        "Very early Enteromix trials in people is reported in Official statements",
        "Official statements is published by Russian government",
    ]
    assert all(i["reason"] and i["quotes"] for i in trial["inferences"])
    # circular reporting rests on the tie of its origins: state media controlled by the government
    assert "State media is controlled by Russian government" in {i["text"] for i in report["inferences"]}
    assert "This rests on 4 inferences" in report["explanation"]
    # the mouse results are stated in the article; only where they were reported is read
    mice = confirmation_report(reference, "shrinks tumours by 60").to_dict()
    assert [i["text"] for i in mice["evidence"][0]["inferences"]] == [
        "Enteromix studies in mice is reported in Reports in the Russian press"]


def test_check_prints_what_a_verdict_rests_on(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["check", "H1746N", "--store", str(tmp_path / "s")])
    assert result.exit_code == 0, result.output
    assert "status: independence unknown" in result.output
    assert "    rests on 2 inferences: BRCT domain stability" in result.output


def test_validate_warns_about_a_claims_table_row_without_basis(tmp_path: Path) -> None:
    table = tmp_path / "claims.csv"
    table.write_text("claim_text,therapy,claimant,source_title,quote,basis_reason\n"
                     "X works.,X,Company,Company news,,\n"
                     "X works.,X,Company,Company blog,X works,\n"
                     "X works.,X,Company,Other news,X works,read from the headline\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["validate", str(table)])
    assert result.exit_code == 0, result.output
    warnings = [line for line in result.output.splitlines() if line.startswith("warning:")]
    assert len(warnings) == 1
    assert re.search(r"claims.csv:2 record row 1: the row's links \(claimedBy, hasSource\) have no basis", warnings[0])
    example = CliRunner().invoke(app, ["validate", str(ROOT / "examples" / "claims-table.csv")])
    assert "warning" not in example.output


def test_validate_warns_about_an_unbased_link_in_a_curated_graph(tmp_path: Path) -> None:
    turtle = tmp_path / "curated.trig"
    turtle.write_text("""
@prefix oc: <https://w3id.org/oncoclaims/vocab#> .
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
<https://w3id.org/oncoclaims/graph/table/mine> {
  <https://example.org/a> oc:controlledBy <https://example.org/b> .
  <https://example.org/c> oc:controlledBy <https://example.org/d> .
  [] a oc:StatedLink ; rdf:subject <https://example.org/c> ; rdf:predicate oc:controlledBy ;
     rdf:object <https://example.org/d> ; oc:quote "C is run by D" .
}""", encoding="utf-8")
    result = CliRunner().invoke(app, ["validate", str(turtle)])
    warnings = [line for line in result.output.splitlines() if line.startswith("warning:")]
    assert warnings == ["warning: curated link with no basis (no quote, no inference): <https://example.org/a> "
                        "<https://w3id.org/oncoclaims/vocab#controlledBy> <https://example.org/b> in "
                        "<https://w3id.org/oncoclaims/graph/table/mine>"]
