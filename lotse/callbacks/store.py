"""The callback repository: book, find, change and cancel callbacks, count the seats taken per
window, purge old phone numbers. The tables are in lotse/database/schema.py, the engine comes from
lotse/database/engine.py (SQLite by default, PostgreSQL via URL).

Guarantees, enforced by the database and not only in Python:
- one callback per idempotency key: a retried or duplicated message creates one callback;
- at most `capacity` callbacks per office and window: each booking claims a numbered seat,
  and (office, window, seat) is unique, so two users cannot take the last seat;
- every change writes its staff notification into the outbox in the same transaction.
"""
from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError, OperationalError

from lotse.callbacks import outbox
from lotse.database.engine import make_engine
from lotse.database.migrations import migrate
from lotse.database.schema import callbacks, window_seats

REFERENCE_ALPHABET = "ACDEFHJKMNPRTUVWXY34679"  # no 0/O, 1/I/L, 2/Z, 5/S, 8/B
OPEN_STATUSES = ("new", "in_progress", "not_reached")


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


def _row_to_callback(row: Any, created: bool = False) -> Callback:
    return Callback(
        reference=row.reference, office_id=row.office_id, municipality=row.municipality, window_key=row.window_key,
        window_start=_as_utc(row.window_start), window_end=_as_utc(row.window_end), status=row.status,
        phone_e164=row.phone_e164, topic=row.topic, first_name=row.first_name, created=created,
    )


def _notify(conn: Connection, event_type: str, callback: Callback, now: datetime) -> None:
    """The staff notification of a change, queued in the change's transaction."""
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
    outbox.enqueue(conn, event_type, callback.reference, payload, now)


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
        return cls(make_engine(url, pool_size=pool_size, max_overflow=max_overflow), capacity)

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
            _notify(conn, "callback.created", created, now)
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
                _notify(conn, "callback.cancelled", cancelled, now)
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
                _notify(conn, "callback.changed", changed, now)
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
