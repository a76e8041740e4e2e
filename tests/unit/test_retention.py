"""The retention purge deletes what is older than the retention period, and nothing newer."""
from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

from lotse.callbacks.store import Booking, CallbackStore
from lotse.console import audit, review
from lotse.console.transcripts import events_table
from lotse.database.console_schema import callback_history, transcript_notes, transcript_tags
from lotse.database.engine import make_engine
from lotse.database.schema import callbacks
from lotse.privacy.retention import cutoff_for, purge
from lotse.runner import cli
from lotse.widget import feedback
from tests.console.demo import ensure_events_table

NOW = datetime(2026, 11, 24, 12, tzinfo=timezone.utc)


def _event(sender: str, when: datetime) -> dict:
    return {"sender_id": sender, "type_name": "user", "timestamp": when.timestamp(), "intent_name": "greet",
            "data": json.dumps({"event": "user", "text": "Hallo"})}


def _count(engine, table, *where) -> int:
    with engine.connect() as conn:
        return conn.execute(sa.select(sa.func.count()).select_from(table).where(*where)).scalar_one()


def _book(store: CallbackStore, key: str, start: datetime):
    booking = Booking("jc_borken", "borken", key, start, start + timedelta(hours=2), "+491713920042")
    return store.book(booking, idempotency_key=f"{key}#1", now=start - timedelta(days=1))


def test_purge_deletes_old_data_everywhere_and_keeps_recent_data(db_url):
    store = CallbackStore.open(db_url, capacity=3)
    app, tracker = store.engine, sa.create_engine(db_url, future=True)
    ensure_events_table(tracker)
    old, recent = NOW - timedelta(days=100), NOW - timedelta(days=10)
    with tracker.begin() as conn:
        conn.execute(sa.insert(events_table), [_event("old", old), _event("old", old), _event("new", recent), _event("mixed", old),
                                               _event("mixed", recent)])
    closed_long_ago = _book(store, "old", old)
    store.cancel(closed_long_ago.reference, now=old + timedelta(hours=1))
    open_recent = _book(store, "new", NOW + timedelta(days=1))
    feedback.record(app, "old", "m1", "down", now=old)
    feedback.record(app, "new", "m1", "up", now=recent)
    review.add_tag(app, "old", "unklar", "r", old)
    review.add_note(app, "new", "bleibt", "r", recent)
    review.add_tag(app, "gone", "verwaist", "r", recent)  # its conversation has no events any more
    audit.record(app, "r", "transcript_view", "abc", now=old)

    report = purge(app, tracker, days=90, now=NOW)

    assert (report.tracker_events, report.callbacks, report.feedback) == (3, 1, 1)
    assert report.console_rows == 2 and report.cutoff == NOW - timedelta(days=90)
    with tracker.connect() as conn:
        assert sorted(r[0] for r in conn.execute(sa.select(events_table.c.sender_id))) == ["mixed", "new"]
    assert _count(app, callbacks) == 1 and store.find(open_recent.reference) is not None
    assert _count(app, callback_history) == 0
    assert feedback.ratings_for(app, "new") == {"m1": "up"} and feedback.ratings_for(app, "old") == {}
    assert _count(app, transcript_tags) == 0 and _count(app, transcript_notes) == 1
    assert len(audit.entries(app)) == 1  # the audit log is not part of the purge
    assert purge(app, tracker, days=90, now=NOW).total == 0  # nothing left to do


def test_purge_before_rasa_ever_started_and_with_a_bad_period(db_url, tmp_path):
    store = CallbackStore.open(db_url, capacity=3)
    empty = sa.create_engine(f"sqlite:///{tmp_path / 'tracker.db'}", future=True)
    assert purge(store.engine, empty, days=90, now=NOW).total == 0
    with pytest.raises(ValueError):
        cutoff_for(0, NOW)


def test_purge_command_uses_the_configured_databases(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("LOTSE_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("LOTSE_CALLBACK_DB_URL", raising=False)
    monkeypatch.delenv("LOTSE_TRACKER_DB", raising=False)
    tracker = make_engine(f"sqlite:///{tmp_path / 'tracker.db'}")
    ensure_events_table(tracker)
    now = datetime.now(timezone.utc)
    with tracker.begin() as conn:
        conn.execute(sa.insert(events_table), [_event("old", now - timedelta(days=40)), _event("new", now - timedelta(days=5))])
    assert cli.main(["purge", "--days", "30"]) == 0
    assert "1 tracker events" in capsys.readouterr().out
    with tracker.connect() as conn:
        assert [r[0] for r in conn.execute(sa.select(events_table.c.sender_id))] == ["new"]
    assert cli.main(["purge", "--days", "0"]) == 2
