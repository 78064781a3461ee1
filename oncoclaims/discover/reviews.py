"""A person's judgement of a candidate: a link of its own, with who and when, withdrawable.

``review_candidate(store, claim, record, "supports", by="A. Reviewer")`` writes, in the
graph ``mint_graph_iri("judgement", claim, record)`` and nowhere else:

- the judged link itself, ``record cito:supports claim`` (``cito:disputes``,
  ``oc:inconclusiveFor``; nothing for ``unrelated``), which both status engines (Python
  and SPARQL) read as they read any other evidence link;
- an ``oc:Judgement`` naming the claim, the record, the verdict, the reviewer and the time.

A second review of the same pair replaces the first; :func:`withdraw_review` drops the
graph, and the claim's status is what it was before.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime

import pyoxigraph as ox

from oncoclaims.errors import NotFoundError, ReviewError
from oncoclaims.graph.store import ClaimStore
from oncoclaims.iris import mint_graph_iri, mint_iri
from oncoclaims.vocab import CITO, DCTERMS, OC, RDF, XSD

__all__ = [
    "VERDICTS",
    "Judgement",
    "judgement_graph_iri",
    "judgement_quads",
    "resolve_record",
    "review_candidate",
    "withdraw_review",
]

#: What a reviewer may judge, and the evidence link each verdict writes (none for unrelated).
VERDICTS: dict[str, ox.NamedNode | None] = {
    "supports": CITO.supports,
    "disputes": CITO.disputes,
    "inconclusive": OC.inconclusiveFor,
    "unrelated": None,
}


@dataclass(frozen=True, slots=True)
class Judgement:
    """A recorded review: which claim and record, the verdict, who and when."""

    claim: str
    record: str
    verdict: str
    by: str
    when: str


def judgement_graph_iri(claim: str, record: str) -> ox.NamedNode:
    """The graph holding the review of ``record`` for ``claim``."""
    return mint_graph_iri("judgement", claim, record)


def judgement_quads(judgement: Judgement) -> list[ox.Quad]:
    """The quads of one judgement (pure)."""
    graph = judgement_graph_iri(judgement.claim, judgement.record)
    claim, record = ox.NamedNode(judgement.claim), ox.NamedNode(judgement.record)
    node = mint_iri("judgement", judgement.claim, judgement.record)
    quads = [
        ox.Quad(node, RDF.type, OC.Judgement, graph),
        ox.Quad(node, OC.reviewOf, claim, graph),
        ox.Quad(node, OC.candidateRecord, record, graph),
        ox.Quad(node, OC.judged, ox.Literal(judgement.verdict), graph),
        ox.Quad(node, OC.reviewedBy, ox.Literal(judgement.by), graph),
        ox.Quad(node, DCTERMS.date, ox.Literal(judgement.when, datatype=XSD.dateTime), graph),
    ]
    link = VERDICTS[judgement.verdict]
    if link is not None:
        quads.append(ox.Quad(record, link, claim, graph))
    return quads


def resolve_record(store: ClaimStore, candidate: str) -> str:
    """The record IRI a reviewer names: a record IRI, a candidate IRI, or an NCT number.

    :raises NotFoundError: nothing in the store by that name.
    """
    text = candidate.strip()
    if re.fullmatch(r"NCT\d{8}", text, re.IGNORECASE):
        text = mint_iri("trial", text.upper()).value
    try:
        node = ox.NamedNode(text)
    except ValueError:
        raise NotFoundError(f"no record {candidate!r}: give the record's IRI or NCT number "
                            "(as `oncoclaims check --json` lists them under candidates)") from None
    for quad in store.quads(node, OC.candidateRecord, None, None):
        return str(quad.object.value)
    if not any(store.quads(node, None, None, None)):
        raise NotFoundError(f"no record {text} in the store; run `oncoclaims discover` and pick one of "
                            "the claim's candidates")
    return text


def review_candidate(
    store: ClaimStore, claim: str, record: str, verdict: str, *, by: str, when: datetime | None = None
) -> Judgement:
    """Record a reviewer's judgement of ``record`` for ``claim``, replacing an earlier one.

    :raises ReviewError: an unknown verdict, no reviewer name, or a record that is not evidence
        (a trial, a study) that a claim's status can count.
    """
    if verdict not in VERDICTS:
        raise ReviewError(f"unknown verdict {verdict!r}; use one of {', '.join(VERDICTS)}")
    if not by.strip():
        raise ReviewError("a review needs the reviewer's name (--by NAME)")
    node = ox.NamedNode(record)
    if VERDICTS[verdict] is not None and not any(
        store.quads(node, RDF.type, OC.Evidence, None)
    ):
        raise ReviewError(f"{record} is not evidence (a trial or a study) in the store, so it cannot "
                          f"{verdict} a claim; review the study it reports instead")
    stamp = (when or datetime.now(UTC)).astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")
    judgement = Judgement(claim, record, verdict, by.strip(), stamp)
    graph = judgement_graph_iri(claim, record)
    quads = judgement_quads(judgement)
    old = set(store.quads(None, None, None, graph))
    store.extend(quads)
    store.remove(old - set(quads))
    return judgement


def withdraw_review(store: ClaimStore, claim: str, record: str) -> bool:
    """Withdraw the review of ``record`` for ``claim``; ``False`` when there was none."""
    graph = judgement_graph_iri(claim, record)
    if not any(store.quads(None, None, None, graph)):
        return False
    store.remove_graph(graph)
    return True
