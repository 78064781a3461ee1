"""Named SPARQL queries: the ``*.rq`` files beside this module, and the one way to run them.

Each file opens with header lines that keep it valid SPARQL::

    #+ summary: Sources that state claim $claim.
    #+ params: claim=IRI
    #+ dataset: union

``binding: values`` binds the parameters as a ``VALUES`` row on every backend instead of
pyoxigraph's substitution, which needs them projected: a query whose answer need not repeat
a parameter in every row (``predicate_links.rq``) then does not pay for writing it.

``values: groups`` says that every solution binds the parameters inside nested groups
that name them: on a server that takes a ``VALUES`` block in every such group (the Oxigraph
server) the WHERE group then gets none of its own, which the server had joined with
everything below it (0.3-0.5 ms a request at 100,000 claims; ``backends/terms.py``).

``dataset: union`` runs the query with the default graph as the union of all named
graphs, so that paths (derivation chains, part-of chains) cross from one source's graph
to another's; without it, patterns name their graphs with ``GRAPH``. ``union: optional``
says that the query gives the same rows without it (every pattern names its graph, or
reads the named graphs and the default graph alike): it may then join, in one request, a
query that runs without the union (:func:`select_each_together`).

Parameters are the ``$name`` variables of the query. :func:`run` turns each value into
an RDF term and hands it to pyoxigraph as a ``substitutions`` binding: values never
become query text, so a value such as ``" } ; DROP ALL ; #`` is only ever data.

>>> "claims_about_therapy" in query_names()
True
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Any

import pyoxigraph as ox

from oncoclaims.errors import QueryParameterError, QuerySyntaxError, UnknownQueryError

if TYPE_CHECKING:
    from oncoclaims.backends.base import Backend, Rows
    from oncoclaims.graph.store import ClaimStore

__all__ = [
    "PARAM_TYPES",
    "NamedQuery",
    "ask",
    "execute",
    "load_query",
    "load_update",
    "query_names",
    "rows",
    "run",
    "select",
    "select_each",
    "select_each_together",
    "to_term",
    "tsv",
]

#: The parameter types a header may name, and the XSD datatype a literal gets.
PARAM_TYPES: dict[str, str | None] = {
    "IRI": None,
    "string": "http://www.w3.org/2001/XMLSchema#string",
    "integer": "http://www.w3.org/2001/XMLSchema#integer",
    "decimal": "http://www.w3.org/2001/XMLSchema#decimal",
    "boolean": "http://www.w3.org/2001/XMLSchema#boolean",
    "date": "http://www.w3.org/2001/XMLSchema#date",
}

_HEADER = re.compile(r"^#\+\s*(?P<key>[a-z-]+)\s*:\s*(?P<value>.*)$")
_PARAM = re.compile(r"^(?P<name>[A-Za-z_][A-Za-z0-9_]*)=(?P<type>[A-Za-z]+)(?P<optional>\?)?$")
_DOLLAR_VAR = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")


@dataclass(frozen=True, slots=True)
class NamedQuery:
    """One ``.rq`` file: its name, text, header fields and typed parameters."""

    name: str
    text: str
    summary: str
    params: dict[str, str]
    optional: frozenset[str]
    header: dict[str, str]


def query_names() -> list[str]:
    """List the names of all bundled queries (file stems), sorted."""
    folder = resources.files(__package__)
    return sorted(p.name[:-3] for p in folder.iterdir() if p.name.endswith(".rq"))


@cache
def load_update(name: str) -> str:
    """The text of the bundled SPARQL Update ``name.ru`` (the backends' own writes).

    :raises UnknownQueryError: when there is no ``name.ru``.
    """
    path = resources.files(__package__) / f"{name}.ru"
    if not path.is_file():
        raise UnknownQueryError(f"no bundled update {name!r}")
    return path.read_text(encoding="utf-8")


@cache
def load_query(name: str) -> NamedQuery:
    """Load and check the named query ``name``.

    :raises UnknownQueryError: when there is no ``name.rq``.
    :raises QueryParameterError: when the header and the ``$`` variables disagree.
    """
    if name not in query_names():
        raise UnknownQueryError(
            f"no named query {name!r}; known queries: {', '.join(query_names())}"
        )
    text = (resources.files(__package__) / f"{name}.rq").read_text(encoding="utf-8")
    header: dict[str, str] = {}
    for line in text.splitlines():
        match = _HEADER.match(line.strip())
        if match:
            header[match["key"]] = match["value"].strip()
    params: dict[str, str] = {}
    optional: set[str] = set()
    for spec in filter(None, (s.strip() for s in header.get("params", "").split(","))):
        match = _PARAM.match(spec)
        if not match or match["type"] not in PARAM_TYPES:
            raise QueryParameterError(
                f"{name}.rq: bad params entry {spec!r}; write name=TYPE with TYPE one of "
                f"{', '.join(PARAM_TYPES)}, and a trailing ? for an optional one"
            )
        params[match["name"]] = match["type"]
        if match["optional"]:
            optional.add(match["name"])
    body = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))
    used = set(_DOLLAR_VAR.findall(body))
    if used != set(params):
        raise QueryParameterError(
            f"{name}.rq: its $variables {sorted(used)} differ from its header params {sorted(params)}"
        )
    return NamedQuery(
        name=name,
        text=text,
        summary=header.get("summary", ""),
        params=params,
        optional=frozenset(optional),
        header=header,
    )


def to_term(value: Any, kind: str, *, name: str = "value") -> ox.NamedNode | ox.Literal:
    """Turn a Python value into the RDF term a parameter of type ``kind`` takes.

    :raises QueryParameterError: when the value does not fit the type.
    """
    if isinstance(value, (ox.NamedNode, ox.Literal)):
        if kind == "IRI" and not isinstance(value, ox.NamedNode):
            raise QueryParameterError(f"parameter {name} must be an IRI, got {value}")
        return value
    if kind == "IRI":
        try:
            return ox.NamedNode(str(value))
        except ValueError as exc:
            raise QueryParameterError(f"parameter {name}: {value!r} is not a valid IRI") from exc
    datatype = PARAM_TYPES[kind]
    if kind == "boolean":
        if isinstance(value, str):
            if value.lower() not in {"true", "false", "1", "0"}:
                raise QueryParameterError(f"parameter {name}: {value!r} is not true or false")
            value = value.lower() in {"true", "1"}
        lexical = "true" if value else "false"
    elif kind == "integer":
        try:
            lexical = str(int(value))
        except (TypeError, ValueError) as exc:
            raise QueryParameterError(f"parameter {name}: {value!r} is not an integer") from exc
    elif kind == "decimal":
        try:
            lexical = str(float(value))
        except (TypeError, ValueError) as exc:
            raise QueryParameterError(f"parameter {name}: {value!r} is not a number") from exc
    elif kind == "date":
        try:
            lexical = date.fromisoformat(str(value)).isoformat()
        except ValueError as exc:
            raise QueryParameterError(f"parameter {name}: {value!r} is not a YYYY-MM-DD date") from exc
    else:
        lexical = str(value)
    assert datatype is not None
    return ox.Literal(lexical, datatype=ox.NamedNode(datatype))


def _substitutions(query: NamedQuery, params: dict[str, Any]) -> dict[ox.Variable, Any]:
    unknown = set(params) - set(query.params)
    if unknown:
        raise QueryParameterError(
            f"query {query.name} has no parameter {', '.join(sorted(unknown))}; "
            f"its parameters are {', '.join(query.params) or 'none'}"
        )
    missing = set(query.params) - set(params) - query.optional
    if missing:
        raise QueryParameterError(
            f"query {query.name} needs parameter {', '.join(sorted(missing))} "
            f"({', '.join(f'{n}={query.params[n]}' for n in sorted(missing))})"
        )
    return {
        ox.Variable(key): to_term(value, query.params[key], name=key)
        for key, value in params.items()
        if value is not None
    }


def _backend(store: ClaimStore | Backend | ox.Store) -> Backend:
    if isinstance(store, ox.Store):
        from oncoclaims.backends.embedded import EmbeddedBackend

        return EmbeddedBackend(store)
    backend = getattr(store, "backend", None)
    return backend if backend is not None else store  # type: ignore[return-value]


def _bound(name: str, params: dict[str, Any]) -> tuple[NamedQuery, dict[str, Any], bool]:
    """The query to send (its text bound by ``VALUES`` if its header says ``binding:
    values``), the parameters left to bind, and whether it reads the union of graphs."""
    query = load_query(name)
    terms = {var.value: term for var, term in _substitutions(query, params).items()}
    union = query.header.get("dataset") == "union"
    if query.header.get("binding") == "values" and terms:
        from oncoclaims.backends.terms import bind_values  # backends.sparql imports this module

        return replace(query, text=bind_values(query.text, terms)), {}, union
    return query, terms, union


def rows(store: ClaimStore | Backend | ox.Store, name: str, **params: Any) -> Rows:
    """Run the SELECT named query ``name`` on any backend: its variables and rows of terms.

    :raises UnknownQueryError: no such query.
    :raises QueryParameterError: a parameter is missing, unknown or of the wrong type.
    """
    query, terms, union = _bound(name, params)
    return _backend(store).select(query.text, terms, union=union)


def tsv(store: ClaimStore | Backend | ox.Store, name: str, **params: Any) -> bytes:
    """Run the SELECT named query ``name`` and return its whole answer as SPARQL TSV (for
    whole tables: pyoxigraph writes it without Python per row)."""
    query, terms, union = _bound(name, params)
    return _backend(store).select_tsv(query.text, terms, union=union)


def ask(store: ClaimStore | Backend | ox.Store, name: str, **params: Any) -> bool:
    """Run the ASK named query ``name``."""
    query, terms, union = _bound(name, params)
    return _backend(store).ask(query.text, terms, union=union)


def execute(store: ClaimStore, name: str, **params: Any) -> Rows | bool | list[ox.Triple]:
    """Run the named query ``name`` of any form on any backend: rows (SELECT), a boolean
    (ASK) or triples (CONSTRUCT, DESCRIBE)."""
    query, terms, union = _bound(name, params)
    return store.query(query.text, terms, union=union)


def run(store: ClaimStore | ox.Store, name: str, **params: Any) -> Any:
    """Run the named query ``name`` with ``params`` bound by substitution, on the embedded
    store (pyoxigraph's own result objects; :func:`select`, :func:`rows`, :func:`tsv` and
    :func:`ask` run on every backend).

    :returns: pyoxigraph ``QuerySolutions``, ``QueryBoolean`` or ``QueryTriples``.
    :raises UnknownQueryError: no such query.
    :raises QueryParameterError: a parameter is missing, unknown or of the wrong type.
    :raises StoreError: the store is a SPARQL server.
    """
    query, terms, union = _bound(name, params)
    inner = store if isinstance(store, ox.Store) else store.inner
    try:
        return inner.query(
            query.text,
            substitutions={ox.Variable(key): term for key, term in terms.items()},
            use_default_graph_as_union=union,
        )
    except SyntaxError as exc:  # only a broken bundled file can get here
        raise QuerySyntaxError(f"{name}.rq does not parse: {exc}") from exc


def select_each(
    store: ClaimStore | Backend | ox.Store, name: str, param: str, values: list[Any], **params: Any
) -> list[list[dict[str, Any]]]:
    """Run a SELECT named query once for each of ``values`` of its parameter ``param`` (the
    query projects it), the other ``params`` the same each time: rows as :func:`select` gives
    them, one list per value in the order of ``values``. On a SPARQL server the values go
    in one ``VALUES`` block per request (:meth:`~oncoclaims.backends.base.Backend.select_each`).
    """
    if not values:
        return []
    query, terms, union = _bound(name, {**params, param: values[0]})
    del terms[param]
    bound = [to_term(value, query.params[param], name=param) for value in values]
    answers = _backend(store).select_each(query.text, param, bound, terms, union=union)
    return [answer.dicts() for answer in answers]


def select_each_together(
    store: ClaimStore | Backend | ox.Store, calls: list[tuple[Any, ...]]
) -> list[list[list[dict[str, Any]]]]:
    """:func:`select_each` of several named queries, each ``(name, param, values)`` or
    ``(name, param, values, params)`` (``params``: the other parameters, the same for every
    value), their answers in the order of ``calls``: in one request on a server that can
    take them together (:meth:`~oncoclaims.backends.base.Backend.select_each_together`),
    else one after the other."""
    bound = []
    for name, param, values, *rest in calls:
        fixed = dict(rest[0]) if rest else {}
        query = load_query(name)
        if not values:  # nothing to ask: no rows
            bound.append((query.text, param, [], {}, _dataset_union(query)))
            continue
        query, terms, _ = _bound(name, {**fixed, param: values[0]})
        del terms[param]
        column = [to_term(value, query.params[param], name=param) for value in values]
        bound.append((query.text, param, column, terms, _dataset_union(query)))
    answers = _backend(store).select_each_together(bound)
    return [[answer.dicts() for answer in each] for each in answers]


def _dataset_union(query: NamedQuery) -> bool | None:
    """Whether ``query`` runs on the union default graph, ``None`` when either way
    (``union: optional``)."""
    if query.header.get("union") == "optional":
        return None
    return query.header.get("dataset") == "union"


def select(
    store: ClaimStore | Backend | ox.Store, name: str, **params: Any
) -> list[dict[str, Any]]:
    """Run a SELECT named query and return its rows as ``{variable: term}`` dicts.

    Unbound variables are left out of a row.
    """
    query, terms, union = _bound(name, params)
    return _backend(store).select_dicts(query.text, terms, union=union)
