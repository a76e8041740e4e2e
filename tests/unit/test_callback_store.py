"""The callback database on real SQLite and real PostgreSQL: idempotency, capacity, outbox, purge."""
from __future__ import annotations

import threading
from datetime import datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

from lotse.callbacks.outbox import due_events
from lotse.callbacks.store import (
    Booking,
    CallbackStore,
    NotFound,
    StoreUnavailable,
    WindowFull,
    normalise_reference,
)
from lotse.database.engine import make_engine
from lotse.database.schema import callbacks, outbox, window_seats

START = datetime(2026, 11, 26, 13, 0, tzinfo=timezone.utc)


def booking(window_key: str = "2026-11-26T14:00", phone: str = "+491712345678") -> Booking:
    return Booking("jc_borken", "borken", window_key, START, START + timedelta(hours=2), phone, topic="Kita")


def count(store: CallbackStore, table) -> int:
    with store.engine.connect() as conn:
        return conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()


def test_duplicate_delivery_creates_one_callback(db_url):
    store = CallbackStore.open(db_url, capacity=3)
    first = store.book(booking(), "conv-1#msg-1")
    again = store.book(booking(), "conv-1#msg-1")
    assert first.created and not again.created
    assert again.reference == first.reference
    assert count(store, callbacks) == 1 and count(store, outbox) == 1


def test_concurrent_duplicates_create_one_callback(db_url):
    store = CallbackStore.open(db_url, capacity=3)
    results, errors = [], []

    def go():
        try:
            results.append(store.book(booking(), "conv-dup#msg-1"))
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=go) for _ in range(6)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    assert not errors
    assert len({r.reference for r in results}) == 1
    assert count(store, callbacks) == 1 and count(store, window_seats) == 1


def test_concurrent_bookings_of_the_last_seat(db_url):
    store = CallbackStore.open(db_url, capacity=2)
    store.book(booking(phone="+491711111111"), "early#1")  # one seat left
    barrier = threading.Barrier(8)
    won, full, errors = [], [], []

    def go(i: int):
        barrier.wait()
        try:
            won.append(store.book(booking(phone=f"+4917122222{i:02d}"), f"racer-{i}#1"))
        except WindowFull:
            full.append(i)
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=go, args=(i,)) for i in range(8)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    assert not errors
    assert len(won) == 1 and len(full) == 7
    assert count(store, callbacks) == 2 and count(store, window_seats) == 2


def test_cancel_frees_the_seat_and_notifies(db_url):
    store = CallbackStore.open(db_url, capacity=1)
    first = store.book(booking(), "a#1")
    with pytest.raises(WindowFull):
        store.book(booking(phone="+491713333333"), "b#1")
    cancelled = store.cancel(first.reference)
    assert cancelled.status == "cancelled"
    second = store.book(booking(phone="+491713333333"), "b#2")
    assert second.created
    with pytest.raises(NotFound):
        store.cancel(first.reference)
    events = [e.event_type for e in due_events(store.engine, datetime.now(timezone.utc) + timedelta(seconds=1))]
    assert events == ["callback.created", "callback.cancelled", "callback.created"]


def test_change_moves_the_seat(db_url):
    store = CallbackStore.open(db_url, capacity=1)
    first = store.book(booking(), "a#1")
    changed = store.change_window(first.reference, "2026-11-26T16:00", START + timedelta(hours=2), START + timedelta(hours=4))
    assert changed.window_key == "2026-11-26T16:00"
    assert store.book(booking(), "b#1").created  # the old window is free again
    with pytest.raises(WindowFull):
        store.change_window(first.reference, "2026-11-26T14:00", START, START + timedelta(hours=2))


def test_purge_deletes_old_phone_numbers_only(db_url):
    store = CallbackStore.open(db_url, capacity=3)
    old = store.book(booking(), "a#1")
    store.cancel(old.reference, now=datetime(2026, 11, 1, tzinfo=timezone.utc))
    recent = store.book(booking(phone="+491714444444"), "b#1")
    purged = store.purge_phone_numbers(retention_days=30, now=datetime(2026, 12, 15, tzinfo=timezone.utc))
    assert purged == 1
    assert store.find(old.reference).phone_e164 is None
    assert store.find(recent.reference).phone_e164 == "+491714444444"


def test_reference_codes_are_unambiguous_and_found_in_text():
    from lotse.callbacks.store import new_reference

    codes = {new_reference() for _ in range(200)}
    assert len(codes) == 200
    for code in codes:
        assert not set(code.replace("-", "")) & set("0O1IL2Z5S8B")
        assert normalise_reference(f"Mein Code ist {code.lower().replace('-', ' ')}") == code
    assert normalise_reference("MUTTER und KINDER") is None


def test_an_unreachable_database_is_reported_as_unavailable_by_every_operation_the_actions_use():
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # nobody listens here
    store = CallbackStore(make_engine(f"postgresql://lotse@127.0.0.1:{port}/lotse"), 3)
    operations = {
        "seats_taken": lambda: store.seats_taken("jc_borken", ["2026-11-26T14:00"]),
        "find": lambda: store.find("HHH-777"),
        "book": lambda: store.book(booking(), "conv-1#msg-1"),
        "cancel": lambda: store.cancel("HHH-777"),
        "change_window": lambda: store.change_window("HHH-777", "2026-11-27T14:00", START, START + timedelta(hours=2)),
    }
    for operation in operations.values():
        with pytest.raises(StoreUnavailable):
            operation()
