"""The README's `check` examples print what the README shows (regenerate them by running the
commands when a definition changes)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from oncoclaims.cli import app

README = Path(__file__).resolve().parents[2] / "README.md"


def _examples() -> list[tuple[str, str]]:
    text = README.read_text(encoding="utf-8")
    found = re.findall(r'```sh\n\.venv/bin/oncoclaims check "([^"]+)"\n```\n\n```\n(.*?)```', text, re.S)
    assert len(found) == 2
    return found


@pytest.mark.parametrize("words, shown", _examples(), ids=lambda value: value[:20])
def test_the_readme_check_examples_print_what_the_readme_shows(words: str, shown: str, tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["check", words, "--store", str(tmp_path / "store")])
    assert result.exit_code == 0, result.output
    assert result.output == shown
