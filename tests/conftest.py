from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from lotse.core import settings as settings_module
from lotse.core.settings import Settings, load_settings
from lotse.knowledge.offices import load_gazetteer, load_office_data

ROOT = Path(__file__).resolve().parent.parent
CONTENT = ROOT / "content"


@pytest.fixture(scope="session")
def office_data():
    return load_office_data(CONTENT)


@pytest.fixture(scope="session")
def gazetteer():
    return load_gazetteer(CONTENT)


@pytest.fixture(autouse=True)
def settings_of_this_test(monkeypatch):
    """Each test starts like a new process: load_settings() reads the environment again. A test
    that changes the environment after load_settings() has read it fails loudly instead of seeing
    the old value; it calls load_settings.cache_clear() after the change."""
    load_settings.cache_clear()
    cached = settings_module._this_process_settings

    def checked() -> Settings:
        settings = cached()
        if settings != Settings.from_environ(os.environ):
            raise AssertionError("the environment changed after load_settings(): call load_settings.cache_clear()")
        return settings

    monkeypatch.setattr(settings_module, "_this_process_settings", checked)
    yield
    load_settings.cache_clear()


POSTGRES_ADMIN_URL = "postgresql://root@127.0.0.1:5432/postgres"


def _postgres_database(tmp_name: str):
    """Create a throw-away PostgreSQL database; skip (with the reason) when PostgreSQL is not reachable."""
    import sqlalchemy as sa

    try:
        admin = sa.create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 3})
        with admin.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{tmp_name}"')
    except Exception as exc:  # noqa: BLE001 - any failure means: not reachable here
        pytest.skip(f"PostgreSQL not reachable at 127.0.0.1:5432 ({type(exc).__name__})")
    return admin


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path):
    """A fresh, empty callback database: SQLite file, and real PostgreSQL where reachable."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'callbacks.db'}"
        return
    import uuid

    name = f"lotse_test_{uuid.uuid4().hex[:10]}"
    admin = _postgres_database(name)
    yield f"postgresql://root@127.0.0.1:5432/{name}"
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.dispose()


def _run_when_released(action: Callable[[], Any], start: Any, results: Any) -> None:
    start.wait(timeout=60)
    try:
        action()
        results.put("ok")
    except Exception as exc:  # noqa: BLE001 - reported to the test
        results.put(f"{type(exc).__name__}: {exc}")


def run_together(action: Callable[[], Any], processes: int) -> list[str]:
    """Runs `action` in `processes` forked processes released at the same moment (instances of
    Lotse starting together); "ok" or the error of each."""
    context = multiprocessing.get_context("fork")
    start, results = context.Event(), context.Queue()
    workers = [context.Process(target=_run_when_released, args=(action, start, results)) for _ in range(processes)]
    for worker in workers:
        worker.start()
    start.set()
    outcomes = [results.get(timeout=120) for _ in workers]
    for worker in workers:
        worker.join(timeout=30)
    return outcomes

# A core that every check accepts (issue #22), for answers built in tests.
VALID_CORE = {"de": "Ja.\nIhr nächster Schritt: Fragen.", "en": "Yes.\nYour next step: Ask.", "uk": "Так.\nВаш наступний крок: Запитайте."}
