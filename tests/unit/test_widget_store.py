"""What the widget shows after a reload, which ratings it accepts, and what "Verlauf löschen" leaves behind."""
from __future__ import annotations

import json

import sqlalchemy as sa

from lotse.database.engine import make_engine
from lotse.database.migrations import migrate
from lotse.widget import feedback
from lotse.widget.sessions import WidgetSession
from lotse.widget.store import WidgetStore, transcript_items

GREETING = "Hallo, ich bin Lotse!\n\nWobei kann ich helfen?"
BUTTONS = [{"title": "Kita-Platz finden", "payload": "/ask_kita_anmeldung"}]


def _event(kind: str, text: str, buttons=None) -> tuple[str, str]:
    data = {"event": kind, "text": text}
    if buttons:
        data["data"] = {"buttons": buttons}
    return kind, json.dumps(data)


CONVERSATION = [
    ("action", json.dumps({"event": "action", "name": "action_listen"})),
    _event("user", "Hallo"),
    _event("bot", GREETING, BUTTONS),
    _event("user", "/ask_kita_anmeldung"),
    _event("bot", "Für einen Kita-Platz …"),
    _event("user", "/ask_kita_anmeldung"),  # typed by hand later: no button to name it
]


def test_transcript_shows_what_the_person_saw():
    items = transcript_items(CONVERSATION)
    assert [(i["who"], i["text"]) for i in items] == [
        ("user", "Hallo"),
        ("bot", GREETING),
        ("user", "Kita-Platz finden"),
        ("bot", "Für einen Kita-Platz …"),
        ("user", "/ask_kita_anmeldung"),
    ]
    assert items[1]["quick_replies"] == BUTTONS
    assert items[1]["message_id"] == feedback.message_id(GREETING)  # the id the live message carried


def _store(db_url: str) -> WidgetStore:
    migrate(db_url)
    tracker = sa.create_engine(db_url, future=True)
    meta = sa.MetaData()
    events = sa.Table(
        "events", meta,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("sender_id", sa.String(255)),
        sa.Column("type_name", sa.String(255)),
        sa.Column("timestamp", sa.Float),
        sa.Column("data", sa.Text),
    )
    meta.create_all(tracker)
    with tracker.begin() as conn:
        for sender in ("mine", "theirs"):
            conn.execute(sa.insert(events), [{"sender_id": sender, "type_name": k, "timestamp": 1.0, "data": d} for k, d in CONVERSATION])
    return WidgetStore(make_engine(db_url), tracker)


def test_ratings_only_for_bot_messages_of_the_conversation(db_url):
    store = _store(db_url)
    greeting = feedback.message_id(GREETING)
    assert store.record_feedback("mine", greeting, "up") is True
    assert store.record_feedback("mine", feedback.message_id("made up"), "down") is False
    assert store.record_feedback("nobody", greeting, "down") is False
    assert feedback.ratings_for(store.app_engine, "mine") == {greeting: "up"}
    assert feedback.ratings_for(store.app_engine, "nobody") == {}


def test_erasure_ends_the_session_and_removes_only_that_conversation(db_url):
    store = _store(db_url)
    feedback.record(store.app_engine, "mine", feedback.message_id(GREETING), "down")
    session = WidgetSession("mine", 2_000_000_000)
    report = store.erase(session)
    assert report.tracker_events == len(CONVERSATION) and report.feedback == 1
    assert store.transcript("mine") == []
    assert len(store.transcript("theirs")) == 5
    assert store.is_revoked("mine") and not store.is_revoked("theirs")
    store.erase(session)  # erasing twice is harmless


def test_ended_sessions_are_forgotten_once_their_tokens_have_expired(db_url):
    store = _store(db_url)
    store.revoke(WidgetSession("old", 1_000))
    store.revoke(WidgetSession("recent", 3_000))
    assert store.purge_revocations(now=2_000) == 1
    assert not store.is_revoked("old") and store.is_revoked("recent")
