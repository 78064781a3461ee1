"""`oncoclaims discover` and `oncoclaims review` on a store on disk; candidates over real HTTP."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
from app_server import serving
from curated_claims import CLAIMS
from typer.testing import CliRunner

from oncoclaims.api import create_app
from oncoclaims.cli import app
from oncoclaims.discover import discover_claims
from oncoclaims.graph.confirmation import find_claim

runner = CliRunner()


def _run(*args: str) -> object:
    return runner.invoke(app, list(args))


def _store_with_records(tmp_path: Path, data_dir: Path) -> Path:
    store = tmp_path / "store"
    table = tmp_path / "claims.csv"
    table.write_text(CLAIMS, encoding="utf-8")
    files = [data_dir / "ctgov/xml/NCT01642004.xml", data_dir / "ctgov/xml/NCT02481830.xml", table]
    result = _run("ingest", "--store", str(store), *map(str, files))
    assert result.exit_code == 0, result.output
    return store


def test_discover_review_and_withdraw_from_the_command_line(tmp_path: Path, data_dir: Path) -> None:
    store = _store_with_records(tmp_path, data_dir)
    result = _run("discover", "--all", "--store", str(store))
    assert result.exit_code == 0, result.output
    assert "claims' candidates written, 0 unchanged" in result.output
    again = _run("discover", "--all", "--store", str(store))
    assert " 0 claims' candidates written" in again.output

    claim = "Nivolumab extends survival in small-cell"
    checked = _run("check", claim, "--json", "--store", str(store))
    report = json.loads(checked.output)
    assert [c["identifiers"] for c in report["candidates"]] == [["NCT:NCT02481830"], ["NCT:NCT01642004"]]
    assert report["candidates"][0]["sponsors"] == ["Bristol-Myers Squibb", "Ono Pharmaceutical Co. Ltd"]

    reviewed = _run("review", claim, "NCT02481830", "supports", "--by", "Ann Reviewer", "--store", str(store))
    assert reviewed.exit_code == 0, reviewed.output
    assert "supports, judged by Ann Reviewer" in reviewed.output and "status now self-confirmed" in reviewed.output
    withdrawn = _run("review", claim, "NCT02481830", "--withdraw", "--store", str(store))
    assert "review withdrawn; status now unconfirmed" in withdrawn.output


def test_bad_input_gives_a_clear_error_and_exit_1(tmp_path: Path, data_dir: Path) -> None:
    store = _store_with_records(tmp_path, data_dir)
    unknown = _run("discover", "no such claim about enteromix-9", "--store", str(store))
    assert unknown.exit_code == 1 and "error: no claim mentions" in unknown.output
    neither = _run("discover", "--store", str(store))
    assert neither.exit_code == 2 and "name a claim or source, or give --all" in neither.output
    verdict = _run("review", "Opdivo extends", "NCT01642004", "--store", str(store))
    assert verdict.exit_code == 1 and "give a verdict" in verdict.output
    missing = _run("review", "Opdivo extends", "NCT00000001", "supports", "--by", "A", "--store", str(store))
    assert missing.exit_code == 1 and "no record" in missing.output


def test_the_claim_report_over_http_has_the_candidates(records_store, tmp_path: Path) -> None:
    claim = find_claim(records_store, "Toca 511 helps")
    discover_claims(records_store, [claim])
    with serving(create_app(records_store)) as base:
        answer = httpx.get(f"{base}/claims/{claim}", timeout=60)
    assert answer.status_code == 200, answer.text
    (candidate,) = answer.json()["candidates"]
    assert candidate["identifiers"] == ["NCT:NCT02576665"]
    assert candidate["sponsors"] == ["Tocagen Inc."] and candidate["independent"] is False


def test_ingesting_a_new_record_updates_only_the_claims_it_touches(tmp_path: Path, data_dir: Path) -> None:
    store = tmp_path / "store"
    table = tmp_path / "claims.csv"
    table.write_text(CLAIMS, encoding="utf-8")
    assert _run("ingest", "--store", str(store), str(data_dir / "ctgov/xml/NCT01642004.xml"), str(table)).exit_code == 0
    assert _run("discover", "--all", "--store", str(store)).exit_code == 0
    claim = "Keytruda shrinks"
    assert json.loads(_run("check", claim, "--json", "--store", str(store)).output)["candidates"] == []

    page = str(data_dir / "ctgov/v2/biomcp/search_keytruda_limit3_20260811.json")
    added = _run("ingest", "--store", str(store), page)
    assert "candidates: 1 claims touched, 1 updated" in added.output  # the Keytruda claim only
    after = json.loads(_run("check", claim, "--json", "--store", str(store)).output)["candidates"]
    assert {i for c in after for i in c["identifiers"]} == {"NCT:NCT05431270", "NCT:NCT03590054", "NCT:NCT04795661"}

    again = _run("ingest", "--store", str(store), page)
    assert "candidates:" not in again.output  # re-ingesting unchanged records creates no work


def test_review_over_http_needs_the_write_token_and_changes_the_status(records_store) -> None:
    from oncoclaims.api.settings import ServerSettings

    claim = find_claim(records_store, "Nivolumab extends survival in small-cell")
    body = {"claim": claim, "record": "NCT02481830", "verdict": "supports", "by": "Ann Reviewer"}
    with serving(create_app(records_store, ServerSettings(update_token="s3cret-token"))) as base:
        refused = httpx.post(f"{base}/reviews", json=body, timeout=60)
        assert refused.status_code == 401
        auth = {"Authorization": "Bearer s3cret-token"}
        bad = httpx.post(f"{base}/reviews", json={**body, "verdict": "approve"}, headers=auth, timeout=60)
        assert bad.status_code == 422
        done = httpx.post(f"{base}/reviews", json=body, headers=auth, timeout=60)
        assert done.status_code == 200, done.text
        assert done.json()["by"] == "Ann Reviewer" and done.json()["status"].endswith("self-confirmed")
        report = httpx.get(f"{base}/claims/{claim}", timeout=60).json()
        assert report["status"]["label"] == "self-confirmed"
        withdrawn = httpx.delete(f"{base}/reviews", params={"claim": claim, "record": "NCT02481830"},
                                 headers=auth, timeout=60)
        assert withdrawn.status_code == 200 and withdrawn.json()["status"].endswith("unconfirmed")
        again = httpx.delete(f"{base}/reviews", params={"claim": claim, "record": "NCT02481830"},
                             headers=auth, timeout=60)
        assert again.status_code == 404


def test_metrics_count_claims_candidates_and_independent_ones_per_therapy_and_institution(
    tmp_path: Path, data_dir: Path
) -> None:
    store = _store_with_records(tmp_path, data_dir)
    assert _run("discover", "--all", "--store", str(store)).exit_code == 0
    result = _run("metrics", "--format", "csv", "--store", str(store))
    assert result.exit_code == 0, result.output
    therapies = result.output.split("# therapies (candidate evidence)\n")[1].split("\n# ")[0].splitlines()
    assert therapies[0] == "therapy,claims,candidates,independent_candidates"
    # "Opdivo" and "nivolumab" claims are one therapy; its two BMS trials are not independent
    assert "Nivolumab,2,2,0" in therapies
    institutions = result.output.split("# institutions (claims with an independent candidate)\n")[1].splitlines()
    assert "Bristol-Myers Squibb,1,0" in institutions
