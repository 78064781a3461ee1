"""GraphML and RDF exports: valid GraphML that networkx and igraph read with the same counts."""

from __future__ import annotations

import io
from pathlib import Path

import igraph
import networkx as nx
import pyoxigraph as ox
import pytest
from lxml import etree
from typer.testing import CliRunner

from oncoclaims.cli import app
from oncoclaims.graph.analysis import STATUS_PREFIX
from oncoclaims.graph.bootstrap import open_store
from oncoclaims.graph.confirmation import claim_statuses
from oncoclaims.graph.export import dump, write_graphml
from oncoclaims.graph.metrics import institution_metrics

XSD = Path(__file__).parents[1] / "data" / "graphml-xsd" / "graphml.xsd"
CLAIM = "https://w3id.org/oncoclaims/id/claim/enteromix-enteromix-is-totally-100-perce-df88103e2ae65e19"


@pytest.fixture(scope="module")
def schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(XSD), etree.XMLParser(no_network=True)))


@pytest.fixture(scope="module")
def bundled():
    return open_store(memory=True)


def export(store, **options) -> tuple[bytes, int, int]:
    out = io.BytesIO()
    nodes, edges = write_graphml(store, out, **options)
    return out.getvalue(), nodes, edges


@pytest.mark.parametrize("options", [{}, {"claim": CLAIM, "depth": 2}], ids=["whole", "claim"])
def test_graphml_is_valid_and_reads_back_with_equal_counts(bundled, schema, options, tmp_path: Path) -> None:
    data, nodes, edges = export(bundled, **options)
    assert schema.validate(etree.fromstring(data)), schema.error_log.last_error
    path = tmp_path / "g.graphml"
    path.write_bytes(data)
    graph = nx.read_graphml(path)
    assert (graph.number_of_nodes(), graph.number_of_edges()) == (nodes, edges)
    other = igraph.Graph.Read_GraphML(str(path))
    assert (other.vcount(), other.ecount()) == (nodes, edges)


def test_graphml_carries_typed_attributes_the_tools_show(bundled) -> None:
    data, _, _ = export(bundled)
    graph = nx.read_graphml(io.BytesIO(data))
    by_iri = {d["iri"]: d for _, d in graph.nodes(data=True)}
    claim = by_iri[CLAIM]
    assert claim["kind"] == "Claim" and claim["label"].startswith("Enteromix: total effectiveness")
    assert by_iri["https://w3id.org/oncoclaims/vocab#level-randomised"]["rank"] == 5  # an int key
    assert isinstance(by_iri["https://w3id.org/oncoclaims/vocab#source-trial-results"]["confirmatory"], bool)
    assert {d["label"] for _, _, d in graph.edges(data=True)} >= {"hasBody", "hasSource", "supports"}


def test_every_claim_carries_its_status_and_institutions_their_metrics(bundled, schema) -> None:
    data, _, _ = export(bundled, metrics=True)
    assert schema.validate(etree.fromstring(data)), schema.error_log.last_error
    graph = nx.read_graphml(io.BytesIO(data))
    by_iri = {d["iri"]: d for _, d in graph.nodes(data=True)}
    statuses = claim_statuses(bundled)
    assert statuses, "the bundled graph has claims"
    for claim, status in statuses.items():
        assert by_iri[claim]["status"] == status.removeprefix(STATUS_PREFIX), claim
    assert by_iri[CLAIM]["status"] != "independently-confirmed"
    assert not any("status" in d for iri, d in by_iri.items() if iri not in statuses)
    rows = institution_metrics(bundled)
    assert rows, "the bundled graph has institutions"
    for row in rows:
        node = by_iri[row["institution"]]
        assert isinstance(node["pagerank"], float)
        assert node["pagerank"] == pytest.approx(row["pagerank"])
        assert node["betweenness"] == pytest.approx(row["betweenness"])
        assert node["claims_made"] == row["claims_made"]
        assert node["amplification"] == row["amplification"]
        share = row["share_independently_confirmed"]
        expected = None if share is None else pytest.approx(share)
        assert node.get("share_independently_confirmed") == expected
    without, _, _ = export(bundled)
    assert b'key="pagerank">' not in without, "metrics only when asked for"


def test_a_neighbourhood_gives_its_claims_their_own_status(bundled) -> None:
    data, _, _ = export(bundled, claim=CLAIM, depth=3, metrics=True)
    graph = nx.read_graphml(io.BytesIO(data))
    by_iri = {d["iri"]: d for _, d in graph.nodes(data=True)}
    statuses = claim_statuses(bundled)
    claims = [iri for iri in by_iri if iri in statuses]
    assert CLAIM in claims
    for claim in claims:
        assert by_iri[claim]["status"] == statuses[claim].removeprefix(STATUS_PREFIX)
    assert any("pagerank" in d for d in by_iri.values())


def test_claim_neighbourhood_holds_the_claim_its_sources_and_evidence(bundled) -> None:
    data, nodes, _ = export(bundled, claim=CLAIM, depth=3)
    iris = {d["iri"] for _, d in nx.read_graphml(io.BytesIO(data)).nodes(data=True)}
    assert CLAIM in iris
    assert "https://w3id.org/oncoclaims/id/source/official-statements" in iris
    assert any("/evidence/" in iri for iri in iris)
    assert nodes < 200, "a neighbourhood, not the whole graph"


@pytest.mark.parametrize("fmt, rdf_format, quads", [
    ("nq", ox.RdfFormat.N_QUADS, True), ("trig", ox.RdfFormat.TRIG, True), ("ttl", ox.RdfFormat.TURTLE, False)])
def test_rdf_dumps_round_trip(bundled, fmt: str, rdf_format: ox.RdfFormat, quads: bool) -> None:
    out = io.BytesIO()
    dump(bundled, out, fmt)
    parsed = list(ox.parse(out.getvalue(), rdf_format))
    if quads:
        assert set(parsed) == set(bundled)
    else:
        assert len(set(parsed)) == len({(q.subject, q.predicate, q.object) for q in bundled})


def test_cli_export_writes_files(tmp_path: Path) -> None:
    store = str(tmp_path / "s")
    result = CliRunner().invoke(app, ["export", "graphml", str(tmp_path / "g.graphml"), "--claim", "totally", "--store", store])
    assert result.exit_code == 0, result.output
    assert nx.read_graphml(tmp_path / "g.graphml").number_of_nodes() > 5
    result = CliRunner().invoke(app, ["export", "ttl", str(tmp_path / "g.ttl"), "--claim", "x", "--store", store])
    assert result.exit_code == 1 and "--claim applies to graphml only" in result.output


def test_cli_export_with_metrics_and_without_status(tmp_path: Path) -> None:
    store, target = tmp_path / "store", tmp_path / "g.graphml"
    runner = CliRunner()
    done = runner.invoke(
        app, ["export", "graphml", str(target), "--metrics", "--no-status", "--store", str(store)])
    assert done.exit_code == 0, done.output
    assert b'key="pagerank">' in target.read_bytes() and b'key="status">' not in target.read_bytes()
    refused = runner.invoke(
        app, ["export", "ttl", str(tmp_path / "g.ttl"), "--metrics", "--store", str(store)])
    assert refused.exit_code != 0 and "--metrics applies to graphml only" in refused.output


def test_a_failed_export_keeps_the_earlier_file_and_leaves_no_partial_one(tmp_path: Path) -> None:
    store = str(tmp_path / "s")
    target = tmp_path / "g.graphml"
    result = CliRunner().invoke(
        app, ["export", "graphml", str(target), "--claim", "totally", "--store", store])
    assert result.exit_code == 0, result.output
    earlier = target.read_bytes()
    result = CliRunner().invoke(app, ["export", "graphml", str(target), "--claim", "https://example.org/no-such-claim",
                                      "--store", store])
    assert result.exit_code == 1 and "no claim" in result.output
    assert target.read_bytes() == earlier
    assert sorted(p.name for p in tmp_path.iterdir()) == ["g.graphml", "s"]
    fresh = tmp_path / "never.graphml"
    result = CliRunner().invoke(app, ["export", "graphml", str(fresh), "--claim", "https://example.org/no-such-claim",
                                      "--store", store])
    assert result.exit_code == 1 and not fresh.exists()


def test_exporting_into_a_missing_folder_is_a_clear_error(tmp_path: Path) -> None:
    store = str(tmp_path / "s")
    missing = tmp_path / "no" / "such" / "x.nq"
    result = CliRunner().invoke(app, ["export", "nq", str(missing), "--store", store])
    assert result.exit_code == 1
    assert "x.nq: cannot write the file: No such file or directory" in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
