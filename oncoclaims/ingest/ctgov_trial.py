"""One ClinicalTrials.gov study, whatever format it came in, and its mapping to RDF (pure).

The three ClinicalTrials.gov readers (API v2 JSON, the pre-2024 "classic" JSON and the
legacy ``<clinical_study>`` XML) each turn a study into the same :class:`TrialFacts`,
with every value normalised the same way (enumerations spelled as API v2 spells them,
dates as ISO ``YYYY``/``YYYY-MM``/``YYYY-MM-DD``), and :func:`trial_quads` maps those
facts to quads. So one trial gives one node with the same facts from any format, and a
field that a record leaves out (a ``fields=``-limited API v2 record) gives no quad at
all: it can add to what a fuller record said, never contradict or erase it.

Identity (all IRIs are deterministic, see ``iris.py``):

- the trial, an ``oc:Evidence``: ``mint_iri("trial", nct)``;
- its registration record, an ``oc:Source``: ``mint_iri("source", "ctgov-" + nct)``;
- its posted results, an ``oc:Source``: ``mint_iri("source", "ctgov-results-" + nct)``;
- a referenced publication: ``mint_iri("pubmed", pmid)``, the IRI the PubMed reader mints;
- an intervention, an ``oc:Therapy``: ``mint_iri("therapy", name)``;
- a sponsor, an ``oc:Institution`` known by name within this trial (``ingest.institutions``);
- a statistical analysis of a primary outcome the posted results state, an
  ``oc:PrimaryResult``: ``mint_iri("result", nct, outcome title, analysis number)``, with
  the groups it compares (``oc:comparedGroup``, in the analysis's order);
- the named graph of all of it: ``mint_graph_iri("ctgov", nct)``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from pyoxigraph import Literal, NamedNode, Quad

from oncoclaims import vocab
from oncoclaims.ingest.ctgov_values import therapy_label
from oncoclaims.ingest.institutions import institution_quads
from oncoclaims.iris import canonical_iri, mint_graph_iri, mint_iri

__all__ = [
    "INSTITUTION_KINDS",
    "MODALITIES",
    "PHASE_STUDY_TYPES",
    "Intervention",
    "PrimaryResult",
    "Reference",
    "ResultGroup",
    "Sponsor",
    "TrialFacts",
    "ctgov_graph_iri",
    "registration_source_iri",
    "results_source_iri",
    "study_type_concept",
    "trial_quads",
]


class _CachedNamespace:
    """A vocabulary namespace whose terms are built once: a trial maps to ~100 quads, and
    building a fresh ``NamedNode`` per term per quad was a tenth of the ingest time."""

    def __init__(self, namespace: Any) -> None:
        self._namespace = namespace
        self._items: dict[str, NamedNode] = {}

    def __getattr__(self, name: str) -> NamedNode:
        term: NamedNode = getattr(self._namespace, name)
        setattr(self, name, term)
        return term

    def __getitem__(self, name: str) -> NamedNode:
        term = self._items.get(name)
        if term is None:
            term = self._items[name] = self._namespace[name]
        return term


OC, RDF, RDFS, DCTERMS, CITO, SKOS, XSD = (
    _CachedNamespace(ns)
    for ns in (vocab.OC, vocab.RDF, vocab.RDFS, vocab.DCTERMS, vocab.CITO, vocab.SKOS, vocab.XSD)
)

#: Phase (API v2 spelling) -> study-type concept. A study registered under several
#: phases (``PHASE1``+``PHASE2``) gets the *lowest*: its evidence is no stronger than
#: the earliest phase it includes, and overstating evidence is the worse error here.
PHASE_STUDY_TYPES: dict[str, str] = {
    "EARLY_PHASE1": "study-early-human-trial",
    "PHASE1": "study-phase-1",
    "PHASE2": "study-phase-2",
    "PHASE3": "study-phase-3",
    "PHASE4": "study-phase-4",
}

#: Intervention type (API v2 spelling) -> modality concept.
MODALITIES: dict[str, str] = {
    "DRUG": "modality-drug",
    "BIOLOGICAL": "modality-biological",
    "GENETIC": "modality-genetic",
    "RADIATION": "modality-radiation",
    "PROCEDURE": "modality-procedure",
    "DEVICE": "modality-device",
    "BEHAVIORAL": "modality-behavioural",
    "DIETARY_SUPPLEMENT": "modality-dietary-supplement",
    "DIAGNOSTIC_TEST": "modality-diagnostic-test",
    "COMBINATION_PRODUCT": "modality-combination-product",
    "OTHER": "modality-other",
}

#: Sponsor class (API v2 spelling) -> institution-kind concept. ``OTHER`` (universities,
#: hospitals, foundations, and networks before ClinicalTrials.gov had ``NETWORK``) and
#: ``UNKNOWN``/``AMBIG`` say nothing about the kind, so they give no kind at all: the
#: same sponsor is ``Other`` in a 2018 XML download and ``NETWORK`` in a 2023 one, and a
#: catch-all must not contradict a specific kind from this or another source.
INSTITUTION_KINDS: dict[str, str] = {
    "INDUSTRY": "kind-company",
    "NIH": "kind-government-agency",
    "FED": "kind-government-agency",
    "OTHER_GOV": "kind-government",
    "NETWORK": "kind-research-network",
    "INDIV": "kind-individual",
}


@dataclass(frozen=True, slots=True)
class Sponsor:
    """A lead sponsor or collaborator: its name and class (``INDUSTRY``, ``NIH``...)."""

    name: str
    sponsor_class: str | None = None


@dataclass(frozen=True, slots=True)
class Intervention:
    """An intervention: its name, type (``DRUG``...) and other names."""

    name: str
    intervention_type: str | None = None
    other_names: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ResultGroup:
    """One group a result compares: its title, description and the value measured in it."""

    title: str
    description: str | None = None
    value: str | None = None


@dataclass(frozen=True, slots=True)
class PrimaryResult:
    """One statistical analysis of a primary outcome, as the posted results state it."""

    outcome: str
    number: int  # the analysis's place among the outcome's analyses, from 1
    groups: tuple[ResultGroup, ...]
    unit: str | None = None
    p_value: str | None = None  # as stated: "0.0082", "<0.001"
    method: str | None = None
    estimate: str | None = None  # "Odds Ratio (OR) 15.231 (95% CI 7.336 to 31.623)"


@dataclass(frozen=True, slots=True)
class Reference:
    """A publication the record lists: PMID and type (``BACKGROUND``, ``RESULT``, ``DERIVED``)."""

    pmid: str
    reference_type: str | None = None


@dataclass(frozen=True, slots=True)
class TrialFacts:
    """What one study record says, normalised; ``None`` or ``()`` where it says nothing."""

    nct_id: str
    title: str | None = None
    study_type: str | None = None
    phases: tuple[str, ...] | None = None
    allocation: str | None = None
    enrollment: int | None = None
    enrollment_type: str | None = None
    overall_status: str | None = None
    why_stopped: str | None = None
    start_date: str | None = None
    completion_date: str | None = None
    first_submitted: str | None = None
    results_first_submitted: str | None = None
    conditions: tuple[str, ...] = ()
    mesh_terms: tuple[str, ...] = ()
    interventions: tuple[Intervention, ...] = ()
    lead_sponsor: Sponsor | None = None
    collaborators: tuple[Sponsor, ...] = ()
    countries: tuple[str, ...] = ()
    references: tuple[Reference, ...] = ()
    has_results: bool | None = None
    primary_results: tuple[PrimaryResult, ...] = ()


def _date_literal(iso: str) -> Literal:
    datatype = {4: XSD.gYear, 7: XSD.gYearMonth}.get(len(iso), XSD.date)
    return Literal(iso, datatype=datatype)


def ctgov_graph_iri(nct_id: str) -> NamedNode:
    """The named graph holding everything one trial's records say."""
    return mint_graph_iri("ctgov", nct_id)


def registration_source_iri(nct_id: str) -> NamedNode:
    """The trial's registration record as a source."""
    return mint_iri("source", "ctgov-" + nct_id)


def results_source_iri(nct_id: str) -> NamedNode:
    """The trial's results posted on ClinicalTrials.gov, as a source."""
    return mint_iri("source", "ctgov-results-" + nct_id)


def study_type_concept(facts: TrialFacts) -> str | None:
    """The study-type concept name (``study-phase-2``...), or ``None`` when the record cannot tell.

    Observational -> ``study-observational``; interventional with a phase -> the lowest
    phase (see :data:`PHASE_STUDY_TYPES`); without one (``NA``), randomised ->
    ``study-randomised-controlled``, otherwise ``study-other``; expanded access ->
    ``study-other``. A record that leaves out what decides it (phases, or allocation
    when there is no phase) gets none, so a ``fields=``-limited record never
    contradicts a full one.
    """
    if facts.study_type == "OBSERVATIONAL":
        return "study-observational"
    if facts.study_type not in (None, "INTERVENTIONAL"):
        return "study-other"
    if facts.phases is None:
        return None
    ranked = [phase for phase in PHASE_STUDY_TYPES if phase in facts.phases]
    if ranked:
        return PHASE_STUDY_TYPES[ranked[0]]
    if facts.study_type is None or facts.allocation is None:
        return None
    return "study-randomised-controlled" if facts.allocation == "RANDOMIZED" else "study-other"


def _string(value: str) -> Literal:
    return Literal(value)


def trial_quads(facts: TrialFacts) -> Iterator[Quad]:
    """Map one study's facts to quads in the trial's named graph; pure.

    :param facts: the normalised facts of one record.
    :returns: the quads; a fact the record leaves out gives none.
    """
    nct = facts.nct_id
    graph = ctgov_graph_iri(nct)
    trial = mint_iri("trial", nct)
    registration = registration_source_iri(nct)
    study_page = canonical_iri("nct", nct)

    yield Quad(trial, RDF.type, OC.Evidence, graph)
    yield Quad(trial, OC.nctId, _string(nct), graph)
    # ClinicalTrials.gov registers studies in human participants only.
    yield Quad(trial, OC.population, OC["population-humans"], graph)
    yield Quad(trial, OC.reportedIn, registration, graph)
    yield Quad(registration, RDF.type, OC.Source, graph)
    yield Quad(registration, OC.sourceType, OC["source-trial-registration"], graph)
    yield Quad(registration, OC.nctId, _string(nct), graph)
    yield Quad(registration, RDFS.seeAlso, study_page, graph)
    if facts.first_submitted:
        yield Quad(registration, DCTERMS.date, _date_literal(facts.first_submitted), graph)
    if facts.title:
        yield Quad(trial, RDFS.label, _string(facts.title), graph)
        yield Quad(registration, DCTERMS.title, _string(facts.title), graph)

    concept = study_type_concept(facts)
    if concept is not None:
        yield Quad(trial, OC.studyType, OC[concept], graph)
    for phase in facts.phases or ():
        yield Quad(trial, OC.phase, _string(phase), graph)
    if facts.allocation:
        yield Quad(trial, OC.allocation, _string(facts.allocation), graph)
    if facts.enrollment is not None:
        yield Quad(
            trial, OC.sampleSize, Literal(str(facts.enrollment), datatype=XSD.integer), graph
        )
    if facts.enrollment_type:
        yield Quad(trial, OC.sampleSizeType, _string(facts.enrollment_type), graph)
    if facts.overall_status:
        yield Quad(trial, OC.overallStatus, _string(facts.overall_status), graph)
    if facts.why_stopped:
        yield Quad(trial, OC.whyStopped, _string(facts.why_stopped), graph)
    if facts.start_date:
        yield Quad(trial, OC.startDate, _date_literal(facts.start_date), graph)
    if facts.completion_date:
        yield Quad(trial, OC.completionDate, _date_literal(facts.completion_date), graph)
    for condition in facts.conditions:
        yield Quad(trial, OC.condition, _string(condition), graph)
    for term in facts.mesh_terms:
        yield Quad(trial, OC.meshTerm, _string(term), graph)
    for country in facts.countries:
        yield Quad(trial, OC.country, _string(country), graph)

    for intervention in facts.interventions:
        therapy = mint_iri("therapy", intervention.name)
        yield Quad(trial, OC.intervention, therapy, graph)
        yield Quad(therapy, RDF.type, OC.Therapy, graph)
        label = therapy_label(intervention.name)
        yield Quad(therapy, RDFS.label, _string(label), graph)
        if label != intervention.name:
            yield Quad(therapy, SKOS.altLabel, _string(intervention.name), graph)
        modality = MODALITIES.get(intervention.intervention_type or "")
        if modality is not None:
            yield Quad(therapy, OC.modality, OC[modality], graph)
        for other in intervention.other_names:
            yield Quad(therapy, SKOS.altLabel, _string(other), graph)

    sponsors = ((facts.lead_sponsor,) if facts.lead_sponsor else ()) + facts.collaborators
    for sponsor in sponsors:
        institution, described = institution_quads(sponsor.name, graph, scope="trial:" + nct)
        if sponsor is facts.lead_sponsor:
            yield Quad(trial, OC.leadSponsor, institution, graph)
        yield Quad(trial, OC.sponsor, institution, graph)
        yield from described
        kind = INSTITUTION_KINDS.get(sponsor.sponsor_class or "")
        if kind is not None:
            yield Quad(institution, OC.institutionKind, OC[kind], graph)

    for reference in facts.references:
        publication = mint_iri("pubmed", reference.pmid)
        yield Quad(publication, RDF.type, OC.Source, graph)
        yield Quad(publication, OC.pmid, _string(reference.pmid), graph)
        yield Quad(publication, RDFS.seeAlso, canonical_iri("pmid", reference.pmid), graph)
        if reference.reference_type == "BACKGROUND":
            yield Quad(registration, CITO.cites, publication, graph)
        elif reference.reference_type == "RESULT":
            yield Quad(trial, OC.reportedIn, publication, graph)
            yield Quad(registration, OC.resultsReference, publication, graph)
        elif reference.reference_type == "DERIVED":
            yield Quad(trial, OC.reportedIn, publication, graph)
            yield Quad(registration, OC.derivedReference, publication, graph)

    if facts.has_results is not None:
        yield Quad(trial, OC.hasResults, Literal(facts.has_results), graph)
    if facts.has_results:
        results = results_source_iri(nct)
        yield Quad(trial, OC.reportedIn, results, graph)
        yield Quad(results, RDF.type, OC.Source, graph)
        yield Quad(results, OC.sourceType, OC["source-trial-results"], graph)
        yield Quad(results, OC.nctId, _string(nct), graph)
        yield Quad(results, RDFS.seeAlso, study_page, graph)
        if facts.title:
            yield Quad(results, DCTERMS.title, _string(facts.title), graph)
        if facts.results_first_submitted:
            yield Quad(results, DCTERMS.date, _date_literal(facts.results_first_submitted), graph)
    yield from _result_quads(facts, trial, graph)


def _result_quads(facts: TrialFacts, trial: NamedNode, graph: NamedNode) -> Iterator[Quad]:
    for stated in facts.primary_results:
        node = mint_iri("result", facts.nct_id, stated.outcome, str(stated.number))
        yield Quad(trial, OC.primaryResult, node, graph)
        yield Quad(node, RDF.type, OC.PrimaryResult, graph)
        yield Quad(node, OC.outcomeTitle, _string(stated.outcome), graph)
        for predicate, value in ((OC.unitOfMeasure, stated.unit), (OC.pValue, stated.p_value),
                                 (OC.statisticalMethod, stated.method), (OC.estimate, stated.estimate)):
            if value:
                yield Quad(node, predicate, _string(value), graph)
        for order, group in enumerate(stated.groups, 1):
            member = mint_iri("result", facts.nct_id, stated.outcome, str(stated.number), str(order))
            yield Quad(node, OC.comparedGroup, member, graph)
            yield Quad(member, OC.groupOrder, Literal(str(order), datatype=XSD.integer), graph)
            yield Quad(member, RDFS.label, _string(group.title), graph)
            if group.description:
                yield Quad(member, DCTERMS.description, _string(group.description), graph)
            if group.value:
                yield Quad(member, OC.measuredValue, _string(group.value), graph)
