"""Recognise a child's age in a German message and map it to the groups the law distinguishes.

Groups: "unter_1" (under one year), "1_bis_2" (first birthday up to age 3), "ab_3".
Only a number that clearly refers to a child counts ("mein Sohn ist 2", "mit einem 4-jährigen
Kind", "Tochter, 14 Monate"); other numbers ("40 Stunden", "seit 6 Jahren") are ignored.
"""
from __future__ import annotations

import re

from lotse.textnorm import fold

_NUMBER_WORDS = {
    "ein": 1, "eins": 1, "einem": 1, "einen": 1, "eine": 1, "zwei": 2, "drei": 3, "vier": 4,
    "funf": 5, "sechs": 6, "sieben": 7, "acht": 8, "neun": 9, "zehn": 10, "elf": 11, "zwolf": 12,
    "dreizehn": 13, "vierzehn": 14, "funfzehn": 15, "sechzehn": 16, "siebzehn": 17,
    "achtzehn": 18, "halb": 0,
}
_NUM = r"(\d{1,2}|" + "|".join(sorted(_NUMBER_WORDS, key=len, reverse=True)) + r")"
_CHILD = r"(?:kind|kinder|kindes|sohn|tochter|baby|kleine|kleiner|kleinen|kleines|junge|madchen|sohnchen|tochterchen)"

_PATTERNS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(rf"\b{_NUM}\s*(?:monate|monaten|monat|mon)\b"), "months"),
    (re.compile(rf"\b{_NUM}\s*(?:jahrig|jahrige|jahrigen|jahriges|jahriger)\b"), "years"),
    (re.compile(rf"\b{_CHILD}\b[^.?!]{{0,25}}?\b(?:ist|wird|wurde|von|mit|,)\s*{_NUM}\b(?!\s*(?:stunden|std|uhr|euro|tage|wochen))"), "years"),
    (re.compile(rf"\b{_NUM}\s*(?:jahre|jahr|j)\s*alt"), "years"),
    (re.compile(rf"\b{_CHILD}\s+{_NUM}\b(?!\s*(?:stunden|std|uhr|euro|tage|wochen|kinder))"), "years"),
]
_INFANT = re.compile(r"\b(?:baby|saugling|neugeboren|neugeborenes|unter einem jahr|unter 1 jahr|noch kein jahr)\b")


def _number(token: str) -> float | None:
    if token.isdigit():
        return float(token)
    if token in _NUMBER_WORDS:
        return float(_NUMBER_WORDS[token]) if token != "halb" else 0.5
    return None


def age_group_for_years(years: float) -> str:
    if years < 1:
        return "unter_1"
    if years < 3:
        return "1_bis_2"
    return "ab_3"


def extract_child_age_group(text: str) -> str | None:
    folded = fold(text).replace("-", " ")
    for pattern, unit in _PATTERNS:
        match = pattern.search(folded)
        if not match:
            continue
        value = _number(match.group(1))
        if value is None:
            continue
        years = value / 12 if unit == "months" else value
        if unit == "years" and years > 17:
            continue
        return age_group_for_years(years)
    if _INFANT.search(folded):
        return "unter_1"
    return None
