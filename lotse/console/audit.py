"""The audit log (data access): every transcript view, reveal of masked data, export, erasure,
purge and account change is recorded with who, when, what and - for reveals - why.

The table is append-only: the database refuses UPDATE and DELETE (triggers, migration 0003).
Targets are pseudonyms, office ids or user names, never raw conversation ids or phone numbers.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from lotse.database.console_schema import console_audit

ACTION_LABELS = {
    "login": "Anmeldung",
    "login_failed": "Anmeldung fehlgeschlagen",
    "logout": "Abmeldung",
    "transcript_view": "Verlauf angesehen",
    "reveal": "Verdeckte Daten angezeigt",
    "queue_view": "Rückrufliste angesehen",
    "callback_status": "Rückruf-Status geändert",
    "export_csv": "Export CSV",
    "export_ics": "Export iCalendar",
    "export_story": "Export Teststory",
    "export_nlu": "Export NLU-Korrekturen",
    "export_art15": "Auskunft (Art. 15) exportiert",
    "erasure": "Gespräch gelöscht",
    "purge": "Aufbewahrungsfrist angewendet",
    "correction_decided": "Korrektur entschieden",
    "user_created": "Konto angelegt",
    "user_changed": "Konto geändert",
    "directory_proposed": "Stellenverzeichnis: Angabe vorgeschlagen",
    "directory_decided": "Stellenverzeichnis: Angabe bestätigt/abgelehnt",
    "directory_import": "Stellenverzeichnis: CSV importiert",
}


@dataclass(frozen=True)
class AuditEntry:
    id: int
    at: datetime
    username: str | None
    action: str
    target: str | None
    detail: str | None

    @property
    def action_label(self) -> str:
        return ACTION_LABELS.get(self.action, self.action)


def record(
    engine: Engine, username: str | None, action: str, target: str | None = None, detail: str | None = None,
    now: datetime | None = None,
) -> None:
    with engine.begin() as conn:
        conn.execute(
            sa.insert(console_audit).values(
                at=now or datetime.now(timezone.utc), username=username, action=action,
                target=(target or None) and target[:100], detail=(detail or None) and detail[:500],
            )
        )


def entries(engine: Engine, limit: int = 100, offset: int = 0, action: str | None = None) -> list[AuditEntry]:
    query = sa.select(console_audit).order_by(console_audit.c.id.desc()).limit(limit).offset(offset)
    if action:
        query = query.where(console_audit.c.action == action)
    with engine.connect() as conn:
        return [
            AuditEntry(r.id, r.at if r.at.tzinfo else r.at.replace(tzinfo=timezone.utc), r.username, r.action, r.target, r.detail)
            for r in conn.execute(query)
        ]
