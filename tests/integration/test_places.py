"""Places anywhere (issue #20), end to end through Rasa's REST webhook on the real stack: a parent
names a municipality, district or postal code in any sentence, with or without an office word, and
gets the office of that type for that place; places outside Kreis Borken are answered as such."""
from __future__ import annotations

import pytest


@pytest.mark.parametrize(
    "message, office, place",
    [
        ("Ich lebe in Nienborg und brauche das Jobcenter", "Jobcenter der Gemeinde Heek", "Nienborg (Heek)"),
        ("Ich komme aus Alstätte. Wer ist zuständig?", "Jobcenter der Stadt Ahaus", "Alstätte (Ahaus)"),
        ("Jobcenter Eggerode", "Jobcenter der Gemeinde Schöppingen", "Eggerode (Schöppingen)"),
        ("Meine PLZ ist 48691, welches Jobcenter?", "Jobcenter der Stadt Vreden", "Vreden (48691)"),
        ("Jobcenter für 48703?", "Jobcenter der Stadt Stadtlohn", "Stadtlohn (48703)"),
        ("jobcenter nienbrog", "Jobcenter der Gemeinde Heek", "Nienborg (Heek)"),
        ("ich wohne in sudlohn oeding und brauche das jobcenter", "Jobcenter der Gemeinde Südlohn", "Südlohn"),
        (
            "Hallo, ich bin alleinerziehend mit zwei Kindern und wohne seit kurzem in Wessum. Welches Jobcenter ist für mich zuständig?",
            "Jobcenter der Stadt Ahaus",
            "Wessum (Ahaus)",
        ),
    ],
)
def test_a_place_in_any_sentence_gets_its_jobcenter(chat, message, office, place):
    reply = chat.text(message)
    assert office in reply and place in reply and "Wohnort" in reply, reply[:300]


@pytest.mark.parametrize(
    "message, office",
    [
        ("Wer ist in Krechting für die Kita zuständig?", "Kreisjugendamt Borken"),
        ("Jugendamt Gemen", "Jugendamt der Stadt Borken"),
        ("Ich bekomme ALG I und wohne in Ramsdorf, wo muss ich hin?", "Agentur für Arbeit Coesfeld"),
        ("Agentur für Arbeit in Epe", "Agentur für Arbeit Coesfeld, Geschäftsstelle Gronau"),
        ("Familienbüro Gronau", "Familienbüro der Stadt Gronau"),
    ],
)
def test_the_office_type_comes_from_the_words(chat, message, office):
    reply = chat.text(message)
    assert office in reply and "Jobcenter der" not in reply.split("\n")[0], reply[:300]


def test_short_follow_ups_keep_the_office_and_change_the_place(chat):
    assert "Jugendamt der Stadt Borken" in chat.text("Wo ist das Jugendamt in Borken?")
    assert "Jugendamt der Stadt Gronau" in chat.text("und in Gronau?")
    vreden = chat.text("und in Vreden?")
    assert "Vreden" in vreden and "Kreisjugendamt" in vreden


def test_a_follow_up_after_the_jobcenter(chat):
    assert "Jobcenter der Stadt Bocholt" in chat.text("Ich wohne in Bocholt, welches Jobcenter ist zuständig?")
    assert "Jobcenter der Stadt Gronau" in chat.text("und in Gronau?")


@pytest.mark.parametrize(
    "message, expected",
    [
        ("Jobcenter Coesfeld", "Coesfeld gehört nicht zum Kreis Borken"),
        ("Meine PLZ ist 48143, welches Jobcenter?", "Die Postleitzahl 48143 gehört nicht zum Kreis Borken"),
        ("Ich komme aus Dorsten. Wer ist zuständig?", "Dorsten gehört nicht zum Kreis Borken"),
    ],
)
def test_places_outside_the_kreis(chat, message, expected):
    assert expected in chat.text(message)


def test_english_and_ukrainian(chat):
    english = chat.text("Which jobcenter is responsible for Rhede?")
    assert "You live in Rhede" in english and "Jobcenter der Stadt Rhede" in english
    ukrainian = chat.text("Я живу в Бохольті, який джобцентр?")
    assert "Ви живете в" in ukrainian and "Jobcenter der Stadt Bocholt" in ukrainian


def test_english_postcode_after_the_language_is_english(chat):
    chat.text("English please")
    reply = chat.text("My postcode is 46342")
    assert "You live in Velen (46342)" in reply and "Jobcenter der Stadt Velen" in reply


def test_a_bare_english_postcode_is_answered_in_english(chat):
    reply = chat.text("My postcode is 46342")
    assert "You live in Velen (46342)" in reply and "Jobcenter der Stadt Velen" in reply
