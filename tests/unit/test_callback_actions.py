"""Callback actions with fixture trackers against a real SQLite callback database."""
from __future__ import annotations

import asyncio
import pytest
from rasa_sdk import Tracker
from rasa_sdk.events import FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

import actions.callbacks as callbacks
from lotse.callbacks.calendar import upcoming_windows


@pytest.fixture
def fresh_services(tmp_path, monkeypatch):
    monkeypatch.setenv("LOTSE_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("LOTSE_CALLBACK_DB_URL", f"sqlite:///{tmp_path / 'callbacks.db'}")
    monkeypatch.setattr(callbacks, "_services", None)
    return callbacks.services()


def tracker(slots: dict, message_id: str = "m1", text: str = "/affirm") -> Tracker:
    return Tracker(
        sender_id="conv-1", slots=slots,
        latest_message={"text": text, "message_id": message_id, "intent": {"name": "affirm"}, "entities": []},
        events=[], paused=False, followup_action=None, active_loop={}, latest_action_name="action_listen",
    )


def run(action, t: Tracker):
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, t, {}))
    return " ".join(m.get("text") or "" for m in dispatcher.messages), events


def confirmed_slots(window_key: str, phone: str = "+491712345678") -> dict:
    return {
        "callback_topic": "Kita", "municipality": "velen", "callback_consent": True, "callback_phone": phone,
        "callback_window": window_key, "callback_first_name": "-", "callback_confirmed": True,
    }


def test_submit_stores_once_even_when_the_action_runs_twice(fresh_services):
    window = upcoming_windows(fresh_services.now(), fresh_services.calendar)[0]
    first, _ = run(callbacks.ActionSubmitCallback(), tracker(confirmed_slots(window.key)))
    again, _ = run(callbacks.ActionSubmitCallback(), tracker(confirmed_slots(window.key)))
    code = first.split("Rückruf-Code: ")[1].split()[0]
    assert code in again  # the retried action returns the same callback
    assert fresh_services.store().seats_taken("jc_velen", [window.key]) == {window.key: 1}


def test_last_seat_taken_meanwhile_offers_other_times(fresh_services):
    window = upcoming_windows(fresh_services.now(), fresh_services.calendar)[0]
    for i in range(fresh_services.calendar.capacity_per_window):
        run(callbacks.ActionSubmitCallback(), tracker(confirmed_slots(window.key, f"+4917100000{i:02d}"), message_id=f"x{i}"))
    text, events = run(callbacks.ActionSubmitCallback(), tracker(confirmed_slots(window.key, "+491719999999"), message_id="late"))
    assert "gerade vergeben" in text
    assert SlotSet("callback_window", None) in events and FollowupAction("callback_form") in events
    offered = callbacks.free_windows(fresh_services, "jc_velen", upcoming_windows(fresh_services.now(), fresh_services.calendar))
    assert window.key not in [w.key for w in offered]


def test_database_down_stores_nothing_and_says_so(fresh_services, monkeypatch):
    window = upcoming_windows(fresh_services.now(), fresh_services.calendar)[0]

    def unavailable():
        raise callbacks.StoreUnavailable("down")

    monkeypatch.setattr(fresh_services, "store", unavailable)
    text, events = run(callbacks.ActionSubmitCallback(), tracker(confirmed_slots(window.key)))
    assert "nichts eingetragen" in text and "02861 681-100" in text
    assert SlotSet("callback_confirmed", None) in events


def test_window_validation_explains_holidays_and_offers_buttons(fresh_services):
    dispatcher = CollectingDispatcher()
    office = fresh_services.offices.offices["jc_velen"]
    result = callbacks.validate_window("am 25.12.", dispatcher, tracker({"municipality": "velen"}), office)
    assert result["callback_window"] is None
    assert "Feiertag" in dispatcher.messages[0]["text"]
    assert dispatcher.messages[0]["buttons"]


def test_a_typed_window_key_does_not_bypass_capacity(fresh_services):
    window = upcoming_windows(fresh_services.now(), fresh_services.calendar)[0]
    for i in range(fresh_services.calendar.capacity_per_window):
        run(callbacks.ActionSubmitCallback(), tracker(confirmed_slots(window.key, f"+4917100001{i:02d}"), message_id=f"y{i}"))
    office = fresh_services.offices.offices["jc_velen"]
    result = callbacks.validate_window(window.key, CollectingDispatcher(), tracker({"municipality": "velen"}), office)
    assert result["callback_window"] != window.key


def test_a_window_chosen_before_is_accepted_again_when_the_form_starts_again(fresh_services):
    window = upcoming_windows(fresh_services.now(), fresh_services.calendar)[0]
    dispatcher = CollectingDispatcher()
    office = fresh_services.offices.offices["jc_velen"]
    result = callbacks.validate_window(window.key, dispatcher, tracker({"municipality": "velen"}), office)
    assert result["callback_window"] == window.key and dispatcher.messages == []
