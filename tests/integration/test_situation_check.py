"""The situation check "Was steht mir zu?" (issue #23) on the real stack, REST channel, de/en/uk:
at most seven questions, none asked again that the conversation already told, skipping ends with a
useful list, a callback afterwards starts with its topic filled in, and a story naming several money
questions gets the check offered."""
from __future__ import annotations

import re

import pytest

SKIP = "/skip_question"
QUESTION = re.compile(r"^(?:Frage \d von 7|Question \d of 7|Питання \d з 7)")
START = {"de": "Was steht mir zu?", "en": "What am I entitled to?", "uk": "Що мені належить?"}
LIMITS = {"de": "Rechtsberatung", "en": "legal advice", "uk": "юридична консультація"}
AGES = {"de": "3 und 7", "en": "3 and 7", "uk": "3 і 7"}
# The questions for town and ages, as each language asks them (content/responses.yml).
TOWN_OR_AGES = {
    "de": ("Stadt oder Gemeinde", "Wie alt sind Ihre Kinder"),
    "en": ("town or municipality", "How old are your children"),
    "uk": ("місті або громаді", "Скільки років вашим дітям"),
}
STORY_WITH_TOWN_AND_AGES = {
    "de": "Ich wohne in Gescher und habe zwei Kinder (3 und 7).",
    "en": "I live in Gescher and have two children aged 3 and 7.",
    "uk": "Я живу в Gescher і маю двох дітей, їм 3 і 7 років.",
}
TOPIC_QUESTION = {"de": "Worum soll es gehen?", "en": "What is it about?", "uk": "Про що йдеться?"}
MONEY_STORY = {
    "de": "Der Vater meiner Tochter zahlt seit Monaten keinen Unterhalt, das Geld reicht hinten und vorne nicht und jetzt ist auch noch die Miete gestiegen.",
    "en": "My daughter's father has not paid maintenance for months, the money is not enough for anything and now my rent went up as well.",
    "uk": "Батько моєї доньки вже кілька місяців не платить аліменти, грошей ні на що не вистачає, а тепер ще й оренда квартири подорожчала.",
}


def questions_until_the_list(chat, replies: list[str]) -> tuple[list[str], str]:
    """Answers each question with the next reply (skipping when they run out); the questions asked
    (their first lines) and the list at the end."""
    asked, text = [], chat.text(replies.pop(0))
    while QUESTION.match(text) and len(asked) < 8:
        asked.append(text.split("\n")[0])
        text = chat.text(replies.pop(0) if replies else SKIP)
    return asked, text


@pytest.mark.parametrize("lang", ["de", "en", "uk"])
def test_skipping_every_question_still_ends_with_a_useful_list(chat, lang):
    asked, result = questions_until_the_list(chat, [START[lang]])
    assert 1 <= len(asked) <= 7
    assert "Mehrbedarf" in result and "Kinderzuschlag" in result and "Kindergeld" in result
    assert LIMITS[lang].lower() in result.lower()


@pytest.mark.parametrize("lang", ["de", "en", "uk"])
def test_a_full_check_in_at_most_seven_questions_then_a_callback_with_its_topic(chat, lang):
    asked, result = questions_until_the_list(
        chat, [START[lang], "Gescher", AGES[lang], "/affirm", '/inform{"situation": "grundsicherung"}', '/inform{"maintenance": "no"}', "650",
               '/inform{"wants": "retraining"}']
    )
    assert len(asked) == 7, asked
    assert "Mehrbedarf" in result and "Unterhaltsvorschuss" in result and "Weiterbildung" in result
    assert "Gescher" in result or "Kreis" in result
    assert LIMITS[lang].lower() in result.lower()
    reply = chat.text("/request_callback")
    assert reply and TOPIC_QUESTION[lang] not in reply  # the topic is the check's list


@pytest.mark.parametrize("lang", ["de", "en", "uk"])
def test_what_the_story_told_is_not_asked_again(chat, lang):
    chat.text(STORY_WITH_TOWN_AND_AGES[lang])
    asked, result = questions_until_the_list(chat, [START[lang]])
    town, ages = TOWN_OR_AGES[lang]
    assert not any(town in q or ages in q for q in asked), asked
    assert 1 <= len(asked) <= 5 and "Mehrbedarf" in result


@pytest.mark.parametrize("lang", ["de", "en", "uk"])
def test_a_story_with_several_money_questions_gets_the_check_offered(chat, lang):
    messages = chat.say(MONEY_STORY[lang])
    payloads = [b.get("payload") for m in messages for b in m.get("buttons") or []]
    assert "/ask_situation_check" in payloads, [m.get("text", "")[:80] for m in messages]
    asked, _ = questions_until_the_list(chat, ["/ask_situation_check"])
    assert asked  # the button starts the check
