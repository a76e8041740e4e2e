"""Invented demo data for screenshots and tests: conversations written in the shape of Rasa's SQL
tracker store, callbacks, ratings and accounts. No real person's data: names and numbers are made up
(phone numbers from the ranges reserved for drama/fiction by the Bundesnetzagentur: 0171 39200xx)."""
from __future__ import annotations

import json
import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from lotse.callbacks.store import Booking, CallbackStore
from lotse.console.transcripts import events_table
from lotse.database.schema import callbacks
from lotse.widget import feedback
from lotse.widget.feedback import message_id

DEMO_PASSWORD = "Demo-Passwort-2026!"

ANSWERS = {
    "greet": ("utter_greet", "Hallo! Ich bin Lotse, ein automatischer Chat-Assistent. Wobei kann ich helfen?"),
    "ask_kita_kosten": ("utter_answer_kita_kosten", "Die Kita-Beiträge legt Ihre Stadt oder Gemeinde fest. Wer Bürgergeld bekommt, zahlt in NRW keinen Beitrag."),
    "ask_umschulung": ("utter_answer_umschulung", "Eine Umschulung kann das Jobcenter mit einem Bildungsgutschein fördern. Sprechen Sie Ihre Ansprechperson darauf an."),
    "ask_regelbedarf": ("utter_answer_regelbedarf", "Der Regelbedarf für Alleinstehende und Alleinerziehende beträgt 563 Euro im Monat (Stand 2025)."),
    "ask_teilzeitausbildung": ("utter_answer_teilzeitausbildung", "Eine Ausbildung geht auch in Teilzeit, zum Beispiel mit 25 bis 30 Stunden pro Woche."),
    "ask_office": ("utter_ask_place", "In welcher Stadt oder Gemeinde wohnen Sie?"),
    "thank": ("utter_you_are_welcome", "Gern geschehen!"),
    "nlu_fallback": ("utter_default", "Das habe ich leider nicht verstanden. Können Sie es anders sagen?"),
    "request_human": ("utter_human_options", "Sie können mit einem Menschen sprechen: Ich kann einen Rückruf vereinbaren."),
}
MESSAGES = {
    "greet": ["Hallo", "Guten Tag", "hi"],
    "ask_kita_kosten": ["Was kostet die Kita?", "muss ich für die kita zahlen", "Kita Beitrag wie hoch"],
    "ask_umschulung": ["Kann ich eine Umschulung machen?", "umschulung zur pflegefachkraft"],
    "ask_regelbedarf": ["Wie viel Bürgergeld bekomme ich?", "Regelsatz 2025"],
    "ask_teilzeitausbildung": ["Ausbildung in Teilzeit möglich?"],
    "ask_office": ["Welches Jobcenter ist für mich zuständig?"],
    "thank": ["Danke!", "vielen dank"],
    "nlu_fallback": ["wie geht das mit dem ding da", "hä?"],
    "request_human": ["Ich möchte mit einem Menschen sprechen"],
}


@dataclass(frozen=True)
class DemoConversations:
    callback: str  # has a callback with a name and a phone number
    fallback: str  # not understood, thumbs down, tagged
    hostile: str  # a message with HTML/script in it
    telegram: str


def ensure_events_table(tracker: Engine) -> None:
    """The table Rasa's SQL tracker store creates at its first start (same columns)."""
    meta = sa.MetaData()
    sa.Table(
        "events", meta,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("sender_id", sa.String(255), nullable=False, index=True),
        sa.Column("type_name", sa.String(255), nullable=False),
        sa.Column("timestamp", sa.Float),
        sa.Column("intent_name", sa.String(255)),
        sa.Column("action_name", sa.String(255)),
        sa.Column("data", sa.Text),
    )
    meta.create_all(tracker)


class _Writer:
    def __init__(self, sender: str, start: datetime, channel: str = "rest"):
        self.sender, self.t, self.channel = sender, start.timestamp(), channel
        self.rows: list[dict[str, Any]] = []
        self._add("action", {"event": "action", "name": "action_session_start"}, action="action_session_start")
        self._add("session_started", {"event": "session_started"})
        self._add("action", {"event": "action", "name": "action_listen"}, action="action_listen")

    def _add(self, type_name: str, data: dict[str, Any], intent: str | None = None, action: str | None = None) -> None:
        self.t += 1.5
        data["timestamp"] = self.t
        self.rows.append({"sender_id": self.sender, "type_name": type_name, "timestamp": self.t,
                          "intent_name": intent, "action_name": action, "data": json.dumps(data)})

    def user(self, text: str, intent: str, confidence: float, ranking: list[tuple[str, float]] | None = None) -> None:
        self.t += 20
        parse = {"text": text, "intent": {"name": intent, "confidence": confidence}, "entities": [],
                 "intent_ranking": [{"name": n, "confidence": c} for n, c in (ranking or [(intent, confidence)])]}
        self._add("user", {"event": "user", "text": text, "parse_data": parse, "input_channel": self.channel,
                           "message_id": f"m{len(self.rows)}"}, intent=intent)

    def bot(self, action: str, text: str) -> str:
        self._add("action", {"event": "action", "name": action, "policy": "RulePolicy", "confidence": 1.0}, action=action)
        self._add("bot", {"event": "bot", "text": text, "data": {}, "metadata": {"utter_action": action}})
        self._add("action", {"event": "action", "name": "action_listen"}, action="action_listen")
        return message_id(text)

    def slot(self, name: str, value: Any) -> None:
        self._add("slot", {"event": "slot", "name": name, "value": value}, action=name)

    def loop(self, name: str | None) -> None:
        self._add("active_loop", {"event": "active_loop", "name": name}, action=name)

    def answer(self, intent: str, text: str | None = None, confidence: float = 0.92) -> str:
        self.user(text or MESSAGES[intent][0], intent, confidence)
        action, reply = ANSWERS[intent]
        return self.bot(action, reply)


def _write(tracker: Engine, writers: list[_Writer]) -> None:
    with tracker.begin() as conn:
        for writer in writers:
            conn.execute(sa.insert(events_table), writer.rows)


def seed_demo(app: Engine, tracker: Engine, now: datetime, conversations: int = 60) -> DemoConversations:
    """Fill empty databases with invented demo data; returns the conversation ids worth looking at."""
    ensure_events_table(tracker)
    rng = random.Random(8)
    store = CallbackStore(app, capacity=5)
    writers: list[_Writer] = []
    ratings: list[tuple[str, str, str]] = []
    offices = ["jc_borken", "jc_bocholt", "jc_ahaus", "jc_gronau", "jc_stadtlohn"]
    topics = ["Kinderbetreuung", "Umschulung", "Bürgergeld", "Teilzeitausbildung", None]
    intents = [i for i in ANSWERS if i not in ("greet", "thank")]
    for i in range(conversations):
        start = now - timedelta(days=rng.randint(0, 29), hours=rng.randint(0, 9), minutes=rng.randint(0, 59))
        w = _Writer(f"demo-{i:03d}", start, rng.choice(["rest", "rest", "rest", "socketio", "telegram"]))
        w.answer("greet", rng.choice(MESSAGES["greet"]))
        for _ in range(rng.randint(1, 3)):
            intent = rng.choice(intents)
            confidence = 0.25 if intent == "nlu_fallback" else round(rng.uniform(0.45, 0.98), 2)
            mid = w.answer(intent, rng.choice(MESSAGES[intent]), confidence)
            if rng.random() < 0.3:
                ratings.append((w.sender, mid, "down" if intent == "nlu_fallback" or rng.random() < 0.25 else "up"))
        writers.append(w)
        if i % 6 == 0:
            window = (start + timedelta(days=1)).replace(minute=0, second=0, microsecond=0)
            booking = Booking(rng.choice(offices), "borken", window.isoformat(timespec="minutes"), window, window + timedelta(hours=2),
                              f"+49171392000{i % 10}", topic=rng.choice(topics), first_name=rng.choice(["Mara", "Jonas", "Leyla", None]))
            created = store.book(booking, idempotency_key=f"{w.sender}#cb", now=start)
            status = rng.choice(["new", "new", "in_progress", "reached", "not_reached"])
            if status != "new":
                with app.begin() as conn:
                    conn.execute(sa.update(callbacks).where(callbacks.c.reference == created.reference).values(
                        status=status, closed_at=start + timedelta(days=1) if status == "reached" else None))

    # The conversations the screenshots and tests look at.
    base = now - timedelta(hours=3)
    cb = _Writer("demo-callback", base)
    cb.answer("greet")
    cb.user("Ich heiße Mara Beispiel und möchte zurückgerufen werden, meine Nummer ist 0171 3920042", "request_callback", 0.88)
    cb.loop("callback_form")
    cb.slot("callback_phone", "+491713920042")
    cb.slot("first_name", "Mara")
    cb.bot("action_submit_callback", "Danke, Mara. Wir rufen Sie unter 0171 3920042 an. Ihr Code: K7M-4PX.")
    cb.loop(None)
    fb = _Writer("demo-fallback", base + timedelta(minutes=20))
    fb.answer("greet")
    fb.user("wie krieg ich das mit dem kinderzuschlag und dem ding vom amt hin", "nlu_fallback", 0.25,
            [("nlu_fallback", 0.25), ("ask_kinderzuschlag", 0.21), ("ask_regelbedarf", 0.12)])
    fallback_mid = fb.bot("utter_default", ANSWERS["nlu_fallback"][1])
    hostile = _Writer("demo-hostile", base + timedelta(minutes=40))
    hostile.user('<script>alert("x")</script> <img src=x onerror=alert(1)> Kita?', "ask_kita_kosten", 0.61)
    hostile.bot(*ANSWERS["ask_kita_kosten"])
    tg = _Writer("demo-telegram", base + timedelta(minutes=60), channel="telegram")
    tg.answer("request_human")
    tg.answer("thank")
    writers += [cb, fb, hostile, tg]
    _write(tracker, writers)
    window = (now + timedelta(hours=2)).replace(minute=0, second=0, microsecond=0)
    store.book(Booking("jc_borken", "borken", window.isoformat(timespec="minutes"), window, window + timedelta(hours=2),
                       "+491713920042", topic="Kinderbetreuung", first_name="Mara"), idempotency_key="demo-callback#cb", now=base)
    late = (now - timedelta(hours=5)).replace(minute=0, second=0, microsecond=0)
    store.book(Booking("jc_borken", "borken", late.isoformat(timespec="minutes"), late, late + timedelta(hours=2),
                       "+491713920043", topic="Umschulung", first_name="Jonas"), idempotency_key="demo-telegram#cb", now=base)
    for sender, mid, rating in ratings:
        feedback.record(app, sender, mid, rating, now=now - timedelta(days=1))
    feedback.record(app, "demo-fallback", fallback_mid, "down", now=base)
    return DemoConversations("demo-callback", "demo-fallback", "demo-hostile", "demo-telegram")
