"""The query guard on its own (pure): nesting counted conservatively, SERVICE and LOAD found in
the parse tree, and property tests that SERVICE spliced into any valid place is caught and that
random text only ever meets clean errors.

``ONCOCLAIMS_FUZZ_EXAMPLES=N`` runs the property tests with N examples each instead of the
bounded default (docs/query-guard.md, "Fuzzing").
"""

from __future__ import annotations

import os

import pyoxigraph as ox
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from oncoclaims.api.preflight import PASSED, REFUSED, SYNTAX, preflight
from oncoclaims.query_guard import (
    GuardVerdict,
    check_nesting,
    inspect_sparql,
    may_hold_keyword,
    nesting_depth,
)
from oncoclaims.errors import QueryRefusedError

EXAMPLES = int(os.environ.get("ONCOCLAIMS_FUZZ_EXAMPLES", "200"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@pytest.mark.parametrize(("text", "depth"), [
    ("SELECT * { ?s ?p ?o }", 1),
    ("SELECT * { { ?s ?p ?o } }", 2),
    ('SELECT * { ?s ?p "{{{{" }', 1),
    ("SELECT * { ?s ?p '''a ' }}}} ''' . { } }", 2),
    ('SELECT * { ?s ?p "\\"{{" }', 1),
    ("SELECT * { ?s ?p ?o } # {{{{", 4),  # openers in comments count
    ("SELECT * { ?s ?p ?o # }}}}\n { } }", 2),  # closers in comments do not
    ("SELECT * { <http://x/a(b(c> ?p ?o }", 3),  # openers in IRIs count
    ("SELECT * { <http://x/a#((> ?p ?o }", 3),  # an IRI's # starts no comment
    ("PREFIX ex: <http://x/> SELECT * { ex:a\\#b ?p ( ( ) ) }", 3),  # \# starts no comment
    ("PREFIX ex: <http://x/> SELECT * { ex:a\\(b ?p ?o }", 2),  # an escaped opener counts
    ("SELECT * { ?s ?p ?o FILTER(?s < ?o) }", 2),
    ("}}}} SELECT * { }", 1),  # never below zero
])
def test_nesting_is_counted_conservatively(text: str, depth: int) -> None:
    assert nesting_depth(text) == depth


def test_codepoint_escapes_are_counted_both_ways() -> None:
    # as sent: one level; with \u007B read as '{': three
    assert nesting_depth("SELECT * { \\u007B\\u007B }") == 3


def test_check_nesting_refuses_past_the_limit() -> None:
    assert check_nesting("SELECT * " + "{" * 5 + "}" * 5, 5) == 5
    with pytest.raises(QueryRefusedError, match="6 deep") as refused:
        check_nesting("SELECT * " + "{" * 6 + "}" * 6, 5, what="update")
    assert refused.value.title == "Query nested too deeply" and "update nests" in str(refused.value)


@pytest.mark.parametrize(("text", "update", "expected"), [
    ("SELECT * { ?s ?p ?o }", False, False),
    ("SELECT * { SERVICE <x> {} }", False, True),
    ("SELECT * { \\u0073ervice <x> {} }", False, True),
    ("SELECT * { \\u005Cu0073ervice <x> {} }", False, True),  # an escape that makes an escape
    ("SELECT * { \u017fervice <x> {} }", False, True),  # long s: casefolds to "service"
    ("LOAD <x>", True, True),
    ("LOAD <x>", False, False),  # a query cannot LOAD
    ("INSERT DATA { <a> <b> <c> }", True, False),
])
def test_the_fast_path_passes_only_texts_without_the_words(text: str, update: bool, expected: bool) -> None:
    assert may_hold_keyword(text, update=update) is expected


@pytest.mark.parametrize("query", [
    "SELECT ?service WHERE { ?service ?p ?o }",
    "PREFIX service: <http://example.org/> SELECT * { ?s service:p ?o }",
    "PREFIX ex: <http://example.org/> SELECT * { ?s ex:SERVICE ?o . _:SERVICE ?p ?o }",
    "SELECT * { <http://example.org/SERVICE> ?p ?o }",
    'SELECT * { ?s ?p "SERVICE <http://example.org/> {" }',
    "SELECT * { ?s ?p '''it's a SERVICE <x> { }''' }",
    'SELECT * { ?s ?p """say \\"SERVICE <x> {\\" """ }',
    "SELECT * { ?s ?p ?o FILTER(?s < ?o) } # SERVICE <http://example.org/> { }",
])
def test_the_word_elsewhere_is_no_service_clause(query: str) -> None:
    assert inspect_sparql(query, update=False) == GuardVerdict()
    ox.Store().query(query)  # and each is a query pyoxigraph runs


@pytest.mark.parametrize(("update", "verdict"), [
    ("LOAD <http://example.org/a>", GuardVerdict(load=True)),
    ("LOAD SILENT <http://example.org/a> INTO GRAPH <http://example.org/g>", GuardVerdict(load=True)),
    ("INSERT DATA { <http://a/s> <http://a/p> 1 } ; load <http://example.org/a>", GuardVerdict(load=True)),
    ("INSERT { ?s ?p ?o } WHERE { SERVICE <http://a/> { ?s ?p ?o } }", GuardVerdict(service=True)),
    ("INSERT DATA { <http://a/load> <http://a/service> 'LOAD <x>' }", GuardVerdict()),
])
def test_updates_are_judged_from_their_parse_tree(update: str, verdict: GuardVerdict) -> None:
    assert inspect_sparql(update, update=True) == verdict


def test_a_text_with_the_word_that_does_not_parse_is_refused() -> None:
    with pytest.raises(QueryRefusedError, match="could not be parsed to check") as refused:
        inspect_sparql("PREFIX ex: <http://x/> SELECT * { BIND(ex:a\\#b AS ?v) SERVICE <http://a/> {} }",
                       update=False)
    assert refused.value.title == "Query could not be checked"


# -- property tests -------------------------------------------------------------------------

_LETTERS = "SERVICE"


@st.composite
def _keyword(draw: st.DrawFn) -> str:
    """SERVICE in any case, its first letter possibly written as a \\u escape (pyoxigraph 0.5
    accepts an escape there, not further in the keyword)."""
    letters = [letter if draw(st.booleans()) else letter.lower() for letter in _LETTERS]
    if letters[0] == "S" and draw(st.booleans()):  # (and only as \\u0053, upper case)
        letters[0] = "\\u0053"
    return "".join(letters)


_SPACE = st.sampled_from([" ", "\n", "\t", " # a comment with } and SERVICE\n", "  "])
_ENDPOINT = st.sampled_from(["<http://127.0.0.1:9/sparql>", "?endpoint", "ex:remote", "<http://a/#x>"])
_WRAPPERS = [
    "{{ {} }}",
    "OPTIONAL {{ {} }}",
    "{{ ?a ?b ?c }} UNION {{ {} }}",
    "{{ SELECT * {{ {} }} }}",
    "FILTER EXISTS {{ {} }}",
    "FILTER NOT EXISTS {{ {} }}",
    "MINUS {{ {} }}",
    "GRAPH ?g {{ {} }}",
    "?s ex:a\\#b ?o . {}",
    "BIND(ex:a\\#b AS ?v) {}",
    "?s ?p \"}}'\" . {}",
]


@st.composite
def _service_query(draw: st.DrawFn) -> str:
    space = draw(_SPACE)
    silent = draw(st.sampled_from(["", "SILENT ", "silent "]))
    pattern = f"{draw(_keyword())}{space}{silent}{draw(_ENDPOINT)}{draw(_SPACE)}{{ ?s ?p ?o }}"
    for _ in range(draw(st.integers(0, 4))):
        pattern = draw(st.sampled_from(_WRAPPERS)).format(pattern)
    # (no ASK: pyoxigraph evaluates it at once, and this test checks syntax without evaluating)
    form = draw(st.sampled_from(["SELECT * WHERE {{ {} }}", "CONSTRUCT {{ ?s ?p ?o }} WHERE {{ {} }}"]))
    return "PREFIX ex: <http://example.org/> " + form.format(pattern)


@FUZZ
@given(_service_query())
def test_service_spliced_into_a_valid_place_is_always_caught(query: str) -> None:
    try:
        ox.Store().query(query)  # the generator makes queries pyoxigraph accepts (lazily: nothing runs)...
    except SyntaxError:
        return  # (a combination it does not: nothing to catch)
    except OSError:
        pass  # evaluated after all: port 9 is one pyoxigraph refuses to connect to
    try:
        verdict = inspect_sparql(query, update=False)
    except QueryRefusedError:
        return  # unchecked: refused, which is also caught
    assert verdict.service, query
    assert preflight(("query", query, None, True))[:1] == REFUSED


@FUZZ
@given(st.text(alphabet=st.sampled_from(list("SELECTservice LOAD{}()[]<>'\"#\\?:.;u0053x\n")), max_size=200),
       st.booleans())
def test_random_text_meets_only_clean_errors(text: str, update: bool) -> None:
    assert nesting_depth(text) >= 0
    try:
        inspect_sparql(text, update=update)
    except QueryRefusedError:
        pass
    assert preflight(("update" if update else "query", text, None, True))[:1] in (PASSED, REFUSED, SYNTAX)


@FUZZ
@given(st.text(max_size=300), st.booleans())
def test_any_unicode_meets_only_clean_errors(text: str, update: bool) -> None:
    assert nesting_depth(text) >= 0
    try:
        inspect_sparql(text, update=update)
    except QueryRefusedError:
        pass


_NOISE = st.sampled_from(["", " ", ' ")" ', " ')' ", " # )\n", " <http://x/)> ", ' """ ) """ ', " ?x "])


@st.composite
def _nested(draw: st.DrawFn) -> tuple[str, int]:
    """A text with brackets nested exactly ``depth`` deep, with closers in strings, comments, IRIs."""
    depth = draw(st.integers(1, 30))
    text = ""
    for _ in range(depth):
        text = draw(st.sampled_from(["{{{}}}", "({})", "[{}]"])).format(draw(_NOISE) + text + draw(_NOISE))
    return text, depth


@FUZZ
@given(_nested())
def test_nesting_is_never_undercounted(case: tuple[str, int]) -> None:
    text, depth = case
    assert nesting_depth(text) >= depth


def test_the_sandbox_parses_even_when_the_base_iri_is_refused() -> None:
    # pyoxigraph checks the base IRI (from the client's Host header) before it parses the text
    assert preflight(("query", "SELECT * {", "http://bad host/", True))[:1] == SYNTAX
    assert preflight(("update", "INSERT DATA {", "http://bad host/", True))[:1] == SYNTAX
    assert preflight(("query", "SELECT * { }", "http://bad host/", True)) == PASSED
