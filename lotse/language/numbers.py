"""Numbers as each language writes them, and the check for numbers written in another language's format.

    format_number(Decimal("4260"), "en")    -> "4,260"
    format_number(Decimal("202.68"), "uk")  -> "202,68"

German: "4.260", "202,68"; English: "4,260", "202.68"; Ukrainian: "4 260", "202,68" (a plain space
between the groups, as in the rest of the content). Whole numbers get no decimals, others two.
"""
from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal

from lotse.language.languages import DEFAULT_LANGUAGE

# (thousands separator, decimal separator) per language.
SEPARATORS: dict[str, tuple[str, str]] = {"de": (".", ","), "en": (",", "."), "uk": (" ", ",")}

# Groups of thousands ("4.260", "1,000 000"), not part of a longer number or a date ("01.07.2026").
_DOT_THOUSANDS = re.compile(r"(?<![\d.,])\d{1,3}(?:\.\d{3})+(?![.,]?\d)")
_COMMA_THOUSANDS = re.compile(r"(?<![\d.,])\d{1,3}(?:,\d{3})+(?![.,]?\d)")
# Two decimals before a unit ("202,68 €", "0.5 %"): times and dates without a unit are left alone.
_UNIT = r"\s?(?:€|%|Euro\b|euro\b|євро)"
_COMMA_DECIMALS = re.compile(r"(?<![\d.,])\d+,\d{1,2}(?=" + _UNIT + ")")
_DOT_DECIMALS = re.compile(r"(?<![\d.,])\d+\.\d{1,2}(?=" + _UNIT + ")")

# The formats each language must not use, with the reason shown by the check.
WRONG_FORMATS: dict[str, tuple[tuple[re.Pattern[str], str], ...]] = {
    "de": ((_COMMA_THOUSANDS, "English thousands"), (_DOT_DECIMALS, "English decimals")),
    "en": ((_DOT_THOUSANDS, "German thousands"), (_COMMA_DECIMALS, "German decimals")),
    "uk": ((_DOT_THOUSANDS, "German thousands"), (_COMMA_THOUSANDS, "English thousands"), (_DOT_DECIMALS, "English decimals")),
}


def format_number(value: Decimal, lang: str) -> str:
    """`value` written the way `lang` writes numbers: two decimals unless it is a whole number."""
    thousands, decimals = SEPARATORS.get(lang, SEPARATORS[DEFAULT_LANGUAGE])
    whole = value == value.to_integral_value()
    text = f"{value:,.0f}" if whole else f"{value.quantize(Decimal('0.01'), ROUND_HALF_UP):,.2f}"
    return text.replace(",", "\0").replace(".", decimals).replace("\0", thousands)


def wrong_number_formats(text: str, lang: str) -> list[tuple[str, str]]:
    """Every number in `text` written in another language's format: (number, which format)."""
    found: list[tuple[str, str]] = []
    for pattern, reason in WRONG_FORMATS.get(lang, ()):
        found.extend((match.group(0), reason) for match in pattern.finditer(text))
    return found
