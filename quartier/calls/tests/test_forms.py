"""Money typed by people: German and English notation, refused with a message otherwise."""

import pytest

from quartier.calls.forms import EuroField, format_euros, parse_euros


@pytest.mark.parametrize(("text", "cents"), [
    ("25.000,50", 2_500_050), ("25000,5", 2_500_050), ("25000.50", 2_500_050),
    ("25 000 €", 2_500_000), ("1.234.567", 123_456_700), ("12.5", 1250), ("7", 700),
    ("0,01", 1),
])
def test_amounts_in_euros_are_read_to_cents(text, cents):
    assert parse_euros(text) == cents


@pytest.mark.parametrize("text", ["abc", "1,2,3", "12.345.6", "1,001", "-5", "1e5", "12.3.4"])
def test_unreadable_amounts_are_refused(text):
    with pytest.raises(ValueError):
        parse_euros(text)


@pytest.mark.parametrize(("text", "message"), [
    ("zwanzig", "Enter an amount in euros"), ("0", "more than 0"),
    ("9" * 19, "too large"), ("9" * 30, "too large"),
])
def test_the_field_explains_what_is_wrong(text, message):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match=message):
        EuroField().clean(text)


def test_cents_are_shown_in_german_notation():
    assert format_euros(2_500_050) == "25.000,50"
    assert EuroField(required=False).clean("") is None
