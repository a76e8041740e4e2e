"""What the widget channel reads and writes in the databases: ended (revoked) sessions, the
transcript shown after a reload, and erasure of one conversation.

All functions are blocking (SQLAlchemy); the channel runs them in a worker thread.
"""
from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Iterable, Optional

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError, OperationalError

from lotse.core.settings import Settings
from lotse.database.engine import PLAIN, make_engine
from lotse.database.migrations import migrate
from lotse.database.schema import widget_revoked_sessions
from lotse.privacy.erasure import TRACKER_EVENTS_TABLE, ErasureReport, erase_conversation
from lotse.widget import feedback
from lotse.widget.sessions import WidgetSession

logger = logging.getLogger(__name__)

TRANSCRIPT_LIMIT = 200
# The key of a bot message's metadata with the situation check's list for the widget's page to print
# (actions/situation.py writes it; it lives in the conversation's events and is erased with them).
PRINT_KEY = "situation_print"


def _utc(seconds: float) -> datetime:
    return datetime.fromtimestamp(seconds, tz=timezone.utc)


def transcript_items(events: Iterable[tuple[str, str]]) -> list[dict[str, Any]]:
    """The widget's view of a conversation from tracker events (type name, JSON data), oldest first.

    A quick-reply payload the user sent is shown with the title of the button it came from, as the
    widget showed it when it was clicked.
    """
    items: list[dict[str, Any]] = []
    titles: dict[str, str] = {}
    for type_name, raw in events:
        try:
            data = json.loads(raw) if raw else {}
        except ValueError:
            continue
        text = data.get("text")
        if type_name == "bot" and isinstance(text, str):
            buttons = (data.get("data") or {}).get("buttons") or []
            replies = [
                {"title": str(b.get("title", "")), "payload": str(b.get("payload", ""))}
                for b in buttons
                if isinstance(b, dict)
            ]
            titles = {r["payload"]: r["title"] for r in replies}
            item: dict[str, Any] = {"who": "bot", "text": text, "message_id": feedback.message_id(text)}
            if replies:
                item["quick_replies"] = replies
            page = (data.get("metadata") or {}).get(PRINT_KEY)
            if isinstance(page, dict):
                item["print"] = page
            items.append(item)
        elif type_name == "user" and isinstance(text, str):
            items.append({"who": "user", "text": titles.get(text, text)})
            titles = {}
    return items


def tracker_engine(url: str) -> Engine:
    return make_engine(url, PLAIN)


@dataclass
class WidgetStore:
    app_engine: Engine
    tracker_engine: Engine

    @classmethod
    def open(cls, settings: Settings) -> "WidgetStore":
        try:
            migrate(settings.callback_db_url)
        except OperationalError:
            # Another Lotse process may be creating the same tables right now: try once more.
            time.sleep(1.0)
            migrate(settings.callback_db_url)
        return cls(make_engine(settings.callback_db_url), tracker_engine(settings.tracker_db_url))

    # --- ended sessions ----------------------------------------------------------------------

    def is_revoked(self, session_id: str) -> bool:
        with self.app_engine.connect() as conn:
            query = sa.select(widget_revoked_sessions.c.session_id).where(widget_revoked_sessions.c.session_id == session_id)
            return conn.execute(query).first() is not None

    def revoke(self, session: WidgetSession) -> None:
        try:
            with self.app_engine.begin() as conn:
                conn.execute(sa.insert(widget_revoked_sessions).values(session_id=session.session_id, expires_at=_utc(session.expires_at)))
        except IntegrityError:
            pass  # already revoked

    def purge_revocations(self, now: Optional[float] = None) -> int:
        """Forgets ended sessions whose tokens have expired anyway."""
        cutoff = _utc(time.time() if now is None else now)
        with self.app_engine.begin() as conn:
            return conn.execute(sa.delete(widget_revoked_sessions).where(widget_revoked_sessions.c.expires_at < cutoff)).rowcount

    # --- conversation ------------------------------------------------------------------------

    def _events_table(self) -> Optional[sa.Table]:
        if not sa.inspect(self.tracker_engine).has_table(TRACKER_EVENTS_TABLE):
            return None  # Rasa creates it at its first start
        return sa.Table(TRACKER_EVENTS_TABLE, sa.MetaData(), autoload_with=self.tracker_engine)

    def _message_events(self, session_id: str) -> list[tuple[str, str]]:
        events = self._events_table()
        if events is None:
            return []
        query = (
            sa.select(events.c.type_name, events.c.data)
            .where(events.c.sender_id == session_id, events.c.type_name.in_(("user", "bot")))
            .order_by(events.c.id.desc())
            .limit(TRANSCRIPT_LIMIT)
        )
        with self.tracker_engine.connect() as conn:
            rows = conn.execute(query).all()
        return [(row.type_name, row.data) for row in reversed(rows)]

    def transcript(self, session_id: str) -> list[dict[str, Any]]:
        return transcript_items(self._message_events(session_id))

    def has_bot_message(self, session_id: str, bot_message_id: str) -> bool:
        return any(item.get("message_id") == bot_message_id for item in self.transcript(session_id))

    def record_feedback(self, session_id: str, bot_message_id: str, rating: feedback.Rating) -> bool:
        """Stores a rating of a bot message of this conversation; False if there is no such message."""
        if not self.has_bot_message(session_id, bot_message_id):
            return False
        feedback.record(self.app_engine, session_id, bot_message_id, rating)
        return True

    def erase(self, session: WidgetSession) -> ErasureReport:
        # Revoke first: from now on no connection can be bound to this conversation again.
        self.revoke(session)
        return erase_conversation(self.app_engine, self.tracker_engine, session.session_id)
