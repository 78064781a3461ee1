"""openFDA JSON: Drugs@FDA applications (``/drug/drugsfda.json``) and drug labels (``/drug/label.json``).

An openFDA answer is ``{"meta": {...}, "results": [...]}`` (https://open.fda.gov/apis/);
each result is one record, in a named graph of its own.

A **Drugs@FDA application** (``application_number`` such as ``NDA021588``) gives:

- each product a therapy (``mint_iri("therapy", brand name)``), labelled with its brand
  name and carrying its active ingredients and the openFDA generic names as
  ``skos:altLabel``: the names therapy-name resolution joins (``discover/names.py``), so a
  brand the dictionary does not know still reaches its generic name's records;
- the applicant (``sponsor_name``) an institution known by name within the application;
- each decision a regulator took on it, an ``oc:Evidence`` of study type
  ``oc:study-regulatory-decision``: the original application and every efficacy
  supplement (a new indication or population) that carries a status, with ``oc:decision``
  (``approved``, ``tentatively approved``, else the status code as written), the FDA as
  ``oc:regulator``, the applicant as ``oc:sponsor`` (the decision rests on the data the
  applicant submitted, so it is not independent of the maker) and the products as
  ``oc:intervention``; it is reported in a source of type ``oc:source-regulatory-decision``
  dated by ``submission_status_date``, published by the FDA, linked to the approval
  letter when the record lists one. Labelling and manufacturing supplements are not
  decisions about what the drug does, and give none.

A **drug label** (``set_id``) gives a source of type ``oc:source-drug-label``
(``dcterms:identifier "spl-set-id:<set id>"``, ``schema:about`` its therapy) and one
therapy per brand name, carrying the label's generic names as ``skos:altLabel``.
The label's indications are not mapped: no captured label in reach carries them.

Bad input gives a :class:`~oncoclaims.errors.ParseError` (not JSON, not an openFDA
answer) or :class:`~oncoclaims.errors.RecordError` (a result without an application
number or set id, or with a value of the wrong type), naming the result.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, ClassVar

from pyoxigraph import Literal, NamedNode, Quad

from oncoclaims.errors import ParseError, RecordError, SourceLocation
from oncoclaims.ingest.base import SourceRecord
from oncoclaims.ingest.ctgov_values import clean_text
from oncoclaims.ingest.institutions import institution_quads
from oncoclaims.ingest.json_input import decode_text, load_json
from oncoclaims.iris import mint_graph_iri, mint_iri
from oncoclaims.vocab import DCTERMS, OC, RDF, RDFS, SCHEMA, SKOS, XSD

__all__ = [
    "DECISIONS",
    "FDA_NAME",
    "Application",
    "Label",
    "OpenFdaIngester",
    "application_quads",
    "label_quads",
    "read_application",
    "read_label",
]

#: ``submission_status`` codes -> the decision, as the Drugs@FDA glossary names them;
#: any other code is kept as written.
DECISIONS = {"AP": "approved", "TA": "tentatively approved"}
#: Submission types and classes that are decisions about what a drug is approved for.
_DECISION_SUBMISSIONS = {("ORIG", None), ("SUPPL", "EFFICACY")}
#: The regulator every Drugs@FDA decision is taken by (one node for all openFDA records).
FDA_NAME = "U.S. Food and Drug Administration"
_FDA_SCOPE = "openfda"
_APPLICATION = re.compile(r"[A-Z]{2,4}\d{4,8}")
_SET_ID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_DATE = re.compile(r"(\d{4})(\d{2})(\d{2})")
_FORMAT = "an openFDA answer"


@dataclass(frozen=True, slots=True)
class Product:
    """One product of an application: brand name and active ingredients."""

    brand: str
    ingredients: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Decision:
    """One submission the regulator decided: type, number, status code, date, class, letter."""

    submission_type: str
    number: str
    status: str
    date: str | None
    submission_class: str | None
    letter: str | None


@dataclass(frozen=True, slots=True)
class Application:
    """What one Drugs@FDA application says, checked and cleaned."""

    number: str
    sponsor: str | None
    products: tuple[Product, ...]
    generic_names: tuple[str, ...]
    brand_names: tuple[str, ...]
    decisions: tuple[Decision, ...]


@dataclass(frozen=True, slots=True)
class Label:
    """What one drug label says: its set id, brand and generic names."""

    set_id: str
    brand_names: tuple[str, ...]
    generic_names: tuple[str, ...]


def _field(record: dict[str, Any], key: str, kind: type, location: SourceLocation, where: str) -> Any:
    value = record.get(key)
    if value is None:
        return kind()
    if not isinstance(value, kind):
        raise RecordError(
            location, f"{where}{key} is a {type(value).__name__}, expected a {kind.__name__}; "
            f"is this {_FORMAT}?")
    return value


def _names(record: dict[str, Any], key: str, location: SourceLocation, where: str) -> tuple[str, ...]:
    """A list of names (openFDA gives every ``openfda`` field as a list of strings)."""
    values = _field(record, key, list, location, where)
    names: dict[str, None] = {}
    for value in values:
        if not isinstance(value, str):
            raise RecordError(location, f"{where}{key} holds a {type(value).__name__}, expected names (strings)")
        if text := clean_text(value):
            names.setdefault(text)
    return tuple(names)


def _text(record: dict[str, Any], key: str, location: SourceLocation, where: str) -> str | None:
    value = record.get(key)
    if value is not None and not isinstance(value, str):
        raise RecordError(location, f"{where}{key} is a {type(value).__name__}, expected a string")
    return clean_text(value)


def _date(value: str | None, location: SourceLocation, where: str) -> str | None:
    """``YYYYMMDD`` (openFDA's spelling) as ISO ``YYYY-MM-DD``."""
    if value is None:
        return None
    match = _DATE.fullmatch(value)
    try:
        if match is None:
            raise ValueError(value)
        return dt.date(*(int(part) for part in match.groups())).isoformat()
    except ValueError:
        raise RecordError(location, f"{where}submission_status_date {value!r} is not a date (YYYYMMDD)") from None


def _decision(raw: Any, index: int, location: SourceLocation) -> Decision | None:
    where = f"submissions[{index}]."
    if not isinstance(raw, dict):
        raise RecordError(location, f"submissions[{index}] is a {type(raw).__name__}, expected an object")
    kind = _text(raw, "submission_type", location, where)
    status = _text(raw, "submission_status", location, where)
    submission_class = _text(raw, "submission_class_code", location, where)
    if not status or (kind, None if kind == "ORIG" else submission_class) not in _DECISION_SUBMISSIONS:
        return None
    number = _text(raw, "submission_number", location, where) or str(index + 1)
    letter = None
    for doc_index, doc in enumerate(_field(raw, "application_docs", list, location, where)):
        if not isinstance(doc, dict):
            raise RecordError(location, f"{where}application_docs[{doc_index}] is not an object")
        url = _text(doc, "url", location, f"{where}application_docs[{doc_index}].")
        if _text(doc, "type", location, where) == "Letter" and url and url.startswith(("http://", "https://")):
            letter = url
    date = _date(_text(raw, "submission_status_date", location, where), location, where)
    return Decision(kind or "", number, status, date, submission_class, letter)


def read_application(record: dict[str, Any], location: SourceLocation) -> Application:
    """Read one Drugs@FDA result; pure.

    :raises RecordError: without a valid ``application_number``, or with a value of the wrong type.
    """
    number = (_text(record, "application_number", location, "") or "").upper()
    if not _APPLICATION.fullmatch(number):
        raise RecordError(location, "the application has no valid application_number (such as NDA021588); "
                          "every Drugs@FDA record needs one")
    products = []
    for index, raw in enumerate(_field(record, "products", list, location, "")):
        where = f"products[{index}]."
        if not isinstance(raw, dict):
            raise RecordError(location, f"products[{index}] is a {type(raw).__name__}, expected an object")
        ingredients = []
        for ingredient_index, ingredient in enumerate(_field(raw, "active_ingredients", list, location, where)):
            if not isinstance(ingredient, dict):
                raise RecordError(location, f"{where}active_ingredients[{ingredient_index}] is not an object")
            if name := _text(ingredient, "name", location, f"{where}active_ingredients[{ingredient_index}]."):
                ingredients.append(name)
        if brand := _text(raw, "brand_name", location, where):
            products.append(Product(brand, tuple(dict.fromkeys(ingredients))))
    openfda = _field(record, "openfda", dict, location, "")
    decisions = [_decision(raw, i, location) for i, raw in enumerate(_field(record, "submissions", list, location, ""))]
    return Application(
        number=number,
        sponsor=_text(record, "sponsor_name", location, ""),
        products=tuple(dict.fromkeys(products)),
        generic_names=_names(openfda, "generic_name", location, "openfda."),
        brand_names=_names(openfda, "brand_name", location, "openfda."),
        decisions=tuple(d for d in decisions if d is not None),
    )


def read_label(record: dict[str, Any], location: SourceLocation) -> Label:
    """Read one drug-label result; pure.

    :raises RecordError: without a valid ``set_id``, or with a value of the wrong type.
    """
    openfda = _field(record, "openfda", dict, location, "")
    set_id = (_text(record, "set_id", location, "") or "").lower()
    if not set_id:
        set_id = next(iter(_names(openfda, "spl_set_id", location, "openfda.")), "").lower()
    if not _SET_ID.fullmatch(set_id):
        raise RecordError(location, "the label has no valid set_id (a UUID); every drug label record needs one")
    return Label(set_id, _names(openfda, "brand_name", location, "openfda."),
                 _names(openfda, "generic_name", location, "openfda."))


def _therapy(name: str, synonyms: tuple[str, ...], graph: NamedNode) -> tuple[NamedNode, list[Quad]]:
    therapy = mint_iri("therapy", name)
    quads = [Quad(therapy, RDF.type, OC.Therapy, graph), Quad(therapy, RDFS.label, Literal(name), graph)]
    others = dict.fromkeys(s for s in synonyms if s.casefold() != name.casefold())
    quads += [Quad(therapy, SKOS.altLabel, Literal(s), graph) for s in others]
    return therapy, quads


def _fda(graph: NamedNode) -> tuple[NamedNode, list[Quad]]:
    node, quads = institution_quads(FDA_NAME, graph, scope=_FDA_SCOPE, country="United States")
    return node, [*quads, Quad(node, OC.institutionKind, OC["kind-regulator"], graph)]


def application_quads(application: Application) -> Iterator[Quad]:
    """Map one application to quads in its graph (pure; see the module docstring)."""
    number = application.number
    graph = mint_graph_iri("openfda", number)
    therapies: list[NamedNode] = []
    named = {p.brand.casefold() for p in application.products}
    # an application with one product, or openFDA names no product gives: each brand a therapy
    extra = [Product(b, ()) for b in application.brand_names if b.casefold() not in named]
    for product in (*application.products, *extra):
        therapy, quads = _therapy(product.brand, (*product.ingredients, *application.generic_names), graph)
        therapies.append(therapy)
        yield from quads
    if not therapies:
        for generic in application.generic_names:
            therapy, quads = _therapy(generic, (), graph)
            therapies.append(therapy)
            yield from quads
    sponsor = None
    if application.sponsor:
        sponsor, described = institution_quads(application.sponsor, graph, scope="openfda:" + number)
        yield from described
    if not application.decisions:
        return
    fda, described = _fda(graph)
    yield from described
    brands = ", ".join(p.brand for p in application.products) or ", ".join(application.brand_names)
    for decision in application.decisions:
        key = (number, decision.submission_type, decision.number)
        evidence = mint_iri("evidence", "fda", *key)
        source = mint_iri("source", "drugsfda", *key)
        decided = DECISIONS.get(decision.status, decision.status)
        what = "original application" if decision.submission_type == "ORIG" else "efficacy supplement"
        title = f"FDA: {brands or number} ({number}, {what} {decision.number}) {decided}"
        if decision.date:
            title += f" {decision.date}"
        yield Quad(evidence, RDF.type, OC.Evidence, graph)
        yield Quad(evidence, RDFS.label, Literal(title), graph)
        yield Quad(evidence, OC.studyType, OC["study-regulatory-decision"], graph)
        yield Quad(evidence, OC.decision, Literal(decided), graph)
        yield Quad(evidence, OC.regulator, fda, graph)
        # Drugs@FDA lists drugs for human use only.
        yield Quad(evidence, OC.population, OC["population-humans"], graph)
        yield Quad(evidence, DCTERMS.identifier, Literal(f"fda-application:{number}"), graph)
        for therapy in therapies:
            yield Quad(evidence, OC.intervention, therapy, graph)
        if sponsor is not None:
            yield Quad(evidence, OC.sponsor, sponsor, graph)
            yield Quad(evidence, OC.leadSponsor, sponsor, graph)
        yield Quad(evidence, OC.reportedIn, source, graph)
        yield Quad(source, RDF.type, OC.Source, graph)
        yield Quad(source, OC.sourceType, OC["source-regulatory-decision"], graph)
        yield Quad(source, DCTERMS.title, Literal(title), graph)
        yield Quad(source, DCTERMS.publisher, fda, graph)
        yield Quad(source, DCTERMS.identifier, Literal(f"fda-application:{number}"), graph)
        if decision.date:
            yield Quad(source, DCTERMS.date, Literal(decision.date, datatype=XSD.date), graph)
        if decision.letter:
            yield Quad(source, RDFS.seeAlso, NamedNode(decision.letter), graph)


def label_quads(label: Label) -> Iterator[Quad]:
    """Map one drug label to quads in its graph (pure; see the module docstring)."""
    graph = mint_graph_iri("openfda", "label", label.set_id)
    source = mint_iri("source", "fda-label", label.set_id)
    yield Quad(source, RDF.type, OC.Source, graph)
    yield Quad(source, OC.sourceType, OC["source-drug-label"], graph)
    yield Quad(source, DCTERMS.identifier, Literal(f"spl-set-id:{label.set_id}"), graph)
    names = label.brand_names or label.generic_names
    if names:
        yield Quad(source, DCTERMS.title, Literal(f"{', '.join(names)}: drug label"), graph)
    for name in names:
        therapy, quads = _therapy(name, label.generic_names if label.brand_names else (), graph)
        yield from quads
        yield Quad(source, SCHEMA.about, therapy, graph)


def _record_key(result: Any) -> tuple[str, str | None]:
    if not isinstance(result, dict):
        return "unknown", None
    number = result.get("application_number")
    if isinstance(number, str) and number.strip():
        return "drugsfda-application", number.strip().upper()
    set_id = result.get("set_id")
    if isinstance(set_id, str) and set_id.strip():
        return "drug-label", set_id.strip().lower()
    openfda = result.get("openfda")
    if isinstance(openfda, dict) and "spl_set_id" in openfda and "application_number" not in result:
        ids = openfda["spl_set_id"]
        first = ids[0] if isinstance(ids, list) and ids else None
        return "drug-label", first.strip().lower() if isinstance(first, str) and first.strip() else None
    if "submissions" in result or "products" in result or "sponsor_name" in result:
        return "drugsfda-application", None
    return "unknown", None


class OpenFdaIngester:
    """openFDA answers: Drugs@FDA applications and drug labels (``{"meta", "results"}`` JSON)."""

    name: ClassVar[str] = "openfda-json"
    suffixes: ClassVar[tuple[str, ...]] = (".json",)

    def sniff(self, data: bytes, origin: str) -> bool:
        """A JSON object with ``results`` whose entries carry openFDA's fields."""
        head = data[:65536].lstrip(b"\xef\xbb\xbf \t\r\n")
        return head.startswith(b"{") and b'"results"' in head and (
            b'"application_number"' in head or b'"set_id"' in head or b'"spl_set_id"' in head)

    def records(self, data: bytes, origin: str) -> Iterator[SourceRecord]:
        """One record per result; a page that is not the last says so in a warning.

        :raises ParseError: for text that is not UTF-8 or JSON, or JSON that is not an openFDA answer.
        """
        body = load_json(decode_text(data, origin), origin)
        results = body.get("results") if isinstance(body, dict) else None
        if not isinstance(results, list):
            raise ParseError(SourceLocation(origin, 1), "expected an openFDA answer: a JSON object whose "
                             "\"results\" is a list of applications or labels")
        warnings: tuple[str, ...] = ()
        meta = body.get("meta")
        paging = meta.get("results") if isinstance(meta, dict) else None
        if isinstance(paging, dict):
            total, skip = paging.get("total"), paging.get("skip") or 0
            if isinstance(total, int) and isinstance(skip, int) and skip + len(results) < total:
                warnings = (f"this is one page ({len(results)} results of {total}, from {skip}); "
                            "fetch and ingest the others too for the whole answer",)
        for index, result in enumerate(results, start=1):
            kind, key = _record_key(result)
            location = SourceLocation(origin, None, None, key or f"results[{index - 1}]")
            if kind == "unknown":
                raise RecordError(location, "this result is neither a Drugs@FDA application (application_number) "
                                  "nor a drug label (set_id); is this an openFDA drugsfda or label answer?")
            graph = mint_graph_iri("openfda", key) if kind == "drugsfda-application" and key else (
                mint_graph_iri("openfda", "label", key) if key else mint_graph_iri("openfda", "unidentified"))
            yield SourceRecord(location, kind, result, graph, warnings)
            warnings = ()

    def to_quads(self, record: SourceRecord) -> Iterator[Quad]:
        """Map one result to quads.

        :raises RecordError: for a result without its identifier or with a value of the wrong type.
        """
        if record.kind == "drug-label":
            return label_quads(read_label(record.data, record.location))
        return application_quads(read_application(record.data, record.location))
