"""Article identity across PubMed and Crossref: one node per article.

A PubMed record names its article ``mint_iri("pubmed", PMID)`` (the node ClinicalTrials.gov
references point at); a Crossref record knows only the DOI and names it
``mint_iri("doi", DOI)``. When both describe the same article (the PubMed record gives the
DOI), the PubMed node wins, whichever record arrives first:

- a Crossref batch: a DOI the store already knows on a PubMed node is written onto that
  node (:func:`adopt_known_articles`);
- a PubMed batch: statements an earlier Crossref batch made about the DOI node are moved
  onto the PubMed node (:func:`moved_article_quads`, then :func:`remove_moved`).

The result does not depend on the order of ingest, and ingesting either record again
changes nothing. The move writes the new statements with the batch; removing the old
ones is a second step, so a crash between the two leaves both nodes, as before.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from pyoxigraph import Literal, NamedNode, Quad

from oncoclaims.graph.store import ClaimStore
from oncoclaims.iris import mint_iri
from oncoclaims.vocab import ID_BASE, OC

__all__ = ["adopt_known_articles", "article_dois", "moved_article_quads", "remove_moved"]

_DOI_BASE = ID_BASE + "doi/"
_PUBMED_BASE = ID_BASE + "pubmed/"


def article_dois(quads: Iterable[Quad]) -> dict[str, NamedNode]:
    """DOI -> PubMed node, for the PubMed nodes among ``quads`` that state a DOI."""
    found = {}
    for quad in quads:
        if quad.predicate == OC.doi and quad.subject.value.startswith(_PUBMED_BASE):
            found[quad.object.value] = quad.subject
    return found


def _pubmed_node_for(store: ClaimStore, doi: str) -> NamedNode | None:
    for quad in store.quads(None, OC.doi, Literal(doi), None):
        if isinstance(quad.subject, NamedNode) and quad.subject.value.startswith(_PUBMED_BASE):
            return quad.subject
    return None


def _swap(quad: Quad, mapping: dict[NamedNode, NamedNode]) -> Quad:
    subject = mapping.get(quad.subject, quad.subject) if isinstance(quad.subject, NamedNode) else quad.subject
    obj = mapping.get(quad.object, quad.object) if isinstance(quad.object, NamedNode) else quad.object
    if subject is quad.subject and obj is quad.object:
        return quad
    return Quad(subject, quad.predicate, obj, quad.graph_name)


def adopt_known_articles(quads: list[Quad], store: ClaimStore) -> list[Quad]:
    """``quads`` of a Crossref record, with each DOI node the store knows as a PubMed
    article replaced by that PubMed node."""
    mapping: dict[NamedNode, NamedNode] = {}
    for quad in quads:
        for term in (quad.subject, quad.object):
            if isinstance(term, NamedNode) and term.value.startswith(_DOI_BASE) and term not in mapping:
                doi = term.value[len(_DOI_BASE):]
                known = _pubmed_node_for(store, doi)
                mapping[term] = known if known is not None else term
    mapping = {old: new for old, new in mapping.items() if old != new}
    return [_swap(q, mapping) for q in quads] if mapping else quads


def _old_quads(store: ClaimStore, doi_node: NamedNode) -> Iterator[Quad]:
    yield from store.quads(doi_node, None, None, None)
    yield from store.quads(None, None, doi_node, None)


def moved_article_quads(dois: dict[str, NamedNode], store: ClaimStore) -> Iterator[Quad]:
    """The statements the store makes about the DOI nodes of ``dois``, rewritten onto
    their PubMed nodes (to be written with the PubMed batch)."""
    for doi, node in sorted(dois.items()):
        doi_node = mint_iri("doi", doi)
        for quad in _old_quads(store, doi_node):
            yield _swap(quad, {doi_node: node})


def remove_moved(dois: Iterable[str], store: ClaimStore) -> int:
    """Remove what the store still says about the DOI nodes of ``dois``; return how many quads."""
    old = [quad for doi in dois for quad in _old_quads(store, mint_iri("doi", doi))]
    store.remove(old)
    return len(old)
