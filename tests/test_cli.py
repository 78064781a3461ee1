"""The command line, driven as a user drives it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from oncoclaims.cli import app
from oncoclaims.graph.bootstrap import open_store

runner = CliRunner()


def _run(*args: str):
    return runner.invoke(app, list(args))


@pytest.fixture
def store_dir(tmp_path: Path) -> Path:
    return tmp_path / "store"


def _quad_count(store_dir: Path) -> int:
    result = _run("query", "--store", str(store_dir), "--format", "json",
                  "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")
    assert result.exit_code == 0, result.output
    return int(json.loads(result.stdout)["results"]["bindings"][0]["n"]["value"])


def test_help_lists_the_commands() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "oncoclaims", "--help"], capture_output=True, text=True, check=True
    )
    for command in ("serve", "load", "ingest", "query", "stats", "validate"):
        assert command in result.stdout


def test_an_empty_default_store_gets_the_reference_graph(store_dir: Path) -> None:
    result = _run("stats", "--store", str(store_dir))
    assert result.exit_code == 0, result.output
    assert "Claim" in result.stdout
    assert _quad_count(store_dir) > 400


def test_store_location_comes_from_the_environment(tmp_path: Path) -> None:
    target = tmp_path / "from-env"
    result = runner.invoke(app, ["stats"], env={"ONCOCLAIMS_STORE": str(target)})
    assert result.exit_code == 0, result.output
    assert str(target) in result.stdout
    assert target.exists()


def test_malformed_turtle_is_reported_with_file_line_and_column_and_changes_nothing(
    store_dir: Path, data_dir: Path
) -> None:
    before = _quad_count(store_dir)
    bad = data_dir / "bad" / "rdf" / "malformed.ttl"
    result = _run("load", "--store", str(store_dir), str(bad))
    assert result.exit_code == 1
    assert result.stderr.startswith("error: ")
    assert f"{bad}:3:" in result.stderr
    assert "Traceback" not in result.output
    assert _quad_count(store_dir) == before


def test_debug_shows_the_traceback(store_dir: Path, data_dir: Path) -> None:
    result = _run("--debug", "load", "--store", str(store_dir), str(data_dir / "bad" / "rdf" / "malformed.ttl"))
    assert result.exit_code != 0
    assert result.exception is not None


def test_loading_the_same_file_twice_changes_nothing(store_dir: Path, data_dir: Path) -> None:
    first = _run("load", "--store", str(store_dir), str(data_dir / "small.ttl"))
    assert first.exit_code == 0, first.output
    after_first = _quad_count(store_dir)
    second = _run("load", "--store", str(store_dir), str(data_dir / "small.ttl"))
    assert second.exit_code == 0, second.output
    assert "0 new quads" in second.stdout
    assert _quad_count(store_dir) == after_first


@pytest.mark.parametrize("fmt", ["json", "csv", "tsv", "table"])
def test_named_query_with_parameters_in_every_output_format(store_dir: Path, fmt: str) -> None:
    result = _run("query", "--store", str(store_dir), "--named", "search_claims",
                  "--param", "text=60 to 80", "--format", fmt)
    assert result.exit_code == 0, result.output
    assert "60 to 80" in result.stdout
    if fmt == "json":
        assert len(json.loads(result.stdout)["results"]["bindings"]) == 1
    if fmt == "csv":
        assert result.stdout.splitlines()[0].startswith("text,claim,")


def test_query_from_a_file(store_dir: Path, tmp_path: Path) -> None:
    file = tmp_path / "q.rq"
    file.write_text("ASK { GRAPH ?g { ?s a <https://w3id.org/oncoclaims/vocab#Therapy> } }")
    result = _run("query", "--store", str(store_dir), "--file", str(file))
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "true"


def test_bad_sparql_is_an_error_not_a_traceback(store_dir: Path) -> None:
    result = _run("query", "--store", str(store_dir), "SELECT * WHERE {")
    assert result.exit_code == 1
    assert result.stderr.startswith("error: the query does not parse")


def test_unknown_named_query_and_bad_param_are_errors(store_dir: Path) -> None:
    result = _run("query", "--store", str(store_dir), "--named", "nope")
    assert result.exit_code == 1 and "no named query 'nope'" in result.stderr
    result = _run("query", "--store", str(store_dir), "--named", "search_claims", "--param", "oops")
    assert result.exit_code == 1 and "write name=value" in result.stderr


def test_a_store_in_use_by_another_process_is_a_clear_error(store_dir: Path) -> None:
    held = open_store(store_dir)
    try:
        result = _run("stats", "--store", str(store_dir))
    finally:
        del held
    assert result.exit_code == 1
    assert "cannot open the store" in result.stderr


def _folder_of_trials(tmp_path: Path, *, broken: bool) -> Path:
    folder = tmp_path / "downloads"
    (folder / "more").mkdir(parents=True)
    samples = Path(__file__).parent / "data"
    (folder / "a.json").write_bytes((samples / "ctgov" / "classic" / "NCT00023673.json").read_bytes())
    legacy_xml = next((samples / "ctgov" / "xml").glob("NCT*.xml"))
    (folder / "more" / "c.xml").write_bytes(legacy_xml.read_bytes())
    (folder / ".hidden.json").write_text("not read: hidden")
    (folder / "README.md").write_text("not read: about the data")
    (folder / "more" / "LICENSE.txt").write_text("Not read: a licence is no news article.")
    if broken:
        (folder / "b.json").write_bytes((samples / "bad" / "ctgov" / "truncated.json").read_bytes())
    return folder


def test_a_folder_is_ingested_file_by_file_in_name_order(store_dir: Path, tmp_path: Path) -> None:
    folder = _folder_of_trials(tmp_path, broken=False)
    result = _run("ingest", "--store", str(store_dir), str(folder))
    assert result.exit_code == 0, result.output
    lines = [line for line in result.stdout.splitlines() if ": read as " in line]
    read = [line.split(":")[0] for line in lines]
    assert read == [str(folder / "a.json"), str(folder / "more" / "c.xml")]
    assert "total: 2 files" in result.stdout


def test_keep_going_goes_on_past_a_broken_file_and_exits_1(store_dir: Path, tmp_path: Path) -> None:
    folder = _folder_of_trials(tmp_path, broken=True)
    stopped = _run("ingest", "--store", str(store_dir), str(folder))
    assert stopped.exit_code == 1 and "b.json" in stopped.output and "truncated" in stopped.output
    assert "c.xml: read as" not in stopped.output, "without --keep-going a broken file stops the run"
    result = _run("ingest", "--keep-going", "--store", str(store_dir), str(folder))
    assert result.exit_code == 1
    assert "b.json" in result.stderr and "nothing of this file was written" in result.stderr
    assert f"{folder / 'more' / 'c.xml'}: read as" in result.stdout
    assert "total: 2 files" in result.stdout and "1 files failed" in result.stdout


def test_an_empty_folder_is_a_clear_error(store_dir: Path, tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    result = _run("ingest", "--store", str(store_dir), str(tmp_path / "empty"))
    assert result.exit_code == 1 and "holds no file to ingest" in result.output


def test_query_text_sees_the_union_of_the_graphs_as_the_endpoint_does(store_dir: Path) -> None:
    claims = "SELECT (COUNT(DISTINCT ?c) AS ?n) WHERE { ?c a <https://w3id.org/oncoclaims/vocab#Claim> }"
    result = _run("query", "--store", str(store_dir), "--format", "json", claims)
    assert result.exit_code == 0, result.output
    count = int(json.loads(result.stdout)["results"]["bindings"][0]["n"]["value"])
    named = _run("query", "--store", str(store_dir), "--format", "json", "--named", "claim_iris")
    assert count == len(json.loads(named.stdout)["results"]["bindings"]) > 0
