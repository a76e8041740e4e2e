"""Callbacks in a SQL database (SQLite by default, PostgreSQL via URL) through SQLAlchemy.

Guarantees, enforced by the database and not only in Python:
- one callback per idempotency key: a retried or duplicated message creates one callback;
- at most `capacity` callbacks per office and window: each booking claims a numbered seat,
  and (office, window, seat) is unique, so two users cannot take the last seat;
- every change writes its staff notification into the outbox in the same transaction.
"""
from __future__ import annotations

import json
import re
import secrets
import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Iterator

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError, OperationalError

metadata = sa.MetaData()

callbacks = sa.Table(
    "callbacks",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("reference", sa.String(16), nullable=False, unique=True),
    sa.Column("idempotency_key", sa.String(200), nullable=False, unique=True),
    sa.Column("conversation_id", sa.String(255), nullable=False, index=True),
    sa.Column("office_id", sa.String(64), nullable=False),
    sa.Column("municipality", sa.String(64), nullable=False),
    sa.Column("topic", sa.String(200), nullable=True),
    sa.Column("phone_e164", sa.String(32), nullable=True),
    sa.Column("first_name", sa.String(100), nullable=True),
    sa.Column("language", sa.String(8), nullable=False, server_default="de"),
    sa.Column("window_key", sa.String(32), nullable=False),
    sa.Column("window_start", sa.DateTime(timezone=True), nullable=False, index=True),
    sa.Column("window_end", sa.DateTime(timezone=True), nullable=False),
    sa.Column("status", sa.String(20), nullable=False, server_default="new"),
    sa.Column("consent_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True, index=True),
    sa.Column("phone_purged_at", sa.DateTime(timezone=True), nullable=True),
)

window_seats = sa.Table(
    "window_seats",
    metadata,
    sa.Column("office_id", sa.String(64), primary_key=True),
    sa.Column("window_key", sa.String(32), primary_key=True),
    sa.Column("seat", sa.Integer, primary_key=True),
    sa.Column("callback_id", sa.Integer, sa.ForeignKey("callbacks.id", ondelete="CASCADE"), nullable=False, unique=True),
    sa.CheckConstraint("seat >= 1", name="ck_window_seats_seat_positive"),
)

outbox = sa.Table(
    "outbox",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("event_id", sa.String(64), nullable=False, unique=True),
    sa.Column("event_type", sa.String(40), nullable=False),
    sa.Column("callback_reference", sa.String(16), nullable=False, index=True),
    sa.Column("payload", sa.Text, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
    sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False, index=True),
    sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True, index=True),
    sa.Column("last_error", sa.String(200), nullable=True),
)

feedback = sa.Table(
    "feedback",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("conversation_id", sa.String(255), nullable=False, index=True),
    sa.Column("bot_message_id", sa.String(64), nullable=False),
    sa.Column("rating", sa.String(4), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, index=True),
    sa.UniqueConstraint("conversation_id", "bot_message_id", name="uq_feedback_message"),
    sa.CheckConstraint("rating in ('up', 'down')", name="ck_feedback_rating"),
)

# Widget sessions ended by "Verlauf löschen": their tokens must never be accepted again. A row can
# go once its token has expired.
widget_revoked_sessions = sa.Table(
    "widget_revoked_sessions",
    metadata,
    sa.Column("session_id", sa.String(64), primary_key=True),
    sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False, index=True),
)

REFERENCE_ALPHABET = "ACDEFHJKMNPRTUVWXY34679"  # no 0/O, 1/I/L, 2/Z, 5/S, 8/B
OPEN_STATUSES = ("new", "in_progress", "not_reached")
MIGRATIONS = Path(__file__).resolve().parents[1] / "database" / "migrations"


class WindowFull(Exception):
    """Every seat of the requested window is taken."""


class StoreUnavailable(Exception):
    """The callback database cannot be reached; nothing was written."""


class NotFound(Exception):
    """No open callback has this reference."""


@dataclass(frozen=True)
class Booking:
    office_id: str
    municipality: str
    window_key: str
    window_start: datetime
    window_end: datetime
    phone_e164: str
    topic: str | None = None
    first_name: str | None = None
    language: str = "de"


@dataclass(frozen=True)
class Callback:
    reference: str
    office_id: str
    municipality: str
    window_key: str
    window_start: datetime
    window_end: datetime
    status: str
    phone_e164: str | None
    topic: str | None
    first_name: str | None
    created: bool = False  # False when an idempotent retry returned the existing callback


def new_reference() -> str:
    """Six unambiguous characters with at least one digit, so no German word looks like a code."""
    while True:
        raw = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(6))
        if any(c.isdigit() for c in raw) and any(c.isalpha() for c in raw):
            return f"{raw[:3]}-{raw[3:]}"


def normalise_reference(text: str) -> str | None:
    """Find a reference code in free text: "k7m 4px", "K7M4PX" and "Code: K7M-4PX" all give "K7M-4PX"."""
    chars = f"[{REFERENCE_ALPHABET}]"
    for match in re.finditer(rf"(?<![A-Z0-9])({chars}{{3}})[\s-]?({chars}{{3}})(?![A-Z0-9])", text.upper()):
        code = match.group(1) + match.group(2)
        if any(c.isdigit() for c in code) and any(c.isalpha() for c in code):
            return f"{code[:3]}-{code[3:]}"
    return None


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def _as_utc(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


def create_store_engine(url: str, pool_size: int | None = None, max_overflow: int | None = None) -> Engine:
    """`pool_size`/`max_overflow` (PostgreSQL) come from Settings.db_pool when several instances share the database."""
    kwargs: dict[str, Any] = {"future": True, "pool_pre_ping": True}
    if not url.startswith("sqlite") and pool_size is not None:
        kwargs["pool_size"] = pool_size
        kwargs["max_overflow"] = max_overflow or 0
    if url.startswith("sqlite"):
        kwargs["connect_args"] = {"timeout": 15, "check_same_thread": False}
        # SQLAlchemy 1.4 opens a new SQLite connection per use by default; keep a few open.
        kwargs["poolclass"] = sa.pool.QueuePool
        kwargs["pool_size"] = 5
    engine = sa.create_engine(url, **kwargs)
    if url.startswith("sqlite"):
        @sa.event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record):  # noqa: ANN001
            dbapi_connection.isolation_level = None  # SQLAlchemy, not pysqlite, starts transactions
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA busy_timeout=15000")
            cursor.close()

        @sa.event.listens_for(engine, "begin")
        def _sqlite_begin_immediate(conn):  # noqa: ANN001
            # Take the write lock at BEGIN so concurrent bookings queue instead of failing.
            conn.exec_driver_sql("BEGIN IMMEDIATE")
    return engine


MIGRATION_LOCK_ID = 0x4C6F747365  # "Lotse": PostgreSQL advisory lock held while migrating


def migrate(url: str) -> None:
    """Bring the schema to the newest migration (idempotent). Processes that start together (several
    action servers, the worker) migrate one after another, so none fails on a half-made schema:
    PostgreSQL through an advisory lock, SQLite through a lock file next to the database."""
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    with _migration_lock(url):
        command.upgrade(config, "head")


@contextmanager
def _migration_lock(url: str) -> Iterator[None]:
    if url.startswith("sqlite:///"):
        import fcntl

        database = Path(url.removeprefix("sqlite:///"))
        database.parent.mkdir(parents=True, exist_ok=True)
        with open(database.with_name(database.name + ".migrate-lock"), "a") as lock_file:
            fcntl.flock(lock_file, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock_file, fcntl.LOCK_UN)
        return
    if not url.startswith("postgresql"):
        yield
        return
    engine = sa.create_engine(url, future=True, poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as conn:
            conn.execute(sa.text("SELECT pg_advisory_lock(:id)"), {"id": MIGRATION_LOCK_ID})
            try:
                yield
            finally:
                conn.execute(sa.text("SELECT pg_advisory_unlock(:id)"), {"id": MIGRATION_LOCK_ID})
    finally:
        engine.dispose()


def _row_to_callback(row: Any, created: bool = False) -> Callback:
    return Callback(
        reference=row.reference, office_id=row.office_id, municipality=row.municipality, window_key=row.window_key,
        window_start=_as_utc(row.window_start), window_end=_as_utc(row.window_end), status=row.status,
        phone_e164=row.phone_e164, topic=row.topic, first_name=row.first_name, created=created,
    )


def _event(conn: Connection, event_type: str, callback: Callback, now: datetime) -> None:
    payload = {
        "event": event_type,
        "reference": callback.reference,
        "office_id": callback.office_id,
        "municipality": callback.municipality,
        "window_start": callback.window_start.isoformat(),
        "window_end": callback.window_end.isoformat(),
        "topic": callback.topic,
        "status": callback.status,
    }
    conn.execute(
        outbox.insert().values(
            event_id=str(uuid.uuid4()), event_type=event_type, callback_reference=callback.reference,
            payload=json.dumps(payload, ensure_ascii=False), created_at=now, next_attempt_at=now,
        )
    )


def _release_open_callback(conn: Connection, reference: str) -> Any:
    """The open callback with this reference, its seat released (inside the caller's transaction)."""
    row = conn.execute(sa.select(callbacks).where(callbacks.c.reference == reference)).first()
    if not row or row.status not in OPEN_STATUSES:
        raise NotFound(reference)
    conn.execute(window_seats.delete().where(window_seats.c.callback_id == row.id))
    return row


class CallbackStore:
    def __init__(self, engine: Engine, capacity: int):
        self.engine = engine
        self.capacity = capacity

    @classmethod
    def open(cls, url: str, capacity: int, pool_size: int | None = None, max_overflow: int | None = None) -> "CallbackStore":
        try:
            migrate(url)
        except OperationalError as exc:
            raise StoreUnavailable(str(exc.orig)) from exc
        return cls(create_store_engine(url, pool_size, max_overflow), capacity)

    def _claim_seat(self, conn: Connection, office_id: str, window_key: str, callback_id: int) -> None:
        taken = {
            r.seat
            for r in conn.execute(
                sa.select(window_seats.c.seat).where(window_seats.c.office_id == office_id, window_seats.c.window_key == window_key)
            )
        }
        free = [s for s in range(1, self.capacity + 1) if s not in taken]
        if not free:
            raise WindowFull(window_key)
        # The primary key (office, window, seat) rejects a seat someone else took meanwhile.
        conn.execute(window_seats.insert().values(office_id=office_id, window_key=window_key, seat=free[0], callback_id=callback_id))

    def book(self, booking: Booking, idempotency_key: str, now: datetime | None = None) -> Callback:
        """One callback per idempotency key; and a confirmation sent again in the same conversation
        (its answer was lost, e.g. the Rasa instance died before saving the turn) returns the open
        callback with the same office, window and phone instead of booking a second one."""
        now = now or utcnow()
        try:
            existing = self.find_by_key(idempotency_key) or self._open_twin(booking, idempotency_key.split("#")[0])
            if existing:
                return existing
            for _ in range(5):
                try:
                    return self._insert(booking, idempotency_key, now)
                except IntegrityError:
                    existing = self.find_by_key(idempotency_key)
                    if existing:
                        return existing
                    # a reference collision or a seat taken concurrently: try again
            raise WindowFull(booking.window_key)
        except OperationalError as exc:
            raise StoreUnavailable(type(exc.orig).__name__) from exc

    def _insert(self, booking: Booking, key: str, now: datetime) -> Callback:
        with self.engine.begin() as conn:
            result = conn.execute(
                callbacks.insert().values(
                    reference=new_reference(), idempotency_key=key, conversation_id=key.split("#")[0],
                    office_id=booking.office_id, municipality=booking.municipality, topic=booking.topic,
                    phone_e164=booking.phone_e164, first_name=booking.first_name, language=booking.language,
                    window_key=booking.window_key, window_start=booking.window_start, window_end=booking.window_end,
                    status="new", consent_at=now, created_at=now, updated_at=now,
                )
            )
            callback_id = result.inserted_primary_key[0]
            self._claim_seat(conn, booking.office_id, booking.window_key, callback_id)
            row = conn.execute(sa.select(callbacks).where(callbacks.c.id == callback_id)).one()
            created = _row_to_callback(row, created=True)
            _event(conn, "callback.created", created, now)
            return created

    def _open_twin(self, booking: Booking, conversation_id: str) -> Callback | None:
        with self.engine.connect() as conn:
            row = conn.execute(
                sa.select(callbacks).where(
                    callbacks.c.conversation_id == conversation_id, callbacks.c.office_id == booking.office_id,
                    callbacks.c.window_key == booking.window_key, callbacks.c.phone_e164 == booking.phone_e164,
                    callbacks.c.status.in_(OPEN_STATUSES),
                ).order_by(callbacks.c.id).limit(1)
            ).first()
        return _row_to_callback(row) if row else None

    def find_by_key(self, key: str) -> Callback | None:
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(callbacks).where(callbacks.c.idempotency_key == key)).first()
        return _row_to_callback(row) if row else None

    def find(self, reference: str) -> Callback | None:
        try:
            with self.engine.connect() as conn:
                row = conn.execute(sa.select(callbacks).where(callbacks.c.reference == reference)).first()
        except OperationalError as exc:
            raise StoreUnavailable(type(exc.orig).__name__) from exc
        return _row_to_callback(row) if row else None

    def seats_taken(self, office_id: str, window_keys: list[str]) -> dict[str, int]:
        try:
            with self.engine.connect() as conn:
                rows = conn.execute(
                    sa.select(window_seats.c.window_key, sa.func.count())
                    .where(window_seats.c.office_id == office_id, window_seats.c.window_key.in_(window_keys))
                    .group_by(window_seats.c.window_key)
                )
                return {r[0]: r[1] for r in rows}
        except OperationalError as exc:
            raise StoreUnavailable(type(exc.orig).__name__) from exc

    def cancel(self, reference: str, now: datetime | None = None) -> Callback:
        now = now or utcnow()
        try:
            with self.engine.begin() as conn:
                row = _release_open_callback(conn, reference)
                conn.execute(
                    callbacks.update().where(callbacks.c.id == row.id).values(status="cancelled", updated_at=now, closed_at=now)
                )
                cancelled = _row_to_callback(conn.execute(sa.select(callbacks).where(callbacks.c.id == row.id)).one())
                _event(conn, "callback.cancelled", cancelled, now)
                return cancelled
        except OperationalError as exc:
            raise StoreUnavailable(type(exc.orig).__name__) from exc

    def change_window(self, reference: str, window_key: str, start: datetime, end: datetime, now: datetime | None = None) -> Callback:
        now = now or utcnow()
        try:
            with self.engine.begin() as conn:
                row = _release_open_callback(conn, reference)
                self._claim_seat(conn, row.office_id, window_key, row.id)
                conn.execute(
                    callbacks.update().where(callbacks.c.id == row.id).values(
                        window_key=window_key, window_start=start, window_end=end, updated_at=now
                    )
                )
                changed = _row_to_callback(conn.execute(sa.select(callbacks).where(callbacks.c.id == row.id)).one())
                _event(conn, "callback.changed", changed, now)
                return changed
        except IntegrityError as exc:
            raise WindowFull(window_key) from exc
        except OperationalError as exc:
            raise StoreUnavailable(type(exc.orig).__name__) from exc

    def purge_phone_numbers(self, retention_days: int, now: datetime | None = None) -> int:
        """Delete phone numbers of callbacks closed (or past their window) longer than retention_days ago."""
        now = now or utcnow()
        cutoff = now - timedelta(days=retention_days)
        closed_long_ago = sa.or_(
            sa.and_(callbacks.c.closed_at.is_not(None), callbacks.c.closed_at < cutoff),
            callbacks.c.window_end < cutoff,
        )
        with self.engine.begin() as conn:
            result = conn.execute(
                callbacks.update()
                .where(callbacks.c.phone_e164.is_not(None), closed_long_ago)
                .values(phone_e164=None, first_name=None, phone_purged_at=now)
            )
            return result.rowcount or 0

    # --- outbox -----------------------------------------------------------------------------

    def due_events(self, now: datetime, limit: int = 50) -> list[Any]:
        with self.engine.connect() as conn:
            return list(
                conn.execute(
                    sa.select(outbox)
                    .where(outbox.c.delivered_at.is_(None), outbox.c.next_attempt_at <= now)
                    .order_by(outbox.c.id)
                    .limit(limit)
                )
            )

    def mark_delivered(self, event_id: str, now: datetime) -> None:
        with self.engine.begin() as conn:
            conn.execute(outbox.update().where(outbox.c.event_id == event_id).values(delivered_at=now))

    def mark_failed(self, event_id: str, attempts: int, next_attempt_at: datetime, error: str) -> None:
        with self.engine.begin() as conn:
            conn.execute(
                outbox.update().where(outbox.c.event_id == event_id).values(
                    attempts=attempts, next_attempt_at=next_attempt_at, last_error=error[:200]
                )
            )
