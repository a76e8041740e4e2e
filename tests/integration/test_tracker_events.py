"""On the real stack (one Rasa instance, SQLite): a conversation's events are stored exactly once,
also for the turns served from the tracker cache (lotse/rasa_server/tracker_store.py)."""
from __future__ import annotations

import sqlite3
from collections import Counter


def test_every_event_of_a_conversation_is_stored_once(stack, chat):
    for message in ["Hallo", "Wie komme ich an einen Bildungsgutschein?", "Lohnt sich ein Minijob?", "danke"]:
        chat.text(message)
    with sqlite3.connect(stack.settings.tracker_db) as db:
        rows = [r[0] for r in db.execute("SELECT data FROM events WHERE sender_id = ? ORDER BY id", (chat.sender,))]
        users = db.execute("SELECT COUNT(*) FROM events WHERE sender_id = ? AND type_name = 'user'", (chat.sender,)).fetchone()[0]
    doubled = {row[:80]: n for row, n in Counter(rows).items() if n > 1}
    assert not doubled, f"events stored more than once: {doubled}"
    assert users == 4
