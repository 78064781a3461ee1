"""Every exception oncoclaims raises on purpose.

The tree::

    OncoclaimsError
    ├── IngestError
    │   ├── FormatError          input is not in a format we read (or not the one asked for)
    │   ├── ParseError           the file is broken at a location (file, line, column)
    │   ├── RecordError          one record is unusable (missing id, bad field)
    │   └── FetchError           a public API did not give the records asked for
    ├── QueryError
    │   ├── UnknownQueryError    no named query of that name
    │   ├── QueryParameterError  a parameter is missing, unknown or of the wrong kind
    │   ├── QuerySyntaxError     SPARQL text that does not parse
    │   ├── QueryRefusedError    SPARQL the server will not run (SERVICE, LOAD, too deep, unchecked)
    │   └── QueryLimitError      a query ran over its time or result-size limit
    │       ├── QueryTimeoutError    past the time limit (the server answers 503)
    │       ├── ResultTooLargeError  a serialised result over the size limit (the server answers 500)
    │       └── ServerBusyError      refused at once: too many waiting or long queries (503, Retry-After)
    ├── NotFoundError            a claim, node or graph that is not in the store
    ├── ShapeViolationError      data that breaks the SHACL shapes
    ├── StoreError               the store cannot be opened or written
    ├── ExportError              an export that cannot be written faithfully
    ├── ReviewError              a review of a candidate that cannot be recorded
    └── ConfigError              a setting that cannot be used

Dependency errors (pyoxigraph ``SyntaxError``, ``json.JSONDecodeError``, lxml errors)
are translated into these at one boundary each, with ``raise ... from exc``. Messages
say what is wrong, where, and what to do about it.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "ConfigError",
    "ExportError",
    "FetchError",
    "FormatError",
    "IngestError",
    "NotFoundError",
    "OncoclaimsError",
    "ParseError",
    "QueryError",
    "QueryLimitError",
    "QueryParameterError",
    "QueryRefusedError",
    "QuerySyntaxError",
    "QueryTimeoutError",
    "RecordError",
    "ResultTooLargeError",
    "ServerBusyError",
    "ReviewError",
    "ShapeViolationError",
    "SourceLocation",
    "StoreError",
    "UnknownQueryError",
]


@dataclass(frozen=True, slots=True)
class SourceLocation:
    """Where in an input something is: file, 1-based line and column, record id."""

    file: str
    line: int | None = None
    column: int | None = None
    record_id: str | None = None

    def __str__(self) -> str:
        text = self.file
        if self.line is not None:
            text += f":{self.line}"
            if self.column is not None:
                text += f":{self.column}"
        if self.record_id is not None:
            text += f" record {self.record_id}"
        return text


class OncoclaimsError(Exception):
    """Base class of every error oncoclaims raises on purpose."""


class IngestError(OncoclaimsError):
    """An input could not be ingested; nothing of its batch was written."""


class FormatError(IngestError, ValueError):
    """The input is not in a format oncoclaims reads, or not in the one asked for."""


class _LocatedError(IngestError, ValueError):
    """An ingest error that knows where in the input it happened."""

    def __init__(self, location: SourceLocation, message: str) -> None:
        self.location = location
        self.reason = message
        super().__init__(f"{location}: {message}")


class ParseError(_LocatedError):
    """The input is broken at a location (invalid JSON, XML, Turtle, CSV...)."""


class RecordError(_LocatedError):
    """One record of an otherwise readable input cannot be used."""


class FetchError(IngestError):
    """A live fetch failed: the service refused, kept failing, or answered nonsense."""


class QueryError(OncoclaimsError):
    """A query could not be run."""


class UnknownQueryError(QueryError, KeyError):
    """There is no named query with that name."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


class QueryParameterError(QueryError, ValueError):
    """A named query's parameter is missing, unknown or of the wrong kind."""


class QuerySyntaxError(QueryError, ValueError):
    """SPARQL text that does not parse; the message is the parser's."""


class QueryRefusedError(QueryError, ValueError):
    """SPARQL the server refuses to run (the server answers 400); ``title`` names the reason."""

    def __init__(self, title: str, message: str) -> None:
        self.title = title
        super().__init__(message)


class QueryLimitError(QueryError):
    """A query ran over its time limit or its result-size limit."""


class QueryTimeoutError(QueryLimitError):
    """A query was stopped because it ran past the time limit; ``limit`` is in seconds."""

    def __init__(self, message: str, limit: float) -> None:
        self.limit = limit
        super().__init__(message)


class ResultTooLargeError(QueryLimitError):
    """A query's serialised result went over the size limit; ``limit`` is in bytes."""

    def __init__(self, message: str, limit: int) -> None:
        self.limit = limit
        super().__init__(message)


class ServerBusyError(QueryLimitError):
    """A query refused (or stopped) at once because the server is busy; try again after ``retry_after`` s."""

    def __init__(self, message: str, retry_after: int) -> None:
        self.retry_after = retry_after
        super().__init__(message)


class NotFoundError(OncoclaimsError, LookupError):
    """A claim, node or graph that is not in the store."""


class ShapeViolationError(OncoclaimsError, ValueError):
    """Data that breaks the SHACL shapes; ``violations`` lists each one."""

    def __init__(self, message: str, violations: list[str] | None = None) -> None:
        self.violations = violations or []
        super().__init__(message)


class StoreError(OncoclaimsError, OSError):
    """The store cannot be opened, read or written."""


class ExportError(OncoclaimsError):
    """An export that cannot be written faithfully (for instance two nodes whose GraphML ids collide)."""


class ReviewError(OncoclaimsError, ValueError):
    """A review of a candidate that cannot be recorded (unknown verdict, a record that is not evidence)."""


class ConfigError(OncoclaimsError, ValueError):
    """A setting (option, environment variable) that cannot be used."""
