"""A store of real trial records and stories, with claims a curator typed about them."""

from __future__ import annotations

from pathlib import Path

import pytest
from curated_claims import CLAIMS

from oncoclaims.graph.store import ClaimStore
from oncoclaims.ingest import ingest
from oncoclaims.ontology import ontology_quads

RECORDS = [
    "ctgov/xml/NCT01642004.xml",  # nivolumab, squamous NSCLC, BMS
    "ctgov/xml/NCT02481830.xml",  # nivolumab, SCLC, BMS
    "ctgov/xml/NCT01207388.xml",  # blinatumomab (unrelated)
    "ctgov/v2/biomcp/search_keytruda_limit3_20260811.json",  # the /studies page for Keytruda
    "ctgov/v2/biomcp/search_melanoma_recruiting_limit3_20260811.json",
    "ctgov/v2/biomcp/search_nsclc_egfr_l858r_20260811.json",
    "ctgov/v2/biomcp/get_nct02576665_20260811.json",  # Toca 511, Tocagen
    "pubmed/medline16n0902-oncology-subset.xml",
]


def build_records_store(data_dir: Path, tmp_path: Path, store: ClaimStore | None = None) -> ClaimStore:
    """Real trial records and papers, and the curated claims above, in ``store`` (or a new one)."""
    store = store if store is not None else ClaimStore.in_memory()
    store.extend(ontology_quads())
    for name in RECORDS:
        ingest(data_dir / name, store)
    table = tmp_path / "claims.csv"
    table.write_text(CLAIMS, encoding="utf-8")
    ingest(table, store)
    return store


@pytest.fixture
def records_store(data_dir: Path, tmp_path: Path) -> ClaimStore:
    """Real trial records and papers, and the curated claims above."""
    return build_records_store(data_dir, tmp_path)
