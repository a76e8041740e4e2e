"""Lotse follows the conversation (issue #19), on the real stack: REST in de/en/uk, the widget's
socket.io and Telegram. What a parent met before: the reply to the bot's own question, follow-ups
with "das/den/da", a town after a childcare question — each answered as if it were the first."""
from __future__ import annotations

import asyncio

import pytest

from tests.integration.answers import variant_start
from tests.integration.widget_client import WidgetClient

NOT_UNDERSTOOD = ("nicht sicher, ob ich Sie richtig verstanden", "not sure I understood", "не впевнений")


def understood(reply: str) -> bool:
    return not any(phrase in reply for phrase in NOT_UNDERSTOOD)


def test_a_short_reply_to_the_age_question_continues_the_kita_answer(chat):
    first = chat.text("Ab wann habe ich einen Anspruch auf einen Kitaplatz?")
    assert "wie alt Ihr Kind ist" in first
    reply = chat.text("mein kleiner ist 2")
    assert "Für Ihr Kind mit 2 Jahren:" in reply
    assert variant_start("kita_rechtsanspruch", "de", child_age_group="1_bis_2") in reply


def test_a_bare_number_is_an_age_when_lotse_asked_for_one(chat):
    chat.text("Muss ich arbeiten gehen, obwohl mein Kind noch klein ist?")
    reply = chat.text("2")
    assert variant_start("arbeitspflicht", "de", child_age_group="1_bis_2") in reply


def test_a_town_after_the_kita_question_gives_that_towns_portal(chat):
    chat.text("Wie melde ich mein Kind in der Kita an?")
    reply = chat.text("wohne in bocholt")
    assert "kitaportal.bocholt.de" in reply and "Für Bocholt:" in reply
    again = chat.text("und in Vreden?")
    assert "webkita" in again.lower() and "Für Vreden:" in again


def test_where_to_apply_after_unterhaltsvorschuss_names_the_jugendamt(chat):
    chat.text("Ich wohne in Gescher")
    chat.text("Bekomme ich Unterhaltsvorschuss, wenn der Vater nicht zahlt?")
    reply = chat.text("Wo beantrage ich das?")
    assert understood(reply) and "Jugendamt" in reply and "Gescher" in reply


def test_the_bildungsgutschein_comes_from_the_agentur(chat):
    chat.text("Ich wohne in Ahaus")
    chat.text("Wie bekomme ich einen Bildungsgutschein?")
    reply = chat.text("und wo krieg ich den her?")
    assert understood(reply) and "Agentur für Arbeit" in reply


def test_part_time_after_retraining_is_about_retraining(chat):
    chat.text("Ich interessiere mich für eine Umschulung")
    reply = chat.text("Geht das auch in Teilzeit?")
    assert "Nein, es ist nicht zu spät" not in reply
    # Part-time leads back to the retraining answer just given: its details, not the same core again.
    assert reply.startswith(variant_start("umschulung", "de", details=True))


def test_opening_hours_and_phone_of_that_office(chat):
    chat.text("Ich wohne in Gronau, welches Jobcenter ist zuständig?")
    hours = chat.text("Wann hat das offen?")
    assert understood(hours) and "Gronau" in hours
    phone = chat.text("Wie ist die Telefonnummer?")
    assert understood(phone) and "Dabei kann ich leider nicht helfen" not in phone
    assert "Telefon" in phone


def test_a_follow_up_without_a_topic_asks_what_it_is_about(chat):
    chat.text("Hallo")
    assert "Worauf bezieht sich Ihre Frage" in chat.text("und wer zahlt das?")


def test_forgotten_details_are_not_used_any_more(chat):
    chat.text("Ich wohne in Bocholt")
    assert "vergessen" in chat.text("vergiss meine Angaben")
    reply = chat.text("Wie melde ich mein Kind in der Kita an?")
    assert "kitaportal.bocholt.de" not in reply.split("\n")[0]
    assert reply.startswith(variant_start("kita_anmeldung", "de"))


def test_a_story_is_answered_for_the_town_and_offers_the_other_needs(chat):
    messages = chat.say(
        "Hallo, ich bin alleinerziehend mit zwei Kindern (3 und 7) und wohne in Gescher. Ich möchte eine "
        "Umschulung zur Buchhalterin machen, aber wer passt dann auf die Kinder auf?"
    )
    reply = "\n".join(m.get("text", "") for m in messages)
    assert variant_start("kinderbetreuung_weiterbildung", "de") in reply or variant_start("umschulung", "de") in reply
    titles = [b["title"] for m in messages for b in m.get("buttons") or []]
    assert any(t.startswith("Auch gefragt:") for t in titles), titles


@pytest.mark.parametrize(
    "lang, question, reply, expected",
    [
        ("en", "From what age does my child have a right to a Kita place?", "2", {"child_age_group": "1_bis_2"}),
        ("uk", "З якого віку дитина має право на місце в садочку?", "2", {"child_age_group": "1_bis_2"}),
        ("en", "How do I register my child for a Kita?", "Bocholt", {"jugendamt_area": "bocholt"}),
        ("uk", "Як записати дитину в садочок?", "Бохольт", {"jugendamt_area": "bocholt"}),
    ],
)
def test_own_questions_in_english_and_ukrainian(chat, lang, question, reply, expected):
    answer_id = "kita_rechtsanspruch" if "child_age_group" in expected else "kita_anmeldung"
    chat.text(question)
    assert variant_start(answer_id, lang, **expected) in chat.text(reply)


@pytest.mark.parametrize(
    "lang, first, followup, expected",
    [
        ("en", "Can I get Unterhaltsvorschuss if the father does not pay?", "where do I apply for it?", "Jugendamt"),
        ("uk", "Чи можу я отримати Unterhaltsvorschuss, якщо батько не платить аліменти?", "де це оформити?", "Jugendamt"),
    ],
)
def test_follow_ups_in_english_and_ukrainian(chat, lang, first, followup, expected):
    chat.text("Gescher")
    chat.text(first)
    reply = chat.text(followup)
    assert understood(reply) and expected in reply


@pytest.mark.parametrize(
    "lang, question, town, area",
    [
        ("de", "Wie melde ich mein Kind in der Kita an?", "Gronau", "gronau"),
        ("en", "How do I register my child for a Kita?", "Gronau", "gronau"),
        ("uk", "Як записати дитину в садочок?", "Бохольт", "bocholt"),
    ],
)
def test_the_widget_follows_the_conversation(stack, lang, question, town, area):
    async def scenario():
        client = WidgetClient(f"http://127.0.0.1:{stack.settings.web_port}")
        try:
            await client.connect()
            await client.say(question)
            replies = await client.say(town)
            return "\n".join(m.get("text", "") for m in replies)
        finally:
            await client.close()

    reply = asyncio.run(asyncio.wait_for(scenario(), 120))
    assert variant_start("kita_anmeldung", lang, jugendamt_area=area) in reply
