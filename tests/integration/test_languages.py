"""English and Ukrainian through the REST webhook and the widget's socket channel on the real stack:
answers, office finder, callback booking, switching language in the middle of a conversation, and
the language rules of docs/languages.md (the widget's page language a start, its switch a choice)."""
from __future__ import annotations

import asyncio
import json
import re
import sqlite3

import pytest

from lotse.knowledge.content import load_answers
from lotse.language.messages import messages_for
from tests.conftest import CONTENT
from tests.integration.test_callbacks import buttons, rows, text
from tests.integration.widget_client import WidgetClient

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


def test_short_replies_keep_an_english_conversation_english(chat):
    chat.text("My postcode is 46342")
    for reply in ("ja", "2", "Kita"):
        chat.text(reply)
    kita = chat.text("/ask_kita_kosten")
    assert answer_start("ask_kita_kosten", "en") in kita or details_start("ask_kita_kosten", "en") in kita


# --- the widget's socket channel: what the widget sends with each message (docs/widget.md)

def page(language: str, starting: bool) -> dict:
    return {"metadata": {"language": language, "language_source": "page", "conversation_start": starting}}


def chosen(language: str, starting: bool = False) -> dict:
    return {"metadata": {"language": language, "language_source": "chosen", "conversation_start": starting}}


def widget_conversation(stack, turns: list[tuple[str, dict]]) -> tuple[list[str], str]:
    """Each turn's reply text through the web server's socket.io proxy, and the session id."""
    async def scenario() -> tuple[list[str], str]:
        client = WidgetClient(f"http://127.0.0.1:{stack.settings.web_port}")
        try:
            confirm = await client.connect()
            replies = []
            for message, extra in turns:
                replies.append("\n".join(m.get("text", "") for m in await client.say(message, **extra)))
            return replies, confirm["session_id"]
        finally:
            await client.close()

    return asyncio.run(asyncio.wait_for(scenario(), 180))


def test_widget_a_clearly_english_first_message_on_a_german_page_is_answered_in_english(stack):
    (reply, kita), _ = widget_conversation(stack, [
        ("My postcode is 46342", page("de", True)),
        ("/ask_kita_kosten", page("de", False)),
    ])
    assert "Velen" in reply and EN("office_why_jobcenter") in reply
    assert answer_start("ask_kita_kosten", "en") in kita  # the page's language did not come back


def test_widget_ukrainian_and_russian_on_a_german_page_are_answered_in_ukrainian(stack):
    (ukrainian, russian), _ = widget_conversation(stack, [
        ("Що таке Job-Turbo?", page("de", True)),
        ("Что такое Job-Turbo?", chosen("de")),  # Cyrillic is never answered in German, not even when picked
    ])
    assert answer_start("ask_job_turbo", "uk") in ukrainian
    # the same question again gets the answer's details (issue #22), in Ukrainian too
    assert answer_start("ask_job_turbo", "uk") in russian or details_start("ask_job_turbo", "uk") in russian


def test_widget_one_german_word_does_not_switch_an_english_conversation_on_a_german_page(stack):
    (_, _, kita), _ = widget_conversation(stack, [
        ("What is Job-Turbo?", page("de", True)),
        ("Kita", page("de", False)),
        ("/ask_kita_kosten", page("de", False)),
    ])
    assert answer_start("ask_kita_kosten", "en") in kita or details_start("ask_kita_kosten", "en") in kita


def test_widget_the_page_language_starts_an_ambiguous_conversation(stack):
    (_, kita), _ = widget_conversation(stack, [("Kita", page("uk", True)), ("/ask_kita_kosten", page("uk", False))])
    assert answer_start("ask_kita_kosten", "uk") in kita or details_start("ask_kita_kosten", "uk") in kita


def test_widget_a_picked_language_wins_over_the_text(stack):
    (job_turbo,), _ = widget_conversation(stack, [("What is Job-Turbo?", chosen("de", True))])
    assert answer_start("ask_job_turbo", "de") in job_turbo


def test_widget_an_explicit_request_wins_over_the_picked_language(stack):
    (switched, job_turbo), _ = widget_conversation(stack, [
        ("English please", chosen("uk", True)),
        ("/ask_job_turbo", {"metadata": {"language": "en", "language_source": "chosen", "conversation_start": False}}),
    ])
    assert EN("language_switched") in switched and answer_start("ask_job_turbo", "en") in job_turbo


def test_widget_only_the_language_hints_reach_rasa(stack):
    extra = {"metadata": {"language": "en", "language_source": "page", "conversation_start": True,
                          "is_admin": True, "sender": "someone-else", "language_source_override": "chosen"}}
    (reply,), session_id = widget_conversation(stack, [("My postcode is 46342", extra)])
    assert "Velen" in reply
    with sqlite3.connect(stack.settings.tracker_db) as db:
        rows_ = db.execute(
            "select data from events where sender_id = ? and type_name = 'user' order by id", (session_id,)
        ).fetchall()
    metadata = [json.loads(row[0]).get("metadata") or {} for row in rows_]
    # Rasa adds its own keys (model_id, assistant_id); nothing else the client sent is there
    assert metadata and all(not set(m) & {"is_admin", "sender", "language_source_override"} for m in metadata), metadata
    assert metadata[0]["language_source"] == "page" and metadata[0]["conversation_start"] is True


# "That office" of a training topic is the Agentur's training advice, in each language, not ALG I.
@pytest.mark.parametrize(
    "language, place, topic, follow_up, role",
    [
        ("de", "Ich wohne in Ahaus", "/ask_umschulung", "Wann hat das offen?", "weiterbildung"),
        ("en", "I live in Bocholt", "/ask_bildungsgutschein", "what are their opening hours?", "weiterbildung"),
        ("uk", "Я живу в Гронау", "/ask_teilzeitausbildung", "Коли там відкрито?", "ausbildung"),
    ],
)
def test_that_office_of_a_training_topic_is_the_agenturs_training_advice(chat, language, place, topic, follow_up, role):
    t = messages_for(language, CONTENT)
    chat.text(place)
    chat.text(topic)
    reply = chat.text(follow_up)
    assert t(f"office_why_agentur_{role}") in reply and "Agentur für Arbeit Coesfeld" in reply
    assert t("office_why_agentur") not in reply and "Arbeitslosengeld I" not in reply
