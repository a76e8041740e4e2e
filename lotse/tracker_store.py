"""Rasa's SQL tracker store with the settings Lotse needs (registered in endpoints.yml).

- SQLite: WAL journal and `synchronous=NORMAL`, so a turn's write does not wait for a full
  fsync and reads never block writes; a busy timeout instead of "database is locked".
- Every dialect: an index on the event timestamp, which retention purges and erasure need
  (Rasa only indexes sender_id).
"""
from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import sessionmaker
from rasa.core.tracker_store import SQLTrackerStore

from lotse import rasa_patches

TIMESTAMP_INDEX = "ix_events_timestamp"


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


class LotseSQLTrackerStore(SQLTrackerStore):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        rasa_patches.install()  # the tracker store is created once, when the Rasa server starts
        if self.engine.dialect.name == "sqlite":
            # SQLAlchemy 1.4 opens a new SQLite connection for every use; keep a few open instead,
            # each with the pragmas above (measured: a third of a turn went into connecting).
            url = self.engine.url
            self.engine.dispose()
            self.engine = sa.create_engine(
                url, poolclass=sa.pool.QueuePool, pool_size=5, connect_args={"check_same_thread": False}
            )
            sa.event.listen(self.engine, "connect", _sqlite_pragmas)
            self.sessionmaker = sessionmaker(bind=self.engine)
        events = self.SQLEvent.__table__
        if not any(index.name == TIMESTAMP_INDEX for index in events.indexes):
            sa.Index(TIMESTAMP_INDEX, events.c.timestamp)
        for index in events.indexes:
            if index.name == TIMESTAMP_INDEX:
                index.create(self.engine, checkfirst=True)
