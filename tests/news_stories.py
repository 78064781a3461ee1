"""The sample news stories of tests/data/news (FakeHealth records and the Enteromix seed
article; origins in tests/data/README.md) and their text, for the tests that read them."""

from __future__ import annotations

import json
from pathlib import Path

__all__ = ["ARTICLES", "NEWS", "story_text"]

NEWS = Path(__file__).parent / "data" / "news"
#: Every sample story, in name order.
ARTICLES = sorted(NEWS.iterdir())


def story_text(path: Path) -> str:
    """The story's text: the ``text`` field of a FakeHealth record, or a plain text file."""
    if path.suffix == ".json":
        return json.loads(path.read_text(encoding="utf-8"))["text"]
    return path.read_text(encoding="utf-8")
