"""Issue 18: the Graph Store refuses RDF/XML that declares entities (400, store unchanged),
whoever holds the token: the 1 MiB body limit does not stop a 944-byte bomb."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from w3c_server import TOKEN, writable_server
from xml_payloads import DTDS, RDF_BODY, late_doctype, payload

from oncoclaims.graph.store import ClaimStore
from oncoclaims.ontology import ontology_quads

GRAPH = "https://example.org/graphs/bomb"
HEADERS = {"content-type": "application/rdf+xml", "authorization": f"Bearer {TOKEN}"}


@pytest.fixture(scope="module")
def writable() -> Iterator[tuple[str, ClaimStore]]:
    store = ClaimStore.in_memory()
    store.extend(ontology_quads())
    with writable_server(store) as running:
        yield running


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16-le-bom", "utf-16-be"])
@pytest.mark.parametrize("dtd", DTDS)
def test_put_and_post_of_an_rdf_xml_bomb_answer_400_and_write_nothing(
    writable: tuple[str, ClaimStore], dtd: str, encoding: str
) -> None:
    base, store = writable
    before = {str(q) for q in store}
    body = payload(dtd, RDF_BODY, encoding)
    for method in ("PUT", "POST"):
        answer = httpx.request(method, f"{base}/rdf-graphs", params={"graph": GRAPH},
                               content=body, headers=HEADERS)
        assert answer.status_code == 400, answer.text
        assert "entit" in answer.json()["error"]["detail"] or "XML" in answer.json()["error"]["detail"]
    assert {str(q) for q in store} == before


def test_a_dtd_inside_the_root_element_answers_400(writable: tuple[str, ClaimStore]) -> None:
    base, store = writable
    before = len(store)
    answer = httpx.put(f"{base}/rdf-graphs", params={"graph": GRAPH}, content=late_doctype(RDF_BODY),
                       headers=HEADERS)
    assert answer.status_code == 400 and "after the root element" in answer.json()["error"]["detail"]
    assert len(store) == before


def test_plain_rdf_xml_is_still_written(writable: tuple[str, ClaimStore]) -> None:
    base, _store = writable
    body = RDF_BODY.replace("&e;", "fine").encode()
    answer = httpx.put(f"{base}/rdf-graphs", params={"graph": GRAPH}, content=body, headers=HEADERS)
    assert answer.status_code in (200, 201, 204)
    httpx.delete(f"{base}/rdf-graphs", params={"graph": GRAPH}, headers=HEADERS)
