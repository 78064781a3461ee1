"""Quantities normalised to a value, a range or a bound."""

from __future__ import annotations

from decimal import Decimal

import pytest

from oncoclaims.extract.quantities import find_quantities, parse_number


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("tumors are said to shrink by 60 to 80 percent", (None, 60, 80, "range", "percent", "tumour shrinkage")),
        ("reportedly involving fewer than fifty volunteers", (None, None, 50, "fewer than", "volunteers", "volunteers")),
        ("the claim of 100 percent effectiveness", (100, None, None, "exactly", "percent", "effectiveness")),
        ("In a study of 436 patients with melanoma", (436, None, None, "exactly", "patients", "patients")),
        ("between 20 and 30 patients", (None, 20, 30, "range", "patients", "patients")),
        ("remission for up to 12 months", (None, None, 12, "up to", "months", "months")),
        ("at least five years", (None, 5, None, "at least", "years", "years")),
        ("about 1,200 people", (1200, None, None, "about", "people", "people")),
        ("16.3 percent of patients", (Decimal("16.3"), None, None, "exactly", "percent", "percentage")),
        ("a 436-patient trial", (436, None, None, "exactly", "patients", "patients")),
    ],
)
def test_quantities_are_normalised(text: str, expected: tuple) -> None:
    (quantity,) = find_quantities(text)
    value, low, high, qualifier, unit, measure = expected
    as_decimal = lambda v: None if v is None else Decimal(v)  # noqa: E731
    assert (quantity.value, quantity.min_value, quantity.max_value) == (
        as_decimal(value), as_decimal(low), as_decimal(high))
    assert (quantity.qualifier, quantity.unit, quantity.measure) == (qualifier, unit, measure)
    assert text[quantity.start:quantity.end] == quantity.text


@pytest.mark.parametrize("text", ["Covid-19 vaccines", "in 2011 the trial", "a 3 year-old patient", "Phase I"])
def test_numbers_without_a_unit_are_not_quantities(text: str) -> None:
    assert find_quantities(text) == []


@pytest.mark.parametrize(("words", "value"), [("fifty", 50), ("twenty-five", 25), ("one hundred", 100),
                                               ("1,200", 1200), ("2.5", Decimal("2.5")), ("a dozen", 12)])
def test_numbers_are_read_from_digits_and_words(words: str, value: int) -> None:
    assert parse_number(words) == Decimal(value)
