"""Phone numbers typed by English- and Ukrainian-speaking users (lotse/callbacks/phone.py is language-neutral)."""
from __future__ import annotations

import pytest

from lotse.callbacks.phone import PhoneResult, parse_phone

MOBILE = ("+491712345678", "0171 2345678")
UKRAINE = ("+380671234567", "+380 67 123 4567")  # foreign numbers: accepted, read back internationally


@pytest.mark.parametrize(
    "text, expected",
    [
        ("my number is 0171 2345678", MOBILE),
        ("my phone: (0171) 234-5678 thanks", MOBILE),
        ("you can reach me at +49 171 2345678 in the morning", MOBILE),
        ("мій номер 0171 2345678", MOBILE),
        ("номер телефону: 0171/2345678, дякую", MOBILE),
        ("мій номер – 0049 171 2345678", MOBILE),
        ("nomer 0171 2345678", MOBILE),
        ("+380 67 123 4567", UKRAINE),
        ("+380671234567", UKRAINE),
        ("+380 (67) 123-45-67", UKRAINE),
        ("+38 067 123 45 67", UKRAINE),
        ("00380 67 123 45 67", UKRAINE),
        ("мій номер +380 67 123 4567", UKRAINE),
        ("Мій номер: +380671234567, дзвоніть після 14", UKRAINE),
        ("тел. +380 67 123 4567", UKRAINE),
        ("my number is +380 67 123 4567", UKRAINE),
        ("мій український номер +380 50 123 4567", ("+380501234567", "+380 50 123 4567")),
    ],
)
def test_numbers_in_english_and_ukrainian_sentences(text, expected):
    e164, display = expected
    assert parse_phone(text) == PhoneResult(ok=True, e164=e164, display=display, problem=None)


@pytest.mark.parametrize(
    "text, problem",
    [
        ("у мене немає телефону", "missing"),
        ("I don't have a phone", "missing"),
        ("мені 34 роки і в мене 2 дітей", "missing"),
        ("мій телефон 123", "invalid"),
        ("my number is 0171 234", "invalid"),
        ("380671234567", "invalid"),  # without + or 00 it is no Ukrainian number
    ],
)
def test_no_number_in_english_and_ukrainian(text, problem):
    assert parse_phone(text) == PhoneResult(ok=False, e164=None, display=None, problem=problem)


def test_ukrainian_national_format_needs_the_region():
    # "067 123 45 67" is how Ukrainians write their mobile at home. Read as German (the default
    # region) it is a valid landline in Bad Kreuznach (0671); only region "UA" reads it as meant.
    # Callers that know the conversation is Ukrainian may pass region="UA" – see the report.
    assert parse_phone("067 123 45 67").e164 == "+49671234567"
    assert parse_phone("067 123 45 67", region="UA").e164 == "+380671234567"
    assert parse_phone("+49 171 2345678", region="UA").e164 == "+491712345678"
