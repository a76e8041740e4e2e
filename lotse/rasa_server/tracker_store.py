"""Rasa's SQL tracker store with the settings Lotse needs (registered in endpoints.yml).

- A cache of recently used trackers: Rasa rebuilds the whole conversation from the database on
  every message (JSON-decoding and replaying every event), so latency grew with conversation
  length (measured: 17 ms at message 5, 63 ms at message 100). A cached tracker is used only if
  the database still holds exactly the events it was saved with (same newest event id), so
  several Rasa instances sharing one database stay correct, and an erasure invalidates it.
  The check runs inside the turn's lock (one turn per conversation at a time across instances,
  lotse/rasa_server/lock_store.py), so nobody can add events between the check and the save.
  Saving a cached tracker stores the events after the ones it was saved with. Rasa's own save
  instead counts the stored events of the latest session and skips that many: right for a
  tracker rebuilt from the database (which holds the latest session only, from its
  `session_started` on), wrong for a cached one, which also holds the events logged before
  `session_started` (or a whole earlier session): they were stored twice.
  The cached tracker is compacted (lotse/rasa_server/compaction.py): a session start with the slot values,
  then the last turns, so a turn does not get slower as a conversation gets longer.

- SQLite: WAL journal and `synchronous=NORMAL`, so a turn's write does not wait for a full
  fsync and reads never block writes; a busy timeout instead of "database is locked".
- Every dialect: an index on the event timestamp, which retention purges and erasure need
  (Rasa only indexes sender_id), and one on (sender_id, id) for the newest-event check and
  Rasa's ordered event query. Created safely when several instances start at once.
- PostgreSQL: Rasa's pool (SQL_POOL_SIZE/SQL_MAX_OVERFLOW, sized by lotse/core/settings.py) with a
  liveness check, so a restarted database costs no failed message.
"""
from __future__ import annotations

import itertools
import json
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any, Iterator, Optional

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore, create_engine_kwargs
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import sessionmaker

from lotse.database.engine import RASA_TRACKER_STORE, make_engine
from lotse.rasa_server import compaction

TIMESTAMP_INDEX = "ix_events_timestamp"
SENDER_ID_INDEX = "ix_events_sender_id_id"
CACHED_TRACKERS = 2000
MAX_CACHED_EVENTS = 5000


@dataclass
class CachedTracker:
    newest_event_id: Optional[int]
    tracker: DialogueStateTracker
    stored_events: int  # how many of tracker.events are in the database


class LotseSQLTrackerStore(SQLTrackerStore):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.engine.dialect.name in ("sqlite", "postgresql"):
            # Rasa's engine, made again through Lotse's factory (lotse/database/engine.py).
            url = self.engine.url
            self.engine.dispose()
            self.engine = make_engine(url, RASA_TRACKER_STORE, **create_engine_kwargs(url))
            self.sessionmaker = sessionmaker(bind=self.engine)
        self._create_indexes()
        self._cache: "OrderedDict[str, CachedTracker]" = OrderedDict()
        self._checked_out: "OrderedDict[str, CachedTracker]" = OrderedDict()

    def _create_indexes(self) -> None:
        events = self.SQLEvent.__table__
        wanted = {TIMESTAMP_INDEX: (events.c.timestamp,), SENDER_ID_INDEX: (events.c.sender_id, events.c.id)}
        known = {index.name: index for index in events.indexes}
        for name, columns in wanted.items():
            index = known.get(name) or sa.Index(name, *columns)
            try:
                index.create(self.engine, checkfirst=True)
            except DBAPIError:
                # Another instance created it between our check and our CREATE INDEX.
                if name not in {i["name"] for i in sa.inspect(self.engine).get_indexes(events.name)}:
                    raise

    def _newest_event_id(self, sender_id: str) -> Optional[int]:
        with self.session_scope() as session:
            return session.query(sa.func.max(self.SQLEvent.id)).filter(self.SQLEvent.sender_id == sender_id).scalar()

    async def retrieve(self, sender_id: str) -> Optional[DialogueStateTracker]:
        # Taken out of the cache: the caller owns the object until it saves it again.
        cached = self._cache.pop(sender_id, None)
        if cached is not None and cached.newest_event_id is not None and cached.newest_event_id == self._newest_event_id(sender_id):
            self._checked_out[sender_id] = cached
            _bound(self._checked_out)
            return cached.tracker
        return await super().retrieve(sender_id)

    def _additional_events(self, session: Any, tracker: DialogueStateTracker) -> Iterator:
        checked_out = self._checked_out.pop(tracker.sender_id, None)
        if checked_out is not None and checked_out.tracker is tracker:
            return itertools.islice(tracker.events, checked_out.stored_events, None)
        return super()._additional_events(session, tracker)

    def _event_row(self, sender_id: str, event: Any) -> dict[str, Any]:
        data = event.as_dict()
        return {
            "sender_id": sender_id,
            "type_name": event.type_name,
            "timestamp": data.get("timestamp"),
            "intent_name": data.get("parse_data", {}).get("intent", {}).get(INTENT_NAME_KEY),
            "action_name": data.get("name"),
            "data": json.dumps(data),
        }

    async def save(self, tracker: DialogueStateTracker) -> None:
        """Rasa's `SQLTrackerStore.save` with plain inserts instead of ORM objects (the ORM's unit of
        work was most of the save), learning the newest event id from the last insert."""
        await self.stream_events(tracker)
        insert = self.SQLEvent.__table__.insert()
        newest_event_id = None
        with self.session_scope() as session:
            for event in self._additional_events(session, tracker):
                newest_event_id = session.execute(insert, self._event_row(tracker.sender_id, event)).inserted_primary_key[0]
            session.commit()
        if newest_event_id is None:
            newest_event_id = self._newest_event_id(tracker.sender_id)
        # Rasa works on a compacted tracker from here on (lotse/rasa_server/compaction.py); the database keeps
        # every event, and all events of the compacted tracker count as stored.
        working = compaction.compact(tracker)
        if len(working.events) > MAX_CACHED_EVENTS:
            return
        self._cache[tracker.sender_id] = CachedTracker(newest_event_id, working, len(working.events))
        self._cache.move_to_end(tracker.sender_id)
        _bound(self._cache)


def _bound(cache: "OrderedDict[str, CachedTracker]") -> None:
    while len(cache) > CACHED_TRACKERS:
        cache.popitem(last=False)
