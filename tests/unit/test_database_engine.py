"""One engine factory for all SQL use (lotse/database/engine.py): nothing else in Lotse creates an
engine, and each profile sets up SQLite as its users need."""
from __future__ import annotations

import ast
import sqlite3
from pathlib import Path

import pytest
import sqlalchemy as sa

from lotse.console.app import tracker_engine_for
from lotse.database.engine import LOTSE, PLAIN, RASA_TRACKER_STORE, make_engine
from lotse.rasa_server.tracker_store import LotseSQLTrackerStore
from lotse.widget.store import tracker_engine
from tests.conftest import ROOT

FACTORY = ROOT / "lotse" / "database" / "engine.py"


def engine_calls(path: Path) -> list[int]:
    """Lines of `create_engine(...)` / `sa.create_engine(...)` calls in a Python file."""
    lines = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call):
            name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            if name == "create_engine":
                lines.append(node.lineno)
    return lines


def test_only_the_factory_creates_engines():
    sources = [p for package in ("lotse", "actions") for p in sorted((ROOT / package).rglob("*.py"))]
    found = {str(p.relative_to(ROOT)): engine_calls(p) for p in sources if p != FACTORY}
    assert {path: lines for path, lines in found.items() if lines} == {}
    assert engine_calls(FACTORY)


def pragmas(engine: sa.engine.Engine) -> dict[str, object]:
    with engine.connect() as conn:
        values = {name: conn.exec_driver_sql(f"PRAGMA {name}").scalar() for name in
                  ("journal_mode", "foreign_keys", "busy_timeout", "synchronous")}
    engine.dispose()
    return values


def takes_the_write_lock_at_begin(engine: sa.engine.Engine, database: Path) -> bool:
    """Whether a transaction that only reads keeps other writers out (BEGIN IMMEDIATE)."""
    other = sqlite3.connect(database, timeout=0, isolation_level=None)
    try:
        with engine.begin() as conn:
            conn.exec_driver_sql("SELECT 1")
            try:
                other.execute("BEGIN IMMEDIATE")
            except sqlite3.OperationalError:
                return True
            other.execute("ROLLBACK")
            return False
    finally:
        other.close()
        engine.dispose()


def test_lotse_database_enforces_foreign_keys_and_queues_writers(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'lotse.db'}", LOTSE)
    assert pragmas(engine) == {"journal_mode": "wal", "foreign_keys": 1, "busy_timeout": 15000, "synchronous": 2}
    assert takes_the_write_lock_at_begin(engine, tmp_path / "lotse.db")


def test_the_tracker_store_gets_its_engine_from_the_factory(tmp_path):
    store = LotseSQLTrackerStore(dialect="sqlite", db=str(tmp_path / "tracker.db"))
    assert pragmas(store.engine) == {"journal_mode": "wal", "foreign_keys": 0, "busy_timeout": 10000, "synchronous": 1}
    assert not isinstance(store.engine, sa.future.Engine) and isinstance(store.engine.pool, sa.pool.QueuePool)
    assert pragmas(make_engine(f"sqlite:///{tmp_path / 'other.db'}", RASA_TRACKER_STORE))["synchronous"] == 1


@pytest.mark.parametrize("reader", [tracker_engine_for, tracker_engine])
def test_readers_of_the_tracker_database_use_plain_deferred_transactions(tmp_path, reader):
    engine = reader(f"sqlite:///{tmp_path / 'tracker.db'}")
    assert not takes_the_write_lock_at_begin(engine, tmp_path / "tracker.db")
    assert pragmas(engine) == pragmas(make_engine(f"sqlite:///{tmp_path / 'plain.db'}", PLAIN))
    assert pragmas(engine)["journal_mode"] == "delete"  # the tracker store's own engine sets WAL


def test_a_postgresql_pool_is_sized_by_the_caller_and_pinged():
    engine = make_engine("postgresql://lotse@127.0.0.1:1/lotse", pool_size=3, max_overflow=2)
    assert (engine.pool.size(), engine.pool._max_overflow, engine.pool._pre_ping) == (3, 2, True)
    engine.dispose()
