"""The embedded RDF store: one pyoxigraph ``Store``, on disk by default.

Each source's statements live in a named graph of their own. Every write goes through
:meth:`ClaimStore.extend`: a batch is written whole or not at all, even when the iterator
that produces it raises halfway. Readers keep working on their snapshot while a write runs.

Small batches (up to :data:`SPILL_THRESHOLD` quads) are one pyoxigraph transaction.
Larger ones go to pyoxigraph's bulk loader in files of a few hundred thousand quads, on a
thread of their own, while the rest of the batch is still being produced; if producing it
fails, or the process dies, what was loaded is taken back
(:mod:`oncoclaims.graph.streaming_load`). Memory is bounded by the chunk size, not by the
batch. The price: readers may see a large batch in part while it loads.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterable, Iterator
from pathlib import Path

import pyoxigraph as ox

from oncoclaims.errors import ConfigError, ParseError, SourceLocation, StoreError
from oncoclaims.graph.streaming_load import load_streaming, recover_interrupted_batches
from oncoclaims.xml_guard import refuse_xml_entities

__all__ = [
    "DEFAULT_STORE_ENV",
    "RDF_FORMATS",
    "SPILL_THRESHOLD",
    "ClaimStore",
    "default_store_path",
    "rdf_format_for",
]

#: Environment variable that overrides the default on-disk store location.
DEFAULT_STORE_ENV = "ONCOCLAIMS_STORE"

#: Batches larger than this many quads go to the bulk loader in chunks (see above).
SPILL_THRESHOLD = 100_000

#: File suffix -> pyoxigraph format, for the RDF formats we load and dump.
RDF_FORMATS: dict[str, ox.RdfFormat] = {
    ".ttl": ox.RdfFormat.TURTLE,
    ".trig": ox.RdfFormat.TRIG,
    ".nt": ox.RdfFormat.N_TRIPLES,
    ".nq": ox.RdfFormat.N_QUADS,
    ".jsonld": ox.RdfFormat.JSON_LD,
    ".json": ox.RdfFormat.JSON_LD,
    ".rdf": ox.RdfFormat.RDF_XML,
    ".owl": ox.RdfFormat.RDF_XML,
    ".xml": ox.RdfFormat.RDF_XML,
    ".n3": ox.RdfFormat.N3,
}


def default_store_path() -> Path:
    """Return the on-disk store location: ``$ONCOCLAIMS_STORE``, else ``~/.local/share/oncoclaims/store``.

    ``$XDG_DATA_HOME`` is honoured in place of ``~/.local/share``.
    """
    override = os.environ.get(DEFAULT_STORE_ENV)
    if override:
        return Path(override).expanduser()
    data_home = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(data_home) / "oncoclaims" / "store"


def rdf_format_for(path: str | Path) -> ox.RdfFormat:
    """Return the RDF format of a file from its suffix.

    :raises ConfigError: when the suffix names no RDF format we read.
    """
    suffix = Path(path).suffix.lower()
    try:
        return RDF_FORMATS[suffix]
    except KeyError:
        known = ", ".join(sorted(RDF_FORMATS))
        raise ConfigError(
            f"{path}: cannot tell the RDF format from the suffix {suffix!r}; use one of {known}"
        ) from None


class ClaimStore:
    """An oncoclaims graph store wrapping one pyoxigraph ``Store``.

    >>> store = ClaimStore.in_memory()
    >>> len(store)
    0
    """

    def __init__(self, inner: ox.Store, path: Path | None = None) -> None:
        self._store = inner
        self.path = path
        #: What opening the store recovered from a crashed batch, one message per batch
        #: naming its input (:func:`~oncoclaims.graph.streaming_load.recover_interrupted_batches`).
        self.recovered: list[str] = []

    @classmethod
    def in_memory(cls) -> ClaimStore:
        """Open a fresh store that lives in memory (for tests and one-off work)."""
        return cls(ox.Store())

    @classmethod
    def open(cls, path: str | Path | None = None) -> ClaimStore:
        """Open (creating if needed) the on-disk store at ``path`` or the default location.

        A large batch that a crashed process left in part is taken back or finished first
        (:attr:`recovered` says which).

        :raises StoreError: when the directory cannot be created or is locked by another process.
        """
        target = Path(path) if path is not None else default_store_path()
        try:
            target.mkdir(parents=True, exist_ok=True)
            opened = cls(ox.Store(str(target)), target)
        except OSError as exc:
            raise StoreError(
                f"cannot open the store at {target}: {exc}. Is another oncoclaims process "
                f"using it? Pass another location with --store or ${DEFAULT_STORE_ENV}."
            ) from exc
        opened.recovered = recover_interrupted_batches(opened.inner)
        return opened

    @property
    def inner(self) -> ox.Store:
        """The wrapped pyoxigraph store, for queries and serialisation."""
        return self._store

    def __len__(self) -> int:
        return len(self._store)

    def __iter__(self) -> Iterator[ox.Quad]:
        return iter(self._store)

    def is_empty(self) -> bool:
        """Whether the store holds no quad at all (one look, whatever its size: ``len`` counts
        every quad, seconds on a store of tens of millions)."""
        return next(iter(self._store.quads_for_pattern(None, None, None, None)), None) is None

    def extend(self, quads: Iterable[ox.Quad], origin: str | None = None) -> int:
        """Add ``quads``: all of them, or none if the iterable raises or the process dies.

        ``origin`` names the input of a large batch if it must be recovered after a crash.

        Quads already present are left as they are, so writing a batch twice changes nothing.
        Batches over :data:`SPILL_THRESHOLD` quads go to the bulk loader in chunks
        (module docstring).

        :returns: how many of ``quads`` were not in the store. A batch of one transaction is
            counted quad by quad (a lookup each, so the count costs time in proportion to the
            batch, not to the store); a spilled batch from the store's size before and after.
        """
        remaining = iter(quads)
        head: list[ox.Quad] = []
        for quad in remaining:
            head.append(quad)
            if len(head) >= SPILL_THRESHOLD:
                before = len(self._store)
                directory = self.path.parent if self.path is not None else None
                load_streaming(self._store, itertools.chain(head, remaining), directory, origin)
                return len(self._store) - before
        new = {quad for quad in head if quad not in self._store}
        self._store.extend(head)
        return len(new)

    def remove_graph(self, graph: ox.NamedNode) -> None:
        """Remove one named graph and everything in it."""
        if graph in set(self._store.named_graphs()):
            self._store.remove_graph(graph)

    def named_graphs(self) -> list[ox.NamedNode | ox.BlankNode]:
        """List the named graphs in the store."""
        return list(self._store.named_graphs())

    def quads(
        self,
        subject: ox.NamedNode | ox.BlankNode | None = None,
        predicate: ox.NamedNode | None = None,
        obj: ox.NamedNode | ox.BlankNode | ox.Literal | None = None,
        graph: ox.NamedNode | ox.BlankNode | ox.DefaultGraph | None = None,
    ) -> Iterator[ox.Quad]:
        """Iterate over the quads matching a pattern (``None`` matches anything)."""
        return iter(self._store.quads_for_pattern(subject, predicate, obj, graph))

    def flush(self) -> None:
        """Make sure everything written so far is on disk."""
        if self.path is not None:
            self._store.flush()

    def close(self) -> None:
        """Flush and release the store, so another process (or object) can open the directory.

        pyoxigraph has no ``close``: the on-disk lock goes when the last reference to the
        ``Store`` does. Dropping ours here means a traceback that still refers to this
        object does not keep the lock.
        """
        if self._store is None:
            return
        self.flush()
        self._store = None  # type: ignore[assignment]

    def __enter__(self) -> ClaimStore:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def parse_rdf(
    data: bytes,
    fmt: ox.RdfFormat,
    origin: str,
    graph: ox.NamedNode | None = None,
    base_iri: str | None = None,
) -> list[ox.Quad]:
    """Parse RDF ``data`` fully into quads, translating parser errors to :class:`ParseError`.

    RDF/XML is checked first for DTDs and entities (:mod:`oncoclaims.xml_guard`):
    pyoxigraph would expand them without limit.

    :raises ParseError: with file, line and column, when ``data`` does not parse or is
        RDF/XML that declares entities.
    """
    if fmt == ox.RdfFormat.RDF_XML:
        refuse_xml_entities(data, origin)
    try:
        parsed = ox.parse(
            data,
            format=fmt,
            base_iri=base_iri,
            without_named_graphs=False,
        )
        quads = []
        for quad in parsed:
            if graph is not None and isinstance(quad.graph_name, ox.DefaultGraph):
                quad = ox.Quad(quad.subject, quad.predicate, quad.object, graph)
            quads.append(quad)
        return quads
    except SyntaxError as exc:
        location = SourceLocation(origin, exc.lineno, exc.offset)
        message = str(exc.msg) if exc.msg else str(exc)
        raise ParseError(location, f"not valid {fmt.name}: {message}") from exc
    except UnicodeDecodeError as exc:
        raise ParseError(SourceLocation(origin), f"not UTF-8 text: {exc}") from exc
