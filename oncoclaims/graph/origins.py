"""Where a story came from, read from the store: its study references, voices and the other
stories of the same study, as ingest and same-study grouping stored them (docs/trace.md).

One reading for every view: the desk's story page (``GET /stories/{id}``), the confirmation
report (``story_origins`` of ``/claims/{id}`` and ``check --json``) and its explanation. The
story's text is not read or searched again. Named queries ``story_origin`` and
``same_study_sources``; the shaping is pure (:func:`origin_from_rows`).

A study is ``{"study", "reference", "label", "venue", "date", "people", "institutions",
"funders", "identifiers", "design", "evidence_level", "record", "spans"}`` (the fields of
``oncoclaims trace --json``, with ``reference`` the ``oc:StudyReference`` and ``study`` the
``oc:Study`` it refers to, else the reference); a voice is ``{"name", "affiliations", "role",
"independent", "reason", "spans"}``. Studies and voices come in the order the story first
states them; names in alphabetical order.
"""

from __future__ import annotations

from typing import Any

from oncoclaims import queries
from oncoclaims.graph.store import ClaimStore
from oncoclaims.trace import evidence_level, fields_by_node

__all__ = [
    "ORIGIN_QUERIES",
    "claim_study",
    "describe_origins",
    "origin_from_rows",
    "origins_from_rows",
    "story_origin",
    "story_origins",
    "with_origin",
]

_LISTS = ("people", "institutions", "funders", "identifiers", "affiliations")


def _span(value: str) -> list[int]:
    start, end = value.split()
    return [int(start), int(end)]


def _first(fields: dict[str, list[str]], name: str) -> str | None:
    values = fields.get(name)
    return values[0] if values else None


def _position(item: dict[str, Any]) -> tuple:
    return (item["spans"][0] if item["spans"] else [1 << 62, 0], item.get("reference") or item["name"])


def _study(reference: str, fields: dict[str, list[str]]) -> dict[str, Any]:
    design = _first(fields, "design")
    design = design.rsplit("#", 1)[-1].removeprefix("study-") if design else None
    return {
        "study": _first(fields, "study") or reference,
        "reference": reference,
        "label": _first(fields, "label"),
        "venue": "; ".join(sorted(fields.get("venue", []))) or None,
        "date": _first(fields, "date"),
        **{name: sorted(fields.get(name, [])) for name in _LISTS if name != "affiliations"},
        "design": design,
        "evidence_level": evidence_level(design),
        "record": _first(fields, "record"),
        "spans": sorted(_span(v) for v in fields.get("spans", [])),
    }


def _voice(fields: dict[str, list[str]]) -> dict[str, Any]:
    names = fields.get("name", [])
    label = _first(fields, "voice") or ""
    # the party may carry other spellings (a claim's attribution): the voice's own is in its label
    name = next((n for n in names if label == f"{n} in the story"), max(names, key=len, default=""))
    independent = _first(fields, "independent")
    return {
        "name": name,
        "affiliations": sorted(fields.get("affiliations", [])),
        "role": _first(fields, "role") or "unknown",
        "independent": None if independent is None else independent in {"true", "1"},
        "reason": _first(fields, "reason") or "",
        "spans": sorted(_span(v) for v in fields.get("spans", [])),
    }


def origin_from_rows(rows: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """The studies and voices of one story from the rows of query ``story_origin``; pure."""
    studies = [_study(ref, fields) for ref, fields in fields_by_node(rows, "study").items()]
    voices = [_voice(fields) for fields in fields_by_node(rows, "voice").values()]
    return {"studies": sorted(studies, key=_position), "voices": sorted(voices, key=_position)}


def story_origin(store: ClaimStore, source: str) -> dict[str, list[dict[str, Any]]]:
    """The studies ``source`` reports, its voices, and ``same_study``: ``[{"study", "sources":
    [{"source", "title"}]}]``, the other stories of the same studies. A source without a text
    (a trial record, say) reports no study and quotes no one."""
    return _origins_of(store, [source])[source]


#: The named queries a story's origin is read from, as ``queries.select_each_together``
#: takes them for a list of sources (:func:`origins_from_rows` reads their answers).
ORIGIN_QUERIES = (("story_origin", "source"), ("same_study_sources", "source"))


def _origins_of(store: ClaimStore, sources: list[str]) -> dict[str, dict[str, list[dict[str, Any]]]]:
    """:func:`story_origin` of each of ``sources``, two queries for all of them (one
    request on the Oxigraph server, a ``VALUES`` block each elsewhere on a SPARQL server)."""
    sources = list(dict.fromkeys(sources))
    answers = queries.select_each_together(store, [(n, p, sources) for n, p in ORIGIN_QUERIES])
    return origins_from_rows(sources, *answers)


def origins_from_rows(
    sources: list[str], origins: list[list[dict[str, Any]]], stories: list[list[dict[str, Any]]]
) -> dict[str, dict[str, list[dict[str, Any]]]]:
    """:func:`story_origin` of each of ``sources`` (distinct) from the answers of
    :data:`ORIGIN_QUERIES` for them; pure."""
    found = {}
    for source, origin_rows, same_rows in zip(sources, origins, stories, strict=True):
        origin = origin_from_rows(origin_rows)
        same: dict[str, list[dict[str, Any]]] = {}
        for row in same_rows:
            title = row.get("title")
            others = same.setdefault(row["study"].value, [])
            entry = {"source": row["other"].value, "title": title.value if title is not None else None}
            if entry["source"] not in {o["source"] for o in others}:
                others.append(entry)
        origin["same_study"] = [{"study": study, "sources": others} for study, others in same.items()]
        found[source] = origin
    return found


def story_origins(store: ClaimStore, sources: list[str]) -> dict[str, dict[str, list[dict[str, Any]]]]:
    """:func:`story_origin` of each of ``sources`` that reports a study or quotes someone."""
    return with_origin(_origins_of(store, sources))


def with_origin(found: dict[str, dict[str, list[dict[str, Any]]]]) -> dict[str, dict[str, list[dict[str, Any]]]]:
    """The origins of ``found`` that report a study or quote someone; pure."""
    return {source: origin for source, origin in found.items() if origin["studies"] or origin["voices"]}


def _study_words(study: dict[str, Any]) -> str:
    article = "an" if (study["design"] or "")[:1] in {"a", "e", "i", "o", "u"} else "a"
    design = f"{article} {study['design']} study" if study["design"] else "a study"
    parts = []
    if study["venue"]:
        parts.append(study["venue"] + (f", {study['date']}" if study["date"] else ""))
    for key, word in (("people", "by"), ("institutions", "at"), ("funders", "funded or supplied by")):
        if study[key]:
            parts.append(f"{word} {', '.join(study[key])}")
    return design + (f" ({'; '.join(parts)})" if parts else "")


def _voice_words(voice: dict[str, Any]) -> str:
    mark = {True: "independent", False: "tied", None: "independence unknown"}[voice["independent"]]
    return f"{voice['name']} ({voice['role']}, {mark}: {voice['reason']})"


def claim_study(studies: list[dict[str, Any]], spans: list[tuple[int, int]]) -> dict[str, Any] | None:
    """The study a claim came from: the one read from a sentence that holds one of the claim's
    ``spans`` in the story, else the last one introduced before the claim, else the main one."""
    if not studies:
        return None
    for study in studies:
        if any(s < e2 and s2 < e for s, e in spans for s2, e2 in study["spans"]):
            return study
    before = [st for st in studies if spans and st["spans"] and st["spans"][0][0] <= min(s for s, _ in spans)]
    return before[-1] if before else studies[0]


def describe_origins(sources: list[dict[str, Any]], origins: dict[str, dict[str, list]], *,
                     evidence: bool, claim_spans: dict[str, list[tuple[int, int]]] | None = None) -> str:
    """Sentences naming, for each source of a claim with a stored origin, the study the claim
    came from (:func:`claim_study`) and the voices the source quotes; pure. ``sources`` as the
    confirmation report lists them; ``evidence``: whether any evidence bears on the claim;
    ``claim_spans``: per source, where it states the claim."""
    claim_spans = claim_spans or {}
    sentences = []
    described = [s for s in sources if s["iri"] in origins]
    for source in described[:3]:
        origin = origins[source["iri"]]
        kind = source.get("type_label") or "source"
        who = f"a {kind}" + (f" published by {source['publisher_label']}" if source.get("publisher_label") else "")
        opening = "Its only source" if len(sources) == 1 else f"Its source {source['title']!r}"
        studies = origin["studies"]
        study = claim_study(studies, claim_spans.get(source["iri"], []))
        if study is not None and len(studies) == 1:
            text = f"{opening}, {who}, reports {_study_words(study)}"
        elif study is not None:
            text = f"{opening}, {who}, names {len(studies)} studies; the claim is about {_study_words(study)}"
        else:
            text = f"{opening}, {who}, names no study it reports"
        voices = origin["voices"]
        if len(voices) == 1:
            text += f"; the one voice it quotes is {_voice_words(voices[0])}"
        elif voices:
            text += f"; the {len(voices)} voices it quotes are " + "; ".join(_voice_words(v) for v in voices)
        else:
            text += "; it quotes no one by name"
        sentences.append(text + ".")
        authors = [v["name"] for v in voices if v["role"] == "study-author"]
        if authors and studies and not evidence and (source.get("type") or "").endswith("source-press-release"):
            sentences.append(
                f"Self-confirmed in substance: this press release reports its own team's study "
                f"({', '.join(authors)}), and no other evidence bears on the claim."
            )
    if len(described) > 3:
        sentences.append(f"{len(described) - 3} more of its sources name where they came from (story_origins).")
    return " ".join(sentences)
