"""The safe XML readers: streaming frees what it has yielded, and both readers refuse
entities and name truncation the same way."""

from __future__ import annotations

from pathlib import Path

import pytest

from oncoclaims.errors import ParseError
from oncoclaims.ingest.safe_xml import iter_safe_xml, parse_safe_xml

DATA = Path(__file__).resolve().parents[1] / "data"
# Real MEDLINE file with many citations (origin in tests/data/README.md).
MEDLINE = DATA / "pubmed" / "medline16n0902-oncology-subset.xml"


def test_streaming_yields_every_record_and_detaches_the_ones_already_read() -> None:
    data = MEDLINE.read_bytes()
    expected = [c.findtext("PMID") for c in parse_safe_xml(data, "x").iter("MedlineCitation")]
    seen, previous = [], None
    for element in iter_safe_xml(data, "medline.xml", ("MedlineCitation",)):
        if previous is not None:
            # the record read before this one is freed: no children, no parent
            assert len(previous) == 0 and previous.getparent() is None
        seen.append(element.findtext("PMID"))
        previous = element
    assert len(expected) > 5
    assert seen == expected


def test_a_record_nested_in_another_record_tag_is_not_yielded_twice() -> None:
    data = (DATA / "pubmed" / "biopython-pubmed1.xml").read_bytes()
    tags = ("PubmedArticle", "MedlineCitation")
    yielded = [element.tag for element in iter_safe_xml(data, "x.xml", tags)]
    assert yielded and set(yielded) == {"PubmedArticle"}


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("billion-laughs.xml", "declares entities"),
        ("external-entity.xml", "declares entities"),
        ("truncated.xml", "is the file truncated?"),
    ],
)
def test_streaming_refuses_what_the_tree_parser_refuses(name: str, message: str) -> None:
    data = (DATA / "bad" / "pubmed" / name).read_bytes()
    with pytest.raises(ParseError, match=message) as tree_error:
        parse_safe_xml(data, name)
    with pytest.raises(ParseError, match=message) as stream_error:
        list(iter_safe_xml(data, name, ("PubmedArticle",)))
    assert stream_error.value.location.line == tree_error.value.location.line
