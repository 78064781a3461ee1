"""Therapy names and conditions, normalised (pure; the dictionary is drug-named-entity-recognition)."""

from __future__ import annotations

import pytest

from oncoclaims.discover.conditions import condition_similarity
from oncoclaims.discover.names import (
    NameGroups,
    name_variants,
    record_parts,
    resolve_drug,
    split_combination,
)


@pytest.mark.parametrize("name", ["Keytruda", "pembrolizumab", "lambrolizumab", "pembrolizumb", "KEYTRUDA"])
def test_brand_generic_old_and_misspelled_names_resolve_to_pembrolizumab(name: str) -> None:
    drug = resolve_drug(name)
    assert drug is not None and drug.drugbank_id == "DB09037" and drug.name == "Pembrolizumab"


def test_brand_and_short_names_of_t_vec_resolve_to_one_drug() -> None:
    keys = {resolve_drug(n).key for n in ("Imlygic", "T-VEC", "talimogene laherparepvec")}  # type: ignore[union-attr]
    assert len(keys) == 1
    assert resolve_drug("Opdivo").key == resolve_drug("nivolumab").key != resolve_drug("Keytruda").key  # type: ignore[union-attr]


@pytest.mark.parametrize("name", ["Toca 511", "Toca FC", "Tocagen", "Enteromix"])
def test_a_short_or_unknown_name_is_not_fuzzily_taken_for_another_drug(name: str) -> None:
    # a fuzzy match finds deoxycorticosterone for "Toca" and glucagon for "Tocagen"
    assert resolve_drug(name) is None


def test_a_code_name_the_dictionary_lacks_joins_through_a_records_other_names() -> None:
    groups = NameGroups()
    assert not groups.same("MK-3475", "Keytruda")
    groups.join(["Pembrolizumab", "MK-3475"])  # as a trial's intervention and its otherNames
    assert groups.same("mk-3475", "Keytruda")


def test_combinations_keep_their_parts() -> None:
    assert split_combination("p53 vaccine plus pembrolizumab") == ("p53 vaccine", "pembrolizumab")
    assert "Pembrolizumab" in record_parts("Pembrolizumab + Carboplatin + Pemetrexed")
    assert "Keytruda" in name_variants(["pembrolizumab"])


def test_squamous_nsclc_is_closer_to_nsclc_than_to_small_cell_lung_cancer() -> None:
    squamous = "squamous non-small-cell lung cancer"
    nsclc = condition_similarity(squamous, ["Carcinoma, Non-Small-Cell Lung"])
    sclc = condition_similarity(squamous, ["Small Cell Lung Carcinoma"])
    assert nsclc > sclc > condition_similarity(squamous, ["Melanoma"]) == 0.0
    assert condition_similarity("SCLC", ["Small Cell Lung Carcinoma"]) > condition_similarity(
        "SCLC", ["Squamous Cell Non-small Cell Lung Cancer"])
    assert condition_similarity(None, ["Melanoma"]) == 0.0
