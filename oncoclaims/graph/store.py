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
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import IO

import pyoxigraph as ox

from oncoclaims.backends.base import Backend, Object, Params, Position, Rows
from oncoclaims.backends.embedded import EmbeddedBackend
from oncoclaims.backends.settings import BackendSettings, open_backend
from oncoclaims.errors import (
    ConfigError,
    NotFoundError,
    ParseError,
    QuerySyntaxError,
    SourceLocation,
    StoreError,
)
from oncoclaims.graph.streaming_load import load_streaming, recover_interrupted_batches
from oncoclaims.queries.values import select_values
from oncoclaims.xml_guard import refuse_xml_entities

__all__ = [
    "DEFAULT_STORE_ENV",
    "RDF_FORMATS",
    "SPILL_THRESHOLD",
    "ClaimStore",
    "default_store_path",
    "query_form",
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
    """An oncoclaims graph store over one :class:`~oncoclaims.backends.base.Backend`: the
    embedded pyoxigraph store (:meth:`open`, :meth:`in_memory`) or a SPARQL server
    (:meth:`from_settings`).

    >>> store = ClaimStore.in_memory()
    >>> len(store)
    0
    """

    def __init__(self, inner: ox.Store | Backend, path: Path | None = None) -> None:
        self._backend: Backend | None = (
            EmbeddedBackend(inner) if isinstance(inner, ox.Store) else inner
        )
        #: The pyoxigraph store of an embedded backend: pattern lookups go to it directly
        #: (a report makes thousands; measured 7% of its CPU time through the backend layer).
        self._local = self._backend.inner if isinstance(self._backend, EmbeddedBackend) else None
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

    @classmethod
    def from_settings(cls, settings: BackendSettings) -> ClaimStore:
        """Open the store ``settings`` name: embedded (:meth:`open`, or in memory without a
        path) or a SPARQL server, asked one question first so that a server that is down or
        refuses the credentials is an error now, not halfway through the work.

        :raises BackendUnavailableError: the server cannot be reached (the URL and the
            option to check are named).
        :raises BackendAuthError: the server refused the credentials.
        :raises ConfigError: settings that cannot be used.
        """
        if settings.kind == "embedded":
            return cls.open(settings.store_path)
        backend = open_backend(settings)
        try:
            backend.named_graphs()
        except BaseException:
            backend.close()
            raise
        return cls(backend)

    @property
    def backend(self) -> Backend:
        """The backend every read and write goes through."""
        if self._backend is None:
            raise StoreError("the store is closed")
        return self._backend

    @property
    def is_embedded(self) -> bool:
        """Whether the graph lives in this process (a pyoxigraph store), not on a server."""
        return isinstance(self._backend, EmbeddedBackend)

    @property
    def inner(self) -> ox.Store:
        """The wrapped pyoxigraph store, for the code paths that exist only in process (the
        API's worker pool and its own SPARQL endpoint).

        :raises StoreError: the store is a SPARQL server.
        """
        backend = self.backend
        if not isinstance(backend, EmbeddedBackend):
            raise StoreError(
                "this works only on the embedded store, and the graph is on a SPARQL server "
                "(--backend sparql); use the ClaimStore methods instead"
            )
        return backend.inner

    def __len__(self) -> int:
        return self.backend.count()

    def __iter__(self) -> Iterator[ox.Quad]:
        return self.backend.quads()

    def is_empty(self) -> bool:
        """Whether the store holds no quad at all (one look, whatever its size, on the embedded
        store: ``len`` counts every quad, seconds on a store of tens of millions)."""
        if self.is_embedded:
            return next(self.backend.quads(), None) is None
        return self.backend.count() == 0

    def extend(self, quads: Iterable[ox.Quad], origin: str | None = None) -> int:
        """Add ``quads``: all of them, or none if the iterable raises or the process dies.

        ``origin`` names the input of a large batch if it must be recovered after a crash.

        Quads already present are left as they are, so writing a batch twice changes nothing.
        Batches over :data:`SPILL_THRESHOLD` quads go to the bulk loader in chunks
        (module docstring). On a SPARQL server the batch goes to
        :meth:`~oncoclaims.backends.base.Backend.bulk_load`, which takes back the graphs a
        failed batch created (``BackendWriteError`` when it cannot).

        :returns: how many of ``quads`` were not in the store. A batch of one transaction is
            counted quad by quad (a lookup each, so the count costs time in proportion to the
            batch, not to the store); a spilled batch from the store's size before and after;
            on a server, from the size of each graph the batch writes to, before and after.
        """
        backend = self.backend
        remaining = iter(quads)
        head: list[ox.Quad] = []
        for quad in remaining:
            head.append(quad)
            if len(head) >= SPILL_THRESHOLD:
                before = len(self)
                rest = itertools.chain(head, remaining)
                if isinstance(backend, EmbeddedBackend):
                    directory = self.path.parent if self.path is not None else None
                    load_streaming(backend.inner, rest, directory, origin)
                else:
                    backend.bulk_load(rest)
                return len(self) - before
        if isinstance(backend, EmbeddedBackend):
            inner = backend.inner
            new = {quad for quad in head if quad not in inner}
            inner.extend(head)
            return len(new)
        graphs = {quad.graph_name for quad in head}
        before = self._count_graphs(graphs)
        backend.bulk_load(head)
        return self._count_graphs(graphs) - before

    def _count_graphs(self, graphs: set[ox.NamedNode | ox.DefaultGraph]) -> int:
        """Quads in ``graphs`` together: one query for the named ones (``backend_graph_count.rq``,
        a ``VALUES`` row each), not one per graph."""
        named = sorted((g for g in graphs if isinstance(g, ox.NamedNode)), key=lambda g: g.value)
        rows = select_values(self, "backend_graph_count", [{"graph": g} for g in named])
        total = sum(int(row["n"].value) for row in rows)
        if any(isinstance(g, ox.DefaultGraph) for g in graphs):
            total += self.backend.count(ox.DefaultGraph())
        return total

    def remove_graph(self, graph: ox.NamedNode) -> None:
        """Remove one named graph and everything in it (nothing happens if it is absent)."""
        try:
            self.backend.graph_delete(graph)
        except NotFoundError:
            pass

    def remove(self, quads: Iterable[ox.Quad]) -> None:
        """Remove these quads (those absent are ignored)."""
        self.backend.remove_quads(quads)

    def contains_graph(self, graph: ox.NamedNode) -> bool:
        """Whether the named graph ``graph`` holds a quad."""
        return self.backend.contains_graph(graph)

    def named_graphs(self) -> list[ox.NamedNode]:
        """List the named graphs in the store, sorted by IRI."""
        return self.backend.named_graphs()

    def quads(
        self,
        subject: ox.NamedNode | ox.BlankNode | None = None,
        predicate: ox.NamedNode | None = None,
        obj: ox.NamedNode | ox.BlankNode | ox.Literal | None = None,
        graph: ox.NamedNode | ox.DefaultGraph | None = None,
    ) -> Iterator[ox.Quad]:
        """Iterate over the quads matching a pattern (``None`` matches anything).

        On a SPARQL server a pattern cannot name a blank node (its label means nothing
        there): docs/deployment.md.
        """
        if self._local is not None:
            return self._local.quads_for_pattern(subject, predicate, obj, graph)
        return iter(self.backend.quads(subject, predicate, obj, graph))

    def quads_each(
        self,
        position: Position,
        terms: Sequence[Object],
        subject: ox.NamedNode | ox.BlankNode | None = None,
        predicate: ox.NamedNode | None = None,
        obj: Object | None = None,
    ) -> list[list[ox.Quad]]:
        """The quads matching a pattern (any graph) for each of ``terms`` in the pattern's
        ``position`` (``"s"``, ``"p"`` or ``"o"``), in the order of ``terms``: one index
        lookup each in process, one request per chunk of terms on a server (a pattern read
        there costs a round trip, a lookup here a microsecond)."""
        return self.backend.quads_each(position, terms, subject, predicate, obj)

    def query(
        self, text: str, params: Params | None = None, *, union: bool = False
    ) -> Rows | bool | list[ox.Triple]:
        """Run a SELECT (rows), ASK (a boolean) or CONSTRUCT/DESCRIBE (triples) query.

        ``union`` makes the default graph the union of the named graphs, as at ``/sparql``.

        :raises QuerySyntaxError: the text does not parse.
        """
        form = query_form(text)
        backend = self.backend
        if form == "select":
            return backend.select(text, params, union=union)
        if form == "ask":
            return backend.ask(text, params, union=union)
        return backend.construct(text, params, union=union)

    def update(self, text: str) -> None:
        """Run one SPARQL Update: one transaction in process, one request on a server
        (what a server guarantees for one request: docs/deployment.md).

        :raises QuerySyntaxError: the text does not parse.
        :raises StoreError: the store refused the update.
        """
        self.backend.update(text)

    def load_nquads(self, text: str) -> None:
        """Add a batch given as N-Quads text, all of it or none: parsed inside pyoxigraph
        in process (no Python object per quad), a bulk load on a server.

        :raises StoreError: the store refused the batch.
        """
        backend = self.backend
        if isinstance(backend, EmbeddedBackend):
            try:
                backend.inner.load(text, format=ox.RdfFormat.N_QUADS)
            except (OSError, RuntimeError, SyntaxError) as exc:
                raise StoreError(f"the store could not load the batch: {exc}") from exc
            return
        backend.bulk_load(ox.parse(text, format=ox.RdfFormat.N_QUADS))

    def dump(self, out: IO[bytes], rdf_format: ox.RdfFormat) -> None:
        """Write every quad to ``out`` (a triple-only format gets every graph's triples)."""
        self.backend.dump(out, rdf_format)

    def flush(self) -> None:
        """Make sure everything written so far is on disk."""
        if self.path is not None and isinstance(self._backend, EmbeddedBackend):
            self._backend.inner.flush()

    def close(self) -> None:
        """Flush and release the store, so another process (or object) can open the directory;
        on a server, close the connections.

        pyoxigraph has no ``close``: the on-disk lock goes when the last reference to the
        ``Store`` does. Dropping ours here means a traceback that still refers to this
        object does not keep the lock.
        """
        if self._backend is None:
            return
        self._backend.close()
        self._backend = None
        self._local = None

    def __enter__(self) -> ClaimStore:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def query_form(text: str) -> str:
    """``select``, ``ask`` or ``construct`` (CONSTRUCT and DESCRIBE): what ``text`` asks for,
    from pyoxigraph's parse of it on an empty store.

    :raises QuerySyntaxError: the text does not parse.
    """
    try:
        result = ox.Store().query(text)
    except SyntaxError as exc:
        raise QuerySyntaxError(f"the query does not parse: {exc}") from exc
    if isinstance(result, ox.QuerySolutions):
        return "select"
    if isinstance(result, ox.QueryBoolean):
        return "ask"
    return "construct"


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
