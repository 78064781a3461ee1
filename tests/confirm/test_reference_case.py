"""The Enteromix reference case through the confirmation engine, the CLI and the Python API."""

from __future__ import annotations

import json
from pathlib import Path

import networkx as nx
from typer.testing import CliRunner

import oncoclaims
from oncoclaims.cli import app
from oncoclaims.graph.confirmation import claim_statuses, confirmation_report
from oncoclaims.graph.metrics import PAGERANK_TOLERANCE, institution_metrics, pagerank

S = "https://w3id.org/oncoclaims/vocab#status-"


def test_enteromix_effectiveness_is_not_independently_confirmed_and_says_why(store) -> None:
    report = confirmation_report(store, "totally (100 percent) effective")
    assert report.status["iri"] == S + "self-confirmed"
    assert report.independent_confirmations == []
    [trial] = report.evidence
    assert trial["study_type_label"] == "early human trial" and trial["rank"] == 3
    # in the article's terms: the trials are known from official statements, published by the government
    assert "reported in Official statements (official statement), not a confirmatory source type" in trial["reason"]
    assert "publisher Russian government is also publisher of an origin of the claim" in trial["reason"]
    assert report.explanation.startswith("Not independently confirmed")
    assert {s["title"] for s in report.sources if s["origin"]} == {"Official statements", "State media reports"}


def test_no_reference_claim_is_confirmed_and_both_engines_agree(store) -> None:
    sparql = claim_statuses(store, engine="sparql")
    assert len(sparql) == 13
    assert S + "independently-confirmed" not in sparql.values()
    assert sparql == claim_statuses(store, engine="python")


def test_check_cli_human_and_json(tmp_path: Path) -> None:
    runner = CliRunner()
    human = runner.invoke(app, ["check", "60 to 80 percent", "--store", str(tmp_path / "s")])
    assert human.exit_code == 0, human.output
    assert "status: self-confirmed" in human.output and "circular reporting" in human.output
    result = runner.invoke(app, ["check", "totally", "--json", "--store", str(tmp_path / "s")])
    shape = json.loads(result.output)
    assert {"claim", "status", "explanation", "sources", "origins", "evidence", "independent_confirmations"} <= set(shape)
    missing = runner.invoke(app, ["check", "no such words anywhere", "--store", str(tmp_path / "s")])
    assert missing.exit_code == 1 and "error: no claim mentions" in missing.output
    several = runner.invoke(app, ["check", "Enteromix", "--store", str(tmp_path / "s")])
    assert several.exit_code == 1 and "claims mention 'Enteromix'; name one by IRI" in several.output


def test_metrics_cli_csv(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["metrics", "--format", "csv", "--store", str(tmp_path / "s")])
    assert result.exit_code == 0, result.output
    assert "# institutions" in result.output and "Russian researchers" in result.output


def test_public_python_api(store) -> None:
    graph = oncoclaims.to_networkx(store)
    assert isinstance(graph, nx.MultiDiGraph)
    kinds = nx.get_node_attributes(graph, "kind")
    assert sum(1 for k in kinds.values() if k == "Claim") == 13
    rows = {row["label"]: row for row in institution_metrics(store)}
    # the efficacy claim and the three mechanism claims (the article names no claimant for the
    # mouse results, only the press that reported them)
    assert rows["Russian researchers"]["claims_made"] >= 4
    assert rows["Russian researchers"]["share_independently_confirmed"] == 0.0


def test_pagerank_converges_on_a_large_graph() -> None:
    # a graph large enough that networkx's default tolerance (multiplied by the node
    # count) stops after almost no iterations and returns ranks far from the fixed point
    graph = nx.barabasi_albert_graph(200_000, 2, seed=7)
    ours = pagerank(graph)
    loose = nx.pagerank(graph)  # tol=1e-6 * 200k: stops almost at once
    reference = nx.pagerank(graph, tol=PAGERANK_TOLERANCE / 10 / len(graph), max_iter=2000)
    ours_error = sum(abs(ours[n] - reference[n]) for n in graph)
    loose_error = sum(abs(loose[n] - reference[n]) for n in graph)
    assert ours_error < 1e-8
    assert loose_error > 100 * ours_error
