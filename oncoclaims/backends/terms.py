"""RDF terms as SPARQL text, and parameters as a ``VALUES`` block (pure, no I/O).

A remote server has no pyoxigraph ``substitutions``, so a parameter reaches it as a
``VALUES`` block of serialised terms placed first in the query's ``WHERE`` group. Terms
are written by pyoxigraph (N-Triples syntax, escaped by it), never spliced from user text:
a literal such as ``" } ; DROP ALL ; #`` stays one quoted string.

>>> import pyoxigraph as ox
>>> bind_values("SELECT ?x WHERE { ?x ?p $v }", {"v": ox.Literal('a"b')})
'SELECT ?x WHERE { VALUES ($v) { ("a\\\\"b") } ?x ?p $v }'
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from functools import lru_cache

import pyoxigraph as ox

from oncoclaims.errors import QueryParameterError, QuerySyntaxError

__all__ = [
    "GROUPS_ONLY",
    "Term",
    "bind_rows",
    "bind_table",
    "bind_values",
    "same_value",
    "split_prologue",
    "term_text",
    "values_block",
]

#: A term a parameter can take (a blank node cannot be sent: its label means nothing remotely).
Term = ox.NamedNode | ox.Literal

_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
# What cannot hold a brace or the WHERE keyword: strings, IRIs, comments.
_OPAQUE = re.compile(
    r"""'''(?:[^'\\]|\\.|'(?!''))*'''"""
    r'''|"""(?:[^"\\]|\\.|"(?!""))*"""'''
    r"""|'(?:[^'\\\n\r]|\\.)*'"""
    r'''|"(?:[^"\\\n\r]|\\.)*"'''
    r"""|<[^<>"{}|^`\\\x00-\x20]*>"""
    r"""|\#[^\n\r]*"""
)
_TOKEN = re.compile(r"[{}]|(?<![\w?$:])WHERE(?![\w:])", re.IGNORECASE)
_GROUP_TOKEN = re.compile(r"[{}]|(?<![\w?$:])VALUES(?![\w:])", re.IGNORECASE)
_SUBSELECT = re.compile(r"\s*SELECT\b", re.IGNORECASE)
#: A named query's header line saying that every solution binds its parameters in a nested
#: group that names them (each gets its own block with ``every_group``), so that the WHERE
#: group needs no block of its own there: joining a block at the top with everything below
#: cost the Oxigraph server 0.3-0.5 ms a request (docs/deployment.md,
#: "Blocks in the groups, not around them").
GROUPS_ONLY = "#+ values: groups"
_GROUPS_ONLY = re.compile("^" + re.escape(GROUPS_ONLY) + r"[ \t]*$", re.MULTILINE)
_PROLOGUE = re.compile(
    r"""\A(?:\s+|\#[^\n\r]*|PREFIX\s+[^\s:]*:\s*<[^>]*>|BASE\s*<[^>]*>)*""", re.IGNORECASE
)


_BOOLEAN = ox.NamedNode("http://www.w3.org/2001/XMLSchema#boolean")
_BOOLEAN_FORMS = {"1": "true", "0": "false"}


def same_value(
    a: ox.NamedNode | ox.BlankNode | ox.Literal, b: ox.NamedNode | ox.BlankNode | ox.Literal
) -> bool:
    """Whether two terms are one value as a server gives them back: Virtuoso writes an
    ``xsd:boolean`` ``true`` back as ``"1"`` (docs/deployment.md), so the lexical forms
    ``1``/``0`` and ``true``/``false`` of a boolean are the same value.

    >>> same_value(ox.Literal("1", datatype=_BOOLEAN), ox.Literal("true", datatype=_BOOLEAN))
    True
    """
    if a == b:
        return True
    if (
        isinstance(a, ox.Literal)
        and isinstance(b, ox.Literal)
        and a.datatype == b.datatype == _BOOLEAN
    ):
        return _BOOLEAN_FORMS.get(a.value, a.value) == _BOOLEAN_FORMS.get(b.value, b.value)
    return False


def term_text(term: Term, *, name: str = "value") -> str:
    """The SPARQL text of one term (``<iri>`` or a quoted, typed or tagged literal).

    :raises QueryParameterError: for a blank node or anything that is not a term.
    """
    if not isinstance(term, (ox.NamedNode, ox.Literal)):
        raise QueryParameterError(
            f"parameter {name}: {term!r} cannot be sent to a SPARQL server; "
            "give an IRI or a literal"
        )
    return str(term)


def values_block(params: Mapping[str, Term]) -> str:
    """``VALUES ($a $b) { (<x> "y") }`` for ``params`` (empty text for no parameter)."""
    if not params:
        return ""
    for key in params:
        if not _NAME.match(key):
            raise QueryParameterError(f"{key!r} is not a SPARQL variable name")
    names = " ".join(f"${key}" for key in params)
    row = " ".join(term_text(term, name=key) for key, term in params.items())
    return f"VALUES ({names}) {{ ({row}) }}"


def _structure(query: str) -> str:
    """``query`` with strings, IRIs and comments blanked out, offsets unchanged."""
    return _OPAQUE.sub(lambda m: " " * len(m.group(0)), query)


def _where_brace(query: str) -> int:
    """The offset of the ``{`` that opens the query's WHERE group."""
    depth = 0
    after_where = False
    first_brace = -1
    for match in _TOKEN.finditer(_structure(query)):
        token = match.group(0)
        if token == "{":  # noqa: S105 (a brace, not a password)
            if depth == 0 and (after_where or first_brace < 0):
                if after_where:
                    return match.start()
                first_brace = match.start()
            depth += 1
        elif token == "}":  # noqa: S105
            depth -= 1
        elif depth == 0:
            after_where = True
    if first_brace < 0:
        raise QuerySyntaxError("the query has no WHERE group to bind parameters in")
    return first_brace


def _group_braces(query: str, where: int) -> list[int]:
    """The offsets of the ``{`` of every group of the WHERE clause that opens at ``where``,
    itself first; not a ``VALUES`` data block, nor a sub-select or anything inside one."""
    structure = _structure(query)
    found: list[int] = []
    depth = 0
    skip_to = -1  # inside a VALUES data block or a sub-select until this depth again
    data_block = False
    for match in _GROUP_TOKEN.finditer(structure, where):
        token = match.group(0).upper()
        if token == "VALUES":  # noqa: S105 (a keyword, not a password)
            data_block = skip_to < 0
        elif token == "{":  # noqa: S105 (a brace, not a password)
            if skip_to < 0 and data_block:
                skip_to, data_block = depth, False
            elif skip_to < 0 and _SUBSELECT.match(structure, match.end()):
                skip_to = depth
            elif skip_to < 0:
                found.append(match.start())
            depth += 1
        elif token == "}":  # noqa: S105
            depth -= 1
            if depth == skip_to:
                skip_to = -1
            if depth == 0:
                break
    return found


def bind_values(query: str, params: Mapping[str, Term], *, every_group: bool = True) -> str:
    """``query`` with ``params`` as a ``VALUES`` block opening its WHERE group and every group
    nested in it that names a parameter (not a sub-select), so that it means what
    pyoxigraph's substitution means
    (``every_group=False``: the WHERE group only, for Virtuoso 7.2, whose SPARQL compiler
    fails on a block in a nested group of claim_statuses.rq, error SP031).

    A group is evaluated apart from the groups around it: a block only at the top leaves a
    parameter unbound in an ``OPTIONAL``, ``MINUS`` or ``UNION`` part that names it (a filter
    there sees no value), and a server such as Oxigraph evaluates such a part for every
    value before the join with the block (claim_statuses.rq with ``$claim``: minutes). One
    row in each group binds the same value there. A CONSTRUCT template is skipped.

    >>> import pyoxigraph as ox
    >>> bind_values("SELECT * WHERE { OPTIONAL { ?x ?p $v } }", {"v": ox.NamedNode("urn:v")})
    'SELECT * WHERE { VALUES ($v) { (<urn:v>) } OPTIONAL { VALUES ($v) { (<urn:v>) } ?x ?p $v } }'
    """
    if not params:
        return query
    return _insert(query, values_block(params), every_group, params)


def _insert(query: str, block: str, every_group: bool, names: Iterable[str]) -> str:
    """``query`` with ``block`` opening its WHERE group and (``every_group``) every group nested
    in it that names one of the variables ``names`` in its own text: substitution changes no
    other group, and a block where the variable is not named only changes the server's plan
    (story_origin.rq: 41 against 1.4 ms in process at 10,000 claims)."""
    text = query
    for brace in reversed(_block_places(query, every_group, tuple(names))):
        text = f"{text[: brace + 1]} {block}{text[brace + 1 :]}"
    return text


@lru_cache(maxsize=256)
def _block_places(query: str, every_group: bool, names: tuple[str, ...]) -> tuple[int, ...]:
    """The offsets of the ``{`` a block of ``names`` opens (see :func:`_insert`), kept per
    query text: the named queries are bound again and again, and finding the places took
    0.4 ms for story_origin.rq, request by request. A query whose header has the line
    :data:`GROUPS_ONLY` gets no block in its WHERE group when nested groups get one."""
    where = _where_brace(query)
    braces = [where]
    if every_group:
        structure = _structure(query)
        pairs = _brace_pairs(structure, where)
        named = re.compile(r"[?$](?:" + "|".join(map(re.escape, names)) + r")(?![A-Za-z0-9_])")
        nested = _group_braces(query, where)[1:]
        braces += [b for b in nested if named.search(_own_text(structure, b, pairs))]
        if len(braces) > 1 and _GROUPS_ONLY.search(query):
            braces = braces[1:]  # the query's header: its nested blocks bind every solution
    return tuple(braces)


def _brace_pairs(structure: str, start: int) -> dict[int, int]:
    """The offset of the ``}`` that closes each ``{`` from ``start`` on."""
    pairs: dict[int, int] = {}
    opened: list[int] = []
    for match in re.finditer(r"[{}]", structure[start:]):
        if match.group(0) == "{":
            opened.append(start + match.start())
        elif opened:
            pairs[opened.pop()] = start + match.start()
    return pairs


def _own_text(structure: str, brace: int, pairs: dict[int, int]) -> str:
    """The text of the group opening at ``brace`` without the groups nested in it."""
    parts = []
    position = brace + 1
    end = pairs.get(brace, len(structure))
    while position < end:
        inner = structure.find("{", position, end)
        if inner < 0:
            parts.append(structure[position:end])
            break
        parts.append(structure[position:inner])
        position = pairs.get(inner, end) + 1
    return " ".join(parts)


def bind_rows(query: str, name: str, terms: list[Term]) -> str:
    """``query`` with one variable ``name`` bound to each of ``terms`` in turn (a VALUES row each).

    >>> import pyoxigraph as ox
    >>> graphs = [ox.NamedNode("urn:a"), ox.NamedNode("urn:b")]
    >>> bind_rows("SELECT $g WHERE { GRAPH $g {} }", "g", graphs)
    'SELECT $g WHERE { VALUES ($g) { (<urn:a>) (<urn:b>) } GRAPH $g {} }'
    """
    if not _NAME.match(name):
        raise QueryParameterError(f"{name!r} is not a SPARQL variable name")
    rows = " ".join(f"({term_text(term, name=name)})" for term in terms)
    brace = _where_brace(query)
    return f"{query[: brace + 1]} VALUES (${name}) {{ {rows} }}{query[brace + 1 :]}"


def bind_table(
    query: str, names: tuple[str, ...], rows: list[tuple[Term, ...]], *, every_group: bool = False
) -> str:
    """``query`` with the variables ``names`` bound to each row of ``rows`` (a VALUES row each),
    the block opening the WHERE group (and with ``every_group``, every group nested in it, as
    :func:`bind_values` places it: a query run once per row, each part narrowed first).

    >>> import pyoxigraph as ox
    >>> bind_table("DELETE { $s $p $o } WHERE { $s $p $o }", ("s", "p", "o"),
    ...            [(ox.NamedNode("urn:a"), ox.NamedNode("urn:b"), ox.Literal("c"))])
    'DELETE { $s $p $o } WHERE { VALUES ($s $p $o) { (<urn:a> <urn:b> "c") } $s $p $o }'
    """
    for name in names:
        if not _NAME.match(name):
            raise QueryParameterError(f"{name!r} is not a SPARQL variable name")
    lines = " ".join(
        "(" + " ".join(term_text(t, name=n) for n, t in zip(names, row, strict=True)) + ")"
        for row in rows
    )
    header = " ".join(f"${name}" for name in names)
    return _insert(query, f"VALUES ({header}) {{ {lines} }}", every_group, names)


def split_prologue(query: str) -> tuple[str, str]:
    """``(prologue, body)``: the ``BASE``/``PREFIX`` lines and comments first, and the rest.

    >>> split_prologue("PREFIX a: <http://a/>\\nSELECT * {}")
    ('PREFIX a: <http://a/>\\n', 'SELECT * {}')
    """
    end = _PROLOGUE.match(query).end()  # type: ignore[union-attr]
    return query[:end], query[end:]
