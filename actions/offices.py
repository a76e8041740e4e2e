"""Office finder: the right jobcenter, Jugendamt or Agentur office for where the user lives."""
from __future__ import annotations

import asyncio
import logging
from dataclasses import replace
from datetime import datetime
from typing import Any, Dict, List, Text
from zoneinfo import ZoneInfo

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.callbacks import topic_labels
from actions.i18n import texts
from lotse.core.settings import Settings, load_settings
from lotse.directory.overlay import office_data_now
from lotse.knowledge.conversation import (
    Context,
    answers_index,
    context_of,
    from_rasa_events,
    message_of,
    next_step,
    office_kind_in,
    split_at_last_user,
)
from lotse.knowledge.followups import UNKNOWN, Followups, load_followups
from lotse.knowledge.office_answers import OfficeReply, aspect_reply, reply_for
from lotse.knowledge.office_requests import OFFICE_TYPES
from lotse.knowledge.offices import load_gazetteer
from lotse.knowledge.places import Resolution, resolve
from lotse.language.messages import Messages

log = logging.getLogger(__name__)


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


def _named_office(message: Dict[str, Any]) -> str | None:
    """The office the latest message names: the NLU entity `office_type` (also from a button's payload)."""
    for entity in message.get("entities") or []:
        if entity.get("entity") == "office_type" and entity.get("value") in OFFICE_TYPES:
            return str(entity["value"])
    return None


def _context(tracker: Tracker, followups: Followups) -> Context:
    _, before = split_at_last_user(reversed(from_rasa_events(tracker.events)))
    return context_of(before, followups)


def _unknown_reply(topic_label: str, responsible: str | None, office: OfficeReply | None, t: Messages) -> OfficeReply:
    """No verified answer to this aspect: say so, and who can answer it."""
    lines = [t("followup_unknown", topic=topic_label)]
    if responsible:
        lines.append(t("followup_ask_responsible", office=responsible))
        return OfficeReply("\n".join(lines))
    lines.append(t("followup_ask_office"))
    assert office is not None
    return replace(office, text="\n".join([*lines, office.text]))


class ActionFindOffice(Action):
    """The office for the person's town: the one a message names, else "that office" of the
    conversation's topic (content/followups.yml); for a follow-up, the field asked about."""

    def name(self) -> Text:
        return "action_find_office"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        settings = load_settings()
        data = await asyncio.to_thread(office_data_now, settings)
        gazetteer = load_gazetteer(settings.content_dir)
        followups = load_followups(settings.content_dir)
        message = tracker.latest_message or {}
        context = _context(tracker, followups)
        named = _named_office(message)
        kind = named or office_kind_in(context, followups, tracker.get_slot("office_kind"))
        topic = followups.topics.get(context.topic or "")
        # "that office" of a training topic is the Agentur's training advice, not its ALG I desk
        role = topic.office_role if topic is not None and not named and topic.office == kind else None
        step = next_step(message_of(message), context, followups, answers_index(settings.content_dir))
        resolution = _resolution_from_message(message, gazetteer)
        now = datetime.now(ZoneInfo(settings.timezone))
        t = texts(tracker)
        reply = reply_for(data, resolution, tracker.get_slot("municipality"), message.get("text") or "", now, t, kind, role)
        aspect = step.aspect if step is not None and step.action == self.name() else None
        if aspect and topic is not None and topic.responsible and aspect == "apply":
            reply = OfficeReply(t("followup_apply_at", office=topic.responsible.get(t.language) or topic.responsible["de"]))
        elif aspect and topic is not None and topic.target(aspect).kind == UNKNOWN:
            label = _topic_label(context.topic or "", settings, t)
            responsible = topic.responsible.get(t.language) if topic.responsible else None
            reply = _unknown_reply(label, responsible, None if responsible else reply, t)
        elif aspect and reply.municipality:
            reply = aspect_reply(data, reply.municipality, kind, aspect, now, t, role)
        elif aspect:  # the town is not known yet: say which office, and ask for the town
            reply = OfficeReply(f"{t('office_responsible_' + kind)}\n{reply.text}", reply.buttons)
        dispatcher.utter_message(text=reply.text, buttons=reply.buttons or None)
        if reply.municipality:
            return [
                SlotSet("municipality", reply.municipality),
                SlotSet("jugendamt_area", reply.jugendamt_area),
                SlotSet("office_kind", reply.kind or kind),
            ]
        return []


def _topic_label(answer_id: str, settings: Settings, t: Messages) -> str:
    """The readable name of a topic: its intent's label (content/labels.yml)."""
    intent = next((i for i, a in answers_index(settings.content_dir).by_intent.items() if a == answer_id), None)
    return topic_labels(settings, t.language).get(intent or "", answer_id)
