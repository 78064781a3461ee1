"""A story of nearly 5 MiB (the largest news input accepted) is traced to the end: its text
stored whole, its claims, study references and voices read, nothing invented.

The story is generated from the real sample stories, repeated; ``oncoclaims trace`` runs in a
subprocess whose timeout only guards against a hang (speed is measured in bench/, not here).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from oncoclaims.extract.study_refs import find_study_references
from oncoclaims.extract.voices import find_voices
from oncoclaims.graph.bootstrap import open_store
from oncoclaims.ingest.news import MAX_NEWS_BYTES
from oncoclaims.vocab import SCHEMA

NEWS = Path(__file__).parents[1] / "data" / "news"
SAMPLES = [
    json.loads(p.read_text(encoding="utf-8"))["text"]
    for p in sorted(NEWS.glob("*_reviews_*[0-9].json"))
]
HANG_GUARD_SECONDS = 1800


def _long_story() -> str:
    parts, size = ["Many stories in one\n\n"], 0
    while True:
        part = SAMPLES[len(parts) % len(SAMPLES)] + f"\n\nPart {len(parts)} ends here.\n\n"
        if size + len(part.encode("utf-8")) > MAX_NEWS_BYTES - 64:
            return "".join(parts)
        parts.append(part)
        size += len(part.encode("utf-8"))


def test_a_story_of_nearly_five_mebibytes_is_traced_whole(tmp_path: Path) -> None:
    text = _long_story()
    assert MAX_NEWS_BYTES - 200_000 < len(text.encode("utf-8")) <= MAX_NEWS_BYTES
    story = tmp_path / "long.txt"
    story.write_text(text, encoding="utf-8")
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "oncoclaims",
            "trace",
            "--json",
            "--store",
            str(tmp_path / "store"),
            str(story),
        ],
        capture_output=True,
        text=True,
        timeout=HANG_GUARD_SECONDS,
        env=os.environ,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    (traced,) = json.loads(result.stdout)["stories"]
    assert traced["studies"] and traced["voices"]
    spans = [s for item in traced["studies"] + traced["voices"] for s in item["spans"]]
    assert all(0 <= start < end <= len(text) for start, end in spans)
    # nothing invented: every voice is named in the text, and the voices of the sample stories
    # are found again (one story's closing lines may introduce a voice for the next one)
    assert all(v["name"] in text for v in traced["voices"])
    quoted = {v.name for t in SAMPLES for v in find_voices(t, find_study_references(t))}
    assert len({v["name"] for v in traced["voices"]} & quoted) >= len(quoted) * 3 // 4
    # nothing lost: the whole text is the source's
    with open_store(tmp_path / "store") as store:
        (stored,) = [
            q.object.value
            for q in store.quads(None, SCHEMA.text)
            if q.subject.value == traced["source"]
        ]
    assert stored == text
