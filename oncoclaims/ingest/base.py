"""The one interface every input format goes through.

An :class:`Ingester` turns ``bytes`` plus an origin name into records
(:meth:`Ingester.records`, parse only, no I/O), and each record into quads
(:meth:`Ingester.to_quads`, a pure mapping). :func:`oncoclaims.ingest.ingest` is the
only place that reads files; it writes each batch with one atomic ``store.extend``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, ClassVar, Protocol, runtime_checkable

from pyoxigraph import NamedNode, Quad

from oncoclaims.errors import SourceLocation

__all__ = [
    "Ingester",
    "SourceLocation",
    "SourceRecord",
]


@dataclass(frozen=True, slots=True)
class SourceRecord:
    """One record of an input, parsed but not yet mapped to RDF.

    :param location: where the record is (file, line, record id), for error messages.
    :param kind: what the record is in its format (``study``, ``article``, ``row``...).
    :param data: the parsed content, as the ingester's own ``to_quads`` expects it.
    :param graph: the named graph its statements go to.
    :param warnings: things worth telling the user that did not stop the record.
    """

    location: SourceLocation
    kind: str
    data: Any
    graph: NamedNode
    warnings: tuple[str, ...] = field(default_factory=tuple)


@runtime_checkable
class Ingester(Protocol):
    """A reader of one input format."""

    #: Short name of the format, as the user types it (``clinicaltrials-json``).
    name: ClassVar[str]
    #: File suffixes that suggest this format (detection looks at content too).
    suffixes: ClassVar[tuple[str, ...]]

    def sniff(self, data: bytes, origin: str) -> bool:
        """Whether ``data`` looks like this format, judged from its content.

        ``origin`` (the file name) may break a tie when the content alone is ambiguous,
        as with N-Triples; a suffix alone never makes content of another format match.
        """
        ...

    def records(self, data: bytes, origin: str) -> Iterator[SourceRecord]:
        """Parse ``data`` (read from ``origin``) into records; no I/O.

        :raises ParseError: when the input is broken, with its location.
        :raises RecordError: when one record cannot be used, with its location.
        """
        ...

    def to_quads(self, record: SourceRecord) -> Iterator[Quad]:
        """Map one record to quads; pure."""
        ...
