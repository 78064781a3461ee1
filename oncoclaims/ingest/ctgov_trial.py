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
- a sponsor, an ``oc:Institution``: ``mint_iri("institution", name)``;
- the named graph of all of it: ``mint_graph_iri("ctgov", nct)``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from pyoxigraph import Literal, NamedNode, Quad

from oncoclaims.ingest.ctgov_values import therapy_label
from oncoclaims.iris import canonical_iri, mint_graph_iri, mint_iri
from oncoclaims.vocab import CITO, DCTERMS, OC, RDF, RDFS, SKOS, XSD

__all__ = [
    "INSTITUTION_KINDS",
    "MODALITIES",
    "PHASE_STUDY_TYPES",
    "Intervention",
    "Reference",
    "Sponsor",
    "TrialFacts",
    "ctgov_graph_iri",
    "registration_source_iri",
    "results_source_iri",
    "study_type_concept",
    "trial_quads",
]

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

    def quad(subject: NamedNode, predicate: NamedNode, obj: NamedNode | Literal) -> Quad:
        return Quad(subject, predicate, obj, graph)

    yield quad(trial, RDF.type, OC.Evidence)
    yield quad(trial, OC.nctId, _string(nct))
    yield quad(trial, OC.reportedIn, registration)
    yield quad(registration, RDF.type, OC.Source)
    yield quad(registration, OC.sourceType, OC["source-trial-registration"])
    yield quad(registration, OC.nctId, _string(nct))
    yield quad(registration, RDFS.seeAlso, study_page)
    if facts.first_submitted:
        yield quad(registration, DCTERMS.date, _date_literal(facts.first_submitted))
    if facts.title:
        yield quad(trial, RDFS.label, _string(facts.title))
        yield quad(registration, DCTERMS.title, _string(facts.title))

    concept = study_type_concept(facts)
    if concept is not None:
        yield quad(trial, OC.studyType, OC[concept])
    for phase in facts.phases or ():
        yield quad(trial, OC.phase, _string(phase))
    if facts.allocation:
        yield quad(trial, OC.allocation, _string(facts.allocation))
    if facts.enrollment is not None:
        yield quad(trial, OC.sampleSize, Literal(str(facts.enrollment), datatype=XSD.integer))
    if facts.enrollment_type:
        yield quad(trial, OC.sampleSizeType, _string(facts.enrollment_type))
    if facts.overall_status:
        yield quad(trial, OC.overallStatus, _string(facts.overall_status))
    if facts.why_stopped:
        yield quad(trial, OC.whyStopped, _string(facts.why_stopped))
    if facts.start_date:
        yield quad(trial, OC.startDate, _date_literal(facts.start_date))
    if facts.completion_date:
        yield quad(trial, OC.completionDate, _date_literal(facts.completion_date))
    for condition in facts.conditions:
        yield quad(trial, OC.condition, _string(condition))
    for term in facts.mesh_terms:
        yield quad(trial, OC.meshTerm, _string(term))
    for country in facts.countries:
        yield quad(trial, OC.country, _string(country))

    for intervention in facts.interventions:
        therapy = mint_iri("therapy", intervention.name)
        yield quad(trial, OC.intervention, therapy)
        yield quad(therapy, RDF.type, OC.Therapy)
        label = therapy_label(intervention.name)
        yield quad(therapy, RDFS.label, _string(label))
        if label != intervention.name:
            yield quad(therapy, SKOS.altLabel, _string(intervention.name))
        modality = MODALITIES.get(intervention.intervention_type or "")
        if modality is not None:
            yield quad(therapy, OC.modality, OC[modality])
        for other in intervention.other_names:
            yield quad(therapy, SKOS.altLabel, _string(other))

    sponsors = ((facts.lead_sponsor,) if facts.lead_sponsor else ()) + facts.collaborators
    for sponsor in sponsors:
        institution = mint_iri("institution", sponsor.name)
        if sponsor is facts.lead_sponsor:
            yield quad(trial, OC.leadSponsor, institution)
        yield quad(trial, OC.sponsor, institution)
        yield quad(institution, RDF.type, OC.Institution)
        yield quad(institution, RDFS.label, _string(sponsor.name))
        kind = INSTITUTION_KINDS.get(sponsor.sponsor_class or "")
        if kind is not None:
            yield quad(institution, OC.institutionKind, OC[kind])

    for reference in facts.references:
        publication = mint_iri("pubmed", reference.pmid)
        yield quad(publication, RDF.type, OC.Source)
        yield quad(publication, OC.pmid, _string(reference.pmid))
        yield quad(publication, RDFS.seeAlso, canonical_iri("pmid", reference.pmid))
        if reference.reference_type == "BACKGROUND":
            yield quad(registration, CITO.cites, publication)
        elif reference.reference_type == "RESULT":
            yield quad(trial, OC.reportedIn, publication)
            yield quad(registration, OC.resultsReference, publication)
        elif reference.reference_type == "DERIVED":
            yield quad(trial, OC.reportedIn, publication)
            yield quad(registration, OC.derivedReference, publication)

    if facts.has_results is not None:
        yield quad(trial, OC.hasResults, Literal(facts.has_results))
    if facts.has_results:
        results = results_source_iri(nct)
        yield quad(trial, OC.reportedIn, results)
        yield quad(results, RDF.type, OC.Source)
        yield quad(results, OC.sourceType, OC["source-trial-results"])
        yield quad(results, OC.nctId, _string(nct))
        yield quad(results, RDFS.seeAlso, study_page)
        if facts.title:
            yield quad(results, DCTERMS.title, _string(facts.title))
        if facts.results_first_submitted:
            yield quad(results, DCTERMS.date, _date_literal(facts.results_first_submitted))
