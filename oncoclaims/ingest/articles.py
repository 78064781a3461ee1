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

from pyoxigraph import NamedNode, Quad

from oncoclaims.graph.store import ClaimStore
from oncoclaims.iris import mint_iri
from oncoclaims.queries.values import select_values
from oncoclaims.vocab import ID_BASE, OC

__all__ = [
    "DOI_BASE",
    "PUBMED_BASE",
    "adopt_known_articles",
    "article_dois",
    "doi_nodes",
    "known_articles",
    "moved_article_quads",
    "remove_moved",
]

#: The IRIs of articles known by DOI only (Crossref), and by PMID.
DOI_BASE = ID_BASE + "doi/"
PUBMED_BASE = ID_BASE + "pubmed/"


def article_dois(quads: Iterable[Quad]) -> dict[str, NamedNode]:
    """DOI -> PubMed node, for the PubMed nodes among ``quads`` that state a DOI."""
    found = {}
    for quad in quads:
        if quad.predicate == OC.doi and quad.subject.value.startswith(PUBMED_BASE):
            found[quad.object.value] = quad.subject
    return found


def known_articles(store: ClaimStore, dois: Iterable[str]) -> dict[str, NamedNode]:
    """DOI -> the PubMed node the store states it for, for those of ``dois`` it knows
    (one query for all of them, ``articles_by_doi.rq``)."""
    found: dict[str, NamedNode] = {}
    rows = select_values(store, "articles_by_doi", [{"doi": doi} for doi in sorted(set(dois))])
    for row in sorted(rows, key=lambda r: r["article"].value):
        article = row["article"]
        if isinstance(article, NamedNode) and article.value.startswith(PUBMED_BASE):
            found.setdefault(row["doi"].value, article)
    return found


def doi_nodes(quads: Iterable[Quad]) -> set[NamedNode]:
    """The DOI nodes (``mint_iri("doi", ...)``) named among ``quads``."""
    return {
        term
        for quad in quads
        for term in (quad.subject, quad.object)
        if isinstance(term, NamedNode) and term.value.startswith(DOI_BASE)
    }


def _swap(quad: Quad, mapping: dict[NamedNode, NamedNode]) -> Quad:
    subject = mapping.get(quad.subject, quad.subject) if isinstance(quad.subject, NamedNode) else quad.subject
    obj = mapping.get(quad.object, quad.object) if isinstance(quad.object, NamedNode) else quad.object
    if subject is quad.subject and obj is quad.object:
        return quad
    return Quad(subject, quad.predicate, obj, quad.graph_name)


def adopt_known_articles(quads: list[Quad], known: dict[str, NamedNode]) -> list[Quad]:
    """``quads`` of a Crossref record, with each DOI node whose DOI ``known`` maps to a
    PubMed article (:func:`known_articles`) replaced by that PubMed node."""
    mapping = {
        node: known[node.value[len(DOI_BASE):]]
        for node in doi_nodes(quads)
        if node.value[len(DOI_BASE):] in known
    }
    return [_swap(q, mapping) for q in quads] if mapping else quads


def _old_quads(store: ClaimStore, dois: Iterable[str]) -> list[Quad]:
    """The quads of the named graphs about the DOI nodes of ``dois`` (one query,
    ``quads_about.rq``)."""
    nodes = [{"node": mint_iri("doi", doi)} for doi in sorted(set(dois))]
    rows = select_values(store, "quads_about", nodes)
    return [
        Quad(row.get("s", row["node"]), row["p"], row.get("o", row["node"]), row["g"])  # type: ignore[arg-type]
        for row in rows
    ]


def moved_article_quads(dois: dict[str, NamedNode], store: ClaimStore) -> Iterator[Quad]:
    """The statements the store makes about the DOI nodes of ``dois``, rewritten onto
    their PubMed nodes (to be written with the PubMed batch)."""
    mapping = {mint_iri("doi", doi): node for doi, node in dois.items()}
    for quad in _old_quads(store, dois):
        yield _swap(quad, mapping)


def remove_moved(dois: Iterable[str], store: ClaimStore) -> int:
    """Remove what the store still says about the DOI nodes of ``dois``; return how many quads."""
    old = _old_quads(store, dois)
    store.remove(old)
    return len(old)
