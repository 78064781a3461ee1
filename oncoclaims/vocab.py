"""Namespace terms used by the Python code, as pyoxigraph ``NamedNode`` constants.

This module is the Python side of the ontology in ``ontology/oncoclaims.ttl``: every
term named here is declared there (``tests/test_ontology.py`` checks it). Terms reused
from standard vocabularies (PROV-O, schema.org, CiTO, Web Annotation, SKOS, Dublin
Core) are preferred wherever their meaning fits; ``OC`` holds only what they lack.
"""

from __future__ import annotations

from pyoxigraph import NamedNode

__all__ = [
    "BASE",
    "CITO",
    "DCTERMS",
    "GRAPH_BASE",
    "ID_BASE",
    "OA",
    "OC",
    "OC_NS",
    "OWL",
    "PREFIXES",
    "PROV",
    "RDF",
    "RDFS",
    "SCHEMA",
    "SKOS",
    "XSD",
]

BASE = "https://w3id.org/oncoclaims/"
OC_NS = BASE + "vocab#"
ID_BASE = BASE + "id/"
GRAPH_BASE = BASE + "graph/"

PREFIXES: dict[str, str] = {
    "oc": OC_NS,
    "ocid": ID_BASE,
    "ocg": GRAPH_BASE,
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "dcterms": "http://purl.org/dc/terms/",
    "prov": "http://www.w3.org/ns/prov#",
    "schema": "https://schema.org/",
    "cito": "http://purl.org/spar/cito/",
    "oa": "http://www.w3.org/ns/oa#",
    "sh": "http://www.w3.org/ns/shacl#",
}


class _Namespace:
    """Attribute access to the terms of one namespace (``OC.Claim``)."""

    def __init__(self, iri: str) -> None:
        self._iri = iri
        self._terms: dict[str, NamedNode] = {}

    def __getattr__(self, name: str) -> NamedNode:
        # Called only for names not yet in the instance dict: each term is built once.
        if name.startswith("_"):
            raise AttributeError(name)
        node = NamedNode(self._iri + name)
        setattr(self, name, node)
        return node

    def __getitem__(self, name: str) -> NamedNode:
        node = self._terms.get(name)
        if node is None:
            node = self._terms[name] = NamedNode(self._iri + name)
        return node

    @property
    def iri(self) -> str:
        """The namespace IRI."""
        return self._iri


OC = _Namespace(OC_NS)
RDF = _Namespace(PREFIXES["rdf"])
RDFS = _Namespace(PREFIXES["rdfs"])
OWL = _Namespace(PREFIXES["owl"])
XSD = _Namespace(PREFIXES["xsd"])
SKOS = _Namespace(PREFIXES["skos"])
DCTERMS = _Namespace(PREFIXES["dcterms"])
PROV = _Namespace(PREFIXES["prov"])
SCHEMA = _Namespace(PREFIXES["schema"])
CITO = _Namespace(PREFIXES["cito"])
OA = _Namespace(PREFIXES["oa"])
