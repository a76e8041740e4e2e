"""The console's data access on real SQLite and PostgreSQL: accounts, sessions, audit log,
queue, corrections, transcripts read from the tracker table, dashboard figures."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import DBAPIError

from lotse.callbacks.store import Booking, CallbackStore
from lotse.console import audit, corrections, queue, review
from lotse.console.dashboard import figures
from lotse.console.sessions import create_session, load_session
from lotse.console.transcripts import TranscriptReader
from lotse.console.users import UserError, authenticate, create_user, update_user
from lotse.database.console_schema import console_audit
from lotse.database.engine import make_engine
from lotse.database.schema import window_seats
from tests.console.demo import seed_demo

NOW = datetime(2026, 11, 24, 12, tzinfo=timezone.utc)
PASSWORD = "Kita-Beitrag-Borken-7"
ZONE = ZoneInfo("Europe/Berlin")


@pytest.fixture
def engine(db_url):
    return CallbackStore.open(db_url, capacity=3).engine


def test_lockout_after_repeated_failures_even_for_the_right_password(engine):
    create_user(engine, "m.beispiel", PASSWORD, "reviewer", now=NOW)
    with pytest.raises(UserError):
        create_user(engine, "M.Beispiel", PASSWORD, "admin", now=NOW)
    for _ in range(2):
        assert authenticate(engine, "m.beispiel", "falsch-falsch-1", NOW, max_failed=3, lockout_minutes=15).problem == "invalid"
    assert authenticate(engine, "m.beispiel", "falsch-falsch-1", NOW, 3, 15).problem == "locked"
    assert authenticate(engine, "m.beispiel", PASSWORD, NOW + timedelta(minutes=5), 3, 15).problem == "locked"
    later = authenticate(engine, "m.beispiel", PASSWORD, NOW + timedelta(minutes=16), 3, 15)
    assert later.user is not None and later.user.role == "reviewer"
    assert authenticate(engine, "nobody", PASSWORD, NOW, 3, 15).problem == "invalid"


def test_sessions_end_after_the_idle_timeout_and_when_the_account_is_disabled(engine):
    admin = create_user(engine, "admin", PASSWORD, "admin", now=NOW)
    user = create_user(engine, "agent", PASSWORD, "callback_agent", ("jc_borken",), now=NOW)
    token, csrf = create_session(engine, user.id, NOW)
    idle = timedelta(minutes=30)
    session = load_session(engine, token, NOW + timedelta(minutes=29), idle)
    assert session is not None and session.csrf_token == csrf and session.user.offices == ("jc_borken",)
    assert load_session(engine, token, NOW + timedelta(minutes=58), idle) is not None  # activity restarted the clock
    assert load_session(engine, token, NOW + timedelta(minutes=89), idle) is None
    assert load_session(engine, token, NOW + timedelta(minutes=1), idle) is None  # gone for good
    token, _ = create_session(engine, user.id, NOW)
    update_user(engine, user.id, "callback_agent", (), active=False)
    assert load_session(engine, token, NOW, idle) is None
    with pytest.raises(UserError):  # the last admin cannot lock everyone out
        update_user(engine, admin.id, "reviewer", (), active=True)


def test_audit_log_is_append_only_in_the_database(engine):
    audit.record(engine, "admin", "reveal", "abc123", "Rückruf vorbereiten", now=NOW)
    assert [(e.action, e.detail) for e in audit.entries(engine)] == [("reveal", "Rückruf vorbereiten")]
    for statement in (sa.update(console_audit).values(detail="nichts"), sa.delete(console_audit)):
        with pytest.raises(DBAPIError):
            with engine.begin() as conn:
                conn.execute(statement)
    assert [e.detail for e in audit.entries(engine)] == ["Rückruf vorbereiten"]


def _book(engine, office: str, start: datetime, key: str):
    store = CallbackStore(engine, capacity=3)
    return store.book(Booking(office, "borken", start.isoformat(), start, start + timedelta(hours=2), "+491713920042", "Kita", "Mara"),
                      idempotency_key=f"{key}#1", now=NOW - timedelta(days=1))


def test_queue_per_office_by_due_time_with_status_history(engine):
    late = _book(engine, "jc_borken", NOW + timedelta(days=2), "c1")
    soon = _book(engine, "jc_borken", NOW - timedelta(hours=3), "c2")
    _book(engine, "jc_ahaus", NOW, "c3")
    items = queue.queue(engine, ["jc_borken"])
    assert [i.reference for i in items] == [soon.reference, late.reference]
    assert items[0].overdue(NOW) and not items[1].overdue(NOW)
    queue.set_status(engine, soon.reference, "not_reached", "agent", NOW)
    reached = queue.set_status(engine, soon.reference, "reached", "agent", NOW + timedelta(minutes=5))
    assert not reached.is_open and not reached.overdue(NOW)
    assert [i.reference for i in queue.queue(engine, ["jc_borken"])] == [late.reference]
    assert [i.reference for i in queue.queue(engine, ["jc_borken"], "closed")] == [soon.reference]
    assert [(h.from_status, h.to_status) for h in queue.history(engine, reached.id)] == [("new", "not_reached"), ("not_reached", "reached")]
    with engine.connect() as conn:  # closing freed the seat for someone else
        assert conn.execute(sa.select(sa.func.count()).select_from(window_seats)).scalar_one() == 2
    queue.add_note(engine, late.reference, "AB besprochen", "agent", NOW)
    assert [n.text for n in queue.notes(engine, queue.get(engine, late.reference).id)] == ["AB besprochen"]
    with pytest.raises(queue.QueueError):
        queue.set_status(engine, late.reference, "deleted", "agent", NOW)


def test_corrections_need_a_second_person_and_store_no_personal_data(engine):
    intents = {"request_callback", "greet"}
    proposed = corrections.propose(engine, "conv-1", 7, "Ruf mich an: 0171 3920042, Mara", "nlu_fallback", "request_callback",
                                   intents, "reviewer", names=("Mara",), now=NOW)
    assert "3920042" not in proposed.text and "Mara" not in proposed.text
    with pytest.raises(corrections.CorrectionError):
        corrections.propose(engine, "conv-1", 8, "hallo", "greet", "greet", intents, "reviewer")
    with pytest.raises(corrections.CorrectionError):
        corrections.propose(engine, "conv-1", 8, "hallo", "greet", "no_such_intent", intents, "reviewer")
    with pytest.raises(corrections.CorrectionError):
        corrections.decide(engine, proposed.id, True, "reviewer")
    assert corrections.decide(engine, proposed.id, True, "admin").state == "approved"
    with pytest.raises(corrections.CorrectionError):
        corrections.decide(engine, proposed.id, False, "admin2")
    assert "request_callback" in corrections.nlu_yaml(corrections.listing(engine, "approved"))


def test_transcripts_are_read_from_the_tracker_table(db_url):
    app = CallbackStore.open(db_url, capacity=5).engine
    tracker = make_engine(db_url)
    demo = seed_demo(app, tracker, NOW, conversations=12)
    reader = TranscriptReader(tracker, b"secret", 0.25)
    summaries = reader.summaries(NOW - timedelta(days=1), NOW + timedelta(hours=1), review.callback_names(app))
    by_id = {s.conversation_id: s for s in summaries}
    assert {demo.callback, demo.fallback, demo.hostile, demo.telegram} <= set(by_id)
    assert by_id[demo.fallback].fallback and by_id[demo.telegram].channel == "telegram"
    assert "3920042" not in by_id[demo.callback].user_text and "mara" not in by_id[demo.callback].user_text
    assert [s.ended for s in summaries] == sorted((s.ended for s in summaries), reverse=True)
    alias = TranscriptReader(tracker, b"secret", 0.25).pseudonym(demo.telegram)
    assert TranscriptReader(tracker, b"secret", 0.25).resolve(alias) == demo.telegram  # a fresh process finds it too
    assert reader.resolve("000000000000") is None
    notes = review.annotations(app)
    assert demo.fallback in notes.thumbs_down and demo.callback in notes.with_callback


def test_dashboard_counts_conversations_intents_ratings_and_callbacks(db_url):
    app = CallbackStore.open(db_url, capacity=5).engine
    tracker = make_engine(db_url)
    seed_demo(app, tracker, NOW, conversations=12)
    numbers = figures(app, tracker, NOW - timedelta(days=40), NOW + timedelta(days=1), ZONE)
    assert numbers.conversations == 16  # 12 generated + 4 named ones
    assert len(numbers.per_day) == 42 and numbers.per_day[0][1] == 0
    assert dict(numbers.top_intents)["greet"] >= 12
    assert 0 < numbers.fallback_rate < 1 and numbers.thumbs["down"] >= 1
    assert sum(sum(s.values()) for s in numbers.callbacks.values()) == 4  # two generated (every 6th) + two named
