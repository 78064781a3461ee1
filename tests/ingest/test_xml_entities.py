"""Issue 18: every XML input, whatever its format and path, refuses DTDs that declare
entities, in every encoding XML allows, before any parser expands one.

The Graph Store's path is in ``tests/api/test_graph_store_xml.py``.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner
from xml_payloads import DTDS, ENCODINGS, RDF_BODY, late_doctype, payload

from oncoclaims.cli import app
from oncoclaims.errors import IngestError, ParseError
from oncoclaims.graph.store import ClaimStore
from oncoclaims.ingest import ingest, ingest_bytes
from oncoclaims.xml_guard import refuse_xml_entities

DATA = Path(__file__).parents[1] / "data"
# A real PubMed record whose title the UTF-16 XXE of the issue tried to double.
ARTICLE = DATA / "pubmed" / "metapub-pmid_35649368.xml"
runner = CliRunner()


def _pubmed_with(dtd: str, encoding: str) -> bytes:
    """The real article with its external DOCTYPE replaced by ``dtd`` and its title ``&e;``."""
    text = ARTICLE.read_text(encoding="utf-8")
    body = text[text.index("<PubmedArticleSet>"):]
    body = body.replace("</ArticleTitle>", "&e;</ArticleTitle>", 1)
    return payload(dtd, body, encoding)


@pytest.mark.parametrize("encoding", ENCODINGS)
@pytest.mark.parametrize("dtd", DTDS)
def test_every_entity_shape_is_refused_in_every_encoding(dtd: str, encoding: str) -> None:
    data = payload(dtd, RDF_BODY, encoding)
    with pytest.raises(ParseError) as caught:
        refuse_xml_entities(data, "bomb.rdf")
    assert str(caught.value).startswith("bomb.rdf:")


def test_a_dtd_after_the_root_element_starts_is_refused() -> None:
    with pytest.raises(ParseError, match="after the root element"):
        refuse_xml_entities(late_doctype(RDF_BODY), "late.rdf")
    for codec in ("utf-16-le", "utf-16-be", "utf-32-le"):
        hidden = late_doctype(RDF_BODY).decode().encode(codec)
        with pytest.raises(ParseError):
            refuse_xml_entities(hidden, "late.rdf")


@pytest.mark.parametrize("encoding", ["Shift_JIS", "UTF-7", "UTF-32", "EBCDIC-CP-US", "U-F-8"])
def test_an_encoding_that_cannot_be_checked_is_refused(encoding: str) -> None:
    data = f'<?xml version="1.0" encoding="{encoding}"?>\n{RDF_BODY.replace("&e;", "x")}'.encode()
    with pytest.raises(ParseError, match="convert the file to UTF-8"):
        refuse_xml_entities(data, "odd.rdf")


def test_real_files_with_an_external_doctype_only_pass() -> None:
    for file in sorted((DATA / "pubmed").glob("*.xml")):
        refuse_xml_entities(file.read_bytes(), file.name)


@pytest.mark.parametrize("dtd", DTDS)
@pytest.mark.parametrize("fmt", [None, "rdf"])
def test_rdf_xml_through_the_python_api_is_refused_and_the_store_unchanged(
    store: ClaimStore, dtd: str, fmt: str | None
) -> None:
    before = set(store)
    # Undetected (the RDF/XML root is past the first 4 KiB) is refused too, as a FormatError.
    with pytest.raises(ParseError if fmt else IngestError, match=r"bomb\.rdf"):
        ingest_bytes(payload(dtd, RDF_BODY), "bomb.rdf", store, fmt=fmt)
    with pytest.raises(ParseError, match=r"bomb\.rdf"):
        ingest_bytes(late_doctype(RDF_BODY), "bomb.rdf", store, fmt=fmt)
    assert set(store) == before


@pytest.mark.parametrize("encoding", ENCODINGS)
def test_the_utf16_xxe_of_the_issue_gives_no_second_title(store: ClaimStore, encoding: str) -> None:
    ingest(ARTICLE, store)
    before = set(store)
    for dtd in ("external-system", "billion-laughs", "after-comment-and-pi"):
        with pytest.raises(ParseError, match=r"pubmed\.xml"):
            ingest_bytes(_pubmed_with(dtd, encoding), "pubmed.xml", store, fmt="pubmed-xml")
    assert set(store) == before


@pytest.mark.parametrize("command", ["ingest", "load", "validate"])
@pytest.mark.parametrize("dtd", ["billion-laughs", "external-system", "parameter-entity"])
def test_the_commands_refuse_rdf_xml_bombs_with_the_file_named(
    tmp_path: Path, command: str, dtd: str
) -> None:
    bomb = tmp_path / "bomb.rdf"
    bomb.write_bytes(payload(dtd, RDF_BODY, "utf-16-le-bom"))
    store = tmp_path / "store"
    runner.invoke(app, ["stats", "--store", str(store)])
    with ClaimStore.open(store) as opened:
        before = set(opened)
    args = [command, str(bomb)] + ([] if command == "validate" else ["--store", str(store)])
    result = runner.invoke(app, args)
    assert result.exit_code == 1
    assert f"error: {bomb}:" in result.output and "entit" in result.output
    with ClaimStore.open(store) as opened:
        assert set(opened) == before
