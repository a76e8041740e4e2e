"""Callbacks: book, confirm, change and cancel a call from jobcenter staff.

The form asks only for what is missing (topic and town are taken from the conversation when
known). Phone numbers, time windows and reference codes are checked by the pure functions in
lotse.callbacks.phone, lotse.callbacks.timeparse and lotse.callbacks.store; the database enforces idempotency and
window capacity. Nothing is stored before the user has consented and confirmed the read-back.

Every database call (and the first, which opens and migrates the database) blocks, so the async
actions and validators run it in a worker thread (`asyncio.to_thread`): one slow query must not
hold up every other conversation of the action server.
"""
from __future__ import annotations

import asyncio
import json
import logging
import threading
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Dict, List, Optional, Text
from zoneinfo import ZoneInfo

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.i18n import texts
from lotse.callbacks.calendar import CalendarConfig, Window, load_calendar_config, upcoming_windows, window_from_key
from lotse.callbacks.phone import parse_phone
from lotse.callbacks.store import Booking, CallbackStore, NotFound, StoreUnavailable, WindowFull, normalise_reference
from lotse.callbacks.timeparse import match
from lotse.core.settings import Settings, load_settings
from lotse.core.yamlfiles import load_yaml
from lotse.directory.overlay import office_data_now
from lotse.knowledge.office_answers import switchboard_phone
from lotse.knowledge.offices import OfficeData, load_gazetteer, load_office_data
from lotse.knowledge.places import resolve
from lotse.knowledge.situation_text import TOPIC_CHARS
from lotse.language.messages import Messages

log = logging.getLogger(__name__)

FORM_SLOTS = (
    "callback_topic", "callback_consent", "callback_phone", "callback_window",
    "callback_first_name", "callback_confirmed", "callback_failures",
)
MAX_FAILURES = 4
HINT_AFTER_FAILURES = 2
BUTTONS_OFFERED = 4
# "Ich heiße Anna" / "My name is Anna" / "Мене звати Анна": the name without the phrase.
NAME_PREFIXES = (
    "ich heiße", "ich heisse", "mein name ist", "ich bin", "my name is", "i am", "i'm", "call me",
    "мене звати", "моє ім'я", "моє імя", "я",
)
NO_NAME_ANSWERS = (
    "nein", "weiter", "ohne", "ohne namen", "keine angabe", "no", "no name", "skip", "continue without name",
    "ні", "без імені", "далі", "пропустити",
)

# A bot message whose metadata has this key names the topic of a callback asked for after it.
TOPIC_KEY = "callback_topic"


@dataclass
class Services:
    settings: Settings
    calendar: CalendarConfig
    offices: OfficeData
    _store: Optional[CallbackStore] = None
    _opening: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def store(self) -> CallbackStore:
        """The callback database, opened (and migrated) on first use; retried after a failure.
        Blocking: async code calls it in a worker thread, and the lock keeps two threads from
        opening it twice."""
        with self._opening:
            if self._store is None:
                pool = self.settings.db_pool
                self._store = CallbackStore.open(
                    self.settings.callback_db_url, self.calendar.capacity_per_window, pool.size, pool.max_overflow
                )
            return self._store

    def now(self) -> datetime:
        return datetime.now(ZoneInfo(self.settings.timezone))

    def switchboard_phone(self, t: Messages) -> str:
        """The switchboard's number for the error texts, as the office answers give it: offices.yml with
        the directory entries confirmed in the console (lotse.directory.overlay.office_data_now). Blocking."""
        return switchboard_phone(office_data_now(self.settings), t)


_services: Optional[Services] = None


def services() -> Services:
    global _services
    settings = load_settings()
    offices = load_office_data(settings.content_dir)
    calendar = load_calendar_config(Path(settings.content_dir) / "callbacks.yml")
    if _services is None or _services.settings != settings:
        _services = Services(settings, calendar, offices)
    else:  # reference data may have been edited on disk: take the fresh copies
        _services.calendar, _services.offices = calendar, offices
    return _services


def topic_labels(settings: Settings, language: str) -> Dict[str, str]:
    labels = load_yaml(Path(settings.content_dir) / "labels.yml")["labels"]
    return {intent: value.get(language) or value["de"] for intent, value in labels.items()}


def office_for(svc: Services, municipality: Optional[str]) -> Optional[Dict[str, Any]]:
    m = svc.offices.municipalities.get(municipality or "")
    return svc.offices.offices[m["jobcenter"]] if m else None


def stop_button(t: Messages) -> Dict[str, str]:
    return {"title": t("button_stop"), "payload": "/stop"}


def window_button(window: Window, t: Messages) -> Dict[str, str]:
    return {"title": window.label(t), "payload": "/inform" + json.dumps({"callback_window": window.key})}


def free_windows(svc: Services, office_id: str, candidates: List[Window]) -> List[Window]:
    try:
        taken = svc.store().seats_taken(office_id, [w.key for w in candidates])
    except StoreUnavailable:
        return candidates  # capacity is enforced again when booking
    return [w for w in candidates if taken.get(w.key, 0) < svc.calendar.capacity_per_window]


def payload_value(text: str, key: str) -> Optional[str]:
    if text.startswith("/") and "{" in text:
        try:
            return json.loads(text[text.index("{"):]).get(key)
        except (ValueError, AttributeError):
            return None
    return None


def failure_events(dispatcher: CollectingDispatcher, tracker: Tracker, explanation: str, buttons=None) -> Dict[str, Any]:
    """Count a failed answer; explain, and after repeated failures offer to stop."""
    failures = int(tracker.get_slot("callback_failures") or 0) + 1
    if failures >= HINT_AFTER_FAILURES:
        t = texts(tracker)
        explanation += " " + t("try_again_or_stop")
        buttons = (buttons or []) + [stop_button(t)]
    dispatcher.utter_message(text=explanation, buttons=buttons or None)
    return {"callback_failures": float(failures)}


def reset_events(keep_reference: bool = False) -> List[EventType]:
    events = [SlotSet(slot, None) for slot in FORM_SLOTS if slot != "callback_failures"]
    events.append(SlotSet("callback_failures", 0.0))
    if not keep_reference:
        events.append(SlotSet("callback_reference", None))
    return events


class ValidateCallbackForm(FormValidationAction):
    def name(self) -> Text:
        return "validate_callback_form"

    async def required_slots(
        self, domain_slots: List[Text], dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[Text]:
        if tracker.get_slot("callback_consent") is False:
            return []
        if (tracker.get_slot("callback_failures") or 0) >= MAX_FAILURES:
            return []
        return domain_slots

    async def extract_callback_topic(self, dispatcher, tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        if tracker.get_slot("callback_topic"):
            return {}
        labels = topic_labels(services().settings, texts(tracker).language)
        for event in reversed(tracker.events):
            # A bot message may name the topic of a callback after it (the situation check's list does).
            if event.get("event") == "bot" and (event.get("metadata") or {}).get(TOPIC_KEY):
                return {"callback_topic": str(event["metadata"][TOPIC_KEY])[:TOPIC_CHARS]}
            if event.get("event") != "user":
                continue
            intent = ((event.get("parse_data") or {}).get("intent") or {}).get("name", "")
            if intent.startswith("ask_") and intent != "ask_office" or intent == "express_distress":
                return {"callback_topic": labels.get(intent, intent)}
        return {}

    async def extract_callback_window(self, dispatcher, tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        """"Bitte Rückruf heute nach 14 Uhr": the opening message may already name the time."""
        latest = tracker.latest_message or {}
        if tracker.active_loop.get("name") or (latest.get("intent") or {}).get("name") != "request_callback":
            return {}
        svc = services()
        result = match(latest.get("text") or "", svc.now(), svc.calendar)
        if result.status == "ok":
            return {"callback_window": latest.get("text")}
        return {}

    def validate_callback_topic(self, value: Any, dispatcher, tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        topic = str(value or "").strip()
        if not topic or topic.startswith("/"):
            return {"callback_topic": None}
        return {"callback_topic": topic[:TOPIC_CHARS]}

    def validate_municipality(self, value: Any, dispatcher, tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        svc = services()
        t = texts(tracker)
        if value in svc.offices.municipalities:
            return {"municipality": value}
        result = resolve(str(value or ""), load_gazetteer(svc.settings.content_dir))
        if result.status == "found":
            area = svc.offices.municipalities[result.municipality].get("jugendamt_area")
            return {"municipality": result.municipality, "jugendamt_area": area}
        if result.status == "ambiguous":
            names = svc.offices.municipalities
            buttons = [
                {"title": names[c]["name"], "payload": "/inform_place" + json.dumps({"municipality": c})} for c in result.candidates
            ]
            dispatcher.utter_message(text=t("which_place"), buttons=buttons)
            return {"municipality": None}
        if result.status == "outside":
            dispatcher.utter_message(text=t("callback_only_in_district"))
            return {"municipality": None, **failure_events(dispatcher, tracker, t("callback_name_your_town"))}
        return {"municipality": None, **failure_events(dispatcher, tracker, t("callback_unknown_place"))}

    def validate_callback_consent(self, value: Any, dispatcher, tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        return {"callback_consent": bool(value)}

    def validate_callback_phone(self, value: Any, dispatcher, tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        result = parse_phone(str(value or ""))
        if result.ok:
            return {"callback_phone": result.e164, "callback_failures": 0.0}
        t = texts(tracker)
        key = {"missing": "phone_missing", "not_callable": "phone_not_callable"}.get(result.problem or "", "phone_invalid")
        explanation = t(key) + " " + t("phone_example")
        return {"callback_phone": None, **failure_events(dispatcher, tracker, explanation)}

    async def validate_callback_window(self, value: Any, dispatcher, tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        office = office_for(services(), tracker.get_slot("municipality"))
        return await asyncio.to_thread(validate_window, value, dispatcher, tracker, office)

    def validate_callback_first_name(self, value: Any, dispatcher, tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        name = str(value or "").strip()
        for prefix in NAME_PREFIXES:
            if name.lower().startswith(prefix + " "):
                name = name[len(prefix):].strip()
        if name in ("-", "") or name.lower() in NO_NAME_ANSWERS:
            return {"callback_first_name": "-"}
        if len(name) > 40 or any(ch.isdigit() for ch in name) or name.startswith("/"):
            dispatcher.utter_message(text=texts(tracker)("first_name_hint"))
            return {"callback_first_name": None}
        return {"callback_first_name": name}

    def validate_callback_confirmed(self, value: Any, dispatcher, tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        if value is True:
            return {"callback_confirmed": True}
        dispatcher.utter_message(text=texts(tracker)("callback_ask_again"))
        return {"callback_confirmed": None, "callback_phone": None, "callback_window": None}


def validate_window(value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, office: Optional[Dict[str, Any]]) -> Dict[Text, Any]:
    svc = services()
    t = texts(tracker)
    text = str(value or "")
    if office is None:
        dispatcher.utter_message(text=t("callback_need_place_first"))
        return {"callback_window": None}
    # A button payload, or a window chosen before: the form validates filled slots again when it
    # starts again (e.g. "Rückruf" after the database was down), and must not reject its own key.
    key = payload_value(text, "callback_window") or (text if window_from_key(text, svc.calendar) else None)
    now = svc.now()
    if key:
        window = window_from_key(key, svc.calendar)
        candidates = [window] if window and window.key in {w.key for w in upcoming_windows(now, svc.calendar)} else []
        status, message = ("ok", "") if candidates else ("too_soon", t("window_gone"))
    else:
        result = match(text, now, svc.calendar)
        status, message, candidates = result.status, result.message(t), result.windows
    free = free_windows(svc, office["id"], candidates)
    if status == "ok" and free:
        return {"callback_window": free[0].key, "callback_failures": 0.0}
    if status == "ok":
        message = t("window_full")
    alternatives = free_windows(svc, office["id"], upcoming_windows(now, svc.calendar))[:BUTTONS_OFFERED]
    message = (message + " " + t("window_free_times")).strip()
    return {"callback_window": None, **failure_events(dispatcher, tracker, message, [window_button(w, t) for w in alternatives])}


class ActionAskCallbackConsent(Action):
    def name(self) -> Text:
        return "action_ask_callback_consent"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        t = texts(tracker)
        dispatcher.utter_message(
            text=t("callback_consent", days=services().settings.phone_retention_days),
            buttons=[{"title": t("button_yes_agree"), "payload": "/affirm"}, {"title": t("button_no"), "payload": "/deny"}],
        )
        return []


class ActionAskCallbackWindow(Action):
    def name(self) -> Text:
        return "action_ask_callback_window"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        svc = services()
        office = office_for(svc, tracker.get_slot("municipality"))
        if tracker.active_loop.get("name") == "callback_change_form":
            office = await asyncio.to_thread(office_of_reference, svc, tracker.get_slot("callback_reference")) or office
        windows = upcoming_windows(svc.now(), svc.calendar)
        if office:
            windows = await asyncio.to_thread(free_windows, svc, office["id"], windows)
        t = texts(tracker)
        dispatcher.utter_message(
            text=t("callback_ask_window"), buttons=[window_button(w, t) for w in windows[:BUTTONS_OFFERED]] or None
        )
        return []


def office_of_reference(svc: Services, reference: Optional[str]) -> Optional[Dict[str, Any]]:
    if not reference:
        return None
    try:
        callback = svc.store().find(reference)
    except StoreUnavailable:
        return None
    return svc.offices.offices.get(callback.office_id) if callback else None


def describe(window: Window, phone_display: Optional[str], office: Dict[str, Any], t: Messages) -> str:
    when = window.label(t)
    summary = t("callback_summary_phone", when=when, phone=phone_display) if phone_display else t("callback_summary", when=when)
    return f"{summary}. {t('callback_summary_caller', office=office['name'])}"


class ActionAskCallbackConfirmed(Action):
    def name(self) -> Text:
        return "action_ask_callback_confirmed"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        svc = services()
        window = window_from_key(tracker.get_slot("callback_window") or "", svc.calendar)
        office = office_for(svc, tracker.get_slot("municipality"))
        phone = parse_phone(tracker.get_slot("callback_phone") or "")
        if not window or not office or not phone.ok:
            return [SlotSet("callback_window", None)]
        t = texts(tracker)
        lines = [t("callback_please_check"), describe(window, phone.display, office, t)]
        topic = tracker.get_slot("callback_topic")
        if topic:
            lines.append(t("callback_topic_line", topic=topic))
        lines.append(t("callback_is_that_right"))
        dispatcher.utter_message(
            text="\n".join(lines),
            buttons=[
                {"title": t("button_confirm"), "payload": "/affirm"},
                {"title": t("button_change"), "payload": "/deny"},
                stop_button(t),
            ],
        )
        return []


class ActionSubmitCallback(Action):
    def name(self) -> Text:
        return "action_submit_callback"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        svc = services()
        t = texts(tracker)
        if tracker.get_slot("callback_consent") is False:
            switchboard = await asyncio.to_thread(svc.switchboard_phone, t)
            dispatcher.utter_message(text=t("callback_no_consent", switchboard=switchboard))
            return reset_events()
        if tracker.get_slot("callback_confirmed") is not True:
            switchboard = await asyncio.to_thread(svc.switchboard_phone, t)
            dispatcher.utter_message(text=t("callback_not_booked", switchboard=switchboard))
            return reset_events()
        window = window_from_key(tracker.get_slot("callback_window") or "", svc.calendar)
        office = office_for(svc, tracker.get_slot("municipality"))
        phone = parse_phone(tracker.get_slot("callback_phone") or "")
        if not (window and office and phone.ok):
            return [SlotSet("callback_window", None), SlotSet("callback_confirmed", None), FollowupAction("callback_form")]
        first_name = tracker.get_slot("callback_first_name")
        booking = Booking(
            office_id=office["id"], municipality=tracker.get_slot("municipality"), window_key=window.key,
            window_start=window.start, window_end=window.end, phone_e164=phone.e164,
            topic=tracker.get_slot("callback_topic"), first_name=None if first_name in (None, "-") else first_name,
            language=t.language,
        )
        message_id = (tracker.latest_message or {}).get("message_id") or "na"
        key = f"{tracker.sender_id}#{message_id}"
        try:
            callback = await asyncio.to_thread(lambda: svc.store().book(booking, idempotency_key=key))
        except WindowFull:
            dispatcher.utter_message(text=t("window_just_taken"))
            return [SlotSet("callback_window", None), SlotSet("callback_confirmed", None), FollowupAction("callback_form")]
        except StoreUnavailable:
            log.warning("callback database unavailable; nothing stored")
            switchboard = await asyncio.to_thread(svc.switchboard_phone, t)
            dispatcher.utter_message(text=t("callback_store_down", switchboard=switchboard))
            return [SlotSet("callback_confirmed", None)]
        summary = describe(window, phone.display, office, t)
        dispatcher.utter_message(text=t("callback_booked", summary=summary, reference=callback.reference))
        return reset_events()


class ActionCallbackStop(Action):
    def name(self) -> Text:
        return "action_callback_stop"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        dispatcher.utter_message(text=texts(tracker)("callback_stopped"))
        return reset_events()


class ReferenceValidation:
    """Mixin for the cancel and change forms: a reference code of an open callback.

    Not an Action itself: rasa-sdk registers every Action subclass it finds."""

    async def extract_callback_reference(self, dispatcher, tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        if tracker.get_slot("callback_reference"):
            return {}
        code = normalise_reference((tracker.latest_message or {}).get("text") or "")
        return {"callback_reference": code} if code else {}

    async def validate_callback_reference(self, value: Any, dispatcher, tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        t = texts(tracker)
        code = normalise_reference(str(value or ""))
        if not code:
            return {"callback_reference": None, **failure_events(dispatcher, tracker, t("reference_invalid"))}
        try:
            callback = await asyncio.to_thread(lambda: services().store().find(code))
        except StoreUnavailable:
            switchboard = await asyncio.to_thread(services().switchboard_phone, t)
            dispatcher.utter_message(text=t("reference_store_down", switchboard=switchboard))
            return {"callback_reference": None, "callback_failures": float(MAX_FAILURES)}
        if not callback or callback.status not in ("new", "in_progress", "not_reached"):
            return {"callback_reference": None, **failure_events(dispatcher, tracker, t("reference_not_found", code=code))}
        return {"callback_reference": code, "callback_failures": 0.0}

    async def required_slots(self, domain_slots, dispatcher, tracker, domain) -> List[Text]:
        if (tracker.get_slot("callback_failures") or 0) >= MAX_FAILURES:
            return []
        return domain_slots


class ValidateCallbackCancelForm(ReferenceValidation, FormValidationAction):
    def name(self) -> Text:
        return "validate_callback_cancel_form"


class ValidateCallbackChangeForm(ReferenceValidation, FormValidationAction):
    def name(self) -> Text:
        return "validate_callback_change_form"

    async def validate_callback_window(self, value: Any, dispatcher, tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        office = await asyncio.to_thread(office_of_reference, services(), tracker.get_slot("callback_reference"))
        return await asyncio.to_thread(validate_window, value, dispatcher, tracker, office)


class ActionSubmitCancel(Action):
    def name(self) -> Text:
        return "action_submit_cancel"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        svc = services()
        t = texts(tracker)
        code = tracker.get_slot("callback_reference")
        if not code:
            dispatcher.utter_message(text=t("cancel_nothing"))
            return reset_events()
        try:
            callback = await asyncio.to_thread(lambda: svc.store().cancel(code))
        except NotFound:
            dispatcher.utter_message(text=t("reference_no_longer_open", code=code))
            return reset_events()
        except StoreUnavailable:
            switchboard = await asyncio.to_thread(svc.switchboard_phone, t)
            dispatcher.utter_message(text=t("cancel_store_down", switchboard=switchboard))
            return reset_events()
        window = window_from_key(callback.window_key, svc.calendar)
        when = window.label(t) if window else callback.window_key
        dispatcher.utter_message(text=t("cancel_done", when=when))
        return reset_events()


class ActionSubmitChange(Action):
    def name(self) -> Text:
        return "action_submit_change"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        svc = services()
        t = texts(tracker)
        code = tracker.get_slot("callback_reference")
        window = window_from_key(tracker.get_slot("callback_window") or "", svc.calendar)
        if not code or not window:
            dispatcher.utter_message(text=t("change_nothing"))
            return reset_events()
        try:
            await asyncio.to_thread(lambda: svc.store().change_window(code, window.key, window.start, window.end))
        except WindowFull:
            dispatcher.utter_message(text=t("window_just_taken"))
            return [SlotSet("callback_window", None), FollowupAction("callback_change_form")]
        except NotFound:
            dispatcher.utter_message(text=t("reference_no_longer_open", code=code))
            return reset_events()
        except StoreUnavailable:
            switchboard = await asyncio.to_thread(svc.switchboard_phone, t)
            dispatcher.utter_message(text=t("change_store_down", switchboard=switchboard))
            return reset_events()
        dispatcher.utter_message(text=t("change_done", when=window.label(t), code=code))
        return reset_events()
