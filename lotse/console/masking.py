"""Masking of personal data in chat text, and pseudonyms for conversation ids. Pure functions.

`mask(text, names)` splits a message into segments; a masked segment carries its kind (phone,
email, iban, number, name) and is shown as a label such as "[Telefonnummer]". Staff see masked
text by default; a reveal is a separate, audit-logged request.

`scrub_for_training(text, names)` replaces the same things with neutral stand-ins, so corrected
messages and exported test stories never carry personal data into training files.
The patterns for e-mail addresses, IBANs and phone numbers are lotse/language/personal_data.py's.
"""
from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass
from typing import Iterable

from lotse.language.personal_data import EMAIL, IBAN, PHONE, digits, has_phone_digits

LABELS = {
    "email": "[E-Mail]",
    "iban": "[IBAN]",
    "phone": "[Telefonnummer]",
    "number": "[Nummer]",
    "name": "[Name]",
}
STAND_INS = {
    "email": "name@example.org",
    "iban": "DE00 0000 0000 0000 0000 00",
    "phone": "0123 456789",
    "number": "123456",
    "name": "Alex",
}

# Digit runs not inside a word: phone numbers, and other long numbers (customer numbers).
DIGITS = re.compile(rf"(?<![\w]){PHONE}(?![\w])")
NAME_INTRO = re.compile(
    r"(?i:\b(?:ich\s+hei(?:ß|ss)e|mein\s+(?:vor)?name\s+ist|name\s*:|hier\s+(?:ist|spricht)|ich\s+bin\s+(?:die|der)|my\s+name\s+is|i\s+am\s+called)\s+)"
    r"(\w[\w'-]*(?:\s+[A-ZÄÖÜ][\w'-]*)?)",
    re.UNICODE,
)
SENSITIVE_SLOTS = frozenset({"phone", "callback_phone", "first_name", "callback_first_name", "callback_name", "name", "email"})


@dataclass(frozen=True)
class Segment:
    text: str
    kind: str | None = None  # None = shown as is

    @property
    def label(self) -> str:
        return LABELS[self.kind] if self.kind else self.text


def _digit_kind(candidate: str) -> str | None:
    if not has_phone_digits(candidate):
        return None
    if re.fullmatch(r"\d{1,2}\.\d{1,2}\.\d{2,4}", candidate.strip()):
        return None  # a date
    if candidate.lstrip("(").startswith(("+", "0")) and len(digits(candidate)) <= 15:
        return "phone"
    return "number"


def _spans(text: str, names: Iterable[str]) -> list[tuple[int, int, str]]:
    spans: list[tuple[int, int, str]] = []
    for match in EMAIL.finditer(text):
        spans.append((match.start(), match.end(), "email"))
    for match in IBAN.finditer(text):
        if sum(c.isdigit() for c in match.group()) >= 12:
            spans.append((match.start(), match.end(), "iban"))
    for match in DIGITS.finditer(text):
        kind = _digit_kind(match.group())
        if kind:
            spans.append((match.start(), match.end(), kind))
    for match in NAME_INTRO.finditer(text):
        spans.append((match.start(1), match.end(1), "name"))
    for name in {n.strip() for n in names if n and len(n.strip()) >= 2}:
        for match in re.finditer(rf"(?<!\w){re.escape(name)}(?!\w)", text, re.IGNORECASE):
            spans.append((match.start(), match.end(), "name"))
    return spans


def _merge(spans: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    merged: list[tuple[int, int, str]] = []
    for start, end, kind in sorted(spans, key=lambda s: (s[0], -s[1])):
        if merged and start < merged[-1][1]:
            last = merged[-1]
            merged[-1] = (last[0], max(last[1], end), last[2])
        else:
            merged.append((start, end, kind))
    return merged


def mask(text: str, names: Iterable[str] = ()) -> list[Segment]:
    """The text as segments, personal data marked with its kind."""
    segments: list[Segment] = []
    position = 0
    for start, end, kind in _merge(_spans(text, names)):
        if start > position:
            segments.append(Segment(text[position:start]))
        segments.append(Segment(text[start:end], kind))
        position = end
    if position < len(text):
        segments.append(Segment(text[position:]))
    return segments


def masked_text(text: str, names: Iterable[str] = ()) -> str:
    return "".join(segment.label for segment in mask(text, names))


def scrub_for_training(text: str, names: Iterable[str] = ()) -> str:
    """The text with personal data replaced by neutral stand-ins, on one line."""
    scrubbed = "".join(STAND_INS[s.kind] if s.kind else s.text for s in mask(text, names))
    return " ".join(scrubbed.split())


def has_personal_data(text: str, names: Iterable[str] = ()) -> bool:
    return any(segment.kind for segment in mask(text, names))


def mask_slot_value(name: str, value: object, names: Iterable[str] = ()) -> str:
    """A slot value as staff see it by default."""
    if value is None:
        return "–"
    if name in SENSITIVE_SLOTS:
        return "[verborgen]"
    return masked_text(str(value), names)


def pseudonym(secret: bytes, conversation_id: str) -> str:
    """A short, stable, non-reversible id for a conversation (messenger sender ids can be phone numbers)."""
    digest = hmac.new(secret, conversation_id.encode("utf-8"), hashlib.sha256).hexdigest()
    return digest[:12]
