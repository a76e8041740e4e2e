"""Erase one conversation everywhere: tracker events, callbacks (with their seats, staff
notifications, notes and status history), feedback and the staff console's reviews, tags, notes
and NLU corrections. Used by the widget's "Verlauf löschen" and the staff console.
The console's audit log holds only pseudonyms, so it keeps no trace of the conversation.

Rasa's tracker cache (lotse.rasa_server.tracker_store) checks the newest event id on every message, so an
erased conversation is not served from memory afterwards.
"""
from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from lotse.callbacks.store import normalise_reference
from lotse.database.console_schema import CALLBACK_TABLES, CONVERSATION_TABLES
from lotse.database.schema import callbacks, feedback, outbox, window_seats

TRACKER_EVENTS_TABLE = "events"


@dataclass(frozen=True)
class ErasureReport:
    conversation_id: str
    tracker_events: int
    callbacks: int
    outbox_events: int
    feedback: int
    console_rows: int = 0

    @property
    def total(self) -> int:
        return self.tracker_events + self.callbacks + self.outbox_events + self.feedback + self.console_rows


def conversation_for_reference(app_engine: Engine, reference: str) -> str | None:
    """The conversation a callback reference code (e.g. "K7M-3XA") belongs to."""
    code = normalise_reference(reference)
    if code is None:
        return None
    with app_engine.connect() as conn:
        return conn.execute(sa.select(callbacks.c.conversation_id).where(callbacks.c.reference == code)).scalar()


def tracker_events_table(tracker_engine: Engine) -> sa.Table | None:
    """Rasa's `events` table, or None before Rasa first started."""
    if not sa.inspect(tracker_engine).has_table(TRACKER_EVENTS_TABLE):
        return None  # Rasa creates the table at its first start
    return sa.Table(TRACKER_EVENTS_TABLE, sa.MetaData(), autoload_with=tracker_engine)


def erase_conversation(app_engine: Engine, tracker_engine: Engine, conversation_id: str) -> ErasureReport:
    with app_engine.begin() as conn:
        rows = conn.execute(
            sa.select(callbacks.c.id, callbacks.c.reference).where(callbacks.c.conversation_id == conversation_id)
        ).all()
        ids = [row.id for row in rows]
        references = [row.reference for row in rows]
        outbox_deleted = conn.execute(sa.delete(outbox).where(outbox.c.callback_reference.in_(references))).rowcount if references else 0
        console_deleted = 0
        if ids:
            conn.execute(sa.delete(window_seats).where(window_seats.c.callback_id.in_(ids)))
            for table in CALLBACK_TABLES:
                console_deleted += conn.execute(sa.delete(table).where(table.c.callback_id.in_(ids))).rowcount
        for table in CONVERSATION_TABLES:
            console_deleted += conn.execute(sa.delete(table).where(table.c.conversation_id == conversation_id)).rowcount
        callbacks_deleted = conn.execute(sa.delete(callbacks).where(callbacks.c.id.in_(ids))).rowcount if ids else 0
        feedback_deleted = conn.execute(sa.delete(feedback).where(feedback.c.conversation_id == conversation_id)).rowcount
    events = tracker_events_table(tracker_engine)
    events_deleted = 0
    if events is not None:
        with tracker_engine.begin() as conn:
            events_deleted = conn.execute(sa.delete(events).where(events.c.sender_id == conversation_id)).rowcount
    return ErasureReport(conversation_id, events_deleted, callbacks_deleted, outbox_deleted, feedback_deleted, console_deleted)
