from __future__ import annotations

import pytest

from lotse.callbacks.phone import PhoneResult, mask_phone, parse_phone

MOBILE = ("+491712345678", "0171 2345678")
BORKEN = ("+49286112345", "02861 12345")
UKRAINE = ("+380671234567", "+380 67 123 4567")


@pytest.mark.parametrize(
    "text, expected",
    [
        # German mobile, many notations
        ("0171 2345678", MOBILE),
        ("0171/2345678", MOBILE),
        ("0171-234 56 78", MOBILE),
        ("01712345678", MOBILE),
        ("0171.2345678", MOBILE),
        ("+49 171 2345678", MOBILE),
        ("+491712345678", MOBILE),
        ("0049 171 2345678", MOBILE),
        ("0049-171-2345678", MOBILE),
        ("+49 (0)171 2345678", MOBILE),
        ("+49 0171 2345678", MOBILE),
        # German landline (Borken area code 02861)
        ("(02861) 12345", BORKEN),
        ("02861 12345", BORKEN),
        ("02861/12345", BORKEN),
        ("0 28 61 / 1 23 45", BORKEN),
        ("+49 (0) 2861 12345", BORKEN),
        ("+49 2861 12345", BORKEN),
        ("02861 681-100", ("+492861681100", "02861 681100")),
        # inside a sentence
        ("meine nummer ist 0171 2345678 danke", MOBILE),
        ("Sie erreichen mich unter (02861) 12345, am besten vormittags.", BORKEN),
        ("Tel.: +49 171 2345678!", MOBILE),
        # several numbers: the first callable one wins
        ("0171 2345678 oder 02861 12345", MOBILE),
        ("nicht die 0900 1234567, sondern 0171 2345678", MOBILE),
        # international
        ("+380 67 123 4567", UKRAINE),
        ("00380671234567", UKRAINE),
        ("meine Nummer: +380 67 123 4567", UKRAINE),
        ("+43 664 1234567", ("+436641234567", "+43 664 1234567")),
        ("+44 20 7946 0958", ("+442079460958", "+44 20 7946 0958")),
        # toll free and personal numbers can be called
        ("0800 1234567", ("+498001234567", "0800 1234567")),
    ],
)
def test_valid_numbers(text, expected):
    e164, display = expected
    assert parse_phone(text) == PhoneResult(ok=True, e164=e164, display=display, problem=None)


@pytest.mark.parametrize(
    "text, problem",
    [
        ("", "missing"),
        ("   ", "missing"),
        ("abc", "missing"),
        ("ich habe kein Telefon", "missing"),
        ("ich habe 2 Kinder", "missing"),
        ("123", "invalid"),
        ("0171 234", "invalid"),
        ("meine nummer ist 0171 234", "invalid"),
        ("0171 abcdefg", "invalid"),  # no keypad letters ("vanity numbers")
        ("0171 23456789012", "invalid"),
        ("110", "invalid"),
        ("0900 1234567", "not_callable"),  # premium rate
        ("09001 234567", "not_callable"),
        ("0180 5123456", "not_callable"),  # shared cost
        ("0137 1234567", "not_callable"),  # mass calling
        ("0164 1234567", "not_callable"),  # pager
    ],
)
def test_rejected_numbers(text, problem):
    assert parse_phone(text) == PhoneResult(ok=False, e164=None, display=None, problem=problem)


def test_region_decides_national_numbers():
    assert parse_phone("0664 1234567", region="AT").e164 == "+436641234567"
    assert parse_phone("0664 1234567", region="AT").display == "+43 664 1234567"


@pytest.mark.parametrize(
    "e164, masked",
    [
        ("+491712345678", "+49 … 78"),
        ("+49286112345", "+49 … 45"),
        ("+380671234567", "+380 … 67"),
        ("+12", "…"),
        ("", "…"),
        ("491712345678", "… 78"),
    ],
)
def test_mask_phone(e164, masked):
    assert mask_phone(e164) == masked


def test_mask_hides_the_middle_digits():
    masked = mask_phone("+491712345678")
    assert "171" not in masked and "2345" not in masked
