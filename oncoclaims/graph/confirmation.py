"""Claim -> source -> independent confirmation: the report for one claim, statuses for all.

:func:`confirmation_report` projects only the claim's neighbourhood (never the whole
graph) and applies the definitions of :mod:`oncoclaims.graph.analysis`.
:func:`claim_statuses` computes every claim's status on a projection of the whole store
(``engine="python"``, the default) or with one SPARQL query (``engine="sparql"``,
``claim_statuses.rq``). Both agree (tests); the SPARQL query is fast on one claim but
slow over a large on-disk store (docs/confirmation.md, "Scale"), where the Python engine
is the practical one (bench/confirm.py).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

import networkx as nx
import pyoxigraph as ox

from oncoclaims import queries
from oncoclaims.discover.report import NOT_READ, candidate_entries, explain_candidates, read_candidates
from oncoclaims.errors import ConfigError, NotFoundError
from oncoclaims.graph import analysis
from oncoclaims.graph.basis import Basis, bases_of, claim_links, describe_inference, verdict_links
from oncoclaims.graph.origins import ORIGIN_QUERIES, describe_origins, origins_from_rows, story_origins, with_origin
from oncoclaims.graph.projection import to_networkx
from oncoclaims.graph.read_ahead import ReadAhead, concurrently, read_ahead
from oncoclaims.graph.statuses import all_statuses
from oncoclaims.graph.wholestore import server_statuses
from oncoclaims.graph.store import ClaimStore
from oncoclaims.vocab import OC, RDF

__all__ = [
    "ConfirmationReport",
    "claim_status",
    "claim_statuses",
    "confirmation_report",
    "find_claim",
    "rests_on",
]

#: What a report reads about each source stating its claim (``(name, parameter)``): its story
#: origin and the other stories of its study (:data:`ORIGIN_QUERIES`) and its statements,
#: read on the Oxigraph server with what the walk's nodes state (``ReadAhead.walk``).
_SOURCE_QUERIES = (*ORIGIN_QUERIES, ("source_statements", "source"))

_STATUS_WORDS = {
    "independently-confirmed": "independently confirmed",
    "contested": "contested",
    "contradicted": "contradicted",
    "self-confirmed": "self-confirmed",
    "retracted-support": "retracted support",
    "independence-unknown": "independence unknown",
    "unconfirmed": "unconfirmed",
}


@dataclass
class ConfirmationReport:
    """The path claim -> sources -> origins -> evidence -> verdict, for one claim."""

    claim: dict[str, str]
    status: dict[str, str]
    explanation: str
    sources: list[dict[str, Any]] = field(default_factory=list)
    origins: list[str] = field(default_factory=list)
    echo_factor: float | None = None
    circular_reporting: bool = False
    interested_parties: list[dict[str, Any]] = field(default_factory=list)
    evidence: list[dict[str, Any]] = field(default_factory=list)
    independent_confirmations: list[str] = field(default_factory=list)
    #: The curated links the verdicts rest on that no document states: the curator's
    #: inferences, each with its reason and the quotes it joins (docs/confirmation.md).
    inferences: list[dict[str, Any]] = field(default_factory=list)
    depth: int = analysis.DEFAULT_DEPTH
    #: Label or title of each node the report names by IRI alone and the store labels
    #: (sources derived from, reports, responsible parties), so that a reader needs no
    #: other request to name them.
    labels: dict[str, str] = field(default_factory=dict)
    #: Candidate evidence (``oncoclaims discover``), best first: records of the claim's
    #: therapy, not yet support (oncoclaims.discover.report).
    candidates: list[dict[str, Any]] = field(default_factory=list)
    #: Where each stating source came from (source IRI -> its studies, voices and the other
    #: stories of the same study; oncoclaims.graph.origins), for the sources that name any.
    story_origins: dict[str, dict[str, list[dict[str, Any]]]] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """The stable JSON shape of ``oncoclaims check --json`` and ``GET /claims/{id}``."""
        return asdict(self)


def _check_depth(depth: int) -> None:
    if not 0 <= depth <= analysis.MAX_DEPTH:
        raise ConfigError(f"tie-chain depth must be between 0 and {analysis.MAX_DEPTH}, not {depth}")


def find_claim(store: ClaimStore, claim: str) -> str:
    """Resolve a claim IRI, or a text that matches exactly one claim, to the claim's IRI.

    :raises NotFoundError: no claim matches, or the text matches several (they are listed).
    """
    if claim.startswith(("http://", "https://")):
        try:
            node = ox.NamedNode(claim)
        except ValueError as exc:
            raise NotFoundError(f"no claim {claim!r}: not a valid IRI ({exc})") from None
        if next(store.quads(node, RDF.type, OC.Claim, None), None) is None:
            raise NotFoundError(f"no claim {claim} in the store")
        return claim
    rows = queries.select(store, "search_claims", text=claim)
    found = sorted({row["claim"].value: row.get("label", row.get("claimText")) for row in rows}.items())
    if not found:
        raise NotFoundError(f"no claim mentions {claim!r}; try fewer words, or `oncoclaims query --named search_claims`")
    if len(found) > 1:
        listing = "\n".join(f"  {iri}  {label.value if label else ''}" for iri, label in found[:20])
        raise NotFoundError(f"{len(found)} claims mention {claim!r}; name one by IRI:\n{listing}")
    return found[0][0]


def confirmation_report(
    store: ClaimStore,
    claim: str,
    *,
    depth: int = analysis.DEFAULT_DEPTH,
    confirmatory: set[str] | None = None,
) -> ConfirmationReport:
    """Build the confirmation report of ``claim`` (an IRI, or a text matching one claim).

    :param depth: tie-chain depth (part-of / controlled-by / funded-by steps per side).
    :param confirmatory: source-type IRIs that may confirm; ``None`` uses the ontology's.
    :raises NotFoundError: when the claim is not in the store.
    """
    _check_depth(depth)
    store = read_ahead(store)  # on a server, each pattern is read once for the whole report
    stored = NOT_READ
    if isinstance(store, ReadAhead) and store.reads_neighbourhoods:
        # its whole neighbourhood in two requests, then its stored candidates (none to read
        # when the claim names no candidate set) and their neighbourhoods (where the walk
        # reads a level per request, the two walks at once would read shared levels twice)
        store.walk([claim], depth, about_sources=_SOURCE_QUERIES)
        stored = read_candidates(store, claim, depth=depth) if _is_iri(claim) else NOT_READ
    iri = find_claim(store, claim)
    graph = to_networkx(store, iri, tie_depth=depth)
    label = analysis._label
    stating = analysis.stating_sources(graph, iri)
    found_origins = analysis.origins(graph, iri)
    sources = []
    for source in stating:
        types = analysis._out(graph, source, ["oc:sourceType"])
        publishers = analysis._out(graph, source, ["dcterms:publisher"])
        sources.append({
            "iri": source,
            "title": label(graph, source),
            "type": types[0] if types else None,
            "type_label": label(graph, types[0]) if types else None,
            "publisher": publishers[0] if publishers else None,
            "publisher_label": label(graph, publishers[0]) if publishers else None,
            "confirmatory": any(analysis._is_confirmatory(graph, t, confirmatory) for t in types),
            "derived_from": analysis._out(graph, source, analysis.DERIVATION),
            "origin": source in found_origins,
        })
    evidence = []
    confirmations = []
    verdicts = [
        (item, relation, analysis.evidence_verdict(graph, iri, item, relation, depth=depth, confirmatory=confirmatory))
        for item, relation in analysis.evidence_for(graph, iri)
    ]
    links = {item: verdict_links(graph, iri, item, relation, verdict) for item, relation, verdict in verdicts}
    stating_links = claim_links(graph, iri, depth)
    # what is left to read does not hang on itself: at once on a server, where the spans are
    # read for every stating source (not only those with a stored origin, known only then)
    bases, (origins, spans), (candidates, total) = concurrently(
        store,
        lambda: bases_of(store, stating_links.union(*links.values())),
        lambda: _origins_and_spans(store, iri, stating),
        lambda: candidate_entries(store, iri, depth=depth, stored=stored),
    )
    for item, relation, verdict in verdicts:
        study_types = analysis._out(graph, item, ["oc:studyType"])
        levels = [lvl for t in study_types for lvl in analysis._out(graph, t, ["oc:evidenceLevel"])]
        evidence.append({
            "iri": item,
            "label": label(graph, item),
            "relation": relation,
            "study_type": study_types[0] if study_types else None,
            "study_type_label": label(graph, study_types[0]) if study_types else None,
            "level": levels[0] if levels else None,
            "level_label": label(graph, levels[0]) if levels else None,
            "rank": graph.nodes[levels[0]].get("rank") if levels else None,
            "reported_in": analysis._out(graph, item, ["oc:reportedIn"]),
            "retracted": analysis._retracted(graph, item),
            "responsible_parties": sorted(analysis.responsible_parties(graph, item)),
            # True, False or None (independence unknown: no one who did the study is known)
            "independent": verdict.independent if relation != "inconclusive" else False,
            "reason": verdict.reason,
            "inferences": _inferences(graph, bases, links[item]),
        })
        if verdict.independent and relation == "supports":
            confirmations.append(item)
    status_iri = analysis.status(graph, iri, depth=depth, confirmatory=confirmatory)
    key = status_iri.rsplit("status-", 1)[-1]
    echo = analysis.echo_factor(graph, iri)
    circular = analysis.circular_reporting(graph, iri, depth)
    report = ConfirmationReport(
        claim={"iri": iri, "label": label(graph, iri), "text": str(graph.nodes[iri].get("text", ""))},
        status={"iri": status_iri, "label": _STATUS_WORDS[key]},
        explanation="",
        sources=sources,
        origins=found_origins,
        echo_factor=echo,
        circular_reporting=circular,
        interested_parties=[
            {"iri": party, "label": label(graph, party), "roles": roles}
            for party, roles in sorted(analysis.interested_parties(graph, iri).items())
        ],
        evidence=evidence,
        independent_confirmations=confirmations,
        inferences=_inferences(graph, bases, stating_links.union(*links.values())),
        depth=depth,
        labels=_labels_of_named_nodes(graph, sources, evidence),
        story_origins=origins,
    )
    report.explanation = _explain(report, spans)
    report.candidates = candidates
    if report.candidates:
        report.explanation += " " + explain_candidates(report.candidates, total)
    return report


def _is_iri(text: str) -> bool:
    try:
        ox.NamedNode(text)
    except ValueError:
        return False
    return text.startswith(("http://", "https://"))


def _inferences(graph: nx.MultiDiGraph, bases: dict[tuple[str, str, str], Basis],
                links: set[tuple[str, str, str]]) -> list[dict[str, Any]]:
    found = [bases[link] for link in sorted(links) if link in bases and bases[link].kind == "inferred"]
    return [
        {"subject": b.link[0], "predicate": b.link[1], "object": b.link[2], "reason": b.reason,
         "quotes": list(b.quotes), "document": b.document, "text": describe_inference(graph, b)}
        for b in found
    ]


def rests_on(inferences: list[dict[str, Any]], *, reasons: bool = True) -> str:
    """"rests on 2 inferences: A is published by B (the curator's reason); ...", or ""
    when a verdict rests on stated links only."""
    if not inferences:
        return ""
    count = f"{len(inferences)} inference{'s' if len(inferences) > 1 else ''}"
    return f"rests on {count}: " + "; ".join(
        f"{i['text']} ({i['reason']})" if reasons else i["text"] for i in inferences)


def _labels_of_named_nodes(
    graph: nx.MultiDiGraph, sources: list[dict[str, Any]], evidence: list[dict[str, Any]]
) -> dict[str, str]:
    named = {iri for source in sources for iri in source["derived_from"]}
    for item in evidence:
        named.update(item["reported_in"])
        named.update(item["responsible_parties"])
    labels = {}
    for node in sorted(named):
        data = graph.nodes[node] if node in graph else {}
        if text := data.get("label") or data.get("title"):
            labels[node] = str(text)
    return labels


def _origins_and_spans(
    store: ClaimStore, claim: str, stating: list[str]
) -> tuple[dict[str, dict[str, list[dict[str, Any]]]], dict[str, list[tuple[int, int]]]]:
    """The story origins of the stating sources and where they state ``claim`` (the
    explanation reads the spans of the sources with a stored origin): in process the
    origins, then the spans of those; on a server the three queries for every stating source
    at once (on the Oxigraph server read by the walk already, with what its nodes state,
    for the sources that may have an origin: the others have none, and the explanation
    reads no spans of theirs)."""
    if store.is_embedded:
        origins = story_origins(store, stating)
        return origins, _claim_spans(store, claim, list(origins))
    sources = list(dict.fromkeys(stating))
    if isinstance(store, ReadAhead):
        sources = [source for source in sources if store.may_have_origin(source)]
    calls = [(name, param, sources) for name, param in _SOURCE_QUERIES]
    *read, spans = (store.each_together(calls) if isinstance(store, ReadAhead)
                    else queries.select_each_together(store, calls))
    return with_origin(origins_from_rows(sources, *read)), _spans_from_rows(claim, sources, spans)


def _claim_spans(store: ClaimStore, claim: str, sources: list[str]) -> dict[str, list[tuple[int, int]]]:
    """Where each of ``sources`` states ``claim`` (query ``source_statements``, once for all;
    the explanation reads those of the sources with a stored origin)."""
    sources = list(dict.fromkeys(sources))
    return _spans_from_rows(claim, sources, queries.select_each(store, "source_statements", "source", sources))


def _spans_from_rows(claim: str, sources: list[str], answers: list[list[dict[str, Any]]]) -> dict[str, list[tuple[int, int]]]:
    found: dict[str, list[tuple[int, int]]] = {}
    for source, rows in zip(sources, answers, strict=True):
        for row in rows:
            if row["claim"].value == claim and "start" in row and "end" in row:
                found.setdefault(source, []).append((int(row["start"].value), int(row["end"].value)))
    return found


def _explain(report: ConfirmationReport, report_spans: dict[str, list[tuple[int, int]]] | None = None) -> str:
    key = report.status["iri"].rsplit("status-", 1)[-1]
    supporting = [e for e in report.evidence if e["relation"] == "supports"]
    disputing = [e for e in report.evidence if e["relation"] == "disputes" and e["independent"]]
    if key == "independently-confirmed":
        names = ", ".join(e["label"] for e in supporting if e["independent"])
        text = f"Independently confirmed by {names}."
    elif key == "contested":
        text = "Contested: independent evidence both supports and disputes it."
    elif key == "contradicted":
        text = f"Contradicted: independent evidence disputes it ({', '.join(e['label'] for e in disputing)}) and none supports it."
    elif key == "retracted-support":
        text = "Its only support is retracted."
    elif key == "independence-unknown":
        names = ", ".join(e["label"] for e in supporting if e["independent"] is None)
        text = (f"Not independently confirmed: independence unknown. Its support ({names}) comes from a confirmatory "
                "source with no tie found, but who did the study is not in the graph, so a tie cannot be ruled out.")
    elif key == "self-confirmed":
        reasons = "; ".join(f"{e['label']}: {e['reason'].removeprefix('not independent: ')}" for e in supporting)
        text = f"Not independently confirmed: all its supporting evidence is tied to interested parties or not from a confirmatory source ({reasons})."
    else:
        text = "Not independently confirmed: no evidence bears on it, only statements of the claim."
    origins = describe_origins(report.sources, report.story_origins, evidence=bool(report.evidence),
                               claim_spans=report_spans)
    if origins:
        text += " " + origins
    if report.inferences:
        text += f" This {rests_on(report.inferences, reasons=False)} (the curator's reasons are in the report)."
    if report.circular_reporting and len(report.origins) == 1:
        text += f" Its {len(report.sources)} sources trace back to one origin (circular reporting)."
    elif report.circular_reporting:
        text += (f" Its {len(report.sources)} sources trace back to {len(report.origins)} origins whose "
                 "publishers or authors are tied to each other (circular reporting).")
    return text


def claim_status(
    store: ClaimStore,
    claim: str,
    *,
    depth: int = analysis.DEFAULT_DEPTH,
    confirmatory: set[str] | None = None,
) -> str:
    """One claim's status IRI, from the projection of its neighbourhood only (as its report).

    The same answer as ``claim_statuses(store)[claim]`` (property test), in milliseconds
    whatever the size of the store, where every claim's status at once costs seconds to
    minutes (docs/scale.md).
    """
    _check_depth(depth)
    store = read_ahead(store)
    if isinstance(store, ReadAhead) and store.reads_neighbourhoods:
        store.walk([claim], depth)  # on a server: two rounds of requests, not one per level
    graph = to_networkx(store, claim, tie_depth=depth)
    return analysis.status(graph, claim, depth=depth, confirmatory=confirmatory)


def claim_statuses(
    store: ClaimStore,
    *,
    engine: Literal["sparql", "python"] = "python",
    depth: int = analysis.DEFAULT_DEPTH,
    confirmatory: set[str] | None = None,
) -> dict[str, str]:
    """Every claim's status IRI, by claim IRI, from the Python projection or from SPARQL."""
    _check_depth(depth)
    if engine == "python":
        # the definitions of analysis.status, for all claims at once (graph/statuses.py)
        return all_statuses(store, depth=depth, confirmatory=confirmatory)
    # claim_statuses.rq counts what decides each status; the rule turns counts into statuses
    return server_statuses(store.backend, depth=depth, confirmatory=confirmatory)
