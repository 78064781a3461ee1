"""What extraction finds in the sample stories is held fixed while it is made faster.

``tests/data/extract_snapshot.json`` holds, per sample story, every claim (span, type, rules,
therapies, quantities, markers, attribution) and every study reference and voice that
extraction gives today. A speed change must leave it byte-identical; a change of the rules
that is meant to change it rewrites it (``ONCOCLAIMS_WRITE_SNAPSHOT=1``) and the diff shows
what changed.
"""

from __future__ import annotations

import dataclasses
import json
import os
from pathlib import Path

import pytest
from news_stories import ARTICLES, story_text

from oncoclaims.extract import extract_claims
from oncoclaims.ingest.news import find_origin

SNAPSHOT = Path(__file__).parents[1] / "data" / "extract_snapshot.json"


def _plain(value: object) -> object:
    return json.loads(json.dumps(value, default=str))


def _outputs(path: Path) -> dict:
    text = story_text(path)
    extraction = extract_claims(text, {"Enteromix": ()})
    claims = []
    for claim in extraction.claims:
        row = dataclasses.asdict(claim)
        for key in ("exact", "prefix", "suffix"):  # cut from the text by the span
            del row[key]
        claims.append(row)
    origin = find_origin.__wrapped__(text, extraction.language)
    return _plain(
        {
            "language": extraction.language,
            "main_therapy": extraction.main_therapy,
            "therapies": [dataclasses.asdict(m) for m in extraction.therapies],
            "claims": claims,
            "studies": [
                {
                    f.name: getattr(s, f.name)
                    for f in dataclasses.fields(s)
                    if not f.name.startswith("_")
                }
                for s in origin.studies
            ],
            "voices": [dataclasses.asdict(v) for v in origin.voices],
        }
    )


def test_the_snapshot_covers_every_sample_story() -> None:
    if os.environ.get("ONCOCLAIMS_WRITE_SNAPSHOT") == "1":
        SNAPSHOT.write_text(
            json.dumps({p.name: _outputs(p) for p in ARTICLES}, indent=1, ensure_ascii=False)
            + "\n",
            encoding="utf-8",
        )
    assert sorted(json.loads(SNAPSHOT.read_text(encoding="utf-8"))) == [p.name for p in ARTICLES]


@pytest.mark.parametrize("path", ARTICLES, ids=[p.name for p in ARTICLES])
def test_extraction_of_a_sample_story_equals_its_snapshot(path: Path) -> None:
    expected = json.loads(SNAPSHOT.read_text(encoding="utf-8"))[path.name]
    assert _outputs(path) == expected
