"""A record ingested again after it changed: its new values replace the old ones, and
nothing it does not state is lost (ingest/updates.py).

The record is a real ClinicalTrials.gov API v2 study (tests/data/ctgov/v2/aact); the
"later version" changes two of its values the way a registry update does.
"""

from __future__ import annotations

import json
from pathlib import Path

from pyoxigraph import NamedNode

from oncoclaims.graph.store import ClaimStore
from oncoclaims.ingest import ingest_bytes
from oncoclaims.vocab import OC, RDFS

STUDY = Path(__file__).parents[1] / "data" / "ctgov" / "v2" / "aact" / "NCT00763412.json"
TRIAL = NamedNode("https://w3id.org/oncoclaims/id/trial/NCT00763412")


def _values(store: ClaimStore, predicate: NamedNode) -> set[str]:
    return {quad.object.value for quad in store.quads(subject=TRIAL, predicate=predicate)}


def _later_version() -> bytes:
    study = json.loads(STUDY.read_text(encoding="utf-8"))
    status = study["protocolSection"]["statusModule"]
    assert status["overallStatus"] == "COMPLETED"
    status["overallStatus"] = "TERMINATED"
    status["whyStopped"] = "Sponsor decision"
    study["protocolSection"]["designModule"]["enrollmentInfo"]["count"] += 1
    return json.dumps(study).encode()


def test_a_changed_record_replaces_its_values() -> None:
    store = ClaimStore.in_memory()
    ingest_bytes(STUDY.read_bytes(), "NCT00763412.json", store)
    enrollment = int(next(iter(_values(store, OC.sampleSize))))
    labels, conditions = _values(store, RDFS.label), _values(store, OC.condition)
    report = ingest_bytes(_later_version(), "NCT00763412-later.json", store)
    assert _values(store, OC.overallStatus) == {"TERMINATED"}
    assert _values(store, OC.whyStopped) == {"Sponsor decision"}
    assert _values(store, OC.sampleSize) == {str(enrollment + 1)}
    assert report.values_replaced == 2, "status and enrollment; the reason is new"
    assert _values(store, RDFS.label) == labels and _values(store, OC.condition) == conditions
    size = len(store)
    again = ingest_bytes(_later_version(), "NCT00763412-later.json", store)
    assert (again.quads_added, again.values_replaced, len(store)) == (0, 0, size)


def test_the_provenance_of_each_version_is_kept() -> None:
    store = ClaimStore.in_memory()
    ingest_bytes(STUDY.read_bytes(), "first/NCT00763412.json", store)
    ingest_bytes(STUDY.read_bytes(), "second/NCT00763412.json", store)
    paths = {quad.object.value for quad in store.quads(predicate=OC.path)}
    assert {"first/NCT00763412.json", "second/NCT00763412.json"} <= paths
