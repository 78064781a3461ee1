"""RDF ingest: blank nodes become IRIs named after their file (Skolem IRIs), so re-ingest
adds nothing and files never share a node, on the embedded store as on a server
(tests/stores/test_ingest_batched.py).

pyoxigraph names an anonymous node at random on each parse and keeps ``_:b0`` as written;
before the renaming, a second ingest of ``ANONYMOUS`` added its two anonymous quads again.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from pyoxigraph import BlankNode, NamedNode

from oncoclaims.graph.blank_nodes import GENID_BASE, GENID_GRAPH_BASE
from oncoclaims.graph.store import ClaimStore
from oncoclaims.ingest import ingest_bytes

EX = "http://example.org/"
ANONYMOUS = {
    "one.ttl": b"@prefix ex: <http://example.org/> .\nex:a ex:p [ ex:q 1 ; ex:r [ ex:q 2 ] ] .\n",
    "one.rdf": b"""<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:ex="http://example.org/">
  <rdf:Description rdf:about="http://example.org/a">
    <ex:p><rdf:Description><ex:q>1</ex:q></rdf:Description></ex:p>
  </rdf:Description>
</rdf:RDF>
""",
    "one.jsonld": b'{"@id": "http://example.org/a",'
                  b' "http://example.org/p": {"http://example.org/q": 1}}',
    "one.trig": b"@prefix ex: <http://example.org/> .\n_:g { ex:a ex:p [ ex:q 1 ] . }\n",
}


@pytest.fixture()
def store(tmp_path: Path):  # type: ignore[no-untyped-def]
    with ClaimStore.open(tmp_path / "store") as opened:
        yield opened


@pytest.mark.parametrize("name", sorted(ANONYMOUS))
def test_ingesting_a_file_with_anonymous_nodes_twice_changes_nothing(
    store: ClaimStore, name: str
) -> None:
    first = ingest_bytes(ANONYMOUS[name], name, store, fmt="rdf")
    size = len(store)
    second = ingest_bytes(ANONYMOUS[name], name, store, fmt="rdf")
    assert first.quads_added > 0
    assert second.quads_added == 0
    assert len(store) == size
    terms = [term for q in store for term in (q.subject, q.object, q.graph_name)]
    assert not any(isinstance(term, BlankNode) for term in terms)
    named = {q.graph_name.value for q in store}
    assert not name.endswith(".trig") or any(g.startswith(GENID_GRAPH_BASE) for g in named)


def test_two_files_saying_b0_get_two_nodes(store: ClaimStore) -> None:
    for value, name in ((1, "first.ttl"), (2, "second.ttl")):
        text = f"@prefix ex: <{EX}> .\n_:b0 ex:value {value} .\n"
        ingest_bytes(text.encode(), name, store, fmt="rdf")
    subjects = {quad.subject for quad in store.quads(predicate=NamedNode(EX + "value"))}
    assert len(subjects) == 2
    assert all(subject.value.startswith(GENID_BASE) for subject in subjects)


def test_one_label_within_a_file_stays_one_node(store: ClaimStore) -> None:
    text = f"@prefix ex: <{EX}> .\n_:b0 ex:value 1 .\n_:b0 ex:other 2 .\nex:a ex:p _:b0 .\n"
    ingest_bytes(text.encode(), "one.ttl", store, fmt="rdf")
    nodes = {quad.subject for quad in store.quads(predicate=NamedNode(EX + "value"))}
    nodes |= {quad.subject for quad in store.quads(predicate=NamedNode(EX + "other"))}
    nodes |= {quad.object for quad in store.quads(predicate=NamedNode(EX + "p"))}
    assert len(nodes) == 1
