"""GraphML for Gephi, Cytoscape, yEd and graphology, in memory that does not grow with the graph.

The writer keeps no map from nodes to GraphML ids and no set of nodes already written:

* a node's id is derived from its IRI (:func:`graphml_id`), so an edge names its ends
  without looking anything up, and every export names a node the same way;
* one walk over the store's quads writes every edge (object-valued, ``rdf:type`` aside)
  to a temporary file, and notes each subject with the facts its quads give (labels,
  types, rank...) and each edge's target, as lines keyed by node id;
* those lines are sorted with bounded memory (:class:`SortedSpill`: sorted chunks on
  disk, merged), which brings together everything known about one node: it is written
  once, with the facts of every graph that describes it, or, if it is only ever an
  object (a DOI URL, a licence), as a bare node with its IRI;
* the nodes go out first, then the edges are copied after them.

So no point lookups in the store are needed, and nothing depends on the order in which
the store yields its quads. What stays in memory: one chunk of lines
(:data:`SPILL_LINES`), the last targets seen (:data:`TARGET_CACHE`, so that hub
nodes are noted once rather than once per edge), and one line per chunk while merging.
Disk: about the size of the GraphML again, in the temporary directory.

Node and edge attributes are typed GraphML keys, declared before the graph: ``iri``,
``kind`` and ``label`` (shown by Gephi, Cytoscape and yEd), ``types``, ``rank`` (int:
the evidence level), ``retracted`` and ``confirmatory`` (boolean), ``date``, and for
edges ``predicate`` and ``label``. Computed ones: each claim's confirmation ``status``,
and with ``metrics=True`` each institution's ``claims_made``,
``share_independently_confirmed``, ``pagerank``, ``betweenness`` and ``amplification``
(:mod:`oncoclaims.graph.metrics`). Every claim's status costs a whole-store computation
in a whole-graph export (docs/scale.md); a claim's neighbourhood computes only the
statuses of the claims in it, but the metrics are always the whole network's.
"""

from __future__ import annotations

import base64
import errno
import hashlib
import heapq
import re
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import ExitStack
from functools import lru_cache
from itertools import groupby
from pathlib import Path
from typing import IO, Any

import networkx as nx
import pyoxigraph as ox

from oncoclaims.errors import ExportError
from oncoclaims.graph.analysis import STATUS_PREFIX
from oncoclaims.graph.confirmation import claim_status
from oncoclaims.graph.metrics import institution_metrics
from oncoclaims.graph.projection import compact, node_id, to_networkx
from oncoclaims.graph.statuses import all_statuses
from oncoclaims.graph.store import ClaimStore
from oncoclaims.vocab import PREFIXES

__all__ = [
    "GRAPHML_KEYS",
    "GRAPHML_NS",
    "MERGE_FAN_IN",
    "SPILL_LINES",
    "TARGET_CACHE",
    "SortedSpill",
    "computed_fields",
    "graphml_id",
    "write_graphml",
]

GRAPHML_NS = "http://graphml.graphdrawing.org/xmlns"

#: (id, for, attr.name, attr.type)
GRAPHML_KEYS: tuple[tuple[str, str, str, str], ...] = (
    ("iri", "node", "iri", "string"),
    ("kind", "node", "kind", "string"),
    ("label", "node", "label", "string"),
    ("types", "node", "types", "string"),
    ("rank", "node", "rank", "int"),
    ("retracted", "node", "retracted", "boolean"),
    ("confirmatory", "node", "confirmatory", "boolean"),
    ("date", "node", "date", "string"),
    ("status", "node", "status", "string"),
    ("claims_made", "node", "claims_made", "int"),
    ("share_confirmed", "node", "share_independently_confirmed", "double"),
    ("pagerank", "node", "pagerank", "double"),
    ("betweenness", "node", "betweenness", "double"),
    ("amplification", "node", "amplification", "int"),
    ("predicate", "edge", "predicate", "string"),
    ("elabel", "edge", "label", "string"),
)

#: Lines sorted in memory at a time before a chunk goes to disk.
SPILL_LINES = 100_000
#: How many recent edge targets are remembered, so that a hub is noted once, not once per edge.
TARGET_CACHE = 65_536
#: The most chunk files merged at once.
MERGE_FAN_IN = 256
#: Characters of text handed to a binary stream at a time.
_CHUNK = 1 << 16
_ID_LENGTH = 17

_TYPE = PREFIXES["rdf"] + "type"
#: Predicate -> the node key its literal fills.
_NODE_FACTS = {
    PREFIXES["rdfs"] + "label": "label",
    PREFIXES["skos"] + "prefLabel": "label",
    PREFIXES["dcterms"] + "title": "label",
    PREFIXES["oc"] + "rank": "rank",
    PREFIXES["oc"] + "retracted": "retracted",
    PREFIXES["oc"] + "confirmatory": "confirmatory",
    PREFIXES["dcterms"] + "date": "date",
}
_FACT_KEYS = ("label", "rank", "retracted", "confirmatory", "date")
#: Computed, not stated: a claim's status, an institution's metrics (:func:`computed_fields`).
_COMPUTED_KEYS = (
    "status", "claims_made", "share_confirmed", "pagerank", "betweenness", "amplification",
)
_FIELD_KEYS = ("label", "types", "rank", "retracted", "confirmatory", "date", *_COMPUTED_KEYS)
# line kinds: computed fields, then a subject's facts, then mentions as a target
_COMPUTED, _SUBJECT, _TARGET = "0", "1", "2"
# Characters XML 1.0 cannot carry at all (they become U+FFFD), and those text must escape
# (tabs and line ends too, as character references: spilled lines keep one field per tab).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_NEEDS_ESCAPE = re.compile("[&<>\t\n\r\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_ESCAPES = {"&": "&amp;", "<": "&lt;", ">": "&gt;", "\t": "&#9;", "\n": "&#10;", "\r": "&#13;"}


def graphml_id(node: str) -> str:
    """The GraphML id of a node (IRI, or ``_:id`` for a blank node): ``n`` + 16 base64url chars.

    A 96-bit BLAKE2b digest of the IRI, valid as an XSD ``NMTOKEN`` (letters, digits,
    ``-``, ``_``). Two of ten million nodes share an id with a probability below 10^-15;
    the writer checks and raises :class:`~oncoclaims.errors.ExportError` if it happens.

    >>> claim = "https://w3id.org/oncoclaims/vocab#Claim"
    >>> graphml_id(claim) == graphml_id(claim)
    True
    >>> len(graphml_id("_:b0"))
    17
    """
    digest = hashlib.blake2b(node.encode("utf-8"), digest_size=12).digest()
    return "n" + base64.urlsafe_b64encode(digest).decode("ascii")


def _text(value: str) -> str:
    if _NEEDS_ESCAPE.search(value) is None:
        return value
    return "".join(_ESCAPES.get(c, c) for c in _NOT_XML.sub("\ufffd", value))


class _Output:
    """Text handed to a binary stream as UTF-8, in chunks."""

    def __init__(self, out: IO[bytes]) -> None:
        self._out = out
        self._parts: list[str] = []
        self._size = 0

    def write(self, text: str) -> None:
        self._parts.append(text)
        self._size += len(text)
        if self._size >= _CHUNK:
            self.flush()

    def flush(self) -> None:
        self._out.write("".join(self._parts).encode("utf-8"))
        self._parts.clear()
        self._size = 0


class SortedSpill:
    """Lines given in any order, read back (once) sorted, with at most ``chunk`` of them in memory.

    Each full chunk (default :data:`SPILL_LINES`) is sorted and written to a file in
    ``directory``; reading merges the files (at most :data:`MERGE_FAN_IN` at a time, in
    rounds if there are more).

    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     spill = SortedSpill(Path(tmp), chunk=2)
    ...     for line in ("c\\n", "a\\n", "d\\n", "b\\n", "a\\n"):
    ...         spill.add(line)
    ...     "".join(spill)
    'a\\na\\nb\\nc\\nd\\n'
    """

    def __init__(self, directory: Path, chunk: int | None = None) -> None:
        self._directory = directory
        self._chunk = chunk or SPILL_LINES
        self._lines: list[str] = []
        self._files: list[Path] = []
        self._written = 0

    def add(self, line: str) -> None:
        """Add one line (ending in a newline, with no other newline)."""
        self._lines.append(line)
        if len(self._lines) >= self._chunk:
            self._lines.sort()
            self._write_chunk(self._lines)
            self._lines = []

    def _write_chunk(self, lines: Iterable[str]) -> None:
        path = self._directory / f"chunk-{self._written}"
        self._written += 1
        with path.open("w", encoding="utf-8", newline="\n") as out:
            out.writelines(lines)
        self._files.append(path)

    def __iter__(self) -> Iterator[str]:
        if not self._files:
            yield from sorted(self._lines)
            return
        if self._lines:
            self._lines.sort()
            self._write_chunk(self._lines)
            self._lines = []
        while len(self._files) > MERGE_FAN_IN:
            rounds, self._files = self._files, []
            for start in range(0, len(rounds), MERGE_FAN_IN):
                self._write_chunk(_merged(rounds[start:start + MERGE_FAN_IN]))
        yield from _merged(self._files)


def _merged(paths: list[Path]) -> Iterator[str]:
    with ExitStack() as stack:
        files = [stack.enter_context(path.open(encoding="utf-8", newline="\n")) for path in paths]
        yield from heapq.merge(*files)
    for path in paths:
        path.unlink()


def _node_element(ident: str, iri: str, kind: str, fields: list[str]) -> str:
    """A node element from escaped text.

    ``fields``: text for each of :data:`_FIELD_KEYS` ("" when absent).
    """
    parts = [f'<node id="{ident}"><data key="iri">{iri}</data><data key="kind">{kind}</data>']
    for key, value in zip(_FIELD_KEYS, fields, strict=True):
        if value:
            parts.append(f'<data key="{key}">{value}</data>')
    parts.append("</node>\n")
    return "".join(parts)


def _kind(types: list[str]) -> str:
    """The node's kind: its first oncoclaims class (local name), else first type, else ``node``."""
    own = sorted(t[3:] for t in types if t.startswith("oc:"))
    return own[0] if own else (types[0] if types else "node")


def _fact_text(key: str, value: str) -> str:
    """A literal fact as the text of its typed key ("" when it does not fit the type)."""
    if key == "rank":
        try:
            return str(int(value))
        except ValueError:
            return ""  # not an integer: leave the typed key out rather than break it
    if key in ("retracted", "confirmatory"):
        return "true" if value in ("true", "1") else "false"
    return _text(value)


@lru_cache(maxsize=1024)
def _edge_data(predicate: str) -> str:
    """The end of an edge element for a predicate IRI (or compact name): predicate and label."""
    short = compact(predicate)
    return (f'<data key="predicate">{_text(short)}</data>'
            f'<data key="elabel">{_text(short.rsplit(":", 1)[-1])}</data></edge>\n')


def computed_fields(
    statuses: dict[str, str], metrics: list[dict[str, Any]]
) -> dict[str, list[str]]:
    """Node IRI -> the text of each of the computed keys (a claim's status, an
    institution's metrics), from ``claim_statuses`` and ``institution_metrics``."""
    fields: dict[str, list[str]] = {}
    for claim, status in statuses.items():
        fields[claim] = [status.removeprefix(STATUS_PREFIX), "", "", "", "", ""]
    for row in metrics:
        share = row["share_independently_confirmed"]
        fields[row["institution"]] = [
            "", str(row["claims_made"]), "" if share is None else repr(share),
            repr(row["pagerank"]), repr(row["betweenness"]), str(row["amplification"]),
        ]
    return fields


def write_graphml(
    store: ClaimStore,
    out: IO[bytes],
    *,
    claim: str | None = None,
    depth: int = 2,
    status: bool = True,
    metrics: bool = False,
    workdir: Path | None = None,
) -> tuple[int, int]:
    """Write the store (or a claim's neighbourhood) as GraphML to the binary stream ``out``.

    :param claim: a claim IRI: only nodes within ``depth`` hops of it (either direction).
    :param status: each claim's confirmation status (for the whole graph, a whole-store
        computation whose tables are in memory while it runs; the writer's own memory is
        bounded either way).
    :param metrics: also the institution metrics (a whole-network computation).
    :param workdir: where the whole-graph export keeps its temporary files (default: the
        system's temporary directory); they are removed when it returns.
    :returns: the numbers of nodes and edges written.
    :raises ExportError: when the disk is full (the temporary files need about the size
        of the GraphML), or if two nodes' ids collide (never seen; see :func:`graphml_id`).
    """
    output = _Output(out)
    output.write(f'<?xml version="1.0" encoding="utf-8"?>\n<graphml xmlns="{GRAPHML_NS}">\n')
    for key, scope, name, kind in GRAPHML_KEYS:
        output.write(f'<key id="{key}" for="{scope}" attr.name="{name}" attr.type="{kind}"/>\n')
    output.write('<graph id="oncoclaims" edgedefault="directed">\n')
    if claim is not None:
        counts = _write_neighbourhood(store, output, claim, depth, status, metrics)
    else:
        with tempfile.TemporaryDirectory(prefix="oncoclaims-graphml-", dir=workdir) as tmp:
            try:
                spill = SortedSpill(Path(tmp))
                if status or metrics:
                    statuses = all_statuses(store)
                    rows = institution_metrics(store, statuses=statuses) if metrics else []
                    for node, fields in computed_fields(statuses if status else {}, rows).items():
                        name = _text(node)
                        line = "\t".join((graphml_id(node), _COMPUTED, name, *fields))
                        spill.add(line + "\n")
                    del statuses, rows  # in the spill now: memory goes back to the writer's own
                counts = _write_all(store, output, out, Path(tmp), spill)
            except OSError as exc:
                if exc.errno != errno.ENOSPC:
                    raise
                raise ExportError(
                    f"no space left on the device while exporting GraphML ({exc}); the temporary "
                    f"files in {Path(tmp).parent} need about the size of the GraphML: free space "
                    "there or set TMPDIR to a larger disk") from exc
    output.write("</graph>\n</graphml>\n")
    output.flush()
    return counts


def _write_all(
    store: ClaimStore, output: _Output, out: IO[bytes], workdir: Path, spill: SortedSpill
) -> tuple[int, int]:
    """Walk the quads once (edges to a file, nodes to ``spill``), then write nodes, then edges."""
    edges_path = workdir / "edges.graphml"
    edges = 0

    @lru_cache(maxsize=TARGET_CACHE)
    def target_id(target: ox.NamedNode | ox.BlankNode) -> str:
        name = node_id(target)
        node = graphml_id(name)
        spill.add(f"{node}\t{_TARGET}\t{_text(name)}\n")
        return node

    def note_subject() -> None:
        fields = [facts.get(key, "") for key in _FACT_KEYS]
        kinds = _text(" ".join(sorted(set(types))))
        spill.add(f"{node}\t{_SUBJECT}\t{iri}\t{fields[0]}\t{kinds}\t{chr(9).join(fields[1:])}\n")

    literal, current = ox.Literal, None
    node = iri = start = ""
    types: list[str] = []
    facts: dict[str, str] = {}
    with edges_path.open("wb") as raw:
        edge_out = _Output(raw)
        for quad in store.quads():
            subject = quad.subject
            if subject != current:
                if current is not None:
                    note_subject()
                current, types, facts = subject, [], {}
                name = node_id(subject)
                node, iri = graphml_id(name), _text(name)
                start = f'" source="{node}" target="'
            predicate = quad.predicate.value
            target = quad.object
            if type(target) is literal:
                key = _NODE_FACTS.get(predicate)
                if key is not None and key not in facts:
                    facts[key] = _fact_text(key, target.value)
            elif predicate == _TYPE:
                types.append(compact(target.value))
            else:
                edges += 1
                edge_out.write(
                    f'<edge id="e{edges}{start}{target_id(target)}">{_edge_data(predicate)}')
        if current is not None:
            note_subject()
        edge_out.flush()
    target_id.cache_clear()
    nodes = _write_nodes(output, spill)
    output.flush()
    with edges_path.open("rb") as written:
        shutil.copyfileobj(written, out, _CHUNK)
    return nodes, edges


def _write_nodes(output: _Output, spill: SortedSpill) -> int:
    """One node per id in the sorted spill, with the facts of all its subject lines (or bare)
    and its computed fields."""
    nodes = 0
    no_computed = [""] * len(_COMPUTED_KEYS)
    no_facts = [""] * (len(_FIELD_KEYS) - len(_COMPUTED_KEYS))
    for node, lines in groupby(spill, key=lambda line: line[:_ID_LENGTH]):
        iri = None
        described: list[list[str]] = []
        computed = no_computed
        for line in lines:
            fields = line[_ID_LENGTH + 3:-1].split("\t")
            if iri is None:
                iri = fields[0]
            elif fields[0] != iri:
                raise ExportError(
                    f"GraphML ids collide for {iri} and {fields[0]}; please report this")
            kind = line[_ID_LENGTH + 1]
            if kind == _SUBJECT:
                described.append(fields)
            elif kind == _COMPUTED:
                computed = fields[1:]
        nodes += 1
        if not described:
            output.write(_node_element(node, iri, "node", [*no_facts, *computed]))  # type: ignore[arg-type]
            continue
        label, types, rest = described[0][1], described[0][2], described[0][3:]
        if len(described) > 1:  # described by several runs (graphs): first value wins, types add up
            types = " ".join(sorted({t for fields in described for t in fields[2].split()}))
            label = next((fields[1] for fields in described if fields[1]), "")
            rest = [next((fields[i] for fields in described if fields[i]), "")
                    for i in range(3, len(described[0]))]
        fields = [label, types, *rest, *computed]
        output.write(_node_element(node, iri, _kind(types.split()), fields))  # type: ignore[arg-type]
    return nodes


def _write_neighbourhood(
    store: ClaimStore, out: _Output, claim: str, depth: int, status: bool, metrics: bool
) -> tuple[int, int]:
    """The nodes within ``depth`` hops of ``claim`` (a bounded projection), then their edges."""
    graph = to_networkx(store, claim)
    undirected = graph.to_undirected(as_view=True)
    keep: set[str] = set()
    if claim in graph:
        keep = set(nx.single_source_shortest_path_length(undirected, claim, cutoff=depth))
    statuses = {  # each from the claim's own neighbourhood, as its report
        node: claim_status(store, node)
        for node in keep if status and graph.nodes[node].get("kind") == "Claim"
    }
    computed = computed_fields(statuses, institution_metrics(store) if metrics else [])
    no_fields = [""] * len(_COMPUTED_KEYS)
    for node in sorted(keep):
        data = graph.nodes[node]
        types = list(data.get("types", []))
        fields = [_text(data.get("label") or ""), _text(" ".join(types))]
        for key in ("rank", "retracted", "confirmatory", "date"):
            value = data.get(key)
            if isinstance(value, bool):
                value = "true" if value else "false"
            fields.append("" if value is None else _fact_text(key, str(value)))
        fields += computed.get(node, no_fields)
        kind = _text(data.get("kind", "node"))
        out.write(_node_element(graphml_id(node), _text(node), kind, fields))
    edges = 0
    for source, target, predicate in sorted(graph.edges(data="predicate")):
        if source in keep and target in keep and predicate != "rdf:type":
            edges += 1
            ends = f'source="{graphml_id(source)}" target="{graphml_id(target)}"'
            out.write(f'<edge id="e{edges}" {ends}>{_edge_data(predicate)}')
    return len(keep), edges
