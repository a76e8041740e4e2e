"""Text normalisation shared by place resolution and NLU: case, umlauts, punctuation."""
from __future__ import annotations

import re
import unicodedata

_UMLAUT_PAIRS = (("ä", "a"), ("ö", "o"), ("ü", "u"), ("ß", "ss"), ("ae", "a"), ("oe", "o"), ("ue", "u"))
_NON_WORD = re.compile(r"[^\w\s-]+", re.UNICODE)


def fold(text: str) -> str:
    """A spelling-tolerant key: "Südlohn", "Suedlohn" and "sudlohn" all fold to "sudlohn"."""
    text = unicodedata.normalize("NFC", text).lower()
    for old, new in _UMLAUT_PAIRS:
        text = text.replace(old, new)
    text = _NON_WORD.sub(" ", text).replace("-", " ")
    return " ".join(text.split())


def words(text: str) -> list[str]:
    return fold(text).split()


def edit_distance(a: str, b: str, limit: int = 3) -> int:
    """Damerau-Levenshtein (optimal string alignment) distance, capped at `limit + 1`."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cost = 0 if ca == cb else 1
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        if min(cur) > limit:
            return limit + 1
        prev2, prev = prev, cur
    return prev[-1]
