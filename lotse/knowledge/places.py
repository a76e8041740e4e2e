"""Resolve where a user lives — municipality, district or postal code — from free text.

Pure functions over a `Gazetteer` built from `content/offices.yml`. Exact names (after folding
case and umlauts) are found anywhere in a message; misspelt names only where a place is expected
(a short message, or after "in", "aus", "wohne" ...), so that "vielen Dank" never becomes Velen.

English and Ukrainian: English phrasings need nothing special ("I live in Bocholt", "near Ahaus"),
except "Borken district" / "district of Borken", which names the district like "Kreis Borken".
Ukrainian names in Cyrillic ("Бохольт", "в Бохольті", "з Ахауса", "Шьопінген") are matched through
the phonetic keys of `lotse.language.translit`, exactly (case endings removed) anywhere in a message and with
typos only where a place is expected; likewise Ukrainian typed in Latin letters after "v", "z", "iz"
("v Bocholti") or with Ukrainian spellings ("Shtadtlon", "Hesher") where a place is expected.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from itertools import product
from typing import Iterable, Mapping

from lotse.language.personal_data import PHONE, has_phone_digits
from lotse.language.textnorm import edit_distance, fold
from lotse.language.translit import has_cyrillic, latin_stems, phonetic_keys, phrase_keys, ukrainian_stems

POSTAL_CODE = re.compile(r"(?<!\d)(\d{5})(?!\d)")
_PHONE = re.compile(PHONE)
_DIGIT_RUN = re.compile(r"\d{5}")
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

# English and Ukrainian words after which a place is expected (the German ones are PLACE_CUES).
FOREIGN_PLACE_CUES = frozenset(
    "from near to live lives living town city village "
    "v z iz zi vid bilia bilya poruch kolo zhyvu zhyvemo meshkaiu misti misto "
    "в у з із зі від біля поблизу поруч коло живу живемо мешкаю мешкаємо проживаю проживаємо "
    "місто місті містечко містечку село селі громада громаді до".split()
)
# Ukrainian in Latin letters: a declined name ("v Bocholti") is expected after these. Not "do"
# ("to"): in German it is Thursday ("Do 10 Uhr").
UK_LATIN_CUES = frozenset("v z iz zi vid bilia bilya poruch kolo zhyvu zhyvemo meshkaiu misti".split())
# Spellings that only Ukrainian transliteration produces: "Shtadtlon", "Akhaus", "Ziudlon".
_UK_LATIN_SPELLING = re.compile(r"sh|kh|zh|[bcdfghklmnprstvwz][iy]u")
# English everyday words within one typo of a place (or district) name: "broken" is not Borken,
# "doing" is not Oeding (folded "oding"), "worth" is not Werth.
FOREIGN_NOT_PLACES = frozenset(
    "broken doing worth grass nordic nordics spark sport sports stork spare hidden heaven garden raised "
    "reckon seven given women owing coding boding museum grasp grams grays grabs grads cheek spook spore "
    "sullen burly burro leaden semen berth freshen gavel".split()
)
# Ukrainian words whose stem keys coincide with a place: "хек" (hake) is not Heek ("Хеек" is).
UK_NOT_PLACES = frozenset("хек хека хеку хеком хекові хеки хеків".split())
# "Borken district", "district of Borken", "район Боркен": the district, not the town Borken.
DISTRICT_WORDS = frozenset(
    "district county район району районі районом округ округу окрузі округом крайс крайсі "
    "rajon raion rayon rajonu raionu rajoni raioni okruh okruhu okruzi".split()
)
KREIS_NAME_KEY = "borken"


@dataclass(frozen=True)
class Resolution:
    status: str  # "found" | "ambiguous" | "outside" | "none"
    municipality: str | None = None
    candidates: tuple[str, ...] = ()
    matched: str | None = None


def _name_keys(name: str) -> frozenset[str]:
    """Phonetic keys of a gazetteer name, from its spelling with umlauts ("Schöppingen")."""
    words = re.sub(r"[^\w\s]", " ", name.replace("-", " ")).split()
    return phrase_keys(" ".join(words))


@dataclass
class Gazetteer:
    names: dict[str, set[str]] = field(default_factory=dict)  # folded name -> municipality ids
    postal_codes: dict[str, str] = field(default_factory=dict)
    outside: set[str] = field(default_factory=set)  # folded names of places outside the district
    outside_spelling: dict[str, str] = field(default_factory=dict)  # folded name -> "Münster"
    max_words: int = 1
    keys: dict[str, set[str]] = field(default_factory=dict)  # phonetic key (see lotse.language.translit) -> ids
    outside_keys: set[str] = field(default_factory=set)
    primary_keys: set[str] = field(default_factory=set)  # keys of the municipalities' own names

    def add(self, name: str, municipality: str, primary: bool = False) -> None:
        key = fold(name)
        if key:
            self.names.setdefault(key, set()).add(municipality)
            self.max_words = max(self.max_words, len(key.split()))
            if " " in key:  # also written as one word: "Großreken", "Mariaveen", "Tungerlohcapellen"
                self.names.setdefault(key.replace(" ", ""), set()).add(municipality)
        for phonetic in _name_keys(name):
            self.keys.setdefault(phonetic, set()).add(municipality)
            if primary:
                self.primary_keys.add(phonetic)


def build_gazetteer(municipalities: Iterable[Mapping], outside_places: Iterable[str] = ()) -> Gazetteer:
    gaz = Gazetteer()
    for m in municipalities:
        mid = m["id"]
        gaz.add(m["name"], mid, primary=True)
        for name in list(m.get("districts") or []) + list(m.get("aliases") or []):
            gaz.add(name, mid)
        for code in m.get("postal_codes") or []:
            gaz.postal_codes[str(code)] = mid
    outside_places = list(outside_places)
    gaz.outside = {fold(p) for p in outside_places}
    gaz.outside_spelling = {fold(p): p for p in outside_places}
    gaz.outside_keys = {key for p in outside_places for key in _name_keys(p)}
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


def _stems(token: str) -> list[str]:
    return ukrainian_stems(token) if has_cyrillic(token) else latin_stems(token)


def _is_kreis_name(token: str) -> bool:
    return token == KREIS_NAME_KEY or any(KREIS_NAME_KEY in phonetic_keys(stem) for stem in _stems(token))


def _drop_district_phrases(tokens: list[str]) -> list[str]:
    """Remove "Borken district", "district of Borken", "район Боркен" (the district, not the town)."""
    drop: set[int] = set()
    for i, token in enumerate(tokens):
        if token not in DISTRICT_WORDS:
            continue
        j = i + 1
        while j < len(tokens) and tokens[j] in ("of", "the"):
            j += 1
        if j < len(tokens) and _is_kreis_name(tokens[j]):
            drop.update(range(i, j + 1))
        if i > 0 and _is_kreis_name(tokens[i - 1]):
            drop.update((i - 1, i))
    return [t for k, t in enumerate(tokens) if k not in drop]


_DOUBLED_FINAL = re.compile(r"([бвгґджзклмнпрстфхцчшщ])\1$")


def _key_candidates(tokens: list[str], i: int, expect_place: bool) -> list[tuple[str, bool]]:
    """(phonetic key, from a stem with an ending removed) for a Ukrainian-looking token, else []."""
    token = tokens[i]
    if has_cyrillic(token):
        if token in UK_NOT_PLACES:
            return []
        # German names take no final soft sign ("велень", "грязь"), and a doubled final consonant
        # is the verbal noun "-ння" ("веленню", "виляння"), not a declined name.
        stems = [s for s in ukrainian_stems(token) if not s.endswith("ь") and not _DOUBLED_FINAL.search(s)]
    elif i > 0 and tokens[i - 1] in UK_LATIN_CUES:
        stems = latin_stems(token)
    elif expect_place and _UK_LATIN_SPELLING.search(token):
        stems = [token]
    else:
        return []
    latin = not has_cyrillic(token)
    candidates: dict[str, bool] = {}
    for n, stem in enumerate(stems):
        for key in phonetic_keys(stem):
            if latin and len(key) < 5:
                continue  # "z Check" is not Heek; short Latin names are matched by their spelling
            candidates.setdefault(key, n > 0)
    return list(candidates.items())


def _gram_keys(cands: list[list[tuple[str, bool]]], limit: int = 64) -> list[tuple[str, bool]]:
    """(key of the n-gram, whether any word had an ending removed)."""
    keys: list[tuple[str, bool]] = []
    for combo in product(*cands):
        keys.append((" ".join(k for k, _ in combo), any(stripped for _, stripped in combo)))
        if len(keys) >= limit:
            break
    return keys


def _key_hit(key: str, stripped: bool, expected: bool, gaz: Gazetteer) -> str | None:
    """"place" or "outside" if `key` names one here, else None.

    Where a place is expected (a short message, after "в", "з", "живу" …) any name and any declined
    form counts. Elsewhere in a message only what is unlikely to be an ordinary Ukrainian word: an
    undeclined municipality or district name (4+ letters), a declined municipality name (5+),
    an undeclined place outside (4+).
    """
    if key in gaz.keys:
        if expected:
            return "place"
        if key in gaz.primary_keys:
            return "place" if (not stripped or len(key) >= 5) else None
        return "place" if (not stripped and len(key) >= 4) else None
    if key in gaz.outside_keys:
        return "outside" if expected or (not stripped and len(key) >= 4) else None
    return None


_last_resolved: tuple[str, Gazetteer, tuple[Resolution, set[str]]] | None = None


def _resolve(text: str, gaz: Gazetteer) -> tuple[Resolution, set[str]]:
    """The resolution and the tokens that named a place through its Ukrainian spelling.

    The last message's result is kept: the NLU components ask about the same message three times
    (entity, bare place, office request), and the typo search is most of the time of a resolution."""
    global _last_resolved
    last = _last_resolved
    if last is not None and last[0] == text and last[1] is gaz:
        return last[2][0], set(last[2][1])
    result = _resolve_uncached(text, gaz)
    _last_resolved = (text, gaz, (result[0], frozenset(result[1])))
    return result


def _without_phone_numbers(text: str) -> str:
    """The text without telephone numbers ("02861 12345", "+49 2861 98765"): their digit groups are no postal codes."""
    if not _DIGIT_RUN.search(text):
        return text
    return _PHONE.sub(lambda m: " " if _is_phone_number(m.group()) else m.group(), text)


def _is_phone_number(candidate: str) -> bool:
    return has_phone_digits(candidate) and (candidate.lstrip("(")[:1] in ("0", "+"))


def _resolve_uncached(text: str, gaz: Gazetteer) -> tuple[Resolution, set[str]]:
    text = _without_phone_numbers(text)
    codes = POSTAL_CODE.findall(text)
    found: dict[str, str] = {}
    for code in codes:
        if code in gaz.postal_codes:
            found.setdefault(gaz.postal_codes[code], code)
    if codes and not found:
        return Resolution("outside", matched=codes[0]), set()

    tokens = fold(text).split()
    if "kreis" in tokens:  # "im Kreis Borken" names the district, not the town Borken
        i = tokens.index("kreis")
        tokens = tokens[:i] + tokens[i + 2 :]
    tokens = _drop_district_phrases(tokens)

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
            outside_hit = outside_hit or gaz.outside_spelling.get(gram, gram)
            used[start:end] = [True] * (end - start)

    # Ukrainian spellings, exact up to the phonetic key: anywhere in the message
    bare = len(tokens) <= MAX_TOKENS_FOR_BARE_PLACE

    def cued(i: int) -> bool:
        return i > 0 and (tokens[i - 1] in PLACE_CUES or tokens[i - 1] in FOREIGN_PLACE_CUES)

    cands = [[] if used[i] else _key_candidates(tokens, i, bare or cued(i)) for i in range(len(tokens))]
    key_tokens: set[str] = set()
    if any(cands):
        for start, end, gram in _ngrams(tokens, gaz.max_words):
            if any(used[start:end]) or not all(cands[start:end]):
                continue
            for key, stripped in _gram_keys(cands[start:end]):
                hit = _key_hit(key, stripped, bare or cued(start), gaz)
                if hit is None:
                    continue
                if hit == "place":
                    for mid in gaz.keys[key]:
                        found.setdefault(mid, gram)
                else:
                    outside_hit = outside_hit or gram
                used[start:end] = [True] * (end - start)
                key_tokens.update(tokens[start:end])
                break

    if not found:
        for i, token in enumerate(tokens):
            if used[i] or token in NOT_PLACES or token in FOREIGN_NOT_PLACES:
                continue
            if not (bare or cued(i)):
                continue
            if cands[i]:  # Ukrainian: a typo in the phonetic key ("Бохольдт")
                matches = _fuzzy_key_matches(cands[i] if cued(i) else [c for c in cands[i] if not c[1]], gaz)
                for mid in matches:
                    found.setdefault(mid, token)
                if matches:
                    key_tokens.add(token)
                    continue
            if has_cyrillic(token):
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
                # typos rarely hit the first letter: "Hemen" is Hemden rather than Gemen
                ties = {k for k in ties if k[0] == token[0]} or ties
                for key in ties:
                    for mid in gaz.names[key]:
                        found.setdefault(mid, token)

    if len(found) == 1:
        mid, matched = next(iter(found.items()))
        return Resolution("found", municipality=mid, matched=matched), key_tokens
    if len(found) > 1:
        return Resolution("ambiguous", candidates=tuple(sorted(found))), key_tokens
    if outside_hit:
        return Resolution("outside", matched=outside_hit), key_tokens
    return Resolution("none"), key_tokens


def _fuzzy_key_limit(key: str) -> int:
    if len(key) < 6:
        return 0
    return 1 if len(key) < 9 else 2


def _fuzzy_key_matches(cands: list[tuple[str, bool]], gaz: Gazetteer) -> set[str]:
    """Municipalities (own names only, not districts) whose key is closest within the typo limit."""
    best_distance: int | None = None
    best: set[str] = set()
    for key, _ in cands:
        limit = _fuzzy_key_limit(key)
        if limit == 0:
            continue
        for name_key in gaz.primary_keys:
            if " " in name_key or len(name_key) < 6:
                continue
            if key[0] != name_key[0] and not (key[0] in "aeiou" and name_key[0] in "aeiou"):
                continue  # typos rarely hit the first sound: "Байден" and "Лейден" are not Heiden
            distance = edit_distance(key, name_key, limit)
            if distance > limit:
                continue
            if best_distance is None or distance < best_distance:
                best_distance, best = distance, set(gaz.keys[name_key])
            elif distance == best_distance:
                best |= gaz.keys[name_key]
    return best


def resolve(text: str, gaz: Gazetteer) -> Resolution:
    return _resolve(text, gaz)[0]


FILLER_WORDS = frozenset(
    "ich wohne wohn wohnen lebe leben bin komme komm in im aus bei nach von der die das den dem "
    "stadt gemeinde ortsteil ort wohnort plz postleitzahl mein meine ist ja also hier und wie es mit fur "
    "dort".split()
)
FOREIGN_FILLER_WORDS = frozenset(
    "i m am we live lives living from near at the my is it its town city village of yes come postcode zip "
    "code postal ya my zhyvu zhyvemo v z iz misti misto tak and what about how for "
    "я ми живу живемо мешкаю мешкаємо проживаю проживаємо в у з із зі біля поблизу місто місті "
    "містечко містечку село селі мій моє моя це тут так індекс поштовий і а та як щодо для".split()
)


def _without_names(tokens: list[str], gaz: Gazetteer) -> list[str]:
    """The tokens that are not part of a place name (in or outside the district), longest names first."""
    used = [False] * len(tokens)
    for start, end, gram in _ngrams(tokens, gaz.max_words):
        if not any(used[start:end]) and (gram in gaz.names or gram in gaz.outside):
            used[start:end] = [True] * (end - start)
    return [t for t, u in zip(tokens, used, strict=True) if not u]


def place_free_words(text: str, gaz: Gazetteer) -> list[str] | None:
    """The folded words of a message besides the place it names (names, postal codes, a misspelt
    or Ukrainian-spelt name); None when it names no place. "Jobcenter für 48703?" → ["jobcenter", "fur"]."""
    result, key_tokens = _resolve(text, gaz)
    if result.status == "none":
        return None
    tokens = [t for t in fold(text).split() if t not in key_tokens and not POSTAL_CODE.fullmatch(t)]
    rest = _without_names(tokens, gaz)
    if result.status == "found" and result.matched and " " not in result.matched:
        rest = [t for t in rest if t != result.matched]  # a misspelt place ("Sudlohn", "Ramsdrof")
    return rest


def is_bare_place(text: str, gaz: Gazetteer) -> bool:
    """True when a message says only where the user lives: "46325", "Gemen", "ich wohne in Epe",
    or asks on with another place: "und in Gronau?"."""
    rest = place_free_words(text, gaz)
    return rest is not None and all(t in FILLER_WORDS or t in FOREIGN_FILLER_WORDS for t in rest)
