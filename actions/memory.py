"""Conversation memory in the action server: "vergiss meine Angaben" forgets what the person said
about themselves (town, children's ages, the office in question) for the rest of the conversation."""
from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from lotse.knowledge.conversation import MEMORY_SLOTS


class ActionForgetDetails(Action):
    def name(self) -> Text:
        return "action_forget_details"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        dispatcher.utter_message(response="utter_forgot_details")
        return [SlotSet(slot, None) for slot in MEMORY_SLOTS]
