"""The ingest context (``therapy_names.rq``): curated therapies with their synonyms, never the
therapies a news story only proposed, on the bundled reference graph and the real stories."""

from __future__ import annotations

from pathlib import Path

from pyoxigraph import Literal, NamedNode, Quad

from oncoclaims.graph.store import ClaimStore
from oncoclaims.ingest import ingest
from oncoclaims.ingest.context import read_context
from oncoclaims.iris import mint_graph_iri, mint_iri
from oncoclaims.reference import reference_quads
from oncoclaims.vocab import OC, RDF, RDFS, SKOS, XSD

NEWS = Path(__file__).parents[1] / "data" / "news"


def _stories_store() -> ClaimStore:
    store = ClaimStore.in_memory()
    store.extend(reference_quads())
    for path in sorted(NEWS.glob("*_reviews_*[0-9].json")):
        ingest(path, store)
    return store


def test_proposed_therapies_of_real_stories_are_not_context() -> None:
    store = _stories_store()
    proposed = {q.subject for q in store.quads(None, OC.proposed, Literal("true", datatype=XSD.boolean))}
    assert mint_iri("therapy", "T-VEC") in proposed  # the stories do propose therapies
    assert read_context(store).therapy_names == {"Enteromix": ()}


def test_a_therapy_curated_in_one_graph_is_context_whatever_other_graphs_propose() -> None:
    store = _stories_store()
    curated = mint_graph_iri("reference", "context-test")
    tvec, imlygic = mint_iri("therapy", "T-VEC"), mint_iri("therapy", "Imlygic")
    store.extend([
        # T-VEC is proposed by a story graph; a curated graph types it without oc:proposed
        Quad(tvec, RDF.type, OC.Therapy, curated),
        Quad(tvec, RDFS.label, Literal("talimogene laherparepvec"), curated),
        Quad(tvec, SKOS.altLabel, Literal("T-VEC"), curated),
        # a synonym from any graph counts
        Quad(tvec, SKOS.altLabel, Literal("Imlygic"), mint_graph_iri("reference", "synonyms")),
        # proposed "false" is not proposed
        Quad(imlygic, RDF.type, OC.Therapy, curated),
        Quad(imlygic, RDFS.label, Literal("Imlygic brand"), curated),
        Quad(imlygic, OC.proposed, Literal("false", datatype=XSD.boolean), curated),
    ])
    assert read_context(store).therapy_names == {
        "Enteromix": (),
        "Imlygic brand": (),
        "talimogene laherparepvec": ("Imlygic", "T-VEC"),
    }
    # proposed in the very graph that types it: left out again
    store.extend([Quad(imlygic, OC.proposed, Literal("true", datatype=XSD.boolean), curated)])
    assert "Imlygic brand" not in read_context(store).therapy_names
