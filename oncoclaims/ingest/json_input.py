"""Reading JSON and JSON Lines input: UTF-8 text, and parse errors with file, line and column.

Every JSON reader goes through these, so ``json.JSONDecodeError`` and
``UnicodeDecodeError`` never escape the package: they become a
:class:`~oncoclaims.errors.ParseError` that says where the input is broken.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from oncoclaims.errors import ParseError, SourceLocation

__all__ = [
    "decode_text",
    "is_json_lines",
    "iter_json_lines",
    "load_json",
    "nesting_depth",
]


def decode_text(data: bytes, origin: str) -> str:
    """Decode ``data`` as UTF-8 (a byte-order mark is allowed).

    :raises ParseError: at the line and column of the first byte that is not UTF-8.
    """
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        raise ParseError(
            SourceLocation(origin, line, column),
            f"byte 0x{data[exc.start]:02x} is not UTF-8 text; re-save the file as UTF-8",
        ) from exc


def nesting_depth(text: str) -> tuple[int, int]:
    """The deepest nesting of arrays and objects in JSON ``text``, and the offset where it is.

    >>> nesting_depth('{"a": [[1], "]]]"]}')
    (3, 7)
    """
    depth = deepest = at = 0
    in_string = escaped = False
    for offset, char in enumerate(text):
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            if depth > deepest:
                deepest, at = depth, offset
        elif char in "]}":
            depth -= 1
    return deepest, at


def load_json(text: str, origin: str, *, line: int = 1, record_id: str | None = None) -> Any:
    """Parse one JSON document.

    :param line: the line ``text`` starts on in the file (for JSON Lines).
    :raises ParseError: at the line and column where the JSON breaks; a document that
        stops early is reported as probably truncated; one nested deeper than Python's
        parser goes (about a thousand levels) with its depth.
    """
    try:
        return json.loads(text)
    except RecursionError:
        depth, offset = nesting_depth(text)
        raise ParseError(
            SourceLocation(origin, line + text.count("\n", 0, offset), None, record_id),
            f"the JSON is nested {depth} levels deep, deeper than oncoclaims reads "
            "(no real record nests more than a few dozen levels)",
        ) from None
    except json.JSONDecodeError as exc:
        # A file cut short fails at its very end, or inside a string that never closes.
        at_end = not text[exc.pos :].strip() or (
            exc.msg.startswith("Unterminated string") and '"' not in text[exc.pos + 1 :]
        )
        hint = (
            "the JSON ends before it is complete; is the file truncated?"
            if at_end
            else f"invalid JSON: {exc.msg}"
        )
        raise ParseError(
            SourceLocation(origin, line + exc.lineno - 1, exc.colno, record_id), hint
        ) from exc


def is_json_lines(text: str) -> bool:
    """Whether ``text`` is JSON Lines: a first line that is a whole JSON object, and more lines."""
    stripped = text.lstrip()
    first, _, rest = stripped.partition("\n")
    if not rest.strip() or not first.rstrip().endswith("}"):
        return False
    try:
        return isinstance(json.loads(first), dict)
    except (json.JSONDecodeError, RecursionError):
        return False


def _lines(text: str) -> Iterator[str]:
    """The lines of ``text`` one at a time (``splitlines()`` would copy them all at once)."""
    start = 0
    while start < len(text):
        end = text.find("\n", start)
        if end < 0:
            end = len(text)
        yield text[start:end]
        start = end + 1


def iter_json_lines(text: str, origin: str) -> Iterator[tuple[int, Any]]:
    """Yield ``(line number, parsed value)`` for every non-blank line.

    :raises ParseError: for a line that is not valid JSON, with its line and column.
    """
    for number, raw in enumerate(_lines(text), start=1):
        if raw.strip():
            yield number, load_json(raw, origin, line=number)
