"""The callback error texts name the switchboard as the office answers do: offices.yml with the
directory entries confirmed in the console, so a confirmed change reaches those texts too."""
from __future__ import annotations

import asyncio
from datetime import datetime, timezone

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

import actions.callbacks as callbacks
from lotse.callbacks.calendar import upcoming_windows
from lotse.core.settings import load_settings
from lotse.database.engine import make_engine
from lotse.database.migrations import migrate
from lotse.directory import overlay, store

NOW = datetime(2026, 12, 7, 9, 0, tzinfo=timezone.utc)
CONFIRMED = "02861 681-4711"  # a test value confirmed by two admins, not a real number


@pytest.fixture
def fresh_services(tmp_path, monkeypatch):
    monkeypatch.setenv("LOTSE_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("LOTSE_CALLBACK_DB_URL", f"sqlite:///{tmp_path / 'callbacks.db'}")
    load_settings.cache_clear()
    monkeypatch.setattr(callbacks, "_services", None)
    monkeypatch.setattr(overlay, "_sources", {})
    yield callbacks.services()
    load_settings.cache_clear()


def confirm_switchboard_phone(url: str) -> None:
    migrate(url)
    engine = make_engine(url)
    [entry] = store.propose(engine, [store.Proposal("kreis_borken", "phone", CONFIRMED, "Telefonat mit der Zentrale", "2026-12-03")],
                            "a.admin", {"kreis_borken"}, now=NOW)
    store.decide(engine, entry.id, True, "b.admin", NOW)
    engine.dispose()


def submit_while_the_store_is_down(svc, monkeypatch, language: str) -> str:
    def unavailable():
        raise callbacks.StoreUnavailable("down")

    monkeypatch.setattr(svc, "store", unavailable)
    window = upcoming_windows(svc.now(), svc.calendar)[0]
    slots = {"callback_topic": "Kita", "municipality": "velen", "callback_consent": True, "callback_phone": "+491712345678",
             "callback_window": window.key, "callback_first_name": "-", "callback_confirmed": True, "language": language}
    t = Tracker(sender_id="conv-1", slots=slots, latest_message={"text": "/affirm", "message_id": "m1", "intent": {"name": "affirm"}, "entities": []},
                events=[], paused=False, followup_action=None, active_loop={}, latest_action_name="action_listen")
    dispatcher = CollectingDispatcher()
    asyncio.run(callbacks.ActionSubmitCallback().run(dispatcher, t, {}))
    return " ".join(m.get("text") or "" for m in dispatcher.messages)


def test_without_a_confirmed_entry_the_switchboard_of_offices_yml_is_named_with_its_date(fresh_services, monkeypatch):
    text = submit_while_the_store_is_down(fresh_services, monkeypatch, "de")
    assert "nichts eingetragen" in text
    assert "02861 681-100 (laut kreis-borken.de, Stand 2021)" in text


@pytest.mark.parametrize("language, stamp", [
    ("de", "(laut Angabe der Stelle, Stand 03.12.2026)"),
    ("en", "(according to the office itself, as of 03.12.2026)"),
    ("uk", "(за даними самої установи, станом на 03.12.2026)"),
])
def test_a_switchboard_number_confirmed_in_the_console_reaches_the_callback_error_text(fresh_services, monkeypatch, language, stamp):
    confirm_switchboard_phone(fresh_services.settings.callback_db_url)
    text = submit_while_the_store_is_down(fresh_services, monkeypatch, language)
    assert f"{CONFIRMED} {stamp}" in text
    assert "681-100" not in text


def test_declined_consent_names_the_confirmed_switchboard_too(fresh_services):
    confirm_switchboard_phone(fresh_services.settings.callback_db_url)
    t = Tracker(sender_id="conv-2", slots={"callback_consent": False, "language": "en"}, latest_message={"text": "/deny"},
                events=[], paused=False, followup_action=None, active_loop={}, latest_action_name="action_listen")
    dispatcher = CollectingDispatcher()
    asyncio.run(callbacks.ActionSubmitCallback().run(dispatcher, t, {}))
    assert CONFIRMED in dispatcher.messages[0]["text"] and "will not store anything" in dispatcher.messages[0]["text"]
