"""The oncoclaims ontology, SHACL shapes and JSON-LD context, shipped as package data.

- ``oncoclaims.ttl``: OWL classes and properties of docs/model.md, the reused terms we rely
  on, and the SKOS concept schemes (claim types, populations, source types, study types
  with their evidence levels, mechanisms, modalities, institution kinds, verdicts,
  confirmation statuses).
- ``shapes.ttl``: SHACL shapes, one per class; :func:`validate_quads` runs them.
- ``context.jsonld``: a JSON-LD context for writing oncoclaims data by hand.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from importlib.resources import files
from typing import Any

import pyoxigraph as ox
import rdflib

from oncoclaims.graph.blank_nodes import document_blank_nodes
from oncoclaims.vocab import GRAPH_BASE

__all__ = [
    "ONTOLOGY_GRAPH",
    "ValidationReport",
    "Violation",
    "jsonld_context",
    "ontology_quads",
    "ontology_turtle",
    "shapes_turtle",
    "validate_quads",
]

ONTOLOGY_GRAPH = ox.NamedNode(GRAPH_BASE + "ontology")

_SH = rdflib.Namespace("http://www.w3.org/ns/shacl#")
_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


def _read(name: str) -> str:
    return files(__package__).joinpath(name).read_text(encoding="utf-8")


def ontology_turtle() -> str:
    """The ontology as Turtle text."""
    return _read("oncoclaims.ttl")


def shapes_turtle() -> str:
    """The SHACL shapes as Turtle text."""
    return _read("shapes.ttl")


def jsonld_context() -> dict[str, Any]:
    """The JSON-LD context document (a dict with an ``@context`` key)."""
    return json.loads(_read("context.jsonld"))


@cache
def _ontology_quads() -> tuple[ox.Quad, ...]:
    text = ontology_turtle()
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:24]
    quads = (ox.Quad(t.subject, t.predicate, t.object, ONTOLOGY_GRAPH)
             for t in ox.parse(text, ox.RdfFormat.TURTLE))
    return tuple(document_blank_nodes(quads, digest))


def ontology_quads() -> list[ox.Quad]:
    """The ontology's triples, placed in the graph :data:`ONTOLOGY_GRAPH`.

    Its blank nodes are named after the ontology's text, the same in every process, so a
    store that holds the current ontology is left as it is when opened
    (:func:`oncoclaims.graph.bootstrap.ensure_ontology`).
    """
    return list(_ontology_quads())


@cache
def _shapes_graph() -> rdflib.Graph:
    return rdflib.Graph().parse(data=shapes_turtle(), format="turtle")


@cache
def _ontology_graph() -> rdflib.Graph:
    return rdflib.Graph().parse(data=ontology_turtle(), format="turtle")


@dataclass(frozen=True, slots=True)
class Violation:
    """One SHACL result: which node, which property, what is wrong."""

    focus_node: str
    path: str | None
    message: str
    severity: str
    shape: str | None = None

    def __str__(self) -> str:
        path = f" {self.path}" if self.path else ""
        return f"{self.severity}: {self.focus_node}{path}: {self.message}"


@dataclass(slots=True)
class ValidationReport:
    """The outcome of :func:`validate_quads`. ``conforms`` ignores warnings."""

    conforms: bool
    violations: list[Violation] = field(default_factory=list)

    @property
    def warnings(self) -> list[Violation]:
        """Results of severity Warning (incomplete but usable data)."""
        return [v for v in self.violations if v.severity == "Warning"]

    def text(self) -> str:
        """One line per result: ``severity: node property: message``."""
        if not self.violations:
            return "conforms: no SHACL violations"
        return "\n".join(str(v) for v in self.violations)


def _to_rdflib(term: ox.NamedNode | ox.BlankNode | ox.Literal) -> rdflib.term.Node:
    if isinstance(term, ox.NamedNode):
        return rdflib.URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return rdflib.BNode(term.value)
    if term.language:
        return rdflib.Literal(term.value, lang=term.language)
    if term.datatype.value == _XSD_STRING:
        return rdflib.Literal(term.value)
    return rdflib.Literal(term.value, datatype=rdflib.URIRef(term.datatype.value))


def _path_text(graph: rdflib.Graph, path: rdflib.term.Node | None) -> str | None:
    if path is None:
        return None
    if isinstance(path, rdflib.BNode):
        inverse = graph.value(path, _SH.inversePath)
        if inverse is not None:
            return f"^<{inverse}>"
    return f"<{path}>"


def validate_quads(quads: Iterable[ox.Quad]) -> ValidationReport:
    """Validate the union of ``quads``' graphs, with the ontology, against the shapes.

    Quads in the ontology graph itself are skipped (the bundled ontology is added anyway).

    >>> from oncoclaims.reference import reference_quads
    >>> validate_quads(reference_quads()).conforms
    True
    """
    import pyshacl

    data = rdflib.Graph()
    for quad in quads:
        if quad.graph_name == ONTOLOGY_GRAPH:
            continue
        data.add((_to_rdflib(quad.subject), _to_rdflib(quad.predicate), _to_rdflib(quad.object)))
    data += _ontology_graph()
    _, results, _ = pyshacl.validate(
        data, shacl_graph=_shapes_graph(), advanced=True, allow_warnings=True, inference="none"
    )
    violations = []
    for result in results.subjects(rdflib.RDF.type, _SH.ValidationResult):
        severity = results.value(result, _SH.resultSeverity)
        violations.append(
            Violation(
                focus_node=str(results.value(result, _SH.focusNode)),
                path=_path_text(results, results.value(result, _SH.resultPath)),
                message=str(results.value(result, _SH.resultMessage) or ""),
                severity=str(severity).rsplit("#", 1)[-1],
                shape=str(results.value(result, _SH.sourceShape) or "") or None,
            )
        )
    violations.sort(key=lambda v: (v.severity != "Violation", v.focus_node, v.path or ""))
    return ValidationReport(
        conforms=not any(v.severity == "Violation" for v in violations), violations=violations
    )
