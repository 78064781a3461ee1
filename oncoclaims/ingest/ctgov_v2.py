"""ClinicalTrials.gov API v2 JSON: one study, a ``/studies`` page, a list, or JSON Lines.

A study is ``{"protocolSection": {...}, "derivedSection": {...}, "hasResults": ...}``
(https://clinicaltrials.gov/data-api/api). A ``/studies`` page wraps studies as
``{"studies": [...], "nextPageToken": ..., "totalCount": ...}``; JSON Lines holds one
study per line. Records captured with ``fields=`` hold only some modules: what they
leave out maps to nothing (see :mod:`oncoclaims.ingest.ctgov_trial`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any, ClassVar

from pyoxigraph import Quad

from oncoclaims.errors import ParseError, RecordError, SourceLocation
from oncoclaims.ingest.base import SourceRecord
from oncoclaims.ingest.ctgov_trial import (
    Intervention,
    PrimaryResult,
    Reference,
    ResultGroup,
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
from oncoclaims.ingest.json_input import decode_text, is_json_lines, iter_json_lines, load_json
from oncoclaims.iris import mint_graph_iri

__all__ = ["ClinicalTrialsJsonIngester", "extract_v2_facts"]

_FORMAT = "ClinicalTrials.gov API v2 JSON"
_NCT_PATH = "protocolSection.identificationModule.nctId"
#: The graph of a record that has no NCT number; never written, as such a record is refused.
_UNIDENTIFIED = mint_graph_iri("ctgov", "unidentified")


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _texts(values: Any) -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for value in _list(values):
        text = clean_text(value) if not isinstance(value, (dict, list)) else None
        if text:
            seen.setdefault(text)
    return tuple(seen)


def _sponsor(raw: Any) -> Sponsor | None:
    name = clean_text(_dict(raw).get("name"))
    return Sponsor(name, normalise_sponsor_class(raw.get("class"))) if name else None


def _enrollment(raw: Any) -> int | None:
    count = _dict(raw).get("count")
    if isinstance(count, bool):
        return None
    if isinstance(count, int):
        return count
    text = clean_text(count)
    return int(text) if text and text.isdigit() else None


def extract_v2_facts(study: dict[str, Any], location: SourceLocation) -> TrialFacts:
    """Read the facts of one API v2 study; pure.

    :raises RecordError: when the study has no valid NCT number.
    """
    protocol = _dict(study.get("protocolSection"))
    identification = _dict(protocol.get("identificationModule"))
    nct = check_nct_id(identification.get("nctId"), location, _NCT_PATH, _FORMAT)
    status = _dict(protocol.get("statusModule"))
    design = _dict(protocol.get("designModule"))
    sponsors = _dict(protocol.get("sponsorCollaboratorsModule"))
    derived = _dict(study.get("derivedSection"))
    phases = design.get("phases")
    interventions = []
    for raw in _list(_dict(protocol.get("armsInterventionsModule")).get("interventions")):
        name = clean_text(_dict(raw).get("name"))
        if name:
            interventions.append(
                Intervention(name, normalise_enum(raw.get("type")), _texts(raw.get("otherNames")))
            )
    references = []
    for raw in _list(_dict(protocol.get("referencesModule")).get("references")):
        pmid = clean_text(_dict(raw).get("pmid"))
        if pmid and pmid.isdigit():
            references.append(Reference(pmid, normalise_enum(raw.get("type"))))
    locations = _list(_dict(protocol.get("contactsLocationsModule")).get("locations"))
    has_results = study.get("hasResults")
    return TrialFacts(
        nct_id=nct,
        title=clean_text(identification.get("briefTitle")),
        study_type=normalise_study_type(design.get("studyType")),
        phases=normalise_phases(phases) if isinstance(phases, list) else None,
        allocation=normalise_enum(_dict(design.get("designInfo")).get("allocation")),
        enrollment=_enrollment(design.get("enrollmentInfo")),
        enrollment_type=normalise_enrollment_type(_dict(design.get("enrollmentInfo")).get("type")),
        overall_status=normalise_enum(status.get("overallStatus")),
        why_stopped=clean_text(status.get("whyStopped")),
        start_date=normalise_date(_dict(status.get("startDateStruct")).get("date")),
        completion_date=normalise_date(_dict(status.get("completionDateStruct")).get("date")),
        first_submitted=normalise_date(status.get("studyFirstSubmitDate")),
        results_first_submitted=normalise_date(status.get("resultsFirstSubmitDate")),
        conditions=_texts(_dict(protocol.get("conditionsModule")).get("conditions")),
        mesh_terms=_texts(
            [
                _dict(m).get("term")
                for m in _list(_dict(derived.get("conditionBrowseModule")).get("meshes"))
            ]
        ),
        interventions=tuple(dict.fromkeys(interventions)),
        lead_sponsor=_sponsor(sponsors.get("leadSponsor")),
        collaborators=tuple(s for s in map(_sponsor, _list(sponsors.get("collaborators"))) if s),
        countries=_texts([_dict(loc).get("country") for loc in locations]),
        references=tuple(dict.fromkeys(references)),
        has_results=has_results if isinstance(has_results, bool) else None,
        primary_results=_primary_results(study),
    )


def _estimate(analysis: dict[str, Any]) -> str | None:
    kind, value = clean_text(analysis.get("paramType")), clean_text(analysis.get("paramValue"))
    if not value:
        return None
    text = f"{kind} {value}" if kind else value
    low, high = clean_text(analysis.get("ciLowerLimit")), clean_text(analysis.get("ciUpperLimit"))
    if low and high:
        pct = clean_text(analysis.get("ciPctValue"))
        text += f" ({pct + '% ' if pct else ''}CI {low} to {high})"
    return text


def _primary_results(study: dict[str, Any]) -> tuple[PrimaryResult, ...]:
    """The statistical analyses of the primary outcomes the posted results state."""
    found = []
    module = _dict(_dict(study.get("resultsSection")).get("outcomeMeasuresModule"))
    for measure in map(_dict, _list(module.get("outcomeMeasures"))):
        outcome = clean_text(measure.get("title"))
        if measure.get("type") != "PRIMARY" or not outcome:
            continue
        groups = {g.get("id"): g for g in map(_dict, _list(measure.get("groups")))}
        values: dict[str, str] = {}  # the first value stated for each group
        for klass in map(_dict, _list(measure.get("classes"))):
            for category in map(_dict, _list(klass.get("categories"))):
                for measurement in map(_dict, _list(category.get("measurements"))):
                    value = clean_text(measurement.get("value"))
                    if value and measurement.get("groupId") not in values:
                        values[measurement.get("groupId")] = value
        for number, analysis in enumerate(map(_dict, _list(measure.get("analyses"))), 1):
            compared = tuple(
                ResultGroup(clean_text(groups[g].get("title")) or str(g), clean_text(groups[g].get("description")),
                            values.get(g))
                for g in _list(analysis.get("groupIds")) if g in groups)
            found.append(PrimaryResult(
                outcome=outcome, number=number, groups=compared, unit=clean_text(measure.get("unitOfMeasure")),
                p_value=clean_text(analysis.get("pValue")), method=clean_text(analysis.get("statisticalMethod")),
                estimate=_estimate(analysis)))
    return tuple(found)


_STUDY_START = re.compile(r'\{\s*"protocolSection"')


def _study_lines(text: str, count: int) -> list[int | None]:
    """The line each study starts on, when every study opens with ``protocolSection`` as API v2
    writes them; otherwise (keys re-sorted, say) unknown."""
    if count == 1 and not text.lstrip().startswith("["):
        return [1]
    starts = [m.start() for m in _STUDY_START.finditer(text)]
    if len(starts) != count:
        return [None] * count
    lines: list[int | None] = []
    line, previous = 1, 0
    for start in starts:
        line += text.count("\n", previous, start)
        previous = start
        lines.append(line)
    return lines


class ClinicalTrialsJsonIngester:
    """Reads ClinicalTrials.gov API v2 JSON: a study, a ``/studies`` page, a list, or JSON Lines."""

    name: ClassVar[str] = "clinicaltrials-json"
    suffixes: ClassVar[tuple[str, ...]] = (".json", ".jsonl", ".ndjson")

    def sniff(self, data: bytes, origin: str) -> bool:
        """Whether ``data`` is JSON with a ``protocolSection`` near its start."""
        head = data[:65536].lstrip(b"\xef\xbb\xbf \t\r\n")
        return head.startswith((b"{", b"[")) and b'"protocolSection"' in head

    def records(self, data: bytes, origin: str) -> Iterator[SourceRecord]:
        """Yield one record per study.

        :raises ParseError: for text that is not UTF-8 or not JSON, or JSON of another shape.
        """
        text = decode_text(data, origin)
        if is_json_lines(text):
            for index, (line, study) in enumerate(iter_json_lines(text, origin), start=1):
                yield self._record(study, SourceLocation(origin, line), index, ())
            return
        document = load_json(text, origin)
        warnings: tuple[str, ...] = ()
        if isinstance(document, dict) and "studies" in document:
            studies = _list(document["studies"])
            token = document.get("nextPageToken")
            if token:
                total = document.get("totalCount")
                of_total = f" of {total}" if total is not None else ""
                warnings = (
                    f"this is one page ({len(studies)} studies{of_total}); more pages follow "
                    f"(nextPageToken {token!r}); fetch and ingest them too for the whole result",
                )
        elif isinstance(document, dict):
            studies = [document]
        elif isinstance(document, list):
            studies = document
        else:
            raise ParseError(
                SourceLocation(origin, 1),
                f"expected a study object or a /studies page, not {type(document).__name__}",
            )
        lines = _study_lines(text, len(studies))
        for index, study in enumerate(studies, start=1):
            yield self._record(
                study, SourceLocation(origin, lines[index - 1]), index, warnings
            )
            warnings = ()

    def _record(
        self, study: Any, where: SourceLocation, index: int, warnings: tuple[str, ...]
    ) -> SourceRecord:
        nct = clean_text(
            _dict(_dict(_dict(study).get("protocolSection")).get("identificationModule")).get(
                "nctId"
            )
        )
        location = SourceLocation(where.file, where.line, record_id=nct or f"#{index}")
        graph = ctgov_graph_iri(nct) if nct else _UNIDENTIFIED
        return SourceRecord(location, "study", study, graph, warnings)

    def to_quads(self, record: SourceRecord) -> Iterator[Quad]:
        """Map one study to quads.

        :raises RecordError: when the study is not an object or has no valid NCT number.
        """
        if not isinstance(record.data, dict):
            raise RecordError(record.location, "a study must be a JSON object")
        yield from trial_quads(extract_v2_facts(record.data, record.location))
