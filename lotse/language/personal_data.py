"""What personal data looks like in text: the patterns for e-mail addresses, IBANs and phone
numbers, written once for the three places that look for them — log redaction
(lotse/privacy/redact.py), the console's masking (lotse/console/masking.py) and the content check
that answers name only verified contacts (lotse/knowledge/content.py).

It lives in lotse.language, a package every layer may import: lotse.privacy itself imports the
stores (lotse.callbacks, lotse.database), so the content package importing it would tie knowledge
to them.
"""
from __future__ import annotations

import re

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
IBAN = re.compile(r"\b[A-Z]{2}\d{2}(?:[ ]?[A-Z0-9]{4}){3,7}(?:[ ]?[A-Z0-9]{1,3})?\b", re.IGNORECASE)

# A phone number as people type it: digits with spaces, slashes, dots, dashes or brackets between
# them, optionally after + and (. Six characters or more; `MIN_PHONE_DIGITS` decides.
PHONE = r"\+?\(?\d[\d ()/.\-]{4,}\d"
# The same without dots, for texts in which dots belong to dates and amounts ("01.08.2026", "1.000 €").
PHONE_WITHOUT_DOTS = r"\+?\(?\d[\d ()/\-]{4,}\d"
MIN_PHONE_DIGITS = 6


def digits(text: str) -> str:
    """The digits of `text`, e.g. of a phone number to compare it with another."""
    return re.sub(r"\D", "", text)


def has_phone_digits(candidate: str) -> bool:
    """Whether a match of `PHONE` holds enough digits to be a phone number."""
    return len(digits(candidate)) >= MIN_PHONE_DIGITS
