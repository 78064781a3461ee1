"""Issue 18: the size limit holds for streams and special files, odd file names and deeply
nested input give clear errors, and a run over many files says which were written."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from typer.testing import CliRunner

from oncoclaims.cli import app
from oncoclaims.errors import FormatError, IngestError, ParseError
from oncoclaims.graph.store import ClaimStore
from oncoclaims.ingest import ingest, ingest_bytes, reading
from oncoclaims.reference import PROVENANCE_GRAPH

DATA = Path(__file__).parents[1] / "data"
TRIAL = DATA / "ctgov" / "v2" / "aact" / "NCT00763412.json"
runner = CliRunner()


@pytest.fixture
def small_limit(monkeypatch: pytest.MonkeyPatch) -> int:
    monkeypatch.setattr(reading, "MAX_INPUT_BYTES", 4096)
    return 4096


def test_dev_zero_is_refused_at_the_real_limit(store: ClaimStore) -> None:
    before = set(store)
    with pytest.raises(FormatError, match=r"/dev/zero: .*over the 268435456-byte input limit"):
        ingest("/dev/zero", store)
    assert set(store) == before


def test_a_fifo_is_read_up_to_the_limit_and_no_further(
    store: ClaimStore, tmp_path: Path, small_limit: int
) -> None:
    fifo = tmp_path / "pipe.json"
    os.mkfifo(fifo)
    written: list[int] = []

    def writer() -> None:
        try:
            with fifo.open("wb") as pipe:
                for _ in range(1000):  # far more than the limit, with no end in sight
                    pipe.write(b" " * 1024)
                    written.append(1024)
        except BrokenPipeError:
            pass

    thread = threading.Thread(target=writer)
    thread.start()
    with pytest.raises(FormatError, match=r"pipe\.json: the input is over the 4096-byte input limit"):
        ingest(fifo, store)
    thread.join(timeout=30)
    assert sum(written) < 1000 * 1024, "the reader stopped; the writer was cut off"


def test_a_fifo_under_the_limit_is_ingested(store: ClaimStore, tmp_path: Path) -> None:
    fifo = tmp_path / "trial.json"
    os.mkfifo(fifo)
    thread = threading.Thread(target=lambda: fifo.write_bytes(TRIAL.read_bytes()))
    thread.start()
    report = ingest(fifo, store)
    thread.join(timeout=30)
    assert report.records == 1 and report.quads_added > 0


def test_standard_input_is_limited_too(tmp_path: Path) -> None:
    script = ("import sys; from oncoclaims.ingest import reading; reading.MAX_INPUT_BYTES = 4096; "
              "from oncoclaims.cli import app; app(sys.argv[1:], prog_name='oncoclaims')")
    result = subprocess.run(
        [sys.executable, "-c", script, "ingest", "/dev/stdin", "--store", str(tmp_path / "s")],
        input=b"{" * 100_000, capture_output=True, timeout=300, check=False,
    )
    assert result.returncode == 1
    assert b"error: /dev/stdin: the input is over the 4096-byte input limit" in result.stderr
    assert b"Traceback" not in result.stderr


def test_a_file_name_that_is_not_utf8_is_shown_with_its_bytes(store: ClaimStore, tmp_path: Path) -> None:
    odd = tmp_path / os.fsdecode(b"trial-\xff\xfe.json")
    odd.write_bytes(TRIAL.read_bytes())
    report = ingest(odd, store)
    assert report.origin.endswith("trial-\\xff\\xfe.json")
    paths = {q.object.value for q in store.quads(None, None, None, PROVENANCE_GRAPH)
             if q.predicate.value.endswith("path")}
    assert any(path.endswith("trial-\\xff\\xfe.json") for path in paths)
    broken = tmp_path / os.fsdecode(b"broken-\xff.json")
    broken.write_bytes(b'{"protocolSection": ')
    with pytest.raises(ParseError, match=r"broken-\\xff\.json:1"):
        ingest(broken, store)


def test_the_cli_prints_an_odd_name_without_a_traceback(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / os.fsdecode(b"a-\xff.json")).write_bytes(TRIAL.read_bytes())
    (folder / os.fsdecode(b"b-\xfe.json")).write_bytes(b"{")
    result = runner.invoke(app, ["ingest", "--keep-going", "--store", str(tmp_path / "s"), str(folder)])
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit)
    assert "a-\\xff.json: read as clinicaltrials-json" in result.stdout
    assert "b-\\xfe.json" in result.stderr


def _deep_json(depth: int) -> bytes:
    return b'{"protocolSection": ' + b"[" * depth + b"]" * depth + b"}"


@pytest.mark.parametrize("fmt", [None, "clinicaltrials-json", "crossref-json", "openfda-json", "claimreview",
                                 "news-fakehealth-json", "rdf"])
@pytest.mark.parametrize("depth", [5_000, 100_000])
def test_json_nested_100000_deep_is_a_parse_error_naming_file_and_depth(
    store: ClaimStore, fmt: str | None, depth: int
) -> None:
    before = set(store)
    with pytest.raises(IngestError, match=r"deep\.json") as caught:
        ingest_bytes(_deep_json(depth), "deep.json", store, fmt=fmt)
    if fmt in (None, "clinicaltrials-json"):
        assert isinstance(caught.value, ParseError) and f"nested {depth + 1} levels deep" in str(caught.value)
    assert set(store) == before


def test_json_lines_with_one_deep_line_names_the_line(store: ClaimStore) -> None:
    lines = TRIAL.read_bytes().replace(b"\n", b"") + b"\n" + _deep_json(50_000) + b"\n"
    with pytest.raises(ParseError, match=r"deep\.jsonl:2: the JSON is nested 50001 levels deep"):
        ingest_bytes(lines, "deep.jsonl", store)


@pytest.mark.parametrize("text", ["- " + "[" * 100_000 + "]" * 100_000,
                                  "- " + "{a: " * 50_000 + "1" + "}" * 50_000])
def test_a_deep_yaml_claims_table_is_a_parse_error(store: ClaimStore, text: str) -> None:
    before = set(store)
    with pytest.raises(IngestError, match=r"deep\.yaml"):
        ingest_bytes(text.encode(), "deep.yaml", store, fmt="claims-table")
    assert set(store) == before


def _folder(tmp_path: Path) -> Path:
    folder = tmp_path / "batch"
    folder.mkdir()
    (folder / "1-good.json").write_bytes(TRIAL.read_bytes())
    (folder / "2-bad.json").write_bytes((DATA / "bad" / "ctgov" / "truncated.json").read_bytes())
    (folder / "3-good.xml").write_bytes(next((DATA / "ctgov" / "xml").glob("NCT*.xml")).read_bytes())
    (folder / "4-good.json").write_bytes((DATA / "ctgov" / "classic" / "NCT00023673.json").read_bytes())
    return folder


def test_a_run_stopped_by_a_bad_file_says_what_was_written_and_what_was_not(tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    result = runner.invoke(app, ["ingest", "--store", str(tmp_path / "s"), str(folder)])
    assert result.exit_code == 1
    assert f"written: {folder / '1-good.json'}\n" in result.stdout
    assert (f"not written: {folder / '2-bad.json'} (failed), {folder / '3-good.xml'} (not tried: "
            f"the run stopped at {folder / '2-bad.json'}") in result.stdout
    assert f"{folder / '4-good.json'} (not tried)" in result.stdout
    assert "2-bad.json" in result.stderr and "truncated" in result.stderr


def test_keep_going_writes_every_good_file_and_lists_the_bad_one(tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    result = runner.invoke(app, ["ingest", "--keep-going", "--store", str(tmp_path / "s"), str(folder)])
    assert result.exit_code == 1
    good = ", ".join(str(folder / name) for name in ("1-good.json", "3-good.xml", "4-good.json"))
    assert f"written: {good}\n" in result.stdout
    assert f"not written: {folder / '2-bad.json'} (failed)\n" in result.stdout
