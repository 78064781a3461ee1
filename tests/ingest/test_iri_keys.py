"""IRI keys: the ASCII fast path of ``normalise_key`` gives exactly the general path's key.

Stable IRIs are what make re-ingesting a file change nothing, so a speed-up of the key
must not change a single key: checked against the general definition (NFKC, casefold,
curly quotes straightened, whitespace collapsed) on arbitrary text.
"""

from __future__ import annotations

import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from oncoclaims.iris import mint_iri, normalise_key


def _general_key(*parts: str) -> str:
    cleaned = []
    for part in parts:
        text = unicodedata.normalize("NFKC", part).casefold()
        text = text.replace("\u2019", "'").replace("\u2018", "'")
        cleaned.append(" ".join(text.split()))
    return "|".join(cleaned)


@given(st.lists(st.text(), min_size=1, max_size=4))
def test_any_text_keys_as_the_general_definition(parts: list[str]) -> None:
    assert normalise_key(*parts) == _general_key(*parts)


@given(st.lists(st.text(alphabet=st.characters(max_codepoint=127)), min_size=1, max_size=4))
def test_ascii_text_keys_as_the_general_definition(parts: list[str]) -> None:
    assert normalise_key(*parts) == _general_key(*parts)


def test_person_iris_keep_their_spelling() -> None:
    # the IRI a PubMed author has had since the first release (ASCII and non-ASCII names)
    person = "https://w3id.org/oncoclaims/id/person/john-smith-pubmed-993-"
    assert mint_iri("person", "john smith", "pubmed", "993").value == (
        person + _digest("john smith|pubmed|993"))
    assert normalise_key("Jos\u00e9  GARC\u00cdA", "PubMed") == "jos\u00e9 garc\u00eda|pubmed"
    assert normalise_key("\u2018Stra\u00dfe\u2019\tX") == "'strasse' x"


def _digest(key: str) -> str:
    import hashlib

    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]
