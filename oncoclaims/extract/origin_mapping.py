"""Study references and voices of one story as RDF quads (pure; the model is in docs/trace.md).

- a study reference: ``oc:StudyReference`` minted from the story's key and its position,
  with ``oc:venueName``, ``oc:dateWords``, ``oc:studyIdentifier``, ``oc:studyType`` (whose
  ``oc:evidenceLevel`` the ontology gives), ``oc:studyPerson`` → ``oc:Person``,
  ``oc:studyInstitution`` → ``oc:Institution``, ``oc:funder`` → ``oc:Institution``,
  ``oc:extractedBy`` and one ``oc:span`` → ``oa:TextPositionSelector`` per sentence read;
  the story ``prov:wasDerivedFrom`` it; an identifier that names a record the graph mints
  (NCT → trial, PMID → PubMed article) gives ``oc:matchesRecord``;
- a voice: ``oc:Voice`` with ``oc:voiceOf`` → the party (the node news attribution mints
  for the same name), ``oc:voiceIn`` → the story, ``oc:voiceRole``, ``oc:independent``
  (absent when unknown), ``oc:independenceReason`` and its spans; the person's stated
  affiliations become ``schema:affiliation`` ties.
"""

from __future__ import annotations

from collections.abc import Iterator

from pyoxigraph import Literal, NamedNode, Quad

from oncoclaims.extract.attribution import Party
from oncoclaims.extract.mapping import party_iri
from oncoclaims.extract.study_keys import match_keys
from oncoclaims.extract.study_refs import StudyReference
from oncoclaims.extract.voices import Voice
from oncoclaims.iris import mint_iri
from oncoclaims.vocab import OA, OC, PROV, RDF, RDFS, SCHEMA, XSD

__all__ = ["record_iri", "reference_iri", "reference_quads", "voice_iri"]


def reference_iri(source_key: str, index: int) -> NamedNode:
    """The IRI of the ``index``-th study reference (0: the main one) of the story ``source_key``."""
    return mint_iri("studyref", source_key, str(index))


def voice_iri(source_key: str, name: str) -> NamedNode:
    """The IRI of the voice ``name`` in the story ``source_key``."""
    return mint_iri("voice", source_key, name)


def record_iri(identifier: str) -> NamedNode | None:
    """The IRI the graph mints for the record an identifier names (NCT, PMID), else ``None``."""
    if identifier.startswith("NCT"):
        return mint_iri("trial", identifier)
    if identifier.startswith("pmid:"):
        return mint_iri("pubmed", identifier.removeprefix("pmid:"))
    return None


def _institution(name: str, graph: NamedNode) -> tuple[NamedNode, list[Quad]]:
    node = party_iri(Party(name, "institution"), "")
    return node, [
        Quad(node, RDF.type, OC.Institution, graph),
        Quad(node, RDFS.label, Literal(name), graph),
    ]


def _person(name: str, graph: NamedNode) -> tuple[NamedNode, list[Quad]]:
    node = party_iri(Party(name, "person"), "")
    return node, [
        Quad(node, RDF.type, OC.Person, graph),
        Quad(node, RDFS.label, Literal(name), graph),
    ]


def _spans(
    node: NamedNode, source: NamedNode, source_key: str, spans, graph: NamedNode
) -> Iterator[Quad]:
    for start, end in spans:
        selector = mint_iri("span", source_key, str(start), str(end))
        yield Quad(node, OC.span, selector, graph)
        yield Quad(selector, RDF.type, OA.TextPositionSelector, graph)
        yield Quad(selector, OA.hasSource, source, graph)
        yield Quad(selector, OA.start, Literal(str(start), datatype=XSD.integer), graph)
        yield Quad(selector, OA.end, Literal(str(end), datatype=XSD.integer), graph)


def reference_quads(
    studies: list[StudyReference],
    voices: list[Voice],
    *,
    source: NamedNode,
    source_key: str,
    graph: NamedNode,
) -> Iterator[Quad]:
    """Quads for a story's study references and voices, in the story's graph."""
    for index, study in enumerate(studies):
        ref = reference_iri(source_key, index)
        yield Quad(ref, RDF.type, OC.StudyReference, graph)
        label = "; ".join(study.venues) or (study.people[0] if study.people else "a study")
        yield Quad(ref, RDFS.label, Literal(f"study reported: {label}"), graph)
        yield Quad(source, PROV.wasDerivedFrom, ref, graph)
        for venue in study.venues:
            yield Quad(ref, OC.venueName, Literal(venue), graph)
        if study.date:
            yield Quad(ref, OC.dateWords, Literal(study.date), graph)
        for identifier in study.identifiers:
            yield Quad(ref, OC.studyIdentifier, Literal(identifier), graph)
            if (record := record_iri(identifier)) is not None:
                yield Quad(ref, OC.matchesRecord, record, graph)
        if study.design:
            yield Quad(ref, OC.studyType, OC["study-" + study.design], graph)
        if study.size is not None:
            yield Quad(ref, OC.sampleSize, Literal(str(study.size), datatype=XSD.integer), graph)
        for condition in study.conditions:
            yield Quad(ref, OC.condition, Literal(condition), graph)
        for name in study.people:
            node, quads = _person(name, graph)
            yield from quads
            yield Quad(ref, OC.studyPerson, node, graph)
        for name in study.institutions:
            node, quads = _institution(name, graph)
            yield from quads
            yield Quad(ref, OC.studyInstitution, node, graph)
        for name in study.funders:
            node, quads = _institution(name, graph)
            yield from quads
            yield Quad(ref, OC.funder, node, graph)
        for rule in study.rules:
            yield Quad(ref, OC.extractedBy, Literal(rule), graph)
        keys = match_keys(
            identifiers=study.identifiers,
            venues=study.venues,
            people=study.people,
            institutions=study.institutions,
            conditions=study.conditions,
            sizes=(str(study.size),) if study.size is not None else (),
        )
        for key in sorted(keys):
            yield Quad(ref, OC.matchKey, Literal(key), graph)
        yield from _spans(ref, source, source_key, study.spans, graph)
    for voice in voices:
        node = voice_iri(source_key, voice.name)
        party = party_iri(Party(voice.name, voice.kind), source_key)
        yield Quad(node, RDF.type, OC.Voice, graph)
        yield Quad(node, RDFS.label, Literal(f"{voice.name} in the story"), graph)
        yield Quad(node, OC.voiceOf, party, graph)
        yield Quad(party, RDF.type, OC.Person if voice.kind == "person" else OC.Institution, graph)
        yield Quad(party, RDFS.label, Literal(voice.name), graph)
        yield Quad(node, OC.voiceIn, source, graph)
        yield Quad(node, OC.voiceRole, Literal(voice.role), graph)
        if voice.independent is not None:
            yield Quad(
                node,
                OC.independent,
                Literal(str(voice.independent).lower(), datatype=XSD.boolean),
                graph,
            )
        yield Quad(node, OC.independenceReason, Literal(voice.reason), graph)
        for rule in voice.rules:
            yield Quad(node, OC.extractedBy, Literal(rule), graph)
        if voice.kind == "person":
            for name in voice.affiliations:
                org, quads = _institution(name, graph)
                yield from quads
                yield Quad(party, SCHEMA.affiliation, org, graph)
        yield from _spans(node, source, source_key, voice.spans, graph)
