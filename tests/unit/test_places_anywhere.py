"""Every place of content/offices.yml is found in any sentence a parent writes (issue #20, "Places anywhere").

Generated from the data: each municipality, district (Ortsteil), alias and postal code in the
sentence shapes users write — the whole message, "Ich wohne in X", "X, welches Jobcenter?", inside a
long message, lower case without umlauts, one typo where a place is expected — and the office asked
for comes from the words (Jobcenter, Jugendamt/Kita, Agentur für Arbeit/ALG I, Familienbüro).
A place with an office word or "wer ist zuständig" goes to the office finder (`asks_for_office`),
a place alone or as a follow-up ("und in Gronau?") is a bare place.
"""
from __future__ import annotations

import re

import pytest

from lotse.core.yamlfiles import load_yaml
from lotse.knowledge.office_requests import asks_for_office, office_type_of
from lotse.knowledge.offices import load_office_data
from lotse.knowledge.places import NOT_PLACES, is_bare_place, resolve
from lotse.language.textnorm import fold
from tests.conftest import CONTENT

MUNICIPALITIES = load_office_data(CONTENT).raw["municipalities"]
NAMES = [(m["id"], n) for m in MUNICIPALITIES for n in [m["name"], *(m.get("districts") or []), *(m.get("aliases") or [])]]
CODES = [(m["id"], str(c)) for m in MUNICIPALITIES for c in m.get("postal_codes") or []]
OUTSIDE = list(load_yaml(CONTENT / "places_outside.yml")["places"])
TYPO_MIN_LETTERS = 6

LONG = (
    "Hallo, ich bin seit letztem Jahr alleinerziehend mit zwei kleinen Kindern, wir wohnen seit drei "
    "Jahren in {place} und ich möchte bald wieder in Teilzeit arbeiten, wer ist für mich zuständig?"
)


def _ascii(name: str) -> str:
    """Lower case, umlauts written out: "Alstätte" -> "alstaette"."""
    return name.lower().replace("ä", "ae").replace("ö", "oe").replace("ü", "ue").replace("ß", "ss")


def _dots_dropped(name: str) -> str:
    """Lower case, umlauts without their dots: "Alstätte" -> "alstatte"."""
    return name.lower().replace("ä", "a").replace("ö", "o").replace("ü", "u").replace("ß", "ss")


def _typos(name: str) -> list[str]:
    """One typo in the longest word of the name: two letters swapped, a letter doubled, a letter left
    out; never in the first letter, none for words under six letters. A letter is left out only when
    five letters remain as the matcher sees them ("Oeding" is Öding: "Oedng" would leave four, as
    short as everyday words). A typo that makes an everyday word ("Legden" -> "Legen") is no place."""
    parts = re.split(r"([ -])", name)
    longest = max(range(0, len(parts), 2), key=lambda i: len(parts[i]))
    word = parts[longest]
    if len(word) < TYPO_MIN_LETTERS:
        return []
    mid = len(word) // 2
    variants = [word[: mid - 1] + word[mid] + word[mid - 1] + word[mid + 1 :], word[:mid] + word[mid] + word[mid:]]
    left_out = word[:mid] + word[mid + 1 :]
    if len(fold(left_out)) >= TYPO_MIN_LETTERS - 1:
        variants.append(left_out)
    typos = [v for v in dict.fromkeys(variants) if v != word and fold(v) not in NOT_PLACES]
    return ["".join(parts[:longest] + [v] + parts[longest + 1 :]) for v in typos]


def _found_or_asked(texts: list[str], mid: str, gazetteer) -> list[str]:
    """The texts in which the place is neither found as `mid` nor among the places Lotse asks back
    about (a typo as close to two names: "Heeden" is Heelden or Heiden)."""
    return [t for t in texts
            if (r := resolve(t, gazetteer)).municipality != mid and not (r.status == "ambiguous" and mid in r.candidates)]


def _found(texts: list[str], mid: str, gazetteer) -> list[str]:
    """The texts in which the place is not found as municipality `mid`."""
    return [t for t in texts if (r := resolve(t, gazetteer)).status != "found" or r.municipality != mid]


def test_the_generated_set_covers_every_place():
    assert len({m["id"] for m in MUNICIPALITIES}) == 17
    assert len(NAMES) >= 90 and len(CODES) >= 19
    assert sum(1 for _, n in NAMES if _typos(n)) >= 50


@pytest.mark.parametrize("mid, name", NAMES, ids=[n for _, n in NAMES])
def test_every_name_in_every_sentence_shape(mid, name, gazetteer):
    texts = [
        name,
        f"Ich wohne in {name}",
        f"{name}, welches Jobcenter?",
        LONG.format(place=name),
        f"ich wohne in {_ascii(name)}, welches jobcenter ist zustaendig",
        _dots_dropped(name),
        f"wir leben in {_dots_dropped(name)}",
        f"I live in {name}, which jobcenter is responsible?",
    ]
    assert _found(texts, mid, gazetteer) == []


@pytest.mark.parametrize("mid, name", [(m, n) for m, n in NAMES if _typos(n)], ids=[n for m, n in NAMES if _typos(n)])
def test_one_typo_where_a_place_is_expected(mid, name, gazetteer):
    texts = [shape.format(place=typo) for typo in _typos(name)
             for shape in ("{place}", "Ich wohne in {place}", "Jobcenter {place}", "{place}, welches Jobcenter?")]
    assert _found_or_asked(texts, mid, gazetteer) == []


@pytest.mark.parametrize("mid, code", CODES, ids=[c for _, c in CODES])
def test_every_postal_code_in_every_sentence_shape(mid, code, gazetteer):
    texts = [code, f"Meine PLZ ist {code}", f"{code}, welches Jobcenter?", f"Jobcenter für {code}?",
             LONG.format(place=code), f"My postcode is {code}", f"{code} Jugendamt"]
    assert _found(texts, mid, gazetteer) == []


@pytest.mark.parametrize("mid, place", NAMES + CODES, ids=[p for _, p in NAMES + CODES])
def test_a_place_with_an_office_word_asks_the_office_finder(mid, place, gazetteer):
    asking = [f"{place}, welches Jobcenter?", f"Jobcenter {place}", f"Ich lebe in {place} und brauche das Jobcenter",
              f"Ich komme aus {place}. Wer ist zuständig?", f"Wo ist das Jugendamt für {place}?",
              f"Which jobcenter is responsible for {place}?", f"Agentur für Arbeit in {place}"]
    asking += [f"Guten Tag, ich bin alleinerziehend und lebe in {place}. Welches Jobcenter ist für mich zuständig?",
               f"Wir sind vor kurzem nach {place} gezogen, an wen wende ich mich wegen Grundsicherung?"]
    assert [t for t in asking if not asks_for_office(t, gazetteer)] == []
    # a question of its own that mentions the place and the office is left to the classifier
    for text in (f"Ich wohne in {place} und das Jobcenter hat meinen Antrag abgelehnt",
                 f"Ich wohne in {place}, welches Jobcenter zahlt den Mehrbedarf?",
                 f"Wer ist in {place} für eine Umschulung zuständig?"):
        assert not asks_for_office(text, gazetteer), text


@pytest.mark.parametrize("mid, place", NAMES + CODES, ids=[p for _, p in NAMES + CODES])
def test_a_place_alone_or_as_a_follow_up_is_a_bare_place(mid, place, gazetteer):
    for text in (place, f"und in {place}?", f"Und für {place}?", f"and in {place}?"):
        assert is_bare_place(text, gazetteer), text
        assert not asks_for_office(text, gazetteer), text


@pytest.mark.parametrize(
    "text, office_type",
    [
        ("Ich lebe in {place} und brauche das Jobcenter", "jobcenter"),
        ("{place}, welches Jobcenter?", "jobcenter"),
        ("Wer ist in {place} für die Kita zuständig?", "jugendamt"),
        ("Jugendamt {place}", "jugendamt"),
        ("Ich bekomme ALG I und wohne in {place}, wo muss ich hin?", "agentur"),
        ("Agentur für Arbeit {place}", "agentur"),
        ("Arbeitsagentur in {place}", "agentur"),
        ("Familienbüro {place}", "familienbuero"),
        ("Ich komme aus {place}. Wer ist zuständig?", None),
    ],
)
def test_the_office_type_comes_from_the_words(text, office_type, gazetteer):
    for mid, name in NAMES:
        message = text.format(place=name)
        assert office_type_of(message) == office_type, message
        assert resolve(message, gazetteer).municipality == mid, message


@pytest.mark.parametrize("place", OUTSIDE)
def test_places_outside_the_kreis_are_answered_as_outside(place, gazetteer):
    for text in (f"Ich wohne in {place}, welches Jobcenter ist zuständig?", f"Jobcenter {place}", place, place.lower()):
        result = resolve(text, gazetteer)
        assert (result.status, result.matched) == ("outside", place), text  # answered as "Münster", not "Munster"
    assert asks_for_office(f"Jobcenter {place}", gazetteer)


@pytest.mark.parametrize("mid, name", [(m, n) for m, n in NAMES if " " in fold(n)], ids=[n for m, n in NAMES if " " in fold(n)])
def test_names_of_two_words_written_as_one(mid, name, gazetteer):
    one_word = re.sub(r"[ -]", "", name)
    for text in (one_word, f"Jobcenter {one_word}", f"ich wohne in {one_word.lower()}"):
        result = resolve(text, gazetteer)
        assert (result.status, result.municipality) == ("found", mid), text


def test_postal_codes_outside_the_kreis(gazetteer):
    for text in ("Jobcenter für 48143?", "Meine PLZ ist 10115, welches Jobcenter?"):
        assert resolve(text, gazetteer).status == "outside" and asks_for_office(text, gazetteer), text


@pytest.mark.parametrize("text", ["02861 12345", "(02861) 98765", "+49 2861 98765", "Meine Nummer ist 02562 12345"])
def test_a_phone_number_is_no_postal_code(text, gazetteer):
    """The callback form asks for a phone number: "02861 12345" is not the postal code 02861 outside the Kreis."""
    assert resolve(text, gazetteer).status == "none"
    assert not is_bare_place(text, gazetteer)


def test_a_postal_code_next_to_a_phone_number_is_still_found(gazetteer):
    result = resolve("PLZ 48691, Telefon 02561 12345", gazetteer)
    assert (result.status, result.municipality) == ("found", "vreden")
