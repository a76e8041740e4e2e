"""Erasing one conversation removes it from every table and leaves other conversations alone."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import sqlalchemy as sa

from lotse.callbacks.store import Booking, CallbackStore
from lotse.database.schema import callbacks, outbox, window_seats
from lotse.privacy.erasure import conversation_for_reference, erase_conversation
from lotse.widget import feedback

START = datetime(2026, 11, 26, 13, 0, tzinfo=timezone.utc)


def _tracker_with_events(url: str, senders: list[str]) -> sa.engine.Engine:
    """A table shaped like Rasa's SQL tracker store `events` table."""
    engine = sa.create_engine(url, future=True)
    meta = sa.MetaData()
    events = sa.Table(
        "events",
        meta,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("sender_id", sa.String(255), index=True),
        sa.Column("type_name", sa.String(255)),
        sa.Column("timestamp", sa.Float),
        sa.Column("data", sa.Text),
    )
    meta.create_all(engine)
    with engine.begin() as conn:
        for sender in senders:
            conn.execute(sa.insert(events), [{"sender_id": sender, "type_name": "user", "timestamp": 1.0, "data": "{}"}] * 3)
    return engine


def _book(store: CallbackStore, conversation: str, key: str):
    booking = Booking("jc_borken", "borken", key, START, START + timedelta(hours=2), "+491712345678", topic="Kita")
    return store.book(booking, idempotency_key=f"{conversation}#{key}", now=START - timedelta(days=1))


def _rows(engine, table, **where) -> int:
    query = sa.select(sa.func.count()).select_from(table)
    for column, value in where.items():
        query = query.where(table.c[column] == value)
    with engine.connect() as conn:
        return conn.execute(query).scalar_one()


def test_erasure_removes_everything_of_one_conversation(db_url):
    store = CallbackStore.open(db_url, capacity=3)
    tracker = _tracker_with_events(db_url, ["erase-me", "keep-me"])
    mine = _book(store, "erase-me", "2026-11-26T14:00")
    _book(store, "keep-me", "2026-11-26T14:00")
    feedback.record(store.engine, "erase-me", "msg-1", "down")
    feedback.record(store.engine, "keep-me", "msg-1", "up")

    assert conversation_for_reference(store.engine, mine.reference.lower()) == "erase-me"
    report = erase_conversation(store.engine, tracker, "erase-me")

    assert (report.tracker_events, report.callbacks, report.feedback) == (3, 1, 1)
    assert report.outbox_events >= 1
    assert _rows(store.engine, callbacks, conversation_id="erase-me") == 0
    assert _rows(store.engine, outbox, callback_reference=mine.reference) == 0
    assert _rows(store.engine, window_seats) == 1  # only the other conversation's seat
    assert feedback.ratings_for(store.engine, "erase-me") == {}
    events = sa.Table("events", sa.MetaData(), autoload_with=tracker)
    assert _rows(tracker, events, sender_id="erase-me") == 0
    # the other conversation is untouched
    assert _rows(tracker, events, sender_id="keep-me") == 3
    assert _rows(store.engine, callbacks, conversation_id="keep-me") == 1
    assert feedback.ratings_for(store.engine, "keep-me") == {"msg-1": "up"}


def test_erasure_before_rasa_ever_started(db_url, tmp_path):
    store = CallbackStore.open(db_url, capacity=3)
    empty_tracker = sa.create_engine(f"sqlite:///{tmp_path / 'tracker.db'}", future=True)
    assert erase_conversation(store.engine, empty_tracker, "nobody").total == 0


def test_feedback_rating_again_replaces_and_bad_input_is_refused(db_url):
    store = CallbackStore.open(db_url, capacity=3)
    feedback.record(store.engine, "c1", "m1", "up")
    feedback.record(store.engine, "c1", "m1", "down")
    assert feedback.ratings_for(store.engine, "c1") == {"m1": "down"}
    for bad in [("", "m1", "up"), ("c1", "m1", "meh"), ("c1", "x" * 65, "up"), (None, "m1", "up")]:
        assert not feedback.is_valid(*bad)


def _cells_mentioning(engine, needles: list[str]) -> list[tuple[str, str]]:
    """Every (table, cell) in the database that contains one of the needles."""
    found = []
    meta = sa.MetaData()
    meta.reflect(engine)
    with engine.connect() as conn:
        for table in meta.sorted_tables:
            for row in conn.execute(sa.select(table)):
                for value in row:
                    if any(needle in str(value) for needle in needles):
                        found.append((table.name, str(value)[:80]))
    return found


def test_after_erasure_nothing_of_the_conversation_remains_in_any_table(db_url):
    from lotse.console import audit, corrections, queue, review
    from lotse.console.masking import pseudonym
    from lotse.console.transcripts import events_table
    from tests.console.demo import ensure_events_table

    store = CallbackStore.open(db_url, capacity=3)
    tracker = sa.create_engine(db_url, future=True)
    ensure_events_table(tracker)
    secret_text = "Ich heiße Zora, Nummer 0171 3920099"
    with tracker.begin() as conn:
        for sender in ("erase-me", "keep-me"):
            conn.execute(sa.insert(events_table), [
                {"sender_id": sender, "type_name": "user", "timestamp": 1.0, "intent_name": "request_callback", "action_name": None,
                 "data": '{"event": "user", "text": "%s"}' % secret_text},
                {"sender_id": sender, "type_name": "slot", "timestamp": 2.0, "intent_name": None, "action_name": "callback_phone",
                 "data": '{"event": "slot", "name": "callback_phone", "value": "+491713920099"}'},
            ])
    booking = Booking("jc_borken", "borken", "w1", START, START + timedelta(hours=2), "+491713920099", topic="Kita", first_name="Zora")
    mine = store.book(booking, idempotency_key="erase-me#1", now=START - timedelta(days=1))
    other = store.book(booking, idempotency_key="keep-me#1", now=START - timedelta(days=1))
    now = START
    feedback.record(store.engine, "erase-me", "m1", "down")
    review.add_tag(store.engine, "erase-me", "unklar", "r", now)
    review.add_note(store.engine, "erase-me", "prüfen", "r", now)
    review.set_reviewed(store.engine, "erase-me", True, "r", now)
    corrections.propose(store.engine, "erase-me", 1, secret_text, "greet", "request_callback", {"request_callback"}, "r", ("Zora",))
    queue.set_status(store.engine, mine.reference, "in_progress", "agent", now)
    queue.add_note(store.engine, mine.reference, "AB", "agent", now)
    alias = pseudonym(b"k", "erase-me")
    audit.record(store.engine, "r", "transcript_view", alias, now=now)

    report = erase_conversation(store.engine, tracker, "erase-me")

    assert report.console_rows == 6  # tag, note, review, correction, callback note, status change
    assert _cells_mentioning(store.engine, ["erase-me", mine.reference]) == []
    # what is left of the phone number and name belongs to the other conversation only
    leftovers = {table for table, _ in _cells_mentioning(store.engine, ["3920099", "Zora"])}
    assert leftovers == {"events", "callbacks"}
    assert _rows(store.engine, callbacks, conversation_id="keep-me") == 1 and queue.get(store.engine, other.reference)
    assert [e.target for e in audit.entries(store.engine)] == [alias]  # the audit log keeps only the pseudonym
