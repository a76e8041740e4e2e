"""Office finder: the right jobcenter, Jugendamt or Agentur office for where the user lives."""
from __future__ import annotations

import asyncio
import logging
from datetime import datetime
from typing import Any, Dict, List, Text
from zoneinfo import ZoneInfo

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.i18n import texts
from lotse.core.settings import Settings, load_settings
from lotse.directory.overlay import overlay_for
from lotse.knowledge.office_answers import reply_for
from lotse.knowledge.office_requests import OFFICE_TYPES, office_type_of
from lotse.knowledge.offices import OfficeData, load_gazetteer, load_office_data
from lotse.knowledge.places import Resolution, resolve

log = logging.getLogger(__name__)


def office_data_now(settings: Settings) -> OfficeData:
    """offices.yml with the directory entries confirmed in the console (re-read within seconds of a
    change); offices.yml alone when Lotse's database cannot be opened. Blocking."""
    data = load_office_data(settings.content_dir)
    try:
        return overlay_for(settings.callback_db_url, 1, 1).apply(data)  # one query every few seconds at most
    except Exception as error:  # the database is down at start: answer from offices.yml
        log.warning("office directory unavailable (%s); answering from offices.yml", type(error).__name__)
        return data


def _resolution_from_message(message: Dict[str, Any], gazetteer) -> Resolution:
    """The place of the latest message: the NLU entity (a button's payload too), with the district or
    postal code the user wrote ("Nienborg (Heek)") when the text names the same municipality."""
    text = message.get("text") or ""
    written = Resolution("none") if text.startswith("/") else resolve(text, gazetteer)
    for entity in message.get("entities") or []:
        if entity.get("entity") == "municipality" and entity.get("value"):
            if written.status == "found" and written.municipality == str(entity["value"]):
                return written
            return Resolution("found", municipality=str(entity["value"]))
    return written


def _office_type(tracker: Tracker) -> str | None:
    """The office asked for: named in the latest message (NLU entity `office_type`, else its words);
    a message that names none right after an office answer ("und in Gronau?") keeps that office."""
    message = tracker.latest_message or {}
    for entity in message.get("entities") or []:
        if entity.get("entity") == "office_type" and entity.get("value") in OFFICE_TYPES:
            return str(entity["value"])
    named = office_type_of(message.get("text") or "")
    if named:
        return named
    remembered = tracker.get_slot("office_type")
    return remembered if remembered in OFFICE_TYPES and _follows_office_answer(tracker) else None


def _follows_office_answer(tracker: Tracker) -> bool:
    """True when the bot's last action before the latest message was the office finder."""
    seen_user = False
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            if seen_user:
                return False
            seen_user = True
        elif seen_user and event.get("event") == "action" and event.get("name") not in ("action_listen", None):
            return event.get("name") == "action_find_office"
    return False


class ActionFindOffice(Action):
    def name(self) -> Text:
        return "action_find_office"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        settings = load_settings()
        data = await asyncio.to_thread(office_data_now, settings)
        gazetteer = load_gazetteer(settings.content_dir)
        message = tracker.latest_message or {}
        resolution = _resolution_from_message(message, gazetteer)
        now = datetime.now(ZoneInfo(settings.timezone))
        reply = reply_for(
            data, resolution, tracker.get_slot("municipality"), message.get("text") or "", now, texts(tracker),
            _office_type(tracker),
        )
        dispatcher.utter_message(text=reply.text, buttons=reply.buttons or None)
        if reply.municipality:
            return [
                SlotSet("municipality", reply.municipality),
                SlotSet("jugendamt_area", reply.jugendamt_area),
                SlotSet("office_type", reply.office_type),
            ]
        return []
