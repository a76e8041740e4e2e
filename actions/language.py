"""Switching the conversation's language ("English please", "українською", "auf Deutsch").

NLU has already set the `language` slot when the message named a language; this action confirms
the switch in the new language, or asks which language when none was named ("change language").
"""
from __future__ import annotations

import json
from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.i18n import texts
from lotse.language.languages import LANGUAGE_NAMES, LANGUAGES, requested_language


def language_buttons() -> List[Dict[str, str]]:
    return [
        {"title": LANGUAGE_NAMES[language], "payload": "/switch_language" + json.dumps({"language": language})}
        for language in LANGUAGES
    ]


def named_language(tracker: Tracker) -> str | None:
    """The language the user chose: a language button, or named in the words of the message.
    ("Ich verstehe kein Deutsch" names no language to switch to: the user gets the choice.)"""
    message = tracker.latest_message or {}
    if not str(message.get("text") or "").startswith("/"):
        return requested_language(str(message.get("text") or ""))
    for entity in message.get("entities") or []:
        if entity.get("entity") == "language" and entity.get("value") in LANGUAGES:
            return str(entity["value"])
    return None


class ActionSwitchLanguage(Action):
    def name(self) -> Text:
        return "action_switch_language"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        t = texts(tracker)
        if named_language(tracker):
            dispatcher.utter_message(text=t("language_switched"))
        else:
            dispatcher.utter_message(text=t("language_which"), buttons=language_buttons())
        return []
