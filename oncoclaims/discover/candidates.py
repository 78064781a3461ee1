"""Candidate evidence in the store: read claims and records, rank, write candidate sets.

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
4. each record's profile (:func:`record_profile`, pattern lookups), scored; the best are
   kept (a bounded heap, whatever order the store gives the records in), and the best
   :data:`MAX_STORED` are written, with the judgement a record's own stated result
   proposes (:mod:`oncoclaims.discover.proposals`), never as ``supports``, to a
   **candidate set** shared by every claim that says the same about the same therapies
   (:func:`set_key`: all that ranking reads of a claim), in a graph of its own;
5. the tie verdicts of the set's best :data:`MAX_VERDICTS` against the claim's interested
   parties, to a **tie-verdict set** shared by the set's claims with the same interested
   parties (:func:`verdicts_key`);
6. the claim's links to both, in its own graph ``candidate_graph_iri(claim)``.

A run over many claims (:data:`TABLE_RUN` or more, and ``discover --all``) reads what every
claim needs once: the claims' profiles, the therapies under each name, the records of
each therapy and MeSH term (the same named queries, without their parameter), each
record's profile, and each tie verdict once per set of responsible parties and set of
interested parties. A run over fewer claims asks the store per claim, as a new claim's
discovery does.
Either way the result is the same (tests/discover/test_discover_at_scale.py).

Writing is incremental and atomic (:mod:`oncoclaims.discover.writing`): a graph (set,
verdict set, a claim's links) is rewritten only when what it says changed, in one step
with the rest of its batch, so re-running discovery on unchanged records writes nothing;
sets no claim links to any more are dropped. docs/discovery.md, "Stored candidates".
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from decimal import Decimal
from functools import lru_cache, partial
from typing import Any

import networkx as nx
import pyoxigraph as ox

from oncoclaims import queries
from oncoclaims.discover.independence import verdict_for
from oncoclaims.discover.names import (
    name_key,
    name_variants,
    record_parts,
    resolve_drug,
    split_combination,
)
from oncoclaims.discover.proposals import propose
from oncoclaims.discover.ranking import (
    Candidate,
    ClaimProfile,
    RecordBase,
    RecordProfile,
    StatedGroup,
    StatedResult,
    rank_candidates,
    record_base,
)
from oncoclaims.discover.writing import GraphContent, is_current, write_graphs
from oncoclaims.graph import analysis
from oncoclaims.graph.projection import quads_graph, to_networkx
from oncoclaims.graph.store import ClaimStore
from oncoclaims.iris import mint_graph_iri, mint_iri
from oncoclaims.vocab import DCTERMS, ID_BASE, OC, PREFIXES, RDF, RDFS, SKOS, XSD

__all__ = [
    "MAX_RECORDS",
    "MAX_STORED",
    "MAX_VERDICTS",
    "TABLE_RUN",
    "WRITE_BATCH",
    "ClaimCandidates",
    "DiscoverReport",
    "Lookups",
    "candidate_digest",
    "candidate_graph_iri",
    "candidate_lines",
    "candidate_quads",
    "candidate_set_graph",
    "candidate_set_iri",
    "claim_graphs",
    "claim_profile",
    "claims_in_graphs",
    "compound_index",
    "discover_claims",
    "find_candidates",
    "has_discovered",
    "link_lines",
    "project_for",
    "record_profile",
    "set_key",
    "touched_claims",
    "verdict_lines",
    "verdicts_graph",
    "verdicts_iri",
    "verdicts_key",
]

#: At most this many records are profiled and ranked for one claim (the first in IRI order;
#: the best of them are kept); more are reported as left out (``ClaimCandidates.truncated``).
MAX_RECORDS = 20_000
#: At most this many candidates are written to a candidate set: what a report shows
#: (:func:`~oncoclaims.discover.report.candidate_entries`, 20 by default).
MAX_STORED = 20
#: The tie verdicts of this many best candidates are written with them (the report
#: computes the verdicts of what it shows when it is made).
MAX_VERDICTS = 10
#: A run over this many claims or more reads the store's tables once (:class:`Lookups`):
#: reading them costs about what a few hundred claims cost one by one on a store of 100k
#: claims and trials (bench/discover.py), so fewer claims are discovered one by one.
TABLE_RUN = 1000
#: Candidate graphs are written in batches of about this many quads, one transaction each.
WRITE_BATCH = 20_000


@dataclass
class ClaimCandidates:
    """One claim's candidates, best first, and what the search found."""

    claim: str
    profile: ClaimProfile
    candidates: list[Candidate]
    total: int
    therapies: dict[str, str] = field(default_factory=dict)
    truncated: bool = False
    #: record -> (supports|disputes, reason): what a record's own stated result proposes
    proposals: dict[str, tuple[str, str]] = field(default_factory=dict)


@dataclass
class DiscoverReport:
    """What one discovery run did."""

    claims: int = 0
    written: int = 0  # claims whose candidates changed (their links, candidate set or tie verdicts)
    unchanged: int = 0
    candidates: int = 0
    quads_added: int = 0
    quads_removed: int = 0
    truncated: list[str] = field(default_factory=list)


def _expand(name: str) -> ox.NamedNode:
    prefix, local = name.split(":", 1)
    return ox.NamedNode(PREFIXES[prefix] + local)


_PARTY_LINKS = [_expand(name) for name, _ in analysis.RESPONSIBLE_LINKS]
_REPORT_PARTY_LINKS = [_expand(name) for name, _ in analysis.REPORT_LINKS]


def _plain(term: ox.Term) -> bool:
    """A literal a ``string`` parameter can equal (``xsd:string``, no language tag)."""
    return isinstance(term, ox.Literal) and term.datatype == XSD.string


class Lookups:
    """What one discovery run reads once and reuses for every claim: the compound-label
    index, each therapy part's records and each record's profile (the store does not
    change during a run).

    :param tables: read each named query once without its parameter (every claim's
        profile, every therapy's names, every therapy's and MeSH term's records, the
        claims with interested parties) instead of once per claim, and keep each tie
        verdict per record and set of interested parties: for a run over many claims.
    """

    def __init__(
        self, store: ClaimStore, compounds: dict[str, dict[str, str]] | None = None, *, tables: bool = False
    ) -> None:
        self.store = store
        self.tables = tables
        self._compounds = compounds
        self.parts: dict[tuple[str, ...], tuple[list[tuple[str, str]], dict[str, str], bool]] = {}
        self.profiles: dict[str, RecordProfile] = {}
        self.rankings: dict[tuple[Any, ...], tuple[list[Candidate], int, dict[str, str], bool]] = {}
        self.matched: dict[tuple[tuple[str, ...], ...], tuple[
            list[RecordProfile], dict[str, RecordBase], dict[str, str], bool]] = {}
        self.projections: dict[tuple[str, int], nx.MultiDiGraph] = {}
        self.verdicts: dict[tuple[Any, ...], tuple[bool | None, str]] = {}
        self.responsibles: dict[str, tuple[list[ox.Quad], dict[str, list[str]]]] = {}
        self.shapes: dict[tuple[tuple[bool, str, str], ...], dict[str, list[str]]] = {}
        self._table: dict[str, dict[str, list[Any]]] = {}
        self._interested: set[str] | None = None

    def _rows(self, query: str, key: str, value: str, *, plain: bool = False) -> list[Any]:
        if not self.tables:
            return queries.select(self.store, query, **{key: value})
        if query not in self._table:
            table: dict[str, list[Any]] = {}
            for row in queries.select(self.store, query):
                if key in row and (not plain or _plain(row[key])):
                    table.setdefault(row[key].value, []).append(row)
            self._table[query] = table
        return self._table[query].get(value, [])

    def claim_rows(self, claim: str) -> list[dict[str, Any]]:
        """The ``discover_claim`` rows of ``claim``."""
        return self._rows("discover_claim", "claim", claim)

    def named_rows(self, spelling: str) -> list[dict[str, Any]]:
        """The ``therapies_named`` rows of ``spelling``."""
        return self._rows("therapies_named", "spelling", spelling, plain=True)

    def therapy_records(self, therapy: str) -> list[str]:
        """The records with ``therapy`` as an intervention."""
        return [row["record"].value for row in self._rows("therapy_records", "therapy", therapy)]

    def mesh_records(self, term: str) -> list[str]:
        """The records of the sources indexed with MeSH term or substance ``term``."""
        return [row["record"].value for row in self._rows("mesh_records", "term", term, plain=True)]

    def projection(self, node: str, depth: int) -> nx.MultiDiGraph:
        """``node``'s neighbourhood (:func:`~oncoclaims.graph.projection.to_networkx`), read once."""
        if (node, depth) not in self.projections:
            self.projections[(node, depth)] = to_networkx(self.store, node, tie_depth=depth)
        return self.projections[(node, depth)]

    def record_links(self, record: str) -> list[ox.Quad]:
        """The record's links to its responsible parties, and those of the sources it is reported in."""
        node = ox.NamedNode(record)
        quads = [q for p in _PARTY_LINKS for q in self.store.quads(node, p)]
        for link in self.store.quads(node, OC.reportedIn):
            quads.append(link)
            if isinstance(link.object, ox.NamedNode):
                quads += [q for p in _REPORT_PARTY_LINKS for q in self.store.quads(link.object, p)]
        return quads

    def responsible(self, record: str) -> tuple[list[ox.Quad], dict[str, list[str]]]:
        """:meth:`record_links` and the responsible parties they name, read once per record.

        The parties are worked out once per shape of links (which party by which link, the
        reports themselves left out): records sponsored alike share the answer.
        """
        found = self.responsibles.get(record)
        if found is None:
            links = self.record_links(record)
            node = ox.NamedNode(record)
            shape = tuple((q.subject == node, q.predicate.value, "" if q.predicate == OC.reportedIn else q.object.value)
                          for q in links)
            parties = self.shapes.get(shape)
            if parties is None:
                parties = self.shapes[shape] = analysis.responsible_parties(quads_graph(links), record)
            found = self.responsibles[record] = (links, parties)
        return found

    def interested(self, claim: str, depth: int) -> dict[str, list[str]]:
        """``claim``'s interested parties with their roles (:func:`analysis.interested_parties`);
        a claim the ``interested_parties`` table does not name has none, and is not projected."""
        if self._interested is None:
            self._interested = {row["claim"].value for row in queries.select(self.store, "interested_parties")}
        if claim not in self._interested:
            return {}
        return analysis.interested_parties(to_networkx(self.store, claim, tie_depth=depth), claim)

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


def claim_profile(
    store: ClaimStore, claim: str, lookups: Lookups | None = None
) -> tuple[ClaimProfile, list[str]]:
    """Read ``claim``'s profile and the IRIs of the therapies it is about."""
    names: dict[str, list[str]] = {}
    labels: dict[str, str] = {}
    indication = population = claim_type = None
    rows = lookups.claim_rows(claim) if lookups is not None else queries.select(store, "discover_claim", claim=claim)
    for row in rows:
        if "indication" in row:
            indication = row["indication"].value
        if "population" in row:
            population = row["population"].value
        if "claimType" in row:
            claim_type = row["claimType"].value.rsplit("#claim-", 1)[-1]
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
    return ClaimProfile(claim, tuple(parts), indication, population, claim_type), sorted(names)


def _therapies_named(lookups: Lookups, names: Iterable[str]) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for name in sorted(name_variants(names)):
        for row in lookups.named_rows(name):
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


def _matching_therapies(lookups: Lookups, part: tuple[str, ...]) -> dict[str, set[str]]:
    compounds = lookups.compounds
    first = _therapies_named(lookups, part)
    carried = {n for names in first.values() for n in names} - set(part)
    if carried:
        for therapy, names in _therapies_named(lookups, carried).items():
            first.setdefault(therapy, set()).update(names)
    keys = {name_key(n) for names in (part, *first.values()) for n in names}
    keys |= {d.key for n in part if (d := resolve_drug(n)) is not None}
    for key in keys:
        for therapy, label in compounds.get(key, {}).items():
            first.setdefault(therapy, set()).add(label)
    return first


def _part_records(lookups: Lookups, part: tuple[str, ...]) -> tuple[list[tuple[str, str]], dict[str, str], bool]:
    """``[(record, how it matched)]``, the therapies found, and whether :data:`MAX_RECORDS` cut it.

    A record two therapies (or a therapy and a MeSH term) reach matched by the first of
    them in sorted order, whatever order the store answers in.
    """
    found = _matching_therapies(lookups, part)
    spellings = set(part) | {n for names in found.values() for n in names}
    records: dict[str, str] = {}
    therapies: dict[str, str] = {}
    for therapy in sorted(found):
        therapies[therapy] = part[0]
        labels = sorted(found[therapy], key=lambda n: (resolve_drug(n) is None, n))
        how = part[0] if part[0] in labels or not labels else f"{part[0]} = {labels[0]}"
        for record in sorted(lookups.therapy_records(therapy)):
            records.setdefault(record, how)
    for term in sorted(name_variants(spellings)):
        how = part[0] if term == part[0] else f"{part[0]} = MeSH {term}"
        for record in sorted(lookups.mesh_records(term)):
            records.setdefault(record, how)
    if len(records) > MAX_RECORDS:
        kept = sorted(records)[:MAX_RECORDS]
        return [(record, records[record]) for record in kept], therapies, True
    return list(records.items()), therapies, False


def _records_of(
    lookups: Lookups, profile: ClaimProfile
) -> tuple[dict[str, dict[int, str]], dict[str, str], bool]:
    matched: dict[str, dict[int, str]] = {}
    therapies: dict[str, str] = {}
    truncated = False
    for index, part in enumerate(profile.therapy_parts):
        if part not in lookups.parts:
            lookups.parts[part] = _part_records(lookups, part)
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
    said: dict[ox.NamedNode, list[ox.Term]] = {}
    for quad in store.quads(node, None, None, None):  # one lookup, then by predicate (in the store's order)
        said.setdefault(quad.predicate, []).append(quad.object)

    def objects(predicate: ox.NamedNode) -> list[ox.Term]:
        return said.get(predicate, [])

    titles = [o.value for p in (RDFS.label, DCTERMS.title) for o in objects(p)]
    identifiers = {"NCT:" + o.value for o in objects(OC.nctId)}
    identifiers |= {"PMID:" + o.value for o in objects(OC.pmid)}
    conditions = [o.value for p in (OC.condition, OC.meshTerm) for o in objects(p)]
    for report in objects(OC.reportedIn):
        for value in _objects(store, report, OC.pmid):  # type: ignore[arg-type]
            identifiers.add("PMID:" + value.value)
        for value in _objects(store, report, OC.meshTerm):  # type: ignore[arg-type]
            conditions.append(value.value)
        titles += [o.value for o in _objects(store, report, DCTERMS.title)]  # type: ignore[arg-type]
    populations = objects(OC.population)
    level = rank = None
    study_types = objects(OC.studyType)
    for study_type in study_types:
        level, rank = _level(store, study_type)  # type: ignore[arg-type]
    trial = bool(objects(OC.intervention))
    # a regulator's decision (openFDA): named by its application number
    decision = OC["study-regulatory-decision"] in study_types
    if decision:
        identifiers |= {o.value.replace("fda-application:", "FDA:") for o in objects(DCTERMS.identifier)}
    results = tuple(_stated_result(store, r) for r in objects(OC.primaryResult)
                    if isinstance(r, ox.NamedNode))
    return RecordProfile(
        iri=record,
        kind="decision" if decision else "trial" if trial else "paper",
        title=titles[0] if titles else None,
        identifiers=tuple(sorted(identifiers)),
        matched_parts=dict(matched_parts or {}),
        conditions=tuple(dict.fromkeys(conditions)),
        population=populations[0].value if populations else None,
        evidence_level=level,
        level_rank=rank,
        results=tuple(sorted(results, key=lambda r: (r.outcome, [g.title for g in r.groups], r.p_value or ""))),
    )


def _first(store: ClaimStore, node: ox.NamedNode, predicate: ox.NamedNode) -> str | None:
    return next((o.value for o in _objects(store, node, predicate)), None)


def _stated_result(store: ClaimStore, node: ox.NamedNode) -> StatedResult:
    """One analysis of the record's primary outcome, as it states it (``oc:PrimaryResult``)."""
    groups = []
    for member in _objects(store, node, OC.comparedGroup):
        if isinstance(member, ox.NamedNode):
            order = _first(store, member, OC.groupOrder)
            groups.append((int(order) if order else 0, StatedGroup(
                _first(store, member, RDFS.label) or "", _first(store, member, DCTERMS.description),
                _first(store, member, OC.measuredValue))))
    return StatedResult(
        outcome=_first(store, node, OC.outcomeTitle) or "",
        groups=tuple(group for _, group in sorted(groups, key=lambda g: (g[0], g[1].title))),
        unit=_first(store, node, OC.unitOfMeasure),
        p_value=_first(store, node, OC.pValue),
        method=_first(store, node, OC.statisticalMethod),
        estimate=_first(store, node, OC.estimate),
    )


def _matched(lookups: Lookups, profile: ClaimProfile) -> tuple[
        list[RecordProfile], dict[str, RecordBase], dict[str, str], bool]:
    """The profiles of the records ``profile``'s therapy parts reach, each with the parts it
    matched, and their :func:`~oncoclaims.discover.ranking.record_base`; read once per run for
    all the claims about the same therapy parts."""
    parts = profile.therapy_parts
    if parts not in lookups.matched:
        matched, therapies, truncated = _records_of(lookups, profile)
        records = [replace(lookups.profile(r), matched_parts=found) for r, found in sorted(matched.items())]
        bases = {r.iri: record_base(max(1, len(parts)), r) for r in records}
        lookups.matched[parts] = (records, bases, therapies, truncated)
    return lookups.matched[parts]


def _rank(lookups: Lookups, profile: ClaimProfile, limit: int, offset: int) -> tuple[
        list[Candidate], int, dict[str, str], bool]:
    # claims that say the same about the same therapies rank the same records the same way
    key = (profile.therapy_parts, profile.indication, profile.population, limit, offset)
    if key not in lookups.rankings:
        records, bases, therapies, truncated = _matched(lookups, profile)
        page, total = rank_candidates(profile, records, limit=limit, offset=offset, bases=bases)
        lookups.rankings[key] = (page, total, therapies, truncated)
    return lookups.rankings[key]


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
    profile, _ = claim_profile(store, claim, lookups)
    return _found(lookups, profile, limit, offset)


def _found(lookups: Lookups, profile: ClaimProfile, limit: int, offset: int) -> ClaimCandidates:
    page, total, therapies, truncated = _rank(lookups, profile, limit, offset)
    proposals = {c.record.iri: found for c in page if (found := propose(profile, c.record)) is not None}
    return ClaimCandidates(profile.iri, profile, page, total, therapies, truncated=truncated, proposals=proposals)


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
        parts.append(lookups.projection(record, depth))
    return nx.compose_all(parts)


def _parties(interested: dict[str, list[str]]) -> tuple[tuple[str, tuple[str, ...]], ...]:
    return tuple(sorted((party, tuple(roles)) for party, roles in interested.items()))


def _verdicts(
    lookups: Lookups, claim: str, records: list[str], depth: int
) -> tuple[dict[str, list[str]], Callable[[], dict[str, tuple[bool | None, str]]]]:
    """``claim``'s interested parties, and a function giving the tie verdict of each of
    ``records`` against them (called only when no claim of the run with the same
    candidate set and interested parties has had them computed).

    One claim: one projection of the claim and its records (:func:`project_for`). A run
    over many claims (``lookups.tables``): each verdict once per set of responsible parties
    (a record's sponsors, funders, publishers, authors) and set of interested parties, on
    the record's own links and the projections of those parties, each read once (the
    ties of a party within ``depth`` steps are all in its own projection).
    """
    if not lookups.tables:
        graph = project_for(lookups.store, claim, records, depth, lookups)
        found = analysis.interested_parties(graph, claim)
        return found, lambda: {r: verdict_for(graph, r, found, depth=depth) for r in records}
    interested = lookups.interested(claim, depth)
    parties = _parties(interested)

    def compute() -> dict[str, tuple[bool | None, str]]:
        verdicts = {}
        for record in records:
            links, responsible = lookups.responsible(record)
            key = (tuple(sorted((party, tuple(roles)) for party, roles in responsible.items())), parties, depth)
            if key not in lookups.verdicts:
                graph = nx.compose_all([quads_graph(links), *(lookups.projection(party, depth) for party in sorted(responsible)),
                                        *(lookups.projection(party, depth) for party, _ in parties)])
                lookups.verdicts[key] = verdict_for(graph, record, interested, depth=depth)
            verdicts[record] = lookups.verdicts[key]
        return verdicts

    return interested, compute


#: Bumped when the lines candidate graphs hold change shape, so every graph is rewritten.
_LINES_VERSION = 3
_P = {name: str(term) for name, term in {
    "type": RDF.type, "class": OC.CandidateEvidence, "set": OC.candidateSet, "setClass": OC.CandidateSet,
    "in": OC.inCandidateSet, "record": OC.candidateRecord,
    "score": OC.score, "matched": OC.matchedOn, "independent": OC.independent,
    "reason": OC.independenceReason, "count": OC.candidateCount, "digest": OC.candidateDigest,
    "proposed": OC.proposedJudgement, "why": OC.proposalReason, "verdicts": OC.tieVerdicts,
    "verdictsClass": OC.TieVerdictSet, "verdictsOn": OC.verdictsOn, "verdict": OC.tieVerdict,
    "verdictClass": OC.TieVerdict, "verdictOf": OC.verdictOf}.items()}


class _Terms:
    """The N-Triples text of the terms candidate lines repeat (scores, match texts, reasons), made once."""

    def __init__(self) -> None:
        self.texts: dict[tuple[str, str], str] = {}

    def literal(self, text: str, datatype: ox.NamedNode = XSD.string) -> str:
        key = (text, datatype.value)
        found = self.texts.get(key)
        if found is None:
            if len(self.texts) > 1 << 18:
                self.texts.clear()
            found = self.texts[key] = str(ox.Literal(text, datatype=datatype))
        return found


@lru_cache(maxsize=1 << 16)
def _score_text(score: float) -> str:
    return str(Decimal(str(score)))


def _digest(said: object) -> str:
    return hashlib.sha256(repr(said).encode("utf-8")).hexdigest()[:32]


def set_key(profile: ClaimProfile) -> str:
    """The key of the candidate set ``profile``'s claim shares (pure): a digest of all that
    ranking and proposals read of a claim (therapy parts, indication, population, claim type).

    >>> a = ClaimProfile("urn:a", (("Keytruda",),), "melanoma", None, "efficacy")
    >>> set_key(a) == set_key(replace(a, iri="urn:b")) != set_key(replace(a, indication="NSCLC"))
    True
    """
    return _digest((profile.therapy_parts, profile.indication, profile.population, profile.claim_type))


def verdicts_key(key: str, interested: dict[str, list[str]], depth: int) -> str:
    """The key of the tie verdicts on candidate set ``key`` against ``interested`` parties (pure)."""
    return _digest((key, _parties(interested), depth))


def candidate_set_iri(key: str) -> ox.NamedNode:
    """The candidate set node of :func:`set_key` ``key``."""
    return mint_iri("candidate-set", key)


def candidate_set_graph(key: str) -> ox.NamedNode:
    """The named graph holding candidate set ``key``."""
    return mint_graph_iri("candidate-set", key)


def verdicts_iri(key: str) -> ox.NamedNode:
    """The tie-verdict set node of :func:`verdicts_key` ``key``."""
    return mint_iri("tie-verdicts", key)


def verdicts_graph(key: str) -> ox.NamedNode:
    """The named graph holding tie-verdict set ``key``."""
    return mint_graph_iri("tie-verdicts", key)


def _member(kind: str, key: str, record: str) -> str:
    # one candidate (or verdict) of a set: the set's key and a digest of the record
    return f"<{ID_BASE}{kind}/{key}-{hashlib.sha256(record.encode('utf-8')).hexdigest()[:16]}>"


def candidate_digest(key: str, found: ClaimCandidates) -> str:
    """A digest of everything candidate set ``key`` says (pure): equal digests, equal graphs."""
    return _digest((_LINES_VERSION, key, found.total, tuple(
        (c.record.iri, _score_text(c.score), c.matched_on, found.proposals.get(c.record.iri))
        for c in found.candidates)))


def _verdicts_digest(key: str, set_of: str, verdicts: dict[str, tuple[bool | None, str]]) -> str:
    return _digest((_LINES_VERSION, key, set_of, sorted(verdicts.items())))


def _link_digest(claim: str, set_of: str, verdicts_of: str | None) -> str:
    return _digest((_LINES_VERSION, claim, set_of, verdicts_of))


def candidate_lines(key: str, found: ClaimCandidates, terms: _Terms | None = None) -> list[str]:
    """The N-Quads lines of candidate set ``key`` holding ``found``'s candidates, its digest among them (pure).

    :param terms: the term texts an earlier call of the same run made.
    """
    terms = terms or _Terms()
    node = f"{candidate_set_iri(key)}"
    graph = f" {candidate_set_graph(key)} .\n"
    p = _P
    lines = [node + " " + p["type"] + " " + p["setClass"] + graph,
             node + " " + p["count"] + " " + terms.literal(str(found.total), XSD.integer) + graph,
             node + " " + p["digest"] + " " + terms.literal(candidate_digest(key, found)) + graph]
    for candidate in found.candidates:
        record = candidate.record.iri
        member = _member("candidate", key, record) + " "
        lines += [member + p["type"] + " " + p["class"] + graph,
                  member + p["in"] + " " + node + graph,
                  member + p["record"] + " <" + record + ">" + graph,
                  member + p["score"] + " " + terms.literal(_score_text(candidate.score), XSD.decimal) + graph]
        lines += [member + p["matched"] + " " + terms.literal(text) + graph for text in candidate.matched_on]
        if record in found.proposals:
            proposed, why = found.proposals[record]
            lines.append(member + p["proposed"] + " " + terms.literal(proposed) + graph)
            lines.append(member + p["why"] + " " + terms.literal(why) + graph)
    return lines


def verdict_lines(
    key: str, set_of: str, verdicts: dict[str, tuple[bool | None, str]], terms: _Terms | None = None
) -> list[str]:
    """The N-Quads lines of tie-verdict set ``key`` on candidate set ``set_of`` (pure):
    each record's verdict, on that record's candidate node, its digest among them."""
    terms = terms or _Terms()
    node = f"{verdicts_iri(key)}"
    graph = f" {verdicts_graph(key)} .\n"
    p = _P
    lines = [node + " " + p["type"] + " " + p["verdictsClass"] + graph,
             node + " " + p["verdictsOn"] + " " + str(candidate_set_iri(set_of)) + graph,
             node + " " + p["digest"] + " " + terms.literal(_verdicts_digest(key, set_of, verdicts)) + graph]
    for record, (independent, reason) in sorted(verdicts.items()):
        member = _member("tie-verdict", key, record)
        lines += [node + " " + p["verdict"] + " " + member + graph,
                  member + " " + p["type"] + " " + p["verdictClass"] + graph,
                  member + " " + p["verdictOf"] + " " + _member("candidate", set_of, record) + graph]
        if independent is not None:
            lines.append(member + " " + p["independent"] + " " + terms.literal(str(independent).lower(), XSD.boolean)
                         + graph)
        if reason:
            lines.append(member + " " + p["reason"] + " " + terms.literal(reason) + graph)
    return lines


def link_lines(claim: str, set_of: str, verdicts_of: str | None, terms: _Terms | None = None) -> list[str]:
    """The N-Quads lines of ``claim``'s own candidates graph: its links to its candidate set
    and tie-verdict set, and their digest (pure)."""
    terms = terms or _Terms()
    node = f"<{claim}> "
    graph = f" {candidate_graph_iri(claim)} .\n"
    lines = [node + _P["set"] + " " + str(candidate_set_iri(set_of)) + graph,
             node + _P["digest"] + " " + terms.literal(_link_digest(claim, set_of, verdicts_of)) + graph]
    if verdicts_of is not None:
        lines.append(node + _P["verdicts"] + " " + str(verdicts_iri(verdicts_of)) + graph)
    return lines


def candidate_quads(claim: str, found: ClaimCandidates, verdicts: dict[str, tuple[bool | None, str]],
                    depth: int = analysis.DEFAULT_DEPTH, interested: dict[str, list[str]] | None = None) -> list[ox.Quad]:
    """The quads discovery writes for ``claim`` (pure): its links, its candidate set and its
    tie verdicts against ``interested`` parties."""
    key = set_key(found.profile)
    lines = candidate_lines(key, found)
    of = None
    if verdicts:
        of = verdicts_key(key, interested or {}, depth)
        lines += verdict_lines(of, key, verdicts)
    lines += link_lines(claim, key, of)
    return list(ox.parse("".join(lines), format=ox.RdfFormat.N_QUADS))


def claim_graphs(store: ClaimStore, claim: str) -> list[ox.NamedNode]:
    """The graphs discovery wrote for ``claim``: its own (links), its candidate set's and
    its tie verdicts' (those present)."""
    graphs = [candidate_graph_iri(claim)]
    node = ox.NamedNode(claim)
    for link, graph_of in ((OC.candidateSet, candidate_set_graph), (OC.tieVerdicts, verdicts_graph)):
        for quad in store.quads(node, link, None, graphs[0]):
            graphs.append(graph_of(quad.object.value.rsplit("/", 1)[-1]))
    return graphs


@dataclass
class _Run:
    """What one discovery run has computed and queued: each candidate set and tie-verdict
    set once, whatever number of claims share it."""

    lookups: Lookups
    depth: int
    report: DiscoverReport
    terms: _Terms = field(default_factory=_Terms)
    sets: dict[str, ClaimCandidates] = field(default_factory=dict)
    verdicts: dict[str, None] = field(default_factory=dict)
    stale: set[str] = field(default_factory=set)  # the keys of sets and verdict sets to write
    unlinked: set[tuple[ox.NamedNode, ox.NamedNode]] = field(default_factory=set)  # (link, node) replaced

    def stale_contents(self, claim: str) -> list[tuple[GraphContent, int]]:
        """The graphs ``claim`` needs that differ from the stored ones and that this run has
        not queued yet, each with its size in quads about; counts the claim in the report."""
        store, lookups = self.lookups.store, self.lookups
        profile, _ = claim_profile(store, claim, lookups)
        key = set_key(profile)
        out: list[tuple[GraphContent, int]] = []
        found = self.sets.get(key)
        if found is None:
            found = self.sets[key] = _found(lookups, profile, MAX_STORED, 0)
            content = GraphContent(candidate_set_graph(key), candidate_set_iri(key), candidate_digest(key, found),
                                   partial(candidate_lines, key, found, self.terms))
            if not is_current(store, content):
                self.stale.add(key)
                out.append((content, 3 + 8 * len(found.candidates)))
        changed = key in self.stale
        records = [c.record.iri for c in found.candidates[:MAX_VERDICTS]]
        of = None
        if records:
            interested, verdicts = _verdicts(lookups, claim, records, self.depth)
            of = verdicts_key(key, interested, self.depth)
            if of not in self.verdicts:
                self.verdicts[of] = None
                said = verdicts()
                content = GraphContent(verdicts_graph(of), verdicts_iri(of), _verdicts_digest(of, key, said),
                                       partial(verdict_lines, of, key, said, self.terms))
                if not is_current(store, content):
                    self.stale.add(of)
                    out.append((content, 3 + 5 * len(said)))
            changed = changed or of in self.stale
        link = GraphContent(candidate_graph_iri(claim), ox.NamedNode(claim), _link_digest(claim, key, of),
                            partial(link_lines, claim, key, of, self.terms))
        if not is_current(store, link):
            changed = True
            for old in (OC.candidateSet, OC.tieVerdicts):
                for quad in store.quads(ox.NamedNode(claim), old, None, link.graph):
                    self.unlinked.add((old, quad.object))  # type: ignore[arg-type]
            out.append((link, 3))
        self.report.claims += 1
        self.report.written += changed
        self.report.unchanged += not changed
        self.report.candidates += len(found.candidates)
        if found.truncated:
            self.report.truncated.append(claim)
        return out


def _batches(run: _Run, claims: Iterable[str]) -> Iterator[list[GraphContent]]:
    batch: list[GraphContent] = []
    size = 0
    for claim in claims:
        for content, quads in run.stale_contents(claim):
            batch.append(content)
            size += quads
        if size >= WRITE_BATCH:
            yield batch
            batch, size = [], 0
    if batch:
        yield batch


def _orphans(store: ClaimStore, unlinked: Iterable[tuple[ox.NamedNode, ox.NamedNode]]) -> list[ox.NamedNode]:
    """The graphs of the candidate and tie-verdict sets a run unlinked that no claim links to any more."""
    graphs = []
    for link, node in sorted(unlinked, key=str):
        if next(iter(store.quads(None, link, node, None)), None) is None:
            key = node.value.rsplit("/", 1)[-1]
            graphs.append(candidate_set_graph(key) if link == OC.candidateSet else verdicts_graph(key))
    return graphs


def discover_claims(
    store: ClaimStore, claims: Iterable[str], *, depth: int = analysis.DEFAULT_DEPTH, tables: bool | None = None
) -> DiscoverReport:
    """Find, rank and write the candidate evidence of each of ``claims``.

    Claims that say the same about the same therapies share one candidate set (computed
    and written once), and those with the same interested parties too one set of tie
    verdicts on it; each claim links to them from its own graph. Each batch of about
    :data:`WRITE_BATCH` quads is written in one step, and only the graphs that changed
    (:func:`~oncoclaims.discover.writing.write_graphs`). Sets no claim links to any more
    are dropped at the end.

    :param tables: read the store's tables once for the whole run (:class:`Lookups`);
        by default when there are :data:`TABLE_RUN` claims or more.
    """
    claims = list(dict.fromkeys(claims))
    report = DiscoverReport()
    lookups = Lookups(store, tables=len(claims) >= TABLE_RUN if tables is None else tables)
    run = _Run(lookups, depth, report)
    for batch in _batches(run, claims):
        done = write_graphs(store, batch)
        report.quads_added += done.added
        report.quads_removed += done.removed
    orphans = _orphans(store, run.unlinked)
    if orphans:
        report.quads_removed += write_graphs(store, [], drop=orphans).removed
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
        # the other names the record gives (an openFDA product's generic names): a claim
        # found through them in a full run is found when the record is ingested too
        for label in store.quads(quad.object, SKOS.altLabel, None, None):  # type: ignore[arg-type]
            names.add(label.object.value)
    for report in _objects(store, node, OC.reportedIn):  # a paper: its substances name its therapies
        names.update(o.value for o in _objects(store, report, OC.substance))  # type: ignore[arg-type]
    claims: set[str] = set()
    for therapy in _therapies_named(Lookups(store), names):
        for row in queries.select(store, "therapy_claims", therapy=therapy):
            claims.add(row["claim"].value)
    return claims
