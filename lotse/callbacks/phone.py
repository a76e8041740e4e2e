"""Recognise the phone number a user gives for a callback, and mask it for logs.

German numbers are read back in national format ("0171 2345678"), foreign ones in international
format ("+380 67 123 4567"). Only numbers staff can call at normal cost are accepted: premium rate,
shared cost, UAN, pager and voicemail-only numbers are refused as "not_callable".
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import phonenumbers
from phonenumbers import PhoneNumber, PhoneNumberFormat, PhoneNumberType

CALLABLE_TYPES = frozenset({
    PhoneNumberType.FIXED_LINE,
    PhoneNumberType.MOBILE,
    PhoneNumberType.FIXED_LINE_OR_MOBILE,
    PhoneNumberType.VOIP,
    PhoneNumberType.PERSONAL_NUMBER,
    PhoneNumberType.TOLL_FREE,
})
GERMANY = 49
MIN_DIGITS = 3  # fewer digits are not an attempt at a phone number ("2 Kinder")
# A run of at least three digits with the usual separators: something the user meant as a number.
_DIGIT_RUN = re.compile(r"\+?\(?\d[\d\s/().-]*\d")
_LETTER = re.compile(r"[^\W\d_]")


@dataclass(frozen=True)
class PhoneResult:
    ok: bool
    e164: str | None
    display: str | None
    problem: str | None  # None | "missing" | "invalid" | "not_callable"


def _accepted(number: PhoneNumber) -> PhoneResult:
    style = PhoneNumberFormat.NATIONAL if number.country_code == GERMANY else PhoneNumberFormat.INTERNATIONAL
    return PhoneResult(
        ok=True,
        e164=phonenumbers.format_number(number, PhoneNumberFormat.E164),
        display=phonenumbers.format_number(number, style),
        problem=None,
    )


def _refused(problem: str) -> PhoneResult:
    return PhoneResult(ok=False, e164=None, display=None, problem=problem)


def _try_parse(candidate: str, region: str) -> PhoneNumber | None:
    try:
        return phonenumbers.parse(candidate, region)
    except phonenumbers.NumberParseException:
        return None


def _fallback_candidates(text: str) -> list[str]:
    """What to parse when the matcher found no valid number: anything with at least three digits.

    The whole text only if it has no letters: phonenumbers reads letters as keypad digits
    ("danke" -> 32653), which would turn a sentence or a typo into a different number.
    """
    candidates = [text] if not _LETTER.search(text) else [run.group(0) for run in _DIGIT_RUN.finditer(text)]
    return [c for c in candidates if sum(ch.isdigit() for ch in c) >= MIN_DIGITS]


def parse_phone(text: str, region: str = "DE") -> PhoneResult:
    text = text or ""
    matcher = phonenumbers.PhoneNumberMatcher(text, region, leniency=phonenumbers.Leniency.VALID)
    matches = [m.number for m in matcher]
    for number in matches:
        if phonenumbers.number_type(number) in CALLABLE_TYPES:
            return _accepted(number)
    if matches:
        return _refused("not_callable")

    candidates = _fallback_candidates(text)
    for candidate in candidates:
        number = _try_parse(candidate, region)
        if number is None or not phonenumbers.is_valid_number(number):
            continue
        if phonenumbers.number_type(number) in CALLABLE_TYPES:
            return _accepted(number)
        return _refused("not_callable")
    return _refused("invalid" if candidates else "missing")


def mask_phone(e164: str) -> str:
    """"+491712345678" -> "+49 … 78": country code and the last two digits only."""
    e164 = (e164 or "").strip()
    digits = re.sub(r"\D", "", e164)
    tail = digits[-2:] if len(digits) >= 6 else ""
    number = _try_parse(e164, "ZZ") if e164.startswith("+") else None
    prefix = f"+{number.country_code} " if number is not None and tail else ""
    return f"{prefix}… {tail}".rstrip()
