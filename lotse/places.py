"""Resolve where a user lives — municipality, district or postal code — from free text.

Pure functions over a `Gazetteer` built from `content/offices.yml`. Exact names (after folding
case and umlauts) are found anywhere in a message; misspelt names only where a place is expected
(a short message, or after "in", "aus", "wohne" ...), so that "vielen Dank" never becomes Velen.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Iterable, Mapping

from lotse.textnorm import edit_distance, fold

POSTAL_CODE = re.compile(r"(?<!\d)(\d{5})(?!\d)")
PLACE_CUES = frozenset(
    "in im aus nach bei von wohne wohn wohnen lebe leben wohnort ort stadt gemeinde ortsteil".split()
)
# Everyday words within one typo of a place name ("vielen Dank" is not Velen).
NOT_PLACES = frozenset(
    "vielen viele vielleicht heben leben lesen reden regen haben heute hecke heck borke kreis "
    "gehen geben rechen recken hallo morgen sorgen sagen fragen danke bitte kinder "
    "sport lieder legen leiden heide werte gemein gras".split()
)
MAX_TOKENS_FOR_BARE_PLACE = 4


@dataclass(frozen=True)
class Resolution:
    status: str  # "found" | "ambiguous" | "outside" | "none"
    municipality: str | None = None
    candidates: tuple[str, ...] = ()
    matched: str | None = None


@dataclass
class Gazetteer:
    names: dict[str, set[str]] = field(default_factory=dict)  # folded name -> municipality ids
    postal_codes: dict[str, str] = field(default_factory=dict)
    outside: set[str] = field(default_factory=set)  # folded names of places outside the district
    max_words: int = 1

    def add(self, name: str, municipality: str) -> None:
        key = fold(name)
        if key:
            self.names.setdefault(key, set()).add(municipality)
            self.max_words = max(self.max_words, len(key.split()))


def build_gazetteer(municipalities: Iterable[Mapping], outside_places: Iterable[str] = ()) -> Gazetteer:
    gaz = Gazetteer()
    for m in municipalities:
        mid = m["id"]
        gaz.add(m["name"], mid)
        for name in list(m.get("districts") or []) + list(m.get("aliases") or []):
            gaz.add(name, mid)
        for code in m.get("postal_codes") or []:
            gaz.postal_codes[str(code)] = mid
    gaz.outside = {fold(p) for p in outside_places}
    for key in list(gaz.outside):
        gaz.max_words = max(gaz.max_words, len(key.split()))
    return gaz


def _ngrams(tokens: list[str], n_max: int) -> list[tuple[int, int, str]]:
    grams = []
    for n in range(n_max, 0, -1):
        for i in range(len(tokens) - n + 1):
            grams.append((i, i + n, " ".join(tokens[i : i + n])))
    return grams


def _fuzzy_limit(word: str) -> int:
    if len(word) < 5:
        return 0
    return 1 if len(word) < 8 else 2


def resolve(text: str, gaz: Gazetteer) -> Resolution:
    codes = POSTAL_CODE.findall(text)
    found: dict[str, str] = {}
    for code in codes:
        if code in gaz.postal_codes:
            found.setdefault(gaz.postal_codes[code], code)
    if codes and not found:
        return Resolution("outside", matched=codes[0])

    tokens = fold(text).split()
    if "kreis" in tokens:  # "im Kreis Borken" names the district, not the town Borken
        i = tokens.index("kreis")
        tokens = tokens[:i] + tokens[i + 2 :]

    used = [False] * len(tokens)
    outside_hit: str | None = None
    for start, end, gram in _ngrams(tokens, gaz.max_words):
        if any(used[start:end]):
            continue
        if gram in gaz.names:
            for mid in gaz.names[gram]:
                found.setdefault(mid, gram)
            used[start:end] = [True] * (end - start)
        elif gram in gaz.outside:
            outside_hit = outside_hit or gram
            used[start:end] = [True] * (end - start)

    if not found:
        bare = len(tokens) <= MAX_TOKENS_FOR_BARE_PLACE
        for i, token in enumerate(tokens):
            if used[i] or token in NOT_PLACES:
                continue
            cued = i > 0 and tokens[i - 1] in PLACE_CUES
            if not (bare or cued):
                continue
            limit = _fuzzy_limit(token)
            if limit == 0:
                continue
            best = min(
                ((edit_distance(token, key, limit), key) for key in gaz.names if " " not in key),
                default=(limit + 1, ""),
            )
            if best[0] <= limit:
                ties = {k for k in gaz.names if " " not in k and edit_distance(token, k, limit) == best[0]}
                for key in ties:
                    for mid in gaz.names[key]:
                        found.setdefault(mid, token)

    if len(found) == 1:
        mid, matched = next(iter(found.items()))
        return Resolution("found", municipality=mid, matched=matched)
    if len(found) > 1:
        return Resolution("ambiguous", candidates=tuple(sorted(found)))
    if outside_hit:
        return Resolution("outside", matched=outside_hit)
    return Resolution("none")


FILLER_WORDS = frozenset(
    "ich wohne wohn wohnen lebe leben bin komme komm in im aus bei nach von der die das den dem "
    "stadt gemeinde ortsteil ort wohnort plz postleitzahl mein meine ist ja also hier".split()
)


def is_bare_place(text: str, gaz: Gazetteer) -> bool:
    """True when a message says only where the user lives: "46325", "Gemen", "ich wohne in Epe"."""
    result = resolve(text, gaz)
    if result.status == "none":
        return False
    rest = [t for t in fold(text).split() if t not in FILLER_WORDS and not POSTAL_CODE.fullmatch(t)]
    known = set(gaz.names) | gaz.outside
    remaining = " ".join(rest)
    for name in sorted(known, key=len, reverse=True):
        remaining = re.sub(rf"\b{re.escape(name)}\b", " ", remaining)
    leftover = remaining.split()
    if result.status == "found" and result.matched and len(leftover) == 1 and leftover[0] == result.matched:
        return True  # a misspelt place on its own ("Sudlohn", "Ramsdrof")
    return not leftover
