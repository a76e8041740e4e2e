"""Place resolution: every municipality, district, postal code and known misspelling."""
from __future__ import annotations

import pytest
import yaml

from lotse.knowledge.places import resolve
from tests.conftest import ROOT

CASES = yaml.safe_load((ROOT / "tests" / "data" / "place_inputs.yml").read_text(encoding="utf-8"))["cases"]


def _all(office_data, key):
    return [(m["id"], item) for m in office_data.raw["municipalities"] for item in (m.get(key) or [])]


def test_every_municipality_name_resolves(office_data, gazetteer):
    for m in office_data.raw["municipalities"]:
        for text in (m["name"], m["name"].lower(), f"Ich wohne in {m['name']}, wo muss ich hin?"):
            result = resolve(text, gazetteer)
            assert (result.status, result.municipality) == ("found", m["id"]), text


def test_every_district_resolves(office_data, gazetteer):
    districts = _all(office_data, "districts")
    assert len(districts) >= 60
    for mid, district in districts:
        result = resolve(f"ich wohn in {district}", gazetteer)
        assert (result.status, result.municipality) == ("found", mid), district


def test_every_postal_code_resolves(office_data, gazetteer):
    codes = _all(office_data, "postal_codes")
    assert len(codes) >= 19
    for mid, code in codes:
        result = resolve(str(code), gazetteer)
        assert (result.status, result.municipality) == ("found", mid), code


def test_enough_misspelling_cases():
    found_cases = [c for c in CASES if c["expect"] not in ("outside", "none")]
    assert len(found_cases) >= 50


@pytest.mark.parametrize("case", CASES, ids=[c["text"] for c in CASES])
def test_listed_inputs(case, gazetteer):
    result = resolve(case["text"], gazetteer)
    if case["expect"] in ("outside", "none"):
        assert result.status == case["expect"], result
    else:
        assert (result.status, result.municipality) == ("found", case["expect"]), result


@pytest.mark.parametrize(
    "text",
    ["vielen Dank", "Hallo", "Wo ist das Jobcenter?", "Ich wohne im Kreis Borken", "heute leben", "40 Stunden"],
)
def test_everyday_words_are_not_places(text, gazetteer):
    assert resolve(text, gazetteer).status == "none"


def test_two_towns_are_ambiguous(gazetteer):
    result = resolve("Borken oder Velen", gazetteer)
    assert result.status == "ambiguous"
    assert set(result.candidates) == {"borken", "velen"}


def test_postal_code_outside_the_district(gazetteer):
    assert resolve("48143", gazetteer).status == "outside"


@pytest.mark.parametrize(
    "text, bare",
    [
        ("48599", True), ("Gemen", True), ("ich wohne in Epe", True), ("Sudlohn", True), ("aus Velen", True),
        ("Münster", True), ("46325 Borken", True),
        ("wo ist das jobcenter in gemen", False), ("Kita in Gronau", False), ("vielen dank", False),
        ("Wie wird das Wetter morgen in Gronau?", False), ("0171 2345678", False),
    ],
)
def test_bare_place_messages(text, bare, gazetteer):
    from lotse.knowledge.places import is_bare_place

    assert is_bare_place(text, gazetteer) is bare


# ---- English and Ukrainian ---------------------------------------------------------------------

@pytest.mark.parametrize(
    "text, bare",
    [
        ("Бохольт", True), ("я живу в Бохольті", True), ("з Ахауса", True), ("ya zhyvu v Borkeni", True),
        ("I live in Bocholt", True), ("from Gronau", True), ("I'm from Münster", True),
        ("де джобцентр у Бохольті?", False), ("яка погода завтра в Бохольті", False),
        ("where is the jobcenter in Ahaus", False), ("дякую", False), ("Borken district", False),
    ],
)
def test_bare_place_messages_in_english_and_ukrainian(text, bare, gazetteer):
    from lotse.knowledge.places import is_bare_place

    assert is_bare_place(text, gazetteer) is bare


def test_two_towns_in_cyrillic_are_ambiguous(gazetteer):
    result = resolve("мені треба їхати в Боркен чи є джобцентр у Гешері", gazetteer)
    assert (result.status, set(result.candidates)) == ("ambiguous", {"borken", "gescher"})


@pytest.mark.parametrize(
    "text, municipality",
    [("Бохольт, Німеччина", "bocholt"), ("я живу в Borken", "borken"), ("район Боркен, місто Бохольт", "bocholt"),
     ("I live in Bocholt, Borken district", "bocholt"), ("Gemen district", "borken")],
)
def test_district_words_only_drop_the_district_name(text, municipality, gazetteer):
    result = resolve(text, gazetteer)
    assert (result.status, result.municipality) == ("found", municipality)


# Everyday Ukrainian words that come close to a place name in the phonetic key (found by a scan of a
# Ukrainian word list): in a longer message none of them is a place.
@pytest.mark.parametrize(
    "word",
    ["весела", "веселі", "веленню", "велень", "виляння", "грязь", "грязі", "гоморрою", "верть", "бон",
     "рекомендація", "реклама", "гречка", "гарно", "фельдшер", "вихід", "хек", "хеку"],
)
def test_ukrainian_words_are_not_places(word, gazetteer):
    assert resolve(f"у мене {word} і я шукаю роботу для себе", gazetteer).status == "none"


@pytest.mark.parametrize(
    "text",
    ["my phone is broken", "how are you doing", "is it worth it", "nordic walking", "spark plug",
     "the grass is green", "I'd like to reckon that", "thank you so much"],
)
def test_english_words_are_not_places(text, gazetteer):
    assert resolve(text, gazetteer).status == "none"


def test_a_hand_built_gazetteer_matches_cyrillic_too():
    from lotse.knowledge.places import Gazetteer

    gaz = Gazetteer()
    gaz.add("Südlohn", "suedlohn", primary=True)
    gaz.add("Oeding", "suedlohn")
    assert resolve("живу в Зюдлоні", gaz).municipality == "suedlohn"
    assert resolve("Едінг", gaz).municipality == "suedlohn"


@pytest.mark.parametrize(
    "text",
    ["байден", "лейден", "дякую", "привіт", "так", "ні", "Олена", "Оксана", "Ірина", "Наталія", "Тетяна", "Юлія",
     "Світлана", "Ольга", "Катерина", "Андрій", "Olena", "Iryna", "Oksana", "Kateryna"],
)
def test_short_ukrainian_replies_and_first_names_are_not_places(text, gazetteer):
    assert resolve(text, gazetteer).status == "none"
