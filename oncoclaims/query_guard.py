"""The query guard: what a SPARQL query or update would make the server do, decided before it runs.

Three questions, asked of the text a client sent to ``/sparql``:

- **Nesting** (:func:`check_nesting`): pyoxigraph's parser recurses once per bracket, about
  3 KiB of stack each, and overflows a thread's 8 MiB (a segfault) between 2,000 and 3,000
  levels; rdflib's raises ``RecursionError`` near 30. The depth is bounded (:data:`DEFAULT_MAX_NESTING`) by a small
  tokenizer before either parser sees the text. The count is conservative: it errs towards
  deeper. Brackets inside IRIs and comments count when they open and never when they close
  (``<`` may be a less-than and ``#`` may be inside something the tokenizer misread), a
  backslash-escaped bracket (``ex:a\\(``) counts when it opens, and the text is counted both as
  sent and with its ``\\uXXXX`` escapes undone, the larger count deciding. Only string
  literals are skipped, and the raw pass reads them as pyoxigraph does.
- **SERVICE and LOAD** (:func:`inspect_sparql`): decided from the parse tree, not the text.
  rdflib parses the query or update and the tree is searched for ``ServiceGraphPattern``
  (anywhere: OPTIONAL, UNION, subqueries, EXISTS, the WHERE of an update) and ``Load``. A
  text that, once its codepoint escapes are undone, holds neither the word ``service`` nor
  (for updates) ``load`` in any case cannot contain either clause, and is passed without
  parsing (the common case; :func:`may_hold_keyword`). A text that holds the word but that
  rdflib cannot parse is refused (fail closed): it could not be checked.

The parse runs where a crash or a deep recursion cannot hurt the server: in the sandbox
process of :mod:`oncoclaims.api.preflight`, which also has no network. This module is pure.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass

from oncoclaims.errors import QueryRefusedError

__all__ = [
    "DEFAULT_MAX_NESTING",
    "GuardVerdict",
    "check_nesting",
    "inspect_sparql",
    "may_hold_keyword",
    "nesting_depth",
    "undo_codepoint_escapes",
]

#: How deep brackets (``{``, ``(``, ``[``) may nest in a query or update.
DEFAULT_MAX_NESTING = 100

_CODEPOINT = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
_IRI = re.compile(r"""<[^<>"{}|^`\\\x00-\x20]*>""")
_STRINGS = {
    "'''": re.compile(r"'''(?:[^'\\]|\\.|'(?!''))*(?:'''|\Z)", re.DOTALL),
    '"""': re.compile(r'"""(?:[^"\\]|\\.|"(?!""))*(?:"""|\Z)', re.DOTALL),
    "'": re.compile(r"'(?:[^'\\\n\r]|\\.)*'?", re.DOTALL),
    '"': re.compile(r'"(?:[^"\\\n\r]|\\.)*"?', re.DOTALL),
}
_COMMENT = re.compile(r"#[^\n\r]*")
_SPECIAL = re.compile(r"""[{}()\[\]'"\\<#]""")
_OPENERS = "{(["
_CLOSERS = "})]"


@dataclass(frozen=True, slots=True)
class GuardVerdict:
    """What a parsed query or update would do beyond reading the store."""

    service: bool = False
    load: bool = False


def _codepoint(match: re.Match[str]) -> str:
    value = int(match.group(1) or match.group(2), 16)
    return chr(value) if value <= 0x10FFFF else match.group(0)


def undo_codepoint_escapes(text: str) -> str:
    """``text`` with every ``\\uXXXX`` / ``\\UXXXXXXXX`` escape replaced by its character,
    repeated until none is left (an escaped backslash may form a new escape).

    >>> undo_codepoint_escapes(r"\\u0053ERVICE")
    'SERVICE'
    """
    for _ in range(len(text)):
        undone = _CODEPOINT.sub(_codepoint, text)
        if undone == text:
            break
        text = undone
    return text


def may_hold_keyword(text: str, *, update: bool) -> bool:
    """Whether ``text`` could hold ``SERVICE`` (or, in an update, ``LOAD``): a sound pre-check.

    >>> may_hold_keyword("SELECT * { ?s ?p ?o }", update=False)
    False
    >>> may_hold_keyword("SELECT * { \\\\u0073ervice <x> {} }", update=False)
    True
    """
    folded = text.casefold()
    if "\\" in text:
        folded = undo_codepoint_escapes(text).casefold()
    return "service" in folded or (update and "load" in folded)


def _string_end(text: str, start: int) -> int:
    """The index after the string literal opening at ``start`` (the line's or text's end if unclosed)."""
    quote = text[start]
    pattern = _STRINGS[quote * 3 if text.startswith(quote * 3, start) else quote]
    match = pattern.match(text, start)
    return match.end() if match else start + 1


def _depth(text: str) -> int:
    depth = deepest = 0
    index = 0
    length = len(text)
    while True:
        found = _SPECIAL.search(text, index)
        if found is None:
            return deepest
        index = found.start()
        char = text[index]
        if char in _OPENERS:
            depth += 1
            deepest = max(deepest, depth)
        elif char in _CLOSERS:
            depth = max(0, depth - 1)
        elif char in "'\"":
            index = _string_end(text, index)
            continue
        elif char == "\\":  # an escape in a prefixed name: ex:a\( opens nothing, but count it if it might
            if index + 1 < length and text[index + 1] in _OPENERS:
                depth += 1
                deepest = max(deepest, depth)
            index += 2
            continue
        else:  # "<" or "#": inside an IRI or a comment, openers count and closers do not
            region = _IRI.match(text, index) if char == "<" else _COMMENT.match(text, index)
            end = region.end() if region else index + 1
            opened = sum(map(text.count, _OPENERS, itertools.repeat(index), itertools.repeat(end)))
            depth += opened
            deepest = max(deepest, depth)
            index = end
            continue
        index += 1


def nesting_depth(text: str) -> int:
    """How deep brackets nest in ``text``, counted conservatively (module docstring).

    >>> nesting_depth("SELECT * { ?s ?p ?o FILTER(?o > 1) }")
    2
    >>> nesting_depth('SELECT * { ?s ?p ")))" . { ?s ?p ?o } }')
    2
    """
    depth = _depth(text)
    if "\\" in text:
        undone = undo_codepoint_escapes(text)
        if undone != text:
            depth = max(depth, _depth(undone))
    return depth


def check_nesting(text: str, limit: int = DEFAULT_MAX_NESTING, *, what: str = "query") -> int:
    """The nesting depth of ``text``.

    :raises QueryRefusedError: when it is over ``limit``.
    """
    depth = nesting_depth(text)
    if depth > limit:
        raise QueryRefusedError(
            "Query nested too deeply",
            f"the {what} nests brackets ({{ ( [) {depth} deep, counted conservatively (brackets in IRIs "
            f"and comments count when they open); this server accepts at most {limit}. Flatten it "
            f"(join groups, split long expressions), or start the server with a higher limit: "
            f"oncoclaims serve --max-nesting N (or $ONCOCLAIMS_MAX_NESTING)")
    return depth


def _walk_names(tree: object) -> set[str]:
    """The names of every rdflib ``CompValue`` in a parse tree (iterative: trees can be deep)."""
    names: set[str] = set()
    stack = [tree]
    seen: set[int] = set()
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        name = getattr(node, "name", None)
        if isinstance(name, str) and isinstance(node, dict):
            names.add(name)
        if isinstance(node, dict):
            stack.extend(node.values())
        elif isinstance(node, (list, tuple)) or type(node).__name__ == "ParseResults":
            stack.extend(list(node))  # type: ignore[call-overload]
    return names


def inspect_sparql(text: str, *, update: bool) -> GuardVerdict:
    """Whether the query (or update) ``text`` uses ``SERVICE`` (or ``LOAD``), from its parse tree.

    Call :func:`check_nesting` first: the parse recurses once per bracket.

    :raises QueryRefusedError: when ``text`` may hold the keyword but rdflib cannot parse it.
    """
    if not may_hold_keyword(text, update=update):
        return GuardVerdict()
    from rdflib.plugins.sparql import (
        parser,  # imported on first use: the common case never needs it
    )

    try:
        tree = parser.parseUpdate(text) if update else parser.parseQuery(text)
    except Exception as exc:  # (pyparsing, RecursionError, rdflib's own: all mean "unchecked")
        kind = "update" if update else "query"
        keywords = "SERVICE or LOAD" if update else "SERVICE"
        raise QueryRefusedError(
            f"{kind.capitalize()} could not be checked",
            f"the {kind} holds the word {'service or load' if update else 'service'} and could not be "
            f"parsed to check whether it uses {keywords}, which this server refuses unless it runs "
            f"with --allow-service; the checking parser said: {type(exc).__name__}: "
            f"{str(exc)[:300]}") from exc
    names = _walk_names(tree)
    return GuardVerdict(service="ServiceGraphPattern" in names, load="Load" in names)
