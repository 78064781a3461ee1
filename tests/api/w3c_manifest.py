"""Read the W3C SPARQL 1.1 protocol and Graph Store test manifests into plain requests.

The manifests (``tests/data/w3c/``) describe each test as HTTP requests in RDF (the
``ht:`` vocabulary): method, path, headers, body, and what the answer must be (status
codes, ASK result, result kind, ``Location``, an RDF body). The older Graph Store manifest
(``http-rdf-update``) only describes them in Markdown prose; :func:`prose_tests` reads that.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import rdflib
from rdflib.collection import Collection
from rdflib.namespace import RDF, RDFS

W3C = Path(__file__).parent.parent / "data" / "w3c"

MF = rdflib.Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
HT = rdflib.Namespace("http://www.w3.org/2011/http#")
CNT = rdflib.Namespace("http://www.w3.org/2011/content#")
UT = rdflib.Namespace("http://www.w3.org/2009/sparql/tests/test-update#")
HTS = "http://www.w3.org/2011/http-statusCodes#"

#: ``hts:`` terms the manifests use that name one status code.
STATUS_NAMES = {"OK": 200, "Created": 201, "NoContent": 204, "NotFound": 404}


@dataclass
class Expected:
    """What the answer to one request must be."""

    statuses: list[str] = field(default_factory=list)  # "200", "2xx"...
    boolean: bool | None = None
    kind: str | None = None  # "boolean", "tabular", "RDF"
    location_variable: str | None = None
    content_type: str | None = None
    body: str | None = None

    def status_ok(self, status: int) -> bool:
        """Whether ``status`` is one of the expected codes or classes."""
        return not self.statuses or any(
            s == str(status) or (s.endswith("xx") and s[0] == str(status)[0]) for s in self.statuses)


@dataclass
class Request:
    """One HTTP request of a test, as the manifest writes it."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes | None
    expected: Expected


@dataclass
class ManifestTest:
    """One test: its name, the data it loads and its requests in order."""

    id: str
    name: str
    requires: list[str]
    graph_data: dict[str, Path]  # graph IRI -> N-Triples file
    requests: list[Request]


def _status(term: rdflib.term.Node) -> str:
    local = str(term).removeprefix(HTS)
    if local.startswith("StatusCode"):
        return local.removeprefix("StatusCode")  # "2xx"
    return str(STATUS_NAMES[local])


def _headers(graph: rdflib.Graph, node: rdflib.term.Node) -> dict[str, str]:
    headers: dict[str, str] = {}
    for list_node in graph.objects(node, HT.headers):
        for header in Collection(graph, list_node):
            headers[str(graph.value(header, HT.fieldName)).lower()] = str(graph.value(header, HT.fieldValue))
    return headers


def _body(graph: rdflib.Graph, node: rdflib.term.Node) -> tuple[str | None, str]:
    body = graph.value(node, HT.body)
    if body is None:
        return None, "UTF-8"
    return str(graph.value(body, CNT.chars)), str(graph.value(body, CNT.characterEncoding) or "UTF-8")


def manifest_tests(manifest: Path) -> list[ManifestTest]:
    """The tests of one ``ht:``-style manifest, in the order of its ``mf:entries``."""
    graph = rdflib.Graph().parse(manifest, format="turtle")
    root = next(graph.subjects(RDF.type, MF.Manifest))
    tests = []
    for entry in Collection(graph, graph.value(root, MF.entries)):
        data = {str(graph.value(g, RDFS.label)): manifest.parent / Path(str(graph.value(g, UT.graph))).name
                for g in graph.objects(entry, UT.graphData)}
        requests = []
        action = graph.value(entry, MF.action)
        for request in Collection(graph, graph.value(action, HT.requests)):
            text, encoding = _body(graph, request)
            response = graph.value(request, HT.resp)
            expected_text, _ = _body(graph, response)
            boolean = graph.value(response, MF.expectedBoolean)
            kind = graph.value(response, MF.expectedFormat)
            location = graph.value(response, MF.expectedLocation)
            expected = Expected(
                statuses=sorted(_status(s) for s in graph.objects(response, MF.expectedStatus)),
                boolean=None if boolean is None else bool(boolean.toPython()),
                kind=None if kind is None else str(kind),
                location_variable=None if location is None else str(location),
                content_type=_headers(graph, response).get("content-type"),
                body=expected_text,
            )
            requests.append(Request(
                method=str(graph.value(request, HT.methodName)),
                path=str(graph.value(request, HT.absolutePath)),
                headers=_headers(graph, request),
                body=None if text is None else text.encode(encoding.lower()),
                expected=expected,
            ))
        tests.append(ManifestTest(
            id=str(entry).rsplit("#", 1)[-1],
            name=str(graph.value(entry, MF.name)),
            requires=sorted(str(r).rsplit("#", 1)[-1] for r in graph.objects(entry, MF.requires)),
            graph_data=data,
            requests=requests,
        ))
    return tests


_BLOCK = re.compile(r"#### Request\s*\n(?P<request>.*?)#### Response\s*\n(?P<response>.*)", re.S)


def _dedent_block(text: str) -> list[str]:
    lines = text.strip("\n").splitlines()
    return [line[4:] if line.startswith("    ") else line.strip() for line in lines]


def _split_message(lines: list[str]) -> tuple[str, dict[str, str], str]:
    start, *rest = [line for line in lines] or [""]
    while not start.strip() and rest:
        start, *rest = rest
    headers: dict[str, str] = {}
    body_at = len(rest)
    for index, line in enumerate(rest):
        if not line.strip():
            body_at = index + 1
            break
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return start.strip(), headers, "\n".join(rest[body_at:]).strip("\n")


def prose_tests(manifest: Path) -> list[ManifestTest]:
    """The tests of the Markdown-in-``rdfs:comment`` manifest (``http-rdf-update``), in order.

    Each comment holds ``#### Request`` (request line, headers, blank line, body) and
    ``#### Response`` (status line, headers, body), indented by four spaces.
    """
    graph = rdflib.Graph().parse(manifest, format="turtle")
    root = next(graph.subjects(RDF.type, MF.Manifest))
    tests = []
    for entry in Collection(graph, graph.value(root, MF.entries)):
        prose = next(str(c) for c in graph.objects(entry, RDFS.comment) if "#### Request" in str(c))
        match = _BLOCK.search(prose)
        assert match, f"{entry}: no request/response blocks"
        request_line, headers, body = _split_message(_dedent_block(match["request"]))
        status_line, response_headers, response_body = _split_message(_dedent_block(match["response"]))
        method, path, _version = request_line.split()
        status = status_line.split()[0]
        expected = Expected(
            statuses=[status],
            location_variable="$NEWPATH$" if "location" in response_headers else None,
            content_type=response_headers.get("content-type") if response_body else None,
            body=response_body or None,
        )
        headers.pop("host", None)
        tests.append(ManifestTest(
            id=str(entry).rsplit("#", 1)[-1],
            name=str(graph.value(entry, MF.name)),
            requires=[],
            graph_data={},
            requests=[Request(method, path, headers, body.encode("utf-8") if body else None, expected)],
        ))
    return tests
