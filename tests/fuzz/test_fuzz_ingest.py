"""Fuzzing every ingest format and the claims table (issue 18): mutations of real sample
files give success or one of oncoclaims' own errors, never another exception, and a
failed ingest leaves the store exactly as it was.

Bounded by default (:data:`EXAMPLES` per format, a few seconds each). A longer run on
demand: ``ONCOCLAIMS_FUZZ_EXAMPLES=5000 python -m pytest -p no:cacheprovider tests/fuzz``
(docs/ingest-safety.md lists what longer runs found).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from oncoclaims.errors import OncoclaimsError
from oncoclaims.graph.store import ClaimStore
from oncoclaims.ingest import INGESTERS, ingest_bytes
from oncoclaims.ontology import ontology_quads
from oncoclaims.reference import reference_quads

ROOT = Path(__file__).parents[2]
DATA = ROOT / "tests" / "data"
EXAMPLES = int(os.environ.get("ONCOCLAIMS_FUZZ_EXAMPLES", "40"))

#: format -> real sample files (origins in tests/data/README.md and examples/).
SAMPLES: dict[str, list[Path]] = {
    "claimreview": [DATA / "factcheck" / "schemaorg-eg-0325-ClaimReview.jsonld",
                    DATA / "factcheck" / "schemaorg-eg-0324-ClaimReview-microdata.html"],
    "rdf": [DATA / "small.ttl"],
    "clinicaltrials-json": [DATA / "ctgov" / "v2" / "aact" / "NCT00973089.json"],
    "clinicaltrials-classic-json": [DATA / "ctgov" / "classic" / "NCT00023673.json"],
    "clinicaltrials-xml": [DATA / "ctgov" / "xml" / "NCT03133988.xml"],
    "pubmed-xml": [DATA / "pubmed" / "metapub-pmid_35649368.xml"],
    "crossref-json": [DATA / "crossref" / "10.3892_ijo_00000353.json"],
    "openfda-json": [DATA / "openfda" / "drugsfda_imatinib_20260811.json", DATA / "openfda" / "label_keytruda_20260811.json"],
    "healthfc-csv": [DATA / "factcheck" / "healthfc-cancer-6-rows.csv"],
    "claims-table": [ROOT / "examples" / "claims-table.csv", ROOT / "examples" / "claims-table.yaml"],
    "news-html": [DATA / "factcheck" / "schemaorg-eg-0324-ClaimReview-microdata.html"],
    "news-fakehealth-json": [DATA / "news" / "news_reviews_00027.json"],
    "news-submission-json": [DATA / "news" / "news_reviews_00027.submission.json"],
    "news-text": [DATA / "news" / "enteromix-article.txt"],
}

#: Bytes worth inserting: structure of the formats, entity and encoding tricks, odd text.
_TOKENS = [b"{", b"}", b"[", b"]", b'"', b",", b":", b"<", b">", b"</", b"&", b"&amp;", b"\x00",
           b"\xff", b"\xef\xbb\xbf", b"\n", b"\r", b"\t", b";", b"\\", b"<!DOCTYPE x [<!ENTITY e 'x'>]>",
           b"<![CDATA[", b"]]>", b"@prefix", b"_:b0", b"null", b"1e999", b"-", b"#", b"\xc3\x28",
           b'\xe2\x80\xae', b"NCT", b"PMID", b"10.", b"'''", b'"""']


@st.composite
def mutated(draw: st.DrawFn, data: bytes) -> bytes:
    """``data`` with a few random edits: bytes flipped, cut, repeated, or tokens inserted."""
    result = bytearray(data)
    for _ in range(draw(st.integers(1, 4))):
        if not result:
            break
        at = draw(st.integers(0, len(result) - 1))
        kind = draw(st.sampled_from(["flip", "delete", "insert", "duplicate", "truncate"]))
        if kind == "flip":
            result[at] = draw(st.integers(0, 255))
        elif kind == "delete":
            del result[at:at + draw(st.integers(1, 64))]
        elif kind == "insert":
            token = draw(st.sampled_from(_TOKENS) | st.binary(min_size=1, max_size=8))
            result[at:at] = token
        elif kind == "duplicate":
            size = draw(st.integers(1, 256))
            result[at:at] = result[at:at + size]
        else:
            del result[at:]
    return bytes(result)


@pytest.fixture
def store() -> ClaimStore:
    """A fresh store per format: what one format's successes wrote does not slow the next."""
    claim_store = ClaimStore.in_memory()
    claim_store.extend(ontology_quads())
    claim_store.extend(reference_quads())
    return claim_store


def test_every_format_has_samples() -> None:
    assert set(SAMPLES) == set(INGESTERS)
    assert all(path.is_file() for paths in SAMPLES.values() for path in paths)


@pytest.mark.parametrize("fmt", sorted(SAMPLES))
def test_mutated_samples_give_success_or_an_oncoclaims_error_and_no_partial_write(
    store: ClaimStore, fmt: str
) -> None:
    samples = [path.read_bytes() for path in SAMPLES[fmt]]

    @settings(max_examples=EXAMPLES, deadline=None, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(st.data(), st.booleans())
    def check(data: st.DataObject, named: bool) -> None:
        index = data.draw(st.integers(0, len(samples) - 1))
        payload = data.draw(mutated(samples[index]))
        origin = SAMPLES[fmt][index].name
        before = set(store)
        try:
            ingest_bytes(payload, origin, store, fmt=fmt if named else None)
        except OncoclaimsError:
            assert set(store) == before, "a failed ingest wrote part of its batch"

    check()
