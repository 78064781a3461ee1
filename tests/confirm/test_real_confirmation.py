"""A real claim with a real replication on the bundled reference graph, whose independence is
unknown because no record names the replication's authors, and the provenance of every value
in its curated file."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from oncoclaims.graph.bootstrap import open_store
from oncoclaims.graph.confirmation import claim_statuses, confirmation_report

ROOT = Path(__file__).resolve().parents[2]
RECORDS = ROOT / "oncoclaims" / "reference" / "records"
CURATED = RECORDS / "brca1-brct-replication.ttl"
CLAIM = "https://w3id.org/oncoclaims/id/claim/brca1-brct-variants-h1746n-and-v1833m-de-1a3956d985dd3527"
# The curator's own words: the claim's wording and the evidence's name.
CURATOR_WORDS = {
    "BRCA1 BRCT variants H1746N and V1833M destabilise the BRCT domain",
    "The BRCA1 BRCT variants H1746N and V1833M destabilise the BRCT domain (they are sensitive to proteases).",
    "BRCT domain stability of BRCA1 variants, measured by another team (Molecular Cancer Research 2018)",
}


@pytest.fixture(scope="module")
def reference():
    return open_store(memory=True)


def test_the_brca1_brct_replication_has_unknown_independence_in_every_engine(reference) -> None:
    # no bundled record gives the 2018 article's authors: no tie can be found, and none ruled out
    report = confirmation_report(reference, CLAIM)
    assert report.status["label"] == "independence unknown"
    assert report.origins == ["https://w3id.org/oncoclaims/id/pubmed/20516115"]
    (evidence,) = report.evidence
    assert evidence["independent"] is None
    assert "the authors of Combining Homologous Recombination" in evidence["reason"]
    assert "are all unknown" in evidence["reason"]
    expected = "https://w3id.org/oncoclaims/vocab#status-independence-unknown"
    assert claim_statuses(reference)[CLAIM] == claim_statuses(reference, engine="sparql")[CLAIM] == expected


def test_every_value_in_the_curated_file_is_in_its_source_records() -> None:
    sources = "".join(
        json.dumps(json.loads(path.read_text()), ensure_ascii=False) + path.read_text()
        for path in sorted((RECORDS / "sources").glob("*.json"))
    ).lower()
    text = CURATED.read_text()
    # the reasons of inferred links are the curator's words (oncoclaims/graph/basis.py)
    text = "\n".join(line for line in text.splitlines() if "oc:basisReason" not in line)
    literals = re.findall(r'"((?:[^"\\]|\\.)*)"', text)
    assert len(literals) > 20
    for value in literals:
        value = json.loads(f'"{value}"')
        if value in CURATOR_WORDS or value.startswith("oncoclaims/reference/records/sources/"):
            continue
        if value.startswith("issn:"):
            value = value.removeprefix("issn:")
        assert value.lower() in sources, value


def test_the_curation_script_reproduces_the_bundled_file(tmp_path: Path) -> None:
    output = tmp_path / "curated.ttl"
    subprocess.run([sys.executable, "tools/curate_brca1_brct.py", str(output)], cwd=ROOT, check=True)  # noqa: S603
    assert output.read_bytes() == CURATED.read_bytes()


def test_the_records_readme_quotes_the_record_verbatim() -> None:
    record = (RECORDS / "sources" / "semanticscholar-pmid20516115-citations.json").read_text(encoding="utf-8")
    contexts = " ".join(c for item in json.loads(record)["data"] for c in item.get("contexts", []))
    readme = (RECORDS / "README.md").read_text(encoding="utf-8")
    quotes = [q for q in re.findall(r'"([^"]+)"', readme) if "Lee and colleagues" in q]
    assert len(quotes) == 2
    for quote in quotes:
        assert quote in contexts, quote
