"""Review round trip: a judged link with who and when, the status it makes, withdrawn; engines agree."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from oncoclaims.discover import discover_claims
from oncoclaims.discover.reviews import resolve_record, review_candidate, withdraw_review
from oncoclaims.errors import NotFoundError, ReviewError
from oncoclaims.graph.confirmation import (
    claim_status,
    claim_statuses,
    confirmation_report,
    find_claim,
)
from oncoclaims.graph.store import ClaimStore
from oncoclaims.iris import mint_iri

PREFIX = "https://w3id.org/oncoclaims/vocab#status-"


def judgement_node(claim: str, record: str) -> str:
    """The IRI of the judgement of ``record`` for ``claim`` (its last segment is the review's id)."""
    return mint_iri("judgement", claim, record).value


def _engines_agree(store: ClaimStore) -> dict[str, str]:
    python = claim_statuses(store, engine="python")
    assert python == claim_statuses(store, engine="sparql")
    return python


def test_accept_then_withdraw_changes_the_status_and_back(records_store: ClaimStore) -> None:
    claim = find_claim(records_store, "Nivolumab extends survival in small-cell")
    discover_claims(records_store, [claim])
    trial = resolve_record(records_store, "NCT02481830")
    assert trial == mint_iri("trial", "NCT02481830").value
    before = _engines_agree(records_store)
    assert before[claim] == PREFIX + "unconfirmed"

    when = datetime(2026, 12, 6, 20, 0, tzinfo=UTC)
    judgement = review_candidate(records_store, claim, trial, "supports", by="Ann Reviewer", when=when)
    assert judgement.when == "2026-12-06T20:00:00Z"
    after = _engines_agree(records_store)
    # a supporting trial registration is not a confirmatory source: self-confirmed, not confirmed
    assert after[claim] == claim_status(records_store, claim) == PREFIX + "self-confirmed"
    assert {k: v for k, v in after.items() if k != claim} == {k: v for k, v in before.items() if k != claim}
    report = confirmation_report(records_store, claim).to_dict()
    assert [e["iri"] for e in report["evidence"]] == [trial]
    reviewed = [c for c in report["candidates"] if c["record"] == trial][0]
    assert reviewed["review"] == {"verdict": "supports", "by": "Ann Reviewer", "when": "2026-12-06T20:00:00Z",
                                  "iri": judgement_node(judgement.claim, judgement.record)}
    assert "1 reviewed" in report["explanation"]

    review_candidate(records_store, claim, trial, "unrelated", by="Bob Second")  # replaces the first
    assert _engines_agree(records_store)[claim] == PREFIX + "unconfirmed"
    review_candidate(records_store, claim, trial, "disputes", by="Ann Reviewer")
    assert _engines_agree(records_store)[claim] == claim_status(records_store, claim)

    assert withdraw_review(records_store, claim, trial) is True
    assert _engines_agree(records_store) == before
    assert withdraw_review(records_store, claim, trial) is False


def test_a_review_that_cannot_be_recorded_is_refused_and_nothing_is_written(records_store: ClaimStore) -> None:
    claim = find_claim(records_store, "Toca 511 helps")
    trial = mint_iri("trial", "NCT02576665").value
    size = len(records_store)
    with pytest.raises(ReviewError, match="unknown verdict 'approve'; use one of supports, disputes"):
        review_candidate(records_store, claim, trial, "approve", by="Ann")
    with pytest.raises(ReviewError, match="reviewer's name"):
        review_candidate(records_store, claim, trial, "supports", by=" ")
    registration = mint_iri("source", "ctgov-NCT02576665").value
    with pytest.raises(ReviewError, match="is not evidence"):
        review_candidate(records_store, claim, registration, "supports", by="Ann")
    with pytest.raises(NotFoundError, match="no record NCT99999999|run `oncoclaims discover`"):
        resolve_record(records_store, "NCT99999999")
    assert len(records_store) == size
