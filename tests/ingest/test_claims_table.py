"""The curated claims table: the worked example (CSV and YAML) and each kind of bad row."""

from __future__ import annotations

from pathlib import Path

import pytest

from oncoclaims.errors import ParseError, RecordError
from oncoclaims.graph.confirmation import confirmation_report
from oncoclaims.graph.store import ClaimStore
from oncoclaims.ingest import ingest
from oncoclaims.ontology import ontology_quads, validate_quads
from oncoclaims.reference import article_text

ROOT = Path(__file__).parents[2]
BAD = ROOT / "tests" / "data" / "bad" / "claims-table"


@pytest.fixture
def with_ontology() -> ClaimStore:
    store = ClaimStore.in_memory()
    store.extend(ontology_quads())
    return store


@pytest.mark.parametrize("name", ["claims-table.csv", "claims-table.yaml"])
def test_the_worked_example_ingests_conforms_and_checks(name: str, with_ontology: ClaimStore) -> None:
    report = ingest(ROOT / "examples" / name, with_ontology)
    assert report.format == "claims-table" and report.records == 4
    assert validate_quads(list(with_ontology)).conforms
    result = confirmation_report(with_ontology, "total effectiveness")
    assert result.status["label"] == "self-confirmed"
    assert "not a confirmatory source type" in result.evidence[0]["reason"]
    assert {s["title"] for s in result.sources} == {
        "Enteromix: Breakthrough or Mirage in Russia’s Anti-Cancer Vaccine?", "Official statements"}
    assert ingest(ROOT / "examples" / name, with_ontology).quads_added == 0


def test_csv_and_yaml_say_the_same(with_ontology: ClaimStore) -> None:
    ingest(ROOT / "examples" / "claims-table.csv", with_ontology)
    from oncoclaims.reference import PROVENANCE_GRAPH

    triples = {(q.subject, q.predicate, q.object) for q in with_ontology if q.graph_name != PROVENANCE_GRAPH}
    other = ClaimStore.in_memory()
    other.extend(ontology_quads())
    ingest(ROOT / "examples" / "claims-table.yaml", other)
    assert {(q.subject, q.predicate, q.object) for q in other if q.graph_name != PROVENANCE_GRAPH} == triples


def test_the_example_quotes_the_article_verbatim() -> None:
    import csv

    for row in csv.DictReader((ROOT / "examples" / "claims-table.csv").open(encoding="utf-8")):
        if row["quote"]:
            assert row["quote"] in article_text()


@pytest.mark.parametrize("name, error, where", [
    ("unknown-source-type.csv", RecordError, "unknown-source-type.csv:3 record row 2: column source_type: 'blog-rumour' is not one of"),
    ("bad-sample-size.csv", RecordError, "column evidence_sample_size: 'fewer than fifty' is not a whole number"),
    ("invalid.yaml", ParseError, "invalid.yaml:3"),
    ("not-utf8.csv", ParseError, "not-utf8.csv"),
])
def test_bad_rows_name_file_line_and_column_and_change_nothing(name: str, error: type, where: str, store: ClaimStore) -> None:
    before = len(store)
    with pytest.raises(error) as caught:
        ingest(BAD / name, store, fmt="claims-table")
    assert where in str(caught.value)
    assert len(store) == before


@pytest.mark.parametrize("delimiter", [";", "\t"], ids=["semicolon", "tab"])
def test_spreadsheet_csv_with_semicolons_or_tabs_says_the_same(delimiter: str) -> None:
    """Spreadsheets in many locales write CSV with semicolons (and a byte-order mark)."""
    import csv
    import io

    from oncoclaims.ingest import ingest_bytes
    from oncoclaims.reference import PROVENANCE_GRAPH

    example = (ROOT / "examples" / "claims-table.csv").read_text(encoding="utf-8")
    rewritten = io.StringIO()
    writer = csv.writer(rewritten, delimiter=delimiter, lineterminator="\r\n")
    writer.writerows(csv.reader(io.StringIO(example)))
    stores = []
    for data in (example.encode(), b"\xef\xbb\xbf" + rewritten.getvalue().encode()):
        store = ClaimStore.in_memory()
        report = ingest_bytes(data, "claims-table.csv", store)
        assert report.format == "claims-table" and report.records == 4
        stores.append({(q.subject, q.predicate, q.object) for q in store
                       if q.graph_name != PROVENANCE_GRAPH})
    assert stores[0] == stores[1]


# The three rows (made up for the test, not data): a company's press release claims a
# survival benefit; a peer-reviewed article states the claim and reports a randomised trial.
CLAIM_ROWS = """claim_text,therapy,claimant,source_type,source_title,source_publisher,evidence_label,evidence_study_type,evidence_relation,evidence_reported_in,evidence_sponsors,evidence_authors,evidence_author_institutions
X improves survival.,X,Company,press-release,X press release,Company,,,,,,,
X improves survival.,X,,peer-reviewed-article,Trial of X,,,,,,,,
X improves survival.,X,,,,,Randomised trial of X,randomised-controlled,supports,Trial of X,{sponsors},,
"""
OTHER_PAPER = """claim_text,therapy,claimant,source_type,source_title,source_publisher,evidence_label,evidence_study_type,evidence_relation,evidence_reported_in,evidence_sponsors,evidence_authors,evidence_author_institutions
X improves survival.,X,Company,press-release,X press release,Company,,,,,,,
X improves survival.,X,,peer-reviewed-article,Replication of X,,Replication of X,randomised-controlled,supports,Replication of X,,Jane Roe; John Doe,{institution}
"""


def _check_table(tmp_path: Path, store: ClaimStore, text: str) -> dict:
    table = tmp_path / "claims.csv"
    table.write_text(text, encoding="utf-8")
    ingest(table, store)
    return confirmation_report(store, "X improves survival").to_dict()


def test_a_study_nobody_is_named_for_does_not_confirm_independently(tmp_path: Path, with_ontology: ClaimStore) -> None:
    report = _check_table(tmp_path, with_ontology, CLAIM_ROWS.format(sponsors=""))
    assert report["status"]["label"] == "independence unknown"
    (evidence,) = report["evidence"]
    assert evidence["independent"] is None
    assert "the authors of Trial of X, its sponsors and its funders are all unknown" in evidence["reason"]


def test_a_sponsor_tied_to_the_claimant_makes_it_self_confirmed(tmp_path: Path, with_ontology: ClaimStore) -> None:
    report = _check_table(tmp_path, with_ontology, CLAIM_ROWS.format(sponsors="Company"))
    assert report["status"]["label"] == "self-confirmed"
    assert report["evidence"][0]["reason"] == "not independent: sponsor Company is also claimant and publisher of an origin of the claim"


@pytest.mark.parametrize("institution, status", [("Other University", "independently confirmed"),
                                                  ("Company", "self-confirmed")])
def test_named_authors_and_their_institutions_decide(tmp_path: Path, with_ontology: ClaimStore,
                                                      institution: str, status: str) -> None:
    report = _check_table(tmp_path, with_ontology, OTHER_PAPER.format(institution=institution))
    assert report["status"]["label"] == status, report["evidence"][0]["reason"]
    authors = {q.object.value for q in with_ontology.inner.quads_for_pattern(None, None, None, None)
               if q.predicate.value == "http://www.w3.org/2000/01/rdf-schema#label" and "curated" in q.subject.value}
    assert {"Jane Roe", "John Doe"} <= authors
    assert validate_quads(list(with_ontology)).conforms


def test_authors_need_the_source_they_wrote(tmp_path: Path, with_ontology: ClaimStore) -> None:
    table = tmp_path / "claims.csv"
    table.write_text("claim_text,therapy,evidence_label,evidence_relation,evidence_authors\n"
                     "X works.,X,Trial,supports,Jane Roe\n", encoding="utf-8")
    with pytest.raises(RecordError, match="column evidence_authors: authors are the authors of evidence_reported_in"):
        ingest(table, with_ontology)
