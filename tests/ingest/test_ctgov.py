"""ClinicalTrials.gov ingest: API v2 JSON, classic JSON and legacy XML.

Facts in the store are checked against an independent read of the same file with
``json``/``lxml`` here in the test, not against the ingester's own extraction.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from lxml import etree
from pyoxigraph import Literal, NamedNode, Quad

from oncoclaims.errors import FormatError, ParseError, RecordError
from oncoclaims.graph.store import ClaimStore
from oncoclaims.ingest import ingest, ingest_bytes
from oncoclaims.ingest.ctgov_trial import (
    TrialFacts,
    ctgov_graph_iri,
    registration_source_iri,
    results_source_iri,
    study_type_concept,
)
from oncoclaims.ingest.ctgov_values import normalise_date, normalise_phases
from oncoclaims.iris import mint_iri
from oncoclaims.reference import PROVENANCE_GRAPH
from oncoclaims.vocab import CITO, OC, RDF, RDFS

DATA = Path(__file__).parents[1] / "data"
CTGOV = DATA / "ctgov"
BAD = DATA / "bad" / "ctgov"
V2_FILES = sorted((CTGOV / "v2").rglob("*.json"))
CLASSIC_FILES = sorted((CTGOV / "classic").glob("*.json"))
XML_FILES = sorted((CTGOV / "xml").glob("*.xml"))
ALL_FILES = [*V2_FILES, CTGOV / "v2" / "ctrdata-demo.jsonl", *CLASSIC_FILES, *XML_FILES]
FORMATS = {
    "v2": "clinicaltrials-json",
    "classic": "clinicaltrials-classic-json",
    "xml": "clinicaltrials-xml",
}


def _id(path: Path) -> str:
    return str(path.relative_to(CTGOV))


# --- the independent read -------------------------------------------------------------


@dataclass
class Expected:
    """What a file says about one trial, read here without the ingester."""

    phases: set[str] = field(default_factory=set)
    enrollment: int | None = None
    lead: str | None = None
    sponsors: set[str] = field(default_factory=set)
    pmids: set[str] = field(default_factory=set)
    conditions: set[str] = field(default_factory=set)


def _v2_studies(path: Path) -> list[dict[str, Any]]:
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".jsonl":
        return [json.loads(line) for line in text.splitlines() if line.strip()]
    document = json.loads(text)
    return document["studies"] if "studies" in document else [document]


def _read_v2(path: Path) -> dict[str, Expected]:
    out = {}
    for study in _v2_studies(path):
        p = study["protocolSection"]
        sponsors = p.get("sponsorCollaboratorsModule", {})
        lead = sponsors.get("leadSponsor", {}).get("name")
        out[p["identificationModule"]["nctId"]] = Expected(
            phases=set(p.get("designModule", {}).get("phases", [])),
            enrollment=p.get("designModule", {}).get("enrollmentInfo", {}).get("count"),
            lead=lead,
            sponsors={lead} | {c["name"] for c in sponsors.get("collaborators", [])} - {None},
            pmids={
                r["pmid"]
                for r in p.get("referencesModule", {}).get("references", [])
                if "pmid" in r
            },
            conditions=set(p.get("conditionsModule", {}).get("conditions", [])),
        )
    return out


def _read_classic(path: Path) -> dict[str, Expected]:
    out = {}
    for entry in json.loads(path.read_text(encoding="utf-8"))["FullStudiesResponse"]["FullStudies"]:
        p = entry["Study"]["ProtocolSection"]
        sponsors = p["SponsorCollaboratorsModule"]
        lead = sponsors["LeadSponsor"]["LeadSponsorName"]
        collaborators = sponsors.get("CollaboratorList", {}).get("Collaborator", [])
        references = p.get("ReferencesModule", {}).get("ReferenceList", {}).get("Reference", [])
        out[p["IdentificationModule"]["NCTId"]] = Expected(
            phases={
                ph.replace("Phase ", "PHASE")
                for ph in p["DesignModule"].get("PhaseList", {}).get("Phase", [])
            },
            enrollment=int(p["DesignModule"]["EnrollmentInfo"]["EnrollmentCount"]),
            lead=lead,
            sponsors={lead} | {c["CollaboratorName"] for c in collaborators},
            pmids={r["ReferencePMID"] for r in references if "ReferencePMID" in r},
            conditions=set(p["ConditionsModule"]["ConditionList"]["Condition"]),
        )
    return out


def _read_xml(path: Path) -> dict[str, Expected]:
    root = etree.parse(
        str(path), etree.XMLParser(resolve_entities=False, no_network=True)
    ).getroot()
    phase = root.findtext("phase")
    enrollment = root.findtext("enrollment")
    lead = root.findtext("sponsors/lead_sponsor/agency")
    return {
        root.findtext("id_info/nct_id"): Expected(
            phases={part.strip().replace("Phase ", "PHASE") for part in phase.split("/")}
            if phase
            else set(),
            enrollment=int(enrollment) if enrollment else None,
            lead=lead,
            sponsors={lead} | {a.text for a in root.iterfind("sponsors/collaborator/agency")},
            pmids={e.text for e in root.iterfind("reference/PMID")}
            | {e.text for e in root.iterfind("results_reference/PMID")},
            conditions={e.text for e in root.iterfind("condition")},
        )
    }


def _read(path: Path) -> dict[str, Expected]:
    kind = path.relative_to(CTGOV).parts[0]
    return {"v2": _read_v2, "classic": _read_classic, "xml": _read_xml}[kind](path)


# --- reading the store back (quad patterns; query text lives only in queries/) -------


def _objects(store: ClaimStore, subject: NamedNode, predicate: NamedNode) -> set[Any]:
    return {q.object for q in store.quads(subject, predicate, None, None)}


def _values(store: ClaimStore, subject: NamedNode, predicate: NamedNode) -> set[str]:
    return {o.value for o in _objects(store, subject, predicate)}


def _labels(store: ClaimStore, nodes: set[Any]) -> set[str]:
    return {label for node in nodes for label in _values(store, node, RDFS.label)}


def _trial_graph_quads(store: ClaimStore) -> set[Quad]:
    return {q for q in store if q.graph_name != PROVENANCE_GRAPH}


def _ingested(*paths: Path) -> ClaimStore:
    store = ClaimStore.in_memory()
    for path in paths:
        ingest(path, store)
    return store


# --- every sample file ----------------------------------------------------------------


@pytest.mark.parametrize("path", ALL_FILES, ids=_id)
def test_every_sample_gives_the_facts_an_independent_read_finds(path: Path) -> None:
    expected = _read(path)
    store = ClaimStore.in_memory()
    report = ingest(path, store)
    assert report.format == FORMATS[path.relative_to(CTGOV).parts[0]]
    assert report.records == len(expected)
    trials = {q.subject for q in store.quads(None, RDF.type, OC.Evidence, None)}
    assert trials == {mint_iri("trial", nct) for nct in expected}
    for nct, facts in expected.items():
        trial = mint_iri("trial", nct)
        assert _values(store, trial, OC.nctId) == {nct}
        assert _values(store, trial, OC.phase) == facts.phases
        assert _values(store, trial, OC.sampleSize) == (
            {str(facts.enrollment)} if facts.enrollment is not None else set()
        )
        assert _labels(store, _objects(store, trial, OC.sponsor)) == facts.sponsors
        assert _labels(store, _objects(store, trial, OC.leadSponsor)) == {facts.lead}
        assert _values(store, trial, OC.condition) == facts.conditions
        registration = registration_source_iri(nct)
        linked = _objects(store, trial, OC.reportedIn) | _objects(store, registration, CITO.cites)
        pmids = {pmid for node in linked for pmid in _values(store, node, OC.pmid)}
        assert pmids == facts.pmids
        assert {q.graph_name for q in store.quads(trial, None, None, None)} == {
            ctgov_graph_iri(nct)
        }


@pytest.mark.parametrize("path", ALL_FILES, ids=_id)
def test_reingesting_same_file_changes_nothing(path: Path) -> None:
    store = _ingested(path)
    before = len(store)
    report = ingest(path, store)
    assert report.quads_added == 0
    assert len(store) == before


def test_reference_types_keep_their_meaning() -> None:
    store = _ingested(CTGOV / "v2" / "ctrdata-demo" / "NCT01305200.json")
    study = json.loads(
        (CTGOV / "v2" / "ctrdata-demo" / "NCT01305200.json").read_text(encoding="utf-8")
    )
    references = study["protocolSection"]["referencesModule"]["references"]
    trial, registration = mint_iri("trial", "NCT01305200"), registration_source_iri("NCT01305200")
    for reference in (r for r in references if "pmid" in r):
        publication = mint_iri("pubmed", reference["pmid"])
        assert publication.value == f"https://w3id.org/oncoclaims/id/pubmed/{reference['pmid']}"
        cited = publication in _objects(store, registration, CITO.cites)
        reported = publication in _objects(store, trial, OC.reportedIn)
        assert (cited, reported) == (
            (True, False) if reference["type"] == "BACKGROUND" else (False, True)
        )


def test_terminated_phase_2_3_trial_with_results() -> None:
    path = CTGOV / "v2" / "ctrdata-demo" / "NCT03275402.json"
    status = json.loads(path.read_text(encoding="utf-8"))["protocolSection"]["statusModule"]
    store = _ingested(path)
    trial = mint_iri("trial", "NCT03275402")
    assert _values(store, trial, OC.whyStopped) == {status["whyStopped"]}
    assert _values(store, trial, OC.overallStatus) == {"TERMINATED"}
    assert _objects(store, trial, OC.studyType) == {
        OC["study-phase-2"]
    }  # the lower of PHASE2/PHASE3
    assert _values(store, trial, OC.sampleSizeType) == {"actual"}
    assert _objects(store, trial, OC.population) == {OC["population-humans"]}
    assert _objects(store, trial, OC.hasResults) == {Literal(True)}
    assert _objects(store, results_source_iri("NCT03275402"), OC.sourceType) == {
        OC["source-trial-results"]
    }
    assert results_source_iri("NCT03275402") in _objects(store, trial, OC.reportedIn)


def test_jsonl_gives_the_same_trials_as_the_single_files() -> None:
    singles = _ingested(*sorted((CTGOV / "v2" / "ctrdata-demo").glob("*.json")))
    lines = _ingested(CTGOV / "v2" / "ctrdata-demo.jsonl")
    assert _trial_graph_quads(lines) == _trial_graph_quads(singles)


# --- identity across formats and fields=-limited records -----------------------------

SINGLE_VALUED = (
    OC.studyType,
    OC.sampleSize,
    OC.sampleSizeType,
    OC.overallStatus,
    OC.startDate,
    OC.completionDate,
    OC.hasResults,
    OC.allocation,
    RDFS.label,
)


def test_same_trial_from_classic_json_and_xml_is_one_node_with_the_same_facts() -> None:
    classic, xml = CLASSIC_FILES[0], CTGOV / "xml" / "NCT00023673.xml"
    both = _ingested(classic, xml)
    trial = mint_iri("trial", "NCT00023673")
    assert {q.subject for q in both.quads(None, RDF.type, OC.Evidence, None)} == {trial}
    for predicate in SINGLE_VALUED:
        assert len(_objects(both, trial, predicate)) == 1, predicate
    # The 2018 XML adds nothing the 2023 classic JSON did not already say.
    assert _trial_graph_quads(_ingested(xml)) <= _trial_graph_quads(_ingested(classic))
    assert _trial_graph_quads(both) == _trial_graph_quads(_ingested(classic))


# The fields biomcp asked for (see tests/data/README.md), as API v2 returns them.
_LIMITED_FIELDS = {
    "identificationModule": ("nctId", "briefTitle"),
    "statusModule": ("overallStatus", "startDateStruct", "completionDateStruct"),
    "sponsorCollaboratorsModule": ("leadSponsor",),
    "conditionsModule": ("conditions",),
    "designModule": ("studyType", "phases", "enrollmentInfo"),
    "armsInterventionsModule": ("interventions",),
}


def _limit(study: dict[str, Any]) -> dict[str, Any]:
    protocol: dict[str, Any] = {}
    for module, keys in _LIMITED_FIELDS.items():
        source = study["protocolSection"].get(module, {})
        kept = {k: source[k] for k in keys if k in source}
        for key in ("startDateStruct", "completionDateStruct"):
            if key in kept:
                kept[key] = {"date": kept[key]["date"]}
        if "enrollmentInfo" in kept:
            kept["enrollmentInfo"] = {"count": kept["enrollmentInfo"]["count"]}
        if "leadSponsor" in kept:
            kept["leadSponsor"] = {"name": kept["leadSponsor"]["name"]}
        if "interventions" in kept:
            kept["interventions"] = [{"name": i["name"]} for i in kept["interventions"]]
        if kept:
            protocol[module] = kept
    return {"protocolSection": protocol}


FULL_V2 = [p for p in V2_FILES if "biomcp" not in p.parts]


@pytest.mark.parametrize("path", FULL_V2, ids=_id)
def test_fields_limited_record_never_contradicts_or_erases_a_full_one(path: Path) -> None:
    full = _ingested(path)
    limited = json.dumps(_limit(json.loads(path.read_text(encoding="utf-8")))).encode()
    alone = ClaimStore.in_memory()
    ingest_bytes(limited, "limited.json", alone)
    assert _trial_graph_quads(alone) <= _trial_graph_quads(full)
    before = _trial_graph_quads(full)
    ingest_bytes(limited, "limited.json", full)
    assert _trial_graph_quads(full) == before


def test_fields_limited_record_gives_no_study_type_it_cannot_know() -> None:
    assert (
        study_type_concept(TrialFacts("NCT00000000", study_type="INTERVENTIONAL", phases=("NA",)))
        is None
    )
    assert study_type_concept(TrialFacts("NCT00000000", study_type="INTERVENTIONAL")) is None
    assert (
        study_type_concept(
            TrialFacts(
                "NCT00000000", study_type="INTERVENTIONAL", phases=("NA",), allocation="RANDOMIZED"
            )
        )
        == "study-randomised-controlled"
    )
    assert (
        study_type_concept(TrialFacts("NCT00000000", phases=("PHASE1", "PHASE2")))
        == "study-phase-1"
    )
    assert (
        study_type_concept(TrialFacts("NCT00000000", study_type="OBSERVATIONAL"))
        == "study-observational"
    )
    assert (
        study_type_concept(TrialFacts("NCT00000000", study_type="EXPANDED_ACCESS")) == "study-other"
    )


# --- bad input ------------------------------------------------------------------------


def _with_nothing_written(store: ClaimStore, path: Path, error: type[Exception]) -> Any:
    before = set(store)
    with pytest.raises(error) as caught:
        ingest(path, store)
    assert set(store) == before
    return caught.value


@pytest.mark.parametrize(
    ("name", "error", "line", "column", "record", "words"),
    [
        ("invalid.json", ParseError, 5, 7, None, "invalid JSON"),
        ("truncated.json", ParseError, None, None, None, "truncated"),
        ("not-utf8.json", ParseError, None, None, None, "not UTF-8"),
        ("broken-line.jsonl", ParseError, 2, None, None, "truncated"),
        ("missing-nct-page.json", RecordError, 3, None, "#1", "nctId"),
        ("truncated.xml", ParseError, None, None, None, "truncated"),
        ("missing-nct.xml", RecordError, 2, None, "#1", "nct_id"),
        ("entity-bomb.xml", ParseError, 3, None, None, "entities"),
        ("external-entity.xml", ParseError, 3, None, None, "entities"),
    ],
)
def test_bad_input_names_its_place_and_writes_nothing(
    store: ClaimStore,
    name: str,
    error: type[Exception],
    line: int | None,
    column: int | None,
    record: str | None,
    words: str,
) -> None:
    exc = _with_nothing_written(store, BAD / name, error)
    location = exc.location
    assert location.file == str(BAD / name)
    if line is not None:
        assert location.line == line
    else:
        assert location.line is None or location.line >= 1
    if column is not None:
        assert location.column == column
    assert location.record_id == record
    assert words in str(exc)


def test_parse_errors_point_at_the_broken_byte() -> None:
    raw = (BAD / "not-utf8.json").read_bytes()
    offset = raw.index(b"\xb3")
    with pytest.raises(ParseError) as caught:
        ingest(BAD / "not-utf8.json", ClaimStore.in_memory())
    assert caught.value.location.line == raw.count(b"\n", 0, offset) + 1
    truncated = (BAD / "truncated.json").read_text(encoding="utf-8")
    with pytest.raises(ParseError) as caught:
        ingest(BAD / "truncated.json", ClaimStore.in_memory())
    assert caught.value.location.line == truncated.count("\n") + 1


def test_keep_going_skips_the_study_without_nct_and_keeps_the_rest(store: ClaimStore) -> None:
    report = ingest(BAD / "missing-nct-page.json", store, keep_going=True)
    page = json.loads((BAD / "missing-nct-page.json").read_text(encoding="utf-8"))
    kept = page["studies"][1]["protocolSection"]["identificationModule"]["nctId"]
    assert (report.records, report.skipped) == (1, 1)
    assert any("#1" in warning for warning in report.warnings)
    assert {q.subject for q in store.quads(None, RDF.type, OC.Evidence, ctgov_graph_iri(kept))} == {
        mint_iri("trial", kept)
    }


def test_a_page_with_more_to_fetch_says_so() -> None:
    report = ingest(
        CTGOV / "v2" / "biomcp" / "search_keytruda_limit3_20260811.json", ClaimStore.in_memory()
    )
    assert any("nextPageToken" in warning for warning in report.warnings)


def _quads_of(path: Path) -> Iterator[Quad]:
    store = _ingested(path)
    yield from _trial_graph_quads(store)


def test_trial_iri_is_the_nct_number() -> None:
    assert re.fullmatch(
        r"https://w3id\.org/oncoclaims/id/trial/NCT\d{8}", mint_iri("trial", "nct00023673").value
    )
    subjects = {
        q.subject for q in _quads_of(CTGOV / "xml" / "NCT00023673.xml") if q.predicate == RDF.type
    }
    assert mint_iri("trial", "NCT00023673") in subjects


def test_all_samples_together_give_one_value_per_single_valued_fact() -> None:
    store = _ingested(*ALL_FILES)
    for predicate in SINGLE_VALUED:
        values: dict[Any, set[Any]] = {}
        for q in store.quads(None, predicate, None, None):
            values.setdefault(q.subject, set()).add(q.object)
        clashes = {s.value: v for s, v in values.items() if len(v) > 1}
        assert not clashes, predicate


def test_sponsor_class_other_gives_no_institution_kind() -> None:
    xml = CTGOV / "xml" / "NCT00023673.xml"
    root = etree.parse(str(xml), etree.XMLParser(no_network=True)).getroot()
    assert root.findtext("sponsors/lead_sponsor/agency_class") == "Other"
    store = _ingested(xml)
    trial = mint_iri("trial", root.findtext("id_info/nct_id"))
    (lead,) = _objects(store, trial, OC.leadSponsor)
    assert _objects(store, lead, RDFS.label) == {Literal(root.findtext("sponsors/lead_sponsor/agency"))}
    (nci,) = _objects(store, trial, OC.sponsor) - {lead}
    assert _objects(store, nci, RDFS.label) == {Literal(root.findtext("sponsors/collaborator/agency"))}
    assert _objects(store, lead, OC.institutionKind) == set()
    assert _objects(store, nci, OC.institutionKind) == {OC["kind-government-agency"]}


def test_studies_of_a_page_know_their_line() -> None:
    from oncoclaims.ingest import INGESTERS

    path = CTGOV / "v2" / "biomcp" / "search_keytruda_limit3_20260811.json"
    text = path.read_text(encoding="utf-8")
    nct_lines = [n for n, line in enumerate(text.splitlines(), start=1) if '"nctId"' in line]
    records = list(INGESTERS["clinicaltrials-json"].records(path.read_bytes(), str(path)))
    starts = [r.location.line for r in records]
    assert len(starts) == len(nct_lines) == 3
    previous = 0
    for start, nct_line in zip(starts, nct_lines, strict=True):
        assert start is not None and previous < start < nct_line
        previous = nct_line


def test_empty_file_is_refused_as_empty(store: ClaimStore) -> None:
    exc = _with_nothing_written(store, BAD / "empty.json", FormatError)
    assert "empty" in str(exc)


@pytest.mark.parametrize(
    ("path", "fmt", "error"),
    [
        (CTGOV / "classic" / "NCT00023673.json", "clinicaltrials-json", RecordError),
        (CTGOV / "v2" / "aact" / "NCT00973089.json", "clinicaltrials-classic-json", ParseError),
        (CTGOV / "v2" / "aact" / "NCT00973089.json", "clinicaltrials-xml", ParseError),
    ],
    ids=["classic-as-v2", "v2-as-classic", "json-as-xml"],
)
def test_wrong_format_named_fails_cleanly(
    store: ClaimStore, path: Path, fmt: str, error: type[Exception]
) -> None:
    before = set(store)
    with pytest.raises(error) as caught:
        ingest(path, store, fmt=fmt)
    assert caught.value.location.file == str(path)
    assert set(store) == before


def test_xml_with_an_external_dtd_is_read_without_fetching_it() -> None:
    path = CTGOV / "xml" / "NCT03133988.xml"
    raw = path.read_bytes()
    declaration, rest = raw.split(b"\n", 1)
    doctype = b'<!DOCTYPE clinical_study SYSTEM "http://127.0.0.1:9/none.dtd">'
    with_dtd = declaration + b"\n" + doctype + b"\n" + rest
    store = ClaimStore.in_memory()
    ingest_bytes(with_dtd, "with-dtd.xml", store)
    assert _trial_graph_quads(store) == _trial_graph_quads(_ingested(path))


@given(st.dates(min_value=date(1990, 1, 1), max_value=date(2040, 12, 31)))
def test_dates_spelled_for_people_normalise_to_the_iso_form(day: date) -> None:
    assert normalise_date(f"{day:%B} {day.day}, {day.year}") == day.isoformat()
    assert normalise_date(f"{day:%B %Y}") == day.isoformat()[:7]
    assert normalise_date(day.isoformat()) == day.isoformat()


@given(st.lists(st.sampled_from(["1", "2", "3", "4"]), min_size=1, max_size=2, unique=True))
def test_xml_phase_spelling_normalises_to_the_v2_enumeration(numbers: list[str]) -> None:
    xml_spelling = "/".join(f"Phase {n}" for n in sorted(numbers))
    assert normalise_phases([xml_spelling]) == tuple(f"PHASE{n}" for n in sorted(numbers))
    v2_spelling = [f"PHASE{n}" for n in sorted(numbers)]
    assert normalise_phases(v2_spelling) == normalise_phases([xml_spelling])


def test_a_list_of_studies_and_a_wrapper_of_clinical_studies_are_read_whole() -> None:
    singles = [CTGOV / "v2" / "aact" / name for name in ("NCT00973089.json", "NCT03475563.json")]
    listed = json.dumps([json.loads(p.read_text(encoding="utf-8")) for p in singles]).encode()
    store = ClaimStore.in_memory()
    assert ingest_bytes(listed, "list.json", store).records == 2
    assert _trial_graph_quads(store) == _trial_graph_quads(_ingested(*singles))

    xmls = [CTGOV / "xml" / "NCT03133988.xml", CTGOV / "xml" / "NCT03459976.xml"]
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    wrapper = etree.Element("search_results")
    for path in xmls:
        wrapper.append(etree.parse(str(path), parser).getroot())
    store = ClaimStore.in_memory()
    assert ingest_bytes(etree.tostring(wrapper), "wrapped.xml", store).records == 2
    assert _trial_graph_quads(store) == _trial_graph_quads(_ingested(*xmls))
