"""Retention purge: delete what is older than the retention period (LOTSE_RETENTION_DAYS, default 90).

- tracker events older than the cutoff (Rasa only replays the current session, and sessions
  expire after an hour, so only long-finished sessions are touched);
- callbacks closed before the cutoff, or whose time window ended before it, with their seats,
  staff notifications, notes and status history;
- feedback given before the cutoff;
- the staff console's reviews, tags, notes and NLU corrections created before the cutoff, and
  any of them whose conversation no longer has events.

The console's audit log is not purged here: it holds no conversation data (only pseudonyms)
and is append-only by design (docs/console.md).

Runs daily in the worker and on demand: `python -m lotse.runner.cli purge --days 90`.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from lotse.database.console_schema import (
    CALLBACK_TABLES,
    nlu_corrections,
    transcript_notes,
    transcript_reviews,
    transcript_tags,
)
from lotse.database.schema import callbacks, feedback, outbox, window_seats
from lotse.privacy.erasure import tracker_events_table

CONSOLE_CREATED = (
    (transcript_reviews, transcript_reviews.c.reviewed_at),
    (transcript_tags, transcript_tags.c.created_at),
    (transcript_notes, transcript_notes.c.created_at),
    (nlu_corrections, nlu_corrections.c.created_at),
)


@dataclass(frozen=True)
class PurgeReport:
    cutoff: datetime
    tracker_events: int
    callbacks: int
    feedback: int
    console_rows: int

    @property
    def total(self) -> int:
        return self.tracker_events + self.callbacks + self.feedback + self.console_rows


def cutoff_for(days: int, now: datetime) -> datetime:
    if days < 1:
        raise ValueError("retention must be at least one day")
    return now - timedelta(days=days)


def _purge_callbacks(conn: Connection, cutoff: datetime) -> int:
    old = sa.or_(sa.and_(callbacks.c.closed_at.is_not(None), callbacks.c.closed_at < cutoff), callbacks.c.window_end < cutoff)
    rows = conn.execute(sa.select(callbacks.c.id, callbacks.c.reference).where(old)).all()
    if not rows:
        return 0
    ids = [r.id for r in rows]
    conn.execute(sa.delete(outbox).where(outbox.c.callback_reference.in_([r.reference for r in rows])))
    conn.execute(sa.delete(window_seats).where(window_seats.c.callback_id.in_(ids)))
    for table in CALLBACK_TABLES:
        conn.execute(sa.delete(table).where(table.c.callback_id.in_(ids)))
    return conn.execute(sa.delete(callbacks).where(callbacks.c.id.in_(ids))).rowcount


def _purge_tracker(tracker_engine: Engine, cutoff: datetime) -> tuple[int, set[str] | None]:
    """Events older than the cutoff; returns the number deleted and the conversations still present."""
    events = tracker_events_table(tracker_engine)
    if events is None:
        return 0, None
    with tracker_engine.begin() as conn:
        deleted = conn.execute(sa.delete(events).where(events.c.timestamp < cutoff.timestamp())).rowcount
        remaining = {row[0] for row in conn.execute(sa.select(events.c.sender_id).distinct())}
    return deleted, remaining


def _purge_console(conn: Connection, cutoff: datetime, remaining: set[str] | None) -> int:
    deleted = 0
    for table, created in CONSOLE_CREATED:
        deleted += conn.execute(sa.delete(table).where(created < cutoff)).rowcount
        if remaining is not None:
            orphaned = {row[0] for row in conn.execute(sa.select(table.c.conversation_id).distinct())} - remaining
            for chunk in _chunks(sorted(orphaned), 500):
                deleted += conn.execute(sa.delete(table).where(table.c.conversation_id.in_(chunk))).rowcount
    return deleted


def _chunks(items: list[str], size: int) -> list[list[str]]:
    return [items[i : i + size] for i in range(0, len(items), size)]


def purge(app_engine: Engine, tracker_engine: Engine, days: int, now: datetime | None = None) -> PurgeReport:
    now = now or datetime.now(timezone.utc)
    cutoff = cutoff_for(days, now)
    events_deleted, remaining = _purge_tracker(tracker_engine, cutoff)
    with app_engine.begin() as conn:
        callbacks_deleted = _purge_callbacks(conn, cutoff)
        feedback_deleted = conn.execute(sa.delete(feedback).where(feedback.c.created_at < cutoff)).rowcount
        console_deleted = _purge_console(conn, cutoff, remaining)
    return PurgeReport(cutoff, events_deleted, callbacks_deleted, feedback_deleted, console_deleted)
