"""The Alembic migrations of Lotse's own database (versions/, applied by env.py) and their runner:
`migrate(url)` brings a database to the newest migration; every process that uses the database
calls it at start."""
from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import sqlalchemy as sa

from lotse.database.engine import PLAIN, make_engine

MIGRATIONS = Path(__file__).resolve().parent
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
    engine = make_engine(url, PLAIN)
    try:
        with engine.connect() as conn:
            conn.execute(sa.text("SELECT pg_advisory_lock(:id)"), {"id": MIGRATION_LOCK_ID})
            try:
                yield
            finally:
                conn.execute(sa.text("SELECT pg_advisory_unlock(:id)"), {"id": MIGRATION_LOCK_ID})
    finally:
        engine.dispose()
