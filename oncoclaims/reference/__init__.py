"""The bundled reference graph: the Enteromix case, built from the seed article.

``enteromix.toml`` lists what the article says (claims, their statements, the parties,
sources, therapy and evidence it names), each with the verbatim words that support it.
:func:`reference_quads` turns that into quads, looking every statement's quote up in
``enteromix-article.txt`` to record its exact character span. The build is pure and
deterministic: the same files always give the same quads and IRIs.
"""

from __future__ import annotations

import hashlib
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from pyoxigraph import Literal, NamedNode, Quad

from oncoclaims.errors import RecordError, SourceLocation
from oncoclaims.graph.basis import basis_quads
from oncoclaims.iris import mint_graph_iri, mint_iri, normalise_name
from oncoclaims.vocab import CITO, DCTERMS, GRAPH_BASE, OA, OC, PROV, RDF, RDFS, SCHEMA, XSD

__all__ = [
    "PROVENANCE_GRAPH",
    "REFERENCE_GRAPH",
    "ReferenceCase",
    "article_text",
    "find_span",
    "load_case",
    "reference_quads",
    "reference_records",
]

#: Where every named graph's provenance (which document it came from) is recorded.
PROVENANCE_GRAPH = NamedNode(GRAPH_BASE + "provenance")
#: The named graph of everything the seed article says.
REFERENCE_GRAPH = mint_graph_iri("reference", "enteromix-article")

_CASE_FILE = "enteromix.toml"


@dataclass(frozen=True, slots=True)
class ReferenceCase:
    """The parsed case file and the article text it refers to."""

    spec: dict[str, Any]
    text: str
    file: str


@cache
def load_case() -> ReferenceCase:
    """Load ``enteromix.toml`` and the article it describes."""
    folder = resources.files(__package__)
    spec = tomllib.loads((folder / _CASE_FILE).read_text(encoding="utf-8"))
    file = spec["document"]["file"]
    text = (folder / file).read_text(encoding="utf-8")
    return ReferenceCase(spec=spec, text=text, file=file)


def reference_records() -> list[tuple[str, bytes]]:
    """The real trial and publication records bundled beside the article, as
    ``(repository path, bytes)``, in a stable order (origins in ``records/README.md``).
    """
    folder = resources.files(__package__).joinpath("records")
    return [
        (f"oncoclaims/reference/records/{entry.name}", entry.read_bytes())
        for entry in sorted(folder.iterdir(), key=lambda e: e.name)
        if entry.is_file() and entry.name.endswith((".xml", ".json", ".ttl"))
    ]


def article_text() -> str:
    """Return the seed article's text, as bundled."""
    return load_case().text


def find_span(text: str, quote: str, occurrence: int | None = None) -> tuple[int, int]:
    """Return ``(start, end)`` character offsets of ``quote`` in ``text``.

    :param occurrence: which occurrence to take when the quote appears more than once.
    :raises ValueError: when the quote is absent, or ambiguous and no occurrence is named.
    """
    starts = []
    position = text.find(quote)
    while position != -1:
        starts.append(position)
        position = text.find(quote, position + 1)
    if not starts:
        raise ValueError(f"quote not found in the article: {quote!r}")
    if occurrence is None:
        if len(starts) > 1:
            raise ValueError(f"quote occurs {len(starts)} times; name its occurrence: {quote!r}")
        occurrence = 1
    if not 1 <= occurrence <= len(starts):
        raise ValueError(f"quote occurs {len(starts)} times, not {occurrence}: {quote!r}")
    start = starts[occurrence - 1]
    return start, start + len(quote)


def _lit(value: str | int | float | bool, datatype: NamedNode | None = None) -> Literal:
    if isinstance(value, bool):
        return Literal("true" if value else "false", datatype=XSD.boolean)
    if isinstance(value, int):
        return Literal(str(value), datatype=datatype or XSD.integer)
    if isinstance(value, float):
        return Literal(repr(value), datatype=datatype or XSD.decimal)
    return Literal(value, datatype=datatype) if datatype else Literal(value)


class _Builder:
    """Collects the quads of the reference graph, checking each quote against the text."""

    def __init__(self, case: ReferenceCase) -> None:
        self.case = case
        self.spec = case.spec
        self.graph = REFERENCE_GRAPH
        self.quads: list[Quad] = []
        self.source = mint_iri("source", self.spec["source"]["key"])
        self.parties = {p["key"]: mint_iri("institution", p["label"]) for p in self.spec["party"]}
        self.sources = {self.spec["source"]["key"]: self.source}
        self.sources.update(
            {s["key"]: mint_iri("source", s["key"]) for s in self.spec["reported_source"]}
        )
        therapy = self.spec["therapy"]
        self.therapy = mint_iri("therapy", therapy["label"])
        self.claims = {
            c["key"]: mint_iri("claim", therapy["label"], c["text"]) for c in self.spec["claim"]
        }
        self.bases = {(b["subject"], b["link"], b["object"]): b for b in self.spec.get("basis", [])}
        self.document = "oncoclaims/reference/" + case.file

    def add(self, s: NamedNode, p: NamedNode, o: NamedNode | Literal) -> None:
        self.quads.append(Quad(s, p, o, self.graph))

    def quote(self, node: NamedNode, quote: str, where: str) -> None:
        if quote not in self.case.text:
            raise RecordError(
                SourceLocation(_CASE_FILE, record_id=where),
                f"quote is not in {self.case.file}: {quote!r}",
            )
        self.add(node, OC.quote, Literal(quote))

    def link(
        self, s: NamedNode, p: NamedNode, o: NamedNode, key: tuple[str, str, str],
        *, quote: str | None = None, reason: str | None = None, joins: tuple[str, ...] = (),
    ) -> None:
        """Add a curated link with its basis: the [[basis]] entry for ``key`` (subject key,
        link, object key), else ``quote`` (stated) or ``reason`` with ``quote`` and ``joins``."""
        self.add(s, p, o)
        where = " ".join(key)
        spec = self.bases.pop(key, None)
        if spec is not None:
            quotes = list(spec.get("quotes", [])) or [spec.get("quote", "")]
            reason = spec.get("reason")
        elif quote is not None:
            quotes = [quote, *joins]
        else:
            raise RecordError(SourceLocation(_CASE_FILE, record_id=where),
                              "this link has no basis: add a [[basis]] entry with the quote that states it, "
                              "or the reason and quotes of the inference")
        for text in quotes:
            if not text or text not in self.case.text:
                raise RecordError(SourceLocation(_CASE_FILE, record_id=where),
                                  f"basis quote is not in {self.case.file}: {text!r}")
        self.quads.extend(basis_quads((s, p, o), self.graph, quotes=quotes, reason=reason, document=self.document))

    def party(self, key: str, where: str) -> NamedNode:
        try:
            return self.parties[key]
        except KeyError:
            raise RecordError(
                SourceLocation(_CASE_FILE, record_id=where), f"unknown party {key!r}"
            ) from None

    def build(self) -> list[Quad]:
        self._article()
        self._reported_sources()
        self._parties()
        self._therapy()
        for claim in self.spec["claim"]:
            self._claim(claim)
        for evidence in self.spec["evidence"]:
            self._evidence(evidence)
        if self.bases:
            raise RecordError(SourceLocation(_CASE_FILE, record_id=" ".join(next(iter(self.bases)))),
                              "[[basis]] for a link the case does not make")
        return self.quads

    def _article(self) -> None:
        spec = self.spec["source"]
        self.add(self.source, RDF.type, OC.Source)
        self.add(self.source, OC.sourceType, OC["source-" + spec["type"]])
        self.add(self.source, DCTERMS.title, Literal(spec["title"]))
        self.add(self.source, DCTERMS.language, Literal(spec["language"]))
        self.add(self.source, SCHEMA.text, Literal(self.case.text))
        self.add(self.source, RDFS.label, Literal(spec["title"]))
        self.quote(self.source, spec["title"], "source")
        for key in spec["reports_on"]:
            self.link(self.source, OC.reportsOn, self.sources[key], (spec["key"], "reports_on", key))

    def _reported_sources(self) -> None:
        for spec in self.spec["reported_source"]:
            node = self.sources[spec["key"]]
            self.add(node, RDF.type, OC.Source)
            self.add(node, OC.sourceType, OC["source-" + spec["type"]])
            self.add(node, RDFS.label, Literal(spec["label"]))
            self.link(node, DCTERMS.publisher, self.party(spec["publisher"], spec["key"]),
                      (spec["key"], "publisher", spec["publisher"]))
            self.quote(node, spec["quote"], spec["key"])

    def _parties(self) -> None:
        for spec in self.spec["party"]:
            node = self.parties[spec["key"]]
            self.add(node, RDF.type, OC.Institution)
            self.add(node, RDFS.label, Literal(spec["label"]))
            self.add(node, OC.normalisedName, Literal(normalise_name(spec["label"])))
            self.add(node, OC.institutionKind, OC["kind-" + spec["kind"]])
            if "country" in spec:
                self.add(node, SCHEMA.addressCountry, Literal(spec["country"]))
            for key in spec.get("controlled_by", []):
                self.link(node, OC.controlledBy, self.party(key, spec["key"]), (spec["key"], "controlled_by", key))
            self.quote(node, spec["quote"], spec["key"])

    def _therapy(self) -> None:
        spec = self.spec["therapy"]
        node = self.therapy
        self.add(node, RDF.type, OC.Therapy)
        self.add(node, RDFS.label, Literal(spec["label"]))
        for modality in spec["modalities"]:
            self.add(node, OC.modality, OC["modality-" + modality])
        for mechanism in spec["mechanisms"]:
            self.add(node, OC.mechanism, OC["mechanism-" + mechanism])
        for key in spec["developed_by"]:
            self.link(node, OC.developedBy, self.party(key, spec["key"]), (spec["key"], "developed_by", key))
        self.quote(node, spec["quote"], spec["key"])

    def _claim(self, spec: dict[str, Any]) -> None:
        node = self.claims[spec["key"]]
        self.add(node, RDF.type, OC.Claim)
        self.add(node, SCHEMA.text, Literal(spec["text"]))
        self.add(node, RDFS.label, Literal(spec["label"]))
        self.add(node, OC.about, self.therapy)
        self.add(node, OC.claimType, OC["claim-" + spec["type"]])
        if "population" in spec:
            self.add(node, OC.population, OC["population-" + spec["population"]])
        if "indication" in spec:
            self.add(node, OC.indication, Literal(spec["indication"]))
        for key in spec.get("claimed_by", []):
            self.link(node, OC.claimedBy, self.party(key, spec["key"]), (spec["key"], "claimed_by", key))
        for index, quantity in enumerate(spec.get("quantity", []), start=1):
            self._quantity(node, spec["key"], index, quantity)
        for statement in spec.get("statement", []):
            self._statement(node, spec["key"], statement)
        for key in spec.get("stated_in", []):
            self._statement_without_span(node, spec["key"], key)

    def _quantity(self, claim: NamedNode, key: str, index: int, spec: dict[str, Any]) -> None:
        node = mint_iri("quantity", key, str(index))
        self.add(claim, OC.quantity, node)
        self.add(node, RDF.type, OC.Quantity)
        self.add(node, OC.measure, Literal(spec["measure"]))
        # "fewer than fifty" is an upper bound that excludes fifty: max_exclusive, not max
        for field, prop in (("value", SCHEMA.value), ("min", SCHEMA.minValue), ("max", SCHEMA.maxValue),
                            ("max_exclusive", OC.maxExclusive)):
            if field in spec:
                self.add(node, prop, Literal(str(spec[field]), datatype=XSD.decimal))
        self.add(node, SCHEMA.unitText, Literal(spec["unit"]))
        self.add(node, OC.qualifier, Literal(spec["qualifier"]))
        self.quote(node, spec["quote"], key)

    def _statement(self, claim: NamedNode, key: str, spec: dict[str, Any]) -> None:
        text = self.case.text
        start, end = find_span(text, spec["quote"], spec.get("occurrence"))
        node = mint_iri("statement", self.spec["source"]["key"], str(start), str(end))
        target = NamedNode(node.value + "#target")
        quote_selector = NamedNode(node.value + "#quote")
        position_selector = NamedNode(node.value + "#position")
        self.add(node, RDF.type, OC.ClaimStatement)
        self.add(node, OA.hasBody, claim)
        self.add(node, OA.hasTarget, target)
        self.add(target, RDF.type, OA.SpecificResource)
        self.link(target, OA.hasSource, self.source, (key, "statement", spec["quote"]), quote=spec["quote"])
        self.add(target, OA.hasSelector, quote_selector)
        self.add(target, OA.hasSelector, position_selector)
        self.add(quote_selector, RDF.type, OA.TextQuoteSelector)
        self.add(quote_selector, OA.exact, Literal(spec["quote"]))
        self.add(quote_selector, OA.prefix, Literal(text[max(0, start - 32) : start]))
        self.add(quote_selector, OA.suffix, Literal(text[end : end + 32]))
        self.add(position_selector, RDF.type, OA.TextPositionSelector)
        self.add(position_selector, OA.start, Literal(str(start), datatype=XSD.integer))
        self.add(position_selector, OA.end, Literal(str(end), datatype=XSD.integer))
        self.add(node, OC.extractedBy, Literal("curated:enteromix.toml"))
        for marker in spec.get("hedge", []):
            self.add(node, OC.hedge, Literal(marker))
        for marker in spec.get("hype", []):
            self.add(node, OC.hype, Literal(marker))
        if "attribution" in spec:
            self.add(node, OC.attribution, Literal(spec["attribution"]))
        if "attributed_to" in spec:
            # stated by the attribution's words, or inferred (attribution_reason, attribution_joins)
            self.link(node, OC.attributedTo, self.party(spec["attributed_to"], key),
                      (key, "attributed_to", spec["attributed_to"]), quote=spec["attribution"],
                      reason=spec.get("attribution_reason"), joins=tuple(spec.get("attribution_joins", ())))

    def _statement_without_span(self, claim: NamedNode, key: str, source_key: str) -> None:
        source = self.sources[source_key]
        node = mint_iri("statement", source_key, key)
        target = NamedNode(node.value + "#target")
        self.add(node, RDF.type, OC.ClaimStatement)
        self.add(node, OA.hasBody, claim)
        self.add(node, OA.hasTarget, target)
        self.add(target, RDF.type, OA.SpecificResource)
        self.link(target, OA.hasSource, source, (key, "stated_in", source_key))
        self.add(node, OC.extractedBy, Literal("curated:enteromix.toml"))

    def _evidence(self, spec: dict[str, Any]) -> None:
        node = mint_iri("evidence", self.spec["source"]["key"], spec["key"])
        self.add(node, RDF.type, OC.Evidence)
        self.add(node, RDFS.label, Literal(spec["label"]))
        self.add(node, OC.studyType, OC["study-" + spec["study_type"]])
        self.add(node, OC.population, OC["population-" + spec["population"]])
        self.add(node, OC.outcome, Literal(spec["outcome"]))
        self.link(node, OC.reportedIn, self.sources[spec["reported_in"]], (spec["key"], "reported_in", spec["reported_in"]))
        self.add(node, OC.intervention, self.therapy)
        for key in spec["supports"]:
            self.link(node, CITO.supports, self.claims[key], (spec["key"], "supports", key))
        self.quote(node, spec["quote"], spec["key"])


def _provenance(case: ReferenceCase) -> Iterator[Quad]:
    spec = case.spec["document"]
    digest = hashlib.sha256(case.text.encode("utf-8")).hexdigest()
    document = mint_iri("document", digest)
    graph = PROVENANCE_GRAPH
    yield Quad(REFERENCE_GRAPH, PROV.wasDerivedFrom, document, graph)
    yield Quad(document, RDF.type, OC.InputDocument, graph)
    yield Quad(document, OC.path, Literal("oncoclaims/reference/" + spec["file"]), graph)
    yield Quad(document, OC.sha256, Literal(digest), graph)
    yield Quad(document, OC.origin, Literal(spec["origin"]), graph)
    yield Quad(document, DCTERMS.license, Literal(spec["license"]), graph)


@cache
def _build() -> tuple[Quad, ...]:
    case = load_case()
    return (*_Builder(case).build(), *_provenance(case))


def reference_quads() -> list[Quad]:
    """Return every quad of the reference graph and its provenance record.

    :raises RecordError: when a quote in the case file is not in the article.
    """
    return list(_build())
