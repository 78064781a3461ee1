"""RDF ingest checks each file against the shapes and reports violations as warnings."""

from __future__ import annotations

from pathlib import Path

from oncoclaims.graph.store import ClaimStore
from oncoclaims.ingest import ingest

DATA = Path(__file__).parents[1] / "data"


def test_shape_violations_are_warnings_naming_node_and_property(empty_store: ClaimStore) -> None:
    report = ingest(DATA / "bad" / "rdf" / "shape-violations.ttl", empty_store)
    assert report.quads_added > 0, "the data is still loaded"
    text = "\n".join(report.warnings)
    assert "https://example.org/e1 <https://w3id.org/oncoclaims/vocab#sampleSize>" in text
    assert "https://example.org/e1 <https://w3id.org/oncoclaims/vocab#studyType>" in text
    assert len(report.warnings) == len(set(report.warnings))


def test_conforming_rdf_gives_no_warnings(empty_store: ClaimStore) -> None:
    assert ingest(DATA / "small.ttl", empty_store).warnings == []
