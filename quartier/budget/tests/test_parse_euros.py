"""Amounts are typed in euros with at most two decimal places and handed on as cents."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from quartier.budget.forms import MAX_CENTS, euros_for_input, parse_euros


@pytest.fixture(autouse=True)
def german():
    with translation.override("de"):
        yield


@pytest.mark.parametrize("text, cents", [
    ("1.234,56", 1_234_56),
    ("1234,56", 1_234_56),
    ("1234", 1_234_00),
    ("1.234", 1_234_00),
    ("12.000.000", 12_000_000_00),
    ("12.000.000,00 €", 12_000_000_00),
    ("€ 5,5", 5_50),
    ("0,01", 1),
    ("1 234,56", 1_234_56),
    ("1\u00a0234,56 EUR", 1_234_56),
    ("  7,00  ", 7_00),
])
def test_german_notation_becomes_cents(text, cents):
    assert parse_euros(text) == cents


@pytest.mark.parametrize("text, code", [
    ("abc", "invalid"),
    ("12,34,56", "invalid"),
    ("1.23", "notation"),
    ("1234.56", "notation"),
    ("1.2345", "invalid"),
    ("0,001", "cents"),
    ("-5", "min_value"),
    ("−5,00", "min_value"),
    ("0", "min_value"),
    ("0,00", "min_value"),
    ("1e5", "invalid"),
    ("NaN", "invalid"),
    ("١٢٣", "invalid"),
    ("5,", "invalid"),
    ("<script>", "invalid"),
    ("99999999999999999", "max_value"),
])
def test_anything_else_is_refused_with_the_reason(text, code):
    with pytest.raises(ValidationError) as refused:
        parse_euros(text)
    assert refused.value.code == code


def test_the_reasons_are_told_in_german():
    with pytest.raises(ValidationError, match="Schreiben Sie die Cent nach einem Komma"):
        parse_euros("12.50")


def test_the_largest_amount_is_ten_billion_euros():
    assert parse_euros("10.000.000.000,00") == MAX_CENTS
    with pytest.raises(ValidationError):
        parse_euros("10.000.000.000,01")


def test_english_pages_take_english_notation():
    with translation.override("en"):
        assert parse_euros("1,234.56") == 1_234_56
        assert parse_euros("1234.5") == 1_234_50
        with pytest.raises(ValidationError, match="after a point"):
            parse_euros("1234,56")


def test_amounts_are_shown_in_fields_as_they_are_typed():
    assert euros_for_input(1_234_56) == "1.234,56"
    assert euros_for_input(5) == "0,05"
    with translation.override("en"):
        assert euros_for_input(12_000_000_00) == "12,000,000.00"
