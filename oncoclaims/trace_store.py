"""The store side of ``oncoclaims trace``: ingest a story if new, read it back, group studies.

Reads go through the named queries ``study_references``, ``record_exists`` and
``source_story``; the pure parts (traces, grouping, the JSON document) are in
:mod:`oncoclaims.trace`.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

from pyoxigraph import NamedNode

from oncoclaims import queries
from oncoclaims.errors import ConfigError
from oncoclaims.extract.language import detect_language
from oncoclaims.extract.origin_mapping import record_iri
from oncoclaims.graph.store import ClaimStore
from oncoclaims.ingest import ingest
from oncoclaims.ingest.base import SourceRecord
from oncoclaims.ingest.news import article_digest, find_origin
from oncoclaims.iris import mint_graph_iri, mint_iri
from oncoclaims.trace import (
    StoryTrace,
    StudyCandidate,
    StudyFeatures,
    StudyGroup,
    block_keys,
    group_quads,
    group_references,
    stored_origin,
)

__all__ = [
    "BATCH_REGROUPS",
    "existing_records",
    "refresh_study_groups",
    "stored_features",
    "trace_input",
    "update_study_groups",
]

_NEWS_FORMATS = ("news-fakehealth-json", "news-html", "news-text", "news-submission-json")


@lru_cache(maxsize=32)
def _language(text: str) -> str:
    return detect_language(text)


def trace_input(store: ClaimStore, name: str) -> StoryTrace:
    """Ingest the story file ``name`` (nothing changes when it is in the store already) and trace
    it; or trace the source IRI ``name`` the store holds.

    :raises ConfigError: for an IRI the store holds no text of, or a file that is not a news story.
    :raises IngestError: for a file that cannot be read as a story (nothing is written).
    """
    if name.startswith(("http://", "https://")) and not Path(name).exists():
        rows = queries.select(store, "source_story", source=name)
        if not rows:
            raise ConfigError(
                f"{name}: the store holds no source with this IRI and a text; "
                "ingest the story first, or give its file"
            )
        row = rows[0]
        # the stored study references and voices: the text is not read for them again
        text = row["text"].value
        key = "news:" + article_digest(text)
        origin = queries.select(store, "story_origin", source=name)
        if origin:
            studies, voices = stored_origin(origin, key)
        else:  # nothing stored: none found, or ingested before study references were read
            found = find_origin(text, _language(text))
            studies, voices = found.studies, found.voices
        return StoryTrace(
            name,
            name,
            key,
            row["title"].value if "title" in row else None,
            row["publisher"].value if "publisher" in row else None,
            row["date"].value if "date" in row else None,
            studies,
            voices,
        )
    records: list[SourceRecord] = []
    report = ingest(Path(name), store, on_record=records.append)
    if report.format not in _NEWS_FORMATS:
        raise ConfigError(
            f"{name}: read as {report.format}, not a news story; trace reads news stories "
            f"({', '.join(_NEWS_FORMATS)}) — the file was ingested as {report.format}"
        )
    # what ingest read and wrote: the story is not read or searched a second time
    article, _extraction, digest, origin = records[0].data
    key = "news:" + digest
    return StoryTrace(
        name,
        mint_iri("source", key).value,
        key,
        article.title,
        article.publisher,
        article.date,
        origin.studies,
        origin.voices,
    )


def _features(rows: list[dict]) -> list[StudyFeatures]:
    found: dict[str, dict] = {}
    for row in rows:
        ref = row["ref"].value
        item = found.setdefault(
            ref,
            {
                "source": row["source"].value,
                "date": row["date"].value if "date" in row else None,
                "venue": [],
                "person": [],
                "institution": [],
                "identifier": [],
                "condition": [],
                "size": [],
            },
        )
        if "kind" in row and row["value"].value not in item[row["kind"].value]:
            item[row["kind"].value].append(row["value"].value)
    return [
        StudyFeatures(
            ref,
            i["source"],
            i["date"],
            tuple(i["venue"]),
            tuple(i["person"]),
            tuple(i["institution"]),
            tuple(i["identifier"]),
            tuple(i["condition"]),
            tuple(i["size"]),
        )
        for ref, i in found.items()
    ]


def stored_features(store: ClaimStore) -> list[StudyFeatures]:
    """The features of every study reference in the store (query ``study_references``)."""
    return _features(queries.select(store, "study_references"))


def existing_records(store: ClaimStore, identifiers: list[str]) -> dict[str, str]:
    """identifier -> IRI of the record the store holds for it (NCT trials, PubMed articles)."""
    records = {}
    for identifier in identifiers:
        record = record_iri(identifier)
        if record is not None and queries.select(store, "record_exists", record=record.value):
            records[identifier] = record.value
    return records


#: More new stories than this (a bulk trace) are grouped by reading every reference in one
#: query, which costs less than a few queries per new reference.
BATCH_REGROUPS = 100

_STUDY_GRAPHS = mint_graph_iri("study", "x").value.rsplit("/", 1)[0] + "/"


def _write_groups(
    store: ClaimStore, features: list[StudyFeatures]
) -> tuple[list[StudyGroup], list[StudyCandidate]]:
    """Group all of the store's references and rewrite every study graph."""
    groups, candidates = group_references(features)
    quads = list(group_quads(groups, candidates))
    wanted = {q.graph_name for q in quads}
    for graph in store.named_graphs():
        stale = isinstance(graph, NamedNode) and graph.value.startswith(_STUDY_GRAPHS)
        if stale and graph not in wanted:
            store.remove_graph(graph)
    store.extend(quads)
    return groups, candidates


def refresh_study_groups(store: ClaimStore) -> tuple[list[StudyGroup], list[StudyCandidate]]:
    """Group every study reference in the store and write the ``oc:Study`` nodes and candidate
    matches, replacing the study graphs of an earlier grouping. Returns (groups, candidates).

    Reads and compares every reference; :func:`update_study_groups` is the incremental way."""
    return _write_groups(store, stored_features(store))


def _involving(
    found: tuple[list[StudyGroup], list[StudyCandidate]], refs: set[str]
) -> tuple[list[StudyGroup], list[StudyCandidate]]:
    groups, candidates = found
    return (
        [g for g in groups if refs & g.references],
        [c for c in candidates if refs & set(c.references)],
    )


def update_study_groups(
    store: ClaimStore, sources: Iterable[str]
) -> tuple[list[StudyGroup], list[StudyCandidate]]:
    """Group the study references of ``sources`` (stories just ingested) with those of the store.

    Only the references that share an ``oc:matchKey`` with theirs are compared (query
    ``study_key_references``), with the other members of the studies those belong to
    (``study_group_of``); the study graphs of those are rewritten. The store ends as
    :func:`refresh_study_groups` would leave it, without reading every reference (a store
    with references ingested before the keys were written, or a batch of more than
    :data:`BATCH_REGROUPS` stories, is regrouped whole). Returns the
    groups and candidate matches that involve a reference of ``sources``.
    """
    wanted_sources = set(sources)
    if len(wanted_sources) > BATCH_REGROUPS or queries.select(store, "unkeyed_study_references"):
        every = stored_features(store)
        new = {f.reference for f in every if f.source in wanted_sources}
        return _involving(_write_groups(store, every), new)
    features: dict[str, StudyFeatures] = {}
    for source in sorted(wanted_sources):
        for f in _features(queries.select(store, "study_references", source=source)):
            features[f.reference] = f
    new = set(features)
    keys: set[str] = set()
    for f in features.values():
        keys |= block_keys(f)
    seen = set(new)
    for key in sorted(keys):
        seen.update(row["ref"].value for row in queries.select(store, "study_key_references", key=key))
    old_studies: set[str] = set()
    component: dict[str, str] = {}  # reference -> its study before (else itself)
    pending = sorted(seen)
    while pending:  # the members of the studies these belong to
        ref = pending.pop()
        for row in queries.select(store, "study_group_of", ref=ref):
            member, study = row["member"].value, row["study"].value
            old_studies.add(study)
            component[member] = study
            if member not in seen:
                seen.add(member)
                pending.append(member)
    for ref in sorted(seen - new):
        for f in _features(queries.select(store, "study_references", ref=ref)):
            features[f.reference] = f
    found = group_references(features.values())
    for study in old_studies:
        store.remove_graph(mint_graph_iri("study", study))
    for group in found[0]:
        # a candidate match between two studies (or references) this one has now joined
        # is not one any more; any other old candidate stands, as grouping all would find it
        parts: dict[str, list[str]] = {}
        for ref in sorted(group.references - new):
            parts.setdefault(component.get(ref, ref), []).append(ref)
        if len(parts) < 2:
            continue
        olds = sorted(group.references - new)
        for i, first in enumerate(olds):
            for second in olds[i + 1 :]:
                if component.get(first, first) != component.get(second, second):
                    match = mint_iri("match", "study", first, second).value
                    store.remove_graph(mint_graph_iri("study", match))
    store.extend(group_quads(*found))
    return _involving(found, new)
