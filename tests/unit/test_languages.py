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
        ("Wie viel kostet die Kita für mein Kind?", "de"),
        ("My postcode is 46342", "en"),
        ("What is Job-Turbo?", "en"),
        ("Що таке Job-Turbo?", "uk"),
        ("Как получить Kita?", "uk"),  # Russian: answered in Ukrainian
        ("мій син", "uk"),
        ("скільки коштує кіта в Бохольті", "uk"),
        ("chy mozhu otrymaty hroshi", "uk"),
    ],
)
def test_clearly_written_messages(text, language):
    assert detect_language(text) == language


@pytest.mark.parametrize(
    "text", ["ok", "Kita", "Bocholt", "hallo", "hello", "46325", "Jobcenter Borken", "Bürgergeld", "Kita Gebühren Bocholt", "👍", ""]
)
def test_single_or_ambiguous_words_do_not_decide(text):
    assert detect_language(text) is None


# The rules of docs/languages.md: (the message, the widget's selector or None, the conversation's
# language so far) -> the language of the answer.
RULES = [
    # an explicit request wins over everything
    ("auf Deutsch bitte", "en", "en", "de"),
    ("English please", None, "uk", "en"),
    ("по-українськи", "de", "de", "uk"),
    # the widget's selector wins over guesses from the text ...
    ("how much money do i get", "de", "de", "de"),
    ("Kita", "uk", "de", "uk"),
    # ... but Cyrillic text is never answered in German (Russian -> Ukrainian)
    ("скільки коштує садок", "de", "de", "uk"),
    ("Сколько стоит детский сад?", None, "de", "uk"),
    ("Що таке Job-Turbo?", None, "de", "uk"),
    ("Що таке Job-Turbo?", "en", "en", "en"),
    # one German word in an English or Ukrainian conversation does not switch it
    ("Kita", None, "en", "en"),
    ("Jobcenter", None, "uk", "uk"),
    ("Bürgergeld", None, "en", "en"),
    ("Do I get Bürgergeld if I work?", None, "en", "en"),
    # a clearly English first message is answered in English
    ("My postcode is 46342", None, "de", "en"),
    ("What is Job-Turbo?", None, "de", "en"),
    # a clearly German message in an English conversation switches back
    ("Wie viel Geld bekomme ich?", None, "en", "de"),
    # nothing decides: the conversation's language stays
    ("46325", None, "uk", "uk"),
    ("ok", None, "en", "en"),
]


@pytest.mark.parametrize("text, selected, before, after", RULES)
def test_the_language_rules(text, selected, before, after):
    from lotse.language.languages import language_of_message

    assert (language_of_message(text, selected) or before) == after


def test_unsupported_selection_is_ignored():
    from lotse.language.languages import language_of_message

    assert language_of_message("Kita", selected="fr") is None
    assert language_of_message("how much money do i get", selected="fr") == "en"


def test_reply_language_without_a_conversation():
    from lotse.language.languages import reply_language

    assert reply_language("Kita", "uk") == "uk"  # the phone's or browser's language decides only here
    assert reply_language("how much money do i get", "de") == "en"
    assert reply_language(None, "fr") == "de"


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
