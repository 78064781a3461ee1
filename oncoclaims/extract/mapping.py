"""Extracted claims as RDF, in the terms of ``docs/model.md`` (as the reference graph uses them).

Each claim becomes an ``oc:Claim`` stated by an ``oc:ClaimStatement`` whose target
carries an ``oa:TextQuoteSelector`` (exact, prefix, suffix) and an
``oa:TextPositionSelector`` (start, end) into the source's ``schema:text``. Every IRI is
minted from content: a claim from its therapies and its normalised text, a statement
from its source and offsets, a party from its normalised name. So mapping the same
extraction twice gives the same quads.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from pyoxigraph import Literal, NamedNode, Quad

from oncoclaims.extract.attribution import Party
from oncoclaims.extract.claims import ExtractedClaim, Extraction
from oncoclaims.extract.therapies import TherapyMention
from oncoclaims.iris import mint_iri
from oncoclaims.vocab import OA, OC, RDF, RDFS, SCHEMA, XSD

__all__ = [
    "claim_iri",
    "extraction_quads",
    "party_iri",
    "therapy_iri",
]


def therapy_iri(label: str) -> NamedNode:
    """Return the IRI of the therapy named ``label`` (the same one a curated graph mints)."""
    return mint_iri("therapy", label)


def party_iri(party: Party, source_key: str) -> NamedNode:
    """Return a party's IRI: from its name, or from its name and article when it is scoped."""
    kind = "person" if party.kind == "person" else "institution"
    if party.scoped:
        return mint_iri(kind, party.label, source_key)
    return mint_iri(kind, party.label)


def claim_iri(claim: ExtractedClaim) -> NamedNode:
    """Return a claim's IRI: a hash of its therapies and its normalised text."""
    therapies = "+".join(sorted({m.label.casefold() for m in claim.therapies}))
    return mint_iri("claim", therapies, claim.exact)


def _decimal(value: Decimal) -> Literal:
    return Literal(format(value.normalize(), "f"), datatype=XSD.decimal)


def _integer(value: int) -> Literal:
    return Literal(str(value), datatype=XSD.integer)


def _label(claim: ExtractedClaim) -> str:
    therapies = ", ".join(dict.fromkeys(m.label for m in claim.therapies))
    text = " ".join(claim.exact.split())
    return f"{therapies}: {text[:117] + '...' if len(text) > 120 else text}"


def _therapy_nodes(
    mentions: tuple[TherapyMention, ...], graph: NamedNode
) -> Iterator[Quad]:
    for mention in mentions:
        if mention.known:
            continue
        node = therapy_iri(mention.label)
        yield Quad(node, RDF.type, OC.Therapy, graph)
        yield Quad(node, RDFS.label, Literal(mention.label), graph)
        yield Quad(node, OC.proposed, Literal("true", datatype=XSD.boolean), graph)
        yield Quad(node, OC.extractedBy, Literal(mention.rule), graph)


def _claim_quads(
    claim: ExtractedClaim, *, source: NamedNode, source_key: str, graph: NamedNode
) -> Iterator[Quad]:
    node = claim_iri(claim)
    yield Quad(node, RDF.type, OC.Claim, graph)
    yield Quad(node, SCHEMA.text, Literal(claim.exact), graph)
    yield Quad(node, RDFS.label, Literal(_label(claim)), graph)
    for mention in claim.therapies:
        yield Quad(node, OC.about, therapy_iri(mention.label), graph)
    yield Quad(node, OC.claimType, OC["claim-" + claim.claim_type], graph)
    if claim.population is not None:
        yield Quad(node, OC.population, OC["population-" + claim.population], graph)
    if claim.indication is not None:
        yield Quad(node, OC.indication, Literal(claim.indication), graph)
    parties = claim.attribution.parties if claim.attribution is not None else ()
    for party in parties:
        yield Quad(node, OC.claimedBy, party_iri(party, source_key), graph)
    for index, quantity in enumerate(claim.quantities, start=1):
        q = mint_iri("quantity", node.value, str(index))
        yield Quad(node, OC.quantity, q, graph)
        yield Quad(q, RDF.type, OC.Quantity, graph)
        yield Quad(q, OC.measure, Literal(quantity.measure), graph)
        for value, prop in ((quantity.value, SCHEMA.value), (quantity.min_value, SCHEMA.minValue),
                            (quantity.max_value, SCHEMA.maxValue)):
            if value is not None:
                yield Quad(q, prop, _decimal(value), graph)
        yield Quad(q, SCHEMA.unitText, Literal(quantity.unit), graph)
        yield Quad(q, OC.qualifier, Literal(quantity.qualifier), graph)
        yield Quad(q, OC.quote, Literal(quantity.text), graph)

    statement = mint_iri("statement", source_key, str(claim.start), str(claim.end))
    target = NamedNode(statement.value + "#target")
    quote = NamedNode(statement.value + "#quote")
    position = NamedNode(statement.value + "#position")
    yield Quad(statement, RDF.type, OC.ClaimStatement, graph)
    yield Quad(statement, OA.hasBody, node, graph)
    yield Quad(statement, OA.hasTarget, target, graph)
    yield Quad(target, RDF.type, OA.SpecificResource, graph)
    yield Quad(target, OA.hasSource, source, graph)
    yield Quad(target, OA.hasSelector, quote, graph)
    yield Quad(target, OA.hasSelector, position, graph)
    yield Quad(quote, RDF.type, OA.TextQuoteSelector, graph)
    yield Quad(quote, OA.exact, Literal(claim.exact), graph)
    yield Quad(quote, OA.prefix, Literal(claim.prefix), graph)
    yield Quad(quote, OA.suffix, Literal(claim.suffix), graph)
    yield Quad(position, RDF.type, OA.TextPositionSelector, graph)
    yield Quad(position, OA.start, _integer(claim.start), graph)
    yield Quad(position, OA.end, _integer(claim.end), graph)
    for rule in claim.rules:
        yield Quad(statement, OC.extractedBy, Literal(rule), graph)
    for marker in claim.hedges:
        yield Quad(statement, OC.hedge, Literal(marker), graph)
    for marker in claim.hypes:
        yield Quad(statement, OC.hype, Literal(marker), graph)
    if claim.attribution is not None:
        yield Quad(statement, OC.attribution, Literal(claim.attribution.text), graph)
        for party in parties:
            yield Quad(statement, OC.attributedTo, party_iri(party, source_key), graph)


def _party_quads(party: Party, source_key: str, graph: NamedNode) -> Iterator[Quad]:
    node = party_iri(party, source_key)
    yield Quad(node, RDF.type, OC.Person if party.kind == "person" else OC.Institution, graph)
    yield Quad(node, RDFS.label, Literal(party.label), graph)


def extraction_quads(
    extraction: Extraction, *, source: NamedNode, source_key: str, graph: NamedNode
) -> Iterator[Quad]:
    """Map an extraction to quads in ``graph``: claims, statements, parties, proposed therapies.

    Only therapies some claim is about are proposed as new nodes.

    :param source: the ``oc:Source`` whose ``schema:text`` the spans index into.
    :param source_key: the key statement and scoped party IRIs are minted from.
    :param graph: the article's named graph.
    """
    proposed: dict[str, TherapyMention] = {}
    parties: dict[Party, None] = {}
    for claim in extraction.claims:
        for mention in claim.therapies:
            if not mention.known:
                proposed.setdefault(mention.label, mention)
        if claim.attribution is not None:
            parties.update(dict.fromkeys(claim.attribution.parties))
        yield from _claim_quads(claim, source=source, source_key=source_key, graph=graph)
    yield from _therapy_nodes(tuple(proposed.values()), graph)
    for party in parties:
        yield from _party_quads(party, source_key, graph)
