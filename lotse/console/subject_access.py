"""Everything Lotse holds about one conversation, for a request under Art. 15 DSGVO (data access).

The export is for the person asking, so it is complete and unmasked; producing it is audit-logged.
"""
from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from lotse.console.transcripts import TranscriptReader
from lotse.database.console_schema import (
    callback_history,
    callback_notes,
    nlu_corrections,
    transcript_notes,
    transcript_reviews,
    transcript_tags,
)
from lotse.database.schema import callbacks, feedback

HIDDEN_COLUMNS = frozenset({"idempotency_key", "id", "callback_id"})


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value


def _rows(conn: sa.engine.Connection, query: sa.sql.Select) -> list[dict[str, Any]]:
    return [{k: _plain(v) for k, v in row._mapping.items() if k not in HIDDEN_COLUMNS} for row in conn.execute(query)]


def subject_access_export(app: Engine, reader: TranscriptReader, conversation_id: str, now: datetime) -> str:
    events = [
        {"time": datetime.fromtimestamp(e.timestamp, timezone.utc).isoformat(), "type": e.type_name, "data": dict(e.data)}
        for e in reader.events(conversation_id)
    ]
    with app.connect() as conn:
        ids = [r.id for r in conn.execute(sa.select(callbacks.c.id).where(callbacks.c.conversation_id == conversation_id))]
        document = {
            "created_at": now.isoformat(),
            "conversation_id": conversation_id,
            "note": "Auskunft nach Art. 15 DSGVO: alle in Lotse gespeicherten Daten zu diesem Gespräch.",
            "conversation_events": events,
            "callbacks": _rows(conn, sa.select(callbacks).where(callbacks.c.conversation_id == conversation_id)),
            "callback_notes": _rows(conn, sa.select(callback_notes).where(callback_notes.c.callback_id.in_(ids))),
            "callback_status_history": _rows(conn, sa.select(callback_history).where(callback_history.c.callback_id.in_(ids))),
            "feedback": _rows(conn, sa.select(feedback).where(feedback.c.conversation_id == conversation_id)),
            "staff_review": _rows(conn, sa.select(transcript_reviews).where(transcript_reviews.c.conversation_id == conversation_id)),
            "staff_tags": _rows(conn, sa.select(transcript_tags).where(transcript_tags.c.conversation_id == conversation_id)),
            "staff_notes": _rows(conn, sa.select(transcript_notes).where(transcript_notes.c.conversation_id == conversation_id)),
            "nlu_corrections": _rows(conn, sa.select(nlu_corrections).where(nlu_corrections.c.conversation_id == conversation_id)),
        }
    return json.dumps(document, ensure_ascii=False, indent=2)
