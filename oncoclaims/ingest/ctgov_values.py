"""Values of ClinicalTrials.gov records, spelled one way whatever the format (pure).

The XML and classic formats spell values for people (``Phase 1/Phase 2``,
``Non-Randomized``, ``Active, not recruiting``, ``July 2001``), API v2 as enumerations and
ISO dates. Every reader passes its values through these functions, so the same record
gives the same literals from any format: API v2 enumeration spellings, ISO dates.
"""

from __future__ import annotations

import re
from datetime import datetime

from oncoclaims.errors import RecordError, SourceLocation

__all__ = [
    "check_nct_id",
    "clean_text",
    "normalise_date",
    "normalise_enrollment_type",
    "normalise_enum",
    "normalise_phases",
    "normalise_sponsor_class",
    "normalise_study_type",
    "therapy_label",
]

_NCT = re.compile(r"NCT\d{8}")

# Spellings of the XML and classic formats that a plain upper-casing does not turn into
# the API v2 enumeration value.
_ENUM_ALIASES = {
    "N_A": "NA",
    "UNKNOWN_STATUS": "UNKNOWN",
    "U_S_FED": "FED",
    "ANTICIPATED": "ESTIMATED",
}


def clean_text(value: object) -> str | None:
    """Collapse whitespace in a text value; ``None`` for a missing or blank one."""
    if value is None:
        return None
    text = " ".join(str(value).split())
    return text or None


def normalise_enum(value: object) -> str | None:
    """Spell an enumeration value as API v2 does (``Not yet recruiting`` -> ``NOT_YET_RECRUITING``).

    >>> normalise_enum("Non-Randomized"), normalise_enum("N/A"), normalise_enum("U.S. Fed")
    ('NON_RANDOMIZED', 'NA', 'FED')
    """
    text = clean_text(value)
    if text is None:
        return None
    key = re.sub(r"[^A-Z0-9]+", "_", text.upper()).strip("_")
    return _ENUM_ALIASES.get(key, key) or None


def normalise_study_type(value: object) -> str | None:
    """Spell a study type as API v2 does (``Observational [Patient Registry]`` too)."""
    key = normalise_enum(value)
    if key is not None and key.startswith("OBSERVATIONAL"):
        return "OBSERVATIONAL"
    return key


def normalise_phases(values: list[str] | tuple[str, ...]) -> tuple[str, ...]:
    """Spell phases as API v2 does: ``Phase 1/Phase 2`` -> ``("PHASE1", "PHASE2")``.

    >>> normalise_phases(["Early Phase 1", "N/A", "PHASE3"])
    ('EARLY_PHASE1', 'NA', 'PHASE3')
    """
    phases: list[str] = []
    for value in values:
        text = clean_text(value)
        if text is None:
            continue
        parts = [text] if text.upper() in {"N/A", "NA"} else text.split("/")
        for part in parts:
            key = normalise_enum(part)
            if key is None:
                continue
            key = re.sub(r"PHASE_(\d)$", r"PHASE\1", key)
            key = "NA" if key == "NOT_APPLICABLE" else key
            if key not in phases:
                phases.append(key)
    return tuple(phases)


def normalise_enrollment_type(value: object) -> str | None:
    """``ACTUAL``/``Actual`` -> ``actual``; ``ESTIMATED``/``Anticipated`` -> ``anticipated``."""
    key = normalise_enum(value)
    return {"ACTUAL": "actual", "ESTIMATED": "anticipated"}.get(key or "")


def normalise_sponsor_class(value: object) -> str | None:
    """Spell a sponsor class as API v2 does (``U.S. Fed`` -> ``FED``)."""
    return normalise_enum(value)


def normalise_date(value: object) -> str | None:
    """Turn ``2001-07``, ``July 2001``, ``July 15, 2001`` into ISO ``2001-07`` / ``2001-07-15``.

    :returns: the ISO form, or ``None`` when the value is missing or not a date.

    >>> normalise_date("July 2001"), normalise_date("August 28, 2015"), normalise_date("2024-09-30")
    ('2001-07', '2015-08-28', '2024-09-30')
    """
    text = clean_text(value)
    if text is None:
        return None
    if re.fullmatch(r"\d{4}(-\d{2}){0,2}", text):
        return text
    for fmt, iso in (
        ("%B %d, %Y", "%Y-%m-%d"),
        ("%B %Y", "%Y-%m"),
        ("%b %d, %Y", "%Y-%m-%d"),
        ("%b %Y", "%Y-%m"),
    ):
        try:
            return datetime.strptime(text, fmt).strftime(iso)
        except ValueError:
            continue
    return None


def therapy_label(name: str) -> str:
    """The label of a therapy named ``name`` in a registration, the same for every casing of it.

    Registrations spell one drug ``carboplatin`` or ``Carboplatin``; both name one therapy
    node (its IRI is case-blind), which must carry one label. A name whose first word is
    all lower-case letters gets a capital; any other (``mRNA-4157``, ``3D-CRT``) is kept.

    >>> therapy_label("carboplatin"), therapy_label("nab-paclitaxel"), therapy_label("mRNA-4157")
    ('Carboplatin', 'Nab-paclitaxel', 'mRNA-4157')
    """
    first = name.split(maxsplit=1)[0]
    if re.fullmatch(r"[a-z][a-z-]*", first):
        return name[0].upper() + name[1:]
    return name


def check_nct_id(value: object, location: SourceLocation, path: str, fmt: str) -> str:
    """Return the record's NCT number, upper case.

    :param path: where the format keeps it, for the message.
    :param fmt: the format's name, for the message.
    :raises RecordError: when it is missing or not ``NCT`` plus 8 digits.
    """
    text = clean_text(value)
    if text is None:
        raise RecordError(
            location,
            f"no {path}: every {fmt} study needs its NCT number. Is the file in another "
            "format, or was the NCT id left out of the request's fields?",
        )
    if not _NCT.fullmatch(text.upper()):
        raise RecordError(location, f"{path} is {text!r}, not an NCT number (NCT plus 8 digits)")
    return text.upper()
