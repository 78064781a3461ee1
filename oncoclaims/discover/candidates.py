"""Candidate evidence in the store: read claims and records, rank, write one graph per claim.

The ranking itself is pure (:mod:`oncoclaims.discover.ranking`); this module does the
store I/O around it, through named queries only:

1. the claim's therapies and their names (``discover_claim``), each split into a
   combination's parts;
2. every spelling of each part (:func:`~oncoclaims.discover.names.name_variants`: the
   dictionary's synonyms) looked up as a therapy label or synonym (``therapies_named``),
   then once more with the synonyms those therapies carry in the records (so "MK-3475",
   another name a trial gives pembrolizumab, is followed);
3. the trials with those therapies (``therapy_records``) and the papers indexed with
   them (``mesh_records``), at most :data:`MAX_RECORDS`;
4. each record's profile (:func:`record_profile`, pattern lookups), ranked; the best :data:`MAX_STORED` are
   written, with their tie verdicts, to the claim's own graph
   ``mint_graph_iri("candidates", claim)`` (never as ``supports``).

Writing is incremental: a claim's graph is rewritten only when its candidates changed, so
re-running discovery on unchanged records writes nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from dataclasses import dataclass, field, replace
from decimal import Decimal

import networkx as nx
import pyoxigraph as ox

from oncoclaims import queries
from oncoclaims.discover.independence import candidate_verdict
from oncoclaims.discover.names import (
    name_key,
    name_variants,
    record_parts,
    resolve_drug,
    split_combination,
)
from oncoclaims.discover.ranking import Candidate, ClaimProfile, RecordProfile, rank_candidates
from oncoclaims.graph import analysis
from oncoclaims.graph.projection import to_networkx
from oncoclaims.graph.store import ClaimStore
from oncoclaims.iris import mint_graph_iri, mint_iri
from oncoclaims.vocab import DCTERMS, OC, RDF, RDFS, SKOS, XSD

__all__ = [
    "MAX_RECORDS",
    "MAX_STORED",
    "MAX_VERDICTS",
    "ClaimCandidates",
    "DiscoverReport",
    "Lookups",
    "candidate_graph_iri",
    "candidate_quads",
    "claim_profile",
    "claims_in_graphs",
    "compound_index",
    "discover_claims",
    "find_candidates",
    "has_discovered",
    "project_for",
    "record_profile",
    "touched_claims",
]

#: At most this many records are profiled and ranked for one claim; more are counted
#: and reported as left out (``ClaimCandidates.truncated``).
MAX_RECORDS = 2000
#: At most this many candidates are written to a claim's graph.
MAX_STORED = 50
#: The tie verdicts of this many best candidates are written with them (the report
#: computes the verdicts of what it shows when it is made).
MAX_VERDICTS = 10


@dataclass
class ClaimCandidates:
    """One claim's candidates, best first, and what the search found."""

    claim: str
    profile: ClaimProfile
    candidates: list[Candidate]
    total: int
    therapies: dict[str, str] = field(default_factory=dict)
    truncated: bool = False


@dataclass
class DiscoverReport:
    """What one discovery run did."""

    claims: int = 0
    written: int = 0
    unchanged: int = 0
    candidates: int = 0
    truncated: list[str] = field(default_factory=list)


class Lookups:
    """What one discovery run reads once and reuses for every claim: the compound-label
    index, each therapy part's records and each record's profile (the store does not
    change during a run)."""

    def __init__(self, store: ClaimStore, compounds: dict[str, dict[str, str]] | None = None) -> None:
        self.store = store
        self._compounds = compounds
        self.parts: dict[tuple[str, ...], tuple[list[tuple[str, str]], dict[str, str], bool]] = {}
        self.profiles: dict[str, RecordProfile] = {}
        self.rankings: dict[tuple[Any, ...], tuple[list[Candidate], int, dict[str, str], bool]] = {}
        self.projections: dict[tuple[str, int], nx.MultiDiGraph] = {}

    @property
    def compounds(self) -> dict[str, dict[str, str]]:
        """:func:`compound_index` of the store, read on first use."""
        if self._compounds is None:
            self._compounds = compound_index(self.store)
        return self._compounds

    def profile(self, record: str) -> RecordProfile:
        """The record's profile, read once."""
        found = self.profiles.get(record)
        if found is None:
            found = self.profiles[record] = record_profile(self.store, record)
        return found


def candidate_graph_iri(claim: str) -> ox.NamedNode:
    """The named graph holding ``claim``'s candidate evidence."""
    return mint_graph_iri("candidates", claim)


def claim_profile(store: ClaimStore, claim: str) -> tuple[ClaimProfile, list[str]]:
    """Read ``claim``'s profile and the IRIs of the therapies it is about."""
    names: dict[str, list[str]] = {}
    labels: dict[str, str] = {}
    indication = population = None
    for row in queries.select(store, "discover_claim", claim=claim):
        if "indication" in row:
            indication = row["indication"].value
        if "population" in row:
            population = row["population"].value
        if "therapy" in row:
            therapy = row["therapy"].value
            names.setdefault(therapy, [])
            if "label" in row:
                labels[therapy] = row["label"].value
            if "synonym" in row and row["synonym"].value not in names[therapy]:
                names[therapy].append(row["synonym"].value)
    parts: list[tuple[str, ...]] = []
    for therapy in sorted(names):
        label = labels.get(therapy, therapy.rsplit("/", 1)[-1])
        pieces = split_combination(label)
        if len(pieces) > 1:
            parts.extend((piece,) for piece in pieces)
        else:
            parts.append(tuple(dict.fromkeys([label, *names[therapy]])))
    return ClaimProfile(claim, tuple(parts), indication, population), sorted(names)


def _therapies_named(store: ClaimStore, names: Iterable[str]) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for name in sorted(name_variants(names)):
        for row in queries.select(store, "therapies_named", spelling=name):
            known = found.setdefault(row["therapy"].value, set())
            for key in ("label", "synonym"):
                if key in row:
                    known.add(row[key].value)
    return found


def compound_index(store: ClaimStore) -> dict[str, dict[str, str]]:
    """Therapies whose label names several (combinations, alternatives), by each part's key.

    :returns: part key (:func:`name_key`, or the dictionary drug's key) -> {therapy IRI: label}.
    """
    index: dict[str, dict[str, str]] = {}
    for row in queries.select(store, "compound_therapies"):
        therapy, label = row["therapy"].value, row["label"].value
        for part in record_parts(label):
            drug = resolve_drug(part)
            for key in (name_key(part), drug.key if drug else None):
                if key:
                    index.setdefault(key, {})[therapy] = label
    return index


def _matching_therapies(
    store: ClaimStore, part: tuple[str, ...], compounds: dict[str, dict[str, str]]
) -> dict[str, set[str]]:
    first = _therapies_named(store, part)
    carried = {n for names in first.values() for n in names} - set(part)
    if carried:
        for therapy, names in _therapies_named(store, carried).items():
            first.setdefault(therapy, set()).update(names)
    keys = {name_key(n) for names in (part, *first.values()) for n in names}
    keys |= {d.key for n in part if (d := resolve_drug(n)) is not None}
    for key in keys:
        for therapy, label in compounds.get(key, {}).items():
            first.setdefault(therapy, set()).add(label)
    return first


def _part_records(
    store: ClaimStore, part: tuple[str, ...], compounds: dict[str, dict[str, str]]
) -> tuple[list[tuple[str, str]], dict[str, str], bool]:
    """``[(record, how it matched)]``, the therapies found, and whether :data:`MAX_RECORDS` cut it."""
    found = _matching_therapies(store, part, compounds)
    spellings = set(part) | {n for names in found.values() for n in names}
    records: dict[str, str] = {}
    therapies: dict[str, str] = {}
    for therapy in sorted(found):
        therapies[therapy] = part[0]
        labels = sorted(found[therapy], key=lambda n: (resolve_drug(n) is None, n))
        how = part[0] if part[0] in labels or not labels else f"{part[0]} = {labels[0]}"
        for row in queries.select(store, "therapy_records", therapy=therapy):
            records.setdefault(row["record"].value, how)
            if len(records) >= MAX_RECORDS:
                return list(records.items()), therapies, True
    for term in sorted(name_variants(spellings)):
        for row in queries.select(store, "mesh_records", term=term):
            how = part[0] if term == part[0] else f"{part[0]} = MeSH {term}"
            records.setdefault(row["record"].value, how)
            if len(records) >= MAX_RECORDS:
                return list(records.items()), therapies, True
    return list(records.items()), therapies, False


def _records_of(
    lookups: Lookups, profile: ClaimProfile
) -> tuple[dict[str, dict[int, str]], dict[str, str], bool]:
    matched: dict[str, dict[int, str]] = {}
    therapies: dict[str, str] = {}
    truncated = False
    for index, part in enumerate(profile.therapy_parts):
        if part not in lookups.parts:
            lookups.parts[part] = _part_records(lookups.store, part, lookups.compounds)
        records, found, cut = lookups.parts[part]
        truncated = truncated or cut
        therapies.update(found)
        for record, how in records:
            matched.setdefault(record, {}).setdefault(index, how)
    return matched, therapies, truncated


_LEVELS: dict[str, tuple[str | None, int | None]] = {}


def _objects(store: ClaimStore, node: ox.NamedNode, predicate: ox.NamedNode) -> list[ox.Term]:
    return [quad.object for quad in store.quads(node, predicate, None, None)]


def _level(store: ClaimStore, study_type: ox.NamedNode) -> tuple[str | None, int | None]:
    # A handful of study types, read once per process: each one's level, its label and rank.
    if study_type.value not in _LEVELS:
        label: str | None = None
        rank: int | None = None
        for level in _objects(store, study_type, OC.evidenceLevel):
            for value in _objects(store, level, SKOS.prefLabel):  # type: ignore[arg-type]
                label = value.value
            for value in _objects(store, level, OC.rank):  # type: ignore[arg-type]
                rank = int(value.value)
        if label is None and rank is None:
            return None, None  # a store without the ontology: nothing to keep
        _LEVELS[study_type.value] = (label, rank)
    return _LEVELS[study_type.value]


def record_profile(store: ClaimStore, record: str, matched_parts: dict[int, str] | None = None) -> RecordProfile:
    """Read what ``record`` says that a claim can match: title, NCT and PMID identifiers,
    conditions and MeSH terms (its own and its reports'), population, evidence level.

    Read by pattern lookups on the record and the sources it is reported in (one claim
    reads tens of records; a SPARQL query each cost ten times more, bench/discover.py).
    """
    node = ox.NamedNode(record)
    titles = [o.value for p in (RDFS.label, DCTERMS.title) for o in _objects(store, node, p)]
    identifiers = {"NCT:" + o.value for o in _objects(store, node, OC.nctId)}
    identifiers |= {"PMID:" + o.value for o in _objects(store, node, OC.pmid)}
    conditions = [o.value for p in (OC.condition, OC.meshTerm) for o in _objects(store, node, p)]
    for report in _objects(store, node, OC.reportedIn):
        for value in _objects(store, report, OC.pmid):  # type: ignore[arg-type]
            identifiers.add("PMID:" + value.value)
        for value in _objects(store, report, OC.meshTerm):  # type: ignore[arg-type]
            conditions.append(value.value)
        titles += [o.value for o in _objects(store, report, DCTERMS.title)]  # type: ignore[arg-type]
    populations = _objects(store, node, OC.population)
    level = rank = None
    for study_type in _objects(store, node, OC.studyType):
        level, rank = _level(store, study_type)  # type: ignore[arg-type]
    trial = next(iter(store.quads(node, OC.intervention, None, None)), None) is not None
    return RecordProfile(
        iri=record,
        kind="trial" if trial else "paper",
        title=titles[0] if titles else None,
        identifiers=tuple(sorted(identifiers)),
        matched_parts=dict(matched_parts or {}),
        conditions=tuple(dict.fromkeys(conditions)),
        population=populations[0].value if populations else None,
        evidence_level=level,
        level_rank=rank,
    )


def find_candidates(
    store: ClaimStore,
    claim: str,
    *,
    limit: int = 20,
    offset: int = 0,
    lookups: Lookups | None = None,
) -> ClaimCandidates:
    """Rank the records in the store that concern ``claim``'s therapies (nothing is written).

    :param lookups: what an earlier call of the same run has read already.
    """
    lookups = lookups or Lookups(store)
    profile, _ = claim_profile(store, claim)
    # claims that say the same about the same therapies rank the same records the same way
    key = (profile.therapy_parts, profile.indication, profile.population, limit, offset)
    if key not in lookups.rankings:
        matched, therapies, truncated = _records_of(lookups, profile)
        records = [replace(lookups.profile(r), matched_parts=parts) for r, parts in sorted(matched.items())]
        page, total = rank_candidates(profile, records, limit=limit, offset=offset)
        lookups.rankings[key] = (page, total, therapies, truncated)
    page, total, therapies, truncated = lookups.rankings[key]
    return ClaimCandidates(claim, profile, page, total, therapies, truncated=truncated)


def project_for(
    store: ClaimStore, claim: str, records: Iterable[str], depth: int, lookups: Lookups | None = None
) -> nx.MultiDiGraph:
    """One projection holding ``claim``'s neighbourhood and each record's (for tie verdicts).

    :param lookups: keeps each record's projection for the next claim of the same run.
    """
    parts = [to_networkx(store, claim, tie_depth=depth)]
    for record in records:
        if lookups is None:
            parts.append(to_networkx(store, record, tie_depth=depth))
            continue
        if (record, depth) not in lookups.projections:
            lookups.projections[(record, depth)] = to_networkx(store, record, tie_depth=depth)
        parts.append(lookups.projections[(record, depth)])
    return nx.compose_all(parts)


def candidate_quads(
    found: ClaimCandidates, verdicts: dict[str, tuple[bool | None, str]]
) -> list[ox.Quad]:
    """The quads of ``found``'s candidates in the claim's candidate graph (pure)."""
    claim = ox.NamedNode(found.claim)
    graph = candidate_graph_iri(found.claim)
    quads = [ox.Quad(claim, OC.candidateCount, ox.Literal(str(found.total), datatype=XSD.integer), graph)]
    for candidate in found.candidates:
        record = candidate.record.iri
        node = mint_iri("candidate", found.claim, record)
        quads += [
            ox.Quad(node, RDF.type, OC.CandidateEvidence, graph),
            ox.Quad(node, OC.candidateFor, claim, graph),
            ox.Quad(node, OC.candidateRecord, ox.NamedNode(record), graph),
            ox.Quad(node, OC.score, ox.Literal(str(Decimal(str(candidate.score))), datatype=XSD.decimal), graph),
        ]
        quads += [ox.Quad(node, OC.matchedOn, ox.Literal(text), graph) for text in candidate.matched_on]
        independent, reason = verdicts.get(record, (None, ""))
        if independent is not None:
            quads.append(ox.Quad(node, OC.independent, ox.Literal(independent), graph))
        if reason:
            quads.append(ox.Quad(node, OC.independenceReason, ox.Literal(reason), graph))
    return quads


def _write_graph(store: ClaimStore, graph: ox.NamedNode, quads: list[ox.Quad]) -> bool:
    """Make ``graph`` hold exactly ``quads``; ``False`` when it already did (nothing written)."""
    old = set(store.quads(None, None, None, graph))
    new = set(quads)
    if old == new:
        return False
    store.extend(q for q in quads if q not in old)  # all or nothing
    store.remove(old - new)
    return True


def discover_claims(
    store: ClaimStore, claims: Iterable[str], *, depth: int = analysis.DEFAULT_DEPTH
) -> DiscoverReport:
    """Find, rank and write the candidate evidence of each of ``claims``."""
    report = DiscoverReport()
    lookups = Lookups(store)
    for claim in claims:
        found = find_candidates(store, claim, limit=MAX_STORED, lookups=lookups)
        records = [c.record.iri for c in found.candidates[:MAX_VERDICTS]]
        graph = project_for(store, claim, records, depth, lookups) if records else None
        verdicts = {r: candidate_verdict(graph, claim, r, depth=depth) for r in records} if graph is not None else {}
        changed = _write_graph(store, candidate_graph_iri(claim), candidate_quads(found, verdicts))
        report.claims += 1
        report.candidates += len(found.candidates)
        report.written += int(changed)
        report.unchanged += int(not changed)
        if found.truncated:
            report.truncated.append(claim)
    return report


def touched_claims(store: ClaimStore, sources: Iterable[str]) -> list[str]:
    """The claims whose candidates a source (or record, or claim) may change.

    A claim itself; the claims a source states; and for evidence (a trial, a paper's
    study), the claims about any of its therapies under any of their names.
    """
    claims: set[str] = set()
    for source in sources:
        node = ox.NamedNode(source)
        if any(store.quads(node, RDF.type, OC.Claim, None)):
            claims.add(source)
            continue
        for row in queries.select(store, "source_claims", source=source):
            if "claim" in row:
                claims.add(row["claim"].value)
            if "evidence" in row:
                claims.update(_claims_of_record(store, row["evidence"].value))
    return sorted(claims)


def claims_in_graphs(store: ClaimStore, graphs: Iterable[ox.NamedNode]) -> list[str]:
    """The claims whose candidates what ``graphs`` hold may change: the claims in them, and
    the claims about the therapies of the evidence in them (an ingest's record graphs)."""
    claims: set[str] = set()
    for graph in graphs:
        for quad in store.quads(None, RDF.type, OC.Claim, graph):
            claims.add(quad.subject.value)
        for quad in store.quads(None, RDF.type, OC.Evidence, graph):
            claims.update(_claims_of_record(store, quad.subject.value))
    return sorted(claims)


def has_discovered(store: ClaimStore) -> bool:
    """Whether discovery has run on this store (it holds candidates): then ingest keeps them current."""
    return next(iter(store.quads(None, RDF.type, OC.CandidateEvidence, None)), None) is not None


def _claims_of_record(store: ClaimStore, record: str) -> set[str]:
    names: set[str] = set()
    node = ox.NamedNode(record)
    for quad in store.quads(node, OC.intervention, None, None):
        for label in store.quads(quad.object, RDFS.label, None, None):  # type: ignore[arg-type]
            names.update(split_combination(label.object.value))
    for report in _objects(store, node, OC.reportedIn):  # a paper: its substances name its therapies
        names.update(o.value for o in _objects(store, report, OC.substance))  # type: ignore[arg-type]
    claims: set[str] = set()
    for therapy in _therapies_named(store, names):
        for row in queries.select(store, "therapy_claims", therapy=therapy):
            claims.add(row["claim"].value)
    return claims
