"""Institution identity: merge on identifiers, never silently on names.

An institution named in a record gets one of two kinds of IRI:

- **by identifier**, when the record gives one (ROR id, ISSN of a journal, Crossref
  Open Funder Registry DOI, ISNI, GRID): ``mint_iri("institution", scheme, id)``. Every
  record giving the same identifier names the same node, so they merge.
- **by name within its record** otherwise: ``mint_iri("institution", name, "in", scope)``
  where ``scope`` is the record's own key (its named graph). Two records naming
  "National Cancer Institute" give two nodes; within one record a name is one node.

Every name-keyed node carries ``oc:normalisedName`` (and ``schema:addressCountry`` when the
record states a country). After each batch, :func:`candidate_match_quads` groups the
nodes sharing a normalised name and country into one ``oc:CandidateMatch`` per group,
with its ``oc:matchReason``: recorded for review, not merged. The confirmation engine
counts a candidate match as a possible tie (docs/confirmation.md): "may be the same
institution" must not pass for independence.

Curated inputs (the reference graph and claims tables) are the curator's own decision
about identity, so a name there is one node across curated files (``scope="curated"``).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from pyoxigraph import Literal, NamedNode, Quad

from oncoclaims.graph.store import ClaimStore
from oncoclaims.iris import mint_graph_iri, mint_iri, normalise_name
from oncoclaims.queries.values import select_values
from oncoclaims.vocab import DCTERMS, OC, RDF, RDFS, SCHEMA

__all__ = [
    "CURATED",
    "IDENTIFIER_SCHEMES",
    "MATCHES_GRAPH",
    "NamedInstitution",
    "candidate_match_quads",
    "institution_quads",
    "normalise_name",
]

#: Identifier schemes that make two records' institutions one node.
IDENTIFIER_SCHEMES = ("ror", "issn", "funder-doi", "isni", "grid")
#: The scope of names in curated inputs (reference graph, claims tables).
CURATED = "curated"
#: The named graph that holds candidate matches.
MATCHES_GRAPH = mint_graph_iri("matches", "institutions")

def _clean_identifier(scheme: str, value: str) -> str:
    value = value.strip()
    if scheme == "ror":
        value = value.rsplit("/", 1)[-1]
    elif scheme == "funder-doi":
        value = value.lower().removeprefix("https://doi.org/").removeprefix("http://dx.doi.org/")
    elif scheme == "issn":
        value = value.upper()
    return value


def institution_quads(
    name: str,
    graph: NamedNode,
    *,
    scope: str,
    identifier: tuple[str, str] | None = None,
    country: str | None = None,
) -> tuple[NamedNode, list[Quad]]:
    """The node for an institution named in one record, and the quads that describe it.

    :param name: the name as the record spells it (the label).
    :param graph: the record's named graph.
    :param scope: the record's key; names are one node only within it.
    :param identifier: ``(scheme, value)`` with a scheme of :data:`IDENTIFIER_SCHEMES`.
    :param country: the country the record states for this institution, if any.
    """
    quads: list[Quad] = []
    if identifier is not None and identifier[1].strip():
        scheme, value = identifier[0], _clean_identifier(*identifier)
        if scheme not in IDENTIFIER_SCHEMES:
            raise ValueError(f"unknown institution identifier scheme {scheme!r}")
        node = mint_iri("institution", scheme, value)
        quads.append(Quad(node, DCTERMS.identifier, Literal(f"{scheme}:{value}"), graph))
        if scheme == "ror":
            quads.append(Quad(node, OC.rorId, Literal(value), graph))
    else:
        key = normalise_name(name) or name.strip()
        # Curated names keep the IRI the reference graph and news extraction link to.
        node = mint_iri("institution", name) if scope == CURATED else mint_iri("institution", key, "in", scope)
        quads.append(Quad(node, OC.normalisedName, Literal(key), graph))
    quads.append(Quad(node, RDF.type, OC.Institution, graph))
    quads.append(Quad(node, RDFS.label, Literal(name), graph))
    if country:
        quads.append(Quad(node, SCHEMA.addressCountry, Literal(country), graph))
    return node, quads


@dataclass(frozen=True, slots=True)
class NamedInstitution:
    """A name-keyed institution: its node, normalised name and stated country."""

    node: NamedNode
    name: str
    country: str | None


def _known_by_name(
    store: ClaimStore, names: Iterable[str]
) -> dict[tuple[str, str | None], set[NamedNode]]:
    """The store's name-keyed institutions with one of ``names``, grouped by name and country
    (one query for every name, ``institutions_by_name.rq``). A node stated with several
    countries counts with the first of them in order of their text."""
    countries: dict[tuple[str, NamedNode], str | None] = {}
    keys = [{"normalised": name} for name in sorted(set(names))]
    for row in select_values(store, "institutions_by_name", keys):
        key = (row["normalised"].value, row["institution"])
        country = row["country"].value if "country" in row else None
        held = countries.get(key)
        if key not in countries or (country is not None and (held is None or country < held)):
            countries[key] = country
    groups: dict[tuple[str, str | None], set[NamedNode]] = {}
    for (name, node), country in countries.items():
        groups.setdefault((name, country), set()).add(node)  # type: ignore[arg-type]
    return groups


def candidate_match_quads(new: Iterable[NamedInstitution], store: ClaimStore) -> Iterator[Quad]:
    """Candidate matches for ``new`` name-keyed institutions, against each other and ``store``.

    Institutions with the same normalised name join one ``oc:CandidateMatch`` per name
    and country (no country counts as a country of its own: "no country stated"), so a
    name shared by many records costs one node, not a pair per two records. Each member
    points at the match with ``oc:candidateIn`` (the tie link) and the match at each
    member with ``oc:candidate``. The match IRI depends only on the name and country,
    so the result does not depend on the order in which records arrive.
    """
    groups: dict[tuple[str, str | None], set[NamedNode]] = {}
    for item in new:
        groups.setdefault((item.name, item.country), set()).add(item.node)
    with_new = set(groups)
    for key, members in _known_by_name(store, (name for name, _ in with_new)).items():
        groups.setdefault(key, set()).update(members)
    groups = {key: members for key, members in groups.items() if key in with_new}
    for (name, country), members in sorted(groups.items(), key=lambda item: (item[0][0], item[0][1] or "")):
        if len(members) < 2:
            continue
        match = mint_iri("match", "institution", name, country or "-")
        reason = (
            f"same normalised name '{name}' and country '{country}', no shared identifier"
            if country
            else f"same normalised name '{name}', no country stated, no shared identifier"
        )
        yield Quad(match, RDF.type, OC.CandidateMatch, MATCHES_GRAPH)
        yield Quad(match, RDFS.label, Literal(f"candidate match '{name}'"), MATCHES_GRAPH)
        yield Quad(match, OC.matchReason, Literal(reason), MATCHES_GRAPH)
        for member in sorted(members, key=lambda n: n.value):
            yield Quad(match, OC.candidate, member, MATCHES_GRAPH)
            yield Quad(member, OC.candidateIn, match, MATCHES_GRAPH)
