"""The one place Lotse creates SQLAlchemy engines: for its own database, for Rasa's tracker store
and for reading the tracker database from other processes.

SQLite is the default (a file under var/), PostgreSQL comes by URL. What differs between the uses
is how SQLite connections are set up and whether Rasa's 1.4-style engine is needed; a `Profile`
names it. PostgreSQL connections are always checked before use (`pool_pre_ping`), so a restarted
database costs no failed request; its pool is sized by the caller (Settings.db_pool, or Rasa's
SQL_POOL_SIZE/SQL_MAX_OVERFLOW for the tracker store).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import URL, Engine

SQLITE_CONNECT_ARGS = {"timeout": 15, "check_same_thread": False}
SQLITE_OPEN_CONNECTIONS = 5


@dataclass(frozen=True)
class Profile:
    """How an engine's connections behave. `future` concerns every dialect, the rest SQLite only."""

    future: bool = True  # SQLAlchemy 2.0-style engine; Rasa's ORM code needs the 1.4 one
    sqlite_pragmas: tuple[str, ...] = ()  # run on every new connection
    # SQLAlchemy 1.4 opens a new SQLite connection for every use; keep a few open instead.
    sqlite_keep_open: bool = False
    # Take the write lock at BEGIN, so concurrent writers queue instead of failing; SQLAlchemy, not
    # pysqlite, then starts the transactions.
    sqlite_begin_immediate: bool = False
    sqlite_ping: bool = True


# Lotse's own database (callbacks, ratings, widget sessions, console), and the purges' writes to
# the tracker database: foreign keys enforced, writers queue.
LOTSE = Profile(
    sqlite_pragmas=("journal_mode=WAL", "foreign_keys=ON", "busy_timeout=15000"),
    sqlite_keep_open=True,
    sqlite_begin_immediate=True,
)

# Rasa's tracker store, written on every turn: WAL and synchronous=NORMAL, so a turn's write does
# not wait for a full fsync and reads never block writes (measured: a third of a turn went into
# connecting before the connections were kept open).
RASA_TRACKER_STORE = Profile(
    future=False,
    sqlite_pragmas=("journal_mode=WAL", "synchronous=NORMAL", "busy_timeout=10000"),
    sqlite_keep_open=True,
    sqlite_ping=False,
)

# Ordinary (deferred) transactions and no pragmas: reading the tracker database from another
# process never takes SQLite's write lock away from Rasa (console transcripts, the widget's
# transcript and erasure); also the migrations' own connections.
PLAIN = Profile()


def is_sqlite(url: str | URL) -> bool:
    return sa.engine.make_url(url).get_backend_name() == "sqlite"


def make_engine(
    url: str | URL,
    profile: Profile = LOTSE,
    *,
    pool_size: int | None = None,
    max_overflow: int | None = None,
    connect_args: dict[str, Any] | None = None,
) -> Engine:
    """An engine for `url` set up as `profile` says; `pool_size`/`max_overflow` size a PostgreSQL pool."""
    sqlite = is_sqlite(url)
    kwargs: dict[str, Any] = {"future": profile.future, "pool_pre_ping": profile.sqlite_ping or not sqlite}
    if sqlite:
        kwargs["connect_args"] = {**SQLITE_CONNECT_ARGS, **(connect_args or {})}
        if profile.sqlite_keep_open:
            kwargs["poolclass"] = sa.pool.QueuePool
            kwargs["pool_size"] = SQLITE_OPEN_CONNECTIONS
    else:
        if connect_args:
            kwargs["connect_args"] = connect_args
        if pool_size is not None:
            kwargs["pool_size"] = pool_size
            kwargs["max_overflow"] = max_overflow or 0
    engine = sa.create_engine(url, **kwargs)
    if sqlite:
        _configure_sqlite(engine, profile)
    return engine


def _configure_sqlite(engine: Engine, profile: Profile) -> None:
    if profile.sqlite_pragmas or profile.sqlite_begin_immediate:
        @sa.event.listens_for(engine, "connect")
        def _on_connect(dbapi_connection: Any, _record: Any) -> None:
            if profile.sqlite_begin_immediate:
                dbapi_connection.isolation_level = None
            cursor = dbapi_connection.cursor()
            for pragma in profile.sqlite_pragmas:
                cursor.execute(f"PRAGMA {pragma}")
            cursor.close()

    if profile.sqlite_begin_immediate:
        @sa.event.listens_for(engine, "begin")
        def _begin_immediate(conn: Any) -> None:
            conn.exec_driver_sql("BEGIN IMMEDIATE")
