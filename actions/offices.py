"""Office finder: the right jobcenter, Jugendamt or Agentur office for where the user lives."""
from __future__ import annotations

from datetime import datetime
from typing import Any, Dict, List, Text
from zoneinfo import ZoneInfo

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.i18n import texts
from lotse.core.settings import load_settings
from lotse.knowledge.office_answers import reply_for
from lotse.knowledge.offices import load_gazetteer, load_office_data
from lotse.knowledge.places import Resolution, resolve


def _resolution_from_message(message: Dict[str, Any], gazetteer) -> Resolution:
    for entity in message.get("entities") or []:
        if entity.get("entity") == "municipality" and entity.get("value"):
            return Resolution("found", municipality=str(entity["value"]))
    text = message.get("text") or ""
    if text.startswith("/"):
        return Resolution("none")
    return resolve(text, gazetteer)


class ActionFindOffice(Action):
    def name(self) -> Text:
        return "action_find_office"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        settings = load_settings()
        data = load_office_data(settings.content_dir)
        gazetteer = load_gazetteer(settings.content_dir)
        message = tracker.latest_message or {}
        resolution = _resolution_from_message(message, gazetteer)
        now = datetime.now(ZoneInfo(settings.timezone))
        reply = reply_for(data, resolution, tracker.get_slot("municipality"), message.get("text") or "", now, texts(tracker))
        dispatcher.utter_message(text=reply.text, buttons=reply.buttons or None)
        if reply.municipality:
            return [SlotSet("municipality", reply.municipality), SlotSet("jugendamt_area", reply.jugendamt_area)]
        return []
