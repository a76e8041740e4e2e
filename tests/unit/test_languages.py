"""Which language a user writes or asks for: one ambiguous word never switches the language."""
from __future__ import annotations

import pytest

from lotse.language.languages import detect_language, requested_language


@pytest.mark.parametrize(
    "text, language",
    [
        ("English please", "en"),
        ("in english", "en"),
        ("can you speak english?", "en"),
        ("Sprechen Sie Englisch?", "en"),
        ("auf Deutsch bitte", "de"),
        ("Deutsch", "de"),
        ("українською будь ласка", "uk"),
        ("можна українською?", "uk"),
        ("по-українськи", "uk"),
        ("Ukrainian please", "uk"),
        ("ukrainisch bitte", "uk"),
    ],
)
def test_explicit_requests(text, language):
    assert requested_language(text) == language


@pytest.mark.parametrize(
    "text",
    [
        "де вивчити німецьку мову",  # a question about a German course, asked in Ukrainian
        "Is there an English course in Bocholt?",
        "Ich brauche einen Deutschkurs",
        "Wo kann ich Deutsch lernen, wenn ich morgens arbeite und nachmittags mein Kind abhole?",
        "ok",
    ],
)
def test_talking_about_a_language_is_not_a_request(text):
    assert requested_language(text) is None


@pytest.mark.parametrize(
    "text, language",
    [
        ("how much money do i get", "en"),
        ("my son is 2 and I need a kita", "en"),
        ("wie viel geld bekomme ich", "de"),
        ("Kita Gebühren Bocholt", "de"),
        ("мій син", "uk"),
        ("скільки коштує кіта в Бохольті", "uk"),
        ("chy mozhu otrymaty hroshi", "uk"),
    ],
)
def test_clearly_written_messages(text, language):
    assert detect_language(text) == language


@pytest.mark.parametrize("text", ["ok", "Kita", "Bocholt", "hallo", "hello", "46325", "Jobcenter Borken", "👍", ""])
def test_single_or_ambiguous_words_do_not_decide(text):
    assert detect_language(text) is None


def test_order_of_evidence():
    from lotse.language.languages import language_of_message

    assert language_of_message("auf Deutsch bitte", selected="en") == "de"  # the user's words win
    assert language_of_message("Kita", selected="uk") == "uk"  # the widget's selector
    assert language_of_message("how much money do i get", hint="de") == "en"
    assert language_of_message("Kita", hint="en") == "en"  # the phone's language decides only here
    assert language_of_message("Kita", hint="fr") is None  # unsupported hints are ignored
    assert language_of_message("Kita") is None


@pytest.mark.parametrize(
    "text, language",
    [
        ("на англійську", "en"),
        ("переключи на німецьку", "de"),
        ("поверни німецьку мову", "de"),
        ("на українській", "uk"),
        ("anhliyskoyu", "en"),
        ("nimetskoyu mozhna", "de"),
        ("ukrainskoyu bud laska", "uk"),
    ],
)
def test_ukrainian_ways_of_asking(text, language):
    assert requested_language(text) == language
