"""The callback queue (data access): callbacks per office sorted by due time, status changes with
their history, notes; and the CSV and iCalendar exports (pure functions)."""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Sequence
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from lotse.callbacks.store import OPEN_STATUSES
from lotse.database.console_schema import callback_history, callback_notes
from lotse.database.schema import callbacks, window_seats

STATUSES: tuple[str, ...] = ("new", "in_progress", "reached", "not_reached", "cancelled")
STATUS_LABELS = {
    "new": "neu",
    "in_progress": "in Bearbeitung",
    "reached": "erreicht",
    "not_reached": "nicht erreicht – erneut versuchen",
    "cancelled": "storniert",
}
CLOSED_STATUSES = ("reached", "cancelled")
VIEWS = ("open", "closed", "all")


class QueueError(ValueError):
    """German, safe to show."""


@dataclass(frozen=True)
class QueueItem:
    id: int
    reference: str
    conversation_id: str
    office_id: str
    municipality: str
    topic: str | None
    phone: str | None
    first_name: str | None
    window_start: datetime
    window_end: datetime
    status: str
    created_at: datetime
    phone_purged: bool

    @property
    def status_label(self) -> str:
        return STATUS_LABELS.get(self.status, self.status)

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def overdue(self, now: datetime) -> bool:
        return self.is_open and self.window_end < now


@dataclass(frozen=True)
class CallbackNote:
    text: str
    created_by: str
    created_at: datetime


@dataclass(frozen=True)
class StatusChange:
    from_status: str
    to_status: str
    changed_by: str
    changed_at: datetime


def _utc(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


def _item(r: sa.engine.Row) -> QueueItem:
    return QueueItem(
        r.id, r.reference, r.conversation_id, r.office_id, r.municipality, r.topic, r.phone_e164, r.first_name,
        _utc(r.window_start), _utc(r.window_end), r.status, _utc(r.created_at), r.phone_purged_at is not None,
    )


def offices_with_callbacks(engine: Engine) -> list[str]:
    with engine.connect() as conn:
        return [r[0] for r in conn.execute(sa.select(callbacks.c.office_id).distinct().order_by(callbacks.c.office_id))]


def queue(engine: Engine, office_ids: Sequence[str] | None, view: str = "open") -> list[QueueItem]:
    """Callbacks of these offices (None = all), sorted by due time (start of the window)."""
    query = sa.select(callbacks).order_by(callbacks.c.window_start, callbacks.c.id)
    if office_ids is not None:
        query = query.where(callbacks.c.office_id.in_(list(office_ids)))
    if view == "open":
        query = query.where(callbacks.c.status.in_(OPEN_STATUSES))
    elif view == "closed":
        query = query.where(callbacks.c.status.not_in(OPEN_STATUSES))
    with engine.connect() as conn:
        return [_item(r) for r in conn.execute(query)]


def get(engine: Engine, reference: str) -> QueueItem | None:
    with engine.connect() as conn:
        row = conn.execute(sa.select(callbacks).where(callbacks.c.reference == reference)).first()
    return _item(row) if row else None


def set_status(engine: Engine, reference: str, status: str, username: str, now: datetime) -> QueueItem:
    if status not in STATUSES:
        raise QueueError("Unbekannter Status.")
    with engine.begin() as conn:
        row = conn.execute(sa.select(callbacks).where(callbacks.c.reference == reference)).first()
        if row is None:
            raise QueueError("Diesen Rückruf gibt es nicht (mehr).")
        if row.status == status:
            return _item(row)
        if row.status in CLOSED_STATUSES and status in OPEN_STATUSES and row.phone_purged_at is not None:
            raise QueueError("Die Telefonnummer ist schon gelöscht; der Rückruf kann nicht wieder geöffnet werden.")
        closing = status in CLOSED_STATUSES
        if closing:
            conn.execute(sa.delete(window_seats).where(window_seats.c.callback_id == row.id))
        conn.execute(
            sa.update(callbacks).where(callbacks.c.id == row.id).values(
                status=status, updated_at=now, closed_at=now if closing else None
            )
        )
        conn.execute(
            sa.insert(callback_history).values(
                callback_id=row.id, from_status=row.status, to_status=status, changed_by=username, changed_at=now
            )
        )
        return _item(conn.execute(sa.select(callbacks).where(callbacks.c.id == row.id)).one())


def add_note(engine: Engine, reference: str, text: str, username: str, now: datetime) -> None:
    with engine.begin() as conn:
        callback_id = conn.execute(sa.select(callbacks.c.id).where(callbacks.c.reference == reference)).scalar()
        if callback_id is None:
            raise QueueError("Diesen Rückruf gibt es nicht (mehr).")
        conn.execute(sa.insert(callback_notes).values(callback_id=callback_id, text=text, created_by=username, created_at=now))


def notes(engine: Engine, callback_id: int) -> list[CallbackNote]:
    query = sa.select(callback_notes).where(callback_notes.c.callback_id == callback_id).order_by(callback_notes.c.id)
    with engine.connect() as conn:
        return [CallbackNote(r.text, r.created_by, _utc(r.created_at)) for r in conn.execute(query)]


def history(engine: Engine, callback_id: int) -> list[StatusChange]:
    query = sa.select(callback_history).where(callback_history.c.callback_id == callback_id).order_by(callback_history.c.id)
    with engine.connect() as conn:
        return [StatusChange(r.from_status, r.to_status, r.changed_by, _utc(r.changed_at)) for r in conn.execute(query)]


# --- exports ---------------------------------------------------------------------------------

def _csv_cell(value: object) -> str:
    """A cell that spreadsheet programs show as text, never run as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def queue_csv(items: Sequence[QueueItem], zone: ZoneInfo, office_names: dict[str, str], now: datetime) -> str:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(["Referenz", "Stelle", "Beginn", "Ende", "Vorname", "Telefon", "Thema", "Status", "Überfällig"])
    for item in items:
        writer.writerow([
            _csv_cell(v) for v in (
                item.reference, office_names.get(item.office_id, item.office_id),
                item.window_start.astimezone(zone).strftime("%d.%m.%Y %H:%M"),
                item.window_end.astimezone(zone).strftime("%d.%m.%Y %H:%M"),
                item.first_name, item.phone, item.topic, item.status_label, "ja" if item.overdue(now) else "nein",
            )
        ])
    return "\ufeff" + out.getvalue()  # BOM: Excel opens UTF-8 with umlauts correctly


def _ics_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\r\n", "\\n").replace("\n", "\\n")


def _fold(line: str) -> str:
    """RFC 5545 line folding: at most 75 octets per line."""
    encoded = line.encode("utf-8")
    if len(encoded) <= 75:
        return line
    parts, current = [], b""
    for char in line:
        piece = char.encode("utf-8")
        if len(current) + len(piece) > (75 if not parts else 74):
            parts.append(current.decode("utf-8"))
            current = b""
        current += piece
    parts.append(current.decode("utf-8"))
    return "\r\n ".join(parts)


def _ics_time(value: datetime) -> str:
    return value.astimezone(timezone.utc).strftime("%Y%m%dT%H%M%SZ")


def queue_ics(items: Sequence[QueueItem], office_names: dict[str, str], now: datetime) -> str:
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Lotse//Rueckrufe//DE", "CALSCALE:GREGORIAN", "METHOD:PUBLISH"]
    for item in items:
        description = "\n".join(
            part for part in (
                f"Referenz: {item.reference}",
                f"Telefon: {item.phone}" if item.phone else "",
                f"Vorname: {item.first_name}" if item.first_name else "",
                f"Thema: {item.topic}" if item.topic else "",
                f"Status: {item.status_label}",
            ) if part
        )
        lines += [
            "BEGIN:VEVENT",
            f"UID:{item.reference}@lotse",
            f"DTSTAMP:{_ics_time(now)}",
            f"DTSTART:{_ics_time(item.window_start)}",
            f"DTEND:{_ics_time(item.window_end)}",
            f"SUMMARY:{_ics_escape('Rückruf ' + item.reference)}",
            f"LOCATION:{_ics_escape(office_names.get(item.office_id, item.office_id))}",
            f"DESCRIPTION:{_ics_escape(description)}",
            f"STATUS:{'CANCELLED' if item.status == 'cancelled' else 'CONFIRMED'}",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return "".join(_fold(line) + "\r\n" for line in lines)
