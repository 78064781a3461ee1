"""Named queries: headers, parameters, binding by substitution only."""

from __future__ import annotations

import re
from importlib import resources

import pyoxigraph as ox
import pytest

from oncoclaims import queries
from oncoclaims.errors import QueryParameterError, UnknownQueryError
from oncoclaims.graph.store import ClaimStore
from oncoclaims.iris import mint_iri

HOSTILE = '" } ; DROP ALL ; #'
SAMPLE_VALUES = {
    "IRI": mint_iri("therapy", "Enteromix").value,
    "string": "Enteromix",
    "integer": 3,
    "decimal": 1.5,
    "boolean": True,
    "date": "2024-01-31",
}


@pytest.mark.parametrize("name", queries.query_names())
def test_every_query_has_a_summary_and_matching_params(name: str) -> None:
    query = queries.load_query(name)
    assert query.summary, f"{name}.rq has no '#+ summary:' line"
    assert "params" in query.header, f"{name}.rq has no '#+ params:' line"


@pytest.mark.parametrize("name", queries.query_names())
def test_every_query_parses_and_runs_on_the_reference_graph(name: str, store: ClaimStore) -> None:
    query = queries.load_query(name)
    params = {key: SAMPLE_VALUES[kind] for key, kind in query.params.items()}
    result = queries.run(store, name, **params)
    list(result)  # evaluation errors surface while iterating


@pytest.mark.parametrize("name", queries.query_names())
def test_every_parameter_is_projected(name: str) -> None:
    """pyoxigraph only substitutes variables that a SELECT projects."""
    query = queries.load_query(name)
    if not re.search(r"^\s*SELECT", query.text, re.MULTILINE | re.IGNORECASE):
        pytest.skip("not a SELECT query")
    if query.header.get("binding") == "values":
        pytest.skip("its parameters are bound as VALUES, not substituted")
    select_clause = re.search(r"SELECT(.*?)WHERE", query.text, re.DOTALL | re.IGNORECASE)
    assert select_clause is not None
    for param in query.params:
        assert f"${param}" in select_clause.group(1), f"{name}.rq does not project ${param}"


@pytest.mark.parametrize("name", queries.query_names())
def test_hostile_string_values_are_bound_as_data(name: str, store: ClaimStore) -> None:
    """A value that would end the query if formatted into it comes back as plain data."""
    query = queries.load_query(name)
    params = {
        key: (HOSTILE if kind in {"string", "IRI"} else SAMPLE_VALUES[kind])
        for key, kind in query.params.items()
        if kind != "IRI"
    }
    params.update(
        {key: "urn:x:" + "%22%20%7D" for key, kind in query.params.items() if kind == "IRI"}
    )
    before = len(store)
    list(queries.run(store, name, **params))
    assert len(store) == before


def test_search_returns_the_hostile_value_as_a_bound_literal(store: ClaimStore) -> None:
    solutions = queries.run(store, "search_claims", text=HOSTILE)
    assert [v.value for v in solutions.variables][0] == "text"
    assert list(solutions) == []
    rows = queries.select(store, "search_claims", text="60 to 80")
    assert len(rows) == 1
    assert rows[0]["text"] == ox.Literal("60 to 80")


def test_query_text_is_never_built_with_string_formatting() -> None:
    """Query text must only be read from files and run; never formatted with values."""
    source = (resources.files("oncoclaims.queries") / "__init__.py").read_text(encoding="utf-8")
    assert "query.text" in source
    for pattern in (r"query\.text\s*%", r"query\.text\.format", r"query\.text\.replace", r"f\"\"\"\s*SELECT"):
        assert not re.search(pattern, source), pattern


def test_unknown_query_names_the_known_ones(store: ClaimStore) -> None:
    with pytest.raises(UnknownQueryError, match="claims_about_therapy"):
        queries.run(store, "no_such_query")


def test_missing_and_unknown_parameters_are_reported(store: ClaimStore) -> None:
    with pytest.raises(QueryParameterError, match="needs parameter claim"):
        queries.run(store, "claim_sources")
    with pytest.raises(QueryParameterError, match="has no parameter nonsense"):
        queries.run(store, "claim_sources", claim="urn:x:1", nonsense=1)


def test_bad_iri_parameter_is_a_parameter_error(store: ClaimStore) -> None:
    with pytest.raises(QueryParameterError, match="not a valid IRI"):
        queries.run(store, "claim_sources", claim="not an iri with spaces")


def test_claims_about_enteromix(store: ClaimStore) -> None:
    rows = queries.select(store, "claims_about_therapy", therapy=mint_iri("therapy", "Enteromix"))
    labels = {row["label"].value for row in rows}
    assert "Enteromix: total effectiveness against certain cancers" in labels
    assert len(rows) == 13


def test_a_claim_stated_in_many_graphs_is_one_row_of_claims() -> None:
    """Each story that states a claim repeats its label, text, type and therapy in its own graph:
    the list must not multiply them (30 graphs made 30^4 rows before each value was taken once)."""
    import pyoxigraph as ox

    from oncoclaims import queries as named

    oc, schema = "https://w3id.org/oncoclaims/vocab#", "https://schema.org/"
    claim = ox.NamedNode("https://w3id.org/oncoclaims/id/claim/x")
    store = ox.Store()
    for n in range(30):
        graph = ox.NamedNode(f"https://w3id.org/oncoclaims/graph/news/{n}")
        store.extend([
            ox.Quad(claim, ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"), ox.NamedNode(oc + "Claim"), graph),
            ox.Quad(claim, ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label"), ox.Literal("X works"), graph),
            ox.Quad(claim, ox.NamedNode(schema + "text"), ox.Literal("X works."), graph),
            ox.Quad(claim, ox.NamedNode(oc + "claimType"), ox.NamedNode(oc + "claim-efficacy"), graph),
            ox.Quad(claim, ox.NamedNode(oc + "about"), ox.NamedNode("https://w3id.org/oncoclaims/id/therapy/x"), graph),
        ])
    assert len(named.select(store, "claims")) == 1
