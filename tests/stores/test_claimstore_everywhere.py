"""The store, ingest, confirmation and export on all three backends, with the same answers.

Each test runs on the embedded store, a real Oxigraph server and a real Virtuoso (the
``backend`` fixtures of this folder) through :class:`ClaimStore`, and compares with what
the embedded store gives for the same input. Differences are the documented ones
(docs/deployment.md): Virtuoso writes a boolean ``true`` back as ``1``, so quads are
compared with booleans in one form.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Iterator
from functools import cache
from pathlib import Path

import pyoxigraph as ox
import pytest

from oncoclaims.backends import Backend, SparqlBackend
from oncoclaims.graph.bootstrap import prepare
from oncoclaims.graph.confirmation import claim_statuses, confirmation_report
from oncoclaims.graph.export import dump, write_graphml
from oncoclaims.graph.metrics import institution_metrics
from oncoclaims.graph.store import ClaimStore
from oncoclaims.ingest import ingest
from oncoclaims.ontology import ONTOLOGY_GRAPH, ontology_quads
from oncoclaims.vocab import OC, RDF

DATA = Path(__file__).parents[1] / "data"
#: Real records (origins in tests/data/README.md): a PubMed set, a retracted article, a
#: ClinicalTrials.gov study and a Crossref work that the PubMed set may name.
RECORDS = [
    DATA / "pubmed" / "biomcp-efetch_citation_22663011.xml",
    DATA / "pubmed" / "neilfws-retracted-example.xml",
    DATA / "crossref" / "10.1371_journal.pone.0033693.json",
]
CLAIM = "https://w3id.org/oncoclaims/id/claim/enteromix-enteromix-is-totally-100-perce-df88103e2ae65e19"
OWL_CLASS = ox.NamedNode("http://www.w3.org/2002/07/owl#Class")
_BOOLEAN = ox.NamedNode("http://www.w3.org/2001/XMLSchema#boolean")


def _canonical(term: ox.Term) -> ox.Term:
    if isinstance(term, ox.Literal) and term.datatype == _BOOLEAN:
        return ox.Literal("true" if term.value in ("true", "1") else "false", datatype=_BOOLEAN)
    return term


def _blank(quad: ox.Quad) -> bool:
    return isinstance(quad.subject, ox.BlankNode) or isinstance(quad.object, ox.BlankNode)


def canonical(quads: Iterable[ox.Quad]) -> tuple[set[ox.Quad], int]:
    """The quads without blank nodes, booleans in one form (Virtuoso writes ``true`` back as
    ``1``), and how many quads have blank nodes (a server gives them labels of its own)."""
    named: set[ox.Quad] = set()
    blank = 0
    for q in quads:
        if _blank(q):
            blank += 1
        else:
            named.add(ox.Quad(q.subject, q.predicate, _canonical(q.object), q.graph_name))
    return named, blank


def _server(backend: Backend) -> str:
    return backend.endpoints.server if isinstance(backend, SparqlBackend) else "embedded"


@pytest.fixture
def store(backend: Backend) -> ClaimStore:
    """An empty ClaimStore on each backend."""
    return ClaimStore(backend)


@cache
def reference() -> ClaimStore:
    """The embedded store with the ontology and the reference graph: the expected answers."""
    expected = ClaimStore.in_memory()
    prepare(expected)
    return expected


@pytest.fixture(scope="module")
def loaded(module_backend: Backend) -> Iterator[ClaimStore]:
    """The ontology and the reference graph on each backend, loaded as ``open_store`` does."""
    claim_store = ClaimStore(module_backend)
    prepare(claim_store)
    yield claim_store


# -- the store --------------------------------------------------------------------------


def test_writing_reading_and_removing_agree(store: ClaimStore) -> None:
    # without the ontology's blank nodes: a server mints new ones for each write (documented)
    bundled = [q for q in ontology_quads() if not _blank(q)]
    assert store.is_empty()
    assert store.extend(bundled) == len(set(bundled))
    assert store.extend(bundled) == 0, "writing a batch twice changes nothing"
    assert len(store) == len(set(bundled))
    assert not store.is_empty()
    assert store.named_graphs() == [ONTOLOGY_GRAPH]
    assert store.contains_graph(ONTOLOGY_GRAPH)
    assert not store.contains_graph(ox.NamedNode(ONTOLOGY_GRAPH.value + "-none"))
    classes = {q for q in bundled if q.predicate == RDF.type}
    assert canonical(store.quads(None, RDF.type, None, None)) == canonical(classes)
    assert canonical(store.quads(graph=ONTOLOGY_GRAPH)) == canonical(bundled)
    some = sorted(classes, key=str)[:3]
    store.remove(some)
    assert not set(store.quads(some[0].subject, RDF.type, some[0].object, None))
    assert len(store) == len(set(bundled)) - 3
    store.remove_graph(ONTOLOGY_GRAPH)
    store.remove_graph(ONTOLOGY_GRAPH)  # absent: nothing happens
    assert store.is_empty() and store.named_graphs() == []


def test_a_query_of_each_form_answers_alike(store: ClaimStore) -> None:
    store.extend(ontology_quads())
    text = "SELECT ?c $kind WHERE { GRAPH ?g { ?c a $kind } FILTER(isIRI(?c)) } ORDER BY ?c"
    rows = store.query(text, {"kind": OWL_CLASS})
    expected = ClaimStore.in_memory()
    expected.extend(ontology_quads())
    assert rows == expected.query(text, {"kind": OWL_CLASS})
    assert rows.rows, "the ontology has classes"
    assert store.query("ASK { ?c a $kind }", {"kind": OWL_CLASS}, union=True) is True
    built = store.query("CONSTRUCT { ?c a $kind } WHERE { ?c a $kind FILTER(isIRI(?c)) }",
                        {"kind": OWL_CLASS},
                        union=True)
    assert set(built) == {ox.Triple(r[0], RDF.type, OWL_CLASS) for r in rows.rows}
    assert store.query("ASK { ?c a $kind }", {"kind": OC.Claim}, union=True) is False


# -- ingest -----------------------------------------------------------------------------


def test_ingest_of_real_records_writes_the_same_quads_and_again_nothing(store: ClaimStore) -> None:
    expected = ClaimStore.in_memory()
    for path in RECORDS:
        wanted = ingest(path, expected)
        report = ingest(path, store)
        got = (report.records, report.quads_added)
        assert got == (wanted.records, wanted.quads_added), path.name
    assert canonical(store) == canonical(expected)
    assert not any(isinstance(q.subject, ox.BlankNode) or isinstance(q.object, ox.BlankNode)
                   for q in store), "ingest mints IRIs, so a server holds the same nodes"
    for path in RECORDS:
        again = ingest(path, store)
        assert (again.quads_added, again.values_replaced) == (0, 0), path.name
    assert canonical(store) == canonical(expected)


# -- confirmation -----------------------------------------------------------------------


def test_statuses_from_python_are_the_same_on_every_backend(loaded: ClaimStore) -> None:
    expected = claim_statuses(reference())
    assert expected, "the reference graph has claims"
    assert claim_statuses(loaded) == expected


def test_statuses_from_sparql_agree_with_python(loaded: ClaimStore) -> None:
    assert claim_statuses(loaded, engine="sparql") == claim_statuses(loaded)


def test_a_claims_report_is_the_same_on_every_backend(loaded: ClaimStore) -> None:
    expected = confirmation_report(reference(), CLAIM)
    report = confirmation_report(loaded, CLAIM)
    assert report.evidence, "the claim has evidence to judge"
    assert report.to_dict() == expected.to_dict()


def test_institution_metrics_are_the_same_on_every_backend(loaded: ClaimStore) -> None:
    assert institution_metrics(loaded) == institution_metrics(reference())


# -- export -----------------------------------------------------------------------------


def test_an_rdf_dump_holds_the_same_quads(loaded: ClaimStore) -> None:
    out = io.BytesIO()
    dump(loaded, out, "nq")
    got = ox.parse(out.getvalue(), format=ox.RdfFormat.N_QUADS)
    assert canonical(got) == canonical(reference())


def test_graphml_is_the_same_on_every_backend(loaded: ClaimStore) -> None:
    out, expected = io.BytesIO(), io.BytesIO()
    counts = write_graphml(loaded, out)
    assert counts == write_graphml(reference(), expected)
    assert counts[0] > 0 and counts[1] > 0
    assert _named_nodes(out.getvalue()) == _named_nodes(expected.getvalue())
    if _server(loaded.backend) == "embedded":
        assert out.getvalue() == expected.getvalue()


def _named_nodes(graphml: bytes) -> list[bytes]:
    """The node elements of a GraphML file for IRIs (blank nodes' ids come from their labels)."""
    lines = [line for line in graphml.split(b"\n") if line.startswith(b"<node ")]
    return sorted(line for line in lines if b'key="iri">_:' not in line)
