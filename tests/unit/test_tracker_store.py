"""Lotse's SQL tracker store with its tracker cache: several instances share one database (SQLite
and real PostgreSQL) and every event is stored exactly once, also across conversation sessions."""
from __future__ import annotations

import asyncio
import json
from urllib.parse import urlsplit

import sqlalchemy as sa
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SessionStarted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from lotse.rasa_server.tracker_store import SENDER_ID_INDEX, TIMESTAMP_INDEX, LotseSQLTrackerStore
from tests.conftest import run_together

DOMAIN = Domain.from_yaml("version: '3.1'\nintents: [greet]\nresponses:\n  utter_greet:\n  - text: hi\n")


def open_store(url: str) -> LotseSQLTrackerStore:
    if url.startswith("sqlite:///"):
        return LotseSQLTrackerStore(domain=DOMAIN, dialect="sqlite", db=url.removeprefix("sqlite:///"))
    parts = urlsplit(url)
    return LotseSQLTrackerStore(
        domain=DOMAIN, dialect="postgresql", host=f"{parts.hostname}:{parts.port}", db=parts.path.lstrip("/"),
        username=parts.username,
    )


def start_session(tracker: DialogueStateTracker) -> None:
    """As Rasa 3.6 logs a session start: two events stamped before `session_started`, which
    Rasa's database query for the latest session therefore leaves out."""
    tracker.update(SlotSet("session_started_metadata", None))
    tracker.update(ActionExecuted("action_session_start"))
    tracker.update(SessionStarted())
    tracker.update(ActionExecuted("action_listen"))


def turn(tracker: DialogueStateTracker, text: str) -> None:
    tracker.update(UserUttered(text, {"name": "greet", "confidence": 1.0}))
    tracker.update(ActionExecuted("utter_greet"))
    tracker.update(BotUttered(f"re: {text}"))
    tracker.update(ActionExecuted("action_listen"))


def stored_user_texts(store: LotseSQLTrackerStore, sender: str) -> list[str]:
    with store.engine.connect() as conn:
        rows = conn.execute(
            sa.text("SELECT data FROM events WHERE sender_id = :s AND type_name = 'user' ORDER BY id"), {"s": sender}
        )
        return [json.loads(row.data)["text"] for row in rows]


def stored_rows(store: LotseSQLTrackerStore, sender: str) -> list[str]:
    with store.engine.connect() as conn:
        return [r.data for r in conn.execute(sa.text("SELECT data FROM events WHERE sender_id = :s ORDER BY id"), {"s": sender})]


def test_turns_alternating_between_two_instances_store_every_event_once(db_url):
    first, second = open_store(db_url), open_store(db_url)

    async def conversation() -> None:
        tracker = DialogueStateTracker("alternating", DOMAIN.slots)
        start_session(tracker)
        turn(tracker, "m0")
        await first.save(tracker)
        for n in range(1, 8):
            instance = second if n % 2 else first
            tracker = await instance.retrieve("alternating")
            turn(tracker, f"m{n}")
            await instance.save(tracker)

    asyncio.run(conversation())
    assert stored_user_texts(first, "alternating") == [f"m{n}" for n in range(8)]
    rows = stored_rows(first, "alternating")
    assert len(rows) == len(set(rows)) == 4 + 8 * 4


def test_turns_served_from_the_cache_store_every_event_once(db_url):
    store = open_store(db_url)

    async def conversation() -> None:
        tracker = DialogueStateTracker("cached", DOMAIN.slots)
        start_session(tracker)
        turn(tracker, "m0")
        await store.save(tracker)
        for n in range(1, 6):
            tracker = await store.retrieve("cached")
            turn(tracker, f"m{n}")
            await store.save(tracker)

    asyncio.run(conversation())
    rows = stored_rows(store, "cached")
    assert len(rows) == len(set(rows)) == 4 + 6 * 4
    assert stored_user_texts(store, "cached") == [f"m{n}" for n in range(6)]


def test_a_new_session_after_expiry_does_not_store_the_old_session_again(db_url):
    store = open_store(db_url)

    async def conversation() -> None:
        tracker = DialogueStateTracker("returning", DOMAIN.slots)
        start_session(tracker)
        turn(tracker, "first visit")
        await store.save(tracker)
        tracker = await store.retrieve("returning")
        start_session(tracker)  # the user comes back after the session expired
        turn(tracker, "second visit")
        await store.save(tracker)
        for text in ["later 1", "later 2"]:
            tracker = await store.retrieve("returning")
            turn(tracker, text)
            await store.save(tracker)

    asyncio.run(conversation())
    rows = stored_rows(store, "returning")
    assert len(rows) == len(set(rows)) == 2 * 4 + 4 * 4
    assert stored_user_texts(store, "returning") == ["first visit", "second visit", "later 1", "later 2"]


def test_an_erased_conversation_is_not_served_from_the_cache(db_url):
    store = open_store(db_url)

    async def conversation() -> DialogueStateTracker | None:
        tracker = DialogueStateTracker("erased", DOMAIN.slots)
        start_session(tracker)
        turn(tracker, "please forget me")
        await store.save(tracker)
        with store.engine.begin() as conn:
            conn.execute(sa.text("DELETE FROM events WHERE sender_id = 'erased'"))
        return await store.retrieve("erased")

    assert asyncio.run(conversation()) is None


def test_instances_starting_together_on_an_empty_database_create_the_indexes_once(db_url):
    outcomes = run_together(lambda: open_store(db_url), 3)
    assert outcomes == ["ok"] * 3
    engine = sa.create_engine(db_url)
    indexes = {i["name"]: i["column_names"] for i in sa.inspect(engine).get_indexes("events")}
    engine.dispose()
    assert indexes[TIMESTAMP_INDEX] == ["timestamp"]
    assert indexes[SENDER_ID_INDEX] == ["sender_id", "id"]
