"""openFDA records in discovery: the real Drugs@FDA capture for Gleevec becomes a candidate, found
through the names the record carries, named by its application number, tied to its applicant."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from oncoclaims.cli import app

runner = CliRunner()

#: Claims a curator could type about imatinib; "imatinib mesylate" is a name the drug dictionary
#: does not know: only the openFDA record's generic name ties it to the GLEEVEC product.
CLAIMS = """claim_text,claim_type,therapy,population,indication,claimant,source_url,source_type,source_title
Imatinib mesylate tablets control chronic myeloid leukaemia,efficacy,imatinib mesylate,humans,chronic myeloid leukaemia,Novartis,https://example.org/novartis,press-release,Novartis press release
Gleevec works in leukaemia,efficacy,Gleevec,humans,chronic myeloid leukaemia,,https://example.org/news,news-article,Gleevec story
"""


def _check(store: Path, claim: str) -> dict:
    result = runner.invoke(app, ["check", claim, "--json", "--store", str(store)])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_an_fda_decision_is_a_candidate_named_by_its_application_and_tied_to_its_applicant(
        tmp_path: Path, data_dir: Path) -> None:
    store = tmp_path / "store"
    table = tmp_path / "claims.csv"
    table.write_text(CLAIMS, encoding="utf-8")
    record = data_dir / "openfda" / "drugsfda_imatinib_20260811.json"
    assert runner.invoke(app, ["ingest", "--store", str(store), str(record), str(table)]).exit_code == 0
    assert runner.invoke(app, ["discover", "--all", "--store", str(store)]).exit_code == 0

    report = _check(store, "Imatinib mesylate tablets")
    (candidate,) = report["candidates"]
    assert candidate["identifiers"] == ["FDA:NDA021588"]
    assert candidate["kind"] == "decision"
    assert "therapy: imatinib mesylate = GLEEVEC" in candidate["matched_on"]  # through the record's own names
    assert candidate["sponsors"] == ["NOVARTIS"]
    assert candidate["independent"] is False  # the applicant may be the claimant
    assert "1 regulatory decision of this therapy is in the graph" in report["explanation"]

    # the brand, which the dictionary knows, reaches it too; nobody interested is known: unknown
    (candidate,) = _check(store, "Gleevec works")["candidates"]
    assert candidate["identifiers"] == ["FDA:NDA021588"] and candidate["independent"] is None


def test_ingesting_the_record_after_discovery_updates_the_claims_its_names_reach(
        tmp_path: Path, data_dir: Path) -> None:
    store = tmp_path / "store"
    table = tmp_path / "claims.csv"
    table.write_text(CLAIMS, encoding="utf-8")
    assert runner.invoke(app, ["ingest", "--store", str(store), str(table)]).exit_code == 0
    assert runner.invoke(app, ["discover", "--all", "--store", str(store)]).exit_code == 0
    assert _check(store, "Imatinib mesylate tablets")["candidates"] == []
    record = data_dir / "openfda" / "drugsfda_imatinib_20260811.json"
    result = runner.invoke(app, ["ingest", "--store", str(store), str(record)])
    assert "candidates: 2 claims touched, 2 updated" in result.output
    # "imatinib mesylate" is reached only through the generic name the record gives GLEEVEC
    (candidate,) = _check(store, "Imatinib mesylate tablets")["candidates"]
    assert candidate["identifiers"] == ["FDA:NDA021588"]
