"""SPARQL 1.1 Federated Query (``SERVICE``) is off on the endpoint unless it is switched on.

pyoxigraph answers ``SERVICE <url> { ... }`` by sending an HTTP request from the server to
``url``, and its Python API has no switch to turn that off. On an endpoint open to anyone,
that would let any client make the server fetch any address the server can reach,
internal services included (a server-side request forgery). So ``/sparql`` refuses a query
that uses ``SERVICE`` unless the server was started with ``--allow-service``
(``$ONCOCLAIMS_ALLOW_SERVICE``). ``oncoclaims query`` on the command line is the user's own
machine and is not limited.

:func:`uses_service` looks for the keyword in the query text after what cannot hold it is
taken out: IRIs, string literals and comments. It first undoes ``\\uXXXX`` escapes, which
SPARQL allows anywhere in a query. A variable (``?service``), a prefixed name
(``ex:service``, ``service:x``) or a blank-node label does not count.
"""

from __future__ import annotations

import re

__all__ = ["uses_service"]

_CODEPOINT = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
_NOT_KEYWORDS = re.compile(
    r"""'''(?:[^'\\]|\\.|'(?!''))*'''"""  # long strings first: they may hold quotes
    r'''|"""(?:[^"\\]|\\.|"(?!""))*"""'''
    r"""|'(?:[^'\\\n\r]|\\.)*'"""
    r'''|"(?:[^"\\\n\r]|\\.)*"'''
    r"""|<[^<>"{}|^`\\\x00-\x20]*>"""  # an IRI (a comparison such as ?a < ?b holds spaces)
    r"""|\#[^\n\r]*""",
    re.VERBOSE,
)
_SERVICE = re.compile(r"(?<![\w?$:.\-])SERVICE(?![\w:.\-])", re.IGNORECASE)


def _codepoint(match: re.Match[str]) -> str:
    value = int(match.group(1) or match.group(2), 16)
    return chr(value) if value <= 0x10FFFF else match.group(0)


def uses_service(query: str) -> bool:
    """Whether the SPARQL ``query`` has a ``SERVICE`` clause.

    >>> uses_service("SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }")
    True
    >>> uses_service('SELECT ?service WHERE { ?service ?p "SERVICE <x> {" } # SERVICE <y> {}')
    False
    """
    if "\\" not in query and "service" not in query.lower():
        return False  # the common case, answered without the scans below
    text = _CODEPOINT.sub(_codepoint, query)
    return _SERVICE.search(_NOT_KEYWORDS.sub(" ", text)) is not None
