"""Where stories came from: one trace per story, and the studies several stories share.

Pure logic apart from :func:`stored_references` (which reads the store through the named
query ``study_references``). Two study references of different stories are one study when
they share an identifier, or when, with both stories dated within :data:`DATE_WINDOW_DAYS`
of each other, they agree on at least two of venue, a person, an institution, a specific
condition and the sample size, one of which is a venue, a person or an institution. A
weaker agreement (one shared venue, person or institution; the same sample size and
condition; or two outside the window or without dates) is recorded as
an ``oc:StudyCandidateMatch`` with its reason, never merged.

>>> a = StudyFeatures("ref-a", "story-a", "2011-08-10", ("NEJM",), ("Michael Kalos",), (), (), ())
>>> b = StudyFeatures("ref-b", "story-b", "2011-08-11", ("NEJM",), ("Dr. Michael Kalos",), (), (), ())
>>> groups, candidates = group_references([a, b])
>>> [sorted(g.references) for g in groups], candidates
([['ref-a', 'ref-b']], [])
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import Any

from pyoxigraph import Literal, NamedNode, Quad

from oncoclaims.extract.names import normalise_name, same_org, same_person
from oncoclaims.extract.origin_mapping import reference_iri
from oncoclaims.extract.study_keys import match_keys
from oncoclaims.extract.study_refs import StudyReference
from oncoclaims.extract.voices import Voice
from oncoclaims.iris import mint_graph_iri, mint_iri
from oncoclaims.vocab import OC, RDF, RDFS

__all__ = [
    "DATE_WINDOW_DAYS",
    "StoryTrace",
    "StudyCandidate",
    "StudyFeatures",
    "StudyGroup",
    "block_keys",
    "evidence_level",
    "features_of",
    "fields_by_node",
    "group_quads",
    "group_references",
    "stored_origin",
    "trace_document",
    "trace_lines",
]

#: Stories further apart than this (in days) never share a study without a shared identifier.
DATE_WINDOW_DAYS = 30


@dataclass(frozen=True, slots=True)
class StoryTrace:
    """One story and where it came from."""

    input: str
    source: str
    source_key: str
    title: str | None
    publisher: str | None
    date: str | None
    studies: tuple[StudyReference, ...]
    voices: tuple[Voice, ...]


@dataclass(frozen=True, slots=True)
class StudyFeatures:
    """What two study references are compared on, and whose story they belong to."""

    reference: str
    source: str
    date: str | None
    venues: tuple[str, ...]
    people: tuple[str, ...]
    institutions: tuple[str, ...]
    identifiers: tuple[str, ...]
    conditions: tuple[str, ...]
    sizes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class StudyGroup:
    """Study references (of different stories) that report one study, and why."""

    study: str
    references: frozenset[str]
    sources: tuple[str, ...]
    reason: str


@dataclass(frozen=True, slots=True)
class StudyCandidate:
    """Two study references that may report one study: recorded, not merged."""

    match: str
    references: tuple[str, str]
    reason: str


@cache
def _levels() -> dict[str, str]:
    from oncoclaims.ontology import ontology_quads

    return {
        q.subject.value.rsplit("#", 1)[-1]: q.object.value.rsplit("#", 1)[-1]
        for q in ontology_quads()
        if q.predicate == OC.evidenceLevel
    }


def evidence_level(design: str | None) -> str | None:
    """The evidence level (``level-*``) the ontology gives the study type ``study-<design>``."""
    return _levels().get(f"study-{design}") if design else None


def features_of(trace: StoryTrace) -> list[StudyFeatures]:
    """The comparable features of each study reference of a story."""
    return [
        StudyFeatures(
            reference_iri(trace.source_key, index).value,
            trace.source,
            trace.date,
            s.venues,
            s.people,
            s.institutions,
            s.identifiers,
            s.conditions,
            (str(s.size),) if s.size is not None else (),
        )
        for index, s in enumerate(trace.studies)
    ]


def _days_apart(a: str | None, b: str | None) -> int | None:
    try:
        return (
            abs((date.fromisoformat(a[:10]) - date.fromisoformat(b[:10])).days) if a and b else None
        )
    except ValueError:
        return None


def _same_venue(a: str, b: str) -> bool:
    """Venues are one only when their names are ("Cancer Research" is not the AACR's annual meeting)."""
    return normalise_name(a) == normalise_name(b)


def _shared(a: StudyFeatures, b: StudyFeatures) -> dict[str, str]:
    """The features two references agree on, each with the value they share."""
    shared: dict[str, str] = {}
    if common := sorted(set(a.identifiers) & set(b.identifiers)):
        shared["identifier"] = common[0]
    for name, left, right, same in (
        ("venue", a.venues, b.venues, _same_venue),
        ("person", a.people, b.people, same_person),
        ("institution", a.institutions, b.institutions, same_org),
        ("condition", a.conditions, b.conditions, lambda x, y: x == y),
    ):
        found = next((x for x in left for y in right if same(x, y)), None)
        if found is not None and (name != "condition" or " " in found):
            shared[name] = found
    if common := sorted(set(a.sizes) & set(b.sizes)):
        shared["size"] = f"{common[0]} participants"
        # With the same size, a one-word condition ("melanoma") is worth naming too.
        if "condition" not in shared and (both := sorted(set(a.conditions) & set(b.conditions))):
            shared["condition"] = both[0]
    return shared


def _names(f: StudyFeatures) -> tuple:
    return (f.identifiers, f.venues, f.people, f.institutions, f.conditions)


def _reason(shared: dict[str, str], days: int | None) -> str:
    parts = [f"same {name} '{value}'" for name, value in shared.items()]
    when = f"stories {days} days apart" if days is not None else "a story's date unknown"
    return ", ".join(parts) + f"; {when}"


def block_keys(f: StudyFeatures) -> set[str]:
    """Keys two references must share one of to be compared at all (so grouping is not quadratic)."""
    return match_keys(
        identifiers=f.identifiers,
        venues=f.venues,
        people=f.people,
        institutions=f.institutions,
        conditions=f.conditions,
        sizes=f.sizes,
    )


def _pairs_to_compare(items: list[StudyFeatures]) -> Iterator[tuple[StudyFeatures, StudyFeatures]]:
    blocks: dict[str, list[int]] = {}
    for index, item in enumerate(items):
        for key in block_keys(item):
            blocks.setdefault(key, []).append(index)
    seen: set[tuple[int, int]] = set()
    for members in blocks.values():
        for i, first in enumerate(members):
            for second in members[i + 1 :]:
                if (first, second) not in seen:
                    seen.add((first, second))
                    yield items[first], items[second]


def group_references(
    features: Iterable[StudyFeatures],
) -> tuple[list[StudyGroup], list[StudyCandidate]]:
    """Join the references that report one study; record weaker agreements as candidates."""
    items = sorted(features, key=lambda f: f.reference)
    parent = {f.reference: f.reference for f in items}
    reasons: dict[str, list[str]] = {}

    def root(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    candidates: list[StudyCandidate] = []
    # references with the same names share the same features with any other (a news cycle
    # repeats them): compare each pair of distinct name sets once
    compared: dict[tuple[tuple, tuple], dict[str, str]] = {}
    verdicts: dict[tuple, tuple[bool, bool, str]] = {}  # (names, dates) -> join, weak, reason
    names = {f.reference: _names(f) for f in items}
    for a, b in _pairs_to_compare(items):
        if a.source == b.source:
            continue
        key = (names[a.reference], names[b.reference])
        shared = compared.get(key)
        if shared is None:
            shared = compared[key] = _shared(a, b)
        if not shared:
            continue
        known = verdicts.get((key, a.date, b.date))
        if known is None:
            days = _days_apart(a.date, b.date)
            strong = {k for k in shared if k not in {"condition", "size"}}
            in_window = days is not None and days <= DATE_WINDOW_DAYS
            join = "identifier" in shared or (in_window and len(shared) >= 2 and bool(strong))
            weak = bool(strong) or len(shared) >= 2
            known = verdicts[key, a.date, b.date] = (join, weak, _reason(shared, days))
        join, weak, reason = known
        if join:
            ra, rb = root(a.reference), root(b.reference)
            if ra != rb:
                parent[max(ra, rb)] = min(ra, rb)
            reasons.setdefault(a.reference, []).append(reason)
        elif weak:
            pair = (a.reference, b.reference)
            candidates.append(StudyCandidate(mint_iri("match", "study", *pair).value, pair, reason))
    members: dict[str, set[str]] = {}
    for f in items:
        members.setdefault(root(f.reference), set()).add(f.reference)
    by_ref = {f.reference: f for f in items}
    groups = []
    for top, refs in sorted(members.items()):
        if len(refs) < 2:
            continue
        identifiers = sorted({i for r in refs for i in by_ref[r].identifiers})
        study = mint_iri("study", identifiers[0] if identifiers else top).value
        why = sorted({reason for r in refs for reason in reasons.get(r, [])})
        groups.append(
            StudyGroup(
                study,
                frozenset(refs),
                tuple(sorted({by_ref[r].source for r in refs})),
                " | ".join(why),
            )
        )
    grouped = {r for g in groups for r in g.references}
    candidates = [
        c
        for c in candidates
        if not (
            c.references[0] in grouped
            and c.references[1] in grouped
            and any(set(c.references) <= g.references for g in groups)
        )
    ]
    return groups, candidates


def group_quads(groups: list[StudyGroup], candidates: list[StudyCandidate]) -> Iterator[Quad]:
    """The ``oc:Study`` nodes and candidate matches, each in a graph of its own (minted from it)."""
    for group in groups:
        graph = mint_graph_iri("study", group.study)
        study = NamedNode(group.study)
        yield Quad(study, RDF.type, OC.Study, graph)
        yield Quad(
            study, RDFS.label, Literal(f"study reported by {len(group.sources)} stories"), graph
        )
        yield Quad(study, OC.matchReason, Literal(group.reason), graph)
        for ref in sorted(group.references):
            yield Quad(NamedNode(ref), OC.refersTo, study, graph)
    for candidate in candidates:
        graph = mint_graph_iri("study", candidate.match)
        match = NamedNode(candidate.match)
        yield Quad(match, RDF.type, OC.StudyCandidateMatch, graph)
        yield Quad(match, RDFS.label, Literal("study candidate match"), graph)
        yield Quad(match, OC.matchReason, Literal(candidate.reason), graph)
        for ref in candidate.references:
            yield Quad(match, OC.candidateStudy, NamedNode(ref), graph)


def fields_by_node(rows: list[dict[str, Any]], kind: str) -> dict[str, dict[str, list[str]]]:
    """The rows of query ``story_origin`` of one ``kind`` (``study`` or ``voice``) as
    ``{node: {field: [values, first seen first]}}``; pure."""
    found: dict[str, dict[str, list[str]]] = {}
    for row in rows:
        if row["kind"].value == kind:
            values = found.setdefault(row["node"].value, {}).setdefault(row["field"].value, [])
            if row["value"].value not in values:
                values.append(row["value"].value)
    return found


def _stored_spans(values: list[str]) -> tuple[tuple[int, int], ...]:
    return tuple(sorted((int(v.split()[0]), int(v.split()[1])) for v in values))


def stored_origin(
    rows: list[dict[str, Any]], source_key: str
) -> tuple[tuple[StudyReference, ...], tuple[Voice, ...]]:
    """The study references (in the order the story gave them) and voices (in the order of their
    first speech) of the story ``source_key``, from the rows of query ``story_origin``; pure.

    What :func:`trace_document` shows of them equals what extraction gave at ingest; the
    rule ids are not read (``rules`` is empty)."""
    studies = fields_by_node(rows, "study")
    order = {reference_iri(source_key, index).value: index for index in range(len(studies))}
    references = []
    for ref in sorted(studies, key=lambda r: (order.get(r, len(order)), r)):
        fields = studies[ref]
        design = fields.get("design", [None])[0]
        size = fields.get("size")
        references.append(
            StudyReference(
                venues=tuple(sorted(fields.get("venue", []))),
                date=fields.get("date", [None])[0],
                people=tuple(sorted(fields.get("people", []))),
                institutions=tuple(sorted(fields.get("institutions", []))),
                funders=tuple(sorted(fields.get("funders", []))),
                identifiers=tuple(sorted(fields.get("identifiers", []))),
                design=design.rsplit("#", 1)[-1].removeprefix("study-") if design else None,
                conditions=tuple(sorted(fields.get("conditions", []))),
                size=int(size[0]) if size else None,
                spans=_stored_spans(fields.get("spans", [])),
                main=order.get(ref) == 0,
            )
        )
    voices = []
    for fields in fields_by_node(rows, "voice").values():
        names = fields.get("name", [])
        label = (fields.get("voice") or [""])[0]
        name = next((n for n in names if label == f"{n} in the story"), max(names, key=len, default=""))
        independent = (fields.get("independent") or [None])[0]
        person = any(k.endswith("#Person") for k in fields.get("kind", []))
        voices.append(
            Voice(
                name,
                "person" if person else "institution",
                spans=_stored_spans(fields.get("spans", [])),
                affiliations=tuple(sorted(fields.get("affiliations", []))),
                role=(fields.get("role") or ["unknown"])[0],
                independent=None if independent is None else independent in {"true", "1"},
                reason=(fields.get("reason") or [""])[0],
            )
        )
    voices.sort(key=_voice_order)
    return tuple(references), tuple(voices)


def _voice_order(voice: Voice) -> tuple:
    return (min(voice.spans) if voice.spans else (1 << 62, 0), voice.name)


def _study_json(
    trace: StoryTrace,
    index: int,
    study: StudyReference,
    groups: list[StudyGroup],
    records: dict[str, str],
) -> dict[str, Any]:
    ref = reference_iri(trace.source_key, index).value
    group = next((g for g in groups if ref in g.references), None)
    record = next((records[i] for i in study.identifiers if i in records), None)
    return {
        "study": group.study if group else ref,
        "venue": "; ".join(sorted(study.venues)) or None,
        "date": study.date,
        "people": sorted(study.people),
        "institutions": sorted(study.institutions),
        "funders": sorted(study.funders),
        "identifiers": sorted(study.identifiers),
        "design": study.design,
        "evidence_level": evidence_level(study.design),
        "record": record,
        "spans": [list(span) for span in sorted(study.spans)],
    }


def trace_document(
    traces: list[StoryTrace], groups: list[StudyGroup], records: dict[str, str] | None = None
) -> dict[str, Any]:
    """The JSON contract of ``oncoclaims trace --json`` (docs/trace.md): studies in the order the
    story gives them, voices in the order of their first speech, names and spans sorted (the
    store keeps sets: a story traced from its file and from its stored source give one document)."""
    records = records or {}
    stories = []
    for trace in traces:
        stories.append(
            {
                "input": trace.input,
                "source": trace.source,
                "title": trace.title,
                "publisher": trace.publisher,
                "studies": [
                    _study_json(trace, i, s, groups, records) for i, s in enumerate(trace.studies)
                ],
                "voices": [
                    {
                        "name": v.name,
                        "affiliations": sorted(v.affiliations),
                        "role": v.role,
                        "independent": v.independent,
                        "reason": v.reason,
                        "spans": [list(span) for span in sorted(v.spans)],
                    }
                    for v in sorted(trace.voices, key=_voice_order)
                ],
            }
        )
    return {
        "stories": stories,
        "shared_studies": [{"study": g.study, "sources": list(g.sources)} for g in groups],
    }


def trace_lines(document: dict[str, Any], titles: dict[str, str] | None = None) -> Iterator[str]:
    """The text view of a trace document, for people."""
    titles = titles or {}
    for story in document["stories"]:
        yield f"{story['title'] or story['input']}"
        yield f"  {story['input']} -> {story['source']}" + (
            f" ({story['publisher']})" if story["publisher"] else ""
        )
        if not story["studies"]:
            yield "  no study reference found"
        for study in story["studies"]:
            level = study["evidence_level"] or "evidence level unknown"
            yield f"  study: {study['venue'] or 'venue not named'}" + (
                f", {study['date']}" if study["date"] else ""
            )
            yield f"    design: {study['design'] or 'not stated'} ({level})"
            for key in ("people", "institutions", "funders", "identifiers"):
                if study[key]:
                    yield f"    {key}: {'; '.join(study[key])}"
            if study["record"]:
                yield f"    record: {study['record']}"
            others = [
                s
                for g in document["shared_studies"]
                if g["study"] == study["study"]
                for s in g["sources"]
                if s != story["source"]
            ]
            for other in others:
                yield f"    same study in: {titles.get(other, other)}"
        if not story["voices"]:
            yield "  no named voice found"
        for voice in story["voices"]:
            mark = {True: "independent", False: "tied", None: "unknown"}[voice["independent"]]
            where = f" ({'; '.join(voice['affiliations'])})" if voice["affiliations"] else ""
            yield f"  [{mark}] {voice['name']}{where}: {voice['role']} - {voice['reason']}"
        yield ""
