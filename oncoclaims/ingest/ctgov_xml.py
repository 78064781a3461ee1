"""The legacy ClinicalTrials.gov ``<clinical_study>`` XML (downloads before 2024).

Parsed with lxml with entity resolution, network access and DTD loading off; a document
type that declares entities (an XML bomb or an external entity) is refused before the
parser sees it. Values are spelled for people (``Phase 1/Phase 2``, ``Non-Randomized``,
``July 2001``) and normalised to the API v2 spellings, so the trial comes out exactly as
it does from API v2 JSON.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import ClassVar

from lxml import etree
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
from oncoclaims.ingest.safe_xml import parse_safe_xml
from oncoclaims.iris import mint_graph_iri

__all__ = ["ClinicalTrialsXmlIngester", "extract_xml_facts"]

_FORMAT = "ClinicalTrials.gov legacy XML"
_UNIDENTIFIED = mint_graph_iri("ctgov", "unidentified")


def _text(element: etree._Element, path: str) -> str | None:
    found = element.find(path)
    return clean_text(found.text) if found is not None else None


def _texts(element: etree._Element, path: str) -> tuple[str, ...]:
    texts = (clean_text(found.text) for found in element.iterfind(path))
    return tuple(dict.fromkeys(t for t in texts if t))


def _sponsor(element: etree._Element | None) -> Sponsor | None:
    if element is None:
        return None
    name = _text(element, "agency")
    return Sponsor(name, normalise_sponsor_class(_text(element, "agency_class"))) if name else None


def extract_xml_facts(study: etree._Element, location: SourceLocation) -> TrialFacts:
    """Read the facts of one ``<clinical_study>`` element; pure.

    :raises RecordError: when the study has no valid ``id_info/nct_id``.
    """
    nct = check_nct_id(_text(study, "id_info/nct_id"), location, "id_info/nct_id", _FORMAT)
    phase = _text(study, "phase")
    enrollment = study.find("enrollment")
    count = clean_text(enrollment.text) if enrollment is not None else None
    interventions = []
    for element in study.iterfind("intervention"):
        name = _text(element, "intervention_name")
        if name:
            interventions.append(
                Intervention(
                    name,
                    normalise_enum(_text(element, "intervention_type")),
                    _texts(element, "other_name"),
                )
            )
    # <reference> holds background publications, <results_reference> those reporting
    # results (https://clinicaltrials.gov/ct2/html/images/info/public.xsd).
    references = []
    for tag, kind in (("reference", "BACKGROUND"), ("results_reference", "RESULT")):
        for element in study.iterfind(tag):
            pmid = _text(element, "PMID")
            if pmid and pmid.isdigit():
                references.append(Reference(pmid, kind))
    return TrialFacts(
        nct_id=nct,
        title=_text(study, "brief_title"),
        study_type=normalise_study_type(_text(study, "study_type")),
        phases=normalise_phases([phase]) if phase else None,
        allocation=normalise_enum(_text(study, "study_design_info/allocation")),
        enrollment=int(count) if count and count.isdigit() else None,
        enrollment_type=normalise_enrollment_type(enrollment.get("type"))
        if enrollment is not None
        else None,
        overall_status=normalise_enum(_text(study, "overall_status")),
        why_stopped=_text(study, "why_stopped"),
        start_date=normalise_date(_text(study, "start_date")),
        completion_date=normalise_date(_text(study, "completion_date")),
        first_submitted=normalise_date(
            _text(study, "study_first_submitted") or _text(study, "firstreceived_date")
        ),
        results_first_submitted=normalise_date(
            _text(study, "results_first_submitted") or _text(study, "firstreceived_results_date")
        ),
        conditions=_texts(study, "condition"),
        mesh_terms=_texts(study, "condition_browse/mesh_term"),
        interventions=tuple(dict.fromkeys(interventions)),
        lead_sponsor=_sponsor(study.find("sponsors/lead_sponsor")),
        collaborators=tuple(s for s in map(_sponsor, study.iterfind("sponsors/collaborator")) if s),
        countries=_texts(study, "location_countries/country"),
        references=tuple(dict.fromkeys(references)),
        has_results=study.find("clinical_results") is not None,
    )


class ClinicalTrialsXmlIngester:
    """Reads legacy ClinicalTrials.gov ``<clinical_study>`` XML, one or more studies per file."""

    name: ClassVar[str] = "clinicaltrials-xml"
    suffixes: ClassVar[tuple[str, ...]] = (".xml",)

    def sniff(self, data: bytes, origin: str) -> bool:
        """Whether ``data`` is XML whose first element is (or wraps) ``<clinical_study>``."""
        head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
        return head.startswith(b"<") and b"<clinical_study" in head

    def records(self, data: bytes, origin: str) -> Iterator[SourceRecord]:
        """Yield one record per ``<clinical_study>``.

        :raises ParseError: for XML that is broken, truncated, declares entities, or holds no study.
        """
        root = parse_safe_xml(data, origin)
        studies = [root] if root.tag == "clinical_study" else list(root.iter("clinical_study"))
        if not studies:
            raise ParseError(
                SourceLocation(origin, root.sourceline),
                f"no <clinical_study> element (the root is <{root.tag}>); "
                "is this ClinicalTrials.gov XML?",
            )
        for index, study in enumerate(studies, start=1):
            nct = _text(study, "id_info/nct_id")
            yield SourceRecord(
                SourceLocation(origin, study.sourceline, record_id=nct or f"#{index}"),
                "clinical_study",
                study,
                ctgov_graph_iri(nct) if nct else _UNIDENTIFIED,
            )

    def to_quads(self, record: SourceRecord) -> Iterator[Quad]:
        """Map one study to quads.

        :raises RecordError: when the study has no valid NCT number.
        """
        if not isinstance(record.data, etree._Element):
            raise RecordError(record.location, "not a <clinical_study> element")
        yield from trial_quads(extract_xml_facts(record.data, record.location))
