"""English and Ukrainian through the REST webhook on the real stack: answers, office finder,
callback booking and switching language in the middle of a conversation."""
from __future__ import annotations

import re

import pytest

from lotse.knowledge.content import load_answers
from lotse.language.messages import messages_for
from tests.conftest import CONTENT
from tests.integration.test_callbacks import buttons, rows, text

EN = messages_for("en", CONTENT)
UK = messages_for("uk", CONTENT)


def answer_start(intent: str, language: str, variant: dict | None = None) -> str:
    """The first line of the answer's first message in that language (the reply starts with it)."""
    answer = next(a for a in load_answers(CONTENT).answers if a.intent == intent)
    entry = next(v for v in answer.variants if dict(v.when) == variant) if variant else answer
    body = (entry.core or entry.text)[language]  # the first message is the core (issue #22)
    return body.strip().splitlines()[0]


def details_start(intent: str, language: str) -> str:
    """The first line of the answer's details ("Mehr dazu") in that language."""
    answer = next(a for a in load_answers(CONTENT).answers if a.intent == intent)
    return answer.text[language].strip().splitlines()[0]


# One question per topic group (docs/intents.md), as users write them.
QUESTIONS = {
    "en": [
        ("ask_umschulung", "can I do a retraining part time because of my kids"),
        ("ask_kita_kosten", "how much does the kita cost per month"),
        ("ask_arbeitspflicht", "can the jobcenter force me to take a job although I have a small kid"),
        ("ask_mehrbedarf", "is there extra money for single mothers"),
        ("ask_oepnv", "I have no car, how do I get to work by bus"),
        ("ask_miete", "my rent is too high, will the jobcenter still pay it"),
        ("ask_beratung", "where can I get independent advice"),
    ],
    "uk": [
        ("ask_umschulung", "чи можна пройти перекваліфікацію неповний день через дітей"),
        ("ask_kita_kosten", "скільки коштує дитячий садок на місяць"),
        ("ask_arbeitspflicht", "чи мушу я працювати якщо дитина ще маленька"),
        ("ask_mehrbedarf", "чи є додаткові гроші для матерів одиначок"),
        ("ask_oepnv", "в мене немає машини, як доїхати на роботу автобусом"),
        ("ask_miete", "моя оренда зависока, чи джобцентр буде платити"),
        ("ask_beratung", "де можна отримати незалежну консультацію"),
    ],
}


@pytest.mark.parametrize("language", ["en", "uk"])
def test_each_topic_group_is_answered_in_the_users_language(chat, language):
    for intent, question in QUESTIONS[language]:
        reply = chat.text(question)
        assert answer_start(intent, language) in reply, (question, reply[:200])
        assert ("Source" if language == "en" else "Джерел") in reply


def test_office_finder_in_english_and_a_cyrillic_place(chat):
    reply = chat.text("which jobcenter is responsible for me? I live in Gemen")
    assert "Jobcenter der Stadt Borken" in reply and EN("office_why_jobcenter") in reply
    uk_chat_reply = chat.text("українською будь ласка")
    assert UK("language_switched") in uk_chat_reply
    reply = chat.text("я живу в Бохольті")
    assert "Bocholt" in reply and UK("office_why_jobcenter") in reply


@pytest.mark.parametrize(
    "language, opening, topic, place, office",
    [
        ("en", "I would like a callback please", "kita place", "I live in Velen", "Jobcenter der Stadt Velen"),
        ("uk", "можете мені передзвонити?", "місце в дитсадку", "Гронау", "Jobcenter der Stadt Gronau"),
    ],
)
def test_full_callback_booking(stack, chat, language, opening, topic, place, office):
    t = messages_for(language, CONTENT)
    chat.text(opening)
    chat.text(topic)
    consent = chat.say(place)
    assert t("callback_consent", days=stack.settings.phone_retention_days) in text(consent)
    assert [b["title"] for b in buttons(consent)] == [t("button_yes_agree"), t("button_no")]
    chat.text("/affirm")
    offered = chat.say("0171 2345678")
    assert t("callback_ask_window") in text(offered)
    windows = [b for b in buttons(offered) if b["payload"].startswith("/inform")]
    chat.text(windows[0]["payload"])
    readback = chat.text("/deny")
    assert t("callback_please_check") in readback and windows[0]["title"] in readback and office in readback
    done = chat.text("/affirm")
    reference = re.search(r"\b[A-Z0-9]{3}-[A-Z0-9]{3}\b", done).group(0)
    stored = rows(stack, reference=reference)
    assert len(stored) == 1 and stored[0].language == language


def test_switching_language_mid_conversation(chat):
    german = chat.text("Was ist ein Bildungsgutschein?")
    assert answer_start("ask_bildungsgutschein", "de") in german
    assert EN("language_switched") in chat.text("English please")
    assert answer_start("ask_bildungsgutschein", "en") in chat.text("/ask_bildungsgutschein")
    chat.text("Kita")  # a single ambiguous word keeps the language
    kita = chat.text("/ask_kita_kosten")  # the core, or its details when "Kita" got the core already
    assert answer_start("ask_kita_kosten", "en") in kita or details_start("ask_kita_kosten", "en") in kita
    assert "Deutsch" in chat.text("auf Deutsch bitte")
    assert answer_start("ask_kita_kosten", "de") in chat.text("/ask_kita_kosten")


# The rules of docs/languages.md on the real stack (REST channel: no widget selector).
def test_a_clearly_english_first_message_is_answered_in_english(chat):
    assert answer_start("ask_job_turbo", "en") in chat.text("What is Job-Turbo?")


def test_an_english_postcode_message_is_answered_in_english(chat):
    reply = chat.text("My postcode is 46342")
    assert "Velen" in reply and EN("office_why_jobcenter") in reply


@pytest.mark.parametrize("question", ["Що таке Job-Turbo?", "Что такое Job-Turbo?"])
def test_cyrillic_with_a_german_term_is_answered_in_ukrainian(chat, question):
    assert answer_start("ask_job_turbo", "uk") in chat.text(question)


def test_one_german_word_does_not_switch_an_english_or_ukrainian_conversation(chat):
    assert answer_start("ask_job_turbo", "en") in chat.text("What is Job-Turbo?")
    chat.text("Bürgergeld")
    assert answer_start("ask_kita_kosten", "en") in chat.text("/ask_kita_kosten")
    assert UK("language_switched") in chat.text("по-українськи")
    chat.text("Jobcenter")
    assert answer_start("ask_kita_kosten", "uk") in chat.text("/ask_kita_kosten")
