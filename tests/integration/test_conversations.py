"""End-to-end through Rasa's REST webhook on the real stack: what a user actually sees."""
from __future__ import annotations

import requests

from lotse.knowledge.content import load_answers, render_text
from tests.conftest import CONTENT


def _answer(intent: str):
    return next(a for a in load_answers(CONTENT).answers if a.intent == intent)


def test_greeting_shows_the_privacy_notice_once(chat, stack):
    first = chat.text("Hallo")
    assert "Lotse" in first and "kein Mensch" in first and "Datenschutz" in first
    # the running deployment's own address (LOTSE_PUBLIC_URL), not the one the model was built with
    assert f"{stack.settings.public_url}/datenschutz.html" in first
    second = chat.text("Hallo")
    assert "Datenschutz" not in second and second


def test_office_finder_with_district_then_follow_up(chat):
    reply = chat.text("ich wohn in gemen, wo muss ich hin?")
    assert "Jobcenter der Stadt Borken" in reply and "Wohnort" in reply
    follow_up = chat.text("Und wo ist das Jugendamt?")
    assert "Borken" in follow_up and "Jugendamt" in follow_up


def test_office_finder_postal_code_and_outside(chat):
    assert "Jobcenter der Stadt Gronau" in chat.text("48599")
    assert "nicht zum Kreis Borken" in chat.text("Ich wohne in Münster, welches Jobcenter ist zuständig?")


def test_knowledge_answer_carries_source_and_date(chat):
    reply = chat.text("Kann ich eine Umschulung in Teilzeit machen?")
    answer = _answer("ask_umschulung")
    assert reply.startswith(answer.text["de"].strip()[:40])
    assert "Quelle" in reply and "Geprüft am" in reply


def test_answer_personalised_by_child_age(chat):
    reply = chat.text("Mein Sohn ist 2, muss ich jetzt schon arbeiten gehen?")
    answer = _answer("ask_arbeitspflicht")
    variant = next(v for v in answer.variants if v.when.get("child_age_group") == "1_bis_2")
    # the answer says what it was chosen by (issue #19), then the text for 1–2-year-olds
    assert reply == "Für Ihr Kind mit 2 Jahren:\n" + render_text(answer, variant.text["de"])


def test_kita_answer_personalised_by_remembered_town(chat):
    chat.text("Ich wohne in Bocholt")
    reply = chat.text("Wie melde ich mein Kind für die Kita an?")
    assert "kitaportal.bocholt.de" in reply


def test_human_handoff_names_the_verified_switchboard(chat):
    reply = chat.text("Ich will mit einem Menschen sprechen")
    assert "02861 681-100" in reply


def test_bot_challenge_and_out_of_scope(chat):
    assert "kein Mensch" in chat.text("bist du ein mensch?")
    assert "nicht helfen" in chat.text("Wie wird das Wetter morgen?")


def test_not_understood_gets_readable_options(chat):
    messages = chat.say("blorp quaxel frumm")
    titles = [b["title"] for m in messages for b in m.get("buttons", [])]
    text = " ".join(m.get("text", "") for m in messages)
    assert "nicht sicher" in text or "nicht verstanden" in text
    assert not any(t.startswith(("ask_", "request_")) for t in titles)


def test_web_page_proxies_the_chat(stack):
    url = f"http://{stack.settings.web_host}:{stack.settings.web_port}"
    assert "Lotse" in requests.get(url, timeout=10).text
    reply = requests.post(f"{url}/api/chat", json={"sender": "web-1", "message": "Hallo"}, timeout=30).json()
    assert any("Lotse" in m.get("text", "") for m in reply)


def test_static_answers_work_while_the_action_server_is_down(stack, chat):
    stack.stop("actions")
    try:
        reply = chat.text("Was ist ein Bildungsgutschein und wie bekomme ich den?")
        assert "Bildungsgutschein" in reply and "Quelle" in reply
    finally:
        stack.start(only=("actions",))
        stack.wait_ready(timeout=60)


def test_conversations_are_stored_in_the_sql_tracker_store(stack, chat):
    """Rasa silently falls back to an in-memory store if a custom store fails to load: check the file."""
    import sqlite3

    chat.text("Hallo")
    with sqlite3.connect(stack.settings.tracker_db) as db:
        count = db.execute("SELECT COUNT(*) FROM events WHERE sender_id = ?", (chat.sender,)).fetchone()[0]
        journal = db.execute("PRAGMA journal_mode").fetchone()[0]
        indexes = {row[1] for row in db.execute("PRAGMA index_list(events)")}
    assert count > 0
    assert journal == "wal"
    assert "ix_events_timestamp" in indexes


def test_office_finder_asks_back_when_the_place_is_ambiguous(chat):
    messages = chat.say("Welches Jobcenter ist zuständig, Borken oder Velen?")
    titles = [b["title"] for m in messages for b in m.get("buttons", [])]
    assert "Welchen Ort meinen Sie?" in " ".join(m.get("text", "") for m in messages)
    assert titles == ["Borken", "Velen"]
    chosen = chat.text('/inform_place{"municipality": "velen"}')
    assert "Jobcenter der Stadt Velen" in chosen
