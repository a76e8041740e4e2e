"""Several action servers (and the worker) opening the callback database at the same moment:
each migrates it safely and a booking retried on another instance still gives one callback."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import sqlalchemy as sa

from lotse.callbacks.store import Booking, CallbackStore
from lotse.database.schema import callbacks
from tests.conftest import run_together


def test_instances_starting_together_migrate_the_database_once(db_url):
    outcomes = run_together(lambda: CallbackStore.open(db_url, capacity=3, pool_size=1, max_overflow=1), 4)
    assert outcomes == ["ok"] * 4
    engine = sa.create_engine(db_url)
    with engine.connect() as conn:
        versions = conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalars().all()
    engine.dispose()
    assert len(versions) == 1


def test_a_confirmation_retried_on_the_other_instance_books_one_callback(db_url):
    first = CallbackStore.open(db_url, capacity=3, pool_size=1, max_overflow=1)
    second = CallbackStore.open(db_url, capacity=3, pool_size=1, max_overflow=1)
    start = datetime.now(timezone.utc) + timedelta(days=1)
    booking = Booking("jc_borken", "Borken", "2030-01-07-am", start, start + timedelta(hours=2), "+491712345678")
    a = first.book(booking, idempotency_key="conv-9#msg-3")
    b = second.book(booking, idempotency_key="conv-9#msg-3")
    assert a.reference == b.reference and a.created and not b.created
    with first.engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(callbacks)).scalar() == 1


def test_a_confirmation_sent_again_after_a_lost_answer_returns_the_same_callback(db_url):
    """The instance that booked died before saving the turn; the user sends "Ja" again (a new message)."""
    store = CallbackStore.open(db_url, capacity=3, pool_size=1, max_overflow=1)
    start = datetime.now(timezone.utc) + timedelta(days=1)
    booking = Booking("jc_velen", "velen", "2030-01-08-am", start, start + timedelta(hours=2), "+491712345678")
    first = store.book(booking, idempotency_key="conv-7#msg-5")
    again = store.book(booking, idempotency_key="conv-7#msg-6")
    other_window = Booking("jc_velen", "velen", "2030-01-09-am", start, start + timedelta(hours=2), "+491712345678")
    second = store.book(other_window, idempotency_key="conv-7#msg-9")
    other_conversation = store.book(booking, idempotency_key="conv-8#msg-1")
    assert again.reference == first.reference and not again.created
    assert second.created and second.reference != first.reference
    assert other_conversation.created
    store.cancel(first.reference)
    rebooked = store.book(booking, idempotency_key="conv-7#msg-12")
    assert rebooked.created and rebooked.reference != first.reference
