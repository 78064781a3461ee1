"""Time the trace rules' patterns on 1 MiB of adversarial text (each must stay linear).

Run: ``PYTHONPATH=. python -m bench.trace_patterns``. Prints, per pattern, the slowest of the
adversarial texts in seconds; a pattern that backtracks over long runs of capitalised words,
joiners or names would take minutes here instead of milliseconds.
"""

from __future__ import annotations

import time

from oncoclaims.extract import names, study_refs, voices

__all__ = ["ADVERSARIAL", "PATTERNS", "main"]

SIZE = 1 << 20
#: Texts made of what the patterns repeat: capitalised words, joiners, commas, names, verbs.
ADVERSARIAL = {
    "capitalised run": "Aa ",
    "the + capitalised": "the Aa ",
    "of-joiners": "Aa of of of ",
    "comma list": "Aa Bb, ",
    "and list": "and the Aa ",
    "names": "Jane Roe, ",
    "possessive": "Aa’s ",
    "said chain": "said the a ",
    "spokes": "a Aa spokes ",
    "digits": "study of 1 2 ",
    "government": "Aa Bb Cc government ",
    "lowercase": "a b c ",
}
PATTERNS = {
    "names._JOB_BEFORE": names._JOB_BEFORE,
    "names._AND_ORG": names._AND_ORG,
    "study._SIZE": study_refs._SIZE,
    "study._TEAM_AT": study_refs._TEAM_AT,
    "study._MORE_ORGS": study_refs._MORE_ORGS,
    "study._ORG_TESTS": study_refs._ORG_TESTS,
    "study._ORG_TEAM": study_refs._ORG_TEAM,
    "study._AUTHOR_CUE": study_refs._AUTHOR_CUE,
    "study.DEVELOPER_CUE": study_refs.DEVELOPER_CUE,
    **{f"study.{rule}": pattern for rule, pattern in study_refs._PEOPLE_RULES},
    "study._DESIGN_early": dict(study_refs._DESIGN_RULES)["early-human-trial"],
    "voices._AFTER": voices._AFTER,
    "voices._SUBJECT": voices._SUBJECT,
    "voices._ACCORDING": voices._ACCORDING,
    "voices._ORG_SAID": voices._ORG_SAID,
    "voices._BODY_SAID": voices._BODY_SAID,
    "voices._SPOKES": voices._SPOKES,
    "voices._THE_BODY_SAID": voices._THE_BODY_SAID,
    "voices._COMPANY_CUE": voices._COMPANY_CUE,
    "voices._ORG_MENTION": voices._ORG_MENTION,
    "voices._NOT_INVOLVED": voices._NOT_INVOLVED,
    "voices._PARTICIPANT_CUE": voices._PARTICIPANT_CUE,
    "voices._PROFESSIONAL": voices._PROFESSIONAL,
}


def main() -> None:
    """Print the slowest adversarial text per pattern, slowest pattern first."""
    texts = {name: (unit * (SIZE // len(unit) + 1))[:SIZE] for name, unit in ADVERSARIAL.items()}
    rows = []
    for label, pattern in PATTERNS.items():
        worst = (0.0, "")
        for name, text in texts.items():
            start = time.perf_counter()
            for _ in pattern.finditer(text):
                pass
            worst = max(worst, (time.perf_counter() - start, name))
        rows.append((worst[0], label, worst[1]))
    for seconds, label, name in sorted(rows, reverse=True):
        print(f"{seconds:8.3f} s  {label:<32} worst on: {name}")


if __name__ == "__main__":
    main()
