"""Which language a user writes or asks for: one ambiguous word never switches the language."""
from __future__ import annotations

import pytest

from lotse.language.languages import (
    LanguageHints,
    detect_language,
    language_hints,
    language_of_message,
    reply_language,
    requested_language,
)


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


# The rules of docs/languages.md as a table: (the message, what the widget says, the conversation's
# language so far) -> the language of the answer. The widget column: None (REST, messengers: no
# hint), "chosen:xx" (the person picked xx in the language switch), "page:xx" (the page's
# data-language, not the first message), "page:xx start" (the page's language, first message).
RULES = [
    # 1. an explicit request wins over everything
    ("auf Deutsch bitte", "chosen:en", "en", "de"),
    ("auf Deutsch bitte", "page:uk start", "uk", "de"),
    ("English please", None, "uk", "en"),
    ("English please", "chosen:uk", "uk", "en"),
    ("in english please", "page:de start", "de", "en"),
    ("по-українськи", "chosen:de", "de", "uk"),
    ("українською будь ласка", "page:de start", "de", "uk"),
    # 2. the language the person chose in the widget wins over guesses from the text ...
    ("how much money do i get", "chosen:de", "de", "de"),
    ("Wie viel Geld bekomme ich?", "chosen:en", "en", "en"),
    ("Kita", "chosen:uk", "de", "uk"),
    ("Що таке Job-Turbo?", "chosen:en", "en", "en"),
    # ... but Cyrillic text is never answered in German
    ("скільки коштує садок", "chosen:de", "de", "uk"),
    ("Що таке Job-Turbo?", "chosen:de", "de", "uk"),
    # 3. Cyrillic script is Ukrainian, Russian included
    ("Що таке Job-Turbo?", None, "de", "uk"),
    ("Что такое Job-Turbo?", "page:de start", "de", "uk"),
    ("Сколько стоит детский сад?", None, "de", "uk"),
    ("Как получить Kita?", None, "de", "uk"),
    ("Мне нужен Jobcenter в Бохольте", None, "en", "uk"),
    ("так", None, "de", "uk"),
    # 4. a clearly written message: a clearly English first message is answered in English ...
    ("My postcode is 46342", None, "de", "en"),
    ("What is Job-Turbo?", None, "de", "en"),
    ("I live in Gescher and need the jobcenter", None, "de", "en"),
    ("chy mozhu otrymaty hroshi", None, "de", "uk"),
    # ... and a clearly German message in an English conversation switches back
    ("Wie viel Geld bekomme ich?", None, "en", "de"),
    # 5. the page's language is a start, not a choice
    ("My postcode is 46342", "page:de start", "de", "en"),
    ("What is Job-Turbo?", "page:de start", "de", "en"),
    ("Wie viel kostet die Kita?", "page:en start", "de", "de"),
    ("Kita", "page:en start", "de", "en"),
    ("46342", "page:uk start", "de", "uk"),
    ("Kita", "page:de", "en", "en"),
    ("ok", "page:de", "uk", "uk"),
    # 6. one German word in an English or Ukrainian conversation does not switch it
    ("Kita", None, "en", "en"),
    ("Jobcenter", None, "uk", "uk"),
    ("Bürgergeld", None, "en", "en"),
    ("Do I get Bürgergeld if I work?", None, "en", "en"),
    ("Jobcenter Borken", "page:de", "en", "en"),
    ("Kita Gebühren Bocholt", None, "uk", "uk"),
    # ... nor does a short reply to Lotse's question: the conversation's language stays
    ("2", None, "en", "en"),
    ("2", "page:de", "uk", "uk"),
    ("ja", None, "en", "en"),
    ("ja", None, "uk", "uk"),
    ("Gronau", "page:de", "en", "en"),
    ("10 Monate", None, "en", "en"),
    ("46325", None, "uk", "uk"),
    ("ok", None, "en", "en"),
    ("👍", None, "uk", "uk"),
]


def hints(widget: str | None) -> LanguageHints:
    """The table's widget column as the widget sends it, read by `language_hints`."""
    if widget is None:
        return language_hints(None)
    source, _, rest = widget.partition(":")
    language, _, start = rest.partition(" ")
    return language_hints({"language": language, "language_source": source, "conversation_start": start == "start"})


@pytest.mark.parametrize("text, widget, before, after", RULES)
def test_the_language_rules(text, widget, before, after):
    assert language_of_message(text, hints(widget), before) == after


def test_without_the_conversations_language_none_means_keep_it():
    assert language_of_message("Kita") is None
    assert language_of_message("Kita", hints("page:de")) is None
    assert language_of_message("Kita", hints("page:uk start")) == "uk"


def test_unsupported_or_malformed_hints_are_ignored():
    assert language_of_message("Kita", language_hints({"language": "fr", "language_source": "chosen"})) is None
    assert language_of_message("how much money do i get", language_hints({"language": "fr"})) == "en"
    assert language_hints({"language": ["de"]}) == language_hints(None)
    assert language_hints("de") == language_hints(None)
    # without a source a language counts as chosen (an API client that sets it means it)
    assert language_of_message("how much money do i get", language_hints({"language": "de"})) == "de"
    # conversation_start must be true, not merely truthy
    assert language_of_message("Kita", language_hints({"language": "uk", "language_source": "page", "conversation_start": "1"})) is None


def test_reply_language_without_a_conversation():
    assert reply_language("Kita", "uk") == "uk"  # the phone's or browser's language decides only here
    assert reply_language("how much money do i get", "de") == "en"
    assert reply_language("Що таке Job-Turbo?", "de") == "uk"
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
