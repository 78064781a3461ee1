"""`discover --fetch` against a local server replaying the real ClinicalTrials.gov answer for Keytruda."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from curated_claims import CLAIMS
from replay_server import replay_server
from typer.testing import CliRunner

from oncoclaims.cli import app

runner = CliRunner()


def _store(tmp_path: Path, data_dir: Path) -> Path:
    store = tmp_path / "store"
    table = tmp_path / "claims.csv"
    table.write_text(CLAIMS, encoding="utf-8")
    assert runner.invoke(app, ["ingest", "--store", str(store), str(table)]).exit_code == 0
    return store


def test_fetch_asks_for_the_therapy_by_intervention_and_links_what_it_ingests(tmp_path: Path, data_dir: Path) -> None:
    store = _store(tmp_path, data_dir)
    # the real capture of /api/v2/studies?query.intr="Keytruda"&pageSize=3 (biomcp receipt)
    page = (data_dir / "ctgov/v2/biomcp/search_keytruda_limit3_20260811.json").read_bytes()
    with replay_server({"/api/v2/studies": [(200, page, {})]}) as server:
        result = runner.invoke(app, [
            "discover", "Keytruda shrinks", "--fetch", "--limit", "3", "--store", str(store),
            "--cache-dir", str(tmp_path / "cache"), "--base-url", f"{server.base_url}/api/v2"])
    assert result.exit_code == 0, result.output
    asked = parse_qs(urlsplit(server.requests[0]).query)
    assert asked["query.intr"] == ["Pembrolizumab"]  # the brand resolved to the drug before asking
    assert "fetched Pembrolizumab: 1 answers, 3 records" in result.output
    report = json.loads(runner.invoke(app, ["check", "Keytruda shrinks", "--json", "--store", str(store)]).output)
    assert {i for c in report["candidates"] for i in c["identifiers"]} == {
        "NCT:NCT05431270", "NCT:NCT03590054", "NCT:NCT04795661"}


def test_a_fetch_that_keeps_failing_is_a_clear_error_and_writes_nothing(tmp_path: Path, data_dir: Path) -> None:
    store = _store(tmp_path, data_dir)
    before = runner.invoke(app, ["stats", "--store", str(store)]).output
    for status in (500, 429):
        with replay_server({"/api/v2/studies": [(status, b"busy", {"Retry-After": "0"})]}) as server:
            result = runner.invoke(app, [
                "discover", "Keytruda shrinks", "--fetch", "--retries", "1", "--store", str(store),
                "--cache-dir", str(tmp_path / "cache"), "--base-url", f"{server.base_url}/api/v2"])
        assert result.exit_code == 1
        assert "error:" in result.output and str(status) in result.output
    assert runner.invoke(app, ["stats", "--store", str(store)]).output == before
