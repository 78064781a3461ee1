"""Claim extraction on adversarial text: time grows with the length, not its square.

Each case repeats a piece that one of the sentence, attribution or claim rules looks at
(a dateline, nested quotations, "and … said", appositive names, "U.S. The", a participle
clause, disease background) into one paragraph with no sentence end, at 256 KiB and at
1 MiB, and prints the time of :func:`oncoclaims.extract.extract_claims` for both and their
ratio (about 4 for linear time; a quadratic rule gives about 16).

    .venv/bin/python bench/extract_adversarial.py            # all cases (about 3 minutes on 2 cores)
    .venv/bin/python bench/extract_adversarial.py nested-quotes
"""

from __future__ import annotations

import os
import sys

_HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:] = [entry for entry in sys.path if os.path.abspath(entry or os.curdir) != _HERE]

import time  # noqa: E402

from oncoclaims.extract import extract_claims  # noqa: E402

__all__ = ["CASES", "main"]

#: Name -> the piece repeated into one sentence-less paragraph.
CASES = {
    "no-space-words": "a",
    "long-word-said": "a" * 4000 + " said ",
    "words": "the vaccine works ",
    "and-said": "doctors and patients and ",
    "said-repeated": "said ",
    "appositive": "Catherine Pickworth, science officer at Cancer Research UK, ",
    "nested-quotes": "says, ‘Hey! Active infection here! ",
    "apostrophes": "the patients’ doctors’ ",
    "us-the": "in the U.S. The condition ",
    "dateline": "MONDAY, April 2, 2012 (HealthDay News) -- ",
    "participle": "Approved by the FDA for treating melanoma ",
    "disease": "glioblastoma glioblastoma kills ",
    "unmet-need": "an effective therapy to kill cells is ",
    "open-quotes": "“ ",
    "capitals": "Aa Bb Cc Dd ",
}


def _time(text: str) -> float:
    started = time.perf_counter()
    extract_claims(text, title="")
    return time.perf_counter() - started


def main(names: list[str]) -> None:
    """Print, per case, the extraction time at 256 KiB and 1 MiB and their ratio."""
    for name in names or list(CASES):
        piece = CASES[name]
        small = (piece * (262_144 // len(piece) + 1))[:262_144]
        large = (piece * (1_048_576 // len(piece) + 1))[:1_048_576]
        t_small, t_large = _time(small), _time(large)
        print(f"{name:16s} 256 KiB {t_small:6.2f} s   1 MiB {t_large:6.2f} s   ratio {t_large / max(t_small, 1e-9):5.1f}",
              flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
