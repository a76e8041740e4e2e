"""The situation check "Was steht mir zu?" (issue #23) in the action server: at most seven short
questions, each skippable ("-"), each left out when the conversation already told the answer (the
memory slots of docs/conversation.md); what the person answers is kept in those memory slots too.
The result comes from lotse.knowledge.situation (rules, amounts valid today, offices of the town)."""
from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass
from typing import Any, Dict, List, Text

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.callbacks import TOPIC_KEY
from actions.i18n import texts
from lotse.core.settings import load_settings
from lotse.directory.overlay import office_data_now
from lotse.knowledge.conversation import reply_child_ages
from lotse.knowledge.facts import answer_day, load_facts
from lotse.knowledge.offices import load_gazetteer, load_office_data
from lotse.knowledge.person import about_person, load_person_words
from lotse.knowledge.places import resolve
from lotse.knowledge.situation import entitlements, household_from_answers
from lotse.knowledge.situation_text import (
    callback_topic,
    channel_button_chars,
    channel_chars,
    print_page,
    render_messages,
)
from lotse.widget.store import PRINT_KEY

SKIPPED = "-"
# A form slot is not asked when this memory slot already holds the answer.
KNOWN_FROM = {"check_town": "municipality", "check_ages": "child_ages", "check_alone": "single_parent", "check_income": "situation"}
SITUATIONS = {"grundsicherung", "job", "alg1", "training", "none"}
MAINTENANCE = {"yes", "partly", "no"}
WANTS = {"job", "retraining", "childcare"}
_EURO = re.compile(r"(\d{2,5})(?:[.,]\d{1,2})?")
WIDGET_CHANNEL = "socketio"  # the widget's channel (lotse/rasa_server/channels/secure_socketio.py) gets the page to print


def _skipped(value: Any) -> bool:
    return value == SKIPPED


class ValidateSituationForm(FormValidationAction):
    def name(self) -> Text:
        return "validate_situation_form"

    async def required_slots(
        self, domain_slots: List[Text], dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[Text]:
        return [s for s in domain_slots if not tracker.get_slot(KNOWN_FROM.get(s, ""))]

    def validate_check_town(self, value: Any, dispatcher, tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        if _skipped(value):
            return {"check_town": SKIPPED}
        content_dir = load_settings().content_dir
        found = resolve(str(value or ""), load_gazetteer(content_dir))
        municipalities = load_office_data(content_dir).municipalities
        if found.status != "found" or found.municipality not in municipalities:
            return {"check_town": None}  # asked again; "Überspringen" moves on
        area = municipalities[found.municipality].get("jugendamt_area")
        return {"check_town": found.municipality, "municipality": found.municipality, "jugendamt_area": area}

    def validate_check_ages(self, value: Any, dispatcher, tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        if _skipped(value):
            return {"check_ages": SKIPPED}
        ages = reply_child_ages(str(value or ""))
        if not ages:
            return {"check_ages": None}
        return {"check_ages": "given", "child_ages": [f"{round(a, 2):g}" for a in ages]}

    def validate_check_alone(self, value: Any, dispatcher, tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        if value in ("yes", "no"):
            return {"check_alone": value, "single_parent": value}
        return {"check_alone": SKIPPED}

    def validate_check_income(self, value: Any, dispatcher, tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        if _skipped(value):
            return {"check_income": SKIPPED}
        situation = value if value in SITUATIONS else about_person(str(value or ""), load_person_words(load_settings().content_dir)).get("situation")
        if not situation:
            return {"check_income": None}
        return {"check_income": situation, "situation": situation}

    def validate_check_maintenance(self, value: Any, dispatcher, tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        return {"check_maintenance": value if value in MAINTENANCE else SKIPPED}

    def validate_check_rent(self, value: Any, dispatcher, tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        match = _EURO.search(str(value or "")) if not _skipped(value) else None
        return {"check_rent": match.group(1) if match else SKIPPED}

    def validate_check_wants(self, value: Any, dispatcher, tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        return {"check_wants": value if value in WANTS else SKIPPED}


@dataclass(frozen=True)
class SituationResult:
    """What the check answers: the list in messages for this channel, the topic of a callback after it,
    and, for the widget, the list as data for its page to print."""

    messages: list[str]
    topic: str
    page: dict[str, Any] | None


def situation_result(tracker: Tracker, language: str) -> SituationResult:
    """The list for the household the slots describe (lotse.knowledge.situation), in messages that fit
    the channel the person writes on (never an item cut in two)."""
    settings = load_settings()
    slot = tracker.get_slot
    household = household_from_answers(
        slot("municipality"), slot("child_ages"), slot("single_parent"), slot("situation"),
        slot("check_maintenance"), slot("check_rent"), slot("check_wants"),
    )
    day = answer_day()
    items = entitlements(household, day, load_facts(settings.content_dir), office_data_now(settings))
    channel = tracker.get_latest_input_channel()
    messages = render_messages(items, language, day, max_chars=channel_chars(channel), content_dir=settings.content_dir,
                               last_max_chars=channel_button_chars(channel))
    page = print_page(items, language, day, settings.content_dir) if channel == WIDGET_CHANNEL else None
    return SituationResult(messages, callback_topic(items, language, settings.content_dir), page)


class ActionSituationResult(Action):
    """The personal list: one item per support that applies, with amount, office, how to apply, source."""

    def name(self) -> Text:
        return "action_situation_result"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        t = texts(tracker)
        result = await asyncio.to_thread(situation_result, tracker, t.language)
        for text in result.messages[:-1]:
            dispatcher.utter_message(text=text)
        extra: Dict[str, Any] = {TOPIC_KEY: result.topic}
        if result.page is not None:
            extra[PRINT_KEY] = result.page
        dispatcher.utter_message(
            text=result.messages[-1], buttons=[{"title": t("office_button_callback"), "payload": "/request_callback"}], **extra
        )
        return [SlotSet(slot, None) for slot in ("check_town", "check_ages", "check_alone", "check_income", "check_maintenance", "check_rent", "check_wants")]
