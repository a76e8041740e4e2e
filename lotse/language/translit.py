"""Ukrainian (Cyrillic and Latin transliteration) helpers for matching German place names.

Ukrainian writes German names by ear: "Бохольт" (Bocholt), "Гайден"/"Хайден" (Heiden), "Зюдлон"
(Südlohn), "Шеппінген"/"Шьопінген" (Schöppingen), and declines them: "в Бохольті", "з Ахауса".
Users who type Ukrainian in Latin letters write "v Bocholti", "Shtadtlon", "Hesher".

- `to_latin` transliterates Cyrillic with a German-oriented table (х → ch, ш → sch, ц → z, ю → ü …),
- `phonetic_keys` reduces a Latin spelling (German or transliterated) to coarse keys in which the
  sounds that Ukrainian and German spell differently coincide (g/h/ch, v/w/f, s/z, sch/sh, ä/e …),
- `ukrainian_stems` / `latin_stems` strip the case endings of a declined name.

A German name and its Ukrainian spelling then share a key: "Stadtlohn" and "Штадтлон" → "Statlon".
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from itertools import product

CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_APOSTROPHES = re.compile(r"(?<=[^\W\d_])['’ʼ`´](?=[^\W\d_])")

# German-oriented: what a German reader would write for the Ukrainian sound.
_TO_LATIN = {
    "а": "a", "б": "b", "в": "w", "г": "g", "ґ": "g", "д": "d", "е": "e", "є": "je", "ж": "zh",
    "з": "s", "и": "i", "і": "i", "ї": "ji", "й": "j", "к": "k", "л": "l", "м": "m", "н": "n",
    "о": "o", "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f", "х": "ch", "ц": "z",
    "ч": "tsch", "ш": "sch", "щ": "schtsch", "ь": "", "ю": "ju", "я": "ja",
    # Russian letters that Ukrainian users type on a Russian layout
    "ё": "jo", "ы": "i", "э": "e", "ъ": "",
}
_VOWELS = set("aeiouyäöü")
_LATIN_VOWELS = "aeiouyäöü"


def has_cyrillic(text: str) -> bool:
    return bool(CYRILLIC.search(text or ""))


def join_apostrophes(text: str) -> str:
    """"п'ять" → "пять", "don't" → "dont": an apostrophe inside a word is not a word break."""
    return _APOSTROPHES.sub("", text or "")


def to_latin(text: str) -> str:
    """Cyrillic → Latin, German-oriented ("Бохольт" → "bocholt", "Зюдлон" → "südlon").

    ю/я/є after a consonant soften it and are written ü/ä/e ("Зюдлон" → "südlon"), "ьо" is ö
    ("Шьопінген" → "schöpingen"); elsewhere ju/ja/je. Non-Cyrillic characters are kept.
    """
    text = unicodedata.normalize("NFC", text or "").lower()
    out: list[str] = []
    for i, ch in enumerate(text):
        prev = text[i - 1] if i else ""
        after_consonant = bool(prev) and prev.isalpha() and prev not in "аеєиіїоуюяьъ'’ʼ"
        if ch == "ь" and text[i + 1 : i + 2] == "о":
            out.append("ö")
            continue
        if ch == "о" and prev == "ь":
            continue
        if after_consonant and ch in "юяє":
            out.append({"ю": "ü", "я": "ä", "є": "e"}[ch])
            continue
        out.append(_TO_LATIN.get(ch, ch))
    return "".join(out)


# --- phonetic keys ---------------------------------------------------------------------------------

_UMLAUT_VARIANTS = {"ä": ("a", "e"), "ö": ("o", "e"), "ü": ("u", "i")}
_UMLAUT_DIGRAPHS = (("ae", "ä"), ("oe", "ö"), ("ue", "ü"))
# (pattern, replacement) applied in order; capitals are internal symbols (S = sch, C = tsch, Z = zh)
_CONSONANTS = (
    (re.compile(r"schtsch|shch"), "SC"), (re.compile(r"tsch"), "C"), (re.compile(r"sch|sh"), "S"),
    (re.compile(r"zh"), "Z"), (re.compile(r"kh"), "h"), (re.compile(r"ch"), "h"), (re.compile(r"ck"), "k"),
    (re.compile(r"ph"), "f"), (re.compile(r"th"), "t"), (re.compile(r"dt"), "t"), (re.compile(r"tz|ts"), "z"),
    (re.compile(r"rh(?=[aeiouyäöü])"), "r"), (re.compile(r"qu"), "kw"), (re.compile(r"x"), "ks"), (re.compile(r"c"), "k"),
    (re.compile(r"^s(?=[tp])"), "S"),  # German "St…"/"Sp…" is said "Scht…"/"Schp…" (Штадтлон)
)
_SOFT_U = re.compile(r"(?<=[^aeiouyäöü\W])[ijy]u")  # Latin "Ziudlon", "Zjudlon": the ю after a consonant
_SILENT_H = re.compile(r"(?<=[aeiouyäöü])h(?![aeiouyäöü])")  # "lohn" is said "lon"
_DIPHTHONGS = (
    (re.compile(r"ie"), "i"), (re.compile(r"[ae][ijy](?![aeiouäöü])"), "ai"), (re.compile(r"(?:eu|äu|o[ijy](?![aeiouäöü]))"), "oi"),
)


def _expand_umlauts(word: str) -> list[str]:
    for digraph, umlaut in _UMLAUT_DIGRAPHS:
        word = word.replace(digraph, umlaut)
    slots = [_UMLAUT_VARIANTS.get(ch, (ch,)) for ch in word]
    if sum(len(s) > 1 for s in slots) > 3:  # never more than 8 variants
        slots = [(s[0],) for s in slots]
    return ["".join(p) for p in product(*slots)]


def _key(word: str) -> str:
    for pattern, replacement in _CONSONANTS:
        word = pattern.sub(replacement, word)
    word = _SOFT_U.sub("u", word)
    for pattern, replacement in _DIPHTHONGS:
        word = pattern.sub(replacement, word)
    word = _SILENT_H.sub("", word)
    word = word.replace("j", "i").replace("y", "i").replace("g", "h")
    word = word.replace("w", "f").replace("v", "f").replace("z", "s")
    word = re.sub(r"[^a-zA-Z]", "", word)
    return re.sub(r"(.)\1+", r"\1", word)


@lru_cache(maxsize=8192)
def phonetic_keys(word: str) -> frozenset[str]:
    """Coarse keys of one word in Latin letters (German spelling or transliterated Ukrainian).

    "Südlohn" → {"sudlon", "sidlon"}; "südlon" (from "Зюдлон") and "Ziudlon" share "sudlon".
    Cyrillic is transliterated first.
    """
    word = unicodedata.normalize("NFC", word or "").lower().replace("ß", "ss")
    if has_cyrillic(word):
        word = to_latin(word)
    word = re.sub(r"[^\w]", "", word)
    if not word:
        return frozenset()
    return frozenset(k for k in (_key(v) for v in _expand_umlauts(word)) if k)


def phrase_keys(phrase: str, limit: int = 16) -> frozenset[str]:
    """Keys of a (multi-word) phrase: the words' keys joined by spaces, at most `limit` combinations."""
    per_word = [sorted(phonetic_keys(w)) for w in phrase.split()]
    if not per_word or any(not keys for keys in per_word):
        return frozenset()
    combos = []
    for combo in product(*per_word):
        combos.append(" ".join(combo))
        if len(combos) >= limit:
            break
    return frozenset(combos)


# --- case endings ----------------------------------------------------------------------------------

# Endings of a declined (mostly masculine, consonant-final) place name: "Боркена", "Боркену",
# "Боркеном", "Боркені", "Боркенові"; and the consonant alternations of the locative
# ("Гамбург" → "в Гамбурзі", "Марбек" → "в Марбеці").
_UK_ENDINGS = ("ові", "еві", "ом", "ем", "єм", "ою", "ею", "а", "я", "у", "ю", "і", "ї")
_UK_ALTERNATIONS = (("зі", "г"), ("ці", "к"), ("сі", "х"))
_LATIN_ENDINGS = ("ovi", "evi", "om", "em", "oiu", "oyu", "a", "ia", "ya", "u", "iu", "yu", "i", "y")
MIN_STEM = 3


def ukrainian_stems(token: str) -> list[str]:
    """The token and what it might be with a case ending removed, longest first."""
    stems = [token]
    for ending, replacement in _UK_ALTERNATIONS:
        if token.endswith(ending) and len(token) - len(ending) + 1 >= MIN_STEM:
            stems.append(token[: -len(ending)] + replacement)
    for ending in _UK_ENDINGS:
        if token.endswith(ending) and len(token) - len(ending) >= MIN_STEM:
            stem = token[: -len(ending)]
            stems.append(stem)
            if stem.endswith("ь"):
                stems.append(stem[:-1])
    return list(dict.fromkeys(stems))


def latin_stems(token: str) -> list[str]:
    """Like `ukrainian_stems` for Ukrainian typed in Latin letters ("bocholti" → "bocholt")."""
    stems = [token]
    for ending in _LATIN_ENDINGS:
        if token.endswith(ending) and len(token) - len(ending) >= MIN_STEM:
            stems.append(token[: -len(ending)])
    return list(dict.fromkeys(stems))
