"""The pre-2024 "classic" ClinicalTrials.gov API JSON, so older downloads still work.

``{"FullStudiesResponse": {"FullStudies": [{"Rank": 1, "Study": {"ProtocolSection": ...}}]}}``
(the retired ``/api/query/full_studies`` endpoint), also a single ``{"FullStudy": {...}}``
or a bare ``{"Study": {...}}``. Keys are PascalCase, lists sit one level down
(``ConditionList.Condition``), and values are spelled for people (``Phase 1``,
``Non-Randomized``, ``July 2001``); they are normalised to the API v2 spellings so the
trial comes out exactly as it does from API v2 JSON.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, ClassVar

from pyoxigraph import Quad

from oncoclaims.errors import ParseError, RecordError, SourceLocation
from oncoclaims.ingest.base import SourceRecord
from oncoclaims.ingest.ctgov_trial import (
    Intervention,
    Reference,
    Sponsor,
    TrialFacts,
    ctgov_graph_iri,
    trial_quads,
)
from oncoclaims.ingest.ctgov_values import (
    check_nct_id,
    clean_text,
    normalise_date,
    normalise_enrollment_type,
    normalise_enum,
    normalise_phases,
    normalise_sponsor_class,
    normalise_study_type,
)
from oncoclaims.ingest.json_input import decode_text, load_json
from oncoclaims.iris import mint_graph_iri

__all__ = ["ClinicalTrialsClassicIngester", "extract_classic_facts"]

_FORMAT = "classic ClinicalTrials.gov JSON"
_NCT_PATH = "Study.ProtocolSection.IdentificationModule.NCTId"
_UNIDENTIFIED = mint_graph_iri("ctgov", "unidentified")


def _get(value: Any, *path: str) -> Any:
    for key in path:
        value = value.get(key) if isinstance(value, dict) else None
    return value


def _items(value: Any, *path: str) -> list[Any]:
    found = _get(value, *path)
    if isinstance(found, list):
        return found
    return [found] if found is not None else []


def _texts(values: list[Any]) -> tuple[str, ...]:
    texts = (clean_text(v) for v in values if not isinstance(v, (dict, list)))
    return tuple(dict.fromkeys(t for t in texts if t))


def _enrollment(value: Any) -> int | None:
    text = clean_text(value)
    return int(text) if text and text.isdigit() else None


def extract_classic_facts(study: dict[str, Any], location: SourceLocation) -> TrialFacts:
    """Read the facts of one classic-API ``Study``; pure.

    :raises RecordError: when the study has no valid NCT number.
    """
    protocol = _get(study, "ProtocolSection") or {}
    nct = check_nct_id(
        _get(protocol, "IdentificationModule", "NCTId"), location, _NCT_PATH, _FORMAT
    )
    status = _get(protocol, "StatusModule") or {}
    design = _get(protocol, "DesignModule") or {}
    sponsors = _get(protocol, "SponsorCollaboratorsModule") or {}
    phases = _get(design, "PhaseList", "Phase")
    lead_name = clean_text(_get(sponsors, "LeadSponsor", "LeadSponsorName"))
    interventions = []
    for raw in _items(protocol, "ArmsInterventionsModule", "InterventionList", "Intervention"):
        name = clean_text(_get(raw, "InterventionName"))
        if name:
            interventions.append(
                Intervention(
                    name,
                    normalise_enum(_get(raw, "InterventionType")),
                    _texts(_items(raw, "InterventionOtherNameList", "InterventionOtherName")),
                )
            )
    references = []
    for raw in _items(protocol, "ReferencesModule", "ReferenceList", "Reference"):
        pmid = clean_text(_get(raw, "ReferencePMID"))
        if pmid and pmid.isdigit():
            references.append(Reference(pmid, normalise_enum(_get(raw, "ReferenceType"))))
    return TrialFacts(
        nct_id=nct,
        title=clean_text(_get(protocol, "IdentificationModule", "BriefTitle")),
        study_type=normalise_study_type(_get(design, "StudyType")),
        phases=normalise_phases(_items(design, "PhaseList", "Phase"))
        if phases is not None
        else None,
        allocation=normalise_enum(_get(design, "DesignInfo", "DesignAllocation")),
        enrollment=_enrollment(_get(design, "EnrollmentInfo", "EnrollmentCount")),
        enrollment_type=normalise_enrollment_type(_get(design, "EnrollmentInfo", "EnrollmentType")),
        overall_status=normalise_enum(_get(status, "OverallStatus")),
        why_stopped=clean_text(_get(status, "WhyStopped")),
        start_date=normalise_date(_get(status, "StartDateStruct", "StartDate")),
        completion_date=normalise_date(_get(status, "CompletionDateStruct", "CompletionDate")),
        first_submitted=normalise_date(_get(status, "StudyFirstSubmitDate")),
        results_first_submitted=normalise_date(_get(status, "ResultsFirstSubmitDate")),
        conditions=_texts(_items(protocol, "ConditionsModule", "ConditionList", "Condition")),
        mesh_terms=_texts(
            [
                _get(m, "ConditionMeshTerm")
                for m in _items(
                    study,
                    "DerivedSection",
                    "ConditionBrowseModule",
                    "ConditionMeshList",
                    "ConditionMesh",
                )
            ]
        ),
        interventions=tuple(dict.fromkeys(interventions)),
        lead_sponsor=Sponsor(
            lead_name, normalise_sponsor_class(_get(sponsors, "LeadSponsor", "LeadSponsorClass"))
        )
        if lead_name
        else None,
        collaborators=tuple(
            Sponsor(name, normalise_sponsor_class(_get(raw, "CollaboratorClass")))
            for raw in _items(sponsors, "CollaboratorList", "Collaborator")
            if (name := clean_text(_get(raw, "CollaboratorName")))
        ),
        countries=_texts(
            [
                _get(loc, "LocationCountry")
                for loc in _items(protocol, "ContactsLocationsModule", "LocationList", "Location")
            ]
        ),
        references=tuple(dict.fromkeys(references)),
        # The classic full-study record always carries every section it has, so a
        # missing ResultsSection means no results were posted.
        has_results="ResultsSection" in study,
    )


def _studies(document: Any, origin: str) -> list[Any]:
    if isinstance(document, dict):
        if "FullStudiesResponse" in document:
            return [
                _get(entry, "Study")
                for entry in _items(document, "FullStudiesResponse", "FullStudies")
            ]
        if "FullStudy" in document:
            return [_get(document, "FullStudy", "Study")]
        if "Study" in document:
            return [document["Study"]]
    raise ParseError(
        SourceLocation(origin, 1),
        "expected FullStudiesResponse, FullStudy or Study at the top; "
        "is this classic ClinicalTrials.gov JSON?",
    )


class ClinicalTrialsClassicIngester:
    """Reads the pre-2024 classic ClinicalTrials.gov API JSON (``FullStudiesResponse``)."""

    name: ClassVar[str] = "clinicaltrials-classic-json"
    suffixes: ClassVar[tuple[str, ...]] = (".json",)

    def sniff(self, data: bytes, origin: str) -> bool:
        """Whether ``data`` is JSON with ``FullStudiesResponse`` or ``ProtocolSection`` early on."""
        head = data[:65536].lstrip(b"\xef\xbb\xbf \t\r\n")
        return head.startswith(b"{") and (
            b'"FullStudiesResponse"' in head or b'"ProtocolSection"' in head
        )

    def records(self, data: bytes, origin: str) -> Iterator[SourceRecord]:
        """Yield one record per study.

        :raises ParseError: for text that is not UTF-8, not JSON, or JSON of another shape.
        """
        document = load_json(decode_text(data, origin), origin)
        for index, study in enumerate(_studies(document, origin), start=1):
            nct = clean_text(_get(study, "ProtocolSection", "IdentificationModule", "NCTId"))
            yield SourceRecord(
                SourceLocation(origin, None, record_id=nct or f"#{index}"),
                "study",
                study,
                ctgov_graph_iri(nct) if nct else _UNIDENTIFIED,
            )

    def to_quads(self, record: SourceRecord) -> Iterator[Quad]:
        """Map one study to quads.

        :raises RecordError: when the study is not an object or has no valid NCT number.
        """
        if not isinstance(record.data, dict):
            raise RecordError(record.location, "a study must be a JSON object")
        yield from trial_quads(extract_classic_facts(record.data, record.location))
