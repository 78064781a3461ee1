"""Conditions, normalised enough to rank: a condition's words as comparable features (pure).

The conditions and MeSH terms records carry ("Carcinoma, Non-Small-Cell Lung",
"Squamous Non-Small Cell Lung Cancer", "Small Cell Lung Carcinoma") and a claim's
indication ("advanced melanoma", "squamous NSCLC") are turned into sets of features:
the histology compounds read as one word ("non-small-cell" is not "small-cell"), the
usual abbreviations spelled out, and the words every cancer shares (cancer, carcinoma,
neoplasm, tumour) folded into one feature of small weight. The similarity of two
conditions is the weighted overlap of their features (:func:`condition_similarity`), so
squamous NSCLC is closer to NSCLC than to small-cell lung cancer.

>>> sorted(condition_features("Squamous NSCLC"))
['cancer', 'lung', 'non-small-cell', 'squamous']
>>> nsclc = condition_similarity("squamous NSCLC", ["Carcinoma, Non-Small-Cell Lung"])
>>> sclc = condition_similarity("squamous NSCLC", ["Small Cell Lung Carcinoma"])
>>> nsclc > sclc
True
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

__all__ = ["condition_features", "condition_similarity"]

#: Abbreviations that records and news use for the conditions they name, spelled out.
_ABBREVIATIONS = {
    "nsclc": "non-small-cell lung cancer",
    "sclc": "small-cell lung cancer",
    "crc": "colorectal cancer",
    "mcrc": "metastatic colorectal cancer",
    "tnbc": "triple-negative breast cancer",
    "hcc": "hepatocellular carcinoma",
    "rcc": "renal cell carcinoma",
    "aml": "acute myeloid leukemia",
    "b-all": "b-cell acute lymphoblastic leukemia",
    "cll": "chronic lymphocytic leukemia",
    "cml": "chronic myeloid leukemia",
    "gbm": "glioblastoma",
    "hnscc": "head and neck squamous cell carcinoma",
}
#: Words every cancer shares: one feature, of small weight.
_GENERIC = re.compile(r"^(?:cancers?|carcinomas?|neoplasms?|tumou?rs?|malignan\w*|oncolog\w*|diseases?)$")
_STOP = frozenset({
    "of", "the", "and", "or", "with", "in", "a", "an", "for", "patients", "patient", "type",
    "stage", "previously", "treated", "untreated", "who", "have", "has", "nos", "to", "cell",
})
_WEIGHTS = {"cancer": 0.2, "advanced": 0.3, "metastatic": 0.3, "recurrent": 0.3, "relapsed": 0.3,
            "refractory": 0.3}
_SYNONYMS = {"tumors": "cancer", "lungs": "lung", "pulmonary": "lung", "leukaemia": "leukemia",
             "tumours": "cancer", "glioma": "glioma", "mammary": "breast", "melanomas": "melanoma",
             "cutaneous": "skin"}


@lru_cache(maxsize=65536)
def condition_features(text: str) -> frozenset[str]:
    """The features of one condition's name: words, histology compounds, no stop words."""
    lowered = text.casefold().replace("–", "-")
    words = re.findall(r"[a-z0-9]+(?:-[a-z0-9]+)*", lowered)
    expanded: list[str] = []
    for word in words:
        expanded.extend(_ABBREVIATIONS.get(word, word).split())
    joined = " ".join(expanded)
    # "non small cell", "non-small cell", "nonsmall-cell" -> one feature, apart from "small cell"
    joined = re.sub(r"\bnon[- ]?small[- ]cell\b", "non-small-cell", joined)
    joined = re.sub(r"(?<!non-)\bsmall[- ]cell\b", "small-cell", joined)
    joined = re.sub(r"\bsquamous[- ]cell\b", "squamous", joined)
    features = set()
    for word in joined.split():
        if word in _STOP:
            continue
        if _GENERIC.match(word):
            word = "cancer"
        features.add(_SYNONYMS.get(word, word))
    return frozenset(features)


def _weight(feature: str) -> float:
    return _WEIGHTS.get(feature, 1.0)


def condition_similarity(indication: str | None, conditions: Iterable[str]) -> float:
    """How close a claim's indication is to the best of a record's conditions, 0 to 1.

    The weighted share of the indication's features the condition has, less a penalty
    for the condition's features the indication lacks (a record on small-cell lung cancer
    has "small-cell", a claim on NSCLC does not). ``0.0`` when either side is unknown.
    """
    if not indication:
        return 0.0
    return max((_pair_similarity(indication, condition) for condition in conditions), default=0.0)


@lru_cache(maxsize=1 << 18)
def _pair_similarity(indication: str, condition: str) -> float:
    # one indication against one condition, 0 to 1 (claims and records repeat both)
    wanted = condition_features(indication)
    total = sum(_weight(f) for f in wanted)
    have = condition_features(condition)
    if not total or not have:
        return 0.0
    shared = sum(_weight(f) for f in wanted & have)
    extra = sum(_weight(f) for f in have - wanted)
    score = shared / total - 0.5 * extra / (total + extra)
    return max(0.0, min(1.0, score))
