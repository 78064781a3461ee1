"""The seed article: every claim the foundation issue lists, with span, type, quantities, markers."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from pyoxigraph import Literal, NamedNode

from oncoclaims.graph.store import ClaimStore
from oncoclaims.ingest import IngestReport
from oncoclaims.iris import mint_iri
from oncoclaims.vocab import OA, OC, RDF, SCHEMA

SEED = Path(__file__).parents[1] / "data" / "news" / "enteromix-article.txt"

TEXT = SEED.read_text(encoding="utf-8")
ENTEROMIX = mint_iri("therapy", "Enteromix")


def _values(store: ClaimStore, subject: NamedNode, predicate: NamedNode) -> list:
    return [q.object for q in store.quads(subject, predicate)]


def _statement(store: ClaimStore, exact: str) -> NamedNode:
    """The statement whose quote selector's exact text is ``exact``."""
    selectors = [q.subject for q in store.quads(None, OA.exact, Literal(exact))
                 if "/statement/" in q.subject.value]
    assert selectors, f"no statement quotes {exact!r}"
    return NamedNode(selectors[0].value.removesuffix("#quote"))


def _claim(store: ClaimStore, statement: NamedNode) -> NamedNode:
    (claim,) = _values(store, statement, OA.hasBody)
    return claim


def _span(store: ClaimStore, statement: NamedNode) -> tuple[int, int]:
    position = NamedNode(statement.value + "#position")
    (start,) = _values(store, position, OA.start)
    (end,) = _values(store, position, OA.end)
    return int(start.value), int(end.value)


def _quantities(store: ClaimStore, claim: NamedNode) -> set[tuple]:
    found = set()
    for quantity in _values(store, claim, OC.quantity):
        def one(prop: NamedNode, q: NamedNode = quantity) -> Decimal | None:
            values = _values(store, q, prop)
            return Decimal(values[0].value) if values else None
        (qualifier,) = _values(store, quantity, OC.qualifier)
        (unit,) = _values(store, quantity, SCHEMA.unitText)
        found.add((one(SCHEMA.value), one(SCHEMA.minValue), one(SCHEMA.maxValue),
                   qualifier.value, unit.value))
    return found


# The claims of the foundation issue (issue 2, item 4): exact span, type, quantities.
ISSUE_CLAIMS = [
    ("According to Russian researchers, the Enteromix vaccine offers total effectiveness against certain cancers.",
     "efficacy", {(Decimal(100), None, None, "exactly", "percent")}),
    ("The claim of “100 percent effectiveness” mainly comes from official statements and state media.",
     "efficacy", {(Decimal(100), None, None, "exactly", "percent")}),
    ("In mice, tumors are said to shrink by 60 to 80 percent",
     "efficacy", {(None, Decimal(60), Decimal(80), "range", "percent")}),
    ("in some cases disappear entirely", "efficacy", set()),
    ("An impressive feat on paper, made even more striking by the promise that Enteromix would be offered free of charge to the Russian population.",
     "availability", set()),
    ("So far, only very early trials have been carried out in people, reportedly involving fewer than fifty volunteers.",
     "trial-status", {(None, None, Decimal(50), "fewer than", "volunteers")}),
    ("There are no publications in international scientific journals", "absence-of-evidence", set()),
    ("no confirmation from independent experts", "absence-of-evidence", set()),
]


@pytest.mark.parametrize(("exact", "claim_type", "quantities"), ISSUE_CLAIMS, ids=[c[0][:40] for c in ISSUE_CLAIMS])
def test_every_issue_claim_is_found_with_span_type_and_quantities(
    seed_store: tuple[ClaimStore, IngestReport], exact: str, claim_type: str, quantities: set
) -> None:
    store, _ = seed_store
    statement = _statement(store, exact)
    start, end = _span(store, statement)
    assert TEXT[start:end] == exact
    claim = _claim(store, statement)
    assert _values(store, claim, OC.claimType) == [OC["claim-" + claim_type]]
    assert _quantities(store, claim) == quantities
    assert ENTEROMIX in _values(store, claim, OC.about)
    assert _values(store, statement, OC.extractedBy)


@pytest.mark.parametrize(
    ("exact", "party"),
    [
        ("According to Russian researchers, the Enteromix vaccine offers total effectiveness against certain cancers.",
         "Russian researchers"),
        ("The claim of “100 percent effectiveness” mainly comes from official statements and state media.",
         "State media"),
    ],
)
def test_attribution_links_the_party_the_reference_graph_names(
    seed_store: tuple[ClaimStore, IngestReport], exact: str, party: str
) -> None:
    store, _ = seed_store
    statement = _statement(store, exact)
    party_node = mint_iri("institution", party)
    assert _values(store, statement, OC.attributedTo) == [party_node]
    assert party_node in _values(store, _claim(store, statement), OC.claimedBy)
    # the same node the bundled reference graph describes
    assert list(store.quads(party_node, RDF.type, OC.Institution))
    assert _values(store, statement, OC.attribution)[0].value in exact


def test_total_effectiveness_and_100_percent_statements_carry_hype(
    seed_store: tuple[ClaimStore, IngestReport],
) -> None:
    store, _ = seed_store
    total = _statement(store, ISSUE_CLAIMS[0][0])
    hundred = _statement(store, ISSUE_CLAIMS[1][0])
    assert Literal("total effectiveness") in _values(store, total, OC.hype)
    assert Literal("100 percent effectiveness") in _values(store, hundred, OC.hype)


@pytest.mark.parametrize(
    ("exact", "hedge"),
    [
        ("Enteromix, its new anti-cancer vaccine, reportedly showed complete effectiveness in early trials.", "reportedly"),
        (ISSUE_CLAIMS[5][0], "reportedly"),
        ("In mice, tumors are said to shrink by 60 to 80 percent", "said to"),
        ("in some cases disappear entirely", "said to"),
    ],
)
def test_reportedly_and_said_to_statements_carry_hedges(
    seed_store: tuple[ClaimStore, IngestReport], exact: str, hedge: str
) -> None:
    store, _ = seed_store
    assert Literal(hedge) in _values(store, _statement(store, exact), OC.hedge)


def test_known_therapy_is_linked_not_proposed(seed_store: tuple[ClaimStore, IngestReport]) -> None:
    store, report = seed_store
    assert report.format == "news-text"
    assert not list(store.quads(ENTEROMIX, OC.proposed))
    assert not [w for w in report.warnings if "proposed" in w]


def test_unknown_therapy_is_proposed_as_a_flagged_node(empty_store: ClaimStore) -> None:
    from oncoclaims.ingest import ingest

    report = ingest(SEED, empty_store)
    assert [q.object for q in empty_store.quads(ENTEROMIX, OC.proposed)] == [
        Literal("true", datatype=NamedNode("http://www.w3.org/2001/XMLSchema#boolean"))
    ]
    assert list(empty_store.quads(ENTEROMIX, RDF.type, OC.Therapy))
    assert any("Enteromix" in w for w in report.warnings)


def test_mice_claim_records_population_and_rules(seed_store: tuple[ClaimStore, IngestReport]) -> None:
    store, _ = seed_store
    statement = _statement(store, ISSUE_CLAIMS[2][0])
    assert _values(store, _claim(store, statement), OC.population) == [OC["population-mice"]]
    rules = {v.value for v in _values(store, statement, OC.extractedBy)}
    assert {"clause:coordination", "type:efficacy-outcome", "quantity:range", "hedge:said-to"} <= rules
