"""Edge tables read as SPARQL TSV (on threads) name every node as the projection does."""

from __future__ import annotations

from pyoxigraph import BlankNode, Literal, NamedNode, Quad

from oncoclaims.graph.projection import node_id
from oncoclaims.graph.store import ClaimStore
from oncoclaims.graph.tables import EdgeTables, iri_of
from oncoclaims.ingest import ingest
from tests.ingest.test_large_batches import MEDLINE, TRIAL

PART_OF = iri_of("oc:partOf")


def expected(store: ClaimStore, predicate: NamedNode) -> dict[str, list[str]]:
    table: dict[str, list[str]] = {}
    for quad in store.quads(None, predicate, None, None):
        if not isinstance(quad.object, Literal):
            table.setdefault(node_id(quad.subject), []).append(node_id(quad.object))
    return {key: sorted(values) for key, values in table.items()}


def test_tables_of_real_records_match_the_quads_they_come_from() -> None:
    store = ClaimStore.in_memory()
    ingest(TRIAL, store)
    ingest(MEDLINE, store)
    predicates = ("oc:sponsor", "oc:leadSponsor", "dcterms:creator", "schema:affiliation")
    with EdgeTables(store) as edges:
        edges.prefetch(*predicates)
        for compact in predicates:
            table = {key: sorted(values) for key, values in edges.table(compact).items()}
            assert table == expected(store, iri_of(compact)), compact
            assert table, f"the samples state {compact}"


def test_blank_nodes_unusual_iris_and_literals() -> None:
    store = ClaimStore.in_memory()
    graph = NamedNode("https://example.org/g")
    blank, other = BlankNode("b1"), BlankNode()
    odd = NamedNode("https://example.org/a%20b?q=1&r=é#frag")
    store.extend([
        Quad(blank, PART_OF, odd, graph),
        Quad(odd, PART_OF, other, graph),
        Quad(odd, PART_OF, Literal("a\tliteral\nwith tabs"), graph),  # left out: a literal
        Quad(blank, PART_OF, odd, NamedNode("https://example.org/g2")),  # once per graph
    ])
    with EdgeTables(store) as edges:
        table = edges.table("oc:partOf")
    assert table == {
        node_id(blank): [node_id(odd), node_id(odd)],
        node_id(odd): [node_id(other)],
    }
