"""Callback actions with fixture trackers against a real SQLite callback database."""
from __future__ import annotations

import asyncio
import threading

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


def test_store_calls_run_off_the_event_loop(fresh_services, monkeypatch):
    """Opening the store and every query block: the async actions and validators run them in a
    worker thread, never on the action server's event loop."""
    window = upcoming_windows(fresh_services.now(), fresh_services.calendar)[0]
    opened = fresh_services.store
    threads: list[int] = []

    def store():
        threads.append(threading.get_ident())
        return opened()

    monkeypatch.setattr(fresh_services, "store", store)

    async def every_store_use() -> int:
        dispatcher = CollectingDispatcher()
        await callbacks.ActionSubmitCallback().run(dispatcher, tracker(confirmed_slots(window.key)), {})
        code = dispatcher.messages[0]["text"].split("Rückruf-Code: ")[1].split()[0]
        change = tracker({"callback_reference": code, "municipality": "velen"})
        change.active_loop = {"name": "callback_change_form"}
        await callbacks.ActionAskCallbackWindow().run(CollectingDispatcher(), change, {})
        await callbacks.ValidateCallbackCancelForm().validate_callback_reference(code, CollectingDispatcher(), change, {})
        await callbacks.ValidateCallbackChangeForm().validate_callback_window(window.key, CollectingDispatcher(), change, {})
        await callbacks.ValidateCallbackForm().validate_callback_window(window.key, CollectingDispatcher(), change, {})
        await callbacks.ActionSubmitChange().run(CollectingDispatcher(), tracker({"callback_reference": code, "callback_window": window.key}), {})
        await callbacks.ActionSubmitCancel().run(CollectingDispatcher(), tracker({"callback_reference": code}), {})
        return threading.get_ident()

    loop_thread = asyncio.run(every_store_use())
    assert len(threads) >= 8 and loop_thread not in threads


@pytest.mark.parametrize("action, slots, reply", [
    (callbacks.ActionSubmitCancel, {"callback_reference": "K7M-4PX"}, "nicht absagen"),
    (callbacks.ActionSubmitChange, {"callback_reference": "K7M-4PX", "callback_window": "WINDOW"}, "nicht ändern"),
])
def test_database_down_on_cancel_or_change_says_so(fresh_services, monkeypatch, action, slots, reply):
    window = upcoming_windows(fresh_services.now(), fresh_services.calendar)[0]

    def unavailable():
        raise callbacks.StoreUnavailable("down")

    monkeypatch.setattr(fresh_services, "store", unavailable)
    slots = {k: window.key if v == "WINDOW" else v for k, v in slots.items()}
    text, events = run(action(), tracker(slots))
    assert reply in text and "02861 681-100" in text
    assert SlotSet("callback_reference", None) in events


def test_database_down_on_a_reference_code_says_so(fresh_services, monkeypatch):
    def unavailable():
        raise callbacks.StoreUnavailable("down")

    monkeypatch.setattr(fresh_services, "store", unavailable)
    dispatcher = CollectingDispatcher()
    result = asyncio.run(callbacks.ValidateCallbackCancelForm().validate_callback_reference("K7M-4PX", dispatcher, tracker({}), {}))
    assert result == {"callback_reference": None, "callback_failures": float(callbacks.MAX_FAILURES)}
    assert "nicht abrufen" in dispatcher.messages[0]["text"]
