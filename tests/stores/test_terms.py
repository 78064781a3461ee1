"""Parameters as VALUES blocks: where the block goes and what a hostile value becomes (pure)."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from oncoclaims.backends.terms import GROUPS_ONLY, bind_values, split_prologue, values_block
from oncoclaims.errors import QueryParameterError, QuerySyntaxError

HOSTILE = '" } ; DROP ALL ; #'


def test_a_hostile_literal_stays_one_quoted_term() -> None:
    block = values_block({"text": ox.Literal(HOSTILE)})
    assert block == 'VALUES ($text) { ("\\" } ; DROP ALL ; #") }'
    store = ox.Store()
    store.add(ox.Quad(ox.NamedNode("urn:x:a"), ox.NamedNode("urn:x:p"), ox.Literal(HOSTILE)))
    query = bind_values("SELECT ?s $text WHERE { ?s ?p $text }", {"text": ox.Literal(HOSTILE)})
    assert [row["s"] for row in store.query(query)] == [ox.NamedNode("urn:x:a")]


def test_the_block_opens_the_where_group_not_the_construct_template() -> None:
    query = "CONSTRUCT { ?s ?p $o } WHERE { ?s ?p $o }"
    bound = bind_values(query, {"o": ox.NamedNode("urn:x:o")})
    assert bound == "CONSTRUCT { ?s ?p $o } WHERE { VALUES ($o) { (<urn:x:o>) } ?s ?p $o }"


def test_braces_and_where_in_strings_iris_and_comments_are_not_structure() -> None:
    query = (
        "PREFIX ex: <http://ex.org/WHERE/>\n# WHERE { not here\n"
        'ASK { ?s ex:p "WHERE { }" . ?s ?q $v }'
    )
    bound = bind_values(query, {"v": ox.Literal(1)})
    assert bound.endswith(
        'ASK { VALUES ($v) { ("1"^^<http://www.w3.org/2001/XMLSchema#integer>) }'
        ' ?s ex:p "WHERE { }" . ?s ?q $v }'
    )


def test_a_blank_node_or_a_bad_name_is_refused() -> None:
    with pytest.raises(QueryParameterError, match="cannot be sent"):
        values_block({"v": ox.BlankNode()})  # type: ignore[dict-item]
    with pytest.raises(QueryParameterError, match="not a SPARQL variable"):
        values_block({"v) } DROP ALL": ox.Literal(1)})
    with pytest.raises(QuerySyntaxError, match="no WHERE group"):
        bind_values("CLEAR ALL", {"v": ox.Literal(1)})


def test_the_prologue_is_split_from_the_query() -> None:
    prologue, body = split_prologue("# c\nBASE <http://b/>\nPREFIX a: <http://a/>\nSELECT * {}")
    assert body == "SELECT * {}"
    assert prologue.endswith("PREFIX a: <http://a/>\n")


def test_a_query_whose_nested_groups_bind_every_solution_gets_no_top_block() -> None:
    """``#+ values: groups`` (node_descriptions.rq, story_origin.rq, source_statements.rq):
    the blocks go in the nested groups naming a parameter only, where a server takes a block
    in every group; with the WHERE group only (Virtuoso) it keeps its one block."""
    query = "SELECT $v ?o WHERE { { GRAPH ?g { $v ?p ?o } } UNION { $v ?p ?o } }"
    block = "VALUES ($v) { (<urn:x:v>) }"
    params = {"v": ox.NamedNode("urn:x:v")}
    nested = f"{{ GRAPH ?g {{ {block} $v ?p ?o }} }} UNION {{ {block} $v ?p ?o }}"
    assert bind_values(query, params) == f"SELECT $v ?o WHERE {{ {block} {nested} }}"
    marked = f"{GROUPS_ONLY}\n{query}"
    assert bind_values(marked, params) == f"{GROUPS_ONLY}\nSELECT $v ?o WHERE {{ {nested} }}"
    assert bind_values(marked, params, every_group=False).count("VALUES") == 1
    # a query naming its parameter nowhere below the WHERE group keeps the block there
    assert bind_values(f"{GROUPS_ONLY}\nASK {{ $v ?p ?o }}", params).count("VALUES") == 1
